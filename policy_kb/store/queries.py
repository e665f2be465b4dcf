"""The queries the search routes run against the knowledge base, as named methods of :class:`Store` (mixed in).

Why here: every SQL statement of the program lives in ``policy_kb/store/``, so a schema change is made in one
package and search/ reads as ranking logic (which terms, which budget, how to score), not as SQL.  The statements
are the ones the routes ran before; the search modules decide *what* to ask, these methods *how* SQLite answers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

T = TypeVar("T")

_CHUNK = 500  # rowids per `IN (...)` list: well under SQLite's variable limit


def _marks(n: int) -> str:
    return ",".join("?" * n)


class SearchQueries:
    """Reads and writes of the keyword index (``clause_fts``), the exact route, the dense index's clause
    listing, the speller's vocabulary and the search filter's clause sets."""

    if TYPE_CHECKING:  # provided by Store
        conn: sqlite3.Connection

        def cached(self, key: Hashable, compute: Callable[[], T]) -> T: ...

        def candidates(self, term: str) -> tuple[str, list[Any]] | None: ...

    # ---- keyword index -------------------------------------------------------------------------------------
    def clause_rowids(self, doc_id: str) -> dict[str, int]:
        """clause id → rowid of one document's clauses."""
        return dict(self.conn.execute("SELECT id, rowid FROM clauses WHERE doc_id=?", (doc_id,)).fetchall())

    def rowids_of(self, clause_ids: list[str]) -> dict[str, int]:
        """clause id → rowid of the given clauses (ids the knowledge base does not hold are left out)."""
        out: dict[str, int] = {}
        for i in range(0, len(clause_ids), _CHUNK):
            chunk = clause_ids[i : i + _CHUNK]
            sql = f"SELECT id, rowid FROM clauses WHERE id IN ({_marks(len(chunk))})"
            out.update(self.conn.execute(sql, chunk).fetchall())
        return out

    def put_fts_rows(self, doc_id: str, tokens: Iterable[tuple[str, str, str]]) -> None:
        """Keyword-index rows (clause id, body tokens, context tokens) of a freshly stored document; inside the
        build transaction."""
        rowids = self.clause_rowids(doc_id)
        self.conn.executemany(
            "INSERT INTO clause_fts(rowid, body, context) VALUES (?,?,?)",
            [(rowids[cid], body, context) for cid, body, context in tokens],
        )

    def fts_ranked(self, expr: str, limit: int, weights: tuple[float, float]) -> list[tuple[int, float]]:
        """(rowid, score) of the clauses an FTS5 expression matches, best first: FTS5's bm25 with the body and
        context column weights, sign flipped so that higher is better."""
        body, context = weights
        sql = (
            f"SELECT rowid, -bm25(clause_fts, {body}, {context}) AS s FROM clause_fts "
            "WHERE clause_fts MATCH ? ORDER BY s DESC LIMIT ?"
        )
        return [(r[0], r[1]) for r in self.conn.execute(sql, (expr, limit))]

    def fts_texts(self, rowids: list[int]) -> list[tuple[int, str, str]]:
        """(rowid, body tokens, context tokens) of keyword-index rows, for scoring a few hundred candidates."""
        sql = f"SELECT rowid, body, context FROM clause_fts WHERE rowid IN ({_marks(len(rowids))})"
        return [(r[0], r[1], r[2]) for r in self.conn.execute(sql, rowids)]

    def vocabulary(self, min_len: int, max_len: int) -> list[tuple[str, int]]:
        """(term, clauses holding it) of the keyword index's terms of `min_len`..`max_len` characters."""
        return [
            (r[0], r[1])
            for r in self.conn.execute(
                "SELECT term, doc FROM clause_vocab WHERE length(term) BETWEEN ? AND ?", (min_len, max_len)
            )
        ]

    def is_indexed_term(self, term: str) -> bool:
        """Whether `term` is a term of the keyword index, i.e. some clause holds it: answers "does the corpus use this
        word?" with one lookup in the index's vocabulary (about 0.2 ms) instead of scanning every clause text
        (30–40 ms a word on the LawRefBook corpus, several words per question)."""
        return self.conn.execute("SELECT 1 FROM clause_vocab WHERE term = ? LIMIT 1", (term,)).fetchone() is not None

    # ---- exact route ---------------------------------------------------------------------------------------
    def exact_occurrences(self, terms: list[str], candidates_of: str | None) -> list[tuple[int, int]]:
        """(rowid, raw occurrences of all `terms`) of the searchable clauses (not cc lines) containing every term
        verbatim, in rowid order.  ``candidates_of``: the term whose trigram candidates narrow the search (see
        ``Store.candidates``); None scans."""
        where = " AND ".join("instr(text, ?) > 0" for _ in terms)
        raw = " + ".join("(length(text) - length(replace(text, ?, ''))) / length(?)" for _ in terms)
        raw_args = [x for t in terms for x in (t, t)]
        cond = self.candidates(candidates_of) if candidates_of is not None else None
        if cond is not None:
            sql = f"SELECT rowid, {raw} FROM clauses WHERE {cond[0]} AND kind != 'cc' AND {where} ORDER BY rowid"
            args = [*raw_args, *cond[1], *terms]
        else:
            sql = f"SELECT rowid, {raw} FROM clauses WHERE kind != 'cc' AND {where} ORDER BY rowid"
            args = [*raw_args, *terms]
        return [(r[0], r[1]) for r in self.conn.execute(sql, args)]

    def clause_texts(self, rowids: list[int]) -> dict[int, str]:
        """rowid → stored clause text."""
        out: dict[int, str] = {}
        for i in range(0, len(rowids), _CHUNK):
            chunk = rowids[i : i + _CHUNK]
            sql = f"SELECT rowid, text FROM clauses WHERE rowid IN ({_marks(len(chunk))})"
            out.update((r[0], r[1]) for r in self.conn.execute(sql, chunk))
        return out

    def title_rowids(self, doc_number: str) -> list[int]:
        """The title and preamble clauses of the documents with this 文号."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT c.rowid FROM clauses c JOIN documents d ON d.id = c.doc_id "
                "WHERE d.doc_number = ? AND +c.kind IN ('title', 'preamble')",  # +: by 文号, not by kind
                (doc_number,),
            )
        ]

    def count_containing(self, text: str, limit: int = -1) -> int:
        """Clauses (of any kind) containing `text` verbatim, counted up to `limit` (-1: all): candidates from the
        trigram table, verified by instr(), so a count costs what the matches cost, not a scan."""
        cond = self.candidates(text)
        where = f"{cond[0]} AND " if cond else ""
        args = [*(cond[1] if cond else []), text, limit]
        sql = f"SELECT count(*) FROM (SELECT 1 FROM clauses WHERE {where}instr(text, ?) > 0 LIMIT ?)"
        return int(self.conn.execute(sql, args).fetchone()[0])

    # ---- dense index -----------------------------------------------------------------------------------------
    def document_titles(self) -> dict[str, str | None]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT id, title FROM documents")}

    def clause_rows_of(self, doc_id: str) -> list[sqlite3.Row]:
        """One document's clause rows (with rowid) in rowid order."""
        return list(self.conn.execute("SELECT rowid, * FROM clauses WHERE doc_id = ? ORDER BY rowid", (doc_id,)))

    def searchable_rowids(self) -> list[int]:
        """Rowids of the clauses worth searching (all but cc lines), ascending."""
        return [r[0] for r in self.conn.execute("SELECT rowid FROM clauses WHERE kind != 'cc' ORDER BY rowid")]

    def doc_ids_of(self, rowids: list[int]) -> set[str]:
        """The documents the clauses with these rowids belong to."""
        out: set[str] = set()
        for i in range(0, len(rowids), _CHUNK):
            chunk = rowids[i : i + _CHUNK]
            sql = f"SELECT DISTINCT doc_id FROM clauses WHERE rowid IN ({_marks(len(chunk))})"
            out |= {r[0] for r in self.conn.execute(sql, chunk)}
        return out

    # ---- search filter ---------------------------------------------------------------------------------------
    def filtered_rowids(
        self,
        jurisdictions: list[str] | None = None,
        doc: str | None = None,
        level: str | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        kind: str | None = None,
        has_obligation: bool | None = None,
    ) -> frozenset[int]:
        """Rowids of the clauses that pass a search filter: documents of these jurisdictions, this document (id,
        corpus file or original file name), level, issue years, clause kind, with or without an extracted
        obligation.  Cached until the knowledge base changes: a county's clauses are tens of thousands of rowids
        in a large knowledge base (30 ms to collect at 100k clauses), asked for by every request."""
        sql = ["SELECT c.rowid FROM clauses c JOIN documents d ON d.id = c.doc_id WHERE 1=1"]
        args: list[object] = []
        if jurisdictions is not None:
            sql.append(f"AND d.jurisdiction IN ({_marks(len(jurisdictions))})")
            args += jurisdictions
        if doc:
            sql.append("AND (d.id = ? OR d.file = ? OR d.source_file = ?)")
            args += [doc] * 3
        if level:
            sql.append("AND d.level = ?")
            args.append(level)
        if year_from is not None:
            sql.append("AND d.issue_date IS NOT NULL AND CAST(substr(d.issue_date, 1, 4) AS INTEGER) >= ?")
            args.append(year_from)
        if year_to is not None:
            sql.append("AND d.issue_date IS NOT NULL AND CAST(substr(d.issue_date, 1, 4) AS INTEGER) <= ?")
            args.append(year_to)
        if kind:
            sql.append("AND c.kind = ?")
            args.append(kind)
        if has_obligation is not None:
            sql.append(
                ("AND " if has_obligation else "AND NOT ")
                + "EXISTS (SELECT 1 FROM obligations o WHERE o.clause_id = c.id)"
            )
        query = " ".join(sql)
        return self.cached(
            ("allowed", query, tuple(args)), lambda: frozenset(r[0] for r in self.conn.execute(query, args))
        )
