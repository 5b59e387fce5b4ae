"""The public JSON API (see ARCHITECTURE.md for the contract), and the plain-form pages it serves.

Each view parses the request, calls one operation of domain/comments.py and translates its
answer; refusals are answered by errors.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.http import http_date

from . import feeds, store, web
from .db import get_db
from .domain import comments
from .domain.errors import NotAnswerable, ParentNotPublished
from .spam.form_token import issue_token

bp = Blueprint("api", __name__, url_prefix="/api")

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


def private_json(payload) -> Response:
    """An answer about the caller alone, which no cache may keep."""
    response = jsonify(payload)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def cacheable(answer: tuple[bytes, str], mimetype: str) -> Response:
    """The same bytes for every caller; revalidated each time (ETag, 304)."""
    body, etag = answer
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return make_conditional(response)


@bp.get("/threads/<slug>/comments")
def list_comments(slug):
    thread = comments.find_thread(web.threads(), slug)
    return cacheable(comments.thread_listing(get_db(), thread, web.policy(), web.now()),
                     "application/json")


@bp.get("/threads/<slug>/comments.html")
def list_comments_html(slug):
    """The same list as HTML, from the template the site build bakes into the article page."""
    thread = comments.find_thread(web.threads(), slug)
    listing = comments.thread_page_listing(
        get_db(), thread, web.policy(), web.now(), request.script_root + bp.url_prefix)
    return cacheable(listing, "text/html")


@bp.get("/threads/<slug>/mine")
def list_mine(slug):
    thread = comments.find_thread(web.threads(), slug)
    mine = comments.own_pending(get_db(), thread, web.own_comment_ids(), web.policy())
    return private_json({"comments": mine})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API (comments_service/openapi.json)."""
    body = Path(__file__).with_name("openapi.json").read_bytes()
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/form-token")
def form_token():
    token = issue_token(current_app.config["SECRET_KEY"], web.now().timestamp())
    return private_json({"token": token})


@bp.post("/threads/<slug>/comments")
def create_comment(slug):
    data = web.submitted_fields()
    posted = comments.post_comment(
        get_db(), web.threads(), web.policy(), slug, data,
        fingerprint=web.client_fingerprint(), now=web.now(), notifier=web.notifier(),
    )
    if web.wants_html():
        anchor = "comment-published" if posted.status == store.APPROVED else "comment-posted"
        response = Response(status=303)
        response.headers["Location"] = f"{posted.thread.url}#{anchor}"
    else:
        # Ready bytes, as the thread listing does: jsonify costs a post a few percent.
        body = comments.json_bytes({"id": posted.id, "status": posted.status})
        response = Response(body, status=201, mimetype="application/json")
    web.remember_own_comment(response, posted.id)
    return response


@bp.get("/threads/<slug>/reply/<int:comment_id>")
def reply_page(slug, comment_id):
    """A reply form for readers without JavaScript (the baked pages link here)."""
    thread = comments.open_thread(web.threads(), slug, web.policy(), web.now())
    try:
        parent = comments.published_parent(get_db(), thread, comment_id)
    except ParentNotPublished:
        raise NotAnswerable() from None
    page = render_template(
        "reply_form.html", thread=thread, parent=parent,
        action=url_for("api.create_comment", slug=slug),
        token=issue_token(current_app.config["SECRET_KEY"], web.now().timestamp()),
    )
    return Response(page, mimetype="text/html")


# Signed, so /api/comments/-1 is "no such comment" (404), not a 405 from the site route (issue 6).
@bp.put("/comments/<int(signed=True):comment_id>")
def edit_comment(comment_id):
    body = web.submitted_fields().get("body")
    edited = comments.edit_own(get_db(), comment_id, web.own_comment_ids(), body, web.policy(), web.now())
    return jsonify(edited)


@bp.delete("/comments/<int(signed=True):comment_id>")
def delete_comment(comment_id):
    deleted = comments.delete_own(get_db(), comment_id, web.own_comment_ids(), web.policy(), web.now())
    return jsonify(deleted)


@bp.get("/counts")
def counts():
    return jsonify(comments.count_comments(get_db(), request.args.getlist("slug")))


def feed_response(title: str, slug: str | None) -> Response:
    """An Atom feed of the newest approved comments of one thread or of the site."""
    known = {t.slug: t for t in web.threads().all()}
    site = request.host_url.rstrip("/")
    body = feeds.comments_feed(
        title=title,
        feed_url=request.base_url,
        site_url=site + "/",
        comments=comments.recent_comments(get_db(), slug),
        links={s: site + t.url for s, t in known.items()},
        titles={s: t.title for s, t in known.items()},
        updated=store.isoformat(web.now()),
    )
    response = Response(body, mimetype="application/atom+xml")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


@bp.get("/threads/<slug>/feed.atom")
def thread_feed(slug):
    thread = comments.find_thread(web.threads(), slug)
    return feed_response(f"Comments on {thread.title}", slug)


@bp.get("/feed.atom")
def site_feed():
    return feed_response("Touch Base: latest comments", None)
