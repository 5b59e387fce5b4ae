"""The comments table: writing comments, reading them for readers and moderators, counting them.

Knows nothing about HTTP or policy: callers decide who may do what, and audit it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from ..text import same_text_key
from .engine import contains, fits_id, insert
from .timestamps import isoformat, parse_time, utcnow

if TYPE_CHECKING:
    from sqlite_utils import Database

PENDING = "pending"
APPROVED = "approved"
SPAM = "spam"
DELETED = "deleted"
STATUSES = (PENDING, APPROVED, SPAM, DELETED)

# What the public API may show of a comment: an output allowlist.
PUBLIC_FIELDS = ("id", "parent_id", "author", "website", "body_html", "created_at", "by_moderator")

# What a moderator may search in, and how each tab is ordered: allowlists, never user text.
SEARCH_COLUMNS = {
    "all": ("body", "author", "email"),
    "text": ("body",),
    "author": ("author",),
    "email": ("email",),
}
QUEUE_ORDER = {PENDING: "created_at, id"}
NEWEST_FIRST = "created_at DESC, id DESC"


class CommentNotFound(LookupError):
    """No comment has that id."""


def _marks(values: list) -> str:
    """One `?` per value, for `IN (...)`."""
    return ",".join("?" * len(values))


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
        return insert(
            db,
            "INSERT INTO comments (thread, parent_id, depth, author, email, website, body,"
            " body_html, status, by_moderator, notify, created_at, updated_at, fingerprint,"
            " spam_score, spam_reasons, text_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                thread, parent_id, depth, author, email, website, body, body_html, status,
                int(by_moderator), int(notify), stamp, stamp, fingerprint, spam_score,
                json.dumps(spam_reasons or []), same_text_key(body),
            ],
        )


def _find(db: Database, comment_id: int) -> dict | None:
    if not fits_id(comment_id):
        return None
    rows = list(db.query("SELECT * FROM comments WHERE id = ?", [comment_id]))
    return rows[0] if rows else None


def get_comment(db: Database, comment_id: int) -> dict:
    """Return one comment with every field; raises CommentNotFound."""
    comment = _find(db, comment_id)
    if comment is None:
        raise CommentNotFound(comment_id)
    return comment


def get_comments(db: Database, ids: list[int]) -> dict[int, dict]:
    """Several comments by id (absent ids are left out)."""
    if not ids:
        return {}
    return {row["id"]: row for row in db.query(f"SELECT * FROM comments WHERE id IN ({_marks(ids)})", ids)}


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


def list_own(db: Database, thread: str, ids: list[int]) -> list[dict]:
    """The comments among `ids` in a thread still awaiting a moderator, as their author sees it.

    A comment held as spam is included: its author must not be able to tell it from any other
    held comment."""
    if not ids:
        return []
    return list(
        db.query(
            f"SELECT * FROM comments WHERE thread = ? AND status IN (?, ?) AND id IN ({_marks(ids)})"
            " ORDER BY created_at, id",
            [thread, PENDING, SPAM, *ids],
        )
    )


def count_approved(db: Database, slugs: list[str]) -> dict[str, int]:
    """Approved comment counts for many threads in one query; unknown slugs count 0."""
    counts = dict.fromkeys(slugs, 0)
    if not slugs:
        return counts
    for thread, count in db.execute(
        f"SELECT thread, count(*) FROM comments WHERE status = ? AND thread IN ({_marks(slugs)})"
        " GROUP BY thread",
        [APPROVED, *slugs],
    ).fetchall():
        counts[thread] = count
    return counts


def recent_approved(db: Database, thread: str | None = None, limit: int = 50) -> list[dict]:
    """The newest approved comments, newest first, of one thread or of the whole site."""
    if thread is None:
        sql, args = "SELECT * FROM comments WHERE status = ?", [APPROVED]
    else:
        sql, args = "SELECT * FROM comments WHERE thread = ? AND status = ?", [thread, APPROVED]
    return list(db.query(sql + " ORDER BY created_at DESC, id DESC LIMIT ?", [*args, limit]))


def has_approved_comment(db: Database, email: str) -> bool:
    """Whether any approved comment was written from this address (as stored: lower-case)."""
    row = db.execute(
        "SELECT 1 FROM comments WHERE email = ? AND status = ? LIMIT 1", [email, APPROVED]
    ).fetchone()
    return row is not None


def change_status(
    db: Database, comment_id: int, to_status: str, allowed_from: tuple[str, ...], now: datetime
) -> dict | None:
    """Move a comment to `to_status` if its status is one of `allowed_from`, in one transaction.

    Returns the comment as it was before, or None when it is absent or in another status.
    Writes no audit row: the caller does, in its own `db.atomic()` around this call."""
    assert to_status in STATUSES
    with db.atomic():
        before = _find(db, comment_id)
        if before is None or before["status"] not in allowed_from:
            return None
        db.execute(
            "UPDATE comments SET status = ?, updated_at = ? WHERE id = ?",
            [to_status, isoformat(now), comment_id],
        )
    return before


def set_status(db: Database, comment_id: int, status: str, now: datetime | None = None) -> dict:
    """Move a comment to another status, whatever it was; returns the comment as it was before."""
    before = change_status(db, comment_id, status, STATUSES, now or utcnow())
    if before is None:
        raise CommentNotFound(comment_id)
    return before


def update_body(
    db: Database, comment_id: int, body: str, body_html: str, now: datetime | None = None
) -> None:
    """Replace a comment's text (already sanitized by the caller)."""
    get_comment(db, comment_id)
    with db.atomic():
        db.execute(
            "UPDATE comments SET body = ?, body_html = ?, text_key = ?, updated_at = ? WHERE id = ?",
            [body, body_html, same_text_key(body), isoformat(now or utcnow()), comment_id],
        )


