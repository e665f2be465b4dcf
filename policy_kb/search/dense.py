"""Dense index: clause embeddings in faiss, keyed by clause rowid, with a manifest and an embedding cache.

Exact inner product (IndexFlatIP) below ``HNSW_THRESHOLD`` vectors, HNSW above it (see docs/benchmarks.md).
Embeddings are cached by (model, sha256(text)) in ``embed_cache.sqlite`` so a rebuild only encodes new text.
Index and manifest are written to temporary files and swapped in with os.replace (atomic on POSIX).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..build import fault_point
from ..embed.embedder import Embedder
from ..store import Store

INDEX_FILE = "dense.faiss"
MANIFEST_FILE = "dense.manifest.json"
CACHE_FILE = "embed_cache.sqlite"
HNSW_THRESHOLD = 50_000
BATCH = 64


CHUNK_CHARS = 160
PASSAGE_FORMAT = f"title+headings, sentence chunks of {CHUNK_CHARS} chars"  # change → indexes are rebuilt


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Sentence-aligned pieces of about `size` characters: a long clause embedded whole blurs into its average,
    while a question usually matches one or two of its sentences."""
    sentences = [s for s in re.split(r"(?<=[。；！？\n])", text) if s.strip()]
    out, cur = [], ""
    for s in sentences:
        while len(s) > size * 2:  # a run-on sentence: hard split
            out.append(cur + s[:size]) if cur else out.append(s[:size])
            cur, s = "", s[size:]
        if cur and len(cur) + len(s) > size:
            out.append(cur)
            cur = ""
        cur += s
    if cur.strip():
        out.append(cur)
    return out or [text]


def passage_texts(title: str | None, headings: list[str], text: str) -> list[str]:
    """What gets embedded for a clause: each chunk prefixed with the document title and ancestor headings, so
    `介休…工作方案 › 目标任务` travels with every sentence of the clause."""
    context = " › ".join(h for h in [title or "", *headings] if h)
    return [f"{context}\n{c}" if context else c for c in chunks(text)]


class EmbeddingCache:
    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, timeout=60)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vec BLOB, PRIMARY KEY (model, hash))")

    def get_many(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(hashes), 500):
            chunk = hashes[i:i + 500]
            q = f"SELECT hash, vec FROM vectors WHERE model=? AND hash IN ({','.join('?' * len(chunk))})"
            for h, blob in self.conn.execute(q, [model, *chunk]):
                out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        with self.conn:
            self.conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
                                  [(model, h, v.astype(np.float32).tobytes()) for h, v in items.items()])

    def close(self) -> None:
        self.conn.close()


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clause_passages(store: Store) -> tuple[list[int], list[str]]:
    """(rowid, passage text) pairs, several per long clause, for every clause worth searching (cc lines are not)."""
    titles = {r[0]: r[1] for r in store.conn.execute("SELECT id, title FROM documents")}
    headings: dict[str, tuple[str | None, str | None]] = {}
    rowids, texts = [], []
    for row in store.iter_clause_rows():
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


def build_index(store: Store, embedder: Embedder, progress: Callable[[str], None] = lambda m: None) -> BuildStats:
    """(Re)build the dense index from the store, encoding only texts missing from the cache."""
    import faiss

    started = time.perf_counter()
    index_dir = store.index_dir
    rowids, texts = clause_passages(store)
    hashes = [_hash(t) for t in texts]
    cache = EmbeddingCache(index_dir / CACHE_FILE)
    try:
        known = cache.get_many(embedder.name, hashes)
        missing = [(h, t) for h, t in dict(zip(hashes, texts)).items() if h not in known]
        for i in range(0, len(missing), BATCH):
            batch = missing[i:i + BATCH]
            progress(f"embedding clauses {i + len(batch)}/{len(missing)}")
            vecs = embedder.encode_passages([t for _, t in batch])
            new = {h: v for (h, _), v in zip(batch, vecs)}
            cache.put_many(embedder.name, new)
            known.update(new)
    finally:
        cache.close()
    dim = embedder.dim
    matrix = np.stack([known[h] for h in hashes]).astype(np.float32) if hashes else np.zeros((0, dim), np.float32)
    if len(rowids) >= HNSW_THRESHOLD:
        base = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        base.hnsw.efConstruction = 80
        base.hnsw.efSearch = 128
        kind = "hnsw"
    else:
        base = faiss.IndexFlatIP(dim)
        kind = "flat"
    index = faiss.IndexIDMap2(base)
    if len(rowids):
        index.add_with_ids(matrix, np.asarray(rowids, dtype=np.int64))
    tmp = index_dir / (INDEX_FILE + ".tmp")
    faiss.write_index(index, str(tmp))
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    manifest = {"model": embedder.name, "dim": dim, "count": len(set(rowids)), "vectors": len(rowids),
                "passages": PASSAGE_FORMAT,
                "kind": kind, "sha256": digest,
                "clauses_sha256": clauses_fingerprint(store),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    tmp_manifest = index_dir / (MANIFEST_FILE + ".tmp")
    tmp_manifest.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    fault_point("dense_before_swap")
    os.replace(tmp, index_dir / INDEX_FILE)
    fault_point("dense_between_swaps")
    os.replace(tmp_manifest, index_dir / MANIFEST_FILE)
    return BuildStats(len(rowids), len(missing), time.perf_counter() - started, kind)


def clauses_fingerprint(store: Store) -> str:
    """Changes whenever a clause is added, removed or replaced (a re-processed document gets new rowids)."""
    rows = store.conn.execute("SELECT rowid FROM clauses WHERE kind != 'cc' ORDER BY rowid")
    return hashlib.sha256(",".join(str(r[0]) for r in rows).encode()).hexdigest()


def is_current(manifest: dict | None, store: Store, model_name: str) -> bool:
    """Whether a dense index matches the knowledge base and the embedding model (a crash between the SQLite
    commit and the index swap leaves a stale index: it is detected here and rebuilt by the next build)."""
    return bool(manifest) and manifest.get("model") == model_name and \
        manifest.get("passages") == PASSAGE_FORMAT and manifest.get("clauses_sha256") == clauses_fingerprint(store)


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

    def is_current(self, store: Store, model_name: str) -> bool:
        return is_current(self.manifest, store, model_name)

    def search(self, query_vec: np.ndarray, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """Best clauses by their best chunk (max-pooling over a clause's chunks)."""
        if self.index.ntotal == 0:
            return []
        want = k * 4 if allowed is None else max(k * 16, 512)
        scores, ids = self.index.search(query_vec.reshape(1, -1).astype(np.float32), min(want, self.index.ntotal))
        best: dict[int, float] = {}
        for i, s in zip(ids[0], scores[0]):
            i = int(i)
            if i >= 0 and (allowed is None or i in allowed) and i not in best:
                best[i] = float(s)
        return list(best.items())[:k]
