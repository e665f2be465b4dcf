"""`policy-kb export obligations`: the obligations table, filtered, as JSON, JSON Lines or CSV.

Column order and types of the CSV come from ``schemas/datapackage.json`` (Frictionless Table Schema), the JSON
records follow ``schemas/obligation.schema.json``; tests validate every export against them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import places
from .extract.lexicon import canonical_department
from .records import Obligation, Penalty, PenaltyKind
from .store import Store

SCHEMA_DIR = Path(__file__).parent / "schemas"
FORMATS = ("json", "jsonl", "csv")
LIST_SEP = "；"


@lru_cache(maxsize=1)
def csv_fields() -> list[str]:
    package = json.loads((SCHEMA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    return [f["name"] for f in package["resources"][0]["schema"]["fields"]]


@dataclass
class ObligationFilter:
    jurisdiction: str | None = None  # the place and every place above it (what applies there)
    doc: str | None = None  # doc id, corpus file name or source file name
    department: str | None = None  # as written or canonical, substring match
    due_before: str | None = None  # YYYY-MM-DD, inclusive
    due_after: str | None = None
    modality: str | None = None

    def __post_init__(self) -> None:
        for name in ("due_before", "due_after"):
            value = getattr(self, name)
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError as e:
                    raise ValueError(f"--{name.replace('_', '-')} must be a date like 2023-12-31, got '{value}'") from e

    def matches(self, ob: Obligation, doc_keys: set[str]) -> bool:
        if self.jurisdiction:
            applies = places.ancestors(self.jurisdiction) or [self.jurisdiction]
            if ob.jurisdiction not in applies:
                return False
        if self.doc and ob.doc_id not in doc_keys:
            return False
        if self.department:
            wanted = {self.department, canonical_department(self.department)}
            names = set(ob.departments.names()) | set(ob.department_names.values())
            if not any(w in n for w in wanted for n in names):
                return False
        due = ob.deadline.date if ob.deadline else None
        if self.due_before and (due is None or due > self.due_before):
            return False
        if self.due_after and (due is None or due < self.due_after):
            return False
        return not (self.modality and ob.modality != self.modality)


def select(store: Store, flt: ObligationFilter) -> list[Obligation]:
    doc_keys: set[str] = set()
    if flt.doc:
        doc = store.find_document(flt.doc)
        if doc is None:
            raise LookupError(f"no document '{flt.doc}' (see `policy-kb docs`)")
        doc_keys = {doc.id}
    return [o for o in store.obligations(doc_id=next(iter(doc_keys), None)) if flt.matches(o, doc_keys)]


def record(ob: Obligation) -> dict[str, Any]:
    """The exported JSON record (internal offsets kept: they locate the sentence in the document text)."""
    return ob.to_dict()


def csv_row(ob: Obligation) -> dict[str, str]:
    dl = ob.deadline
    thresholds = [
        " ".join(x for x in (t.metric or "", t.comparator, _number(t.value), t.unit) if x != "")
        + (f"（{t.scope}）" if t.scope else "")
        for t in ob.thresholds
    ]
    row = {
        "id": ob.id,
        "doc_id": ob.doc_id,
        "doc_file": ob.doc_file,
        "doc_number": ob.doc_number or "",
        "jurisdiction": ob.jurisdiction or "",
        "clause_id": ob.clause_id,
        "clause_path": "".join(ob.clause_path),
        "text": ob.text,
        "subject": ob.subject or "",
        "action": ob.action,
        "modality": ob.modality,
        "deadline_text": (dl.text if dl else "") or "",
        "deadline_date": (dl.date if dl else "") or "",
        "deadline_precision": (dl.precision if dl else "") or "",
        "deadline_kind": (dl.kind if dl else "") or "",
        "thresholds": LIST_SEP.join(thresholds),
        "warnings": LIST_SEP.join(ob.warnings),
    }
    for role, names in ob.departments.items():
        row[f"departments_{role}"] = LIST_SEP.join(names)
    fines = [p for p in ob.penalties if p.kind == PenaltyKind.FINE]
    lows = [p.min for p in fines if p.min is not None]
    highs = [p.max for p in fines if p.max is not None]
    app = ob.applicability
    row.update(
        {
            "deadline_rule": (dl.rule if dl else "") or "",
            "penalties": LIST_SEP.join(_penalty_text(p) for p in ob.penalties),
            "fine_min_yuan": _number(min(lows)) if lows else "",
            "fine_max_yuan": _number(max(highs)) if highs and len(highs) == len(fines) else "",
            "inherited_from": ob.inherited_from or "",
            "binds": str(app.binds) if app else "",
            "industries": LIST_SEP.join(app.industries if app else []),
            "conditions": LIST_SEP.join(
                f"{c.attribute} {c.comparator} {_number(c.value)} {c.unit}" for c in (app.conditions if app else [])
            ),
        }
    )
    return {k: row[k] for k in csv_fields()}


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _penalty_text(p: Penalty) -> str:
    """`fine 处十万元以上一百万元以下的罚款 [100000–1000000 元]`, with its condition first when it has one."""
    bounds = ""
    if p.min is not None or p.max is not None:
        lo = _number(p.min) if p.min is not None else ""
        hi = _number(p.max) if p.max is not None else ""
        bounds = f" [{lo}–{hi}{(' ' + p.unit) if p.unit else ''}]"
    condition = f"{p.condition}，" if p.condition else ""
    return f"{p.kind} {condition}{p.text}{bounds}"


def render(obligations: list[Obligation], fmt: str) -> str:
    """Serialise; CSV starts with a UTF-8 BOM so Excel opens Chinese text correctly."""
    if fmt == "json":
        return json.dumps([record(o) for o in obligations], ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(record(o), ensure_ascii=False) + "\n" for o in obligations)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=csv_fields(), lineterminator="\r\n")
        writer.writeheader()
        for o in obligations:
            writer.writerow(csv_row(o))
        return "\ufeff" + buf.getvalue()
    raise ValueError(f"unknown format '{fmt}' (choose one of {', '.join(FORMATS)})")
