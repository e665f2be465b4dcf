"""Question understanding: language, intent, topic entities, jurisdiction, company and 文号 — all by rules over the
same vocabulary the extractor uses, so a question and a clause name things the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import places
from ..extract.lexicon import TOPICS
from ..search.text import SYNONYMS, normalise

INTENTS = ("deadline", "threshold", "department", "compensation", "list", "definition", "general")
_INTENT_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("compensation", re.compile(r"补偿|补贴|补助|赔偿|奖励资金|罚款|罚多少|多少钱|多少元|compensat|subsid|fine\b|yuan|per (?:tonne|ton)|penalt", re.I)),
    ("deadline", re.compile(r"什么时候|啥时候|时间|日期|何时|哪天|哪年|哪一年|几月|最晚|最迟|期限|截止|时间节点|时限|多久|\bwhen\b|by when|deadline|which year|what date|how long", re.I)),
    ("department", re.compile(r"谁|哪个部门|哪些部门|什么部门|哪个单位|牵头|负责什么|职责|组长|who\b|which (?:department|agency|authority|office)|responsib|in charge", re.I)),
    ("definition", re.compile(r"是什么意思|是什么|什么是|指什么|指哪|含义|定义|what (?:is|are|does) .*(?:mean|refer)|define|meaning", re.I)),
    ("threshold", re.compile(r"多少|多高|多大|多长|几米|标准|限值|不低于|不高于|上限|下限|控制在|目标|how (?:much|many|high|tall|large)|limit|threshold|cap\b|target|height", re.I)),
    ("list", re.compile(r"哪些|哪几|哪两|列出|清单|名单|有什么|包括|which|list|what (?:are|products)", re.I)),
]
OTHER_PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
                   "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "四川", "贵州", "云南",
                   "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆")
_MONEY_RE = re.compile(r"钱|元|补偿|补贴|补助|罚款|资金|yuan|money|fine\b|compensat|subsid|per (?:tonne|ton)", re.I)
_AMOUNT_RE = re.compile(r"多少|几|金额|数额|标准|how much|amount|rate|per (?:tonne|ton)|what is the (?:fine|compensation)", re.I)
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d{1,4}号|〔\d{4}〕\d{1,4}号")
_EN_DOC_NUMBER_RE = re.compile(r"jin\s*zheng\s*ban\s*fa\s*\[?\(?(\d{4})\]?\)?\s*(?:no\.?\s*)?(\d{1,4})", re.I)


@dataclass
class Question:
    text: str
    language: str
    intent: str
    jurisdiction: str | None  # full place name
    place_known: bool  # False for a named place outside the gazetteer and corpus (北京市, 河北省)
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
    if place is None:
        found = places.find_places(q)
        place = found[0] if found else None
    if place is None:  # a place outside Shanxi (北京市, 河北省): keep it, the corpus has nothing for it
        m = re.search(rf"({'|'.join(OTHER_PROVINCES)})(省|市|自治区)?", text)
        if m:
            name = m.group(1) + (m.group(2) or ("市" if m.group(1) in ("北京", "天津", "上海", "重庆") else "省"))
            place = places.Place(name, "province", None)
    place_known = place is None or place.name in places.PLACES
    numbers = [n for n in DOC_NUMBER_RE.findall(text.replace("[", "〔").replace("]", "〕"))]
    for year, num in _EN_DOC_NUMBER_RE.findall(text):
        numbers.append(f"晋政办发〔{year}〕{num}号")
    return Question(text=text, language=language, intent=intent_of(text),
                    jurisdiction=place.name if place else None, place_known=place_known,
                    topics=topics_of(text), doc_numbers=numbers,
                    wants_money=bool(_MONEY_RE.search(text) and _AMOUNT_RE.search(text)))
