"""The audit log: who did what to which comment, written by the operations that do it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .timestamps import isoformat, utcnow

if TYPE_CHECKING:
    from sqlite_utils import Database


def add_audit(
    db: Database,
    *,
    moderator: str,
    action: str,
    comment_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    details: str = "",
    now: datetime | None = None,
) -> None:
    """Write one row of the audit log."""
    with db.atomic():
        db.execute(
            "INSERT INTO audit_log (at, moderator, action, comment_id, from_status, to_status, details)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [isoformat(now or utcnow()), moderator, action, comment_id, from_status, to_status, details],
        )


def list_audit(db: Database, limit: int, offset: int = 0) -> tuple[list[dict], int]:
    """A page of the audit log, newest first, and how many rows there are in all."""
    total = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    rows = list(
        db.query("SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ? OFFSET ?", [limit, offset])
    )
    return rows, total
