"""Typed records passed between pipeline stages; each round-trips through ``to_dict``/``from_dict``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")


def _from_dict(cls: type[T], data: dict[str, Any]) -> T:
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


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
    kind: str  # body | preamble | attachment | cc | title
    start: int
    end: int
    warnings: list[str] = field(default_factory=list)
    # [start, end) of each run of the clause's own paragraphs in Document.text; text = "\n".join of them.  More than
    # one when an article's closing paragraph follows its items (docs/data-model.md); [] = not known (older rows)
    spans: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Clause:
        return _from_dict(cls, data)

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
    level: str | None
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
    modality: str  # must | must_not | encouraged | target | may
    deadline: dict[str, Any] | None
    thresholds: list[dict[str, Any]]
    departments: dict[str, list[str]]
    start: int  # char span in the cleaned document text
    end: int
    other_deadlines: list[dict[str, Any]] = field(default_factory=list)
    department_names: dict[str, str] = field(default_factory=dict)  # canonical → as written
    warnings: list[str] = field(default_factory=list)
    # sanctions of a 法律责任 provision (extract/penalties.py: kind, text, min, max, unit, basis, condition)
    penalties: list[dict[str, Any]] = field(default_factory=list)
    # the clause whose heading deadline or responsibility line this obligation inherits, when it states neither
    inherited_from: str | None = None
    # whom it binds and on what conditions (extract/applicability.py: binds, industries, facilities, conditions)
    applicability: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Obligation:
        return _from_dict(cls, data)


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
    applies_via: str | None = None  # "province"/"city" when a higher-level clause is returned for a place filter
    kind: str = "body"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
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


@dataclass
class Answer:
    question: str
    language: str  # zh | en
    intent: str
    jurisdiction: str | None
    status: str  # answered | partial | not_found
    answer: str  # markdown with [n] markers
    citations: list[Citation]
    obligations: list[str]
    as_of: str
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["citations"] = [c.to_dict() for c in self.citations]
        return d
