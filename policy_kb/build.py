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
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import settings
from .ingest.document import content_hash, doc_id_for, process_file
from .ingest.loaders import MAX_BYTES, LoadError
from .progress import PROGRESS_EVERY, Phases, PhaseTiming, Progress, Ticker, stderr_progress
from .records import Document
from .store import Store

__all__ = ["PROGRESS_EVERY", "BuildError", "BuildReport", "Progress", "Ticker", "build", "stderr_progress"]


def fault_point(stage: str) -> None:
    """Crash-safety tests set POLICY_KB_FAULT_INJECT=<stage> to SIGKILL the build exactly here."""
    if settings.current().fault_inject == stage:
        print(f"fault injected at {stage}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


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
    phases: list[PhaseTiming] = field(default_factory=list)  # wall seconds of each phase, in order
    # CPU seconds summed per document: load, clean and clauses, extraction, keyword tokens (in the workers), store
    # (the writer)
    stage_seconds: dict[str, float] = field(default_factory=dict)

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


@dataclass(frozen=True)
class Derivation:
    """Per-document derived rows (obligations, keyword tokens) in two halves.  ``prepare(doc, seconds)`` is pure and
    runs where the document was parsed — a worker process in a parallel build, so it must be a module-level
    function (pickled by reference); it adds its stage timings to ``seconds``.  ``write(store, doc, prepared)``
    stores the result inside the build transaction, in the parent."""

    prepare: Callable[[Document, dict[str, float]], Any]
    write: Callable[[Store, Document, Any], None]


@dataclass
class Processed:
    """One file after loading, parsing and `Derivation.prepare`, or its error: what a worker sends back."""

    path: Path
    doc: Document | None = None
    raw: str = ""
    src: list[int] = field(default_factory=list)
    prepared: Any = None
    error: BuildError | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def _file_error(path: Path, e: Exception) -> BuildError:
    if isinstance(e, LoadError):
        return BuildError(path.name, e.problem, e.hint)
    if isinstance(e, (ValueError, OSError)):
        return BuildError(path.name, str(e), "fix the file and run build again")
    # a parser bug must not take the other documents down
    return BuildError(
        path.name, f"internal error {type(e).__name__}: {e}", "please report this file; the other documents were built"
    )


def process(path: Path, doc_id: str, prepare: Callable[[Document, dict[str, float]], Any] | None) -> Processed:
    """Load, clean, parse and derive one file.  Never raises: a failure becomes the file's BuildError, naming the
    file, so one bad document does not stop the others — in this process or in a worker."""
    seconds: dict[str, float] = {}
    try:
        doc, cleaned, raw = process_file(path, doc_id, timings=seconds)
        prepared = prepare(doc, seconds) if prepare is not None else None
    except Exception as e:
        return Processed(path, error=_file_error(path, e), seconds=seconds)
    return Processed(path, doc, raw, cleaned.src, prepared, None, seconds)


PARALLEL_MIN_FILES = 8  # fewer files are processed in the build's own process: starting a worker costs ~3 s
CHUNK = 4  # files per task sent to a worker


def default_workers() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _processed(
    tasks: list[tuple[Path, str]],
    prepare: Callable[[Document, dict[str, float]], Any] | None,
    workers: int,
    say: Progress = stderr_progress,
) -> Iterator[Processed]:
    """`process` over the tasks, results in task order: in worker processes (spawned, so no state of this process
    — an open SQLite connection, a loaded model — is copied into them) when there are enough files.  If the workers
    cannot start (a caller whose main module cannot be re-imported, e.g. a script piped to `python -`) or one dies
    (out of memory), the remaining files are processed here: the build goes on, one process slower."""
    if workers <= 1 or len(tasks) < PARALLEL_MIN_FILES:
        for path, doc_id in tasks:
            yield process(path, doc_id, prepare)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=multiprocessing.get_context("spawn"))
    done = 0
    try:
        paths, ids = [t[0] for t in tasks], [t[1] for t in tasks]
        try:
            for item in pool.map(process, paths, ids, [prepare] * len(tasks), chunksize=CHUNK):
                yield item
                done += 1
        except BrokenProcessPool as e:
            say(f"worker processes failed ({e}); the other {len(tasks) - done} files are processed in this process")
            for path, doc_id in tasks[done:]:
                yield process(path, doc_id, prepare)
    finally:  # also when the caller stops early (a refused upload, a failed write): drop the queued files
        pool.shutdown(wait=True, cancel_futures=True)


