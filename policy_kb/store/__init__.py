"""SQLite system of record: documents, clauses, obligations and the keyword index live in one file, so one
transaction makes a build all-or-nothing."""

from .db import SCHEMA_VERSION, Store, StoreError

__all__ = ["SCHEMA_VERSION", "Store", "StoreError"]
