"""Bounded, self-cleaning folders: the export cache and Gradio's temp folder.

Why: an export written per request (or per page view) and Gradio's copy of every file it serves are never deleted
by themselves — ten anonymous page loads once added 56 MB.  Exports are now named by what they contain (the
knowledge base's content hashes, the filters and the format), so the same request reuses the same file, and Gradio,
which names its copies by content hash, reuses its copy too.  Both folders are pruned by age, total size and file
count; files younger than ``min_age_s`` are never removed (an upload or a download may be in flight).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

log = logging.getLogger("policy_kb.app")

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 200 * MB
    max_files: int = 500
    max_age_s: float = 3600.0
    min_age_s: float = 60.0


EXPORT_LIMITS = Limits()  # the bytes from Settings.export_cache_bytes (Service.export_limits)
GRADIO_TEMP_MAX_FILES = 2000  # the bytes from Settings.gradio_temp_bytes
JANITOR_INTERVAL_S = 60.0


@dataclass
class PruneReport:
    removed: int = 0
    freed_bytes: int = 0
    kept: int = 0
    kept_bytes: int = 0


def prune(folder: Path, limits: Limits, now: float | None = None, keep: Path | None = None) -> PruneReport:
    """Delete files under ``folder`` (recursively) older than ``max_age_s``, then the oldest until the rest fit in
    ``max_bytes`` and ``max_files``; empty sub-folders go too."""
    now = time.time() if now is None else now
    report = PruneReport()
    files: list[tuple[float, int, Path]] = []
    for path in folder.rglob("*") if folder.is_dir() else []:
        try:
            st = path.lstat()
        except OSError:
            continue
        if path.is_file() and not path.is_symlink():
            files.append((st.st_mtime, st.st_size, path))
    files.sort()  # oldest first
    total, count = sum(f[1] for f in files), len(files)
    for mtime, size, path in files:
        age = now - mtime
        over = total > limits.max_bytes or count > limits.max_files
        if path == keep or age < limits.min_age_s or not (age > limits.max_age_s or over):
            continue
        try:
            path.unlink()
        except OSError:
            continue
        report.removed += 1
        report.freed_bytes += size
        total -= size
        count -= 1
    report.kept, report.kept_bytes = count, total
    for sub in (
        sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)) if folder.is_dir() else []
    ):
        try:
            sub.rmdir()  # only succeeds when empty
        except OSError:
            pass
    return report


class FileCache:
    """Files named by a key: the first request writes the file, later ones with the same key reuse it."""

    def __init__(self, folder: Path, limits: Limits = EXPORT_LIMITS):
        self.folder = folder
        self.limits = limits
        self._lock = threading.Lock()

    def path_for(self, key: str, prefix: str, suffix: str) -> Path:
        return self.folder / f"{prefix}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:20]}{suffix}"

    def get(self, key: str, prefix: str, suffix: str, write: Callable[[IO[str]], object]) -> Path:
        path = self.path_for(key, prefix, suffix)
        with self._lock:
            if path.exists():
                os.utime(path)  # recently used: pruned last
                return path
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                    write(fh)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            prune(self.folder, self.limits, keep=path)
        return path


class Janitor:
    """Prunes folders every ``interval_s`` seconds in a daemon thread."""

    def __init__(self, folders: list[tuple[Path, Limits]], interval_s: float = JANITOR_INTERVAL_S):
        self.folders = folders
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> list[PruneReport]:
        return [prune(folder, limits) for folder, limits in self.folders]

    def start(self) -> Janitor:
        def loop() -> None:
            while not self._stop.wait(self.interval_s):
                try:
                    self.run_once()
                except Exception:  # never let housekeeping take the app down
                    log.exception("janitor failed")

        self._thread = threading.Thread(target=loop, daemon=True, name="policy-kb-janitor")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
