"""Keyword route (FTS5 over jieba tokens) and exact route (verbatim substrings such as 4.3米 or 文号)."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from ..records import Document
from ..store import Store
from .text import exact_terms, fts_query, index_tokens, normalise, query_terms

BODY_WEIGHT, CONTEXT_WEIGHT = 1.0, 0.3
EXACT_RESCORE = 100  # see exact_search
EXACT_COMMON_SHARE, EXACT_COMMON_MIN = 0.02, 1000  # see exact_search


def document_tokens(doc: Document, tokenize: Callable[[str], str] = index_tokens) -> list[tuple[str, str, str]]:
    """(clause id, body tokens, context tokens) for every searchable clause of a parsed document; context is the
    document title, its jurisdiction and the clause's ancestor headings.  Pure, so it can run in a worker process."""
    headings = {c.id: (c.parent_id, c.heading) for c in doc.clauses}
    out = []
    for c in doc.clauses:
        if c.kind == "cc":
            continue
        chain, parent = [], c.parent_id
        while parent and parent in headings:
            chain.append(headings[parent][1] or "")
            parent = headings[parent][0]
        context = " ".join([doc.title or "", doc.jurisdiction or "", *chain])
        out.append((c.id, tokenize(c.text), tokenize(context)))
    return out


def index_document(store: Store, doc: Document, tokens: list[tuple[str, str, str]] | None = None) -> None:
    """Write FTS rows for a freshly stored document (inside the build transaction); `tokens` from
    :func:`document_tokens` when they were computed elsewhere."""
    if tokens is None:
        tokens = document_tokens(doc)
    rowids = dict(store.conn.execute("SELECT id, rowid FROM clauses WHERE doc_id=?", (doc.id,)).fetchall())
    store.conn.executemany("INSERT INTO clause_fts(rowid, body, context) VALUES (?,?,?)",
                           [(rowids[cid], body, context) for cid, body, context in tokens])


def keyword_search(store: Store, query: str, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """(rowid, score) best first; score = −bm25 so higher is better."""
    terms = query_terms(query)
    if not terms:
        return []
    sql = (f"SELECT rowid, -bm25(clause_fts, {BODY_WEIGHT}, {CONTEXT_WEIGHT}) AS s FROM clause_fts "
           "WHERE clause_fts MATCH ? ORDER BY s DESC LIMIT ?")
    limit = k if allowed is None else max(k * 8, 500)
    hits = [(r[0], r[1]) for r in store.conn.execute(sql, (fts_query(terms), limit))]
    if allowed is not None:
        hits = [h for h in hits if h[0] in allowed]
    return hits[:k]


@lru_cache(maxsize=1 << 15)
def _normalised(text: str) -> str:
    """normalise() of a clause text, cached: the same clauses come back for the same common terms."""
    return normalise(text)


def exact_search(store: Store, query: str, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """Clauses containing every exact term of the query verbatim (score = number of occurrences), plus the title
    clauses of a document whose 文号 is asked for.

    Scale (docs/scaling.md): the trigram table proposes candidates for the most selective term and instr()
    verifies every term, so nothing scans the clauses unless a term is a single character.  A term found in more
    than EXACT_COMMON_SHARE of the clauses (and more than EXACT_COMMON_MIN) is no exact signal (`2022年` in a
    large corpus) and is left to the keyword route.  SQLite counts raw occurrences; the score (occurrences in the
    normalised text, one normalise() call per clause) is computed for the EXACT_RESCORE (or 2k) clauses with the
    most raw occurrences — all of them unless a term is common."""
    terms = exact_terms(query)
    if not terms:
        return []
    scores: dict[int, float] = {}
    cap = max(EXACT_COMMON_MIN, int(EXACT_COMMON_SHARE * store.clause_count()))
    counts = {t: store.candidate_count(t, cap) for t in terms}
    match = [t for t in terms if (counts[t] or 0) <= cap]
    if match:
        where = " AND ".join("instr(text, ?) > 0" for _ in match)
        raw = " + ".join("(length(text) - length(replace(text, ?, ''))) / length(?)" for _ in match)
        raw_args = [x for t in match for x in (t, t)]
        known = [t for t in match if counts[t] is not None]
        cond = store.candidates(min(known, key=lambda t: counts[t])) if known else None  # type: ignore[arg-type]
        if cond is not None:
            sql = f"SELECT rowid, {raw} FROM clauses WHERE {cond[0]} AND kind != 'cc' AND {where} ORDER BY rowid"
            args = [*raw_args, *cond[1], *match]
        else:
            sql = f"SELECT rowid, {raw} FROM clauses WHERE kind != 'cc' AND {where} ORDER BY rowid"
            args = [*raw_args, *match]
        matched = [(r[0], r[1]) for r in store.conn.execute(sql, args)]
        if allowed is not None:
            matched = [m for m in matched if m[0] in allowed]
        limit = max(EXACT_RESCORE, 2 * k)
        if len(matched) > limit:
            matched = sorted(sorted(matched, key=lambda m: -m[1])[:limit])  # stable: ties keep rowid order
        rowids = [m[0] for m in matched]
        texts: dict[int, str] = {}
        for i in range(0, len(rowids), 500):
            chunk = rowids[i:i + 500]
            texts.update(store.conn.execute(
                f"SELECT rowid, text FROM clauses WHERE rowid IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        for rowid in rowids:
            text = texts[rowid]
            norm = _normalised(text)
            scores[rowid] = float(sum(norm.count(t) or text.count(t) for t in match))
    for t in terms:
        for (rowid,) in store.conn.execute(
                "SELECT c.rowid FROM clauses c JOIN documents d ON d.id = c.doc_id "
                "WHERE d.doc_number = ? AND +c.kind IN ('title', 'preamble')", (t,)):  # +: by 文号, not by kind
            scores[rowid] = scores.get(rowid, 0.0) + 5.0
    hits = sorted(((r, s) for r, s in scores.items() if allowed is None or r in allowed), key=lambda h: -h[1])
    return hits[:k]
