"""`policy-kb build`: bring the knowledge base in line with the corpus folder.

Incremental (a file whose content hash is unchanged is skipped), isolated (one bad file is reported and skipped;
the stored version of a previously good file is kept) and atomic (all writes in one SQLite transaction; a crash or
error leaves the previous knowledge base as it was).  Builds are serialised with a lock file.

Staged files (an upload waiting in ``<corpus>/.staging``) are built as if they were in the corpus folder, but all or
nothing: if one of them fails, the build stops before writing anything, so a refused upload leaves no trace (no
rows, no stored build error).  Once the transaction has committed they are moved into the corpus folder; a crash in
between is repaired at start-up by :func:`policy_kb.reconcile.finish_staged`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import settings
from .ingest.document import content_hash, doc_id_for, process_file
from .ingest.loaders import MAX_BYTES, LoadError
from .records import Document
from .store import Store

Progress = Callable[[str], None]


def fault_point(stage: str) -> None:
    """Crash-safety tests set POLICY_KB_FAULT_INJECT=<stage> to SIGKILL the build exactly here."""
    if settings.current().fault_inject == stage:
        print(f"fault injected at {stage}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


class Ticker:
    """Progress for a long loop: a line at most every PROGRESS_EVERY seconds (and at the end), with the count, the
    rate and the time left, so no phase of a large build is silent for minutes (parsing has its own per-file lines)."""

    def __init__(self, progress: Progress, what: str, total: int, clock: Callable[[], float] = time.monotonic):
        self.progress, self.what, self.total, self.clock = progress, what, total, clock
        self.started = self.last = clock()

    def __call__(self, done: int) -> None:
        now = self.clock()
        if now - self.last < PROGRESS_EVERY and done < self.total:
            return
        self.last = now
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = f", about {(self.total - done) / rate:.0f} s left" if rate and done < self.total else ""
        self.progress(f"{self.what}: {done}/{self.total} ({rate:.1f}/s{left})")


PROGRESS_EVERY = 5.0  # seconds between progress lines of a long phase


def stderr_progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass
class BuildError:
    file: str
    problem: str
    hint: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem} ({self.hint})"


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[BuildError] = field(default_factory=list)
    warnings: list[BuildError] = field(default_factory=list)  # quality problems of documents that were stored
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.errors)} failed in {self.seconds:.2f}s"
        )


class StagedFileRefused(Exception):
    """A staged file could not be built; nothing was written.  Carries the file's error."""

    def __init__(self, error: BuildError):
        super().__init__(str(error))
        self.error = error


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Serialise builds: a second `build` waits for the first instead of interleaving writes."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def scan(corpus: Path) -> list[Path]:
    """Every file of the corpus folder except hidden files and .meta.json sidecars: an unsupported type (.doc)
    is reported by the build instead of being skipped silently."""
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus} does not exist (pass --corpus DIR)")
    return sorted(
        p for p in corpus.iterdir() if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".meta.json")
    )


