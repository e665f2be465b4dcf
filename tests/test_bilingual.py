"""English words the glossary lacks, looked up in CC-CEDICT and chosen by what the knowledge base uses
(search/bilingual.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_kb.answer.compose import Answerer
from policy_kb.search.bilingual import EnglishTerms, base_forms, dictionary
from policy_kb.search.text import GLOSSARY, normalise


def counts(**clauses: int):  # type: ignore[no-untyped-def]
    """A knowledge base's clause counts per term, for the terms a test names (0 for every other)."""
    return lambda term: clauses.get(term, 0)


def test_the_dictionary_knows_words_the_glossary_lacks() -> None:
    assert "maternity leave" not in GLOSSARY and "night shift" not in GLOSSARY
    assert dictionary()["maternity leave"] == ("产假",) and "夜班" in dictionary()["night shift"]
    assert "离开" in dictionary()["leave"]
    assert "罚款" in dictionary()["fine"]  # `fine (monetary)`: notes in brackets are not part of the key
    assert "拆除" in dictionary()["demolish"]  # `to demolish`: the infinitive's `to` is dropped


def test_the_headword_the_clauses_use_most_is_taken() -> None:
    terms = EnglishTerms(counts(拆除=40, 拆毁=2))
    assert terms.terms("when must the ovens be demolished or demolish them") == ["拆除"]
    # a word none of the clauses uses adds nothing to search
    assert EnglishTerms(counts()).terms("how long is maternity leave") == []


def test_longest_phrase_first_and_function_words_never() -> None:
    terms = EnglishTerms(counts(产假=3, 离开=5, 以及=1))
    assert terms.terms("maternity leave and their leave") == ["产假", "离开"]  # `and` (以及) is never looked up


@pytest.mark.parametrize(
    "phrase, base",
    [
        ("demolished", "demolish"),
        ("filed", "file"),
        ("inspections", "inspection"),
        ("companies", "company"),
        ("shopping malls", "shopping mall"),
        ("maternity leave", "maternity leave"),
    ],
)
def test_an_inflected_word_is_looked_up_by_its_base_form(phrase: str, base: str) -> None:
    assert next(k for k in base_forms(phrase) if k in dictionary()) == base


def test_inflections_reach_the_dictionary() -> None:
    terms = EnglishTerms(counts(拆除=40, 合同=30))
    assert terms.terms("the ovens were demolished under their contracts") == ["拆除", "合同"]


def test_the_glossary_comes_first() -> None:
    """`coke oven` is the glossary's 焦炉: its words are not looked up again (`coke` → 焦炭, `oven` → 烤箱)."""
    assert "coke oven" in GLOSSARY
    assert EnglishTerms(counts(焦炭=50, 烤箱=1)).terms(normalise("coke oven")) == []


@pytest.fixture(scope="module")
def answerer(seed_index: Path):  # type: ignore[no-untyped-def]
    a = Answerer(seed_index, embedder_name="fake")
    yield a
    a.store.close()


def test_an_english_question_searches_for_the_terms_the_documents_use(answerer: Answerer) -> None:
    q, _ = answerer.read("By when must the plants submit their plans to demolish the old ovens?", None, None)
    assert "demolish" not in GLOSSARY and "拆除" in q.keyword_terms  # 介休: 停产/拆除工作方案
    assert answerer.read("4.3米焦炉什么时候拆除？", None, None)[0].keyword_terms == []  # a Chinese question: none
    hits = answerer.searcher.search("demolish", mode="keyword", keyword_extra="拆除")
    assert hits and all("拆除" in h.text for h in hits)  # the keyword route finds them by the Chinese term …
    assert answerer.searcher.search("demolish", mode="keyword") == []  # … and nothing without it


def test_a_word_the_documents_render_two_ways_searches_both() -> None:
    """`closed`: the coking plans write 关停 (`全面关停退出…4.3米焦炉`), the laws 关闭 (`责令停业、关闭`); the
    glossary gives both, the keyword route searches both, and a title is matched with the first."""
    from policy_kb.search.text import glossary_groups, glossary_terms, query_terms

    text = normalise("When do 4.3-metre coke ovens have to be closed in Shanxi?")
    assert glossary_groups(text) == [("焦炉",), ("关闭", "关停")]
    assert glossary_terms(text) == ["焦炉", "关闭"]
    assert {"关闭", "关停", "焦炉"} <= set(query_terms(text))


def test_the_two_renderings_are_one_concept_and_neither_is_missing(answerer: Answerer) -> None:
    """A clause that says 关停 names the concept `closed` as fully as one that says 关闭; and a knowledge base that
    uses only one of the two words does not count the other as a word it lacks."""
    from policy_kb.answer.understand import nouns_of

    q, _ = answerer.read("When must the 4.3-metre coke ovens be closed?", None, None)
    groups = answerer.finder.concepts(q)
    assert ("关闭", "关停") in groups
    assert "关停" not in nouns_of(q.text) and "关闭" in nouns_of(q.text)
