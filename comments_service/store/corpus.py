"""The spam filter's corpus: moderators' decisions and imported labelled examples."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .engine import insert_many
from .settings import bump_counter, get_setting
from .timestamps import isoformat, utcnow

if TYPE_CHECKING:
    from sqlite_utils import Database

SPAM_CORPUS_VERSION = "spam_corpus_version"  # a settings key: bumped by every corpus write
CORPUS_FIELDS = ("source", "author", "email", "website", "body", "label")


def corpus_version(db: Database) -> int:
    """A number that changes whenever the spam corpus does (0: never written)."""
    value = get_setting(db, SPAM_CORPUS_VERSION)
    return int(value) if value else 0


def record_spam_label(
    db: Database, *, comment_id: int | None, author: str, email: str, website: str, body: str,
    label: str, now: datetime | None = None,
) -> None:
    """Keep a moderator's decision about a comment; a later decision on it replaces this one."""
    with db.atomic():
        db.execute(
            "INSERT INTO spam_corpus (source, comment_id, author, email, website, body, label, added_at)"
            " VALUES ('site', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(comment_id) DO UPDATE SET"
            " author = excluded.author, email = excluded.email, website = excluded.website,"
            " body = excluded.body, label = excluded.label, added_at = excluded.added_at",
            [comment_id, author, email.lower(), website, body, label, isoformat(now or utcnow())],
        )
        bump_counter(db, SPAM_CORPUS_VERSION)


def replace_imported_examples(
    db: Database, source: str, examples: list[dict], now: datetime | None = None
) -> None:
    """Store an imported file's labelled rows, replacing what an earlier import of it stored."""
    stamp = isoformat(now or utcnow())
    with db.atomic():
        db.execute("DELETE FROM spam_corpus WHERE source = ?", [source])
        insert_many(
            db,
            "INSERT INTO spam_corpus (source, author, email, website, body, label, added_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (source, e.get("author", ""), e.get("email", ""), e.get("website", ""), e["body"],
                 e["label"], stamp)
                for e in examples
            ],
        )
        bump_counter(db, SPAM_CORPUS_VERSION)


def list_spam_corpus(db: Database) -> list[dict]:
    """Every labelled example, oldest first."""
    return list(db.query(f"SELECT {', '.join(CORPUS_FIELDS)} FROM spam_corpus ORDER BY id"))


def count_spam_corpus(db: Database) -> dict[str, dict[str, int]]:
    """How many spam and ham examples each source holds."""
    counts: dict[str, dict[str, int]] = {}
    for source, label, count in db.execute(
        "SELECT source, label, count(*) FROM spam_corpus GROUP BY source, label ORDER BY source"
    ).fetchall():
        counts.setdefault(source, {"spam": 0, "ham": 0})[label] = count
    return counts
