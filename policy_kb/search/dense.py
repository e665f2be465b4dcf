"""Dense index: clause embeddings in faiss, keyed by clause rowid, with a manifest and an embedding cache.

Exhaustive search below ``ANN_THRESHOLD`` vectors — float32 (IndexFlatIP) for small indexes, float16 codes above
``EXACT_F32_MAX`` (half the memory and scan time, recall@10 0.99 vs float32) — and an inverted-file index (IVF,
float16 codes) above it, probing enough lists to scan about ``IVF_SCAN`` vectors per query.  The numbers come from
the scale benchmarks (docs/scaling.md); HNSW was tried and not adopted (faiss HNSW cannot remove vectors; slow
graph build on 2 cores).
Searches run faiss on one OpenMP thread ($POLICY_KB_FAISS_THREADS overrides): for one query, two threads on the
2-core machine were 2–7× slower than one.
Embeddings are cached by (model, sha256(text)) in ``embed_cache.sqlite`` so a rebuild only encodes new text; an
IVF index is updated in place (changed clauses removed, new ones added) instead of being retrained.
Index and manifest are written to temporary files and swapped in with os.replace (atomic on POSIX).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from .. import settings
from ..build import fault_point
from ..embed.embedder import Embedder
from ..progress import Phases
from ..store import Store
from ..store.embedding_cache import CACHE_FILE, EmbeddingCache, text_key

INDEX_FILE = "dense.faiss"
MANIFEST_FILE = "dense.manifest.json"
EXACT_F32_MAX = 50_000  # vectors: float32 exhaustive search below (the seed corpus), float16 codes above
ANN_THRESHOLD = 300_000  # vectors: exhaustive search below (float16 scan of 300k ≈ 25 ms), IVF above
# IVF: probe enough lists to scan about this many vectors per query: 800k of 1.58M at 1M clauses gives recall@10
# 0.965 against exact search in 25 ms (200k: 0.918, 6.7 ms) — hidden behind the keyword route, which runs in parallel
IVF_SCAN = 800_000
IVF_CODE = "fp16"  # IVF codes: float16 (recall@10 0.99 vs float32 when every list is probed; 8-bit: 0.97)
RETRAIN_GROWTH = 2.0  # an IVF index trained on n vectors is retrained once it holds RETRAIN_GROWTH × n
BATCH = 64


CHUNK_CHARS = 160
PASSAGE_FORMAT = f"title+headings, sentence chunks of {CHUNK_CHARS} chars"  # change → indexes are rebuilt


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Sentence-aligned pieces of about `size` characters: a long clause embedded whole blurs into its average,
    while a question usually matches one or two of its sentences."""
    return [piece for _, piece in located_chunks(text, size)] or [text]


def located_chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """`chunks` with the offset where each begins in `text`: a sentence at offset `a` was embedded in the last
    chunk that begins at or before `a` (how evidence finds its sentence's vector)."""
    out: list[tuple[int, str]] = []
    cur, cur_at, at = "", 0, 0
    for s in re.split(r"(?<=[。；！？\n])", text):
        s_at, at = at, at + len(s)
        if not s.strip():
            continue
        while len(s) > size * 2:  # a run-on sentence: hard split
            out.append((cur_at, cur + s[:size]) if cur else (s_at, s[:size]))
            cur, s, s_at = "", s[size:], s_at + size
        if cur and len(cur) + len(s) > size:
            out.append((cur_at, cur))
            cur = ""
        if not cur:
            cur_at = s_at
        cur += s
    if cur.strip():
        out.append((cur_at, cur))
    return out


def passage_texts(title: str | None, headings: list[str], text: str) -> list[str]:
    """What gets embedded for a clause: each chunk prefixed with the document title and ancestor headings, so
    `介休…工作方案 › 目标任务` travels with every sentence of the clause."""
    context = " › ".join(h for h in [title or "", *headings] if h)
    return [f"{context}\n{c}" if context else c for c in chunks(text)]


