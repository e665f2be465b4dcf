"""Thresholds: numbers with units and comparators, with lists expanded.

`6米及以上` → (≥, 6, 米); `分别不高于30、200、300毫克/立方米` → three thresholds; `压减至14768万吨以内` → (≤ …);
a plain stated amount (`压减429万吨`, `按照30元/吨标准`) → (=).  Laws write their numbers in Chinese
(`每小时三十五蒸吨以下`, `从业人员超过一百人`, `不得少于三年`): those are read with cn2an, the converter the penalty
amounts use, so a law's threshold is found as a 公文's is.
"""

from __future__ import annotations

import math
import re
from functools import cache

from .. import places
from ..records import Threshold

UNITS = places.data_lines("units.txt")
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_ARABIC = r"\d+(?:\.\d+)?"
_CN_DIGIT = "零〇一二两三四五六七八九十百千"
# a Chinese numeral; `万` only inside it (`一万二千`), so that `二十万吨` is 二十 of the unit 万吨, as `20万吨` is
_CHINESE = rf"(?:[{_CN_DIGIT}]+万)?[{_CN_DIGIT}]+"
_NUM = rf"(?:{_ARABIC}|{_CHINESE})"
# a Chinese numeral after these is part of a word or an ordinal, not a quantity: 第三年, 统一, 同一家, 三分之一
_NOT_A_NUMBER_AFTER = set("第统唯同单任某逐之万")
PRE = {
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "至少": ">=",
    "达到": ">=",
    "满": ">=",  # `自批准之日起满5年`
    "超过": ">",
    "大于": ">",
    "高于": ">",
    "不高于": "<=",
    "不超过": "<=",
    "不大于": "<=",
    "不多于": "<=",
    "低于": "<",
    "小于": "<",
    "控制在": "<=",
    "压减至": "<=",
    "减少到": "<=",
    "下降到": "<=",
    "降至": "<=",
    "降到": "<=",
}
# a prohibited comparison states the opposite limit: `不得低于120万吨` = at least, `不得超过50毫克` = at most
_NEGATORS = ("不得", "不能", "不应", "不可", "不准", "严禁", "禁止")
PRE.update({neg + word: ">=" for neg in _NEGATORS for word in ("低于", "少于", "小于")})
PRE.update({neg + word: "<=" for neg in _NEGATORS for word in ("超过", "高于", "大于", "多于")})
POST = {
    "及以上": ">=",
    "以上": ">=",
    "及以下": "<=",
    "以下": "<=",
    "以内": "<=",
    "之内": "<=",
    "左右": "=",
    "范围内": "<=",
    "范围以内": "<=",
    "范围之内": "<=",
}
_PRE_RE = "|".join(sorted(PRE, key=len, reverse=True))
_POST_RE = "|".join(sorted(POST, key=len, reverse=True))
QTY_RE = re.compile(
    rf"(?P<pre>(?:分别)?(?:{_PRE_RE}))?(?P<nums>{_NUM}(?:[、，,和及](?:{_NUM}))*)(?P<unit>{_UNIT_RE})(?P<post>{_POST_RE})?"
)
_PER_RE = re.compile(rf"每({_UNIT_RE})$")
_PHRASE_EDGE = re.compile(r"[，。；：、,;（）“”《》/]|\d+(?:\.\d+)?")  # a metric never reaches across punctuation or a
# number …
_BASELINE = re.compile(r"(?:较|比|与)\d{4}年(?:相比)?")  # … except the baseline of a change (`较2020年下降13.5%`)
_EDGE_WORDS = frozenset({"其中", "按照", "其他", "并", "和", "及", "且", "对"})  # … nor a conjunction or the basis of
# a rate (`…的产能按照30元/吨`): words as jieba cuts them, so that 及时 or 对外 are no edge
_LIGHT_WORDS = frozenset({"必须", "应当", "要", "应", "须", "将", "在", "由"})  # modal verbs and prepositions between a
# metric and its number (`从业人员在一百人以下`): the metric is the phrase before them (主要, 存在 are other words)
_VERB_TAIL = re.compile("(?:" + "|".join(places.data_lines("metric_tail_words.txt")) + ")+$")  # data/, in order
_LEAD_WORDS = sorted(places.data_lines("metric_lead_words.txt"), key=len, reverse=True)  # data/
_LEAD = re.compile(r"^(?:到\d{4}年|\d{4}年(?:底前|前)?|" + "|".join(_LEAD_WORDS) + ")+")
METRIC_REACH = 32  # characters before a quantity where its metric is looked for
METRIC_MAX = 24  # characters: longer is a clause, not the name of a quantity (with a baseline: `…排放总量较2024年`)
SIZED_REACH = 30  # characters between a size and the facility it sizes (`二十蒸吨以下的燃烧煤炭、重油…的锅炉`)
SIZED_MODIFIER = 6  # characters of a modifier kept in the metric (燃煤锅炉容量)


