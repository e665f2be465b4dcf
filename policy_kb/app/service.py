"""The app's view of the knowledge base: one Answerer per worker thread (SQLite connections are per thread), the
embedding model shared through its process-wide cache, and a generation counter so every thread reloads after an
upload rebuilds the index."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..answer.compose import Answerer
from ..search.bilingual import dictionary
from ..settings import Settings
from ..store import Store
from ..store.feedback import FeedbackStore
from .file_cache import FileCache, Limits
from .throttle import LoginThrottle


@dataclass
class Paths:
    index: Path
    corpus: Path
    exports: Path
    feedback: Path | None = None  # folder of feedback.sqlite (default: the index folder)


class Service:
    def __init__(self, paths: Paths, settings: Settings | None = None):
        self.paths = paths
        if settings is not None:
            self.settings = settings
        self._local = threading.local()
        self._generation = 0
        self.build_lock = threading.Lock()
        self._feedback: FeedbackStore | None = None
        self._feedback_lock = threading.Lock()
        self.login_throttle = LoginThrottle()
        self.exports = FileCache(paths.exports, self.export_limits)  # bounded, self-cleaning
        self.reconciled = threading.Event()  # set when the start-up reconciliation has run (app.startup)

    @cached_property
    def settings(self) -> Settings:
        """The app's settings: given by the entry point (app.main), else read from the environment on first use."""
        return Settings.from_env()

    @property
    def export_limits(self) -> Limits:
        return Limits(max_bytes=self.settings.export_cache_bytes)

    def answerer(self) -> Answerer:
        local = self._local
        if getattr(local, "generation", None) != self._generation:
            local.answerer = Answerer(self.paths.index)
            local.generation = self._generation
        return local.answerer

    def store(self) -> Store:
        return self.answerer().store

    def feedback(self) -> FeedbackStore:
        """Votes on answers, in their own file next to the knowledge base (kept through rebuilds)."""
        with self._feedback_lock:
            if self._feedback is None:
                self._feedback = FeedbackStore(self.paths.feedback or self.paths.index)
            return self._feedback

    def reload(self) -> None:
        """After a rebuild: every thread opens fresh connections and the new dense index on its next request."""
        self._generation += 1

    def warm_up(self) -> None:
        """Load the model and indexes in the background so the first question is fast, without delaying the page."""

        def run() -> None:
            try:
                a = self.answerer()
                a.searcher.search("焦炉", k=1)
                dictionary()  # CC-CEDICT for English questions: about 2 s to read
            except Exception:  # a missing index is reported on first use, with its fix
                pass

        threading.Thread(target=run, daemon=True, name="policy-kb-warmup").start()
