"""Keyword route (FTS5 over jieba tokens) and exact route (verbatim substrings such as 4.3米 or 文号)."""

from __future__ import annotations

from ..records import Document
from ..store import Store
from .text import exact_terms, fts_query, index_tokens, normalise, query_terms

BODY_WEIGHT, CONTEXT_WEIGHT = 1.0, 0.3


def index_document(store: Store, doc: Document) -> None:
    """Write FTS rows for a freshly stored document (inside the build transaction)."""
    rows = store.conn.execute("SELECT rowid, id, parent_id, heading, text, kind FROM clauses WHERE doc_id=? ORDER BY ord",
                              (doc.id,)).fetchall()
    headings = {r["id"]: (r["parent_id"], r["heading"]) for r in rows}
    batch = []
    for r in rows:
        if r["kind"] == "cc":
            continue
        chain, parent = [], r["parent_id"]
        while parent and parent in headings:
            chain.append(headings[parent][1] or "")
            parent = headings[parent][0]
        context = " ".join([doc.title or "", doc.jurisdiction or "", *chain])
        batch.append((r["rowid"], index_tokens(r["text"]), index_tokens(context)))
    store.conn.executemany("INSERT INTO clause_fts(rowid, body, context) VALUES (?,?,?)", batch)


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
    clauses of a document whose 文号 is asked for."""
    terms = exact_terms(query)
    if not terms:
        return []
    scores: dict[int, float] = {}
    where = " AND ".join("instr(text, ?) > 0" for _ in terms)
    for rowid, text in store.conn.execute(f"SELECT rowid, text FROM clauses WHERE kind != 'cc' AND {where}", terms):
        scores[rowid] = float(sum(normalise(text).count(t) or text.count(t) for t in terms))
    for t in terms:
        for (rowid,) in store.conn.execute(
                "SELECT c.rowid FROM clauses c JOIN documents d ON d.id = c.doc_id "
                "WHERE d.doc_number = ? AND c.kind IN ('title', 'preamble')", (t,)):
            scores[rowid] = scores.get(rowid, 0.0) + 5.0
    hits = sorted(((r, s) for r, s in scores.items() if allowed is None or r in allowed), key=lambda h: -h[1])
    return hits[:k]
