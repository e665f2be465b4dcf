"""The knowledge-base file ``<index>/kb.sqlite``: schema, reads and per-document writes."""

from __future__ import annotations

import json
import os
import sqlite3
from array import array
from pathlib import Path
import zlib
from typing import Any, Iterator

from ..records import CitedDoc, Clause, Document, Obligation

SCHEMA_VERSION = 3
DB_NAME = "kb.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    file TEXT NOT NULL,            -- file name in the corpus folder
    source_file TEXT NOT NULL,     -- original file name (sidecar) or the corpus file name
    content_hash TEXT NOT NULL,
    title TEXT, doc_number TEXT, issuer TEXT, issue_date TEXT, jurisdiction TEXT, level TEXT,
    cites TEXT NOT NULL DEFAULT '[]',
    warnings TEXT NOT NULL DEFAULT '[]',
    text TEXT NOT NULL,            -- cleaned text; clause offsets point here
    raw_text TEXT NOT NULL,        -- the text as loaded, for showing a clause in its original context
    src_map BLOB NOT NULL,         -- zlib(uint32 array): cleaned offset -> raw offset
    built_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS clauses (
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    parent_id TEXT, level INTEGER NOT NULL, label TEXT, path TEXT NOT NULL, heading TEXT,
    text TEXT NOT NULL, kind TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS clauses_doc ON clauses(doc_id, ord);
CREATE TABLE IF NOT EXISTS obligations (
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    clause_id TEXT NOT NULL,
    ord INTEGER NOT NULL,
    jurisdiction TEXT, modality TEXT, deadline_date TEXT,
    departments TEXT NOT NULL DEFAULT '',   -- every name as written and canonical, for filtering
    data TEXT NOT NULL                      -- the full obligation record as JSON
);
CREATE INDEX IF NOT EXISTS obligations_doc ON obligations(doc_id, ord);
CREATE INDEX IF NOT EXISTS obligations_clause ON obligations(clause_id);
-- jieba-segmented clause text (body) and its document title + ancestor headings (context); rowid = clauses.rowid
CREATE VIRTUAL TABLE IF NOT EXISTS clause_fts USING fts5(body, context, tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS clause_vocab USING fts5vocab(clause_fts, 'row');
CREATE TABLE IF NOT EXISTS build_errors (file TEXT PRIMARY KEY, problem TEXT NOT NULL, hint TEXT NOT NULL,
                                         at TEXT NOT NULL DEFAULT (datetime('now')));
"""


class StoreError(Exception):
    """Knowledge base missing, outdated or unreadable; the message names the command that fixes it."""


def default_index_dir() -> Path:
    return Path(os.environ.get("POLICY_KB_INDEX", "indices"))


def _pack(src: list[int]) -> bytes:
    return zlib.compress(array("I", src).tobytes())


def _unpack(blob: bytes) -> list[int]:
    a = array("I")
    a.frombytes(zlib.decompress(blob))
    return a.tolist()


class Store:
    """Thin wrapper over one SQLite connection. Writes happen inside :meth:`transaction`."""

    def __init__(self, index_dir: Path | str, create: bool = False):
        self.index_dir = Path(index_dir)
        self.path = self.index_dir / DB_NAME
        if not self.path.exists() and not create:
            raise StoreError(f"no knowledge base at {self.path} (run `policy-kb build` first)")
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            if create:
                self._migrate()
            elif (version := self.schema_version()) != SCHEMA_VERSION:
                raise StoreError(f"knowledge base at {self.path} has schema {version}, "
                                 f"this version needs {SCHEMA_VERSION} (run `policy-kb build` to rebuild it)")
        except sqlite3.OperationalError:  # locked, read-only, disk I/O: not corruption, report as is
            self.conn.close()
            raise
        except sqlite3.DatabaseError as e:  # "file is not a database", "database disk image is malformed"
            self.conn.close()
            raise self._corrupt(e) from e
        except StoreError:
            self.conn.close()
            raise

    def _corrupt(self, e: sqlite3.DatabaseError) -> StoreError:
        return StoreError(f"{self.path} is not a policy-kb knowledge base or is corrupt ({e}; "
                          f"delete it and run `policy-kb build`)")

    # ---- schema -------------------------------------------------------------------------------------------
    def schema_version(self) -> int | None:
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.OperationalError:  # no meta table: an empty or foreign database
            return None
        except sqlite3.DatabaseError as e:
            raise self._corrupt(e) from e
        try:
            return int(row[0]) if row else None
        except (TypeError, ValueError):
            return None

    def _migrate(self) -> None:
        """Derived data: on a schema change drop everything and let the build recreate it."""
        if self.schema_version() not in (None, SCHEMA_VERSION):
            with self.transaction():
                tables = [r[0] for r in self.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
                for t in tables:
                    self.conn.execute(f'DROP TABLE IF EXISTS "{t}"')
        with self.transaction():
            for statement in SCHEMA.split(";\n"):
                if statement.strip():
                    self.conn.execute(statement)
            self.set_meta("schema_version", str(SCHEMA_VERSION))

    # ---- transactions -----------------------------------------------------------------------------------
    class _Tx:
        def __init__(self, conn: sqlite3.Connection):
            self.conn = conn

        def __enter__(self) -> sqlite3.Connection:
            self.conn.execute("BEGIN IMMEDIATE")
            return self.conn

        def __exit__(self, exc_type: Any, *_: Any) -> None:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")

    def transaction(self) -> "Store._Tx":
        return Store._Tx(self.conn)

    def close(self) -> None:
        self.conn.close()

    # ---- meta -------------------------------------------------------------------------------------------
    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    # ---- writes (call inside a transaction) -------------------------------------------------------------
    def delete_document(self, doc_id: str) -> None:
        self.conn.execute("DELETE FROM clause_fts WHERE rowid IN (SELECT rowid FROM clauses WHERE doc_id=?)", (doc_id,))
        self.conn.execute("DELETE FROM obligations WHERE doc_id=?", (doc_id,))
        self.conn.execute("DELETE FROM clauses WHERE doc_id=?", (doc_id,))
        self.conn.execute("DELETE FROM documents WHERE id=?", (doc_id,))

    def put_document(self, doc: Document, file: str, raw_text: str, src_map: list[int]) -> None:
        self.delete_document(doc.id)
        self.conn.execute(
            "INSERT INTO documents(id, file, source_file, content_hash, title, doc_number, issuer, issue_date,"
            " jurisdiction, level, cites, warnings, text, raw_text, src_map) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc.id, file, doc.source_file, doc.content_hash, doc.title, doc.doc_number, doc.issuer, doc.issue_date,
             doc.jurisdiction, doc.level, json.dumps([c.to_dict() for c in doc.cites], ensure_ascii=False),
             json.dumps(doc.warnings, ensure_ascii=False), doc.text, raw_text, _pack(src_map)))
        self.conn.executemany(
            'INSERT INTO clauses(id, doc_id, ord, parent_id, level, label, path, heading, text, kind, start, "end",'
            " warnings) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(c.id, c.doc_id, i, c.parent_id, c.level, c.label, json.dumps(c.path, ensure_ascii=False), c.heading,
              c.text, c.kind, c.start, c.end, json.dumps(c.warnings, ensure_ascii=False))
             for i, c in enumerate(doc.clauses)])

    def put_obligations(self, doc_id: str, obligations: list[Obligation]) -> None:
        self.conn.execute("DELETE FROM obligations WHERE doc_id=?", (doc_id,))
        self.conn.executemany(
            "INSERT INTO obligations(id, doc_id, clause_id, ord, jurisdiction, modality, deadline_date, departments, data)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            [(o.id, o.doc_id, o.clause_id, i, o.jurisdiction, o.modality, (o.deadline or {}).get("date"),
              "；".join({*(n for names in o.departments.values() for n in names), *o.department_names.values()}),
              json.dumps(o.to_dict(), ensure_ascii=False)) for i, o in enumerate(obligations)])

    def obligations(self, doc_id: str | None = None, clause_ids: list[str] | None = None) -> list[Obligation]:
        """Obligations in document order, optionally of one document or of some clauses."""
        sql, args = "SELECT data FROM obligations", []
        if doc_id:
            sql, args = sql + " WHERE doc_id=?", [doc_id]
        elif clause_ids is not None:
            sql, args = sql + f" WHERE clause_id IN ({','.join('?' * len(clause_ids))})", list(clause_ids)
        rows = self.conn.execute(sql + " ORDER BY doc_id, ord", args)
        return [Obligation.from_dict(json.loads(r[0])) for r in rows]

    def record_error(self, file: str, problem: str, hint: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO build_errors(file, problem, hint) VALUES (?,?,?)", (file, problem, hint))

    def clear_errors(self) -> None:
        self.conn.execute("DELETE FROM build_errors")

    # ---- reads ------------------------------------------------------------------------------------------
    def doc_files(self) -> dict[str, tuple[str, str]]:
        """doc_id → (corpus file name, content hash)."""
        return {r["id"]: (r["file"], r["content_hash"]) for r in self.conn.execute("SELECT id, file, content_hash FROM documents")}

    @staticmethod
    def _clause(row: sqlite3.Row) -> Clause:
        return Clause(id=row["id"], doc_id=row["doc_id"], parent_id=row["parent_id"], level=row["level"],
                      label=row["label"], path=json.loads(row["path"]), heading=row["heading"], text=row["text"],
                      kind=row["kind"], start=row["start"], end=row["end"], warnings=json.loads(row["warnings"]))

    def _document(self, row: sqlite3.Row, with_clauses: bool) -> Document:
        doc = Document(id=row["id"], source_file=row["source_file"], title=row["title"], doc_number=row["doc_number"],
                       issuer=row["issuer"], issue_date=row["issue_date"], jurisdiction=row["jurisdiction"],
                       level=row["level"], cites=[CitedDoc(**c) for c in json.loads(row["cites"])],
                       text=row["text"], content_hash=row["content_hash"], warnings=json.loads(row["warnings"]))
        doc.clauses = self.clauses(doc.id) if with_clauses else []
        return doc

    def documents(self, with_clauses: bool = False) -> list[Document]:
        docs = [self._document(r, with_clauses) for r in self.conn.execute("SELECT * FROM documents ORDER BY id")]
        counts = dict(self.conn.execute("SELECT doc_id, count(*) FROM clauses GROUP BY doc_id").fetchall())
        numbers = {d.doc_number for d in docs if d.doc_number}
        titles = [d.title or "" for d in docs] + [r[0] for r in self.conn.execute(
            "SELECT text FROM clauses WHERE kind='title'")]
        for d in docs:
            if not with_clauses:
                d.clauses = [None] * counts.get(d.id, 0)  # type: ignore[list-item]  # only the count is used
            for c in d.cites:
                c.in_corpus = bool((c.doc_number and c.doc_number in numbers) or
                                   (not c.doc_number and c.title and any(c.title in t for t in titles)))
        return docs

    def find_document(self, key: str) -> Document | None:
        """By doc id, corpus file name or original source file name."""
        row = self.conn.execute("SELECT * FROM documents WHERE id=? OR file=? OR source_file=? LIMIT 1",
                                (key, key, key)).fetchone()
        return self._document(row, with_clauses=True) if row else None

    def clauses(self, doc_id: str) -> list[Clause]:
        rows = self.conn.execute("SELECT * FROM clauses WHERE doc_id=? ORDER BY ord", (doc_id,))
        return [self._clause(r) for r in rows]

    def clause(self, clause_id: str) -> Clause | None:
        row = self.conn.execute("SELECT * FROM clauses WHERE id=?", (clause_id,)).fetchone()
        return self._clause(row) if row else None

    def clauses_by_rowid(self, rowids: list[int]) -> dict[int, Clause]:
        out: dict[int, Clause] = {}
        for i in range(0, len(rowids), 500):
            chunk = rowids[i:i + 500]
            q = f"SELECT * FROM clauses WHERE rowid IN ({','.join('?' * len(chunk))})"
            out.update({r["rowid"]: self._clause(r) for r in self.conn.execute(q, chunk)})
        return out

    def iter_clause_rows(self) -> Iterator[sqlite3.Row]:
        yield from self.conn.execute("SELECT rowid, * FROM clauses ORDER BY rowid")

    def raw_context(self, clause: Clause) -> tuple[str, int, int]:
        """(raw text, start, end) of a clause in the document as loaded, for display in original context."""
        row = self.conn.execute("SELECT raw_text, src_map FROM documents WHERE id=?", (clause.doc_id,)).fetchone()
        src = _unpack(row["src_map"])
        if not src:
            return row["raw_text"], 0, 0
        a = src[min(clause.start, len(src) - 1)]
        b = src[min(max(clause.end - 1, clause.start), len(src) - 1)] + 1
        return row["raw_text"], a, b

    def build_errors(self) -> list[dict[str, str]]:
        return [dict(r) for r in self.conn.execute("SELECT file, problem, hint FROM build_errors ORDER BY file")]
