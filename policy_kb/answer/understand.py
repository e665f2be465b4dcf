"""Question understanding: everything later stages need from the question's text, read once into a typed `Question`.

Language, intent, places (from the national gazetteer: never an `X市` pattern, so `当年通过市场化交易` and `哪个市` are
no places), 文号, topic terms, content words, what kind of fact is asked for, and what a follow-up (`那忻州呢？`,
`and Xinzhou?`, `罚多少？`) inherits from the question before it.  Nothing downstream reads the raw text again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import places
from ..extract.lexicon import TOPICS
from ..records import Intent, Level
from ..search.text import STOPWORDS, SYNONYMS, glossary_groups, glossary_terms, normalise, query_terms

INTENTS = tuple(Intent)
WHY_RE = re.compile(r"为什么|为何|什么原因|原因是|(?<![管处办])理由|依据什么|\bwhy\b|what (?:is|was) the reason", re.I)


def _intent_rules() -> list[tuple[Intent, re.Pattern[str]]]:
    """data/intents.tsv: (intent, pattern) in the order they are tried; `WHY` stands for WHY_RE."""
    rules = []
    for line in places.data_lines("intents.tsv"):
        intent, pattern = line.split("\t", 1)
        rules.append((Intent(intent), WHY_RE if pattern == "WHY" else re.compile(pattern, re.I)))
    return rules


_INTENT_RULES = _intent_rules()
_CN_NUMERALS = "零一二两三四五六七八九十百千万"  # how a quantity is written in words (`二年`, `两人`, `十万元`)


@dataclass(frozen=True)
class QuantityAsk:
    """A kind of quantity a question asks for (`几天`, `多少分贝`, `几次`) and how a sentence that states one reads
    (data/quantity_asks.tsv): a question that asks for a duration is not answered by a sentence without one."""

    kind: str
    label: str  # zh, for the refusal: 文件中没有给出具体的期限或时长
    label_en: str
    asked: re.Pattern[str]
    stated: re.Pattern[str]

    def answered_by(self, sentence: str) -> bool:
        return bool(self.stated.search(sentence))


def _quantity_asks() -> list[QuantityAsk]:
    number = rf"(?<![\d.])(?:\d+(?:\.\d+)?|[{_CN_NUMERALS}]+)"
    asks = []
    for line in places.data_lines("quantity_asks.tsv"):
        kind, label, label_en, asked, stated = line.split("\t")
        stated = stated.replace("{NUM}", number).replace("{CN}", _CN_NUMERALS)
        asks.append(QuantityAsk(kind, label, label_en, re.compile(asked, re.I), re.compile(stated, re.I)))
    return asks


QUANTITY_ASKS = _quantity_asks()
_MONEY_RE = re.compile(
    r"钱|元|税额|罚多少|补偿|补贴|补助|罚款|资金|收费|费率|yuan|money|fine\b|fee\b|fees\b|compensat|subsid|"
    r"per (?:tonne|ton)",
    re.I,
)
_AMOUNT_RE = re.compile(
    r"多少|几|金额|数额|标准|how much|amount|rate|per (?:tonne|ton)|what is the (?:fine|compensation)", re.I
)
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d{1,4}号|〔\d{4}〕\d{1,4}号")
# `Jin Zheng Ban Fa [2022] No. 51`: a romanised 文号, matched to a real prefix by its pinyin (see compose)
_EN_DOC_NUMBER_RE = re.compile(r"((?:[a-z]+\s+){1,6}?)[\[(（〔]?(\d{4})[\])）〕]?\s*(?:no\.?\s*)?(\d{1,4})\b", re.I)


# What a question asks about, beyond its topic: read here once, used as evidence features and by the intent checks
ASKS_BASIS_RE = re.compile(r"(?:依据|根据|依照|按照).{0,6}(?:文件|政策|规定)|based on|according to", re.I)
# when a document takes effect (its 施行 article answers, a clause that names none of the question's topic words):
# a word for taking effect and a word asking when (`施行后企业要做什么` asks no date)
_EFFECT_RE = re.compile(r"施行|生效|实施|effective|take[sn]? effect|took effect|in effect|into force|in force", re.I)
_WHEN_RE = re.compile(
    r"(?:什么|啥|哪个)时[候侯间]|何时|几时|哪一?天|哪一?年|几号|日期|时间|\bwhen\b|\bdate\b|since when", re.I
)
# a document named by its title or a shortening of it (`节能条例`): a run of characters ending with a kind of document
# (data/document_kinds.tsv); every ending of it from MIN_NAME_CHARS characters on is a candidate name
MIN_NAME_CHARS = 3  # `本法`, `该条例` name no document
MAX_NAME_CHARS = 24


def _kind_words() -> tuple[list[str], dict[str, set[str]]]:
    kinds: list[str] = []
    english: dict[str, set[str]] = {}
    for line in places.data_lines("document_kinds.tsv"):
        kind, words = line.split("\t", 1)
        kinds.append(kind)
        for w in words.split(","):
            english.setdefault(w.strip().lower(), set()).add(kind)
    return sorted(kinds, key=len, reverse=True), english


DOCUMENT_KINDS, _EN_KINDS = _kind_words()  # kinds longest first: `实施办法` before `办法` before `法`
_NAME_RE = re.compile(rf"[\u4e00-\u9fff]{{1,{MAX_NAME_CHARS}}}?(?:{'|'.join(DOCUMENT_KINDS)})")
_EN_KIND_RE = re.compile(rf"\b({'|'.join(sorted(map(re.escape, _EN_KINDS), key=len, reverse=True))})\b", re.I)


def document_names(text: str) -> list[str]:
    """Candidate names of documents in a Chinese question, longest first: `请问河南省节约能源条例…` gives
    河南省节约能源条例, 南省节约能源条例, … 能源条例 (the words before a name are not part of it)."""
    names = [m[i:] for m in _NAME_RE.findall(normalise(text)) for i in range(len(m) - MIN_NAME_CHARS + 1)]
    return sorted(set(names), key=len, reverse=True)


ASKS_MEANING_RE = re.compile(r"是什么意思|指什么|指哪|含义|定义|是什么|什么是|mean", re.I)
# penalties, and the consequences a question asks about (`逾期不关会怎么样`: the sanction is the answer)
PENALTY_RE = re.compile(
    r"罚|处罚|处分|追究|法律责任|违法|后果|会怎么样|会怎样|会咋样|咋办|penalt|fine[ds]?\b|punish|"
    r"sanction|what happens|consequence",
    re.I,
)
ROLE_RE = re.compile(r"组长|副组长|主任|局长|负责人|成员")
QUOTED_RE = re.compile(r"[“\"「]([^”\"」]{2,12})[”\"」]")
_PER_RE = re.compile(r"每(人|吨|户|台|千瓦|平方米|蒸吨|家)|人均|per (person|worker|tonne|ton)")
_PER_EN = {"person": "人", "worker": "人", "tonne": "吨", "ton": "吨"}
# A question that leans on the one before it: `那忻州呢？`, `and Xinzhou?`, `罚多少？`, `谁负责？` (short, or opening
# with a word that continues a conversation)
_FOLLOW_UP_RE = re.compile(r"^(?:那|那么|还有|另外|再问|同样|and\b|what about|how about|same\b)|[呢]？?$", re.I)


@dataclass
class Question:
    """A question as later stages need it.  ``text`` is what the user typed (typos fixed against the corpus);
    ``search_text`` is what is searched for (a follow-up's with the question before it)."""

    text: str
    language: str
    intent: Intent
    jurisdiction: str | None  # full place name
    place_known: bool  # False for a named place that is no place of China we know (火星); whether the knowledge base
    # has documents for a known place (北京市) is decided against the store (compose._covers)
    topics: list[str] = field(default_factory=list)
    doc_numbers: list[str] = field(default_factory=list)
    wants_money: bool = False
    places: list[str] = field(default_factory=list)  # every place named, most specific first
    search_text: str = ""
    wants_penalty: bool = False
    asks_why: bool = False
    asks_basis: bool = False
    asks_meaning: bool = False
    asks_effective: bool = False  # when a document takes effect (`施行日期`, `when does it take effect`)
    doc_names: list[str] = field(default_factory=list)  # candidate names of a document (`节能条例`), longest first
    doc_kinds: set[str] = field(default_factory=set)  # kinds of document an English question names (law → 法)
    title_terms: list[str] = field(default_factory=list)  # an English question's glossary terms (大气污染, 防治)
    role: str | None = None  # `组长`, `负责人`: a role line is the answer
    quoted: list[str] = field(default_factory=list)  # terms the user put in quotes (`“两断四停”是什么意思`)
    per_unit: str | None = None  # `每人补偿多少`: 人 — a per-tonne rate does not answer it
    follow_up: bool = False  # read together with the previous question
    names_period: bool = False  # names a year or a five-year plan (`十一五`, `2010年`): a past plan may answer it
    overridden_place: str | None = None  # the user's chosen place when the question names another one
    named_document: str | None = None  # the document the question names by its title or a shortening of it
    # (`节能条例`, `the noise law`): set by the answerer, which knows the knowledge base's titles
    out_of_scope: str | None = None  # what kind of question policy documents never answer (天气, 股价), if it is one
    nouns: list[str] = field(default_factory=list)  # the things asked about (jieba nouns, 2+ characters, no places)
    specifics: list[str] = field(default_factory=list)  # what an answer must be about exactly: years, numbers with
    # units, quoted terms — `2030`, `4.3米`, `五停`
    quantities: list[QuantityAsk] = field(default_factory=list)  # the kinds of quantity asked for (`几天`, `几次`)
    keyword_terms: list[str] = field(default_factory=list)  # the Chinese terms the knowledge base uses for an English
    # question's words the glossary lacks (search.bilingual; set by the answerer): searched by the keyword route only
    parts: list[Question] = field(default_factory=list)  # the sub-questions of a question that asks several things
    # (`…会被怎么处罚？由谁罚？`), each read with the one before it; empty for a question that asks one thing


def language_of(text: str) -> str:
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "zh" if cjk and cjk >= latin / 4 else "en" if latin else "zh"


def intent_of(text: str) -> Intent:
    for name, rule in _INTENT_RULES:
        if rule.search(text):
            return name
    # a bare topic (`干熄焦`, `4.3米`): the rules about it, from every document that has them
    return Intent.LIST if _only_topics(text) else Intent.GENERAL


def topics_of(text: str) -> list[str]:
    """Domain topics named in the question (`小焦炉` counts as 4.3米焦炉); longest first, no nested duplicates."""
    q = normalise(text)
    found = [t for t in TOPICS if normalise(t) in q]
    for word, syns in SYNONYMS.items():
        if len(word) > 1 and word in q:
            found += [s for s in syns if s in TOPICS]
    if re.search(r"4\.3\s*米", q):
        found.append("4.3米")
    found = sorted(set(found), key=len, reverse=True)
    return [t for t in found if not any(t != o and normalise(t) in normalise(o) for o in found)]


def _place_of(text: str, jurisdiction: str | None) -> tuple[places.Place | None, bool, list[str], str | None]:
    """The place the question is about: the most specific place the text names (typos and pinyin included), else
    the user's choice; whether it is a place of China; every place the text names; and the user's choice when the
    question overrides it (`忻州的…` asked with 介休市 selected).  A named place that contains the chosen one
    (`山西…` from 介休市) does not override it."""
    named = places.find_places(text)
    chosen = places.lookup(jurisdiction) if jurisdiction else None
    if jurisdiction and chosen is None:  # a parameter naming no place we know (火星): say so, do not ignore it
        chosen = places.Place(jurisdiction.strip(), Level.CITY, None)
    asked = named[0] if named else None
    overridden = None
    if asked and chosen and asked.name != chosen.name and asked.name not in places.ancestors(chosen.name):
        overridden, chosen = chosen.name, None
    place = chosen or asked
    known = place is None or place.name in places.PLACES
    return place, known, [p.name for p in named], overridden


def nouns_of(text: str) -> list[str]:
    """The nouns a question is about (`焦化厂`, `安全总监`, `环保税`): if the knowledge base never names them nor
    their parts, that is evidence it cannot answer.  Colloquial verbs and particles (`要是`, `打算`) are not."""
    import jieba.posseg as pseg

    if language_of(text) != "zh":  # an English question's nouns are its glossary terms (`hydrogen` → 氢), one per
        # English word: a word the documents render two ways (`closed`: 关停, 关闭) is not missing for lack of one
        other = {t for group in glossary_groups(normalise(text)) for t in group[1:]}
        return [w for w in query_terms(text) if not w.isascii() and not places.lookup(w) and w not in other]
    out = [
        w.word
        for w in pseg.cut(normalise(text))
        if len(w.word) >= 2 and (w.flag.startswith(("n", "j")) or w.flag == "vn") and w.flag != "ns"
    ]
    return [w for w in dict.fromkeys(out) if not places.lookup(w) and w not in STOPWORDS]


_SPECIFIC_RE = re.compile(r"(?:19|20)\d{2}(?=年|\b)|\d+(?:\.\d+)?\s*(?:%|米|吨|万吨|公里|蒸吨|人|家|天|日|年)")


def specifics_of(text: str, quoted: list[str]) -> list[str]:
    """Years, numbers with units and quoted terms of a question, as the documents would write them (`4.3米`)."""
    found = [re.sub(r"\s+", "", m.group(0)) for m in _SPECIFIC_RE.finditer(normalise(text))]
    return list(dict.fromkeys(found + quoted))


_OUT_OF_SCOPE = [
    (re.compile(pattern, re.I), what)
    for pattern, what in (line.split("\t", 1) for line in places.data_lines("out_of_scope.tsv"))
]


def out_of_scope(text: str) -> str | None:
    """What a question asks that no policy document states (the weather today, a share price): data, not code, in
    policy_kb/data/out_of_scope.tsv."""
    q = normalise(text)
    return next((what for rule, what in _OUT_OF_SCOPE if rule.search(q)), None)


def _only_topics(text: str) -> bool:
    """A bare topic, perhaps with a place (`干熄焦`, `介休 4.3米`)."""
    topics = topics_of(text)
    rest = normalise(text)
    for p in places.find_places(rest):
        rest = rest.replace(p.name, "").replace(places.short_name(p.name), "")
    for t in topics:  # longest first
        rest = rest.replace(normalise(t), "")
    return bool(topics) and not re.sub(r"[\W\d_米]", "", rest)


FOLLOW_UP_SIZE = 8  # characters (words in English) of a question too short to stand alone (`罚多少？`, `谁负责？`)
_PART_END_RE = re.compile(r"(?<=[？?；;])")
MIN_PART = 2  # letters a sub-question needs (`罚多少？` is one; a stray `？` is not)


def parts_of(text: str) -> list[str]:
    """The sub-questions of a question, each with its question mark (`违法吗？罚多少？` → two); a question that
    asks one thing is one part."""
    pieces = [p.strip() for p in _PART_END_RE.split(text.strip())]
    pieces = [p for p in pieces if len(re.sub(r"[\W\d_]", "", p)) >= MIN_PART]
    return pieces if len(pieces) > 1 else [text]


def _is_follow_up(text: str, previous: Question | None) -> bool:
    """A question that cannot stand alone: a conversation word (`那…呢`, `and …?`), or so short that it names no
    topic and no place of its own beyond what changes (`罚多少？`, `谁负责？`)."""
    if previous is None:
        return False
    if language_of(text) == "en":  # an English question is short in words (`What's the fine if a yard doesn't
        # comply?`), and names its topic in English, which topics_of does not read
        size = len(re.findall(r"[A-Za-z']+", text))
    else:
        size = len(re.sub(r"[\W\d_]", "", text))
    return bool(_FOLLOW_UP_RE.search(text.strip())) or (size <= FOLLOW_UP_SIZE and not topics_of(text))


def understand(
    text: str, jurisdiction: str | None = None, previous: Question | None = None, continues: bool = False
) -> Question:
    """Read a question once.  With ``previous`` (the question before it in a conversation), a follow-up inherits
    what it does not say itself: the place (`罚多少？`), the topic (`那忻州呢？` keeps 4.3米焦炉 and its intent) —
    a place or intent it does state wins.  ``continues``: ``text`` is a later part of one question (`由谁罚？`
    after `…会被怎么处罚？`), always read with the part before it.  A question of several parts gets them in
    ``parts``, each read with the one before it, so that each can be answered on its own: a part that names
    nothing of its own (`最晚啥时候得封起来？`) is searched with the part before it, one that does
    (`…由哪个部门牵头？`) only inherits the place."""
    language = language_of(text)
    q = normalise(text)
    nouns = nouns_of(text)
    follow_up = _is_follow_up(text, previous) or (continues and not nouns)
    place, place_known, named, overridden = _place_of(q, jurisdiction)
    if continues and not follow_up and previous is not None and place is None and previous.jurisdiction:
        place, place_known = places.lookup(previous.jurisdiction), previous.place_known
    intent = own_intent = intent_of(text)
    search_text = text
    topics = topics_of(text)
    if follow_up and previous is not None:
        if place is None and previous.jurisdiction:
            place, place_known = places.lookup(previous.jurisdiction), previous.place_known
        if intent == "general":
            intent = previous.intent
        topics = topics or previous.topics
        earlier = previous.search_text or previous.text
        for old in previous.places if named else []:  # `那忻州呢？`: the earlier question with its place replaced
            earlier = earlier.replace(old, "").replace(places.short_name(old), "")
        search_text = f"{earlier} {text}"
    numbers = [n for n in DOC_NUMBER_RE.findall(text.replace("[", "〔").replace("]", "〕"))]
    for prefix, year, num in _EN_DOC_NUMBER_RE.findall(text):
        numbers.append(f"{prefix.strip().lower()}〔{year}〕{num}号")  # resolved against known prefixes later
    per = _PER_RE.search(text)
    role = ROLE_RE.search(text)
    quoted = QUOTED_RE.findall(text)
    return Question(
        text=text,
        language=language,
        intent=intent,
        jurisdiction=place.name if place else None,
        place_known=place_known,
        topics=topics,
        doc_numbers=numbers,
        wants_money=bool(_MONEY_RE.search(search_text) and _AMOUNT_RE.search(text)),
        places=named,
        search_text=search_text,
        wants_penalty=bool(PENALTY_RE.search(search_text)),
        asks_why=bool(WHY_RE.search(text)),
        asks_basis=bool(ASKS_BASIS_RE.search(text)),
        asks_meaning=bool(ASKS_MEANING_RE.search(text)),
        asks_effective=_asks_effective(text, follow_up, previous, own_intent),
        doc_names=document_names(text) if language == "zh" else [],
        doc_kinds={k for w in _EN_KIND_RE.findall(text) for k in _EN_KINDS[w.lower()]} if language == "en" else set(),
        title_terms=[t for t in glossary_terms(normalise(text)) if len(t) > 1] if language == "en" else [],
        role=role.group(0) if role else None,
        quoted=quoted,
        per_unit=(_PER_EN.get(per.group(2) or "", per.group(1) or "人") if per else None),
        follow_up=follow_up,
        nouns=nouns,
        overridden_place=overridden,
        out_of_scope=out_of_scope(text),
        names_period=bool(re.search(r"十[一二三四五六七八九]?五|(?:19|20)\d{2}", text)),
        specifics=specifics_of(text, quoted),
        quantities=[a for a in QUANTITY_ASKS if a.asked.search(text)],
        parts=_parts(text, jurisdiction, previous) if not continues else [],
    )


def _asks_effective(text: str, follow_up: bool, previous: Question | None, intent: Intent) -> bool:
    """Whether a question asks when a document takes effect; a follow-up that asks nothing of its own (`And the Heze
    coal regulation?`) asks what the question before it asked."""
    if _EFFECT_RE.search(text) and _WHEN_RE.search(text):
        return True
    asks_own = intent != "general" or PENALTY_RE.search(text) or _MONEY_RE.search(text)
    return bool(follow_up and previous and previous.asks_effective and not asks_own)


def _parts(text: str, jurisdiction: str | None, previous: Question | None) -> list[Question]:
    pieces = parts_of(text)
    if len(pieces) == 1:
        return []
    out = [understand(pieces[0], jurisdiction, previous)]
    for piece in pieces[1:]:
        out.append(understand(piece, jurisdiction, out[-1], continues=True))
    return out