def clause_passages(store: Store, doc_ids: set[str] | None = None) -> tuple[list[int], list[str]]:
    """(rowid, passage text) pairs, several per long clause, for every clause worth searching (cc lines are not);
    only those of `doc_ids` when given."""
    titles = store.document_titles()
    headings: dict[str, tuple[str | None, str | None]] = {}
    rowids, texts = [], []
    if doc_ids is None:
        rows: Iterable = store.iter_clause_rows()
    else:
        rows = (r for d in sorted(doc_ids) for r in store.clause_rows_of(d))
    for row in rows:
        headings[row["id"]] = (row["parent_id"], row["heading"])
        if row["kind"] == "cc":
            continue
        chain, parent = [], row["parent_id"]
        while parent and parent in headings:
            p_parent, p_heading = headings[parent]
            if p_heading:
                chain.append(p_heading)
            parent = p_parent
        for passage in passage_texts(titles.get(row["doc_id"]), chain[::-1], row["text"]):
            rowids.append(row["rowid"])
            texts.append(passage)
    return rowids, texts


@dataclass
class BuildStats:
    total: int
    encoded: int
    seconds: float
    kind: str
    encode_seconds: float = 0.0  # embedding the passages missing from the cache
    index_seconds: float = 0.0  # faiss: training, adding, writing
    mode: str = "full"  # full (index built from scratch) | update (IVF index updated in place)


def _vectors(
    texts: list[str],
    embedder: Embedder,
    cache: EmbeddingCache | None,
    progress: Callable[[str], None],
    phases: Phases | None = None,
) -> tuple[np.ndarray, int]:
    """One row per text (float32), read from the cache or encoded (each distinct text once, new vectors written
    to the cache); (matrix, number encoded).  Filled in place: no second copy of every vector in memory.  With
    ``phases``, encoding is one counted phase (a bar or a line every few seconds) instead of a line per batch."""
    rows_of: dict[str, list[int]] = {}
    found: set[str] = set()
    with _phase(phases, "looking up cached vectors"):  # ~10 s for 280k passages: not without a progress line
        for i, t in enumerate(texts):
            rows_of.setdefault(text_key(t), []).append(i)
        matrix = np.zeros((len(texts), embedder.dim), dtype=np.float32)
        if cache is not None:
            for h, vec in cache.iter_many(embedder.name, list(rows_of)):
                matrix[rows_of[h]] = vec
                found.add(h)
    missing = [h for h in rows_of if h not in found]
    with phases.phase("embedding passages", len(missing)) if phases else nullcontext() as tick:
        for i in range(0, len(missing), BATCH):
            batch = missing[i : i + BATCH]
            if tick is None:
                progress(f"embedding clauses {i + len(batch)}/{len(missing)}")
            vecs = embedder.encode_passages([texts[rows_of[h][0]] for h in batch])
            for h, v in zip(batch, vecs):
                matrix[rows_of[h]] = v
            if cache is not None:
                cache.put_many(embedder.name, dict(zip(batch, vecs)))
            if tick is not None:
                tick(i + len(batch))
    return matrix, len(missing)


def _nlist(n: int) -> int:
    """IVF lists: 2·√n (about 400 vectors per list at 1.5M vectors), at least 64."""
    return max(64, round(2 * n**0.5))


def nprobe_for(n: int, nlist: int) -> int:
    """Lists to probe so that about IVF_SCAN vectors are scanned."""
    return max(1, min(nlist, int(np.ceil(IVF_SCAN * nlist / max(1, n)))))


def kind_for(n: int) -> str:
    return "flat" if n < EXACT_F32_MAX else "flat16" if n < ANN_THRESHOLD else "ivf"


class _Threads:
    """faiss's OpenMP threads for a block (all cores for building, one for searching)."""

    def __init__(self, n: int):
        self.n = n

    def __enter__(self) -> None:
        import faiss

        self.before = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(self.n)

    def __exit__(self, *_: object) -> None:
        import faiss

        faiss.omp_set_num_threads(self.before)


