"""`policy-kb eval documents`: structure, metadata and obligations of documents the code was not written on.

The gold lives in ``tests/gold/real/<split>/`` (``metadata*.jsonl``, ``obligations*.jsonl``; see the README there).
Real texts are read from ``../shared/real-dev/`` (never copied into the repository), fixtures from
``tests/fixtures/layouts/<split>/``; a gold document from the LawRefBook tarball (``../shared/lawrefbook/``, listed in
``tests/gold/lawrefbook_docs.tsv``) is extracted from it once into ``build/lawrefbook/``.  Documents are processed
in-process (load → clean → clauses → metadata → obligations) without a knowledge base, so the score depends only on
ingest and extraction.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import settings
from .extraction import ExtractionReport, evaluate, load_gold

ROOT = Path(__file__).resolve().parents[2]
GOLD_ROOT = ROOT / "tests" / "gold" / "real"
FIXTURE_ROOT = ROOT / "tests" / "fixtures" / "layouts"
REAL_DEV = settings.current().real_dev  # never copied into the repository
LAWREFBOOK = settings.current().lawrefbook
LAWREFBOOK_CACHE = ROOT / "build" / "lawrefbook"
# gold documents taken from the LawRefBook tarball: doc_id → its path inside the archive (README in tests/gold/)
LAWREFBOOK_GOLD_DOCS = ROOT / "tests" / "gold" / "lawrefbook_docs.tsv"
LAWREFBOOK_TEST_DOCS = ROOT / "tests" / "gold" / "lawrefbook_test_docs.tsv"  # read by test gold only: not linked
# into the fit corpus
META_FIELDS = ("title", "jurisdiction", "level", "issue_date", "doc_number", "issuer", "effective_date")
COUNT_FIELDS = ("articles", "chapters", "sections")


@dataclass
class DocumentsReport:
    """Metadata field accuracy, structure counts and the obligation report of one gold split."""

    metadata: dict[str, tuple[int, int]] = field(default_factory=dict)  # field → (correct, total)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    metadata_errors: list[str] = field(default_factory=list)
    obligations: ExtractionReport = field(default_factory=ExtractionReport)
    missing_files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def acc(d: dict[str, tuple[int, int]]) -> dict[str, Any]:
            return {k: {"value": round(a / t, 4) if t else 1.0, "correct": a, "total": t} for k, (a, t) in d.items()}

        return {
            "metadata": acc(self.metadata),
            "structure": acc(self.counts),
            "obligations": self.obligations.to_dict(),
            "missing_files": self.missing_files,
        }

    def table(self) -> str:
        lines = [f"{'metadata / structure':<22}{'value':>10}{'correct':>10}{'total':>8}"]
        for k, (a, t) in {**self.counts, **self.metadata}.items():
            lines.append(f"{k:<22}{(a / t if t else 1.0):>10.3f}{a:>10}{t:>8}")
        return "\n".join([*lines, "", self.obligations.table()])


def source_path(doc_id: str, split: str | None = None) -> Path | None:
    """A gold document's file: a fixture of the split, a real text in ``../shared/real-dev``, else a LawRefBook
    text named in ``tests/gold/lawrefbook_docs.tsv`` (extracted from the tarball once)."""
    folders = ([FIXTURE_ROOT / split] if split else []) + [REAL_DEV]
    for folder in folders:
        for ext in (".txt", ".md", ".docx", ".pdf", ".html"):
            p = folder / f"{doc_id}{ext}"
            if p.is_file():
                return p
    member = lawrefbook_gold_docs().get(doc_id)
    return lawrefbook_file(member) if member else None


@lru_cache(maxsize=2)
def lawrefbook_gold_docs(test: bool = True) -> dict[str, str]:
    """doc_id → member of the LawRefBook tarball, for the gold documents taken from it (empty without tests/); with
    `test`, also the documents only test gold reads (`lawrefbook_test_docs.tsv`), which no fit ever sees."""
    out: dict[str, str] = {}
    for listing in (LAWREFBOOK_GOLD_DOCS, LAWREFBOOK_TEST_DOCS) if test else (LAWREFBOOK_GOLD_DOCS,):
        if not listing.is_file():
            continue
        lines = listing.read_text(encoding="utf-8").splitlines()
        rows = [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
        out.update({doc_id: member for doc_id, member in rows if doc_id != "doc_id"})
    return out


def link_lawrefbook_gold(folder: str | Path) -> list[Path]:
    """Symlink every LawRefBook gold document into `folder` as ``<doc_id>.md`` (the fit corpus of `make fit`), so
    its doc_id is the one the gold cites; the texts stay outside the repository.  A file of that name that is no
    link is left alone (and reported): nothing of the user's is replaced."""
    links = []
    for doc_id, member in lawrefbook_gold_docs(test=False).items():
        source = lawrefbook_file(member)
        if source is None:
            raise FileNotFoundError(f"{member} not in {LAWREFBOOK} (set POLICY_KB_LAWREFBOOK)")
        link = Path(folder) / f"{doc_id}.md"
        if link.exists() and not link.is_symlink():
            raise FileExistsError(f"{link} exists and is not a link; remove it to link {member}")
        link.unlink(missing_ok=True)
        link.symlink_to(source.resolve())
        links.append(link)
    return links


