"""What every view needs from the request: the clock, the policy, the client, cookies, the format.

Not a view itself: views import it, never each other.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Response, current_app, request, url_for
from itsdangerous import BadSignature, Signer
from werkzeug.exceptions import BadRequest

from . import notify, spam
from .domain.comments import Policy
from .domain.errors import UnreadableRequest

OWN_COOKIE = "tb_own"
OWN_COOKIE_SALT = "touch-base-own-comments"
OWN_COOKIE_KEEP = 50
OWN_COOKIE_MAX_AGE = 30 * 24 * 3600


def now() -> datetime:
    """The current moment, from the app's clock (tests move it)."""
    return current_app.extensions["clock"]()


def threads():
    """The site's threads (threads.json of the built site)."""
    return current_app.extensions["threads"]


def policy() -> Policy:
    """The settings in force that decide what readers may do."""
    cfg = current_app.config
    return Policy(
        secret_key=cfg["SECRET_KEY"],
        edit_window_seconds=int(cfg["EDIT_WINDOW_SECONDS"]),
        close_after_days=cfg["CLOSE_AFTER_DAYS"],
        require_email=bool(cfg["REQUIRE_EMAIL"]),
        spam=spam.settings_from_config(cfg),
    )


def notifier() -> notify.Notifier | None:
    """Who sends this request's emails; None when email is not configured."""
    return notify.Notifier.from_config(current_app.config, threads(), request.host_url)


def client_fingerprint() -> str:
    """A coarse, keyed client mark for rate limits: the network prefix, never the raw address."""
    return _fingerprint(request.remote_addr or "0.0.0.0", current_app.config["SECRET_KEY"])


@lru_cache(maxsize=4096)  # every post asks; the same clients come back
def _fingerprint(address: str, secret_key: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
        prefix = 24 if ip.version == 4 else 48
        network = str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    except ValueError:
        network = address
    return hmac.new(secret_key.encode(), network.encode(), hashlib.sha256).hexdigest()[:16]


@lru_cache(maxsize=4)
def _own_signer(secret_key: str) -> Signer:
    return Signer(secret_key, salt=OWN_COOKIE_SALT)


def own_cookie_value(secret_key: str, ids: list[int]) -> str:
    """The signed cookie for these comment ids: "12-40-41.<signature>". A bare HMAC over the
    ids: a serializer's JSON and compression cost a post five times as much."""
    return _own_signer(secret_key).sign("-".join(map(str, ids))).decode()


def own_comment_ids() -> list[int]:
    """The ids of the comments this browser posted, from its signed cookie."""
    raw = request.cookies.get(OWN_COOKIE, "")
    if not raw:
        return []
    try:
        value = _own_signer(current_app.config["SECRET_KEY"]).unsign(raw).decode()
    except BadSignature:
        return []
    return [int(part) for part in value.split("-") if part.isdigit()]


def remember_own_comment(response: Response, comment_id: int) -> None:
    """Add a new comment to the browser's signed list of its own comments."""
    ids = (own_comment_ids() + [comment_id])[-OWN_COOKIE_KEEP:]
    response.set_cookie(
        OWN_COOKIE,
        own_cookie_value(current_app.config["SECRET_KEY"], ids),
        max_age=OWN_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        path="/api",
    )


def wants_html() -> bool:
    """A plain HTML form post (no JavaScript): answer with pages and redirects, not JSON."""
    if request.is_json:
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def submitted_fields() -> dict:
    """The fields of a JSON or form submission; raises UnreadableRequest."""
    if not request.is_json:
        return request.form.to_dict()
    try:
        data = request.get_json()
    except BadRequest:
        raise UnreadableRequest(why="The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise UnreadableRequest(why="Send a JSON object with the fields author, body and so on.")
    return data


def safe_next(target: str | None) -> str:
    """Where to go back to: a page of the moderation form, never another site."""
    try:
        parts = urlsplit(target or "")
    except ValueError:  # "http://[x": a 500 on the login page, found by the security suite (issue 6)
        return url_for("moderate.queue")
    if parts.scheme or parts.netloc or "\\" in (target or "") or not parts.path.startswith("/moderate/"):
        return url_for("moderate.queue")
    return target


def login_url() -> str:
    """The login form, remembering the page a visitor without a session wanted."""
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return url_for("moderate.login", next=target)