def make_index(matrix: np.ndarray, rowids: np.ndarray, dim: int):
    """A searchable faiss index over `matrix` (rows labelled by clause rowid) and its kind (see `kind_for`)."""
    import faiss

    kind = kind_for(len(rowids))
    with _Threads(os.cpu_count() or 1):
        if kind in ("flat", "flat16"):
            base = (
                faiss.IndexFlatIP(dim)
                if kind == "flat"
                else faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
            )
            index = faiss.IndexIDMap2(base)
            for i in range(0, len(rowids), 200_000):
                index.add_with_ids(matrix[i : i + 200_000], rowids[i : i + 200_000])
            return index, kind
        nlist = _nlist(len(rowids))
        quantizer = faiss.IndexFlatIP(dim)
        qtype = {"SQ8": faiss.ScalarQuantizer.QT_8bit, "fp16": faiss.ScalarQuantizer.QT_fp16}[IVF_CODE]
        index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, qtype, faiss.METRIC_INNER_PRODUCT)
        index.own_fields = True
        quantizer.this.disown()
        index.cp.niter = 10
        sample = np.random.default_rng(0).choice(len(rowids), size=min(len(rowids), 40 * nlist), replace=False)
        index.train(matrix[np.sort(sample)])
        index.nprobe = nprobe_for(len(rowids), nlist)
        for i in range(0, len(rowids), 200_000):  # bounded temporary memory while adding
            index.add_with_ids(matrix[i : i + 200_000], rowids[i : i + 200_000])
    return index, kind


def ivf_ids(index) -> np.ndarray:
    """Every label stored in an IVF index (one per vector)."""
    import faiss

    invlists = index.invlists
    parts = []
    for i in range(index.nlist):
        size = invlists.list_size(i)
        if size:
            parts.append(faiss.rev_swig_ptr(invlists.get_ids(i), size).copy())
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _searchable_rowids(store: Store) -> np.ndarray:
    return np.asarray(store.searchable_rowids(), dtype=np.int64)


def index_rowids(index, kind: str) -> np.ndarray:
    import faiss

    return ivf_ids(index) if kind == "ivf" else faiss.vector_to_array(index.id_map)


def _update_in_place(
    store: Store,
    embedder: Embedder,
    cache: EmbeddingCache | None,
    progress: Callable[[str], None],
    phases: Phases | None = None,
):
    """Bring an existing index up to date by removing the vectors of clauses that are gone and adding those of new
    clauses: only the clauses the index lacks are encoded (even without the embedding cache: after a crash between
    the SQLite commit and the index swap, the next build encodes the new document, not the corpus), no re-reading
    of every vector from the cache, no retraining.  None when a full build is due: another model or passage
    format, the size calls for another kind, or an IVF index has grown too far beyond what its lists were trained
    on."""
    import faiss

    manifest = read_manifest(store.index_dir)
    path = store.index_dir / INDEX_FILE
    kind = (manifest or {}).get("kind")
    if (
        not manifest
        or kind not in ("flat", "flat16", "ivf")
        or manifest.get("model") != embedder.name
        or manifest.get("dim") != embedder.dim
        or manifest.get("passages") != PASSAGE_FORMAT
        or (kind == "ivf" and manifest.get("ivf_code") != IVF_CODE)
        or not path.exists()
    ):
        return None
    index = faiss.read_index(str(path))
    stored = index_rowids(index, kind)
    current = _searchable_rowids(store)
    gone = np.setdiff1d(stored, current)
    new = np.setdiff1d(current, stored)
    vectors_after = index.ntotal - int(np.isin(stored, gone).sum()) + int(len(new) * 1.6)
    if kind_for(vectors_after) != kind or (
        kind == "ivf" and vectors_after > RETRAIN_GROWTH * manifest.get("trained_on", index.ntotal)
    ):
        return None
    if len(gone):
        index.remove_ids(faiss.IDSelectorBatch(len(gone), faiss.swig_ptr(gone)))
    encoded = 0
    encode_seconds = 0.0
    if len(new):
        wanted = set(new.tolist())
        rowids, texts = clause_passages(store, store.doc_ids_of(sorted(wanted)))
        keep = [i for i, r in enumerate(rowids) if r in wanted]
        rowids, texts = [rowids[i] for i in keep], [texts[i] for i in keep]
        t0 = time.perf_counter()
        matrix, encoded = _vectors(texts, embedder, cache, progress, phases)
        encode_seconds = time.perf_counter() - t0
        if rowids:
            index.add_with_ids(matrix, np.asarray(rowids, dtype=np.int64))
    if kind == "ivf":
        index.nprobe = nprobe_for(index.ntotal, index.nlist)
    return index, kind, encoded, encode_seconds, manifest.get("trained_on", index.ntotal)


