"""`policy-kb eval extraction`: precision/recall/F1 per field of extracted obligations against a gold file.

A gold row is matched to the extracted obligation of the same clause whose text contains the row's
``text_contains``.  Precision is measured only in clauses the gold file covers (the gold lists every obligation
sentence of each clause it touches).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..extract.authorities import expanded_core
from ..extract.lexicon import canonical_department


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s or "").replace(";", "；").replace(",", "，").replace("(", "（").replace(")", "）")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[Any], pred: set[Any]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class ExtractionReport:
    fields: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    accuracy: dict[str, tuple[int, int]] = field(default_factory=dict)  # name → (correct, total)
    misses: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": {
                k: {
                    "precision": round(c.precision, 4),
                    "recall": round(c.recall, 4),
                    "f1": round(c.f1, 4),
                    "tp": c.tp,
                    "fp": c.fp,
                    "fn": c.fn,
                }
                for k, c in self.fields.items()
            },
            "accuracy": {
                k: {"value": round(a / t, 4) if t else 1.0, "correct": a, "total": t}
                for k, (a, t) in self.accuracy.items()
            },
        }

    def table(self) -> str:
        lines = [f"{'field':<22}{'precision':>10}{'recall':>10}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
        for k, c in self.fields.items():
            lines.append(f"{k:<22}{c.precision:>10.3f}{c.recall:>10.3f}{c.f1:>8.3f}{c.tp:>6}{c.fp:>6}{c.fn:>6}")
        lines.append("")
        lines.append(f"{'accuracy':<22}{'value':>10}{'correct':>10}{'total':>8}")
        for k, (a, t) in self.accuracy.items():
            lines.append(f"{k:<22}{(a / t if t else 1.0):>10.3f}{a:>10}{t:>8}")
        return "\n".join(lines)


def load_gold(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: invalid JSON ({e.msg})") from e
    return rows


def _threshold_key(t: dict[str, Any]) -> tuple[float, str]:
    return round(float(t["value"]), 4), t["unit"]


def _thresholds(items: Iterable[dict[str, Any]]) -> set[tuple[float, str]]:
    return {_threshold_key(t) for t in items}


def metric_agrees(gold: str, predicted: str) -> bool:
    """Whether an extracted metric names what the gold metric names: they share a run of three characters, or all of
    the shorter one (`产能` in `焦化产能`, `燃煤锅炉` in `淘汰燃煤锅炉台数`).  Lenient on purpose: the gold writers
    chose their own words; what the measure must catch is a metric that names something else (a place `太原市`, a
    verb `禁止新建`, a fragment `当由`) or none at all."""
    g, p = (re.sub(r"\s+", "", x or "") for x in (gold, predicted))
    if not g or not p:
        return False
    need = min(3, len(g), len(p))
    return any(p[i : i + need] in g for i in range(len(p) - need + 1))


def _threshold_fields(
    gold: Iterable[dict[str, Any]], predicted: list[dict[str, Any]]
) -> tuple[int, int, int, list[str]]:
    """(gold thresholds found by value and unit, of them with the comparator right, with the metric agreeing,
    the disagreements): how the export's metric and comparator columns read where the number is right."""
    found = comparator_ok = metric_ok = 0
    wrong = []
    for g in gold:
        key = _threshold_key(g)
        same = [t for t in predicted if _threshold_key(t) == key]
        if not same:
            continue
        found += 1
        comparator_ok += any(t.get("comparator") == g.get("comparator") for t in same)
        if any(metric_agrees(g.get("metric") or "", t.get("metric") or "") for t in same):
            metric_ok += 1
        else:
            wrong.append(f"metric of {key}: gold {g.get('metric')} got {[t.get('metric') for t in same]}")
    return found, comparator_ok, metric_ok, wrong


def department_key(name: str) -> str:
    """Names that denote the same body compare equal: canonical abbreviations (市工信局 = 市工业和信息化局), and a
    sector's 部门 is its 局/厅/委 at the same level (市工信部门 = 市工业和信息化局, 市生态环境部门 = 市生态环境局) —
    a document that writes `市工信、住建等部门` means its own bureaus."""
    name = canonical_department(re.sub(r"\s+", "", name))
    m = re.match(r"^(.*?)(?:主管部门|部门)$", name)
    if m and m.group(1):
        level = re.match(r"^[省市县区]", m.group(1))
        core = m.group(1)[1:] if level else m.group(1)
        return (level.group(0) if level else "") + expanded_core(core)
    return re.sub(r"(?:委员会|局|厅|委)$", "", name)