PER_FILE_LINES = 50  # up to this many files to process, a `[i/n] processing` line each; beyond, a progress bar


def _plan(
    files: list[Path], stored: dict[str, tuple[str, str]], report: BuildReport
) -> tuple[list[tuple[Path, str]], dict[str, str]]:
    """Which files to process: not unchanged, not a duplicate, not a second file with the same document id.
    Returns the tasks (path, doc id) in name order and doc id → file name of every file seen."""
    seen_ids: dict[str, str] = {}
    # identical files: the copy already in the knowledge base is the original, whatever the names; among new files
    # the first in name order
    digests: dict[Path, str] = {}
    for path in files:
        try:
            digest = _digest(path)
        except OSError:
            continue  # reported when the file is processed
        if digest:
            digests[path] = digest
    original: dict[str, str] = {}
    for path in sorted(files, key=lambda p: doc_id_for(p) not in stored):
        if path in digests:
            original.setdefault(digests[path], path.name)
    tasks = []
    for path in files:
        doc_id = doc_id_for(path)
        try:
            if doc_id in seen_ids:
                raise LoadError(path, f"same document id '{doc_id}' as {seen_ids[doc_id]}", "rename one of the files")
            digest = digests.get(path)
            if digest and original.get(digest, path.name) != path.name:
                raise LoadError(
                    path, f"duplicate of {original[digest]} (identical content)", "remove one of the two files"
                )
            seen_ids[doc_id] = path.name
            if doc_id in stored and stored[doc_id][1] == content_hash(path):
                report.unchanged.append(doc_id)
                continue
        except Exception as e:
            report.errors.append(_file_error(path, e))
            continue
        tasks.append((path, doc_id))
    return tasks, seen_ids


def _note_document(item: Processed, report: BuildReport, say: Progress, not_stated: Counter[str] | None) -> None:
    """Warnings of a stored document; metadata the text does not state is one line per file, or only counted
    (``not_stated``) in a large build, where a line per file would bury the progress."""
    assert item.doc is not None
    doc, name = item.doc, item.path.name
    missing = [w.split(" ", 1)[0] for w in doc.warnings if "not stated in the text" in w]
    if missing and not_stated is not None:
        not_stated.update(missing)
    elif missing:  # normal (a plan without 文号, a law without 令), so one short line, not a warning
        say(f"{name}: not in the text: {', '.join(missing)} (a .meta.json sidecar can add them)")
    for warning in doc.warnings:
        if "not stated in the text" not in warning:
            report.warnings.append(BuildError(name, warning, "check the document"))
            say(f"warning: {name}: {warning}")


