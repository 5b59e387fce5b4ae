"""What moderators read: the queue's pages, the audit log, counts and the overview's figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from .. import store
from .moderation import actions_for, can_reply


def queue_page(db, *, status: str, text: str, search_in: str, thread: str, page: int,
               page_size: int) -> tuple[list[dict], int]:
    """A page of one tab of the queue, each comment with its parent, reasons and actions; and
    how many comments the tab has in all."""
    found, total = store.search_comments(
        db, status=status, text=text, search_in=search_in, thread=thread,
        limit=page_size, offset=(page - 1) * page_size,
    )
    parents = store.get_comments(db, [c["parent_id"] for c in found if c["parent_id"]])
    rows = [
        {
            "comment": comment,
            "parent": parents.get(comment["parent_id"]),
            "reasons": store.comment_reasons(comment),
            "actions": actions_for(comment["status"]),
            "can_reply": can_reply(comment),
        }
        for comment in found
    ]
    return rows, total


def commented_threads(db) -> list[str]:
    """The slugs of every thread that has comments (a post may have left the site since)."""
    return store.comment_threads(db)


def status_counts(db) -> dict[str, int]:
    """How many comments each tab of the queue has."""
    return store.count_by_status(db)


def audit_page(db, page: int, page_size: int) -> tuple[list[dict], int]:
    """A page of the audit log, newest first, and how many entries it has in all."""
    return store.list_audit(db, page_size, (page - 1) * page_size)


def last_days(today: date, count: int) -> list[str]:
    """The ISO dates of the last `count` days, oldest first, ending today."""
    return [(today - timedelta(days=n)).isoformat() for n in range(count - 1, -1, -1)]


def daily_figures(db, now: datetime, days: int) -> tuple[list[str], dict, dict]:
    """The last `days` days, comments per day by status, and spam caught per day (by the filter
    or by moderators), for the overview's charts."""
    shown = last_days(now.date(), days)
    since = datetime.combine(date.fromisoformat(shown[0]), time(), tzinfo=timezone.utc)
    return shown, store.daily_counts_by_status(db, since), store.daily_spam_caught(db, since)
