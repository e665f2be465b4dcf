"""Wires the stages together for `policy-kb build`: ingest → obligations → keyword index → dense index."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .build import BuildReport, Derivation, Progress, build, stderr_progress
from .extract.obligations import extract_document
from .progress import Phases
from .records import Document
from .search.dense import build_index, is_current, read_manifest
from .search.keyword import document_tokens, index_document
from .store import Store

Prepared = tuple[list[tuple[Any, ...]], list[tuple[str, str, str]]]


def prepare_document(doc: Document, seconds: dict[str, float]) -> Prepared:
    """A document's obligation rows and keyword-index tokens.  Pure, so it runs in the build's worker processes."""
    t0 = time.process_time()
    obligations = Store.obligation_rows(extract_document(doc))
    t1 = time.process_time()
    tokens = document_tokens(doc)
    seconds["extraction"] = seconds.get("extraction", 0.0) + (t1 - t0)
    seconds["keyword tokens"] = seconds.get("keyword tokens", 0.0) + (time.process_time() - t1)
    return obligations, tokens


def write_document(store: Store, doc: Document, prepared: Prepared) -> None:
    """The rows `prepare_document` computed, written in the build transaction."""
    obligations, tokens = prepared
    store.put_obligation_rows(doc.id, obligations)
    index_document(store, doc, tokens)


DERIVATION = Derivation(prepare_document, write_document)


def _derive(store: Store, doc: Document) -> None:
    """Per-document derived rows computed and written in one step (for `build(on_document=…)` callers)."""
    write_document(store, doc, prepare_document(doc, {}))


def _warm_sentence_vectors(store: Store, model: str, report: BuildReport, phases: Phases) -> None:
    """Encode the obligation sentences of the documents this build added or updated into the embedding cache, for
    the binding classifier's sentence term, so a checklist reads them instead of encoding.  Only when the knowledge
    base embeds with the classifier's own sentence model (the default): with another model (`fake` in tests) they
    are encoded at the first checklist."""
    from .embed.sentence_vectors import SentenceVectors
    from .extract.binding import default_model
    from .store.embedding_cache import CACHE_FILE

    term = default_model().sentence
    changed = report.added + report.updated
    if term is None or term.model != model or not changed:
        return
    with phases.phase("encoding obligation sentences for checklists"):
        texts = (o.text for doc_id in changed for o in store.obligations(doc_id=doc_id))
        SentenceVectors(model, store.index_dir / CACHE_FILE).warm(texts)


def build_all(
    corpus: Path,
    index_dir: Path,
    progress: Progress = stderr_progress,
    embedder_name: str | None = None,
    staged: Sequence[Path] = (),
    workers: int = 1,
    phases: Phases | None = None,
) -> BuildReport:
    """Build the knowledge base, then bring the dense index up to date (only new clause texts are encoded).
    ``workers`` processes parse and extract when there are many files (`policy-kb build --workers`)."""
    phases = phases or Phases(progress)

    def dense(store: Store, report: BuildReport) -> None:
        from .embed.embedder import embedder_name as name_of
        from .embed.embedder import load_embedder

        if report.changed or not is_current(read_manifest(index_dir), store, name_of(embedder_name)):
            with phases.phase("loading the embedding model"):
                embedder = load_embedder(embedder_name)
            stats = build_index(store, embedder, progress, phases=phases)
            progress(
                f"dense index: {stats.total} passages ({stats.encoded} newly encoded, {stats.kind} index) "
                f"in {stats.seconds:.1f}s"
            )
            _warm_sentence_vectors(store, embedder.name, report, phases)

    return build(
        corpus,
        index_dir,
        progress,
        after_write=dense,
        staged=staged,
        derivation=DERIVATION,
        workers=workers,
        phases=phases,
    )
