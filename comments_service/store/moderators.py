"""Moderator accounts and the failed logins the login throttle counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .engine import ConstraintViolation, insert
from .timestamps import isoformat, utcnow

if TYPE_CHECKING:
    from sqlite_utils import Database


class ModeratorExists(ValueError):
    """A moderator with that name exists already."""


def add_moderator(
    db: Database, *, name: str, email: str, password_hash: str, now: datetime | None = None
) -> int:
    """Create a moderator account; raises ModeratorExists."""
    stamp = isoformat(now or utcnow())
    try:
        with db.atomic():
            return insert(
                db,
                "INSERT INTO moderators (name, email, password_hash, created_at, password_changed_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [name, email, password_hash, stamp, stamp],
            )
    except ConstraintViolation:
        raise ModeratorExists(name) from None


def get_moderator(db: Database, moderator_id: int) -> dict | None:
    """The moderator with that id, or None (the account was removed)."""
    rows = list(db.query("SELECT * FROM moderators WHERE id = ?", [moderator_id]))
    return rows[0] if rows else None


def find_moderator(db: Database, name: str) -> dict | None:
    """The moderator with that name (any case), or None."""
    rows = list(db.query("SELECT * FROM moderators WHERE name = ?", [name]))
    return rows[0] if rows else None


def list_moderators(db: Database) -> list[dict]:
    """Every moderator account, by name."""
    return list(db.query("SELECT * FROM moderators ORDER BY name"))


def remove_moderator(db: Database, name: str) -> bool:
    """Delete an account; False when there was none by that name."""
    with db.atomic():
        cursor = db.execute("DELETE FROM moderators WHERE name = ?", [name])
    return cursor.rowcount > 0


def set_moderator_password(
    db: Database, name: str, password_hash: str, now: datetime | None = None
) -> bool:
    """Replace a moderator's password hash; False when there is no such account."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE moderators SET password_hash = ?, password_changed_at = ? WHERE name = ?",
            [password_hash, isoformat(now or utcnow()), name],
        )
    return cursor.rowcount > 0


def moderator_emails(db: Database) -> list[str]:
    """The addresses of the moderators who gave one."""
    return [row[0] for row in db.execute("SELECT email FROM moderators WHERE email != '' ORDER BY name")]


def add_login_failure(db: Database, name: str, client: str, now: datetime) -> None:
    """Remember a failed login (and forget those older than a day)."""
    with db.atomic():
        db.execute(
            "INSERT INTO login_failures (name, client, at) VALUES (?, ?, ?)",
            [name.lower(), client, isoformat(now)],
        )
        db.execute("DELETE FROM login_failures WHERE at < ?", [isoformat(now - timedelta(days=1))])


def login_failures_since(db: Database, name: str, client: str, since: datetime) -> list[str]:
    """Times of the failures since `since` for that account, then those for that client; newest first."""
    times = []
    for column, value in (("name", name.lower()), ("client", client)):
        times.append([
            row[0]
            for row in db.execute(
                f"SELECT at FROM login_failures WHERE {column} = ? AND at >= ? ORDER BY at DESC",
                [value, isoformat(since)],
            )
        ])
    return times


def clear_login_failures(db: Database, name: str) -> None:
    """Forget an account's failures (its owner just proved who they are)."""
    with db.atomic():
        db.execute("DELETE FROM login_failures WHERE name = ?", [name.lower()])
