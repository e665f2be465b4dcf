"""Search filters, resolved to the set of clause rowids they allow (one SQL query, cached per filter)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import places
from ..records import ClauseKind
from ..store import Store

LEVELS = places.LEVELS  # national, province, city, county
KINDS = tuple(ClauseKind)


@dataclass(frozen=True)
class SearchFilter:
    jurisdiction: str | None = None  # a place: its own clauses plus those of the places above it
    doc: str | None = None  # document id or file name
    level: str | None = None
    year_from: int | None = None  # issue year range; documents without a date are excluded when set
    year_to: int | None = None
    kind: str | None = None
    has_obligation: bool | None = None

    def __post_init__(self) -> None:
        if self.level and self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, got '{self.level}'")
        if self.kind and self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got '{self.kind}'")
        if self.jurisdiction and places.lookup(self.jurisdiction) is None:
            raise ValueError(f"unknown place '{self.jurisdiction}' (e.g. 山西省, 忻州市, 介休市)")

    @property
    def active(self) -> bool:
        return any(v is not None for v in self.__dict__.values())

    def applies(self) -> list[str]:
        """The jurisdictions whose rules apply to the filtered place, most specific first."""
        return places.ancestors(self.jurisdiction) if self.jurisdiction else []

    def allowed(self, store: Store) -> set[int] | None:
        if not self.active:
            return None
        sql = ["SELECT c.rowid FROM clauses c JOIN documents d ON d.id = c.doc_id WHERE 1=1"]
        args: list[object] = []
        if self.jurisdiction:
            names = self.applies()
            sql.append(f"AND d.jurisdiction IN ({','.join('?' * len(names))})")
            args += names
        if self.doc:
            sql.append("AND (d.id = ? OR d.file = ? OR d.source_file = ?)")
            args += [self.doc] * 3
        if self.level:
            sql.append("AND d.level = ?")
            args.append(self.level)
        if self.year_from is not None:
            sql.append("AND d.issue_date IS NOT NULL AND CAST(substr(d.issue_date, 1, 4) AS INTEGER) >= ?")
            args.append(self.year_from)
        if self.year_to is not None:
            sql.append("AND d.issue_date IS NOT NULL AND CAST(substr(d.issue_date, 1, 4) AS INTEGER) <= ?")
            args.append(self.year_to)
        if self.kind:
            sql.append("AND c.kind = ?")
            args.append(self.kind)
        if self.has_obligation is not None:
            sql.append(
                ("AND " if self.has_obligation else "AND NOT ")
                + "EXISTS (SELECT 1 FROM obligations o WHERE o.clause_id = c.id)"
            )
        # cached: a county's clauses are tens of thousands of rowids in a large knowledge base (30 ms to collect at
        # 100k clauses), asked for by every request
        query = " ".join(sql)
        return store.cached(
            ("allowed", query, tuple(args)),  # type: ignore[return-value]
            lambda: frozenset(r[0] for r in store.conn.execute(query, args)),
        )
