"""`policy-kb eval retrieval`: recall@1/5/10 and MRR per search mode on tests/gold/questions.jsonl.

recall@k = share of a question's gold clauses found in the top k, averaged over answerable questions;
MRR = mean of 1/rank of the first gold clause (0 when not in the top 10).  The question's own jurisdiction
parameter, when set, is applied as a filter, as the user selected it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..search.filters import SearchFilter
from ..search.hybrid import MODES, Searcher

KS = (1, 5, 10)


@dataclass
class ModeScores:
    recall: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0
    misses: list[str] = field(default_factory=list)


def evaluate(
    searcher: Searcher, questions: list[dict[str, Any]], modes: tuple[str, ...] = MODES
) -> dict[str, ModeScores]:
    rows = [q for q in questions if q.get("answerable", True) and q.get("gold_clauses")]
    out: dict[str, ModeScores] = {}
    for mode in modes:
        scores = ModeScores(recall={k: 0.0 for k in KS})
        for q in rows:
            flt = SearchFilter(jurisdiction=q.get("jurisdiction")) if q.get("jurisdiction") else None
            ids = [h.clause_id for h in searcher.search(q["question"], mode=mode, k=max(KS), flt=flt)]
            gold = set(q["gold_clauses"])
            for k in KS:
                scores.recall[k] += len(gold & set(ids[:k])) / len(gold)
            first = next((i for i, c in enumerate(ids) if c in gold), None)
            scores.mrr += 1 / (first + 1) if first is not None else 0.0
            if first is None or first >= 5:
                scores.misses.append(f"{q['id']} {q['question']} → {ids[:3]}")
        n = len(rows) or 1
        scores.recall = {k: v / n for k, v in scores.recall.items()}
        scores.mrr /= n
        out[mode] = scores
    return out


def table(results: dict[str, ModeScores]) -> str:
    lines = [f"{'mode':<10}{'R@1':>8}{'R@5':>8}{'R@10':>8}{'MRR':>8}"]
    for mode, s in results.items():
        lines.append(f"{mode:<10}{s.recall[1]:>8.3f}{s.recall[5]:>8.3f}{s.recall[10]:>8.3f}{s.mrr:>8.3f}")
    return "\n".join(lines)
