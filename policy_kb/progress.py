"""Progress of the long phases of a build: a bar with count and time left on a terminal, plain periodic lines
otherwise (a log, a pipe, the web app), and each phase's wall time for `build --json`.

A large build runs for minutes; a phase that prints nothing for that long looks hung (issue 18).  Every phase
reports at least every PROGRESS_EVERY seconds: counted phases from their loop, uncounted ones (training an index,
a commit) from a heartbeat thread.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

Progress = Callable[[str], None]

PROGRESS_EVERY = 5.0  # seconds between progress lines of a long phase


def stderr_progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Ticker:
    """Progress for a long loop: a line at most every PROGRESS_EVERY seconds (and at the end), with the count, the
    rate and the time left."""

    def __init__(self, progress: Progress, what: str, total: int, clock: Callable[[], float] = time.monotonic):
        self.progress, self.what, self.total, self.clock = progress, what, total, clock
        self.started = self.last = clock()
        self.done = 0

    def __call__(self, done: int) -> None:
        self.done = done
        now = self.clock()
        if now - self.last < PROGRESS_EVERY and done < self.total:
            return
        self.line(now)

    def line(self, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        self.last = now
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = f", about {(self.total - self.done) / rate:.0f} s left" if rate and self.done < self.total else ""
        self.progress(f"{self.what}: {self.done}/{self.total} ({rate:.1f}/s{left})")

    def message(self, msg: str) -> None:
        self.progress(msg)

    def close(self) -> None:
        pass


class _Bar:
    """tqdm on a terminal: same interface as Ticker; messages go above the bar."""

    def __init__(self, what: str, total: int):
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=what, unit="", file=sys.stderr, dynamic_ncols=True, leave=True)
        self.last = time.monotonic()

    def __call__(self, done: int) -> None:
        self.bar.update(done - self.bar.n)  # redrawn at most every 0.1 s by tqdm itself
        self.last = time.monotonic()

    def line(self, now: float | None = None) -> None:
        self.bar.refresh()
        self.last = time.monotonic()

    def message(self, msg: str) -> None:
        self.bar.write(msg, file=sys.stderr)

    def close(self) -> None:
        self.bar.close()


@dataclass
class PhaseTiming:
    name: str
    seconds: float
    count: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "seconds": round(self.seconds, 3), "count": self.count}


class Phases:
    """The phases of one build, in order, with their wall seconds (`timings`).  `bars`: tqdm bars (default: when
    the messages go to a terminal's stderr)."""

    def __init__(self, progress: Progress = stderr_progress, bars: bool | None = None):
        self.sink = progress
        if bars is None:
            bars = progress is stderr_progress and sys.stderr.isatty()
        self.bars = bars
        # when the last line went out, whichever phase printed it: several short phases in a row (a commit, reading
        # passages, the cache lookup) must not add up to a long silence
        self.last_output = time.monotonic()
        self.timings: list[PhaseTiming] = []
        self.current: Ticker | _Bar | None = None

    def progress(self, msg: str) -> None:
        self.last_output = time.monotonic()
        self.sink(msg)

    def say(self, msg: str) -> None:
        """A message during a phase (a warning, an error): above the bar on a terminal."""
        self.last_output = time.monotonic()
        if self.current is not None:
            self.current.message(msg)
        else:
            self.sink(msg)

    @contextmanager
    def phase(self, name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        """Time a phase; yields `tick(done)` for counted phases.  A heartbeat line every PROGRESS_EVERY seconds
        when the phase's own loop has not reported (uncounted phases, or one slow item)."""
        counter: Ticker | _Bar
        if self.bars and total:
            try:
                counter = _Bar(name, total)
            except ImportError:  # tqdm is a dependency; a stripped install still gets lines
                counter = Ticker(self.progress, name, total)
        else:
            counter = Ticker(self.progress, name, total or 0)
        counter.last = min(counter.last, self.last_output)  # the next line is due PROGRESS_EVERY after the last one
        outer, self.current = self.current, counter
        started = time.perf_counter()
        stop = threading.Event()

        def heartbeat() -> None:
            while not stop.wait(PROGRESS_EVERY / 4):
                if time.monotonic() - max(counter.last, self.last_output) >= PROGRESS_EVERY:
                    if total:
                        counter.line()
                    else:
                        counter.last = time.monotonic()
                        self.say(f"{name}: running, {time.perf_counter() - started:.0f} s")

        beat = threading.Thread(target=heartbeat, name=f"progress: {name}", daemon=True)
        beat.start()
        try:
            yield counter
        finally:
            stop.set()
            beat.join()
            counter.close()
            self.current = outer
            seconds = time.perf_counter() - started
            self.timings.append(PhaseTiming(name, seconds, total))