def _metric_before(sentence: str, pos: int) -> str | None:
    """The noun phrase just before a quantity: `炭化室高度6米` → 炭化室高度, `从业人员在一百人以下` → 从业人员,
    `排放总量较2020年下降13.5%` → 排放总量较2020年.  Verbs at its end and time or scope words at its start are cut
    off; a phrase that is only a place (`太原市压减429万吨`) names the threshold's scope, so its verb (压减) is the
    metric."""
    import jieba

    left = sentence[max(0, pos - METRIC_REACH) : pos]
    masked = _BASELINE.sub(lambda m: "年" * len(m.group(0)), left)  # same length: offsets stay those of `left`
    edges = [(m.end(), m.group(0)) for m in (*_PHRASE_EDGE.finditer(masked), *QTY_RE.finditer(masked))]
    end, edge = max(edges, default=(0, ""))  # nor another amount
    chunk = left[end:]
    if edge[-1:].isdigit():
        chunk = re.sub(r"^[个家台项座套辆户年]", "", chunk)  # `30个…`, `2019年全省…` leave a counter or 年
    pieces = [""]  # the chunk cut at light words, after its last edge word
    for word in jieba.lcut(chunk):
        if word in _EDGE_WORDS:
            pieces = [""]
        elif word in _LIGHT_WORDS:
            pieces.append("")
        else:
            pieces[-1] += word
    for piece in reversed(pieces):
        metric = _clean_metric(piece)
        if metric:
            return metric
        if len(piece.strip()) > 1:  # a real phrase that names no quantity: do not reach past it
            return None
    return None


def _clean_metric(phrase: str) -> str | None:
    """A phrase without its verb tail and its leading time and scope words, if something remains that can name a
    quantity."""
    stripped = _VERB_TAIL.sub("", phrase.strip())
    verb = phrase.strip()[len(stripped) :]
    metric = _LEAD.sub("", stripped)
    if metric and _only_places(metric):
        metric = re.sub(r"^(?:全面|分别|共|累计)+|(?:的|为|是)+$", "", verb)
    if not 2 <= len(metric) <= METRIC_MAX or re.fullmatch(r"[\d.年]+", metric):
        return None
    return metric


def _only_places(text: str) -> bool:
    """Whether the text is nothing but place names (`太原市`, `山西省晋中市`)."""
    found = places.find_places(text)
    rest = text
    for place in found:
        rest = rest.replace(place.name, "").replace(place.short, "")
    return bool(found) and not rest.strip()


def _facility_sized(sentence: str, end: int, unit: str) -> str | None:
    """`三十五蒸吨以下燃煤锅炉` → 燃煤锅炉容量, `每小时二十蒸吨以下的燃烧煤炭、重油…的锅炉` → 锅炉容量: a size in a unit
    that measures a facility attribute (data/applicability.json `unit_attributes`) measures the facility that follows
    it in the same phrase.  A short modifier (燃煤) stays in the metric; a long one is left to the sentence."""
    attribute, pattern = _sizing()
    m = pattern.match(sentence[end:]) if unit in attribute else None
    if not m:
        return None
    modifier = m.group(1) if len(m.group(1)) <= SIZED_MODIFIER and "、" not in m.group(1) else ""
    return modifier + m.group(2) + attribute[unit]


@cache
def _sizing() -> tuple[dict[str, str], re.Pattern[str]]:
    """(unit → the facility attribute it measures, the pattern of a facility named after a size)."""
    from .applicability import vocabulary  # the facility words are the checklist's; imported late (no cycle)

    words = vocabulary()
    facility = "|".join(sorted({w for ws in words["facilities"].values() for w in ws}, key=len, reverse=True))
    pattern = re.compile(rf"(?:及以上|及以下|以上|以下)?的?([^，。；;]{{0,{SIZED_REACH}}}?)({facility})")
    return words["unit_attributes"], pattern


