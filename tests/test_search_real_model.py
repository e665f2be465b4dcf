"""Retrieval quality with the real embedding model (multilingual-e5-small, provisioned offline under
~/.cache/policy-kb).  Slow: uses the seed knowledge base built with the model (`real_kb` in conftest, once per session).

Run with `pytest -m slow tests/test_search_real_model.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "gold" / "questions.jsonl"


@pytest.fixture(scope="module")
def searcher(real_kb: Path):  # type: ignore[no-untyped-def]
    from policy_kb.search.hybrid import Searcher

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("POLICY_KB_EMBED_MODEL", raising=False)
        s = Searcher(real_kb)
        s.embedder  # resolve the model while the environment is clean  # noqa: B018
        assert s.dense is not None, s.warnings
    yield s
    s.store.close()


@pytest.fixture(scope="module")
def results(searcher):  # type: ignore[no-untyped-def]
    from policy_kb.evaluation.retrieval import evaluate

    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = evaluate(searcher, questions)
    print(
        "\n"
        + "\n".join(
            f"{m}: R@1 {s.recall[1]:.3f} R@5 {s.recall[5]:.3f} R@10 {s.recall[10]:.3f} MRR {s.mrr:.3f}"
            for m, s in out.items()
        )
    )
    return out


def test_hybrid_recall_at_5(results) -> None:  # type: ignore[no-untyped-def]
    assert results["hybrid"].recall[5] >= 0.9, results["hybrid"].misses


@pytest.mark.parametrize("other", ["keyword", "semantic"])
def test_hybrid_beats_single_routes(results, other: str) -> None:  # type: ignore[no-untyped-def]
    assert results["hybrid"].recall[5] >= results[other].recall[5]
    assert results["hybrid"].mrr >= results[other].mrr


def test_recall_grows_with_k(results) -> None:  # type: ignore[no-untyped-def]
    for s in results.values():
        assert s.recall[1] <= s.recall[5] <= s.recall[10] <= 1.0
        assert 0.0 <= s.mrr <= 1.0


def test_colloquial_query(searcher) -> None:  # type: ignore[no-untyped-def]
    hits = searcher.search("小焦炉啥时候必须停", k=5)
    assert any("4.3米" in h.text for h in hits), [h.clause_id for h in hits]


def test_english_query(searcher) -> None:  # type: ignore[no-untyped-def]
    hits = searcher.search("When must 4.3 m coke ovens in Jiexiu be shut down?", k=5)
    assert "jiexiu-2023-43m-oven-closure:二/（一）" in [h.clause_id for h in hits]


def test_semantic_route_alone_understands_paraphrase(searcher) -> None:  # type: ignore[no-untyped-def]
    # no shared keyword with the clause; only the embedding can bridge 赔多少钱 → 补偿
    hits = searcher.search("压减焦化产能国家给赔多少钱", mode="semantic", k=5)
    assert "sx-2019-66-coking-overcapacity:四/（一）" in [h.clause_id for h in hits]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("晋政办发〔2019〕66号", "sx-2019-66-coking-overcapacity:title"),
        ("14768万吨", "sx-2019-66-coking-overcapacity:一"),
        ("补偿", "sx-2019-66-coking-overcapacity:四/（一）"),
    ],
)
def test_exact_queries_rank_one_with_real_model(searcher, query: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert searcher.search(query, k=3)[0].clause_id == expected
