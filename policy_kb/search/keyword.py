"""Keyword route (FTS5 over jieba tokens) and exact route (verbatim substrings such as 4.3米 or 文号)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache

from ..ingest.clean import for_matching
from ..records import Document
from ..store import Store
from .text import exact_terms, fts_query, index_tokens, normalise, query_terms

BODY_WEIGHT, CONTEXT_WEIGHT = 1.0, 0.3
EXACT_RESCORE = 100  # see exact_search
EXACT_COMMON_SHARE, EXACT_COMMON_MIN = 0.02, 1000  # see exact_search
# keyword_search: FTS5 scores at most about this many postings per query; rarer terms choose the candidates
POSTINGS_BUDGET = 20_000


def document_tokens(doc: Document, tokenize: Callable[[str], str] = index_tokens) -> list[tuple[str, str, str]]:
    """(clause id, body tokens, context tokens) for every searchable clause of a parsed document; context is the
    document title, its jurisdiction and the clause's ancestor headings.  Pure, so it can run in a worker process."""
    headings = {c.id: (c.parent_id, c.heading) for c in doc.clauses}
    context_tokens: dict[str, str] = {}  # the clauses of one chapter share their context: segmented once
    out = []
    for c in doc.clauses:
        if c.kind == "cc":
            continue
        chain, parent = [], c.parent_id
        while parent and parent in headings:
            chain.append(headings[parent][1] or "")
            parent = headings[parent][0]
        context = " ".join([doc.title or "", doc.jurisdiction or "", *chain])
        if context not in context_tokens:
            context_tokens[context] = tokenize(context)
        # for_matching: the stored text keeps `,` `(` as written
        out.append((c.id, tokenize(for_matching(c.text)), context_tokens[context]))
    return out


def index_document(store: Store, doc: Document, tokens: list[tuple[str, str, str]] | None = None) -> None:
    """Write FTS rows for a freshly stored document (inside the build transaction); `tokens` from
    :func:`document_tokens` when they were computed elsewhere."""
    store.put_fts_rows(doc.id, document_tokens(doc) if tokens is None else tokens)


WEIGHTS = (BODY_WEIGHT, CONTEXT_WEIGHT)


