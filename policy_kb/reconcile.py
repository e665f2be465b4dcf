"""Start-up reconciliation of the corpus folder with the knowledge base.

An upload is staged in ``<corpus>/.staging``, built, and moved into the corpus folder after the SQLite commit
(:func:`policy_kb.build.build`).  A crash can leave:
* a staged file whose build never committed: the upload was never confirmed, so the file is discarded;
* a staged file whose build committed but which was not moved yet: the move is finished;
* a file in the corpus folder that is not in the knowledge base (copied in by hand, or left by an older version):
  it is ingested, or its problem is recorded as a build error (`policy-kb docs`, the Documents tab) — never silent;
* a dense index behind the knowledge base: brought up to date (only the missing clauses are encoded).
The last two are what an ordinary incremental build does, so reconciliation is "finish the staging, then build".
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .build import BuildReport, Progress, build_lock, stderr_progress
from .ingest.document import content_hash
from .store import Store

STAGING_DIR = ".staging"  # hidden: never scanned as part of the corpus


def staging_dir(corpus: Path) -> Path:
    return corpus / STAGING_DIR


@dataclass
class ReconcileReport:
    completed: list[str] = field(default_factory=list)  # staged files moved into the corpus folder
    discarded: list[str] = field(default_factory=list)  # staged files of uploads that never committed
    build: BuildReport | None = None

    def summary(self) -> str:
        parts = [f"{len(self.completed)} staged upload(s) completed, {len(self.discarded)} discarded"]
        if self.build is not None:
            parts.append(self.build.summary())
        return "; ".join(parts)


def finish_staged(corpus: Path, index_dir: Path) -> ReconcileReport:
    """Complete or discard what a crashed upload left in the staging folder (see the module docstring)."""
    report = ReconcileReport()
    folder = staging_dir(corpus)
    if not folder.is_dir():
        return report
    stored: dict[str, str] = {}
    if (index_dir / "kb.sqlite").exists():
        store = Store(index_dir)
        try:
            stored = {file: digest for file, digest in store.doc_files().values()}
        finally:
            store.close()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        target = corpus / path.name
        if stored.get(path.name) == content_hash(path) and not target.exists():
            os.replace(path, target)
            report.completed.append(path.name)
        else:
            path.unlink()
            report.discarded.append(path.name)
    return report


def reconcile(
    corpus: Path,
    index_dir: Path,
    progress: Progress = stderr_progress,
    embedder_name: str | None = None,
    workers: int = 1,
) -> ReconcileReport:
    """Finish the staging folder, then build: stranded corpus files are ingested or reported, and the dense index
    catches up.  Does nothing but hashing when everything is in line.  `policy-kb build` runs this too, so a build
    between a crash and the app's restart finishes a committed upload instead of removing it."""
    from .pipeline import build_all

    with build_lock(index_dir):  # not while a build (an upload's, in the app) is running
        report = finish_staged(corpus, index_dir)
    for name in report.completed:
        progress(f"reconcile: upload {name} completed after a crash")
    for name in report.discarded:
        progress(f"reconcile: unconfirmed upload {name} discarded")
    report.build = build_all(corpus, index_dir, progress, embedder_name, workers=workers)
    return report
