"""How times are stored: ISO 8601 strings in UTC with microseconds, which sort as they read."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def isoformat(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(stamp: str) -> datetime:
    """Read a stored timestamp back as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