def stop_reply_notices(db: Database, email: str) -> int:
    """Untick "notify me" on every comment of that address; returns how many changed."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE comments SET notify = 0 WHERE email = ? AND notify = 1", [email.lower()]
        )
    return cursor.rowcount


def pending_since(db: Database, since: str | None) -> list[dict]:
    """Comments still pending that arrived after `since` (a stored timestamp; None: all), oldest first."""
    return list(
        db.query(
            "SELECT * FROM comments WHERE status = ? AND created_at > ? ORDER BY created_at, id",
            [PENDING, since or ""],
        )
    )


def _queue_filter(status: str, text: str, search_in: str, thread: str) -> tuple[str, list]:
    """The WHERE clause of the queue, built from constants; user values only as arguments."""
    clauses, args = ["status = ?"], [status]
    if thread:
        clauses.append("thread = ?")
        args.append(thread)
    if text:
        columns = SEARCH_COLUMNS[search_in]
        clauses.append("(" + " OR ".join(contains(column) for column in columns) + ")")
        args.extend([text.lower()] * len(columns))
    return " AND ".join(clauses), args


def search_comments(
    db: Database,
    *,
    status: str,
    text: str = "",
    search_in: str = "all",
    thread: str = "",
    limit: int = 25,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """A page of one tab of the queue (pending oldest first, others newest first) and its total."""
    assert status in STATUSES
    where, args = _queue_filter(status, text, search_in, thread)
    total = db.execute(f"SELECT count(*) FROM comments WHERE {where}", args).fetchone()[0]
    order = QUEUE_ORDER.get(status, NEWEST_FIRST)
    rows = list(
        db.query(f"SELECT * FROM comments WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?", [*args, limit, offset])
    )
    return rows, total


def comment_reasons(comment: dict) -> list[str]:
    """The reasons the filter gave for a comment (stored as a JSON list)."""
    try:
        reasons = json.loads(comment.get("spam_reasons") or "[]")
    except ValueError:
        return []
    return [str(reason) for reason in reasons] if isinstance(reasons, list) else []


def post_times(db: Database, fingerprint: str, since: datetime) -> list[datetime]:
    """When one client posted since a moment, oldest first (for rate limits)."""
    return [
        parse_time(stamp)
        for (stamp,) in db.execute(
            "SELECT created_at FROM comments WHERE fingerprint = ? AND created_at >= ?"
            " ORDER BY created_at",
            [fingerprint, isoformat(since)],
        ).fetchall()
    ]


def count_same_text(db: Database, body: str, since: datetime) -> int:
    """How many comments since a moment have the same text (text.same_text_key)."""
    return db.execute(
        "SELECT count(*) FROM comments WHERE text_key = ? AND created_at >= ?",
        [same_text_key(body), isoformat(since)],
    ).fetchone()[0]
