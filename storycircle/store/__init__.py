"""SQLite storage of rows: ids, dates, tag tokens and ciphertext, never content."""

from storycircle.store.database import DatabaseError, SqliteError
from storycircle.store.store import Store

__all__ = ["DatabaseError", "SqliteError", "Store"]
