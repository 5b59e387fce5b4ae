"""The one module that knows the database engine (SQLite) and talks to its driver.

It opens connections (WAL, busy timeout, foreign keys, one per thread), runs the migrations,
turns storage faults into StorageUnavailable at one point (the `Connection` class, which every
statement passes through), and holds the few bits of SQL and driver calls that differ between
engines: a new row's id, a case-insensitive "contains", many rows in one call, a stamp that
changes on every write, the file behind a connection. The table modules call these functions
and otherwise write portable SQL with `?` placeholders. See the package docstring for how a
second engine plugs in.

Only the standard library is imported here: sqlite-utils (and numpy behind it) loads when a
service connection is opened, not when the site build reads comments.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_MS = 5000

# A constraint the row breaks (a name taken already): what this engine's driver raises.
ConstraintViolation = sqlite3.IntegrityError


class StorageUnavailable(RuntimeError):
    """The database cannot be used now: its disk is full, read-only or failing, another writer
    holds it past the busy timeout, or it cannot be opened. The driver's error is its __cause__."""


# SQLite's primary result codes for a database that cannot be used now, as opposed to a
# mistake in our SQL (SQLITE_ERROR: no such table or column, a syntax error).
_FAULT_CODES = frozenset({
    3,   # SQLITE_PERM: the file may not be accessed
    5,   # SQLITE_BUSY: another connection holds the lock past the busy timeout
    6,   # SQLITE_LOCKED
    8,   # SQLITE_READONLY: a read-only file, directory or disk
    10,  # SQLITE_IOERR: the disk failed
    13,  # SQLITE_FULL
    14,  # SQLITE_CANTOPEN
    15,  # SQLITE_PROTOCOL: the WAL's locks could not be taken
})


def is_storage_fault(error: sqlite3.Error) -> bool:
    """True for a full, read-only, failing, locked or unopenable database; False for our bugs."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _FAULT_CODES


def _reraise(error: sqlite3.OperationalError) -> NoReturn:
    if is_storage_fault(error):
        raise StorageUnavailable(str(error)) from error
    raise error


def _translating(method):
    """`method` of sqlite3.Connection, raising StorageUnavailable for a storage fault."""

    def translated(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as error:
            _reraise(error)

    translated.__name__ = method.__name__
    translated.__doc__ = method.__doc__
    return translated


class Connection(sqlite3.Connection):
    """sqlite3's connection, through which every statement runs (sqlite-utils' own included):
    the one point where a storage fault becomes StorageUnavailable and any other error stays."""

    execute = _translating(sqlite3.Connection.execute)
    executemany = _translating(sqlite3.Connection.executemany)
    executescript = _translating(sqlite3.Connection.executescript)
    commit = _translating(sqlite3.Connection.commit)


def connect(path: str | Path, *, readonly: bool = False) -> Connection:
    """A driver connection to the database file; read-only ones never create or write it."""
    target = Path(path).resolve().as_uri() + "?mode=ro" if readonly else str(path)
    try:
        return sqlite3.connect(target, uri=readonly, timeout=BUSY_TIMEOUT_MS / 1000, factory=Connection)
    except sqlite3.OperationalError as error:
        _reraise(error)


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the database file in WAL mode with a busy timeout."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    from sqlite_utils import Database

    db = Database(connect(path), execute_plugins=False)
    db.conn.execute("PRAGMA foreign_keys = ON")
    db.conn.execute("PRAGMA synchronous = NORMAL")  # in WAL mode: durable at each checkpoint
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


def open_readonly(path: str | Path) -> Database | None:
    """Open an existing database read-only (the spam filter's CLI); None when it is absent."""
    if not Path(path).exists():
        return None
    from sqlite_utils import Database

    return Database(connect(path, readonly=True), execute_plugins=False)


_local = threading.local()


def connection(path: str | Path) -> Database:
    """One connection per thread (and so per gunicorn worker), reused across requests."""
    cache = getattr(_local, "dbs", None)
    if cache is None:
        cache = _local.dbs = {}
    key = str(path)
    db = cache.get(key)
    if db is None:
        db = cache[key] = open_db(key)
    return db


def migrate(db: Database) -> None:
    """Bring the schema up to date."""
    from .migrations import migrations

    migrations.apply(db)


def pending_migrations(db: Database) -> list[str]:
    """The names of the migrations this database has not had yet."""
    from .migrations import migrations

    return [migration.name for migration in migrations.pending(db)]


def is_healthy(db: Database) -> bool:
    """True when the database answers a query."""
    return db.execute("SELECT 1").fetchone() == (1,)


# --- What differs between engines, beyond opening and faults ---


def fits_id(number: int) -> bool:
    """Whether a number fits a row id (64 bits): SQLite cannot even compare a larger one,
    a 500 found by fuzzing (issue 6)."""
    return -(2**63) <= number < 2**63


def insert(db: Database, sql: str, args: list) -> int:
    """Run one INSERT and return the new row's id."""
    return db.execute(sql, args).lastrowid


def insert_many(db: Database, sql: str, rows: list[tuple]) -> None:
    """Run one INSERT for each row of arguments, in the caller's transaction."""
    db.conn.executemany(sql, rows)


def contains(column: str) -> str:
    """SQL true when `column`, lower-cased, contains the next argument (given lower-cased)."""
    return f"instr(lower({column}), ?) > 0"


def write_stamp(db: Database) -> tuple[int, int]:
    """A value that changes whenever anyone writes: another connection (`data_version`, bumped
    by any other process's commit) or this one (`total_changes`)."""
    conn = db.conn
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


_files: "weakref.WeakKeyDictionary[Database, str]" = weakref.WeakKeyDictionary()


def database_file(db: Database) -> str:
    """The path of a connection's main database file ("" for an in-memory database)."""
    path = _files.get(db)  # asked on every post: the spam filter's model is kept per file
    if path is None:
        rows = db.execute("PRAGMA database_list").fetchall()
        path = _files[db] = next((file or "" for _, name, file in rows if name == "main"), "")
    return path
