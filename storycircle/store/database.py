"""Opening the SQLite database safely: pragmas, permissions, migrations.

The store works on the plain ``sqlite3`` connection; this is the only module
that imports ``sqlite_utils``, and only when :func:`utils_view` is asked for
(it costs start-up time the first screen need not pay).
"""

from __future__ import annotations

import errno
import importlib
import itertools
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storycircle.errors import StoreError
from storycircle.store.schema import APPLICATION_ID, MIGRATIONS

SqliteError = sqlite3.Error
"""Any error SQLite raises, named here so callers above the store need not import sqlite3."""

DatabaseError = sqlite3.DatabaseError
"""SQLite's error for a database file that is damaged or not a database."""


def _import_sqlite_utils() -> Any:
    # sqlite-utils imports numpy whenever it is installed, only to map numpy
    # types on insert, which this store never does; numpy costs ~200 ms of
    # start-up. Hide it for the duration of this one import.
    if "numpy" in sys.modules:
        return importlib.import_module("sqlite_utils")
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        return importlib.import_module("sqlite_utils")
    finally:
        del sys.modules["numpy"]


def utils_view(conn: sqlite3.Connection) -> Any:
    """A ``sqlite_utils.Database`` over ``conn``, for ad-hoc queries and tools.

    Imported here, at first use, not at module import: sqlite-utils pulls in
    click, pluggy, dateutil and yaml, ~40 ms before the first screen.
    """
    # execute_plugins=False: sqlite-utils would otherwise scan every installed
    # distribution for plugins (importlib.metadata, ~40 ms) and let any of them
    # register functions on this connection.
    return _import_sqlite_utils().Database(conn, execute_plugins=False)


BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another instance before giving up."""


def _create_private_file(path: Path) -> None:
    # SQLite creates the -wal and -shm files with the main file's mode, so
    # creating the main file 0600 first keeps all three private.
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except PermissionError:
        raise StoreError(f"cannot write {path}: permission denied") from None
    except OSError as error:
        raise StoreError(f"cannot create {path}: {error.strerror}") from None
    os.close(fd)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing database without writing to it (``storycircle doctor``).

    No pragma that writes, no migration, no change of file mode: the file
    stays byte for byte as it was.

    Raises:
        StoreError: the file is missing, not ours, damaged, or of another schema.
    """
    if not path.is_file():
        raise StoreError(f"there is no database at {path}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _check_identity(conn, str(path))
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"{path} is damaged or is not a storycircle database ({error}); it was left untouched"
        ) from None
    if version != len(MIGRATIONS):
        raise StoreError(f"{path} is of an older schema; open storycircle once to upgrade it")
    return conn


def connect(path: Path | str) -> sqlite3.Connection:
    """Open (or create) the database at ``path`` and bring its schema up to date.

    ``":memory:"`` gives a private in-memory database (tests use it).

    Raises:
        StoreError: the file is not a storycircle database, is damaged, or is
            newer than this program. The file is never replaced or emptied.
    """
    in_memory = str(path) == ":memory:"
    if not in_memory:
        file = Path(path)
        if not file.exists():
            _create_private_file(file)
        elif file.stat().st_mode & 0o077:
            file.chmod(0o600)
    try:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves so a save is
        # exactly one transaction, and BEGIN IMMEDIATE takes the write lock up
        # front (two instances then wait on busy_timeout instead of failing).
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Check whose file this is before any pragma that writes to it
        # (journal_mode=WAL rewrites the header): a file that is not ours
        # must be left byte for byte as it was.
        _check_identity(conn, str(path))
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA synchronous = FULL")
        if not in_memory:
            _when_unlocked(conn, "PRAGMA journal_mode = WAL")
        _migrate(conn)
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"{path} is damaged or is not a storycircle database ({error}); it was left untouched"
        ) from None
    return conn


def _when_unlocked(conn: sqlite3.Connection, statement: str) -> None:
    # Switching a new file to WAL needs it to itself: SQLite reports "locked"
    # at once, without waiting, while another instance opening the same new
    # file holds it. Wait for that instance as busy_timeout would.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute(statement)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _check_identity(conn: sqlite3.Connection, name: str) -> None:
    # One read transaction, so the header and the tables are seen at the same
    # moment: another instance may be creating the tables of a new file.
    conn.execute("BEGIN")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.execute("COMMIT")
    if app_id == 0 and tables == 0:
        return  # a new, empty file: ours to initialise
    if app_id != APPLICATION_ID:
        raise StoreError(f"{name} is not a storycircle database; it was left untouched")
    if version > len(MIGRATIONS):
        raise StoreError(
            f"{name} was written by a newer storycircle (schema {version}); "
            "please upgrade storycircle"
        )


def _migrate(conn: sqlite3.Connection) -> None:
    while conn.execute("PRAGMA user_version").fetchone()[0] < len(MIGRATIONS):
        with transaction(conn):
            # Read the version again under the write lock: another instance
            # opening the same new file may have migrated it meanwhile.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(MIGRATIONS):
                return
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {version + 1}")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block as one write transaction: all of it commits, or none.

    Raises:
        StoreError: the disk is full, the file became read-only, or another
            instance held the lock too long; nothing of the block was kept.
    """
    if conn.in_transaction:
        # Inside a batch: a savepoint makes this block all-or-nothing while
        # the batch commits everything at once (one disk sync, not hundreds).
        with _savepoint(conn):
            yield conn
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except (sqlite3.OperationalError, OSError) as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreError(f"not saved: {_reason(error)}") from None


@contextmanager
def _savepoint(conn: sqlite3.Connection) -> Iterator[None]:
    name = f"sp{next(_savepoints)}"
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")


_savepoints = itertools.count()


def _reason(error: Exception) -> str:
    text = str(error).lower()
    if "full" in text or getattr(error, "errno", None) == errno.ENOSPC:
        return "the disk is full"
    if "readonly" in text or "read-only" in text:
        return "the data folder is read-only"
    if "locked" in text or "busy" in text:
        return "another storycircle kept the database busy; try again"
    return "the database could not be written"