# Complexity over 15 on purpose: the build transaction — staged files, per-file processing with per-file errors,
# the lazily opened transaction, one commit, the dense update — kept in one place so the commit boundary is visible
def build(  # noqa: C901 (reason above)
    corpus: Path,
    index_dir: Path,
    progress: Progress = stderr_progress,
    on_document: Callable[[Store, Document], None] | None = None,
    after_write: Callable[[Store, BuildReport], None] | None = None,
    staged: Sequence[Path] = (),
    derivation: Derivation | None = None,
    workers: int = 1,
    phases: Phases | None = None,
) -> BuildReport:
    """Synchronise ``index_dir/kb.sqlite`` with ``corpus``.

    ``derivation`` computes derived rows (obligations, keyword index) for each new or changed document — its
    ``prepare`` half with the parsing, in ``workers`` processes — and writes them inside the build transaction;
    ``on_document`` is the one-process alternative (computed and written in the transaction).  ``after_write``
    maintains files outside SQLite (the dense index) after the commit.  ``staged`` files are built with the corpus,
    must all succeed (else :class:`StagedFileRefused`, nothing written) and are moved into ``corpus`` right after
    the commit.  Documents are written in name order whatever ``workers`` is, so the result is the same.
    """
    started = time.perf_counter()
    report = BuildReport()
    phases = phases or Phases(progress)
    report.phases = phases.timings
    prepare = derivation.prepare if derivation is not None else None
    with build_lock(index_dir):
        store = Store(index_dir, create=True)
        try:
            stored = store.doc_files()
            files = sorted([*scan(corpus), *staged], key=lambda p: p.name)
            position = {p: i for i, p in enumerate(files, 1)}
            with phases.phase("checking files", len(files)):
                tasks, seen_ids = _plan(files, stored, report)
            staged_names = {p.name for p in staged}
            refused = [e for e in report.errors if e.file in staged_names]
            if refused:
                raise StagedFileRefused(refused[0])
            n_workers = workers if len(tasks) >= PARALLEL_MIN_FILES else 1
            with ExitStack() as transaction:
                opened = False

                def begin() -> None:  # at the first write: a build that changes nothing writes nothing
                    nonlocal opened
                    if not opened:
                        fault_point("before_write")
                        transaction.enter_context(store.transaction())
                        opened = True

                not_stated: Counter[str] | None = Counter() if len(tasks) > PER_FILE_LINES else None
                what = "parsing, extraction and storing" + (f" ({n_workers} workers)" if n_workers > 1 else "")
                with phases.phase(what, len(tasks)) as tick:
                    for n, item in enumerate(_processed(tasks, prepare, n_workers, phases.say), 1):
                        path = item.path
                        if len(tasks) <= PER_FILE_LINES:
                            phases.say(f"[{position[path]}/{len(files)}] processing {path.name}")
                        for stage, seconds in item.seconds.items():
                            report.stage_seconds[stage] = report.stage_seconds.get(stage, 0.0) + seconds
                        if item.error is not None or item.doc is None:
                            if item.error is not None:
                                report.errors.append(item.error)
                            if path.name in staged_names and item.error is not None:
                                raise StagedFileRefused(item.error)  # rolls back what was written
                            tick(n)
                            continue
                        _note_document(item, report, phases.say, not_stated)
                        doc = item.doc
                        begin()
                        t0 = time.process_time()
                        store.put_document(doc, path.name, item.raw, item.src)
                        if derivation is not None:
                            derivation.write(store, doc, item.prepared)
                        if on_document is not None:
                            on_document(store, doc)
                        report.stage_seconds["store"] = report.stage_seconds.get("store", 0.0) + (
                            time.process_time() - t0
                        )
                        (report.updated if doc.id in stored else report.added).append(doc.id)
                        fault_point("mid_transaction")
                        tick(n)
                for name, count in sorted((not_stated or {}).items()):
                    phases.say(f"{count} documents do not state {name} in the text (a .meta.json sidecar can add it)")
                report.errors.sort(key=lambda e: e.file)  # name order, as the files were checked
                failed_ids = {doc_id_for(corpus / e.file) for e in report.errors}
                report.removed = sorted(d for d in stored if d not in seen_ids and d not in failed_ids)
                for err in report.errors:
                    phases.say(f"error: {err}")
                if report.changed or report.errors or store.build_errors():
                    begin()
                    for doc_id in report.removed:
                        store.delete_document(doc_id)
                    store.clear_errors()
                    for err in report.errors:
                        store.record_error(err.file, err.problem, err.hint)
                    store.set_meta("built_at", time.strftime("%Y-%m-%dT%H:%M:%S"))
                if opened:
                    with phases.phase("commit"):
                        transaction.close()
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
