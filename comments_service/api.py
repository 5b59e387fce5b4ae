"""The public JSON API of the comment service (see ARCHITECTURE.md for the contract)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import sqlite3
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, url_for
from itsdangerous import BadSignature, Signer
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.http import http_date

from . import feeds, notify, spam, store, thread_html
from .sanitize import render_comment
from .spam.form_token import issue_token, token_age
from .threads import Thread
from .validation import check_body, check_submission

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_DEPTH = 5
OWN_COOKIE = "tb_own"
OWN_COOKIE_SALT = "touch-base-own-comments"
OWN_COOKIE_KEEP = 50
OWN_COOKIE_MAX_AGE = 30 * 24 * 3600
COUNTS_MAX_SLUGS = 200
FEED_LENGTH = 50


class ApiError(Exception):
    """An answer to the caller that is not a success: status, sentence, per-field problems."""

    def __init__(self, status: int, error: str, fields: dict | None = None, headers=None):
        super().__init__(error)
        self.status, self.error, self.fields, self.headers = status, error, fields, headers


def get_db():
    return store.connection(current_app.config["DATABASE"])


def now():
    return g.get("now") or store.utcnow()


def find_thread(slug: str) -> Thread:
    thread = current_app.extensions["threads"].get(slug)
    if thread is None:
        raise ApiError(404, f"There is no post '{slug}' on this site, so it has no comments.")
    return thread


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


def editable_until(comment: dict) -> str:
    created = store.parse_time(comment["created_at"])
    return store.isoformat(created + timedelta(seconds=current_app.config["EDIT_WINDOW_SECONDS"]))


def wants_html() -> bool:
    """A plain HTML form post (no JavaScript): answer with pages and redirects, not JSON."""
    if request.is_json:
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def json_bytes(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    payload = {"error": error.error}
    if error.fields:
        payload["fields"] = error.fields
    response = jsonify(payload)
    response.status_code = error.status
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


@bp.get("/threads/<slug>/comments")
def list_comments(slug):
    thread = find_thread(slug)
    described = thread.describe(now(), current_app.config["CLOSE_AFTER_DAYS"])
    db = get_db()

    def render() -> bytes:
        comments = store.list_approved(db, slug)
        return json_bytes({"thread": described, "comments": comments, "total": len(comments)})

    return cached_answer(db, ("list", slug, tuple(described.items())), render, "application/json")


@bp.get("/threads/<slug>/comments.html")
def list_comments_html(slug):
    """The same list as HTML, from the template the site build bakes into the article page."""
    thread = find_thread(slug)
    is_open = thread.is_open(now(), current_app.config["CLOSE_AFTER_DAYS"])
    replies_to = thread_html.reply_url(request.script_root + bp.url_prefix, slug, is_open)
    db = get_db()

    def render() -> bytes:
        return thread_html.render_thread(store.list_approved(db, slug), replies_to).encode()

    return cached_answer(db, ("html", slug, replies_to), render, "text/html")


def cached_answer(db, key, render, mimetype: str) -> Response:
    """The same bytes for every caller, rendered once per worker and kept until the next
    write to the database; the caller revalidates each time (ETag, 304)."""

    def render_with_etag() -> tuple[bytes, str]:
        body = render()
        return body, hashlib.sha256(body).hexdigest()[:32]

    body, etag = store.derived(db, key, render_with_etag)
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return make_conditional(response)


# Without any of these, make_conditional() only adds a Date header (no Range: accept_ranges
# is off). Checking first saves a fifth of the time of a cached list answer.
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE", "HTTP_RANGE",
)


def make_conditional(response: Response) -> Response:
    """`response.make_conditional(request)`, short-cut when the request asks nothing of it."""
    environ = request.environ
    if request.method not in ("GET", "HEAD") or any(h in environ for h in CONDITIONAL_HEADERS):
        return response.make_conditional(request)
    response.headers.add("Date", http_date())  # a new Response has none
    return response


@bp.get("/threads/<slug>/mine")
def list_mine(slug):
    find_thread(slug)
    mine = []
    for comment in store.list_own(get_db(), slug, own_comment_ids()):
        shown = store.public(comment)
        shown["status"] = store.PENDING
        shown["body"] = comment["body"]  # the author's own Markdown, for editing
        shown["editable_until"] = editable_until(comment)
        shown["html"] = str(thread_html.render_pending(shown))  # as the thread's HTML shows it
        mine.append(shown)
    response = jsonify({"comments": mine})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API (comments_service/openapi.json)."""
    body = Path(__file__).with_name("openapi.json").read_bytes()
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/form-token")
def form_token():
    response = jsonify({"token": issue_token(current_app.config["SECRET_KEY"])})
    response.headers["Cache-Control"] = "private, no-store"
    return response


