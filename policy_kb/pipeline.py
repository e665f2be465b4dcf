"""Wires the stages together for `policy-kb build`: ingest → obligations → keyword index → dense index."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .build import BuildReport, Progress, build, stderr_progress
from .extract.obligations import extract_document
from .records import Document
from .search.dense import build_index, is_current, read_manifest
from .search.keyword import index_document
from .store import Store


def _derive(store: Store, doc: Document) -> None:
    """Per-document derived rows, written in the build transaction."""
    store.put_obligations(doc.id, extract_document(doc))
    index_document(store, doc)


def build_all(
    corpus: Path,
    index_dir: Path,
    progress: Progress = stderr_progress,
    embedder_name: str | None = None,
    staged: Sequence[Path] = (),
) -> BuildReport:
    """Build the knowledge base, then bring the dense index up to date (only new clause texts are encoded)."""

    def dense(store: Store, report: BuildReport) -> None:
        from .embed.embedder import embedder_name as name_of
        from .embed.embedder import load_embedder

        if report.changed or not is_current(read_manifest(index_dir), store, name_of(embedder_name)):
            stats = build_index(store, load_embedder(embedder_name), progress)
            progress(
                f"dense index: {stats.total} passages ({stats.encoded} newly encoded, {stats.kind} index) "
                f"in {stats.seconds:.1f}s"
            )

    return build(corpus, index_dir, progress, on_document=_derive, after_write=dense, staged=staged)
