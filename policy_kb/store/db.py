"""The knowledge-base file ``<index>/kb.sqlite``: schema, reads and per-document writes."""

from __future__ import annotations

import json
import sqlite3
import zlib
from array import array
from collections.abc import Callable, Hashable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from ..records import CitedDoc, Clause, ClauseKind, Document, Level, Obligation
from .queries import SearchQueries

T = TypeVar("T")

SCHEMA_VERSION = 6  # 4: documents.effective_date, documents.history; 5: clauses.spans; 6: binding features
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
    effective_date TEXT,
    history TEXT NOT NULL DEFAULT '[]',  -- JSON [{date, event, text}] of the dated versions of a law
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
    warnings TEXT NOT NULL DEFAULT '[]',
    spans TEXT NOT NULL DEFAULT '[]'  -- JSON [[start, end], …] of the clause's own text in documents.text
);
CREATE INDEX IF NOT EXISTS clauses_doc ON clauses(doc_id, ord);
CREATE INDEX IF NOT EXISTS clauses_kind ON clauses(kind);
CREATE INDEX IF NOT EXISTS documents_number ON documents(doc_number);
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
-- character trigrams of every clause's text (external content: the text stays in `clauses`): candidates for verbatim
-- substring search (exact route); detail=none keeps it small, candidates are verified with instr()
CREATE VIRTUAL TABLE IF NOT EXISTS clause_tri USING fts5(text, content='clauses', content_rowid='rowid',
                                                         tokenize='trigram', detail='none');
CREATE VIRTUAL TABLE IF NOT EXISTS clause_tri_vocab USING fts5vocab(clause_tri, 'row');
-- the last two characters of each clause: with the trigram vocabulary, answers "does any clause contain these two
-- characters" without a scan (an occurrence is either the start of a trigram or the end of a text)
CREATE INDEX IF NOT EXISTS clauses_tail ON clauses(substr(text, -2));
CREATE TABLE IF NOT EXISTS build_errors (file TEXT PRIMARY KEY, problem TEXT NOT NULL, hint TEXT NOT NULL,
                                         at TEXT NOT NULL DEFAULT (datetime('now')));
