"""Rate limits per client: how long to wait before the next comment is accepted."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from .settings import SpamSettings

HOUR = timedelta(hours=1)


def windows(settings: SpamSettings) -> list[tuple[int, timedelta]]:
    """(most comments, within this time) pairs in force; a limit of 0 is off."""
    if not settings.rate_limit_enabled:
        return []
    pairs = ((settings.rate_limit_per_minute, timedelta(minutes=1)), (settings.rate_limit_per_hour, HOUR))
    return [(limit, span) for limit, span in pairs if limit > 0]


def retry_after(post_times: list[datetime], now: datetime, settings: SpamSettings) -> int | None:
    """Whole seconds until one more comment fits every window, or None when it fits now.

    `post_times` are the client's earlier comments, oldest first.
    """
    wait = 0.0
    for limit, span in windows(settings):
        recent = [t for t in post_times if t > now - span]
        if len(recent) >= limit:
            # The window frees a place when the oldest comment that keeps it full leaves it.
            frees_at = recent[len(recent) - limit] + span
            wait = max(wait, (frees_at - now).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else None
