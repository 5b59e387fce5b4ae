"""Moderator accounts, password hashing, the login throttle and the moderator's session."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, g, session
from werkzeug.security import check_password_hash, generate_password_hash

from . import store

PASSWORD_MIN = 10
PASSWORD_MAX = 1024
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
FIRST_MODERATOR = "admin"
LOGIN_FAILED = "Name or password is wrong."
CLI_ACTOR = "(command line)"


class AccountError(ValueError):
    """A moderator account cannot be created or changed; the message says why."""


@dataclass(frozen=True)
class Throttle:
    """How long a login must wait, and why."""

    retry_after: int
    message: str


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


def add_moderator(db, name: str, password: str, email: str = "") -> int:
    """Create an account after checking its name and password; raises AccountError."""
    problem = name_problem(name) or password_problem(password)
    if problem:
        raise AccountError(problem)
    try:
        moderator_id = store.add_moderator(
            db, name=name, email=email.strip().lower(), password_hash=hash_password(password)
        )
    except store.ModeratorExists:
        raise AccountError(f"There is already a moderator named {name}.") from None
    store.add_audit(db, moderator=CLI_ACTOR, action="add moderator", details=name)
    return moderator_id


def change_password(db, name: str, password: str) -> None:
    """Set a new password (signing the account out everywhere); raises AccountError."""
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if not store.set_moderator_password(db, name, hash_password(password)):
        raise AccountError(f"There is no moderator named {name}.")
    store.add_audit(db, moderator=CLI_ACTOR, action="change password", details=name)


def remove_moderator(db, name: str) -> None:
    """Delete an account (its sessions end at their next request); raises AccountError."""
    if not store.remove_moderator(db, name):
        raise AccountError(f"There is no moderator named {name}.")
    store.add_audit(db, moderator=CLI_ACTOR, action="remove moderator", details=name)


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


def login_throttle(db, name: str, client: str, now: datetime) -> Throttle | None:
    """A Throttle when this account or this client failed too often lately, else None."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    waits = []
    for times in store.login_failures_since(db, name.strip(), client, now - window):
        if len(times) >= limit:
            # Logins reopen when the failure that makes the count reach the limit ages out.
            oldest_counted = store.parse_time(times[limit - 1])
            waits.append(max(1, int((oldest_counted + window - now).total_seconds()) + 1))
    if not waits:
        return None
    wait = max(waits)
    minutes = -(-wait // 60)
    return Throttle(
        retry_after=wait,
        message=(
            f"Too many failed logins. For your safety, logging in is paused: try again in"
            f" {minutes} minute{'s' if minutes != 1 else ''}."
        ),
    )


def record_failure(db, name: str, client: str, now: datetime) -> None:
    """Count a failed login against the account name and the client."""
    store.add_login_failure(db, name.strip(), client, now)


def log_in(db, moderator: dict, now: datetime) -> None:
    """Start a fresh session for the moderator (a new session defeats fixation)."""
    session.clear()
    session.permanent = True
    session["moderator_id"] = moderator["id"]
    # Changing the password ends the sessions opened with the old one.
    session["password_changed_at"] = moderator["password_changed_at"]
    session["logged_in_at"] = store.isoformat(now)
    store.clear_login_failures(db, moderator["name"])


def log_out() -> None:
    """End the moderator's session."""
    session.clear()


def current_moderator(db, now: datetime) -> dict | None:
    """The moderator of this session, checked against the database on every request."""
    if "moderator" in g:
        return g.moderator
    g.moderator = None
    moderator_id = session.get("moderator_id")
    if moderator_id is None:
        return None
    moderator = store.get_moderator(db, moderator_id)
    lifetime = current_app.permanent_session_lifetime
    started = session.get("logged_in_at")
    if (
        moderator is None
        or moderator["password_changed_at"] != session.get("password_changed_at")
        or not started
        or store.parse_time(started) + lifetime < now
    ):
        session.clear()
        return None
    g.moderator = moderator
    return moderator
