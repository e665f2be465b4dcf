"""`policy-kb eval profiles`: company checklists against checklists written by hand (tests/gold/profiles/).

Each gold profile names the documents its author reviewed completely (scope.jsonl); the checklist is computed over
the obligations of exactly those documents (extracted in-process, like `eval documents`), so precision counts only
items the author judged.  An item matches a gold row in the same clause whose `text_contains` it holds.  Recall and
precision ignore the status; status agreement (applies vs 需确认) is reported on the matched items.

The gold's author listed the duties of the 2006–2010 plan "as written", while the checklist leaves out plans whose
period is over; the report gives the numbers with and without those rows (`expired` documents).
`--baseline` scores what the code could do before checklists existed: every obligation of the place and the levels
above it (the obligations export filtered by jurisdiction).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..records import Document, Obligation
from .documents import REAL_DEV
from .extraction import _norm

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "gold" / "profiles"
CORPUS = ROOT / "corpus"
# the test split: never looked at while the matching was developed (the others are the development split)
TEST_PROFILES = ("kelan_43m_coking", "hongtong_linfen_coking", "linyi_shandong_coking", "yuxian_yangquan_cement")


@dataclass
class ProfileScore:
    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    status_ok: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _source(doc_id: str) -> Path:
    for path in (CORPUS / f"{doc_id}.txt", REAL_DEV / f"{doc_id}.md"):
        if path.is_file():
            return path
    raise FileNotFoundError(f"gold document {doc_id} not found in corpus/ or {REAL_DEV}")


def _documents(doc_ids: set[str]) -> dict[str, tuple[Document, list[Obligation]]]:
    from ..extract.obligations import extract_document
    from ..ingest.document import process_file

    out = {}
    for doc_id in sorted(doc_ids):
        doc, _, _ = process_file(_source(doc_id), doc_id)
        out[doc_id] = (doc, extract_document(doc))
    return out


def _matches(row: dict[str, Any], ob: Obligation) -> bool:
    return ob.clause_id == row["clause_id"] and _norm(row["text_contains"]) in _norm(ob.text)


def score(name: str, gold: list[dict[str, Any]], predicted: list[tuple[Obligation, bool]]) -> ProfileScore:
    """`predicted`: (obligation, to confirm?) pairs.  One item may match several gold rows of one sentence."""
    result = ProfileScore(name)
    matched: set[str] = set()
    for row in gold:
        hits = [(ob, open_) for ob, open_ in predicted if _matches(row, ob)]
        if not hits:
            result.fn += 1
            result.misses.append(f"{row['clause_id']} {row['text_contains']} [{row['status']}]")
            continue
        result.tp += 1
        matched.update(ob.id for ob, _ in hits)
        result.status_ok += any(open_ == (row["status"] == "to_confirm") for _, open_ in hits)
    for ob, _ in predicted:
        if ob.id not in matched:
            result.fp += 1
            result.extras.append(f"{ob.clause_id} {ob.text[:40]}")
    return result


def evaluate_profiles(
    split: str = "all", as_of: date = date(2026, 12, 6), baseline: bool = False, drop_expired_gold: bool = False
) -> list[ProfileScore]:
    from ..profile.match import checklist, expired_plans
    from ..profile.model import load_profile

    scopes = {
        r["profile"]: r["documents"]
        for r in map(json.loads, (GOLD / "scope.jsonl").read_text(encoding="utf-8").splitlines())
        if r
    }
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in (GOLD / "checklists.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["profile"]].append(row)
    names = [n for n in scopes if split == "all" or (n in TEST_PROFILES) == (split == "test")]
    docs = _documents({d for n in names for d in scopes[n]})
    expired = expired_plans([d for d, _ in docs.values()], as_of)
    results = []
    for name in names:
        profile = load_profile(GOLD / f"{name}.json")
        obligations = [o for d in scopes[name] for o in docs[d][1]]
        if baseline:
            predicted = [(o, False) for o in obligations if o.jurisdiction in profile.places]
        else:
            predicted = [(i.obligation, bool(i.to_confirm)) for i in checklist(profile, obligations, as_of, expired)]
        gold = [r for r in rows[name] if not (drop_expired_gold and r["doc_id"] in expired)]
        results.append(score(name, gold, predicted))
    return results


def table(results: list[ProfileScore]) -> str:
    lines = [f"{'profile':<28}{'P':>7}{'R':>7}{'tp':>5}{'fp':>5}{'fn':>5}{'status':>8}"]
    for r in results:
        lines.append(
            f"{r.name:<28}{r.precision:>7.3f}{r.recall:>7.3f}{r.tp:>5}{r.fp:>5}{r.fn:>5}"
            f"{(r.status_ok / r.tp if r.tp else 1):>8.3f}"
        )
    tp, fp, fn = (sum(getattr(r, k) for r in results) for k in ("tp", "fp", "fn"))
    ok = sum(r.status_ok for r in results)
    lines.append(
        f"{'all (micro)':<28}{(tp / (tp + fp) if tp + fp else 1):>7.3f}{(tp / (tp + fn) if tp + fn else 1):>7.3f}"
        f"{tp:>5}{fp:>5}{fn:>5}{(ok / tp if tp else 1):>8.3f}"
    )
    return "\n".join(lines)