def _digest(path: Path) -> str | None:
    """Content hash for duplicate detection, read in chunks; None for an oversized file (its size is reported)."""
    if path.stat().st_size > MAX_BYTES:
        return None
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# Complexity over 15 on purpose: the build transaction — staged files, per-file load and extraction with
# per-file errors, one commit, the dense update — kept in one place so the commit boundary is visible
def build(  # noqa: C901 (reason above)
    corpus: Path,
    index_dir: Path,
    progress: Progress = stderr_progress,
    on_document: Callable[[Store, Document], None] | None = None,
    after_write: Callable[[Store, BuildReport], None] | None = None,
    staged: Sequence[Path] = (),
) -> BuildReport:
    """Synchronise ``index_dir/kb.sqlite`` with ``corpus``.

    ``on_document`` writes derived rows (obligations, keyword index) for each new or changed document inside the
    build transaction; ``after_write`` maintains files outside SQLite (the dense index) after the commit.
    ``staged`` files are built with the corpus, must all succeed (else :class:`StagedFileRefused`, nothing written)
    and are moved into ``corpus`` right after the commit.
    """
    started = time.perf_counter()
    report = BuildReport()
    with build_lock(index_dir):
        store = Store(index_dir, create=True)
        try:
            stored = store.doc_files()
            files = sorted([*scan(corpus), *staged], key=lambda p: p.name)
            fresh: list[tuple[Document, str, str, list[int]]] = []
            seen_ids: dict[str, str] = {}
            # identical files: the copy already in the knowledge base is the original, whatever the names; among
            # new files the first in name order.  Decided up front so that files are still processed in name order.
            digests: dict[Path, str] = {}
            for path in files:
                try:
                    digest = _digest(path)
                except OSError:
                    continue  # reported when the file's turn comes
                if digest:
                    digests[path] = digest
            original: dict[str, str] = {}
            for path in sorted(files, key=lambda p: doc_id_for(p) not in stored):
                if path in digests:
                    original.setdefault(digests[path], path.name)
            for i, path in enumerate(files, 1):
                doc_id = doc_id_for(path)
                try:
                    if doc_id in seen_ids:
                        raise LoadError(
                            path, f"same document id '{doc_id}' as {seen_ids[doc_id]}", "rename one of the files"
                        )
                    digest = digests.get(path)
                    if digest and original.get(digest, path.name) != path.name:
                        raise LoadError(
                            path, f"duplicate of {original[digest]} (identical content)", "remove one of the two files"
                        )
                    seen_ids[doc_id] = path.name
                    if doc_id in stored and stored[doc_id][1] == content_hash(path):
                        report.unchanged.append(doc_id)
                        continue
                    progress(f"[{i}/{len(files)}] processing {path.name}")
                    doc, cleaned, raw = process_file(path, doc_id)
                    fresh.append((doc, path.name, raw, cleaned.src))
                    missing = [w.split(" ", 1)[0] for w in doc.warnings if "not stated in the text" in w]
                    if missing:  # normal (a plan without 文号, a law without 令), so one short line, not a warning
                        progress(
                            f"{path.name}: not in the text: {', '.join(missing)} (a .meta.json sidecar can add them)"
                        )
                    for warning in doc.warnings:
                        if "not stated in the text" not in warning:
                            report.warnings.append(BuildError(path.name, warning, "check the document"))
                            progress(f"warning: {path.name}: {warning}")
                    (report.updated if doc_id in stored else report.added).append(doc_id)
                except LoadError as e:
                    report.errors.append(BuildError(path.name, e.problem, e.hint))
                except (ValueError, OSError) as e:
                    report.errors.append(BuildError(path.name, str(e), "fix the file and run build again"))
                except Exception as e:  # a parser bug must not take the other documents down
                    report.errors.append(
                        BuildError(
                            path.name,
                            f"internal error {type(e).__name__}: {e}",
                            "please report this file; the other documents were built",
                        )
                    )
            failed_ids = {doc_id_for(corpus / e.file) for e in report.errors}
            report.removed = sorted(d for d in stored if d not in seen_ids and d not in failed_ids)
            staged_names = {p.name for p in staged}
            refused = [e for e in report.errors if e.file in staged_names]
            if refused:
                raise StagedFileRefused(refused[0])
            for err in report.errors:
                progress(f"error: {err}")
            fault_point("before_write")
            if report.changed or report.errors or store.build_errors():
                with store.transaction():
                    tick = Ticker(progress, "storing documents (clauses, obligations, keyword index)", len(fresh))
                    for n, (doc, file, raw, src) in enumerate(fresh, 1):
                        store.put_document(doc, file, raw, src)
                        if on_document is not None:
                            on_document(store, doc)
                        fault_point("mid_transaction")
                        tick(n)
                    for doc_id in report.removed:
                        store.delete_document(doc_id)
                    store.clear_errors()
                    for err in report.errors:
                        store.record_error(err.file, err.problem, err.hint)
                    store.set_meta("built_at", time.strftime("%Y-%m-%dT%H:%M:%S"))
            fault_point("staged_before_move")
            for path in staged:
                os.replace(path, corpus / path.name)
            fault_point("after_commit")
            if after_write is not None:
                after_write(store, report)
        finally:
            store.close()
    report.seconds = time.perf_counter() - started
    progress(report.summary())
    return report
