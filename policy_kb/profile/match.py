"""A profile against every obligation: which bind this company, why, and what the profile cannot decide.

An obligation is on the checklist when (1) its jurisdiction is the company's place or a level above it, (2) it
concerns the company's industry or no industry in particular (a sentence of a coking plan concerns coking), names no
facility type the company lacks, and no condition on the company's facilities fails (`炭化室高度4.3米及以下` for a 6 m
oven), and (3) the binding classifier (extract/binding.py) takes it for a duty of this company: a logistic
regression over the sentence's named features (its actor, opening verb, modality, headings …), its character n-grams
and its e5 vector (embed/sentence_vectors.py), and the company's (its industry or another named, its facilities or
others, the conditions met or undecided, its own name), fitted on checklist gold.  A condition on an attribute the
profile does not give is never guessed: the item goes under 需确认 with that condition.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache

from ..answer.evidence import plan_period
from ..embed.sentence_vectors import SentenceVectors, in_memory
from ..extract.applicability import Applicability, Condition, vocabulary
from ..extract.binding import BindingModel, Party, default_model, parties, words
from ..records import Document, Obligation
from ..store import Store
from ..store.embedding_cache import CACHE_FILE
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


@lru_cache(maxsize=64)
def industry_names(industry: tuple[str, ...]) -> tuple[str, ...]:
    """The company's industries as it names them and as the documents' vocabulary does: the words that make a
    sentence concern an industry (data/applicability.json `industries`: 兰炭 is one of 焦化's, 陶瓷 of 建材's) make the
    company whose own industry holds one of them part of that industry too (only that way round: a 化工 company is
    not in 石化 because 石油化工 contains 化工), so that a 兰炭 plant is bound by the rules a 兰炭 notice
    states (extraction reads them as 焦化's)."""
    classes: dict[str, list[str]] = vocabulary()["industries"]
    named = [c for c, words in classes.items() if any(w in mine for w in words for mine in industry)]
    return tuple(dict.fromkeys([*industry, *named]))


_COMPANY_RE = re.compile(r"[\u4e00-\u9fff]{2,12}?(?:有限责任公司|有限公司|股份公司|公司|集团)")


@lru_cache(maxsize=64)
def name_keys(name: str) -> tuple[str, ...]:
    """How a document may name the company: in full, without its place (`昌盛煤气化有限公司`), or by the short form
    `<two characters>公司` a 公文 defines with 以下简称 (`昌盛公司`)."""
    core = re.sub(r"^.{1,6}?[省市县区]", "", name)
    if core == name or len(core) < 4:
        return (name,)
    bare = re.sub(r"(?:有限责任公司|有限公司|股份公司|公司)$", "", core)
    return tuple(dict.fromkeys([name, core, bare, bare[:2] + "公司"]))


def profile_features(profile: Profile, ob: Obligation) -> tuple[dict[str, float], Decision]:
    """The features a company adds to the sentence's (extract/binding.py PROFILE_FEATURES), and the outcome of the
    condition check that stays a rule: conditions on facilities are compared, never learned."""
    app = ob.applicability or Applicability()
    on: dict[str, bool] = {}
    mine = industry_names(tuple(profile.industry))
    industries = [i for i in app.industries if any(_same(i, m) for m in mine)]
    on["industry_match"] = bool(industries)
    on["industry_other"] = bool(app.industries) and not industries
    own = [f for f in profile.facilities if any(_same(kind, f.type) for kind in app.facilities)]
    on["facility_match"] = bool(own)
    on["facility_missing"] = bool(app.facilities) and not own and bool(profile.facilities)
    decision = _decide(profile, app, own, industries)
    on["condition_met"] = bool(app.conditions) and decision.met
    on["condition_undecided"] = bool(decision.to_confirm)
    keys = name_keys(profile.name)
    on["company_self"] = any(k in ob.text or k in (ob.subject or "") for k in keys)
    on["company_other"] = not on["company_self"] and bool(_COMPANY_RE.search(ob.subject or ob.text))
    building = any("在建" in v for f in profile.facilities for v in f.details.values())
    on["under_construction_missing"] = "在建" in ob.text[:40] and not building
    named = parties(ob.text) or (parties(f"{ob.subject}应当") if ob.subject else ())  # an item: its lead-in's
    on["party_match"] = any(plays(profile, p) for p in named)
    on["party_other"] = bool(named) and not on["party_match"]
    return {**app.features, **{k: 1.0 for k, v in on.items() if v}}, decision


def plays(profile: Profile, party: Party) -> bool:
    """Whether the company is that kind of party: it plays one of the party's roles towards all of the party's
    object words (a category word such as 特种设备 counts by its members: 锅炉 …); a party without a role by its
    words alone (`重点用能单位`)."""
    categories: dict[str, list[str]] = words()["parties"]["categories"]

    def names(text: str) -> bool:
        return all(o in text or any(m in text for m in categories.get(o, [])) for o in party.objects)

    if not party.roles:
        return bool(party.objects) and names(profile.vocabulary)
    return any(names(profile.roles[r]) for r in party.roles if r in profile.roles)


@dataclass
class Decision:
    """What the rules say before the classifier: why (industry, facility, conditions met), what to confirm, and
    whether the obligation cannot be the company's (another industry's, a facility type it lacks, a condition that
    fails for every facility of the named type)."""

    why: list[str]
    to_confirm: list[str]
    fails: bool = False
    met: bool = False


def _decide(profile: Profile, app: Applicability, own: list[Facility], industries: list[str]) -> Decision:
    why: list[str] = []
    if app.industries and not industries:
        return Decision(why, [], fails=True)  # another industry's (a coking plan for a cement plant)
    if industries:
        why.append(f"行业：{'、'.join(industries)}")
    if app.facilities and own:
        why.append(f"设施：{'、'.join(sorted({f.type for f in own}))}")
    if app.facilities and not own:
        if profile.facilities:
            return Decision(why, [], fails=True)  # the profile lists its facilities and has none of this type
        return Decision(why, [f"是否有{'、'.join(app.facilities)}（档案未列设施）"])
    checked = _conditions_on(own if app.facilities else profile.facilities, app)
    if checked is None:
        return Decision(why, [], fails=True)
    reasons, open_ = checked
    return Decision(why + reasons, open_, met=bool(app.conditions) and not open_)


def _candidate(profile: Profile, ob: Obligation) -> tuple[dict[str, float], Decision] | None:
    """(features, decision) of an obligation the rules leave to the classifier, else None."""
    if ob.jurisdiction not in profile.places:
        return None
    features, decision = profile_features(profile, ob)
    return None if decision.fails else (features, decision)


def _why(profile: Profile, ob: Obligation, decision: Decision) -> tuple[list[str], list[str]]:
    place = (
        f"地区：{ob.jurisdiction}的规定适用于{profile.place}"
        if ob.jurisdiction != profile.place
        else f"地区：{profile.place}"
    )
    return [place, *decision.why], decision.to_confirm


def _conditions_on(facilities: list[Facility], app: Applicability) -> tuple[list[str], list[str]] | None:
    """(reasons, open conditions) when some facility meets the conditions or may; None when each fails one."""
    if not app.conditions:
        return [], []
    undecided: list[str] = []
    for facility in facilities:
        met, reasons, open_ = _facility_check(facility, app.conditions)
        if met:
            return reasons, []
        if met is None:
            undecided = undecided or open_
    if undecided:
        return [], undecided
    if not facilities:
        return [], [describe(c) for c in app.conditions]
    return None


def _group(to_confirm: list[str], days_left: int | None) -> Group:
    if to_confirm:
        return Group.TO_CONFIRM
    if days_left is None:
        return Group.STANDING
    return Group.OVERDUE if days_left < 0 else Group.UPCOMING


def checklist(
    profile: Profile,
    obligations: list[Obligation],
    as_of: date,
    expired: frozenset[str] = frozenset(),
    model: BindingModel | None = None,
    vectors: SentenceVectors | None = None,
) -> list[ChecklistItem]:
    """Every obligation that binds the company, grouped (需确认, 逾期, 即将到期, 长期) and by date within a group.
    `expired` are documents whose plan period ended before the as-of date (a 规划 for 2006–2010): not in force.
    `model`: the binding classifier (default: the shipped one; cross-validation passes its fold's).  `vectors`: where
    the sentence vectors of its sentence term come from (default: encoded in this process), only for the
    obligations the rules leave to it."""
    model = model or default_model()
    if vectors is not None and model.sentence is not None and vectors.model != model.sentence.model:
        raise ValueError(f"sentence vectors of {vectors.model}, the binding model needs {model.sentence.model}")
    candidates = [
        (ob, found) for ob in obligations if ob.doc_id not in expired and (found := _candidate(profile, ob)) is not None
    ]
    vector_of = {}
    if model.sentence is not None:
        vector_of = (vectors or in_memory(model.sentence.model)).of(ob.text for ob, _ in candidates)
    items = []
    for ob, (features, decision) in candidates:
        if not model.binds(features, ob.text, vector_of.get(ob.text)):
            continue
        why, open_ = _why(profile, ob, decision)
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
    model = default_model()
    vectors = SentenceVectors(model.sentence.model, store.index_dir / CACHE_FILE) if model.sentence else None
    return checklist(profile, store.obligations(), as_of, expired_plans(store.documents(), as_of), model, vectors)