def build_index(
    store: Store,
    embedder: Embedder,
    progress: Callable[[str], None] = lambda m: None,
    cache: bool = True,
    phases: Phases | None = None,
) -> BuildStats:
    """(Re)build the dense index from the store, encoding only texts missing from the embedding cache (`cache=False`
    encodes everything and keeps no cache: the benchmarks' bulk path for synthetic corpora)."""
    import faiss

    started = time.perf_counter()
    index_dir = store.index_dir
    emb_cache = EmbeddingCache(index_dir / CACHE_FILE) if cache else None
    try:
        updated = _update_in_place(store, embedder, emb_cache, progress, phases)
        if updated is not None:
            index, kind, encoded, encode_seconds, trained_on = updated
            mode = "update"
        else:
            with _phase(phases, "reading passages"):
                rowids, texts = clause_passages(store)
            t0 = time.perf_counter()
            matrix, encoded = _vectors(texts, embedder, emb_cache, progress, phases)
            encode_seconds = time.perf_counter() - t0
            del texts
            with _phase(phases, "building the dense index"):
                index, kind = make_index(matrix, np.asarray(rowids, dtype=np.int64), embedder.dim)
            trained_on = len(rowids)
            mode = "full"
            del matrix
    finally:
        if emb_cache is not None:
            emb_cache.close()
    dim = embedder.dim
    tmp = index_dir / (INDEX_FILE + ".tmp")
    with _phase(phases, "writing the dense index"):
        faiss.write_index(index, str(tmp))
        digest = _file_sha256(tmp)
        count = len(np.unique(index_rowids(index, kind)))
        fingerprint = clauses_fingerprint(store)
    manifest = {
        "model": embedder.name,
        "dim": dim,
        "count": count,
        "vectors": int(index.ntotal),
        "passages": PASSAGE_FORMAT,
        "kind": kind,
        "sha256": digest,
        "clauses_sha256": fingerprint,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    if kind == "ivf":
        manifest.update(
            {
                "nlist": int(index.nlist),
                "nprobe": int(index.nprobe),
                "ivf_code": IVF_CODE,
                "trained_on": int(trained_on),
            }
        )
    tmp_manifest = index_dir / (MANIFEST_FILE + ".tmp")
    tmp_manifest.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    fault_point("dense_before_swap")
    os.replace(tmp, index_dir / INDEX_FILE)
    fault_point("dense_between_swaps")
    os.replace(tmp_manifest, index_dir / MANIFEST_FILE)
    seconds = time.perf_counter() - started
    return BuildStats(
        int(index.ntotal),
        encoded,
        seconds,
        kind,
        encode_seconds=encode_seconds,
        index_seconds=seconds - encode_seconds,
        mode=mode,
    )


def _phase(phases: Phases | None, name: str) -> AbstractContextManager[Any]:
    return phases.phase(name) if phases is not None else nullcontext()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def clauses_fingerprint(store: Store) -> str:
    """Changes whenever a clause is added, removed or replaced (a re-processed document gets new rowids)."""
    return hashlib.sha256(",".join(str(r) for r in store.searchable_rowids()).encode()).hexdigest()


def is_current(manifest: dict | None, store: Store, model_name: str) -> bool:
    """Whether a dense index matches the knowledge base and the embedding model (a crash between the SQLite
    commit and the index swap leaves a stale index: it is detected here and rebuilt by the next build)."""
    return (
        bool(manifest)
        and manifest.get("model") == model_name
        and manifest.get("passages") == PASSAGE_FORMAT
        and manifest.get("clauses_sha256") == clauses_fingerprint(store)
    )


def read_manifest(index_dir: Path) -> dict | None:
    try:
        return json.loads((index_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


class DenseIndex:
    """A loaded faiss index; ``search`` returns (rowid, cosine) pairs best first."""

    def __init__(self, index_dir: Path):
        import faiss

        self.manifest = read_manifest(index_dir)
        if self.manifest is None or not (index_dir / INDEX_FILE).exists():
            raise FileNotFoundError(f"no dense index in {index_dir} (run `policy-kb build`)")
        self.index = faiss.read_index(str(index_dir / INDEX_FILE))
        self.kind = self.manifest.get("kind", "flat")
        self.clauses = max(1, int(self.manifest.get("count") or 1))
        if self.kind == "ivf":  # a search-time setting: today's IVF_SCAN, not the one the index was built with
            self.manifest["nprobe"] = nprobe_for(self.index.ntotal, self.index.nlist)
        faiss.omp_set_num_threads(settings.current().faiss_threads)

    def is_current(self, store: Store, model_name: str) -> bool:
        return is_current(self.manifest, store, model_name)

    def _params(self, allowed: set[int] | None):
        """faiss search parameters: the allowed rowids as a bitmap selector (so a filter restricts the search
        itself instead of discarding results afterwards) and, for IVF, the number of lists to probe — scaled up
        by the share of clauses a filter keeps, so a narrow filter still finds its best k."""
        import faiss

        sel = keep = None
        if allowed is not None:
            ids = np.fromiter(allowed, dtype=np.int64, count=len(allowed))
            bits = np.zeros(int(ids.max()) + 1 if len(ids) else 1, dtype=bool)
            bits[ids] = True
            keep = np.packbits(bits, bitorder="little")
            sel = faiss.IDSelectorBitmap(len(keep), faiss.swig_ptr(keep))
        if self.kind == "ivf":
            share = 1.0 if allowed is None else max(len(allowed) / self.clauses, 1e-9)
            base = int(self.manifest.get("nprobe") or nprobe_for(self.index.ntotal, self.index.nlist))
            nprobe = min(self.index.nlist, int(np.ceil(base / min(1.0, share))))
            params = (
                faiss.SearchParametersIVF(nprobe=nprobe, sel=sel)
                if sel is not None
                else faiss.SearchParametersIVF(nprobe=nprobe)
            )
        else:
            params = faiss.SearchParameters(sel=sel) if sel is not None else None
        return params, (sel, keep)  # the selector and its bitmap must outlive the search

    def search(self, query_vec: np.ndarray, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """Best clauses by their best chunk (max-pooling over a clause's chunks)."""
        if self.index.ntotal == 0 or (allowed is not None and not allowed):
            return []
        want = k * 4 if allowed is None else max(k * 16, 512)
        params, _alive = self._params(allowed)
        x = query_vec.reshape(1, -1).astype(np.float32)
        if params is None:
            scores, ids = self.index.search(x, min(want, self.index.ntotal))
        else:
            scores, ids = self.index.search(x, min(want, self.index.ntotal), params=params)
        best: dict[int, float] = {}
        for i, s in zip(ids[0], scores[0]):
            i = int(i)
            if i >= 0 and (allowed is None or i in allowed) and i not in best:
                best[i] = float(s)
        return list(best.items())[:k]

    @cached_property
    def _positions(self) -> tuple[np.ndarray, np.ndarray]:
        """(positions sorted by label, the sorted labels): a clause's vectors are the positions between its label's
        first and last occurrence, in the order they were added, which is chunk order."""
        import faiss

        labels = faiss.vector_to_array(self.index.id_map)
        order = np.argsort(labels, kind="stable")
        return order, labels[order]

    def chunk_cosines(self, query_vec: np.ndarray, rowids: list[int]) -> dict[int, np.ndarray]:
        """The query's cosine with every chunk of the given clauses, in chunk order (`located_chunks`): which
        sentence of a clause the query is about, not only which clause.  Empty for an IVF index, whose vectors
        cannot be read back by position (above ANN_THRESHOLD vectors; callers fall back to the clause's score)."""
        if self.kind == "ivf" or not rowids:
            return {}
        order, labels = self._positions
        bounds = np.searchsorted(labels, np.array([[r, r + 1] for r in rowids], dtype=labels.dtype))
        spans = {r: (int(lo), int(hi)) for r, (lo, hi) in zip(rowids, bounds) if hi > lo}
        if not spans:
            return {}
        positions = np.concatenate([np.sort(order[lo:hi]) for lo, hi in spans.values()]).astype(np.int64)
        cosines = self.index.index.reconstruct_batch(positions) @ query_vec.astype(np.float32)
        out, at = {}, 0
        for r, (lo, hi) in spans.items():
            out[r] = cosines[at : at + hi - lo]
            at += hi - lo
        return out
