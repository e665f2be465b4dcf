"""Obligation sentences as vectors, for the binding classifier's sentence term (extract/binding.py `SentenceTerm`).

Why vectors: the classifier's named features and character n-grams know the words a list or the training sentences
hold; a sentence model also places `检验机构应当…` or `城镇污水处理设施的运营单位应当…` near the duties of other
parties it was fitted on, in a text it has never seen (docs/quality.md, session 12).

The vectors come from the model the classifier was fitted with (named in binding_model.json), not from the knowledge
base's embedder: $POLICY_KB_EMBED_MODEL may name another model or `fake`, and a weight vector means nothing in
another model's space.  Each text is looked up in memory, then in the knowledge base's embedding cache
(`embed_cache.sqlite`, keyed by model and text hash like the clause passages), and only then encoded; the build
fills the cache for every obligation (`warm`), so a checklist does not wait for the encoder.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..store.embedding_cache import EmbeddingCache, text_key
from .embedder import DEFAULT_MODEL_NAME, Embedder, backend_choice, load_embedder

BATCH = 64  # sentences per encoder call


def _embedder(model: str) -> Embedder:
    """The named model; the provisioned e5 model under its own name whatever $POLICY_KB_EMBED_MODEL says."""
    from .embedder import _cached_embedder

    return _cached_embedder(None, backend_choice()) if model == DEFAULT_MODEL_NAME else load_embedder(model)


class SentenceVectors:
    """Text → vector of one model, computed once per text (memory, then `cache`, then the encoder)."""

    def __init__(self, model: str, cache: Path | None = None) -> None:
        self.model = model
        self.cache = cache
        self._known: dict[str, np.ndarray] = {}

    def of(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(texts))
        missing = [t for t in wanted if t not in self._known]
        if missing:
            self._fill(missing)
        return {t: self._known[t] for t in wanted}

    def _fill(self, texts: list[str]) -> None:
        keys = {text_key(t): t for t in texts}
        cache = EmbeddingCache(self.cache) if self.cache is not None and self.cache.parent.is_dir() else None
        try:
            if cache is not None:
                for key, vector in cache.iter_many(self.model, list(keys)):
                    self._known[keys[key]] = vector
            new = [t for t in texts if t not in self._known]
            encoder = _embedder(self.model) if new else None
            for i in range(0, len(new), BATCH):
                batch = new[i : i + BATCH]
                vectors = np.asarray(encoder.encode_passages(batch), dtype=np.float32)  # type: ignore[union-attr]
                self._known.update(zip(batch, vectors, strict=True))
                if cache is not None:
                    cache.put_many(self.model, {text_key(t): v for t, v in zip(batch, vectors, strict=True)})
        finally:
            if cache is not None:
                cache.close()


@lru_cache(maxsize=4)
def in_memory(model: str) -> SentenceVectors:
    """One process-wide instance per model, for callers without a knowledge base (the fit, the evaluation)."""
    return SentenceVectors(model)
