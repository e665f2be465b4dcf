"""A profile against every obligation: which bind this company, why, and what the profile cannot decide.

An obligation is on the checklist when (1) its jurisdiction is the company's place or a level above it, (2) it binds
companies (extract/applicability.py), (3) it concerns the company's industry, or no industry in particular, and
(4) the company has a facility of the type it names that meets its conditions.  A condition on an attribute the
profile does not give is never guessed: the item goes under 需确认 with that condition.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from ..answer.evidence import plan_period
from ..extract.applicability import Applicability, Binds, Condition, vocabulary
from ..records import Document, Modality, Obligation
from ..store import Store
from .model import Facility, Profile, Quantity

COMPARE: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: abs(a - b) < 1e-9 * max(1.0, abs(b)),
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
SYMBOL = {"=": "=", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


class Group(StrEnum):
    """How a checklist is read: what needs a decision first, then what is overdue, due, and standing."""

    TO_CONFIRM = "需确认"
    OVERDUE = "逾期"
    UPCOMING = "即将到期"
    STANDING = "长期"


@dataclass(kw_only=True)
class ChecklistItem:
    obligation: Obligation
    group: Group
    applies_because: list[str]
    to_confirm: list[str] = field(default_factory=list)
    due: str | None = None
    days_left: int | None = None  # negative when overdue

    @property
    def due_status(self) -> str:
        if self.days_left is None:
            return "长期"
        return f"已过期 {-self.days_left} 天" if self.days_left < 0 else f"还剩 {self.days_left} 天"


def _base(q_value: float, unit: str) -> tuple[float, str] | None:
    entry = vocabulary()["units"].get(unit)
    return (q_value * entry[1], entry[0]) if entry else None


def _meets(have: Quantity, condition: Condition) -> bool | None:
    """Whether a facility's value meets a condition; None when their units cannot be compared."""
    a, b = _base(have.value, have.unit), _base(condition.value, condition.unit)
    if a is None or b is None or a[1] != b[1]:
        return None
    return COMPARE[condition.comparator](a[0], b[0])


def describe(condition: Condition) -> str:
    value = int(condition.value) if condition.value.is_integer() else condition.value
    return f"{condition.attribute} {SYMBOL[condition.comparator]} {value}{condition.unit}"


def _facility_check(facility: Facility, conditions: list[Condition]) -> tuple[bool | None, list[str], list[str]]:
    """(all met / one fails / undecided, reasons, open conditions) for one facility."""
    reasons, open_ = [], []
    for c in conditions:
        have = facility.attributes.get(c.attribute)
        met = None if have is None else _meets(have, c)
        if met is False:
            return False, [], []
        if have is None or met is None:
            open_.append(f"{describe(c)}（{facility.type}的{c.attribute}未填写或单位不同）")
        else:
            reasons.append(f"{describe(c)}：{facility.type} {have.text}")
    return (None if open_ else True), reasons, open_


def _same(name: str, mine: str) -> bool:
    """A document's industry or facility word and the company's own name for it: `锅炉` is the 燃煤锅炉, `焦化` the
    焦化 industry; containment either way, never a guess beyond that."""
    return name in mine or mine in name


def match(profile: Profile, ob: Obligation) -> tuple[list[str], list[str]] | None:
    """(why it applies, what to confirm) when the obligation may bind this company, else None."""
    if ob.jurisdiction not in profile.places:
        return None
    app = ob.applicability or Applicability()
    if app.binds is not Binds.ENTERPRISE:
        return None
    industries = [i for i in app.industries if any(_same(i, mine) for mine in profile.industry)]
    if app.industries and not industries:
        return None
    why = [
        f"地区：{ob.jurisdiction}的规定适用于{profile.place}"
        if ob.jurisdiction != profile.place
        else f"地区：{profile.place}"
    ]
    if industries:
        why.append(f"行业：{'、'.join(industries)}")
    if not app.facilities:
        return _conditions_on(profile.facilities, app, why)
    own = [f for f in profile.facilities if any(_same(kind, f.type) for kind in app.facilities)]
    if not own:
        if profile.facilities:
            return None  # the profile lists its facilities and has none of this type
        return why, [f"是否有{'、'.join(app.facilities)}（档案未列设施）"]
    return _conditions_on(own, app, [*why, f"设施：{'、'.join(sorted({f.type for f in own}))}"])


def _conditions_on(
    facilities: list[Facility], app: Applicability, why: list[str]
) -> tuple[list[str], list[str]] | None:
    if not app.conditions:
        return why, []
    undecided: list[str] = []
    for facility in facilities:
        met, reasons, open_ = _facility_check(facility, app.conditions)
        if met:
            return why + reasons, []
        if met is None:
            undecided = undecided or open_
    if undecided:
        return why, undecided
    if not facilities:
        return why, [describe(c) for c in app.conditions]
    return None


def _group(to_confirm: list[str], days_left: int | None) -> Group:
    if to_confirm:
        return Group.TO_CONFIRM
    if days_left is None:
        return Group.STANDING
    return Group.OVERDUE if days_left < 0 else Group.UPCOMING


# duties, prohibitions and targets bind; 鼓励/支持 (encouraged) and 可以 (may) oblige nobody
BINDING = {Modality.MUST, Modality.MUST_NOT, Modality.TARGET}


def checklist(
    profile: Profile, obligations: list[Obligation], as_of: date, expired: frozenset[str] = frozenset()
) -> list[ChecklistItem]:
    """Every obligation that binds the company, grouped (需确认, 逾期, 即将到期, 长期) and by date within a group.
    `expired` are documents whose plan period ended before the as-of date (a 规划 for 2006–2010): not in force."""
    items = []
    for ob in obligations:
        if ob.modality not in BINDING or ob.doc_id in expired:
            continue
        found = match(profile, ob)
        if found is None:
            continue
        why, open_ = found
        due = ob.deadline.date if ob.deadline else None
        days = (date.fromisoformat(due) - as_of).days if due else None
        items.append(
            ChecklistItem(
                obligation=ob, group=_group(open_, days), applies_because=why, to_confirm=open_, due=due, days_left=days
            )
        )
    order = list(Group)
    return sorted(items, key=lambda i: (order.index(i.group), i.due or "9999", i.obligation.id))


def expired_plans(documents: list[Document], as_of: date) -> frozenset[str]:
    """Documents that are plans for a period over before the as-of date (a 规划 for 2006–2010): not in force."""
    return frozenset(d.id for d in documents if (period := plan_period(d)) and period[1] < as_of.year)


def check(store: Store, profile: Profile, as_of: date) -> list[ChecklistItem]:
    """The checklist over a knowledge base: its obligations, without plans whose period is over."""
    return checklist(profile, store.obligations(), as_of, expired_plans(store.documents(), as_of))
