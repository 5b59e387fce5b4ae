"""Emails already sent about a comment, so that a re-approval does not send them twice."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .timestamps import isoformat, utcnow

if TYPE_CHECKING:
    from sqlite_utils import Database


def claim_notice(db: Database, comment_id: int, kind: str, now: datetime | None = None) -> bool:
    """Record that an email of `kind` about a comment goes out; False if one already went."""
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO notices (comment_id, kind, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [comment_id, kind, isoformat(now or utcnow())],
        )
    return cursor.rowcount > 0