def _departments(d: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {(role, department_key(n)) for role, names in (d or {}).items() for n in names}


# penalties whose amounts are scored: (kind, min, max); other kinds (orders, confiscation…) are scored by kind only
_AMOUNT_KINDS = ("fine", "fine_multiple", "detention")


def _penalty_amounts(items: Iterable[dict[str, Any]]) -> set[tuple[str, float | None, float | None]]:
    def num(v: Any) -> float | None:
        return None if v is None else round(float(v), 4)

    return {(p["kind"], num(p.get("min")), num(p.get("max"))) for p in items if p.get("kind") in _AMOUNT_KINDS}


def evaluate(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> ExtractionReport:
    report = ExtractionReport()
    by_clause: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ob in predicted:
        by_clause[ob["clause_id"]].append(ob)
    matched_ids: set[str] = set()
    thr_found = thr_comparator = thr_metric = 0
    date_ok = date_total = thr_ok = thr_total = mod_ok = mod_total = pen_ok = pen_total = inh_ok = inh_total = 0
    for row in gold:
        needle = _norm(row["text_contains"])
        cands = [o for o in by_clause.get(row["clause_id"], []) if needle in _norm(o["text"])]
        if not cands:  # a split sentence (one obligation per place) may hold only part of the needle
            cands = [
                o for o in by_clause.get(row["clause_id"], []) if _norm(o["text"]) in needle and len(o["text"]) > 4
            ]
        if not cands:
            report.fields["obligation"].fn += 1
            report.misses.append(f"{row['clause_id']} {row['text_contains']}")
            continue
        report.fields["obligation"].tp += 1
        pred = cands[0]
        matched_ids.update(o["id"] for o in cands)
        g_dl, p_dl = row.get("deadline"), pred.get("deadline")
        g_date, p_date = (g_dl or {}).get("date"), (p_dl or {}).get("date")
        if g_date or p_date:
            date_total += 1
            date_ok += g_date == p_date
            if g_date != p_date:
                report.errors.append(f"date {row['clause_id']} {row['text_contains']}: gold {g_date} got {p_date}")
        report.fields["deadline.date"].add({g_date} - {None}, {p_date} - {None})
        g_thr = _thresholds(row.get("thresholds", []))
        p_thr = _thresholds(t for o in cands for t in o.get("thresholds", []))
        report.fields["thresholds(value,unit)"].add(g_thr, p_thr)
        thr_total += len(g_thr)
        thr_ok += len(g_thr & p_thr)
        found, comparator_ok, metric_ok, wrong = _threshold_fields(
            row.get("thresholds", []), [t for o in cands for t in o.get("thresholds", [])]
        )
        thr_found += found
        thr_comparator += comparator_ok
        thr_metric += metric_ok
        report.errors += [f"thresholds {row['clause_id']} {row['text_contains']}: {w}" for w in wrong]
        if g_thr != p_thr:
            report.errors.append(
                f"thresholds {row['clause_id']} {row['text_contains']}: gold {sorted(g_thr)} got {sorted(p_thr)}"
            )
        g_dep, p_dep = _departments(row.get("departments", {})), _departments(pred.get("departments", {}))
        report.fields["departments(role,name)"].add(g_dep, p_dep)
        report.fields["departments(name)"].add({n for _, n in g_dep}, {n for _, n in p_dep})
        if g_dep != p_dep:
            report.errors.append(
                f"departments {row['clause_id']} {row['text_contains']}: gold {sorted(g_dep)} got {sorted(p_dep)}"
            )
        mod_total += 1
        mod_ok += row.get("modality") == pred.get("modality")
        g_pen = _penalty_amounts(row.get("penalties") or [])
        p_pen = _penalty_amounts(p for o in cands for p in o.get("penalties") or [])
        pen_total += len(g_pen)
        pen_ok += len(g_pen & p_pen)
        if g_pen - p_pen:
            report.errors.append(
                f"penalties {row['clause_id']} {row['text_contains']}: gold {sorted(g_pen, key=str)} "
                f"got {sorted(p_pen, key=str)}"
            )
        if "penalties" in row:
            report.fields["penalties(kind)"].add(
                {p["kind"] for p in row.get("penalties") or []},
                {p["kind"] for o in cands for p in o.get("penalties") or []},
            )
        if row.get("inherited_from"):
            inh_total += 1
            inh_ok += pred.get("inherited_from") == row["inherited_from"]
    gold_clauses = {r["clause_id"] for r in gold}
    report.fields["obligation"].fp = sum(
        1 for c in gold_clauses for o in by_clause.get(c, []) if o["id"] not in matched_ids
    )
    report.accuracy["deadline date"] = (date_ok, date_total)
    report.accuracy["threshold value+unit"] = (thr_ok, thr_total)
    if thr_found:
        report.accuracy["threshold comparator"] = (thr_comparator, thr_found)
        report.accuracy["threshold metric"] = (thr_metric, thr_found)
    report.accuracy["modality"] = (mod_ok, mod_total)
    if pen_total:
        report.accuracy["penalty amounts"] = (pen_ok, pen_total)
    if inh_total:
        report.accuracy["inherited_from"] = (inh_ok, inh_total)
    return report