def lawrefbook_file(member: str) -> Path | None:
    """A file of the LawRefBook tarball (its path inside the archive), extracted once into build/lawrefbook/."""
    target = LAWREFBOOK_CACHE / member
    if not target.is_file():
        if not LAWREFBOOK.is_file():
            return None
        with tarfile.open(LAWREFBOOK) as archive:
            try:
                archive.extract(member, LAWREFBOOK_CACHE, filter="data")
            except KeyError:
                return None
    return target


def _gold_rows(split: str, prefix: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted((GOLD_ROOT / split).glob(f"{prefix}*.jsonl")):
        rows.extend(load_gold(path))
    return rows


def _label_counts(clauses: list[Any]) -> dict[str, int]:
    ends = {"articles": "条", "chapters": "章", "sections": "节"}
    return {
        k: sum(
            1
            for c in clauses
            if c.kind == "body" and (c.label or "").startswith("第") and (c.label or "").endswith(end)
        )
        for k, end in ends.items()
    }


def is_fixture(doc_id: str, split: str) -> bool:
    return any((FIXTURE_ROOT / split).glob(f"{doc_id}.*"))


def evaluate_split(split: str, only: str | None = None) -> DocumentsReport:
    """Score one split; `only` = "real" or "fixtures" restricts it to the real texts or the 公文 fixtures."""
    from ..extract.obligations import extract_document
    from ..ingest.document import process_file

    report = DocumentsReport()
    keep = lambda r: only is None or is_fixture(r["doc_id"], split) == (only == "fixtures")  # noqa: E731
    meta_rows = [r for r in _gold_rows(split, "metadata") if keep(r)]
    ob_rows = [r for r in _gold_rows(split, "obligations") if keep(r)]
    doc_ids = list(dict.fromkeys([r["doc_id"] for r in meta_rows] + [r["doc_id"] for r in ob_rows]))
    predicted: list[dict[str, Any]] = []
    docs = {}
    sources = {r["doc_id"]: r["source"] for r in meta_rows if r.get("source")}  # LawRefBook members (heldout2)
    for doc_id in doc_ids:
        path = lawrefbook_file(sources[doc_id]) if doc_id in sources else source_path(doc_id, split)
        if path is None:
            report.missing_files.append(doc_id)
            continue
        doc, _, _ = process_file(path, doc_id)
        docs[doc_id] = doc
        predicted.extend(o.to_dict() for o in extract_document(doc))
    for row in meta_rows:
        found = docs.get(row["doc_id"])
        if found is None:
            continue
        got = found.to_dict()
        for name in META_FIELDS:
            if name not in row:
                continue
            ok = got.get(name) == row[name]
            a, t = report.metadata.get(name, (0, 0))
            report.metadata[name] = (a + ok, t + 1)
            if not ok:
                report.metadata_errors.append(f"{row['doc_id']} {name}: gold {row[name]!r} got {got.get(name)!r}")
        counts = _label_counts(found.clauses)
        for name in COUNT_FIELDS:
            if row.get(name) is None:
                continue
            ok = counts[name] == row[name]
            a, t = report.counts.get(name, (0, 0))
            report.counts[name] = (a + ok, t + 1)
            if not ok:
                report.metadata_errors.append(f"{row['doc_id']} {name}: gold {row[name]} got {counts[name]}")
    report.obligations = evaluate(ob_rows, predicted)
    return report
