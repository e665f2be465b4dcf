"""The embedding cache ``<index>/embed_cache.sqlite``: one vector per (model, passage hash), so a rebuild encodes
only passages it has not seen.  A file of its own (not kb.sqlite): it survives a knowledge-base rebuild and can
be deleted at any time."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np

CACHE_FILE = "embed_cache.sqlite"  # in the knowledge-base folder


def text_key(text: str) -> str:
    """A passage's key in the cache: its SHA-256, so the cache holds no text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, timeout=60)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vec BLOB, PRIMARY KEY (model, hash))"
        )

    def get_many(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        return dict(self.iter_many(model, hashes))

    def iter_many(self, model: str, hashes: list[str]) -> Iterator[tuple[str, np.ndarray]]:
        for i in range(0, len(hashes), 500):
            chunk = hashes[i : i + 500]
            q = f"SELECT hash, vec FROM vectors WHERE model=? AND hash IN ({','.join('?' * len(chunk))})"
            for h, blob in self.conn.execute(q, [model, *chunk]):
                yield h, np.frombuffer(blob, dtype=np.float32)

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
                [(model, h, v.astype(np.float32).tobytes()) for h, v in items.items()],
            )

    def close(self) -> None:
        self.conn.close()
