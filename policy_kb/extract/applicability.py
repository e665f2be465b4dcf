"""Who an obligation binds and on what conditions, as data on the obligation.

A company's checklist ("my obligations") needs what the obligation's sentence says but the record did not hold:
whether the duty is a company's or a public body's, which industry and facility type it concerns, and the conditions
on those facilities (`炭化室高度4.3米及以下`, `运行寿命超过10年`).  The conditions are the obligation's thresholds whose
metric is a facility attribute; everything else is a target or a limit, not a condition of who is bound.  The words
come from data/applicability.json so that a new industry is a data change.  Whether the sentence is a company's duty
at all is the fitted binding classifier's call (extract/binding.py): its named features are computed here, once,
and stored with the obligation.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from ..records import Applicability, Binds, Condition, Departments, Threshold
from .binding import Where, default_model, sentence_features


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


def _phrase(text: str, t: Threshold) -> tuple[str, str]:
    """The threshold's phrase (between punctuation) before and after it."""
    before = re.split(r"[，。；：,;]", text[: t.start])[-1]
    after = re.split(r"[，。；：,;]", text[t.end :])[0]
    return before, after


def _gates(text: str, t: Threshold) -> bool:
    """Whether a threshold on a facility decides who is bound.  Not when it sizes a facility to be built
    (`禁止新建每小时二十蒸吨以下的燃煤锅炉` binds every company, whatever its own boilers), nor when the qualified
    facility is one alternative of several (`65蒸吨及以上燃煤锅炉以及…燃煤供热锅炉`: a small boiler may still be
    bound): a condition that fails removes the obligation from a checklist, so it must hold alone."""
    words = vocabulary()
    before, after = _phrase(text, t)
    if any(w in before or w in after for w in words["new_facility_words"]):
        return False
    nouns = _bound_nouns()
    first = min((i for n in nouns if (i := after.find(n)) >= 0), default=-1)
    if first < 0:
        return True
    rest = after[first:]
    return not any(
        (j := rest.find(w)) >= 0 and any(n in rest[j + len(w) :] for n in nouns) for w in words["alternative_words"]
    )


def _attribute(t: Threshold) -> str | None:
    """The facility attribute a threshold measures: named by its metric, else by its unit (蒸吨 is a boiler's
    容量 in `65蒸吨及以上燃煤锅炉`)."""
    unit_attributes: dict[str, str] = vocabulary()["unit_attributes"]
    return attribute_of(t.metric) or unit_attributes.get(t.unit)


def applicability(
    text: str,
    subject: str | None,
    departments: Departments,
    thresholds: list[Threshold],
    modality: str = "must",
    *,
    where: Where | None = None,
    deadline: bool = False,
    penalties: bool = False,
    inherited: bool = False,
) -> Applicability:
    """Industries (the sentence's own words, else its headings' or its document title's: a sentence of a coking
    plan concerns coking), facilities, conditions on them, the named features of the binding classifier, and
    `binds`: whether the classifier takes it for a duty of a company of the industry and facilities it names."""
    words = vocabulary()
    where = where or Where()
    conditions = []
    for t in thresholds:
        attribute = _attribute(t)
        if attribute and not t.scope and _qualifies(text, t.text) and _gates(text, t):
            conditions.append(
                Condition(attribute=attribute, comparator=t.comparator, value=float(t.value), unit=t.unit, text=t.text)
            )
    conditions = list(dict.fromkeys(conditions))
    own_industries = _named(text, words["industries"])
    facilities = _named(text, words["facilities"])
    features = sentence_features(
        text,
        subject,
        str(modality),
        departments,
        enterprise_words=words["enterprise_words"],
        industries=own_industries,
        facilities=facilities,
        conditions=len(conditions),
        deadline=deadline,
        penalties=penalties,
        inherited=inherited,
        where=where,
    )
    industries = (
        own_industries
        or _named("".join(where.headings), words["industries"])
        or _named(where.title, words["industries"])
    )
    app = Applicability(industries=industries, facilities=facilities, conditions=conditions, features=features)
    app.binds = Binds.ENTERPRISE if default_model().binds(as_named(app), text) else Binds.GOVERNMENT
    return app


def as_named(app: Applicability) -> dict[str, float]:
    """The features for a company of the industry and facilities the sentence names, meeting its conditions: what
    `binds` is decided on (a profile decides with its own industry, facilities and values, profile/match.py)."""
    named = {
        "industry_match": bool(app.industries),
        "facility_match": bool(app.facilities),
        "condition_met": bool(app.conditions),
    }
    return {**app.features, **{k: 1.0 for k, on in named.items() if on}}
