"""Keyword route on large knowledge bases: candidates from the selective terms, scored with every term.

The pruning engages when a query's postings exceed POSTINGS_BUDGET (20,000: only in knowledge bases of tens of
thousands of clauses); here the budget is lowered so that the seed knowledge base exercises the same code.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from policy_kb.search import keyword
from policy_kb.search.text import fts_query, query_terms
from policy_kb.store import Store

QUESTIONS = [
    json.loads(line)["question"]
    for line in (Path(__file__).parent / "gold" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


@pytest.fixture(scope="module")
def store(seed_index: Path):  # type: ignore[no-untyped-def]
    s = Store(seed_index)
    yield s
    s.close()


def test_bm25_matches_fts5(store: Store) -> None:
    """`_bm25` (used to score pruned candidates) gives FTS5's own bm25 for the same clauses and terms."""
    checked = 0
    for q in QUESTIONS:
        terms = query_terms(q)
        rows = store.fts_ranked(fts_query(terms), 20, keyword.WEIGHTS)
        if not rows:
            continue
        counts = {t: keyword._clause_count(store, t) for t in terms}
        mine = dict(keyword._bm25(store, [r[0] for r in rows], terms, counts))
        for rowid, score in rows:
            assert mine[rowid] == pytest.approx(score, rel=1e-6, abs=1e-9), (q, rowid)
            checked += 1
    assert checked > 1000


def test_pruned_ranking_agrees_with_full_scoring(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    full = {q: keyword.keyword_search(store, q, 10) for q in QUESTIONS}
    monkeypatch.setattr(keyword, "POSTINGS_BUDGET", 40)  # ~18% of the 225 clauses: most questions are pruned
    pruned = {q: keyword.keyword_search(store, q, 10) for q in QUESTIONS}
    engaged = [q for q in QUESTIONS if sum(keyword._clause_count(store, t) for t in query_terms(q)) > 40]
    assert len(engaged) > 60
    ratios = [sum(s for _, s in pruned[q]) / sum(s for _, s in full[q]) for q in engaged if full[q]]
    assert statistics.mean(ratios) >= 0.95, statistics.mean(ratios)
    top1 = statistics.mean(pruned[q][0][0] == full[q][0][0] for q in engaged if full[q])
    assert top1 >= 0.9, top1
    for q in engaged:  # best first, and every candidate matches a query term
        scores = [s for _, s in pruned[q]]
        assert scores == sorted(scores, reverse=True)
        assert all(s > 0 for s in scores)


def test_only_common_terms_still_find_clauses(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every term over the budget: candidates are the clauses holding the rarest terms together."""
    monkeypatch.setattr(keyword, "POSTINGS_BUDGET", 5)
    hits = keyword.keyword_search(store, "焦化 产能 企业", 10)
    assert len(hits) == 10
    texts = {r: t for r, t in store.conn.execute("SELECT rowid, text FROM clauses")}
    top = texts[hits[0][0]]
    assert "焦化" in top and "产能" in top and "企业" in top
