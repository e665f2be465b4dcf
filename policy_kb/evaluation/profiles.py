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
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..embed.sentence_vectors import SentenceVectors
from ..extract.binding import BindingModel
from ..records import Document, Obligation
from ..store.embedding_cache import CACHE_FILE
from .documents import REAL_DEV, source_path
from .extraction import _norm

if TYPE_CHECKING:
    from ..profile.model import Profile
    from .binding_fit import Example

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "gold" / "profiles"
CORPUS = ROOT / "corpus"
PROFILE_DOCS = ROOT / "tests" / "fixtures" / "profile_docs"
PROFILE_DOCS_TEST = ROOT / "tests" / "fixtures" / "profile_docs_test"  # 公文 written for test profiles only
# the test split: never looked at while the matching was developed (the others are the development split)
TEST_PROFILES = (
    "kelan_43m_coking",
    "hongtong_linfen_coking",
    "linyi_shandong_coking",
    "yuxian_yangquan_cement",
    "shenzhen_guangdong_coatings",  # session 9: documents no dev profile and no fit has seen (l13–l15, 广东)
    "yingde_qingyuan_cement",
    "zhangqiu_jinan_coking",  # session 12: documents no dev profile and no fit has seen (l28–l30, 山东)
    "zibo_linzi_chemical",
    "fugu_yulin_semicoke",  # session 16: the two held-out 公文 fixtures, which no dev profile and no fit reads
    "wuhai_coking_clean",
    "shizuishan_ningxia_coking",  # session 17: two 公文 written for test profiles (tests/fixtures/profile_docs_test)
    "qujing_yunnan_coking",
)


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


def _source(doc_id: str, heldout: bool = False) -> Path:
    """A profile's document: a seed, a 公文 written for the profile gold (tests/fixtures/profile_docs: the checklists
    of laws far outnumber those of 公文), a dev layout fixture (a 公文 the extraction gold develops on), a real text or
    a LawRefBook text.  The held-out layout fixtures and the 公文 written for test profiles only with `heldout`: a
    document only test profiles read, so no fit ever sees it (the unseen 公文 of the test profiles)."""
    path = next((p for p in (CORPUS / f"{doc_id}.txt", PROFILE_DOCS / f"{doc_id}.txt") if p.is_file()), None)
    found = path or source_path(doc_id, "dev")
    if heldout and found is None:
        test_doc = PROFILE_DOCS_TEST / f"{doc_id}.txt"
        found = test_doc if test_doc.is_file() else source_path(doc_id, "heldout")
    if found is None:
        raise FileNotFoundError(
            f"gold document {doc_id} not found in corpus/, {PROFILE_DOCS}, the dev layout fixtures, {REAL_DEV} or the "
            "LawRefBook list (a held-out fixture only for test profiles)"
        )
    return found


def _documents(
    doc_ids: set[str], heldout: frozenset[str] = frozenset()
) -> dict[str, tuple[Document, list[Obligation]]]:
    """Each document read and its obligations extracted; `heldout`: the ones that may be held-out fixtures."""
    from ..extract.obligations import extract_document
    from ..ingest.document import process_file

    out = {}
    for doc_id in sorted(doc_ids):
        doc, _, _ = process_file(_source(doc_id, doc_id in heldout), doc_id)
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


@dataclass
class Gold:
    """The gold of some profiles: their reviewed documents (extracted once), rows and profiles."""

    names: list[str]
    scopes: dict[str, list[str]]
    rows: dict[str, list[dict[str, Any]]]
    docs: dict[str, tuple[Document, list[Obligation]]]

    def profile(self, name: str) -> Profile:
        from ..profile.model import load_profile

        return load_profile(GOLD / f"{name}.json")

    def examples(self, as_of: date = date(2026, 12, 6)) -> list[Example]:
        from ..profile.match import expired_plans
        from .binding_fit import examples_of

        expired = expired_plans([d for d, _ in self.docs.values()], as_of)
        examples = [
            e
            for n in self.names
            for e in examples_of(
                n, self.profile(n), (o for d in self.scopes[n] for o in self.docs[d][1]), self.rows[n], expired
            )
        ]
        vector_of = fit_sentence_vectors().of(e.sentence for e in examples)
        for e in examples:
            e.vector = vector_of[e.sentence]
        return examples


