"""Who an obligation binds and on what conditions, as data on the obligation.

A company's checklist ("my obligations") needs what the obligation's sentence says but the record did not hold:
whether the duty is a company's or a public body's, which industry and facility type it concerns, and the conditions
on those facilities (`炭化室高度4.3米及以下`, `运行寿命超过10年`).  The conditions are the obligation's thresholds whose
metric is a facility attribute; everything else is a target or a limit, not a condition of who is bound.  The words
come from data/applicability.json so that a new industry is a data change.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from ..records import Applicability, Binds, Condition, Departments, Threshold


@cache
def vocabulary() -> dict[str, Any]:
    """data/applicability.json (attributes, units, industries, facilities, enterprise and government words)."""
    text = resources.files("policy_kb").joinpath("data/applicability.json").read_text(encoding="utf-8")
    return json.loads(text)


def attribute_of(name: str | None) -> str | None:
    """The canonical attribute a metric or profile key names (`运行寿命` → 运行年限), or None."""
    if not name:
        return None
    for canonical, aliases in vocabulary()["attributes"].items():
        if any(alias in name for alias in aliases):
            return canonical
    return None


def _named(text: str, table: dict[str, list[str]]) -> list[str]:
    return [name for name, words in table.items() if any(w in text for w in words)]


# who a sentence's verb belongs to when the extractor found no subject: the words before its first modal verb, after
# a leading time phrase (`2023年10月31日前，各企业要…` → 各企业; `市生态环境、住建等部门要…` → those departments)
_LEADING_ACTOR = re.compile(
    r"^(?:[^，。；]{0,16}[前后底内]，)?([^，。；：]{1,24}?)(?:要|应当|应|须|必须|负责|不得|严禁)"
)


def _opening(text: str) -> str:
    """The sentence after a leading time phrase (`2019年，完成…` → `完成…`) and a bare 要."""
    return re.sub(r"^(?:(?:[^，。；]{0,16}[前后底内年]，)|\d{4}年|要)+", "", text)


def _leading_actor(text: str) -> str:
    m = _LEADING_ACTOR.match(text)
    return m.group(1) if m else ""


def _binds(
    text: str,
    subject: str | None,
    departments: Departments,
    conditions: list[Condition],
    prohibition: bool,
) -> Binds:
    """Whether a company is bound, in order of evidence: the actor (the subject, else the words before the modal
    verb) when it is a company or a public body — a roster item that opens with 负责 is its department's; a
    condition on a company's facilities (`淘汰炭化室高度4.3米及以下…的机焦炉` binds the plants whoever carries the task
    out); a department named in the sentence as the one in charge; then a sentence about companies or their
    facilities or an industry, or a prohibition that names nobody (`禁止…`, `不得新建…焦化…项目` binds whoever would do
    it).  A department that is not the sentence's actor — in charge through a trailing `（省生态环境厅负责）` or a
    责任单位
    line — supervises the task; it does not make the task the department's own duty."""
    words = vocabulary()
    actor = subject or _leading_actor(text)
    if any(w in actor for w in words["enterprise_words"]):
        return Binds.ENTERPRISE
    public = actor.startswith(tuple(words["government_prefixes"])) or any(w in actor for w in words["government_words"])
    if public or text.startswith("负责"):
        return Binds.GOVERNMENT
    if conditions:
        return Binds.ENTERPRISE
    if _opening(text).startswith(tuple(words["government_openings"])):
        return Binds.GOVERNMENT
    actors = bool(departments.lead or departments.responsible or departments.implement)
    if (
        any(w in text for w in words["enterprise_words"])
        or _named(text, words["facilities"])
        or _named(text, words["industries"])
    ):
        return Binds.ENTERPRISE
    if prohibition and not actors:
        return Binds.ENTERPRISE
    return Binds.GOVERNMENT if actors else Binds.UNKNOWN


# a threshold qualifies who is bound when a facility or company follows it closely in the same phrase
# (`4.3米及以下且运行寿命超过10年的机焦炉`, `5.5米焦炉`); `淘汰焦化产能1000万吨以上。` is a target, not a condition
QUALIFIES_WITHIN = 14


@cache
def _bound_nouns() -> tuple[str, ...]:
    """Facility and company words: what a qualifying threshold is followed by."""
    words = vocabulary()
    return (*(w for ws in words["facilities"].values() for w in ws), *words["enterprise_words"])


def _qualifies(text: str, threshold_text: str) -> bool:
    at = text.find(threshold_text)
    if at < 0:
        return False
    tail = text[at + len(threshold_text) : at + len(threshold_text) + QUALIFIES_WITHIN]
    tail = re.split(r"[，。；：,;]", tail)[0]
    return any(n in tail for n in _bound_nouns())


def applicability(
    text: str,
    subject: str | None,
    departments: Departments,
    thresholds: list[Threshold],
    modality: str = "must",
) -> Applicability:
    words = vocabulary()
    conditions = []
    for t in thresholds:
        attribute = attribute_of(t.metric)
        if attribute and not t.scope and _qualifies(text, t.text):
            conditions.append(
                Condition(attribute=attribute, comparator=t.comparator, value=float(t.value), unit=t.unit, text=t.text)
            )
    conditions = list(dict.fromkeys(conditions))
    binds = _binds(text, subject, departments, conditions, modality == "must_not")
    return Applicability(
        binds=binds,
        industries=_named(text, words["industries"]),
        facilities=_named(text, words["facilities"]),
        conditions=conditions,
    )
