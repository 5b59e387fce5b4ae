"""Moderator accounts: creating and changing them, checking a login, the login throttle.

Flask-free; the session cookie of a signed-in moderator is sessions.py's business."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

from .. import store
from .errors import AccountError, LoginThrottled

PASSWORD_MIN = 10
PASSWORD_MAX = 1024
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
FIRST_MODERATOR = "admin"
LOGIN_FAILED = "Name or password is wrong."
CLI_ACTOR = "(command line)"


def name_problem(name: str) -> str | None:
    """Why a moderator name is not acceptable, or None."""
    if not NAME_PATTERN.match(name or ""):
        return (
            "A moderator name is 1 to 40 letters, digits, dots, dashes or underscores,"
            " starting with a letter or digit."
        )
    return None


def password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None."""
    if len(password) < PASSWORD_MIN:
        return f"The password must be at least {PASSWORD_MIN} characters long (it has {len(password)})."
    if len(password) > PASSWORD_MAX:
        return f"The password must be at most {PASSWORD_MAX} characters long."
    return None


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password."""
    return generate_password_hash(password, method="scrypt")


def add_moderator(db, name: str, password: str, email: str = "", now: datetime | None = None) -> int:
    """Create an account after checking its name and password; raises AccountError."""
    problem = name_problem(name) or password_problem(password)
    if problem:
        raise AccountError(why=problem)
    try:
        moderator_id = store.add_moderator(
            db, name=name, email=email.strip().lower(), password_hash=hash_password(password),
            now=now,
        )
    except store.ModeratorExists:
        raise AccountError(why=f"There is already a moderator named {name}.") from None
    store.add_audit(db, moderator=CLI_ACTOR, action="add moderator", details=name, now=now)
    return moderator_id


def change_password(db, name: str, password: str, now: datetime | None = None) -> None:
    """Set a new password (signing the account out everywhere); raises AccountError."""
    problem = password_problem(password)
    if problem:
        raise AccountError(why=problem)
    if not store.set_moderator_password(db, name, hash_password(password), now=now):
        raise AccountError(why=f"There is no moderator named {name}.")
    store.add_audit(db, moderator=CLI_ACTOR, action="change password", details=name, now=now)


def remove_moderator(db, name: str, now: datetime | None = None) -> None:
    """Delete an account (its sessions end at their next request); raises AccountError."""
    if not store.remove_moderator(db, name):
        raise AccountError(why=f"There is no moderator named {name}.")
    store.add_audit(db, moderator=CLI_ACTOR, action="remove moderator", details=name, now=now)


def create_first_moderator(db) -> str | None:
    """On a database without moderators, create "admin" and return its one-time password."""
    if store.list_moderators(db):
        return None
    password = secrets.token_urlsafe(15)
    add_moderator(db, FIRST_MODERATOR, password)
    return password


@cache
def _dummy_hash() -> str:
    """Checked against when the name is unknown, so that answer takes as long as a wrong password."""
    return hash_password(secrets.token_hex(16))


def check_login(db, name: str, password: str) -> dict | None:
    """The moderator if name and password match, else None (same work either way)."""
    moderator = store.find_moderator(db, name.strip()) if name else None
    stored_hash = moderator["password_hash"] if moderator else _dummy_hash()
    matches = check_password_hash(stored_hash, password or "")
    return moderator if moderator and matches else None


def login_throttle(db, name: str, client: str, now: datetime, limit: int,
                   window_seconds: int) -> None:
    """Raise LoginThrottled when this account or this client failed `limit` times lately."""
    window = timedelta(seconds=window_seconds)
    waits = []
    for times in store.login_failures_since(db, name.strip(), client, now - window):
        if len(times) >= limit:
            # Logins reopen when the failure that makes the count reach the limit ages out.
            oldest_counted = store.parse_time(times[limit - 1])
            waits.append(max(1, int((oldest_counted + window - now).total_seconds()) + 1))
    if waits:
        wait = max(waits)
        raise LoginThrottled(retry_after=wait, minutes=-(-wait // 60))


def record_failure(db, name: str, client: str, now: datetime) -> None:
    """Count a failed login against the account name and the client."""
    store.add_login_failure(db, name.strip(), client, now)


def log_in(db, name: str, password: str, client: str, now: datetime, *, limit: int,
           window_seconds: int) -> dict | None:
    """The moderator when name and password match (audited), None when they do not (counted);
    raises LoginThrottled after too many failures."""
    login_throttle(db, name, client, now, limit, window_seconds)
    found = check_login(db, name, password)
    if found is None:
        record_failure(db, name, client, now)
        return None
    store.clear_login_failures(db, found["name"])
    store.add_audit(db, moderator=found["name"], action="log in", now=now)
    return found


def log_out(db, moderator: dict, now: datetime) -> None:
    """Audit the end of a moderator's session."""
    store.add_audit(db, moderator=moderator["name"], action="log out", now=now)
