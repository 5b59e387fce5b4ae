"""The settings table: one text value per key (the moderation rules as JSON, the digest's mark)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


def get_setting(db: Database, key: str) -> str | None:
    """A stored setting's value, or None."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_setting(db: Database, key: str, value: str) -> None:
    """Store a setting (replacing its value)."""
    with db.atomic():
        db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


def bump_counter(db: Database, key: str) -> None:
    """Add one to a setting that counts (1 when absent), in the caller's transaction."""
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, '1')"
        " ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT)",
        [key],
    )