@lru_cache(maxsize=1)
def fit_sentence_vectors() -> SentenceVectors:
    """The fit's sentence vectors, cached in build/ across runs (4 000 sentences take about 40 s to encode) and kept
    in memory for the process: the fit reads them for its examples and again for each cross-validated checklist."""
    from .binding_fit import SENTENCE_MODEL

    (ROOT / "build").mkdir(exist_ok=True)
    return SentenceVectors(SENTENCE_MODEL, ROOT / "build" / CACHE_FILE)


def load_gold(split: str = "all", only: list[str] | None = None) -> Gold:
    """`split`: dev (every profile not in TEST_PROFILES), test or all; `only`: these profiles (file stems)."""
    scopes = {
        r["profile"]: r["documents"]
        for r in map(json.loads, (GOLD / "scope.jsonl").read_text(encoding="utf-8").splitlines())
        if r
    }
    unknown = sorted(set(only or []) - set(scopes))
    if unknown:
        raise ValueError(f"unknown profiles {unknown} (known: {', '.join(scopes)})")
    names = [n for n in scopes if split == "all" or (n in TEST_PROFILES) == (split == "test")]
    names = [n for n in names if not only or n in only]
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in (GOLD / "checklists.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row["profile"] in names:
                rows[row["profile"]].append(row)
    docs = {d for n in names for d in scopes[n]}
    dev_docs = {d for n in names if n not in TEST_PROFILES for d in scopes[n]}
    return Gold(names, scopes, rows, _documents(docs, frozenset(docs - dev_docs)))


def evaluate_profiles(
    split: str = "all",
    as_of: date = date(2026, 12, 6),
    baseline: bool = False,
    drop_expired_gold: bool = False,
    *,
    gold: Gold | None = None,
    models: dict[tuple[str, str], BindingModel] | None = None,
) -> list[ProfileScore]:
    """Each profile's checklist against its gold.  `models`: per (profile, document) the binding classifier that
    decides it (cross-validation); otherwise the shipped one."""
    from ..profile.match import checklist, expired_plans

    gold = gold or load_gold(split)
    expired = expired_plans([d for d, _ in gold.docs.values()], as_of)
    vectors = fit_sentence_vectors()
    results = []
    for name in gold.names:
        profile = gold.profile(name)
        obligations = [o for d in gold.scopes[name] for o in gold.docs[d][1]]
        if baseline:
            predicted = [(o, False) for o in obligations if o.jurisdiction in profile.places]
        elif models is not None:
            predicted = [
                (i.obligation, bool(i.to_confirm))
                for d in gold.scopes[name]
                if (name, d) in models  # no cell: nothing of d is in the profile's chain with conditions met
                for i in checklist(profile, gold.docs[d][1], as_of, expired, models[(name, d)], vectors)
            ]
        else:
            predicted = [
                (i.obligation, bool(i.to_confirm))
                for i in checklist(profile, obligations, as_of, expired, None, vectors)
            ]
        rows = [r for r in gold.rows[name] if not (drop_expired_gold and r["doc_id"] in expired)]
        results.append(score(name, rows, predicted))
    return results


def micro(results: list[ProfileScore]) -> dict[str, float]:
    tp, fp, fn = (sum(getattr(r, k) for r in results) for k in ("tp", "fp", "fn"))
    return {
        "precision": round(tp / (tp + fp) if tp + fp else 1.0, 3),
        "recall": round(tp / (tp + fn) if tp + fn else 1.0, 3),
    }


def fit_profiles(as_of: date = date(2026, 12, 6), out: Path | None = None) -> dict[str, Any]:
    """Fit the binding classifier on the dev profiles (never the test ones), cross-validated by profile and by
    document; writes policy_kb/data/binding_model.json (or `out`) and returns the cross-validated report."""
    from .binding_fit import fit, fold_models

    gold = load_gold("dev")
    examples = gold.examples(as_of)
    folds = fold_models(examples)
    cv = {
        "as_written": evaluate_profiles(as_of=as_of, gold=gold, models=folds),
        "in_force": evaluate_profiles(as_of=as_of, gold=gold, models=folds, drop_expired_gold=True),
    }
    report = {
        "cross_validated": "by profile and by document: each (profile, document) decided by a model fitted "
        "without that profile and without that document, its threshold chosen on that model's training folds",
        **{
            f"cv_{reading}": {
                "micro": micro(results),
                **{r.name: {"precision": round(r.precision, 3), "recall": round(r.recall, 3)} for r in results},
            }
            for reading, results in cv.items()
        },
    }
    kwargs = {"out": out} if out else {}
    fit(examples, report, **kwargs)
    return report


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
