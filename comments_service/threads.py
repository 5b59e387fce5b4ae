"""The thread manifest written by the site build (`threads.json`): which slugs exist, open or not.

The service accepts comments only for slugs in the manifest, so nobody can create threads for
arbitrary URLs. The file is re-read whenever the build rewrites it: no restart needed.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

MANIFEST_NAME = "threads.json"


def _aware(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Thread:
    slug: str
    title: str
    url: str
    date: str
    closed: bool
    closes_at: str | None = None

    def is_open(self, now: datetime, close_after_days: int | None = None) -> bool:
        """Open unless closed by the post's metadata or past the build's or service's age limit."""
        if self.closed:
            return False
        if self.closes_at and now >= _aware(self.closes_at):
            return False
        if close_after_days is None:
            return True
        return now < _aware(self.date) + timedelta(days=int(close_after_days))

    def describe(self, now: datetime, close_after_days: int | None = None) -> dict:
        """The thread as the public API shows it."""
        return {
            "slug": self.slug,
            "title": self.title,
            "url": self.url,
            "open": self.is_open(now, close_after_days),
        }


class ThreadManifest:
    """Reads `threads.json` from the site's output folder, again whenever it changes."""

    def __init__(self, site_dir: str | Path):
        self.path = Path(site_dir) / MANIFEST_NAME
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._threads: dict[str, Thread] = {}

    def _current(self) -> dict[str, Thread]:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._threads = self._read()
                    self._stamp = stamp
        return self._threads

    def _read(self) -> dict[str, Thread]:
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))["threads"]
        except (OSError, ValueError, KeyError):
            # A build in the middle of writing the file: keep what we had.
            return self._threads
        return {
            entry["slug"]: Thread(
                slug=entry["slug"],
                title=entry.get("title", entry["slug"]),
                url=entry.get("url", "/"),
                date=entry.get("date", "1970-01-01T00:00:00+00:00"),
                closed=not entry.get("open", True),
                closes_at=entry.get("closes_at"),
            )
            for entry in entries
        }

    def get(self, slug: str) -> Thread | None:
        """The thread with that slug, or None when the site has no such post."""
        return self._current().get(slug)

    def all(self) -> list[Thread]:
        """Every thread the site has, newest post first."""
        return sorted(self._current().values(), key=lambda t: t.date, reverse=True)


def write_manifest(output_dir: str | Path, threads: list[dict]) -> Path:
    """Write the manifest atomically (the service may read it at any moment)."""
    path = Path(output_dir) / MANIFEST_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps({"threads": threads}, indent=1), encoding="utf-8")
    os.replace(temporary, path)
    return path
