"""Counts over the comments and the audit log: the CLI's thread table and the overview's charts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .comments import SPAM, STATUSES
from .timestamps import isoformat

if TYPE_CHECKING:
    from sqlite_utils import Database


def count_by_thread(db: Database) -> dict[str, dict[str, int]]:
    """For each thread, how many comments it has in each status."""
    counts: dict[str, dict[str, int]] = {}
    for thread, status, count in db.execute(
        "SELECT thread, status, count(*) FROM comments GROUP BY thread, status"
    ).fetchall():
        counts.setdefault(thread, dict.fromkeys(STATUSES, 0))[status] = count
    return counts


def count_by_status(db: Database) -> dict[str, int]:
    """How many comments there are in each status."""
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in db.execute("SELECT status, count(*) FROM comments GROUP BY status"):
        counts[status] = count
    return counts


def comment_threads(db: Database) -> list[str]:
    """The slugs of every thread that has comments."""
    return [row[0] for row in db.execute("SELECT DISTINCT thread FROM comments ORDER BY thread")]


def daily_counts_by_status(db: Database, since: datetime) -> dict[tuple[str, str], int]:
    """Comments written per UTC day since `since`, by their status now: {(day, status): n}."""
    return {
        (day, status): count
        for day, status, count in db.execute(
            "SELECT substr(created_at, 1, 10) AS day, status, count(*) FROM comments"
            " WHERE created_at >= ? GROUP BY day, status",
            [isoformat(since)],
        )
    }


def daily_spam_caught(db: Database, since: datetime) -> dict[tuple[str, str], int]:
    """Spam per UTC day since `since`: {(day, "filter" | "moderators"): n}.

    The filter caught what is spam with no moderator having marked it; moderators' marks come
    from the audit log, on the day they made them.
    """
    caught = {}
    for day, count in db.execute(
        "SELECT substr(created_at, 1, 10) AS day, count(*) FROM comments AS c"
        " WHERE status = ? AND created_at >= ? AND NOT EXISTS (SELECT 1 FROM audit_log AS a"
        " WHERE a.comment_id = c.id AND a.to_status = ?) GROUP BY day",
        [SPAM, isoformat(since), SPAM],
    ):
        caught[(day, "filter")] = count
    for day, count in db.execute(
        "SELECT substr(at, 1, 10) AS day, count(*) FROM audit_log"
        " WHERE to_status = ? AND comment_id IS NOT NULL AND at >= ? GROUP BY day",
        [SPAM, isoformat(since)],
    ):
        caught[(day, "moderators")] = count
    return caught
