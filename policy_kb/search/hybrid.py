"""Hybrid search: keyword, exact and semantic routes fused with weighted reciprocal-rank fusion.

RRF needs no score calibration between BM25, cosine and match counts; the route weights were chosen on the
question set (see `policy-kb eval retrieval` and docs/benchmarks.md).
"""

from __future__ import annotations

import functools
import re
import sys
from functools import cached_property
from pathlib import Path

import numpy as np

from .. import settings
from ..records import Clause, Hit
from ..store import Store
from ..textsafe import strip_format_chars
from .bilingual import EnglishTerms
from .dense import DenseIndex, located_chunks
from .filters import SearchFilter
from .keyword import exact_search, keyword_search
from .spell import Speller
from .text import exact_terms, normalise, query_terms

MODES = ("hybrid", "keyword", "semantic")
RRF_K = 10
WEIGHTS = {"keyword": 1.0, "semantic": 0.8, "exact": 1.0}
CANDIDATES = 50
MAX_QUERY_CHARS = 500
HIGHLIGHT = ("【", "】")
# clause texts whose normalised form is remembered for de-duplicating hits: ~18 per query at 0.2 ms each were a
# quarter of a warm seed search once the encoder got fast; 4096 texts of a few hundred characters hold ≤ 10 MB
DEDUP_CACHE = 4096
QUERY_VECTORS = 256  # query vectors kept per searcher (an answer encodes one or two queries)


