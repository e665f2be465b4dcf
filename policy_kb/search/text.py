"""Query and index text processing shared by the keyword and exact routes.

FTS5's unicode61 tokenizer keeps a run of Chinese characters as one token, so clauses are indexed as
jieba `cut_for_search` tokens separated by spaces, with the domain dictionary loaded; queries are segmented the same
way.  Numbers, units and 文号 also get an exact substring route because segmenters split them unpredictably.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .. import places
from ..extract.nlp import jieba_tokenizer

STOPWORDS = set(places.data_lines("stopwords.txt"))


def _pair(line: str) -> tuple[str, tuple[str, ...]]:
    english, chinese = line.split("\t", 1)
    return english, tuple(chinese.split("|"))


# English word → the terms the documents use for it, so English questions also hit the keyword route (the semantic
# route is multilingual anyway); longest phrase first so `coke oven` wins over `coke`.  A word the documents render
# two ways has both (`closed`: the plans write 关停, the laws 关闭); the first is the one a title is matched with.
GLOSSARY: dict[str, tuple[str, ...]] = dict(
    sorted((_pair(line) for line in places.data_lines("glossary_en_zh.tsv")), key=lambda p: -len(p[0]))
)
# compiled once: with more keys than `re`'s cache holds (512), building the patterns per call cost ~25 ms a question
_GLOSSARY_PATTERNS = [(re.compile(rf"\b{re.escape(en)}\b"), zh) for en, zh in GLOSSARY.items()]
# Colloquial words → the terms policy documents use (the query keeps its own words too).
SYNONYMS = {w: syns.split("|") for w, syns in (line.split("\t", 1) for line in places.data_lines("synonyms.tsv"))}
EXACT_RE = re.compile(
    r"[\u4e00-\u9fff]{1,10}〔\d{4}〕\d{1,4}号|〔\d{4}〕\d{1,4}号"  # 文号
    r"|\d+(?:\.\d+)?(?:[、~～\-—]\d+(?:\.\d+)?)*\s*(?:万吨标准煤|万吨|千克标准煤|吨|米|元/吨|元|万元|亿元|%|毫克/立方米|蒸吨|万千瓦|家|座|台|公里|年|月|日)"
    r"|“[^”]{2,20}”|\"[^\"]{2,20}\""
)


# texts (clauses, snippets, questions) whose normal form is kept: a few MB at clause lengths
NORMALISED_CACHE_SIZE = 8192


@lru_cache(maxsize=NORMALISED_CACHE_SIZE)
def normalise(text: str) -> str:
    """NFKC (full-width digits/letters → ASCII), lower-case Latin, no spaces next to digits, typo'd places fixed.
    Cached: an answer normalises the same clause texts again and again (about 250 calls per `ask`; the cache took
    the warm mean from 85 to 74 ms), and a warm app sees the same clauses across questions."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("[", "〔").replace("]", "〕")
    text = re.sub(r"(?<=\d)\s+(?=[^\sa-z])|(?<=[^\sa-z\d])\s+(?=\d)", "", text)
    text = re.sub(r"(\d+(?:\.\d+)?)[\s-]*(?:m|meters?|metres?)\b", r"\1米", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # energy-consumption → energy consumption
    for typo, fix in places.TYPOS.items():
        text = text.replace(typo, fix)
    text = places.replace_pinyin(text)  # one pass: the table has hundreds of romanised names
    return text


def index_tokens(text: str) -> str:
    """Space-separated search tokens for FTS5 (NFKC-normalised so queries and documents agree)."""
    tk = jieba_tokenizer()
    words = [w.strip() for w in tk.cut_for_search(normalise(text))]
    return " ".join(w for w in words if w and not re.fullmatch(r"[\W_]+", w))


def glossary_terms(text: str) -> list[str]:
    """The Chinese term of each English word and phrase in lower-cased text (the first where the glossary gives
    several); longest phrase first, and a matched phrase is used up (`coke oven` is 焦炉, not also `coke` 焦炭)."""
    return [group[0] for group in _glossary_split(text)[0]]


def glossary_groups(text: str) -> list[tuple[str, ...]]:
    """Per English word or phrase of lower-cased text, every term the glossary gives for it (`closed` → 关停, 关闭):
    one concept a clause names by either word."""
    return list(_glossary_split(text)[0])


def without_glossary(text: str) -> str:
    """Lower-cased text with the glossary's phrases replaced by `|`: what the glossary leaves to the dictionary
    (:mod:`.bilingual`)."""
    return _glossary_split(text)[1]


@lru_cache(maxsize=1024)  # one question asks it several times (understanding, each search, coverage): ~1.3 ms a call
def _glossary_split(text: str) -> tuple[tuple[tuple[str, ...], ...], str]:
    """(the glossary's terms per phrase, the text left once their phrases are used up): one pass over the glossary."""
    out = []
    for pattern, zh in _GLOSSARY_PATTERNS:
        text, found = pattern.subn(" | ", text)
        if found:
            out.append(zh)
    return tuple(out), text


@lru_cache(maxsize=4096)  # terms come from the glossary and synonym lists: jieba cuts each once, not per query
def _as_indexed(term: str) -> tuple[str, ...]:
    """A glossary or synonym term as the index holds it: itself where jieba keeps it whole (`干法熄焦`), else its
    pieces too (`危险化学品` → 危险 化学 化学品), which alone would match; never a piece of one character (`米` of
    `4.3米焦炉` would match everything), while a term of one character (`税`, `氢`) stays."""
    pieces = index_tokens(term).split()
    return (term,) if term in pieces else (term, *(p for p in pieces if len(p) > 1))


def query_terms(query: str) -> list[str]:
    """Content tokens of a query: segmented like the index, stopwords removed, English glossary terms added."""
    return list(_query_terms(query))


@lru_cache(maxsize=1024)  # one question is searched several times (each level of its place, its parts, coverage)
def _query_terms(query: str) -> tuple[str, ...]:
    q = normalise(query)
    extra = [term for group in glossary_groups(q) for term in group]
    tokens = index_tokens(q).split()
    whole = set(tokens)
    extra += [syn for word, syns in SYNONYMS.items() if word in whole or (len(word) > 2 and word in q) for syn in syns]
    tokens += [p for term in extra for p in _as_indexed(term)]
    seen: dict[str, None] = {}
    for t in tokens:
        if t not in STOPWORDS and not re.fullmatch(r"[a-z]{1,2}", t):
            seen.setdefault(t, None)
    return tuple(seen)


def exact_terms(query: str) -> list[str]:
    """Substrings that must appear verbatim: 文号, numbers with units, quoted phrases."""
    q = normalise(query)
    terms = [m.group(0).strip('“”"') for m in EXACT_RE.finditer(q)]
    return [re.sub(r"\s+", "", t) for t in terms if len(t) >= 2]


def fts_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: any term, each quoted so punctuation inside is literal."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