def keyword_search(store: Store, query: str, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """(rowid, score) best first; score = bm25 over all the query's terms (FTS5's, sign flipped: higher is better).

    FTS5 scores every clause that matches any term, so a term found in a third of a million clauses (`关停`, `前`)
    makes a query cost a third of the corpus (0.8 µs per scored clause here).  When the terms' postings exceed
    POSTINGS_BUDGET, candidates come from the most selective terms that fit in the budget — or, when every term
    is common, from the clauses holding several of the rarest together — and are then scored with every term
    (`_bm25`): a clause matching only common terms could rank only below them (MaxScore-style pruning;
    docs/scaling.md has the cost and the agreement with full scoring)."""
    terms = query_terms(query)
    if not terms:
        return []
    limit = k if allowed is None else max(k * 8, 500)
    counts = {t: _clause_count(store, t) for t in terms}
    if sum(counts.values()) <= POSTINGS_BUDGET:
        rows = store.fts_ranked(fts_query(terms), limit, WEIGHTS)
    else:
        positive = sorted((t for t in terms if counts[t]), key=lambda t: counts[t])
        selective: list[str] = []
        postings = 0
        for t in positive:
            if selective and postings + counts[t] > POSTINGS_BUDGET:
                break
            selective.append(t)
            postings += counts[t]
        size = limit * (4 if allowed is None else 2)
        pool = _ranked_rowids(store, _narrow(store, selective, positive, counts, limit), size)
        rest = positive[len(selective) :]
        if len(pool) < limit and rest:  # the selective terms are too rare to fill the list
            have = set(pool)
            pool += [
                r for r in _ranked_rowids(store, _narrow(store, rest[:1], rest, counts, limit), size) if r not in have
            ]
        if allowed is not None:  # score only what the filter keeps
            pool = [r for r in pool if r in allowed]
        rows = _bm25(store, pool, terms, counts)[:limit] if pool else []
    hits = list(rows)
    if allowed is not None:
        hits = [h for h in hits if h[0] in allowed]
    return hits[:k]


def _narrow(store: Store, selective: list[str], positive: list[str], counts: dict[str, int], limit: int) -> str:
    """The candidate expression: any selective term; when that alone is over budget (only common terms), the
    clauses holding the 2, 3, … rarest terms together, as long as at least `limit` clauses are left."""
    expr = fts_query(selective)
    if len(selective) == 1 and counts[selective[0]] > POSTINGS_BUDGET:
        for i in range(2, len(positive) + 1):
            narrower = " AND ".join(fts_query([t]) for t in positive[:i])
            n = store.phrase_clause_count(narrower)
            if n < limit:
                break
            expr = narrower
            if n <= POSTINGS_BUDGET:
                break
    return expr


def _ranked_rowids(store: Store, expr: str, n: int) -> list[int]:
    return [r for r, _ in store.fts_ranked(expr, n, WEIGHTS)]


def _clause_count(store: Store, term: str) -> int:
    """Clauses the keyword index matches for a query term (one token: its vocabulary row; a phrase: a count)."""
    tokens = _fts_tokens(term)
    if not tokens:  # nothing FTS5 would index (punctuation): matches nothing
        return 0
    if len(tokens) == 1:
        return store.term_clause_count(tokens[0])
    return store.phrase_clause_count(fts_query([term]))


def _fts_tokens(text: str) -> list[str]:
    """FTS5 unicode61 tokens (letters, digits and CJK runs; everything else separates), case-folded."""
    return _TOKEN_RE.findall(text.lower())


_TOKEN_RE = re.compile(r"[^\W_]+")


def _bm25(
    store: Store, rowids: list[int], terms: list[str], counts: dict[str, int], k1: float = 1.2, b: float = 0.75
) -> list[tuple[int, float]]:
    """FTS5's bm25 (same k1, b, column weights, IDF and document length) of `rowids` for the OR of `terms`
    (`counts`: clauses matching each term), computed here for a few hundred candidates: FTS5 itself only scores
    a MATCH over the whole table."""
    total, avgdl = store.fts_stats()
    phrases = [tuple(_fts_tokens(t)) for t in terms]
    idf = {ph: max(1e-6, math.log((total - counts[t] + 0.5) / (counts[t] + 0.5))) for t, ph in zip(terms, phrases)}
    out = []
    for rowid, body, context in store.fts_texts(rowids):
        cols = []
        for text, weight in ((body, BODY_WEIGHT), (context, CONTEXT_WEIGHT)):
            toks = _fts_tokens(text or "")
            at: dict[str, list[int]] = {}
            for i, tok in enumerate(toks):
                at.setdefault(tok, []).append(i)
            cols.append((toks, at, weight))
        length = sum(len(toks) for toks, _, _ in cols)
        score = 0.0
        for ph in dict.fromkeys(phrases):
            if not ph:
                continue
            f = sum(w * sum(1 for i in at.get(ph[0], ()) if tuple(toks[i : i + len(ph)]) == ph) for toks, at, w in cols)
            if f:
                score += idf[ph] * f * (k1 + 1) / (f + k1 * (1 - b + b * length / avgdl))
        out.append((rowid, score))
    return sorted(out, key=lambda h: (-h[1], h[0]))


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
        known = [t for t in match if counts[t] is not None]
        narrowing = min(known, key=lambda t: counts[t] or 0) if known else None
        matched = store.exact_occurrences(match, narrowing)
        if allowed is not None:
            matched = [m for m in matched if m[0] in allowed]
        limit = max(EXACT_RESCORE, 2 * k)
        if len(matched) > limit:
            matched = sorted(sorted(matched, key=lambda m: -m[1])[:limit])  # stable: ties keep rowid order
        rowids = [m[0] for m in matched]
        texts = store.clause_texts(rowids)
        for rowid in rowids:
            text = texts[rowid]
            norm = _normalised(text)
            scores[rowid] = float(sum(norm.count(t) or text.count(t) for t in match))
    for t in terms:
        for rowid in store.title_rowids(t):
            scores[rowid] = scores.get(rowid, 0.0) + 5.0
    hits = sorted(((r, s) for r, s in scores.items() if allowed is None or r in allowed), key=lambda h: -h[1])
    return hits[:k]