def number_value(s: str) -> float | None:
    """An Arabic or Chinese numeral (`4.3`, `三十五`, `两`, `1万`) as a number; None for anything else."""
    import cn2an  # on first use: importing it costs 0.2 s, and a question (a cold `ask`) never parses one

    if re.fullmatch(_ARABIC, s):
        return float(s)
    try:
        return float(cn2an.cn2an(s.replace("两", "二"), "smart"))
    except (ValueError, KeyError, IndexError):  # cn2an raises ValueError for non-numerals
        return None


def _is_date_or_label(sentence: str, m: re.Match[str]) -> bool:
    unit, after = m.group("unit"), sentence[m.end() : m.end() + 1]
    if unit == "年":  # only durations with a comparator (`超过10年`); `2019年` is a date
        first = number_value(re.split(r"[、，,和及]", m.group("nums"))[0])
        return not (m.group("pre") or m.group("post")) or first is None or first >= 100
    if unit in ("日", "天") and re.search(rf"(?:\d+|[{_CN_DIGIT}]+)月$", sentence[max(0, m.start() - 4) : m.start()]):
        return True  # `10月1日`, `九月一日`
    if unit == "日" and after in "前起":
        return True
    if re.match(r"\d+号", sentence[m.start() :]):
        return True
    return False


def find_thresholds(sentence: str) -> list[Threshold]:
    """All quantities with units in a sentence, lists expanded, in order."""
    out: list[Threshold] = []
    for m in QTY_RE.finditer(sentence):
        if _is_date_or_label(sentence, m):
            continue
        if m.start() > 0 and re.match(r"[\d.年月]", sentence[m.start() - 1]):
            continue
        if m.start() > 0 and not m.group("pre") and sentence[m.start() - 1] in _NOT_A_NUMBER_AFTER:
            continue
        pre = (m.group("pre") or "").replace("分别", "")
        comparator = POST.get(m.group("post") or "") or PRE.get(pre) or "="
        if m.group("post") in ("以上", "以下") and pre in ("不高于", "不超过", "不低于"):
            comparator = PRE[pre]
        numbers = [number_value(v) for v in re.split(r"[、，,和及]", m.group("nums"))]
        values = [v for v in numbers if v is not None and math.isfinite(v)]
        if len(values) != len(numbers):
            continue  # not a numeral after all (`十`-less `百千`), or a digit run too long for a float
        unit, metric_end = m.group("unit"), m.start()
        per = _PER_RE.search(sentence[: m.start()])
        if per and "/" not in unit:
            unit, metric_end = f"{unit}/{per.group(1)}", per.start()  # `每蒸吨3万元` is a rate: 万元/蒸吨
        base_metric = _facility_sized(sentence, m.end(), unit) or _metric_before(sentence, metric_end)
        if m.group("unit") == "米" and re.match(r"(?:的)?(?:机|顶装|捣固)?焦炉", sentence[m.end() :]):
            base_metric = "炭化室高度"  # an oven's size is its coking-chamber height: `4.3米焦炉`
        metrics: list[str | None] = [base_metric] * len(values)
        if len(values) > 1 and base_metric:
            # `颗粒物、二氧化硫、氮氧化物排放浓度分别不高于10、35、50` pairs metrics with values
            left = sentence[max(0, m.start() - 40) : m.start()]
            chunk = re.split(r"[，。；：,]", left)[-1]
            names = [n for n in re.split(r"[、和及]", re.sub(r"(排放浓度|浓度|排放限值|分别.*)$", "", chunk)) if n]
            if len(names) == len(values):
                suffix = re.search(r"(排放浓度|浓度|排放限值)", chunk)
                metrics = [n + (suffix.group(1) if suffix else "") for n in names]
        segment = re.split(r"[，,；：。]", sentence[: m.start()])[-1]
        found = places.find_places(segment)
        scope = found[0].name if found and segment.find(found[0].short) <= 2 else None
        for v, metric in zip(values, metrics):
            out.append(
                Threshold(
                    metric=metric,
                    comparator=comparator,
                    value=v,
                    unit=unit,
                    text=m.group(0),
                    scope=scope,
                    start=m.start(),
                    end=m.end(),
                )
            )
    return out
