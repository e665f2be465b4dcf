"""Answers over a knowledge base that holds national laws next to local documents: the national level (全国) is
part of every place's chain, so a county question also gets the national rules, and nothing assumes that the
highest level is a province."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from policy_kb.evaluation.documents import REAL_DEV

ROOT = Path(__file__).resolve().parent.parent
LAW = "d06_env_tax_law.md"


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):
    if not (REAL_DEV / LAW).is_file():
        pytest.skip("../shared/real-dev is not available")
    from policy_kb.answer.compose import Answerer
    from policy_kb.pipeline import build_all

    tmp = tmp_path_factory.mktemp("national")
    corpus = tmp / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "corpus" / "jiexiu-2023-43m-oven-closure.txt", corpus)
    shutil.copy(REAL_DEV / LAW, corpus)  # a scratch copy for this test only, never into the repository
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICY_KB_EMBED_MODEL", "fake")
        assert not build_all(corpus, tmp / "index", progress=lambda _m: None).errors
        yield Answerer(tmp / "index", embedder_name="fake")


def test_a_national_law_is_filed_under_the_national_level(answerer) -> None:
    doc = answerer.store.find_document("d06_env_tax_law")
    assert (doc.jurisdiction, doc.level) == ("全国", "national")


def test_a_county_question_gets_the_national_rule(answerer) -> None:
    a = answerer.ask("环境保护税怎么申报缴纳？", "介休市", date(2026, 12, 6))
    assert a.status != "not_found", a.answer
    assert any(c.doc_id == "d06_env_tax_law" for c in a.citations), a.answer


def test_mixed_levels_are_ordered_without_error(answerer) -> None:
    a = answerer.ask("介休的焦炉和环境保护税有什么规定？", None, date(2026, 12, 6))
    assert a.citations, a.answer


def test_a_line_that_states_its_time_limit_is_not_marked_undated(answerer) -> None:
    """`自季度终了之日起十五日内` is a time limit without a calendar date: the answer line is not marked 〔未规定具体期限〕
    (that mark would claim the clause sets no deadline), while a line that states no time at all still is."""
    a = answerer.ask("环境保护税纳税义务发生时间是什么时候？", None, date(2026, 12, 6))
    limit = [line for line in a.answer.splitlines() if "十五日内" in line]
    assert limit, a.answer
    assert all("未规定具体期限" not in line for line in limit), a.answer
