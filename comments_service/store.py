"""The only module that touches SQLite: connections, schema, and every query we make.

Knows nothing about HTTP. Timestamps are ISO 8601 strings in UTC.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from .migrations import migrations

PENDING = "pending"
APPROVED = "approved"
SPAM = "spam"
DELETED = "deleted"
STATUSES = (PENDING, APPROVED, SPAM, DELETED)

# What the public API may show of a comment: an output allowlist.
PUBLIC_FIELDS = ("id", "parent_id", "author", "website", "body_html", "created_at", "by_moderator")
BUSY_TIMEOUT_MS = 5000


class CommentNotFound(LookupError):
    """No comment has that id."""


class StorageUnavailable(RuntimeError):
    """The database cannot be written (read-only or full disk)."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def isoformat(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the database file in WAL mode with a busy timeout."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    _configure(conn)
    db = Database(conn, execute_plugins=False)
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


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


def open_readonly(path: str | Path) -> Database | None:
    """Open an existing database read-only (for the site build); None when it is absent."""
    if not Path(path).exists():
        return None
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return Database(conn, execute_plugins=False)


def migrate(db: Database) -> None:
    """Bring the schema up to date."""
    migrations.apply(db)


def add_comment(
    db: Database,
    *,
    thread: str,
    author: str,
    body: str,
    body_html: str,
    status: str,
    email: str = "",
    website: str = "",
    parent_id: int | None = None,
    depth: int = 0,
    notify: bool = False,
    by_moderator: bool = False,
    fingerprint: str = "",
    spam_score: float = 0.0,
    spam_reasons: list[str] | None = None,
    now: datetime | None = None,
) -> int:
    """Store a new comment and return its id."""
    assert status in STATUSES
    stamp = isoformat(now or utcnow())
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO comments (thread, parent_id, depth, author, email, website, body,"
            " body_html, status, by_moderator, notify, created_at, updated_at, fingerprint,"
            " spam_score, spam_reasons) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                thread, parent_id, depth, author, email, website, body, body_html, status,
                int(by_moderator), int(notify), stamp, stamp, fingerprint, spam_score,
                json.dumps(spam_reasons or []),
            ],
        )
    return cursor.lastrowid


def get_comment(db: Database, comment_id: int) -> dict:
    """Return one comment with every field; raises CommentNotFound."""
    rows = list(db.query("SELECT * FROM comments WHERE id = ?", [comment_id]))
    if not rows:
        raise CommentNotFound(comment_id)
    return rows[0]


def public(comment: dict) -> dict:
    """The fields of a comment anyone may see."""
    shown = {field: comment[field] for field in PUBLIC_FIELDS}
    shown["by_moderator"] = bool(shown["by_moderator"])
    shown["website"] = shown["website"] or ""
    return shown


def list_approved(db: Database, thread: str) -> list[dict]:
    """A thread's approved comments, oldest first, public fields only."""
    return [
        public(row)
        for row in db.query(
            "SELECT * FROM comments WHERE thread = ? AND status = ? ORDER BY created_at, id",
            [thread, APPROVED],
        )
    ]


def list_approved_by_thread(db: Database) -> dict[str, list[dict]]:
    """Every approved comment grouped by thread (for baking into the site)."""
    grouped: dict[str, list[dict]] = {}
    for row in db.query(
        "SELECT * FROM comments WHERE status = ? ORDER BY thread, created_at, id", [APPROVED]
    ):
        grouped.setdefault(row["thread"], []).append(public(row))
    return grouped


def list_own(db: Database, thread: str, ids: list[int], status: str = PENDING) -> list[dict]:
    """The comments among `ids` in a thread that still have `status`."""
    if not ids:
        return []
    marks = ",".join("?" for _ in ids)
    return list(
        db.query(
            f"SELECT * FROM comments WHERE thread = ? AND status = ? AND id IN ({marks})"
            " ORDER BY created_at, id",
            [thread, status, *ids],
        )
    )


def count_approved(db: Database, slugs: list[str]) -> dict[str, int]:
    """Approved comment counts for many threads in one query; unknown slugs count 0."""
    counts = dict.fromkeys(slugs, 0)
    if not slugs:
        return counts
    marks = ",".join("?" for _ in slugs)
    for thread, count in db.execute(
        f"SELECT thread, count(*) FROM comments WHERE status = ? AND thread IN ({marks})"
        " GROUP BY thread",
        [APPROVED, *slugs],
    ).fetchall():
        counts[thread] = count
    return counts


def count_by_thread(db: Database) -> dict[str, dict[str, int]]:
    """For each thread, how many comments it has in each status."""
    counts: dict[str, dict[str, int]] = {}
    for thread, status, count in db.execute(
        "SELECT thread, status, count(*) FROM comments GROUP BY thread, status"
    ).fetchall():
        counts.setdefault(thread, dict.fromkeys(STATUSES, 0))[status] = count
    return counts


def recent_approved(db: Database, thread: str | None = None, limit: int = 50) -> list[dict]:
    """The newest approved comments, newest first, of one thread or of the whole site."""
    if thread is None:
        sql, args = "SELECT * FROM comments WHERE status = ?", [APPROVED]
    else:
        sql, args = "SELECT * FROM comments WHERE thread = ? AND status = ?", [thread, APPROVED]
    return list(db.query(sql + " ORDER BY created_at DESC, id DESC LIMIT ?", [*args, limit]))


def set_status(db: Database, comment_id: int, status: str, now: datetime | None = None) -> dict:
    """Move a comment to another status; returns the comment as it was before."""
    assert status in STATUSES
    before = get_comment(db, comment_id)
    with db.atomic():
        db.execute(
            "UPDATE comments SET status = ?, updated_at = ? WHERE id = ?",
            [status, isoformat(now or utcnow()), comment_id],
        )
    return before


def update_body(
    db: Database, comment_id: int, body: str, body_html: str, now: datetime | None = None
) -> None:
    """Replace a comment's text (already sanitized by the caller)."""
    get_comment(db, comment_id)
    with db.atomic():
        db.execute(
            "UPDATE comments SET body = ?, body_html = ?, updated_at = ? WHERE id = ?",
            [body, body_html, isoformat(now or utcnow()), comment_id],
        )


def is_healthy(db: Database) -> bool:
    """True when the database answers a query."""
    return db.execute("SELECT 1").fetchone() == (1,)


def parse_time(stamp: str) -> datetime:
    """Read a stored timestamp back as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
