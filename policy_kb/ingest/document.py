"""One corpus file → a :class:`Document` with cleaned text, metadata and clauses (pure apart from reading the file)."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from ..records import Document
from .clauses import numbering_warnings, parse_clauses
from .clean import CleanText, clean, for_matching
from .loaders import load_text
from .metadata import apply_sidecar, derive, sidecar_path

QUERY_TIME_DATA = {"answer_model.json", "README.md"}


def _pipeline_version() -> str:
    """Hash of the code that turns a file into stored rows: new code reprocesses unchanged files."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for folder in ("ingest", "extract"):
        for f in sorted((root / folder).glob("*.py")):
            h.update(f.read_bytes())
    h.update((root / "places.py").read_bytes())
    # the data files extraction reads (word lists, place tables, the binding classifier's weights, whose decision is
    # stored with each obligation); not the answer model, which only questions read
    for f in sorted((root / "data").iterdir()):
        if f.is_file() and f.name not in QUERY_TIME_DATA:
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


PIPELINE_VERSION = _pipeline_version()


def doc_id_for(path: Path) -> str:
    """File name without extension, made safe for IDs: spaces and path characters become `-`."""
    return re.sub(r"[^\w.\-]+", "-", path.stem).strip("-.") or "doc"


def content_hash(path: Path) -> str:
    """Hash of the file, its sidecar and the pipeline version: any of them changing means reprocess."""
    h = hashlib.sha256(PIPELINE_VERSION.encode())
    h.update(path.read_bytes())
    side = sidecar_path(path)
    if side:
        h.update(side.read_bytes())
    return h.hexdigest()


def process_file(
    path: Path, doc_id: str | None = None, timings: dict[str, float] | None = None
) -> tuple[Document, CleanText, str]:
    """Load, clean and parse one file. Returns the document, its clean text (with offset map) and the raw text.
    ``timings`` gets the CPU seconds of loading and of cleaning + clauses + metadata added (the build's per-stage
    report; CPU rather than wall time, so that a busy machine does not inflate them)."""
    t0 = time.process_time()
    raw = load_text(path)
    t1 = time.process_time()
    cleaned = clean(raw)
    doc_id = doc_id or doc_id_for(path)
    clauses = parse_clauses(doc_id, cleaned.text, cleaned.mojibake)
    meta = derive(for_matching(cleaned.text), clauses)  # 文号 and citations are read with uniform brackets
    side = sidecar_path(path)
    if side:
        apply_sidecar(meta, side)
    warnings = meta.warnings + cleaned.warnings + numbering_warnings(clauses)
    if not any(c.kind == "body" for c in clauses):
        warnings.append("no numbered clauses found: the document is stored as unnumbered text")
    doc = Document(
        id=doc_id,
        source_file=meta.source_file or path.name,
        title=meta.title,
        doc_number=meta.doc_number,
        issuer=meta.issuer,
        issue_date=meta.issue_date,
        jurisdiction=meta.jurisdiction,
        level=meta.level,
        cites=meta.cites,
        text=cleaned.text,
        content_hash=content_hash(path),
        warnings=warnings,
        clauses=clauses,
        effective_date=meta.effective_date,
        history=meta.history,
    )
    if timings is not None:
        timings["load"] = timings.get("load", 0.0) + (t1 - t0)
        timings["clean and clauses"] = timings.get("clean and clauses", 0.0) + (time.process_time() - t1)
    return doc, cleaned, raw
