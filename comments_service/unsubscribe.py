"""The unsubscribe link in reply emails: GET asks to confirm, POST stops the emails.

Under /api/ because that is what the proxy in front of the service forwards (with /moderate/),
but these are HTML pages for people, so errors here are pages too.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError

from . import notify, store
from .api import get_db

bp = Blueprint("unsubscribe", __name__, url_prefix="/api/unsubscribe")

INVALID_LINK = "This unsubscribe link is not valid. Please copy the whole link from the email."


def page(status: int, **values):
    """The unsubscribe page (never cached: it names an address)."""
    return render_template("moderate/unsubscribe.html", **values), status, {"Cache-Control": "no-store"}


@bp.get("/<token>")
def confirm(token):
    """Ask to confirm; a GET changes nothing (mail scanners follow links)."""
    email = notify.email_of_token(token)
    if email is None:
        return page(404, error=INVALID_LINK)
    return page(200, email=email, token=token)


@bp.post("/<token>")
def unsubscribe(token):
    """Stop reply emails to the address the token names."""
    email = notify.email_of_token(token)
    if email is None:
        return page(404, error=INVALID_LINK)
    store.stop_reply_notices(get_db(), email)
    return page(200, email=email, done=True)


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    """An out-of-date form: a page saying so, not the API's JSON."""
    return page(400, error="This page was out of date, so nothing was changed. Open the link from the email again.")
