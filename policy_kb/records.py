"""Typed records passed between pipeline stages; each round-trips through ``to_dict``/``from_dict``.

Inside the program an obligation's deadline, thresholds, departments, penalties and applicability are the typed
records below; ``to_dict``/``from_dict`` are called only at the edges (the store's JSON column, the exports, the
JSON API).  ``Obligation.to_dict`` writes exactly the JSON the dict-based records wrote, so stored knowledge bases
and exports do not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any, TypeVar

T = TypeVar("T")


def _from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


# ---- closed vocabularies: one definition each; the values are the strings stored and exported ------------------
class ClauseKind(StrEnum):
    BODY = "body"
    PREAMBLE = "preamble"  # the text before the first numbered clause
    ATTACHMENT = "attachment"  # 附件
    CC = "cc"  # 抄送 / 印发 lines
    TITLE = "title"


class Level(StrEnum):
    """Administrative level of a place or of the government that issued a document."""

    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class Modality(StrEnum):
    MUST = "must"
    MUST_NOT = "must_not"
    ENCOURAGED = "encouraged"  # 鼓励 / 支持 / 引导
    TARGET = "target"  # 力争 / 目标
    MAY = "may"


class DeadlineKind(StrEnum):
    BY = "by"  # due by the date (`…前`)
    FROM = "from"  # in force from the date (`…起`)
    DURING = "during"  # within the period (`2019年`, `十四五期间`)
    RELATIVE = "relative"  # no calendar date (`分两年`, `投产后`)
    RECURRING = "recurring"  # `每月10日前`


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Intent(StrEnum):
    """What a question asks for (data/intents.tsv maps phrasings to these)."""

    DEADLINE = "deadline"
    THRESHOLD = "threshold"
    DEPARTMENT = "department"
    COMPENSATION = "compensation"
    LIST = "list"
    DEFINITION = "definition"
    GENERAL = "general"


class AnswerStatus(StrEnum):
    ANSWERED = "answered"
    PARTIAL = "partial"  # answered, but a check found a problem (Answer.warnings)
    NOT_FOUND = "not_found"


@dataclass(kw_only=True)
class Deadline:
    """A time expression of an obligation (extract/dates.py); ``date`` only when the text fixes it."""

    text: str
    date: str | None
    precision: Precision | None
    kind: DeadlineKind
    resolved_from: str | None = None
    start: int = 0  # offset in the sentence
    end: int = 0
    warnings: list[str] = field(default_factory=list)
    rule: str | None = None  # a recurring deadline's rule as written (`每月5日前`)

    @classmethod
    def relative(
        cls, text: str, start: int, end: int, warning: str | None = None, resolved_from: str | None = None
    ) -> Deadline:
        """A time expression the text does not fix to a date (`今年` without an issue date, `汛期前`, `5月中旬`);
        the warning says why it stays open."""
        return cls(
            text=text,
            date=None,
            precision=None,
            kind=DeadlineKind.RELATIVE,
            resolved_from=resolved_from,
            start=start,
            end=end,
            warnings=[warning] if warning else [],
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("start", "end"):
            d.pop(k)
        for k in ("resolved_from", "rule"):
            if d[k] is None:
                d.pop(k)
        if not d["warnings"]:
            d.pop("warnings")
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Deadline:
        precision = data.get("precision")
        return _from_dict(
            cls,
            {
                **data,
                "precision": Precision(precision) if precision else None,
                "kind": DeadlineKind(data["kind"]),
                "warnings": list(data.get("warnings", [])),
            },
        )


@dataclass(kw_only=True)
class Threshold:
    """A number with unit and comparator (extract/quantities.py): `炭化室高度 = 4.3 米`."""

    metric: str | None
    comparator: str
    value: float
    unit: str
    text: str
    scope: str | None = None  # the place a listed amount applies to: `忻州市压减24万吨` → 忻州市
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("start")
        d.pop("end")
        if d["scope"] is None:
            d.pop("scope")
        if float(d["value"]).is_integer():
            d["value"] = int(d["value"])
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Threshold:
        return _from_dict(cls, {**data, "value": float(data["value"])})


class PenaltyKind(StrEnum):
    FINE = "fine"
    FINE_MULTIPLE = "fine_multiple"  # a multiple or percentage of a base (违法所得, 直接损失, 上一年年收入)
    DETENTION = "detention"
    ORDER = "order"  # 责令改正 / 责令停产整治 / 责令停止建设 …
    CLOSURE = "closure"  # closing down after approval by a government: 报经…批准，责令停业、关闭
    DAILY = "daily"  # 按日连续处罚
    CONFISCATION = "confiscation"
    REVOCATION = "revocation"
    WARNING = "warning"
    SANCTION = "sanction"  # 处分 of officials


@dataclass(kw_only=True)
class Penalty:
    """A sanction of a 法律责任 provision (extract/penalties.py), with its range, condition and base."""

    kind: PenaltyKind
    text: str
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    basis: str | None = None
    condition: str | None = None
    start: int = 0  # offset in the text searched

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = self.kind.value
        d.pop("start")
        return {k: v for k, v in d.items() if v is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Penalty:
        # amounts keep the type they were stored with (int or float) so that the JSON written back is unchanged
        return _from_dict(cls, {**data, "kind": PenaltyKind(data["kind"])})


class Role(StrEnum):
    """What a department does for an obligation, in the order the records list them."""

    LEAD = "lead"  # 牵头
    COOPERATE = "cooperate"  # 配合
    IMPLEMENT = "implement"  # 落实
    RESPONSIBLE = "responsible"  # 负责


@dataclass
class Departments:
    """The departments of an obligation by role; names canonical (``Obligation.department_names`` keeps the
    written forms)."""

    lead: list[str] = field(default_factory=list)
    cooperate: list[str] = field(default_factory=list)
    implement: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)

    def __getitem__(self, role: str) -> list[str]:
        return getattr(self, Role(role).value)

    def items(self) -> list[tuple[Role, list[str]]]:
        return [(r, self[r]) for r in Role]

    def names(self) -> list[str]:
        """Every department named, once, in role order."""
        return list(dict.fromkeys(n for _, ns in self.items() for n in ns))

    def to_dict(self) -> dict[str, list[str]]:
        return {r.value: list(ns) for r, ns in self.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, list[str]] | None) -> Departments:
        data = data or {}
        return cls(**{r.value: list(data.get(r.value, [])) for r in Role})


class Binds(StrEnum):
    """Whose duty an obligation is: a company's, a public body's, or not said."""

    ENTERPRISE = "enterprise"
    GOVERNMENT = "government"
    UNKNOWN = "unknown"


@dataclass(frozen=True, kw_only=True)
class Condition:
    """`炭化室高度 <= 4.3 米`: a facility attribute compared with a value (in the document's unit)."""

    attribute: str
    comparator: str  # = < <= > >=
    value: float
    unit: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if float(d["value"]).is_integer():
            d["value"] = int(d["value"])
        return d


@dataclass(kw_only=True)
class Applicability:
    """Whom an obligation binds and on what conditions (extract/applicability.py)."""

    binds: Binds = Binds.UNKNOWN
    industries: list[str] = field(default_factory=list)
    facilities: list[str] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    # the sentence's named features for the binding classifier (extract/binding.py), the ones that are not 0;
    # computed once at extraction, where the clause's headings and the document are at hand
    features: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "binds": str(self.binds),
            "industries": self.industries,
            "facilities": self.facilities,
            "conditions": [c.to_dict() for c in self.conditions],
            "features": self.features,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Applicability:
        data = data or {}
        return cls(
            binds=Binds(data.get("binds", "unknown")),
            industries=list(data.get("industries", [])),
            facilities=list(data.get("facilities", [])),
            conditions=[Condition(**{**c, "value": float(c["value"])}) for c in data.get("conditions", [])],
            features={k: float(v) for k, v in (data.get("features") or {}).items()},
        )


@dataclass
class CitedDoc:
    """A document named in the text as 《title》（文号）; ``in_corpus`` is filled when listing."""

    title: str | None
    doc_number: str | None
    in_corpus: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Clause:
    id: str
    doc_id: str
    parent_id: str | None
    level: int
    label: str | None
    path: list[str]
    heading: str | None
    text: str
    kind: ClauseKind
    start: int
    end: int
    warnings: list[str] = field(default_factory=list)
    # [start, end) of each run of the clause's own paragraphs in Document.text; text = "\n".join of them.  More than
    # one when an article's closing paragraph follows its items (docs/data-model.md); [] = not known (older rows)
    spans: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Clause:
        return _from_dict(cls, {**data, "kind": ClauseKind(data["kind"])})

    @property
    def citation(self) -> str:
        """Human label such as ``三、（四）``; unnumbered clauses use their kind."""
        return "".join(self.path) if self.path else self.id.split(":", 1)[1]


@dataclass
class Document:
    id: str
    source_file: str
    title: str | None
    doc_number: str | None
    issuer: str | None
    issue_date: str | None
    jurisdiction: str | None
    level: Level | None
    cites: list[CitedDoc]
    text: str  # cleaned text; clause offsets point into it
    content_hash: str
    warnings: list[str] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    effective_date: str | None = None  # from the 施行 article of a law or regulation
    history: list[dict[str, str]] = field(default_factory=list)  # dated versions: {date, event, text}

    def to_dict(self, with_text: bool = False) -> dict[str, Any]:
        d = {
            "id": self.id,
            "source_file": self.source_file,
            "title": self.title,
            "doc_number": self.doc_number,
            "issuer": self.issuer,
            "issue_date": self.issue_date,
            "jurisdiction": self.jurisdiction,
            "level": self.level,
            "effective_date": self.effective_date,
            "history": [dict(h) for h in self.history],
            "cites": [c.to_dict() for c in self.cites],
            "clause_count": len(self.clauses),
            "warnings": list(self.warnings),
        }
        if with_text:
            d["text"] = self.text
        return d


@dataclass
class Obligation:
    """One duty, prohibition or target in one sentence, with where it comes from."""

    id: str
    doc_id: str
    doc_file: str
    doc_number: str | None
    jurisdiction: str | None
    clause_id: str
    clause_path: list[str]
    text: str
    subject: str | None
    action: str
    modality: Modality
    deadline: Deadline | None
    thresholds: list[Threshold]
    departments: Departments
    start: int  # char span in the cleaned document text
    end: int
    other_deadlines: list[Deadline] = field(default_factory=list)
    department_names: dict[str, str] = field(default_factory=dict)  # canonical → as written
    warnings: list[str] = field(default_factory=list)
    # sanctions of a 法律责任 provision (extract/penalties.py)
    penalties: list[Penalty] = field(default_factory=list)
    # the clause whose heading deadline or responsibility line this obligation inherits, when it states neither
    inherited_from: str | None = None
    # whom it binds and on what conditions (extract/applicability.py); None until extraction has computed it
    applicability: Applicability | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON record (store, exports, API): keys in field order, nested records through their ``to_dict``."""
        d = asdict(self)
        d["deadline"] = self.deadline.to_dict() if self.deadline else None
        d["thresholds"] = [t.to_dict() for t in self.thresholds]
        d["departments"] = self.departments.to_dict()
        d["other_deadlines"] = [x.to_dict() for x in self.other_deadlines]
        d["penalties"] = [p.to_dict() for p in self.penalties]
        d["applicability"] = self.applicability.to_dict() if self.applicability else {}
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Obligation:
        dl = data.get("deadline")
        return _from_dict(
            cls,
            {
                **data,
                "modality": Modality(data["modality"]),
                "deadline": Deadline.from_dict(dl) if dl else None,
                "thresholds": [Threshold.from_dict(t) for t in data.get("thresholds", [])],
                "departments": Departments.from_dict(data.get("departments")),
                "other_deadlines": [Deadline.from_dict(x) for x in data.get("other_deadlines", [])],
                "penalties": [Penalty.from_dict(p) for p in data.get("penalties", [])],
                "applicability": Applicability.from_dict(data["applicability"]) if data.get("applicability") else None,
            },
        )


@dataclass
class Hit:
    """One search result: a clause with its document context and how each route scored it."""

    clause_id: str
    doc_id: str
    doc_title: str | None
    doc_number: str | None
    jurisdiction: str | None
    path: list[str]
    heading: str | None
    text: str
    snippet: str
    score: float
    scores: dict[str, float | None]
    applies_via: Level | None = None  # when a higher-level clause is returned for a place filter
    kind: ClauseKind = ClauseKind.BODY

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(kw_only=True)
class Citation:
    n: int
    clause_id: str
    doc_id: str
    doc_title: str | None
    doc_number: str | None
    jurisdiction: str | None
    path: list[str]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(kw_only=True)
class Answer:
    question: str
    language: str  # zh | en
    intent: Intent
    jurisdiction: str | None
    status: AnswerStatus
    answer: str  # markdown with [n] markers
    citations: list[Citation]
    obligations: list[str]
    as_of: str
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["citations"] = [c.to_dict() for c in self.citations]
        return d
