"""A question about the penalty brings in the article that punishes the breach of a candidate article by number.

Real text: ../shared/real-dev/d09 河南省大气污染防治条例 (第十九条: 重点排污单位应当按照规定向社会公布以下信息; 第七十条:
违反本条例第十九条规定，…处二万元以上五万元以下罚款; 第六十九条 cites 第十八条第一款、第二款)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import one_real_text_index

from policy_kb.answer.compose import Answerer
from policy_kb.answer.evidence import penalties_by_article
from policy_kb.answer.understand import understand
from policy_kb.records import Hit

AS_OF = date(2026, 12, 6)
D09 = "d09_henan_air_regulation"


@pytest.fixture(scope="module")
def henan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return one_real_text_index(tmp_path_factory, f"{D09}.md")


@pytest.fixture(scope="module")
def answerer(henan: Path):  # type: ignore[no-untyped-def]
    a = Answerer(henan, embedder_name="fake")
    yield a
    a.store.close()


def test_penalty_articles_are_indexed_by_the_articles_they_cite(answerer: Answerer) -> None:
    cited = penalties_by_article(answerer.store)
    assert [c.id for c in cited[(D09, "第十九条")]] == [f"{D09}:第五章/第七十条"]
    # `违反本条例第十八条第一款、第二款规定`: the article, not its paragraphs
    assert f"{D09}:第五章/第六十九条" in [c.id for c in cited[(D09, "第十八条")]]
    assert not any(article.endswith("款") for _, article in cited)


def _evidence_clauses(answerer: Answerer, question: str) -> tuple[set[str], set[str]]:
    q = understand(question, "河南省")
    ranked, hits, _ = answerer.evidence(q, answerer._scope(q, "河南省", None), AS_OF)
    return {e.clause.id for e in ranked}, {h.clause_id for h in hits}


def test_a_penalty_question_gets_the_article_that_punishes_the_duty(answerer: Answerer) -> None:
    clauses, _ = _evidence_clauses(answerer, "重点排污单位不向社会公布排污信息，罚多少？")
    assert any(c.endswith("/第十九条") for c in clauses)
    assert f"{D09}:第五章/第七十条" in clauses


def test_the_link_follows_the_number_from_an_item_to_its_article(answerer: Answerer) -> None:
    store = answerer.store
    item = store.clause(next(c.id for c in store.clauses(D09) if c.id.endswith("第十九条/（二）")))
    assert item is not None
    hit = Hit(clause_id=item.id, doc_id=D09, doc_title=None, doc_number=None, jurisdiction="河南省", path=item.path,
              heading=item.heading, text=item.text, snippet="", score=1.0, scores={})  # fmt: skip
    seen = {item.id}
    brought = answerer.finder._penalties_of([(0, hit, item, False)], seen)
    assert [(c.id, context) for _, _, c, context in brought] == [(f"{D09}:第五章/第七十条", True)]
    assert answerer.finder._penalties_of([(0, hit, item, False)], seen) == []  # never twice


def test_a_question_not_about_penalties_gets_no_penalty_articles(answerer: Answerer) -> None:
    clauses, hits = _evidence_clauses(answerer, "重点排污单位要向社会公布哪些信息？")
    brought = {c.id for cs in penalties_by_article(answerer.store).values() for c in cs} - hits
    assert not clauses & brought
