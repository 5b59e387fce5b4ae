"""The signed-in moderator's session cookie (Flask's signed session), checked on every request."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, g, session

from . import store


def start(moderator: dict, now: datetime) -> None:
    """Start a fresh session for the moderator (a new session defeats fixation)."""
    session.clear()
    session.permanent = True
    session["moderator_id"] = moderator["id"]
    # Changing the password ends the sessions opened with the old one.
    session["password_changed_at"] = moderator["password_changed_at"]
    session["logged_in_at"] = store.isoformat(now)


def end() -> None:
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
