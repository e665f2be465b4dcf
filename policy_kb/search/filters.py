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
        return store.filtered_rowids(  # type: ignore[return-value]  # a frozenset, read-only like the cache
            jurisdictions=self.applies() if self.jurisdiction else None,
            doc=self.doc,
            level=self.level,
            year_from=self.year_from,
            year_to=self.year_to,
            kind=self.kind,
            has_obligation=self.has_obligation,
        )
