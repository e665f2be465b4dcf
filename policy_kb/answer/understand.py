"""Question understanding: language, intent, topic entities, jurisdiction, company and 文号 — all by rules over the
same vocabulary the extractor uses, so a question and a clause name things the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import places
from ..extract.lexicon import TOPICS
from ..search.text import SYNONYMS, normalise

INTENTS = ("deadline", "threshold", "department", "compensation", "list", "definition", "general")
WHY_RE = re.compile(r"为什么|为何|什么原因|原因是|(?<![管处办])理由|依据什么|\bwhy\b|what (?:is|was) the reason", re.I)
_INTENT_RULES: list[tuple[str, re.Pattern[str]]] = [
    # `为什么要控制在1.2亿吨以下` asks for the reason, not the value or the date it names
    ("general", WHY_RE),
    ("compensation", re.compile(r"补偿|补贴|补助|赔偿|奖励资金|罚款|罚多少|多少钱|多少元|compensat|subsid|fine\b|yuan|per (?:tonne|ton)|penalt", re.I)),
    ("deadline", re.compile(r"什么时候|啥时候|时间|日期|何时|哪天|哪年|哪一年|几月|最晚|最迟|期限|截止|时间节点|时限|多久|\bwhen\b|by when|deadline|which year|what date|how long", re.I)),
    ("department", re.compile(r"谁|由(?:哪|什么)[^，。？]{0,6}负责|哪个部门|哪些部门|什么部门|哪个单位|牵头|负责什么|职责|组长|who\b|which (?:department|agency|authority|office)|responsib|in charge", re.I)),
    ("definition", re.compile(r"是什么意思|是怎么回事|怎么回事|是什么|什么是|指什么|指哪|含义|定义|what (?:is|are|does) .*(?:mean|refer)|define|meaning", re.I)),
    ("threshold", re.compile(r"多少|多高|多大|多长|几米|标准|限值|不低于|不高于|上限|下限|控制在|目标|how (?:much|many|high|tall|large)|limit|threshold|cap\b|target|height", re.I)),
    ("list", re.compile(r"哪些|哪几|哪两|哪[一二三四五六七八九十]+[个家项类种条]|列出|清单|名单|有什么|包括|which|list|what (?:are|products)", re.I)),
]
# `唐山市`, `邯郸县`: a 2-3 character name + 市/县 that is not a generic word (各市, 设区市, 城市, 本县 …)
_OTHER_CITY_RE = re.compile(r"(?<![各全本我该设每市县区省地级产焦城])(?!各|全|本|我|该|设|每|城|产|重点|周边|平原)"
                            r"[\u4e00-\u9fff]{2,3}(?:市|县)(?![区级长委政人])")
_MONEY_RE = re.compile(r"钱|元|补偿|补贴|补助|罚款|资金|yuan|money|fine\b|compensat|subsid|per (?:tonne|ton)", re.I)
_AMOUNT_RE = re.compile(r"多少|几|金额|数额|标准|how much|amount|rate|per (?:tonne|ton)|what is the (?:fine|compensation)", re.I)
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d{1,4}号|〔\d{4}〕\d{1,4}号")
# `Jin Zheng Ban Fa [2022] No. 51`: a romanised 文号, matched to a real prefix by its pinyin (see compose)
_EN_DOC_NUMBER_RE = re.compile(r"((?:[a-z]+\s+){1,6}?)[\[(（〔]?(\d{4})[\])）〕]?\s*(?:no\.?\s*)?(\d{1,4})\b", re.I)


@dataclass
class Question:
    text: str
    language: str
    intent: str
    jurisdiction: str | None  # full place name
    place_known: bool  # False for a named place that is no place of China we know (火星); whether the knowledge base
    # has documents for a known place (北京市) is decided against the store (compose._covers)
    topics: list[str] = field(default_factory=list)
    doc_numbers: list[str] = field(default_factory=list)
    wants_money: bool = False


def language_of(text: str) -> str:
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "zh" if cjk and cjk >= latin / 4 else "en" if latin else "zh"


def intent_of(text: str) -> str:
    for name, rule in _INTENT_RULES:
        if rule.search(text):
            return name
    return "general"


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


def understand(text: str, jurisdiction: str | None = None) -> Question:
    language = language_of(text)
    q = normalise(text)
    place = places.lookup(jurisdiction) if jurisdiction else None
    if jurisdiction and place is None:  # a parameter naming no place we know (火星): say so, do not ignore it
        place = places.Place(jurisdiction.strip(), "city", None)
    if place is None:
        found = places.find_places(q)
        place = found[0] if found else None
    if place is None:  # a place outside Shanxi (北京市, 河北省, 唐山市): keep it, the corpus has nothing for it
        m = re.search(rf"({'|'.join(places.OTHER_PROVINCES)})", q)
        if m:
            place = places.Place(places.OTHER_PROVINCES[m.group(1)], "province", None)
        else:
            m = _OTHER_CITY_RE.search(q)
            if m and m.group(0) not in places.PLACES:
                place = places.Place(m.group(0), "city" if m.group(0).endswith("市") else "county", None)
    place_known = place is None or place.name in places.PLACES
    numbers = [n for n in DOC_NUMBER_RE.findall(text.replace("[", "〔").replace("]", "〕"))]
    for prefix, year, num in _EN_DOC_NUMBER_RE.findall(text):
        numbers.append(f"{prefix.strip().lower()}〔{year}〕{num}号")  # resolved against known prefixes later
    return Question(text=text, language=language, intent=intent_of(text),
                    jurisdiction=place.name if place else None, place_known=place_known,
                    topics=topics_of(text), doc_numbers=numbers,
                    wants_money=bool(_MONEY_RE.search(text) and _AMOUNT_RE.search(text)))
