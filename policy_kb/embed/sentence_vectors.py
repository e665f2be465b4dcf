"""Obligation sentences as vectors, for the binding classifier's sentence term (extract/binding.py `SentenceTerm`).

Why vectors: the classifier's named features and character n-grams know the words a list or the training sentences
hold; a sentence model also places `检验机构应当…` or `城镇污水处理设施的运营单位应当…` near the duties of other
parties it was fitted on, in a text it has never seen (docs/quality.md, session 12).

The vectors come from the model the classifier was fitted with (named in binding_model.json), not from the knowledge
base's embedder: $POLICY_KB_EMBED_MODEL may name another model or `fake`, and a weight vector means nothing in
another model's space.  Each text is looked up in memory, then in the knowledge base's embedding cache
(`embed_cache.sqlite`, keyed by model and text hash like the clause passages), and only then encoded and written to
the cache.  The build encodes the obligations of the documents it adds or updates (`warm`), so a checklist does not
wait for the encoder; a knowledge base built before the sentence term (or without its cache) encodes them at its
first checklist and keeps them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..store.embedding_cache import EmbeddingCache, text_key
from .embedder import DEFAULT_MODEL_NAME, Embedder, load_embedder, provisioned_embedder

BATCH = 64  # sentences per encoder call


def _embedder(model: str) -> Embedder:
    return provisioned_embedder() if model == DEFAULT_MODEL_NAME else load_embedder(model)


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
            self._known.update(self._resolve(missing, keep=True))
        return {t: self._known[t] for t in wanted}

    def warm(self, texts: Iterable[str]) -> None:
        """Encode into the cache the texts it lacks, keeping nothing in memory (a build over many documents)."""
        self._resolve(list(dict.fromkeys(texts)), keep=False)

    def _resolve(self, texts: list[str], keep: bool) -> dict[str, np.ndarray]:
        """The texts' vectors (with `keep`): the cached ones read, the others encoded and written to the cache."""
        key_of = {t: text_key(t) for t in texts}
        keys = {k: t for t, k in key_of.items()}
        out: dict[str, np.ndarray] = {}
        cache = self._open_cache()
        try:
            cached: set[str] = set()
            if cache is not None:
                for key, vector in cache.iter_many(self.model, list(keys)):
                    cached.add(keys[key])
                    if keep:
                        out[keys[key]] = vector
            new = [t for t in texts if t not in cached]
            encoder = _embedder(self.model) if new else None  # loaded only when something is missing
            for i in range(0, len(new), BATCH):
                batch = new[i : i + BATCH]
                vectors = np.asarray(encoder.encode_passages(batch), dtype=np.float32)  # type: ignore[union-attr]
                if keep:
                    out.update(zip(batch, vectors, strict=True))
                if cache is not None:
                    self._store(cache, {key_of[t]: v for t, v in zip(batch, vectors, strict=True)})
        finally:
            if cache is not None:
                cache.close()
        return out

    def _open_cache(self) -> EmbeddingCache | None:
        """The cache, or None when there is none or it cannot be opened (a read-only knowledge-base folder): the
        vectors are then encoded for this call only."""
        if self.cache is None or not self.cache.parent.is_dir():
            return None
        try:
            return EmbeddingCache(self.cache)
        except sqlite3.Error:
            return None

    def _store(self, cache: EmbeddingCache, vectors: dict[str, np.ndarray]) -> None:
        try:
            cache.put_many(self.model, vectors)
        except sqlite3.Error:
            pass  # a read-only cache: the vectors serve this call only


@lru_cache(maxsize=4)
def in_memory(model: str) -> SentenceVectors:
    """One instance per model per process, for callers of `checklist` that pass no vectors (library use, tests);
    it keeps every text it is asked about."""
    return SentenceVectors(model)
