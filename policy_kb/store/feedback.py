"""Users' 👍/👎 on answers: the question, the answer, its citations, the vote and the time, kept in their own SQLite
file next to the knowledge base (`feedback.sqlite`).  Separate from kb.sqlite on purpose: a rebuild or a schema
change of the knowledge base never touches what users said, and the votes become the next evaluation set
(`policy-kb feedback export`)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

FILE = "feedback.sqlite"
COLUMNS = ("at", "vote", "question", "answer", "citations", "jurisdiction", "as_of")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, jurisdiction TEXT, as_of TEXT
)"""


@dataclass
class Feedback:
    vote: str  # up | down
    question: str
    answer: str
    citations: list[str] = field(default_factory=list)  # the source titles shown with the answer
    jurisdiction: str | None = None
    as_of: str | None = None
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


class FeedbackStore:
    """One short transaction per vote (autocommit), so a vote is on disk before the click returns."""

    def __init__(self, index_dir: Path | str):
        self.path = Path(index_dir) / FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(_SCHEMA)

    def add(self, fb: Feedback) -> None:
        if fb.vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', got '{fb.vote}'")
        self.conn.execute(
            f"INSERT INTO feedback({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            (
                fb.at,
                fb.vote,
                fb.question,
                fb.answer,
                json.dumps(fb.citations, ensure_ascii=False),
                fb.jurisdiction,
                fb.as_of,
            ),
        )

    def all(self) -> list[Feedback]:
        rows = self.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")
        return [
            Feedback(
                vote=r[1],
                question=r[2],
                answer=r[3],
                citations=json.loads(r[4]),
                jurisdiction=r[5],
                as_of=r[6],
                at=r[0],
            )
            for r in rows
        ]

    def close(self) -> None:
        self.conn.close()


def render(rows: list[Feedback], fmt: str) -> str:
    """JSON Lines (one vote per line) or CSV (citations joined by ' | ')."""
    if fmt == "jsonl":
        return "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow(
                [r.at, r.vote, r.question, r.answer, " | ".join(r.citations), r.jurisdiction or "", r.as_of or ""]
            )
        return out.getvalue()
    raise ValueError(f"format must be jsonl or csv, got '{fmt}'")