"""


# Read performance (docs/scaling.md): memory-mapped reads share the OS page cache between processes and skip a copy
# per page; a larger page cache per connection keeps FTS and index pages of a 1M-clause knowledge base hot.
PRAGMAS = ("PRAGMA mmap_size=8589934592", "PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY")
TRIGRAM = 3  # the trigram table can only find substrings of at least this many characters


def trigram_match(term: str) -> str:
    """An FTS5 MATCH expression for the trigram table: every trigram of `term` (detail=none has no positions, so
    this finds a superset of the clauses containing the term; callers verify with instr)."""
    grams = dict.fromkeys(term[i : i + TRIGRAM] for i in range(len(term) - TRIGRAM + 1))
    return " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)


def _document_fields(row: sqlite3.Row) -> dict[str, Any]:
    """A documents row as Document fields, all but the text (read whole for `document`, lazily for listings)."""
    return {
        "id": row["id"],
        "source_file": row["source_file"],
        "title": row["title"],
        "doc_number": row["doc_number"],
        "issuer": row["issuer"],
        "issue_date": row["issue_date"],
        "jurisdiction": row["jurisdiction"],
        "level": Level(row["level"]) if row["level"] else None,
        "cites": [CitedDoc(**c) for c in json.loads(row["cites"])],
        "content_hash": row["content_hash"],
        "warnings": json.loads(row["warnings"]),
        "effective_date": row["effective_date"],
        "history": json.loads(row["history"]),
    }


class StoreError(Exception):
    """Knowledge base missing, outdated or unreadable; the message names the command that fixes it."""


def _pack(src: list[int]) -> bytes:
    return zlib.compress(array("I", src).tobytes())


def _unpack(blob: bytes) -> list[int]:
    a = array("I")
    a.frombytes(zlib.decompress(blob))
    return a.tolist()


_UNLOADED: Any = object()
_LISTED_COLUMNS = (
    "id",
    "source_file",
    "title",
    "doc_number",
    "issuer",
    "issue_date",
    "jurisdiction",
    "level",
    "cites",
    "warnings",
    "content_hash",
    "effective_date",
    "history",
)


class _ListedDocument(Document):
    """A document from :meth:`Store.documents`: its cleaned text is read from the knowledge base on first access
    (listings are cached, and 20 000 documents' texts would be hundreds of MB)."""

    @property
    def text(self) -> str:
        value = self.__dict__.get("_text", _UNLOADED)
        if value is _UNLOADED:
            row = self.__dict__["_conn"].execute("SELECT text FROM documents WHERE id=?", (self.id,)).fetchone()
            value = self.__dict__["_text"] = row[0] if row else ""
        return value

    @text.setter
    def text(self, value: str) -> None:
        self.__dict__["_text"] = value


class Store(SearchQueries):
    """Thin wrapper over one SQLite connection. Writes happen inside :meth:`transaction`; the search routes' queries
    are in queries.py."""

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
            for pragma in PRAGMAS:
                self.conn.execute(pragma)
            if create:
                self._migrate()
            elif (version := self.schema_version()) != SCHEMA_VERSION:
                raise StoreError(
                    f"knowledge base at {self.path} has schema {version}, "
                    f"this version needs {SCHEMA_VERSION} (run `policy-kb build` to rebuild it)"
                )
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
        return StoreError(
            f"{self.path} is not a policy-kb knowledge base or is corrupt ({e}; delete it and run `policy-kb build`)"
        )

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
        """Derived data: on a schema change drop everything and let the build recreate it.  Tables and indexes
        added without a schema change (the trigram table, the kind index) are created and filled here."""
        if self.schema_version() not in (None, SCHEMA_VERSION):
            with self.transaction():
                tables = [
                    r[0]
                    for r in self.conn.execute(
                        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                    )
                ]
                for t in tables:
                    self.conn.execute(f'DROP TABLE IF EXISTS "{t}"')
        with self.transaction():
            had_trigrams = self._has_table("clause_tri")
            for statement in SCHEMA.split(";\n"):
                if statement.strip():
                    self.conn.execute(statement)
            if not had_trigrams:  # a knowledge base from before the trigram table: index what is there
                self.conn.execute("INSERT INTO clause_tri(clause_tri) VALUES ('rebuild')")
            self.set_meta("schema_version", str(SCHEMA_VERSION))
        self.__dict__.pop("has_trigrams", None)

    def _has_table(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE name=?", (name,)).fetchone() is not None

    @cached_property
    def has_trigrams(self) -> bool:
        """Whether this knowledge base has the trigram table and its vocabulary (`policy-kb build` adds them to a
        knowledge base from before they existed; until then the exact route scans)."""
        return self._has_table("clause_tri") and self._has_table("clause_tri_vocab")

    # ---- transactions -----------------------------------------------------------------------------------
    class _Tx:
        def __init__(self, conn: sqlite3.Connection):
            self.conn = conn

        def __enter__(self) -> sqlite3.Connection:
            self.conn.execute("BEGIN IMMEDIATE")
            return self.conn

        def __exit__(self, exc_type: Any, *_: Any) -> None:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")

    def transaction(self) -> Store._Tx:
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
        if self.has_trigrams:  # external content: FTS5 needs the indexed values to delete them
            self.conn.execute(
                "INSERT INTO clause_tri(clause_tri, rowid, text) "
                "SELECT 'delete', rowid, text FROM clauses WHERE doc_id=?",
                (doc_id,),
            )
        self.conn.execute("DELETE FROM obligations WHERE doc_id=?", (doc_id,))
        self.conn.execute("DELETE FROM clauses WHERE doc_id=?", (doc_id,))
        self.conn.execute("DELETE FROM documents WHERE id=?", (doc_id,))

    ROWID_HIGH = "clause_rowid_high"

    def _next_clause_rowid(self) -> int:
        """Clause rowids are never reused: the dense index is keyed by rowid and updated in place, so a rowid that
        came back with another clause's text would keep the old text's vector."""
        row = self.conn.execute("SELECT max(rowid) FROM clauses").fetchone()
        return max(int(row[0] or 0), int(self.get_meta(self.ROWID_HIGH) or 0)) + 1

    def put_document(self, doc: Document, file: str, raw_text: str, src_map: list[int]) -> None:
        first = self._next_clause_rowid()  # before the delete: the document's old rowids stay used
        self.delete_document(doc.id)
        self.conn.execute(
            "INSERT INTO documents(id, file, source_file, content_hash, title, doc_number, issuer, issue_date,"
            " jurisdiction, level, effective_date, history, cites, warnings, text, raw_text, src_map)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.id,
                file,
                doc.source_file,
                doc.content_hash,
                doc.title,
                doc.doc_number,
                doc.issuer,
                doc.issue_date,
                doc.jurisdiction,
                doc.level,
                doc.effective_date,
                json.dumps(doc.history, ensure_ascii=False),
                json.dumps([c.to_dict() for c in doc.cites], ensure_ascii=False),
                json.dumps(doc.warnings, ensure_ascii=False),
                doc.text,
                raw_text,
                _pack(src_map),
            ),
        )
        self.conn.executemany(
            "INSERT INTO clauses(rowid, id, doc_id, ord, parent_id, level, label, path, heading, text, kind, start,"
            ' "end", warnings, spans) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
            [
                (
                    first + i,
                    c.id,
                    c.doc_id,
                    i,
                    c.parent_id,
                    c.level,
                    c.label,
                    json.dumps(c.path, ensure_ascii=False),
                    c.heading,
                    c.text,
                    c.kind,
                    c.start,
                    c.end,
                    json.dumps(c.warnings, ensure_ascii=False),
                    json.dumps([list(s) for s in c.spans]),
                )
                for i, c in enumerate(doc.clauses)
            ],
        )
        self.set_meta(self.ROWID_HIGH, str(first + len(doc.clauses) - 1))
        if self.has_trigrams:
            self.conn.execute(
                "INSERT INTO clause_tri(rowid, text) SELECT rowid, text FROM clauses WHERE doc_id=?", (doc.id,)
            )

    def put_obligations(self, doc_id: str, obligations: list[Obligation]) -> None:
        self.put_obligation_rows(doc_id, self.obligation_rows(obligations))

    @staticmethod
    def obligation_rows(obligations: list[Obligation]) -> list[tuple[Any, ...]]:
        """The `obligations` rows of a document's obligations.  Pure (no connection), so a build computes them in
        its worker processes: serialising the obligations was most of the writer's time (issue 18)."""
        return [
            (
                o.id,
                o.doc_id,
                o.clause_id,
                i,
                o.jurisdiction,
                o.modality,
                o.deadline.date if o.deadline else None,
                # in order, not a set: a set's order changes with each process's string hashing, and the rows
                # are now made in worker processes; the same build must give the same rows
                "；".join(dict.fromkeys([*o.departments.names(), *o.department_names.values()])),
                json.dumps(o.to_dict(), ensure_ascii=False),
            )
            for i, o in enumerate(obligations)
        ]

    def put_obligation_rows(self, doc_id: str, rows: list[tuple[Any, ...]]) -> None:
        """Replace a document's obligations with rows from :meth:`obligation_rows`."""
        self.conn.execute("DELETE FROM obligations WHERE doc_id=?", (doc_id,))
        self.conn.executemany(
            "INSERT INTO obligations"
            "(id, doc_id, clause_id, ord, jurisdiction, modality, deadline_date, departments, data)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            rows,
        )

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
        self.conn.execute(
            "INSERT OR REPLACE INTO build_errors(file, problem, hint) VALUES (?,?,?)", (file, problem, hint)
        )

    def clear_errors(self) -> None:
        self.conn.execute("DELETE FROM build_errors")

    # ---- reads ------------------------------------------------------------------------------------------
    def doc_files(self) -> dict[str, tuple[str, str]]:
        """doc_id → (corpus file name, content hash)."""
        return {
            r["id"]: (r["file"], r["content_hash"])
            for r in self.conn.execute("SELECT id, file, content_hash FROM documents")
        }

    @staticmethod
    def _clause(row: sqlite3.Row) -> Clause:
        return Clause(
            id=row["id"],
            doc_id=row["doc_id"],
            parent_id=row["parent_id"],
            level=row["level"],
            label=row["label"],
            path=json.loads(row["path"]),
            heading=row["heading"],
            text=row["text"],
            kind=ClauseKind(row["kind"]),
            start=row["start"],
            end=row["end"],
            warnings=json.loads(row["warnings"]),
            spans=[(a, b) for a, b in json.loads(row["spans"])],
        )

    def _document(self, row: sqlite3.Row, with_clauses: bool) -> Document:
        doc = Document(**_document_fields(row), text=row["text"])
        doc.clauses = self.clauses(doc.id) if with_clauses else []
        return doc

    def _version(self) -> tuple[int, int]:
        """Changes whenever this connection writes or another connection commits (PRAGMA data_version)."""
        return self.conn.total_changes, self.conn.execute("PRAGMA data_version").fetchone()[0]

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, remembered until the knowledge base changes (see `_version`); at most 64 keys.  For derived
        values that requests ask for again and again (document listing, counts, a filter's clause set); treat the
        result as read-only."""
        version = self._version()
        cache = self.__dict__.setdefault("_derived", {})
        if cache.get("version") != version or len(cache) > 64:
            cache.clear()
            cache["version"] = version
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def documents(self, with_clauses: bool = False) -> list[Document]:
        """Every document in id order.  Without clauses the listing is cached until the knowledge base changes
        (search and answers call this per request) and each document's text is read on first access; treat the
        returned documents as read-only."""
        if with_clauses:
            return self._list_documents(with_clauses=True)
        return list(self.cached("documents", lambda: self._list_documents(with_clauses=False)))

    def _list_documents(self, with_clauses: bool) -> list[Document]:
        if with_clauses:
            docs = [self._document(r, True) for r in self.conn.execute("SELECT * FROM documents ORDER BY id")]
        else:  # everything but the (large) text columns
            docs = [
                self._listed(r)
                for r in self.conn.execute(f"SELECT {', '.join(_LISTED_COLUMNS)} FROM documents ORDER BY id")
            ]
        counts = dict(self.conn.execute("SELECT doc_id, count(*) FROM clauses GROUP BY doc_id").fetchall())
        numbers = {d.doc_number for d in docs if d.doc_number}
        titles = [d.title or "" for d in docs] + [
            r[0] for r in self.conn.execute("SELECT text FROM clauses WHERE kind='title'")
        ]
        joined = "\n".join(titles)
        found: dict[str, bool] = {}

        def in_titles(title: str) -> bool:
            # a cited title has no line break, so it occurs in the joined string only inside one title
            if "\n" in title:
                return any(title in t for t in titles)
            if title not in found:
                found[title] = title in joined
            return found[title]

        for d in docs:
            if not with_clauses:
                d.clauses = [None] * counts.get(d.id, 0)  # type: ignore[list-item]  # only the count is used
            for c in d.cites:
                c.in_corpus = bool(
                    (c.doc_number and c.doc_number in numbers) or (not c.doc_number and c.title and in_titles(c.title))
                )
        return docs

    def _listed(self, row: sqlite3.Row) -> Document:
        doc = _ListedDocument(**_document_fields(row), text=_UNLOADED)
        doc.__dict__["_conn"] = self.conn
        return doc

    def find_document(self, key: str) -> Document | None:
        """By doc id, corpus file name or original source file name."""
        row = self.conn.execute(
            "SELECT * FROM documents WHERE id=? OR file=? OR source_file=? LIMIT 1", (key, key, key)
        ).fetchone()
        return self._document(row, with_clauses=True) if row else None

    def clauses(self, doc_id: str) -> list[Clause]:
        rows = self.conn.execute("SELECT * FROM clauses WHERE doc_id=? ORDER BY ord", (doc_id,))
        return [self._clause(r) for r in rows]

    def clause(self, clause_id: str) -> Clause | None:
        row = self.conn.execute("SELECT * FROM clauses WHERE id=?", (clause_id,)).fetchone()
        return self._clause(row) if row else None

    def children(self, clause_id: str) -> list[Clause]:
        """The clauses directly under one, in document order: an article's items."""
        rows = self.conn.execute("SELECT * FROM clauses WHERE parent_id=? ORDER BY start", (clause_id,))
        return [self._clause(r) for r in rows]

    def clauses_by_rowid(self, rowids: list[int]) -> dict[int, Clause]:
        out: dict[int, Clause] = {}
        for i in range(0, len(rowids), 500):
            chunk = rowids[i : i + 500]
            q = f"SELECT * FROM clauses WHERE rowid IN ({','.join('?' * len(chunk))})"
            out.update({r["rowid"]: self._clause(r) for r in self.conn.execute(q, chunk)})
        return out

    def iter_clause_rows(self) -> Iterator[sqlite3.Row]:
        yield from self.conn.execute("SELECT rowid, * FROM clauses ORDER BY rowid")

    def candidates(self, term: str) -> tuple[str, list[Any]] | None:
        """An SQL condition on `clauses` (with its arguments) that holds for every clause containing `term` and
        for few others, answered from the trigram table: every trigram of a 3+ character term; for 2 characters,
        the trigrams starting with them or a clause ending with them.  None when only a scan can tell (1
        character, 2 with cased letters — the trigram table folds case —, or no trigram table)."""
        if not self.has_trigrams:
            return None
        if len(term) >= TRIGRAM:
            return "rowid IN (SELECT rowid FROM clause_tri WHERE clause_tri MATCH ?)", [trigram_match(term)]
        if len(term) == 2 and term.lower() == term.upper():
            grams = [
                r[0]
                for r in self.conn.execute(
                    "SELECT term FROM clause_tri_vocab WHERE term >= ? AND term < ?", (term, term + "\U0010ffff")
                )
            ]
            if not grams:
                return "substr(text, -2) = ?", [term]
            match = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)
            return "(rowid IN (SELECT rowid FROM clause_tri WHERE clause_tri MATCH ?) OR substr(text, -2) = ?)", [
                match,
                term,
            ]
        return None

    def candidate_count(self, term: str, cap: int) -> int | None:
        """About how many clauses contain `term` (an upper bound, at most cap + 1) from the trigram table alone;
        None when it cannot tell (see `candidates`)."""
        cond = self.candidates(term)
        if cond is None:
            return None
        if len(term) >= TRIGRAM:
            match = cond[1][0]
            return self.conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM clause_tri WHERE clause_tri MATCH ? LIMIT ?)", (match, cap + 1)
            ).fetchone()[0]
        n = self.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM clauses WHERE substr(text, -2) = ? LIMIT ?)", (term, cap + 1)
        ).fetchone()[0]
        if len(cond[1]) == 2:  # trigrams starting with the term, too
            n += self.conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM clause_tri WHERE clause_tri MATCH ? LIMIT ?)",
                (cond[1][0], cap + 1),
            ).fetchone()[0]
        return min(n, cap + 1)

    def clause_count(self) -> int:
        """Number of clauses (cached until the knowledge base changes)."""
        return self.cached("clause_count", lambda: self.conn.execute("SELECT count(*) FROM clauses").fetchone()[0])

    def term_clause_count(self, term: str) -> int:
        """In how many clauses the keyword index has `term` (0 for a term it does not have)."""
        row = self.conn.execute("SELECT doc FROM clause_vocab WHERE term = ?", (term,)).fetchone()
        return row[0] if row else 0

    def phrase_clause_count(self, match: str) -> int:
        """In how many clauses the keyword index matches an FTS5 expression (a multi-token phrase)."""
        return self.conn.execute("SELECT count(*) FROM clause_fts WHERE clause_fts MATCH ?", (match,)).fetchone()[0]

    def fts_stats(self) -> tuple[int, float]:
        """(rows, average tokens per row) of the keyword index, as FTS5's bm25 uses them (cached until the knowledge
        base changes; summing the vocabulary takes seconds at 1M clauses)."""

        def compute() -> tuple[int, float]:
            n = self.conn.execute("SELECT count(*) FROM clause_fts").fetchone()[0] or 1
            tokens = self.conn.execute("SELECT sum(cnt) FROM clause_vocab").fetchone()[0] or 0
            return n, max(1.0, tokens / n)

        return self.cached("fts_stats", compute)

    def containing(self, term: str, where: str = "kind != 'cc'", limit: int | None = None) -> list[int]:
        """Rowids (ascending) of the clauses whose text contains `term` verbatim — `instr(text, term) > 0`, as a
        scan would find them — restricted by the SQL condition `where` on `clauses` (default: not cc lines).
        The trigram table proposes candidates (see `candidates`), instr verifies them; a scan otherwise."""
        cond = self.candidates(term)
        if cond is not None and len(term) >= TRIGRAM and limit is not None:  # stream, stop at the limit
            sql = (
                "SELECT clauses.rowid FROM clause_tri JOIN clauses ON clauses.rowid = clause_tri.rowid "
                f"WHERE clause_tri MATCH ? AND instr(clauses.text, ?) > 0 AND ({where}) ORDER BY clause_tri.rowid"
            )
            args: list[Any] = [trigram_match(term), term]
        elif cond is not None:
            sql = f"SELECT rowid FROM clauses WHERE {cond[0]} AND instr(text, ?) > 0 AND ({where}) ORDER BY rowid"
            args = [*cond[1], term]
        else:
            sql = f"SELECT rowid FROM clauses WHERE instr(text, ?) > 0 AND ({where}) ORDER BY rowid"
            args = [term]
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [r[0] for r in self.conn.execute(sql, args)]

    def has_text(self, term: str) -> bool:
        """Whether any clause (of any kind) contains `term` verbatim, i.e. `instr(text, term) > 0` for some clause
        — without scanning the clauses: 3+ characters through the trigram table, 2 characters (without cased
        letters, which the trigram table folds) through the trigram vocabulary and the clause-ending index."""
        if len(term) == 2 and self.has_trigrams and term.lower() == term.upper():
            if self.conn.execute(
                "SELECT 1 FROM clause_tri_vocab WHERE term >= ? AND term < ? LIMIT 1", (term, term + "\U0010ffff")
            ).fetchone():
                return True
            return (
                self.conn.execute("SELECT 1 FROM clauses WHERE substr(text, -2) = ? LIMIT 1", (term,)).fetchone()
                is not None
            )
        return bool(self.containing(term, where="1", limit=1))

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
