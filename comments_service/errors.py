"""The one error path: every exception a request raises ends here.

One table gives each domain refusal its status and the sentence a person can act on; one
function decides, once per request, whether the answer is JSON or a page, and which page.
Storage faults are a 503; anything else unexpected is a bug: a 500, logged with its traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app, flash, jsonify, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import sessions, store, web
from .db import get_db
from .domain import errors as refused
from .spam.form_token import issue_token

log = logging.getLogger(__name__)

STORAGE_UNAVAILABLE = (
    "The comment service cannot use its storage right now (the server's disk is full or"
    " read-only). Nothing was changed; please try again in a few minutes."
)
COMMENT_NOT_STORED = (
    "Comments cannot be saved right now (the server's storage is unavailable)."
    " Nothing was saved; please keep your text and try again in a few minutes."
)
FORM_OUT_OF_DATE = (
    "This form was out of date or did not come from this site, so nothing was changed."
    " Go back, reload the page and try again."
)

# Each refusal: its status and its sentence, filled in with the values the exception carries.
SENTENCES: dict[type[refused.Refused], tuple[int, str]] = {
    refused.ThreadNotFound: (404, "There is no post '{slug}' on this site, so it has no comments."),
    refused.ThreadClosed: (403, "Comments are closed for this post."),
    refused.InvalidSubmission: (400, "Some fields need fixing: {problems}"),
    refused.ParentNotPublished: (400, "The comment you reply to is not published on this post."),
    refused.NotAnswerable: (
        404, "That comment is not published on this post, so it cannot be answered."),
    refused.CommentNotFound: (404, "There is no comment {comment_id}."),
    refused.NotYourComment: (403, "Only the author of a comment can change it, from the same browser."),
    refused.CommentRemoved: (403, "This comment was removed and can no longer be changed."),
    refused.EditWindowOver: (
        403, "Comments can be changed for {minutes} minutes after posting; that time is over."),
    refused.PostingTooFast: (
        429, "You are posting too fast. Please wait {retry_after} seconds and try again."),
    refused.TooManySlugs: (400, "Ask for at most {limit} slugs at a time."),
    refused.NothingToReply: (400, "Your reply to comment {comment_id} was not posted: {why}"),
    refused.EditRefused: (400, "Comment {comment_id} was not changed: {why}"),
    refused.LoginThrottled: (
        429, "Too many failed logins. For your safety, logging in is paused: try again in"
             " {minutes} minute{plural}."),
    refused.AccountError: (400, "{why}"),
    refused.InvalidRules: (400, "Some rules need fixing: {problems}"),
    refused.UnreadableRequest: (400, "{why}"),
}

# Sentences for what werkzeug refuses before any view runs.
HTTP_SENTENCES = {
    404: "There is nothing at this address in the comment API.",
    413: "The request is too large: a comment may be at most 10,000 characters, and a request"
         " at most 64 KiB.",
}


def describe(error: refused.Refused) -> tuple[int, str]:
    """The status and the sentence for a refusal."""
    status, sentence = SENTENCES[type(error)]
    values = dict(error.values)
    values.setdefault("problems", " ".join(error.fields.values()))
    values.setdefault("plural", "" if values.get("minutes") == 1 else "s")
    return status, sentence.format(**values)


def answer(error: Exception) -> tuple[int, str, dict, dict]:
    """(status, sentence, per-field problems, extra headers) for any exception."""
    if isinstance(error, refused.Refused):
        status, sentence = describe(error)
        wait = error.values.get("retry_after")
        return status, sentence, error.fields, {"Retry-After": str(wait)} if wait else {}
    if isinstance(error, store.StorageUnavailable):
        log.error("storage unavailable: %s", error.__cause__ or error)
        return 503, STORAGE_UNAVAILABLE, {}, {}
    if isinstance(error, HTTPException):
        headers = {}
        if error.code == 405:
            headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
            return 405, f"{request.method} is not allowed here.", {}, headers
        return error.code, HTTP_SENTENCES.get(error.code, error.description), {}, headers
    log.error("unexpected error on %s %s", request.method, request.path, exc_info=error)
    return 500, InternalServerError.description, {}, {}


def kind_of_answer() -> str:
    """Decided once: "json", "comment-form", "unsubscribe", "moderation" or "site"."""
    path = request.path
    if path.startswith("/api/unsubscribe/"):
        return "unsubscribe"
    if path.startswith("/api/") or path == "/healthz":
        is_comment_post = request.method == "POST" and request.endpoint == "api.create_comment"
        return "comment-form" if is_comment_post and web.wants_html() else "json"
    if path.startswith("/moderate/") or path == "/moderate":
        return "moderation"
    return "site"


def handle_exception(error: Exception):
    """The app's one error handler."""
    if isinstance(error, HTTPException) and error.code is None:  # a routing redirect
        return error
    kind = kind_of_answer()
    if kind == "moderation":
        return moderation_answer(error)
    status, sentence, fields, headers = answer(error)
    if kind == "json":
        payload = {"error": sentence, **({"fields": fields} if fields else {})}
        return jsonify(payload), status, headers
    if kind == "comment-form":
        if status == 503:
            sentence = COMMENT_NOT_STORED
        return comment_form_page(status, sentence, fields), status, headers
    if kind == "unsubscribe":
        if isinstance(error, CSRFError):
            sentence = "This page was out of date, so nothing was changed. Open the link from the email again."
        page = render_template("moderate/unsubscribe.html", error=sentence)
        return page, status, {**headers, "Cache-Control": "no-store"}
    return site_page(status, sentence), status, {**headers, "Content-Type": "text/html; charset=utf-8"}


def comment_form_page(status: int, sentence: str, fields: dict) -> str:
    """The plain-form answer to a refused comment: what to fix, with the reader's text kept."""
    slug = (request.view_args or {}).get("slug", "")
    return render_template(
        "form_error.html", status=status, message=sentence, fields=fields, data=request.form.to_dict(),
        thread=web.threads().get(slug),
        token=issue_token(current_app.config["SECRET_KEY"], web.now().timestamp()),
    )


def site_page(status: int, sentence: str) -> str:
    """HTML errors outside the API: the site's own 404 page when the build has one."""
    page = Path(current_app.config["SITE_DIR"]) / "404.html"
    if status == 404 and page.is_file():
        return page.read_text(encoding="utf-8")
    return render_template("error.html", status=status, message=sentence)


def moderation_answer(error: Exception):
    """Errors of the moderation form: a refused change goes back with a message; a form from
    an expired session goes to the login page; anything else is a short page."""
    try:
        signed_in = request.endpoint != "moderate.login" and sessions.current_moderator(get_db(), web.now())
    except Exception:  # the database itself may be what failed: answer as signed out
        signed_in = None
    if isinstance(error, CSRFError):
        if request.endpoint != "moderate.login" and not signed_in:
            return redirect(web.login_url(), code=303)
        return render_template("moderate/error.html", title="Form expired",
                               message=FORM_OUT_OF_DATE), 400
    status, sentence, _, headers = answer(error)
    # A change that cannot be made goes back with a message; a comment that is not there is a 404.
    if isinstance(error, refused.Refused) and status != 404 and request.method == "POST" and signed_in:
        flash(sentence, "error")
        return redirect(web.safe_next(request.form.get("next")), code=303)
    title = f"{status} {error.name}" if isinstance(error, HTTPException) else "Something went wrong"
    return render_template("moderate/error.html", title=title, message=sentence), status, headers


def init_app(app: Flask) -> None:
    """Send every exception of every request through handle_exception."""
    app.register_error_handler(Exception, handle_exception)
