"""The unsubscribe link in reply emails: GET asks to confirm, POST stops the emails.

Under /api/ because that is what the proxy in front of the service forwards (with /moderate/),
but these are HTML pages for people, so errors here are pages too (errors.py).
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from . import notify
from .db import get_db
from .domain import comments

bp = Blueprint("unsubscribe", __name__, url_prefix="/api/unsubscribe")

INVALID_LINK = "This unsubscribe link is not valid. Please copy the whole link from the email."


def page(status: int, **values):
    """The unsubscribe page (never cached: it names an address)."""
    return render_template("moderate/unsubscribe.html", **values), status, {"Cache-Control": "no-store"}


def email_of(token: str) -> str | None:
    return notify.email_of_token(current_app.config["SECRET_KEY"], token)


@bp.get("/<token>")
def confirm(token):
    """Ask to confirm; a GET changes nothing (mail scanners follow links)."""
    email = email_of(token)
    if email is None:
        return page(404, error=INVALID_LINK)
    return page(200, email=email, token=token)


@bp.post("/<token>")
def unsubscribe(token):
    """Stop reply emails to the address the token names."""
    email = email_of(token)
    if email is None:
        return page(404, error=INVALID_LINK)
    comments.stop_reply_notices(get_db(), email)
    return page(200, email=email, done=True)