def snippet(text: str, terms: list[str], width: int = 90) -> str:
    """A window of the clause around its best-covered stretch, with query terms wrapped in 【】."""
    terms = sorted({t for t in terms if t and t in text}, key=len, reverse=True)
    if not terms:
        return text[:width] + ("…" if len(text) > width else "")
    spans: list[tuple[int, int]] = []
    for t in terms:
        for m in re.finditer(re.escape(t), text):
            if not any(a <= m.start() < b or a < m.end() <= b for a, b in spans):
                spans.append((m.start(), m.end()))
    spans.sort()
    best = max(range(len(spans)), key=lambda i: sum(1 for a, _ in spans if spans[i][0] <= a < spans[i][0] + width))
    start = max(0, spans[best][0] - width // 4)
    end = min(len(text), start + width)
    out, pos = [], start
    for a, b in spans:
        if a >= start and b <= end:
            out += [text[pos:a], HIGHLIGHT[0], text[a:b], HIGHLIGHT[1]]
            pos = b
    out.append(text[pos:end])
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")


@functools.lru_cache(maxsize=DEDUP_CACHE)
def _dedup_key(text: str) -> str:
    """What makes two clauses "the same words" (normalise(), memoised: the same clauses recur across queries)."""
    return normalise(text)


def _clean(query: str) -> str:
    """What the routes search for: format characters dropped (`补\u200b偿` is 补偿), at most MAX_QUERY_CHARS."""
    return strip_format_chars(query).strip()[:MAX_QUERY_CHARS]


def _single_thread_queries(embedder) -> None:
    """One short query is encoded fastest on one thread (benchmarks: 37 ms vs 254 ms median with two threads on
    the 2-core machine, see docs/benchmarks.md); parallelism comes from concurrent requests instead.
    $POLICY_KB_TORCH_THREADS overrides.  Only the PyTorch encoder needs this (the ONNX one runs each call on one
    thread), and only then is torch imported: it is seconds of a cold start."""
    if getattr(embedder, "backend", None) != "torch":
        return
    import torch

    torch.set_num_threads(settings.current().torch_threads)


class Searcher:
    """Loads the store, the dense index and the embedder once; `search` is then cheap and thread-safe for reads."""

    def __init__(self, index_dir: Path | str, embedder_name: str | None = None):
        self.index_dir = Path(index_dir)
        self.store = Store(self.index_dir)
        self._embedder_name = embedder_name
        self.warnings: list[str] = []
        # a question's vector serves the semantic route and then the evidence's chunk scores: encoded once
        self.query_vector = functools.lru_cache(maxsize=QUERY_VECTORS)(self._encode_query)

    @cached_property
    def speller(self) -> Speller:
        return Speller(self.store)

    def correct(self, query: str) -> tuple[str, dict[str, str]]:
        """The query with homophone typos fixed against the corpus vocabulary (`焦碳` → 焦炭)."""
        return self.speller.correct(query)

    @cached_property
    def english_terms(self) -> EnglishTerms:
        """Chinese terms for an English question's words the glossary lacks, as this knowledge base uses them."""
        return EnglishTerms(self.store.term_clause_count)

    @cached_property
    def embedder(self):
        from ..embed.embedder import load_embedder

        embedder = load_embedder(self._embedder_name)
        _single_thread_queries(embedder)
        return embedder

    @cached_property
    def dense(self) -> DenseIndex | None:
        try:
            index = DenseIndex(self.index_dir)
        except FileNotFoundError as e:
            self._warn(f"semantic search unavailable: {e}")
            return None
        if not index.is_current(self.store, self.embedder.name):
            manifest = index.manifest or {}
            self._warn(
                f"dense index was built with {manifest.get('model')} for {manifest.get('count')} clauses; "
                f"it does not match the knowledge base and model {self.embedder.name} (run `policy-kb build`)"
            )
            return None
        return index

    def _warn(self, msg: str) -> None:
        self.warnings.append(msg)
        print(f"warning: {msg}", file=sys.stderr)

    def _encode_query(self, query: str) -> np.ndarray:
        return self.embedder.encode_queries([query])[0]

    def semantic_search(self, query: str, k: int, allowed: set[int] | None) -> list[tuple[int, float]]:
        if self.dense is None:
            return []
        return self.dense.search(self.query_vector(query), k, allowed)

    def chunk_cosines(self, query: str, clauses: list[Clause]) -> dict[str, list[tuple[int, float]]]:
        """Per clause id, (offset, cosine with the query) of each of its chunks in the dense index: how close each
        part of a clause is to the question.  Empty without a usable dense index or for an IVF one; a clause whose
        vectors do not match its chunks (another passage format) is left out."""
        if self.dense is None or not clauses:
            return {}
        rowids = self.store.rowids_of([c.id for c in clauses])
        cosines = self.dense.chunk_cosines(self.query_vector(_clean(query)), list(rowids.values()))
        out: dict[str, list[tuple[int, float]]] = {}
        for c in clauses:
            values = cosines.get(rowids.get(c.id, -1))
            starts = [at for at, _ in located_chunks(c.text)]
            if values is not None and len(values) == len(starts):
                out[c.id] = list(zip(starts, values.tolist()))
        return out

    @cached_property
    def _encoder_pool(self):
        from concurrent.futures import ThreadPoolExecutor

        return ThreadPoolExecutor(max_workers=2, thread_name_prefix="policy-kb-semantic")

    def routes(
        self, query: str, mode: str, k: int, allowed: set[int] | None, keyword_extra: str = ""
    ) -> dict[str, list[tuple[int, float]]]:
        """The routes' candidates.  In hybrid mode the semantic route (query encoding: most of the time) runs in a
        worker thread while the keyword and exact routes run here — torch and SQLite release the GIL, so the two
        overlap on a second core (hybrid p50 close to the semantic route alone; docs/benchmarks.md)."""
        out: dict[str, list[tuple[int, float]]] = {}
        pending = None
        if mode == "hybrid" and self.dense is not None:
            pending = self._encoder_pool.submit(self.semantic_search, query, k, allowed)
        if mode in ("hybrid", "keyword"):
            out["keyword"] = keyword_search(self.store, f"{query} {keyword_extra}".strip(), k, allowed)
            out["exact"] = exact_search(self.store, query, k, allowed)
        if pending is not None:
            out["semantic"] = pending.result()
        elif mode in ("hybrid", "semantic"):
            out["semantic"] = self.semantic_search(query, k, allowed)
        return out

    def search(
        self,
        query: str,
        mode: str = "hybrid",
        k: int = 10,
        flt: SearchFilter | None = None,
        corrected: bool = False,
        keyword_extra: str = "",
    ) -> list[Hit]:
        """Ranked clauses for a query.  ``corrected``: the caller has fixed its typos already (`Answerer` does,
        before it reads the question), so they are not looked up twice.  ``keyword_extra``: more words for the
        keyword route only (an English question's Chinese terms: the dense route reads English itself)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got '{mode}'")
        query = _clean(query)
        if not query:
            return []
        if not corrected:
            query, _ = self.correct(query)
        flt = flt or SearchFilter()
        allowed = flt.allowed(self.store)
        routes = self.routes(query, mode, max(k, CANDIDATES), allowed, keyword_extra)
        exact = exact_terms(query)
        rest = normalise(query)
        for t in exact:
            rest = rest.replace(t, "")
        if exact and routes.get("exact") and not re.sub(r"[\W_]", "", rest):
            # the query is nothing but `14768万吨` or a 文号: show the clauses that contain it, not look-alikes
            routes = {"exact": routes["exact"]}
        fused: dict[int, float] = {}
        raw: dict[int, dict[str, float]] = {}
        for route, hits in routes.items():
            for rank, (rowid, score) in enumerate(hits):
                fused[rowid] = fused.get(rowid, 0.0) + WEIGHTS[route] / (RRF_K + rank + 1)
                raw.setdefault(rowid, {})[route] = round(score, 4)
        ranked = sorted(fused, key=lambda r: -fused[r])
        clauses = self.store.clauses_by_rowid(ranked[: k * 3])
        return self._hits(query, ranked, clauses, fused, raw, flt, k)

    def _hits(
        self,
        query: str,
        ranked: list[int],
        clauses: dict[int, Clause],
        fused: dict[int, float],
        raw: dict[int, dict[str, float]],
        flt: SearchFilter,
        k: int,
    ) -> list[Hit]:
        docs = {d.id: d for d in self.store.documents()}
        exact = exact_terms(query)
        terms = exact + [
            t
            for t in query_terms(query)
            if (len(t) > 1 or not re.match(r"[\u4e00-\u9fff]", t)) and not any(t in e for e in exact)
        ]
        target = flt.applies()[0] if flt.jurisdiction else None
        seen_text: set[str] = set()
        out: list[Hit] = []
        for rowid in ranked:
            clause = clauses.get(rowid)
            if clause is None:
                continue
            key = _dedup_key(clause.text)
            if key in seen_text:
                continue  # the same words in two clauses: keep the better-ranked one
            seen_text.add(key)
            doc = docs[clause.doc_id]
            applies_via = doc.level if target and doc.jurisdiction != target else None
            out.append(
                Hit(
                    clause_id=clause.id,
                    doc_id=doc.id,
                    doc_title=doc.title,
                    doc_number=doc.doc_number,
                    jurisdiction=doc.jurisdiction,
                    path=clause.path,
                    heading=clause.heading,
                    text=clause.text,
                    snippet=snippet(clause.text, terms),
                    score=round(fused[rowid], 6),
                    scores={r: raw[rowid].get(r) for r in ("keyword", "semantic", "exact")},
                    applies_via=applies_via,
                    kind=clause.kind,
                )
            )
            if len(out) >= k:
                break
        return out
