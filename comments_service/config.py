"""Settings of the comment service: defaults, environment (`COMMENTS_*`), secret bootstrap."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .spam.settings import CONFIG_DEFAULTS as SPAM_DEFAULTS

DEFAULTS = {
    # Where the comments live and where the built site (and its threads.json) is.
    "DATABASE": "var/comments.db",
    "SITE_DIR": "output",
    # Require an email address from commenters (off: optional, checked for shape when given).
    "REQUIRE_EMAIL": False,
    # Close threads this many days after the post's date (None: only metadata closes them).
    "CLOSE_AFTER_DAYS": None,
    # How long a commenter may edit or delete their own comment.
    "EDIT_WINDOW_SECONDS": 15 * 60,
    # Request bodies larger than this get 413.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # Number of reverse proxies in front of the service whose X-Forwarded-For we trust.
    "TRUSTED_PROXIES": 0,
    # Serve the built site from the same origin (development, `make run`).
    "SERVE_SITE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_NAME": "tb_session",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "JSON_SORT_KEYS": False,
    # Moderation forms: CSRF tokens live as long as the moderator's session does.
    "WTF_CSRF_TIME_LIMIT": None,
    # Login throttle: this many failures for one account or one client within the window -> 429.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_SECONDS": 15 * 60,
    # Email (no SMTP_HOST: nothing is sent). PUBLIC_URL is the site's address, for links in emails.
    "SMTP_HOST": "",
    "SMTP_PORT": 587,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_FROM": "",
    "SMTP_STARTTLS": True,
    "PUBLIC_URL": "",
    # Held comments are emailed to moderators: "each" at once, "digest" by `comments notify digest`, or "off".
    "NOTIFY_MODERATORS": "each",
    # The spam filter: rate limits per client, form timing, thresholds (spam/settings.py).
    **SPAM_DEFAULTS,
}


def load_secret_key(database: str | Path) -> str:
    """The secret key kept beside the database, created on first use (never in git)."""
    path = Path(database).parent / "secret_key"
    if path.exists():
        return _read_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written under a temporary name with owner-only permissions, then linked into place:
    # when two workers start at once, one wins and both use its complete key.
    temporary = path.with_name(f".secret_key.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    try:
        os.link(temporary, path)
    except FileExistsError:
        key = _read_key(path)
    finally:
        temporary.unlink()
    return key


def _read_key(path: Path) -> str:
    return path.read_text(encoding="ascii").strip()
