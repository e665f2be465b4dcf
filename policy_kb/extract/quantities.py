"""Thresholds: numbers with units and comparators, with lists expanded.

`6米及以上` → (≥, 6, 米); `分别不高于30、200、300毫克/立方米` → three thresholds; `压减至14768万吨以内` → (≤ …);
a plain stated amount (`压减429万吨`, `按照30元/吨标准`) → (=).
"""

from __future__ import annotations

import math
import re

from .. import places
from ..records import Threshold

UNITS = places.data_lines("units.txt")
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_NUM = r"\d+(?:\.\d+)?"
PRE = {
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "至少": ">=",
    "达到": ">=",
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
_METRIC_STOP = re.compile(r"[，。；：、,;（）“”《》\d/]|(?:并|和|及|且|其中|要|必须|应|须|将|在|对|按照|其他)")
_VERB_TAIL = re.compile("(?:" + "|".join(places.data_lines("metric_tail_words.txt")) + ")+$")  # data/, in order


def _metric_before(sentence: str, pos: int) -> str | None:
    """The noun phrase just before a quantity: `炭化室高度6米` → 炭化室高度."""
    left = sentence[max(0, pos - 24) : pos]
    parts = _METRIC_STOP.split(left)
    metric = _VERB_TAIL.sub("", parts[-1] if parts else "").strip()
    metric = re.sub(r"^(?:到\d{4}年|\d{4}年(?:底前|前)?|全面|新建|所有|达到|启动|按照|实现)+", "", metric)
    return metric if 2 <= len(metric) <= 16 and not re.fullmatch(r"[\d.]+", metric) else None


def _is_date_or_label(sentence: str, m: re.Match[str]) -> bool:
    unit, after = m.group("unit"), sentence[m.end() : m.end() + 1]
    if unit == "年":  # only durations with a comparator (`超过10年`); `2019年` is a date
        return not (m.group("pre") or m.group("post")) or float(m.group("nums").split("、")[0]) >= 100
    if unit in ("日", "天") and re.search(r"\d+月$", sentence[max(0, m.start() - 4) : m.start()]):
        return True  # `10月1日`
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
        pre = (m.group("pre") or "").replace("分别", "")
        comparator = POST.get(m.group("post") or "") or PRE.get(pre) or "="
        if m.group("post") in ("以上", "以下") and pre in ("不高于", "不超过", "不低于"):
            comparator = PRE[pre]
        values = re.split(r"[、，,和及]", m.group("nums"))
        if not all(math.isfinite(float(v)) for v in values):
            continue  # a digit run too long for a float is not a quantity anyone wrote
        unit, metric_end = m.group("unit"), m.start()
        per = _PER_RE.search(sentence[: m.start()])
        if per and "/" not in unit:
            unit, metric_end = f"{unit}/{per.group(1)}", per.start()  # `每蒸吨3万元` is a rate: 万元/蒸吨
        base_metric = _metric_before(sentence, metric_end)
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
                    value=float(v),
                    unit=unit,
                    text=m.group(0),
                    scope=scope,
                    start=m.start(),
                    end=m.end(),
                )
            )
    return out