def read_submission_data() -> dict:
    if request.is_json:
        try:
            data = request.get_json()
        except BadRequest:
            raise ApiError(400, "The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise ApiError(400, "Send a JSON object with the fields author, body and so on.")
        return data
    return request.form.to_dict()


def resolve_parent(db, thread: Thread, parent_id: int | None) -> tuple[int | None, int]:
    """The parent a reply attaches to and the reply's depth (replies stop nesting at 5)."""
    if parent_id is None:
        return None, 0
    try:
        parent = store.get_comment(db, parent_id)
    except store.CommentNotFound:
        parent = None
    if parent is None or parent["thread"] != thread.slug or parent["status"] != store.APPROVED:
        raise ApiError(
            400,
            "The comment you reply to is not published on this post.",
            {"parent_id": "Reply to a published comment of this post, or leave parent_id empty."},
        )
    if parent["depth"] >= MAX_DEPTH:
        return parent["parent_id"], MAX_DEPTH
    return parent["id"], parent["depth"] + 1


@bp.post("/threads/<slug>/comments")
def create_comment(slug):
    html = wants_html()
    data = {}
    try:
        data = read_submission_data()
        thread = find_thread(slug)
        cfg = current_app.config
        if not thread.is_open(now(), cfg["CLOSE_AFTER_DAYS"]):
            raise ApiError(403, "Comments are closed for this post.")
        sub = check_submission(data, require_email=cfg["REQUIRE_EMAIL"])
        if sub.errors:
            raise ApiError(400, "Some fields need fixing: " + " ".join(sub.errors.values()), sub.errors)
        db = get_db()
        parent_id, depth = resolve_parent(db, thread, sub.parent_id)
        context = spam.Context(
            db=db,
            now=now(),
            fingerprint=client_fingerprint(),
            form_token_age=token_age(cfg["SECRET_KEY"], sub.form_token),
            honeypot=sub.honeypot,
            secret_key=cfg["SECRET_KEY"],
            form_token=sub.form_token,
            settings=spam.settings_from_config(cfg),
        )
        wait = spam.rate_limit(context)
        if wait:
            raise ApiError(
                429,
                f"You are posting too fast. Please wait {wait} seconds and try again.",
                headers={"Retry-After": str(wait)},
            )
        comment = {
            "thread": slug,
            "author": sub.author,
            "email": sub.email,
            "website": sub.website,
            "body": sub.body,
            "body_html": render_comment(sub.body),
            "parent_id": parent_id,
            "depth": depth,
            "notify": sub.notify,
        }
        verdict = spam.score(comment, context)
        comment_id = store.add_comment(
            db,
            **comment,
            status=verdict.status,
            fingerprint=context.fingerprint,
            spam_score=verdict.score,
            spam_reasons=verdict.reasons,
            now=context.now,
        )
    except ApiError as error:
        if html:
            return form_error_page(error, data, slug)
        raise
    except sqlite3.OperationalError as error:
        current_app.logger.error("could not store a comment: %s", error)
        error = ApiError(
            503,
            "Comments cannot be saved right now (the server's storage is unavailable)."
            " Nothing was saved; please keep your text and try again in a few minutes.",
        )
        if html:
            return form_error_page(error, data, slug)
        raise error from None
    notify.comment_stored(db, comment_id)  # any emails go out in the background
    # The poster is never told "spam": a spam verdict looks like any held comment.
    status = store.APPROVED if verdict.status == store.APPROVED else store.PENDING
    if html:
        anchor = "comment-published" if status == store.APPROVED else "comment-posted"
        response = Response(status=303)
        response.headers["Location"] = f"{thread.url}#{anchor}"
    else:
        # Ready bytes, as the thread listing does: jsonify costs a post a few percent.
        response = Response(json_bytes({"id": comment_id, "status": status}), status=201,
                            mimetype="application/json")
    remember_own_comment(response, comment_id)
    return response


def form_error_page(error: ApiError, data: dict, slug: str):
    """The plain-form answer to a refused comment: what to fix, with the text kept."""
    thread = current_app.extensions["threads"].get(slug)
    token = issue_token(current_app.config["SECRET_KEY"])
    page = render_template("form_error.html", error=error, data=data, thread=thread, token=token)
    response = Response(page, status=error.status, mimetype="text/html")
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


@bp.get("/threads/<slug>/reply/<int:comment_id>")
def reply_page(slug, comment_id):
    """A reply form for readers without JavaScript (the baked pages link here)."""
    thread = find_thread(slug)
    if not thread.is_open(now(), current_app.config["CLOSE_AFTER_DAYS"]):
        raise ApiError(403, "Comments are closed for this post.")
    try:
        parent = store.get_comment(get_db(), comment_id)
    except store.CommentNotFound:
        parent = None
    if parent is None or parent["thread"] != slug or parent["status"] != store.APPROVED:
        raise ApiError(404, "That comment is not published on this post, so it cannot be answered.")
    page = render_template(
        "reply_form.html",
        thread=thread,
        parent=parent,
        action=url_for("api.create_comment", slug=slug),
        token=issue_token(current_app.config["SECRET_KEY"]),
    )
    return Response(page, mimetype="text/html")


def own_comment(comment_id: int) -> dict:
    """A comment the caller may still change: theirs, inside the edit window, not removed."""
    db = get_db()
    try:
        comment = store.get_comment(db, comment_id)
    except store.CommentNotFound:
        raise ApiError(404, f"There is no comment {comment_id}.") from None
    if comment_id not in own_comment_ids():
        raise ApiError(403, "Only the author of a comment can change it, from the same browser.")
    # A comment held as spam stays editable like any held one: the poster is never told "spam".
    if comment["status"] == store.DELETED:
        raise ApiError(403, "This comment was removed and can no longer be changed.")
    limit = store.parse_time(comment["created_at"]) + timedelta(
        seconds=current_app.config["EDIT_WINDOW_SECONDS"]
    )
    if now() > limit:
        minutes = current_app.config["EDIT_WINDOW_SECONDS"] // 60
        raise ApiError(403, f"Comments can be changed for {minutes} minutes after posting; that time is over.")
    return comment


# Signed, so /api/comments/-1 is "no such comment" (404), not a 405 from the site route (issue 6).
@bp.put("/comments/<int(signed=True):comment_id>")
def edit_comment(comment_id):
    comment = own_comment(comment_id)
    data = read_submission_data()
    body, problem = check_body(data.get("body"))
    if problem:
        raise ApiError(400, problem, {"body": problem})
    body_html = render_comment(body)
    store.update_body(get_db(), comment_id, body, body_html, now=now())
    return jsonify({"id": comment_id, "status": _shown_status(comment), "body_html": body_html})


@bp.delete("/comments/<int(signed=True):comment_id>")
def delete_comment(comment_id):
    own_comment(comment_id)
    store.set_status(get_db(), comment_id, store.DELETED, now=now())
    return jsonify({"id": comment_id, "status": store.DELETED})


def _shown_status(comment: dict) -> str:
    return store.APPROVED if comment["status"] == store.APPROVED else store.PENDING


@bp.get("/counts")
def counts():
    slugs = list(dict.fromkeys(request.args.getlist("slug")))
    if len(slugs) > COUNTS_MAX_SLUGS:
        raise ApiError(400, f"Ask for at most {COUNTS_MAX_SLUGS} slugs at a time.")
    db = get_db()
    counted = store.derived(db, ("counts", *slugs), lambda: store.count_approved(db, slugs))
    return jsonify(counted)


def _feed_response(title: str, comments: list[dict], self_url: str) -> Response:
    threads = current_app.extensions["threads"]
    known = {t.slug: t for t in threads.all()}
    site = request.host_url.rstrip("/")
    body = feeds.comments_feed(
        title=title,
        feed_url=self_url,
        site_url=site + "/",
        comments=comments,
        links={slug: site + t.url for slug, t in known.items()},
        titles={slug: t.title for slug, t in known.items()},
        updated=store.isoformat(now()),
    )
    response = Response(body, mimetype="application/atom+xml")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


@bp.get("/threads/<slug>/feed.atom")
def thread_feed(slug):
    thread = find_thread(slug)
    comments = store.recent_approved(get_db(), slug, FEED_LENGTH)
    return _feed_response(f"Comments on {thread.title}", comments, request.base_url)


@bp.get("/feed.atom")
def site_feed():
    comments = store.recent_approved(get_db(), None, FEED_LENGTH)
    return _feed_response("Touch Base: latest comments", comments, request.base_url)


def json_error_for_api(error: HTTPException):
    """Errors raised outside our views (404, 405, 413...) are JSON under /api too."""
    messages = {
        404: "There is nothing at this address in the comment API.",
        405: f"{request.method} is not allowed here.",
        413: "The request is too large: comments are limited to 10,000 characters.",
    }
    response = jsonify({"error": messages.get(error.code, error.description)})
    response.status_code = error.code
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response
