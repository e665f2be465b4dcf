"""Keyword route (FTS5 over jieba tokens) and exact route (verbatim substrings such as 4.3米 or 文号)."""

from __future__ import annotations

from typing import Callable

from ..records import Document
from ..store import Store
from ..store.db import TRIGRAM, trigram_match
from .text import exact_terms, fts_query, index_tokens, normalise, query_terms

BODY_WEIGHT, CONTEXT_WEIGHT = 1.0, 0.3


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


def exact_search(store: Store, query: str, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """Clauses containing every exact term of the query verbatim (score = number of occurrences), plus the title
    clauses of a document whose 文号 is asked for.  The longest term (3+ characters) is looked up in the trigram
    table and the candidates verified with instr(); without such a term the clauses are scanned."""
    terms = exact_terms(query)
    if not terms:
        return []
    scores: dict[int, float] = {}
    where = " AND ".join("instr(text, ?) > 0" for _ in terms)
    longest = max(terms, key=len)
    if len(longest) >= TRIGRAM and store.has_trigrams:
        sql = ("SELECT rowid, text FROM clauses WHERE rowid IN (SELECT rowid FROM clause_tri WHERE clause_tri MATCH ?) "
               f"AND kind != 'cc' AND {where} ORDER BY rowid")
        args = [trigram_match(longest), *terms]
    else:
        sql = f"SELECT rowid, text FROM clauses WHERE kind != 'cc' AND {where} ORDER BY rowid"
        args = list(terms)
    for rowid, text in store.conn.execute(sql, args):
        scores[rowid] = float(sum(normalise(text).count(t) or text.count(t) for t in terms))
    for t in terms:
        for (rowid,) in store.conn.execute(
                "SELECT c.rowid FROM clauses c JOIN documents d ON d.id = c.doc_id "
                "WHERE d.doc_number = ? AND c.kind IN ('title', 'preamble')", (t,)):
            scores[rowid] = scores.get(rowid, 0.0) + 5.0
    hits = sorted(((r, s) for r, s in scores.items() if allowed is None or r in allowed), key=lambda h: -h[1])
    return hits[:k]
