"""Wires the stages together for `policy-kb build`: ingest → obligations → keyword index → dense index."""

from __future__ import annotations

from pathlib import Path

from .extract.obligations import extract_document
from .build import BuildReport, Progress, build, stderr_progress
from .records import Document
from .store import Store


def _derive(store: Store, doc: Document) -> None:
    """Per-document derived rows, written in the build transaction."""
    store.put_obligations(doc.id, extract_document(doc))


def build_all(corpus: Path, index_dir: Path, progress: Progress = stderr_progress) -> BuildReport:
    return build(corpus, index_dir, progress, on_document=_derive)
