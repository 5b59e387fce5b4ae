"""What readers do with comments: post, list, edit and delete their own, count, follow feeds.

Flask-free: every operation takes the database, the site's threads, the policy in force and an
explicit `now`, and raises the named exceptions of domain/errors.py.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import spam, store, thread_html
from ..sanitize import render_comment
from ..spam.form_token import token_age
from ..threads import Thread
from ..validation import check_body, check_submission
from .errors import (
    CommentNotFound, CommentRemoved, EditWindowOver, InvalidSubmission, NotYourComment,
    ParentNotPublished, PostingTooFast, ThreadClosed, ThreadNotFound, TooManySlugs,
)

MAX_DEPTH = 5
COUNTS_MAX_SLUGS = 200
FEED_LENGTH = 50


@dataclass(frozen=True)
class Policy:
    """The service's settings that decide what readers may do."""

    secret_key: str
    edit_window_seconds: int = 15 * 60
    close_after_days: int | None = None
    require_email: bool = False
    spam: spam.SpamSettings = spam.SpamSettings()


@dataclass(frozen=True)
class Posted:
    """A stored comment, as its poster is told about it."""

    id: int
    status: str
    thread: Thread


def shown_status(status: str) -> str:
    """What a comment's author is told: never "spam", which looks like any held comment."""
    return store.APPROVED if status == store.APPROVED else store.PENDING


def find_thread(threads, slug: str) -> Thread:
    """The thread of a post the site has; raises ThreadNotFound."""
    thread = threads.get(slug)
    if thread is None:
        raise ThreadNotFound(slug=slug)
    return thread


def open_thread(threads, slug: str, policy: Policy, now: datetime) -> Thread:
    """A thread that takes comments now; raises ThreadNotFound or ThreadClosed."""
    thread = find_thread(threads, slug)
    if not thread.is_open(now, policy.close_after_days):
        raise ThreadClosed()
    return thread


def published_parent(db, thread: Thread, parent_id: int) -> dict:
    """The comment a reply answers: published on this thread, or ParentNotPublished."""
    try:
        parent = store.get_comment(db, parent_id)
    except store.CommentNotFound:
        parent = None
    if parent is None or parent["thread"] != thread.slug or parent["status"] != store.APPROVED:
        raise ParentNotPublished(
            fields={"parent_id": "Reply to a published comment of this post, or leave parent_id empty."})
    return parent


def reply_position(db, thread: Thread, parent_id: int | None) -> tuple[int | None, int]:
    """The parent a reply attaches to and the reply's depth (replies stop nesting at MAX_DEPTH)."""
    if parent_id is None:
        return None, 0
    parent = published_parent(db, thread, parent_id)
    if parent["depth"] >= MAX_DEPTH:
        return parent["parent_id"], MAX_DEPTH
    return parent["id"], parent["depth"] + 1


def post_comment(db, threads, policy: Policy, slug: str, data: dict, *, fingerprint: str,
                   now: datetime, notifier=None) -> Posted:
    """Check, judge and store a reader's comment; tell moderators or a replied-to reader."""
    thread = open_thread(threads, slug, policy, now)
    sub = check_submission(data, require_email=policy.require_email)
    if sub.errors:
        raise InvalidSubmission(fields=sub.errors)
    parent_id, depth = reply_position(db, thread, sub.parent_id)
    context = spam.Context(
        db=db, now=now, fingerprint=fingerprint, honeypot=sub.honeypot,
        form_token=sub.form_token, secret_key=policy.secret_key, settings=policy.spam,
        form_token_age=token_age(policy.secret_key, sub.form_token, now.timestamp()),
    )
    wait = spam.rate_limit(context)
    if wait:
        raise PostingTooFast(retry_after=wait)
    comment = {
        "thread": slug, "author": sub.author, "email": sub.email, "website": sub.website,
        "body": sub.body, "body_html": render_comment(sub.body), "parent_id": parent_id,
        "depth": depth, "notify": sub.notify,
    }
    verdict = spam.score(comment, context)
    comment_id = store.add_comment(
        db, **comment, status=verdict.status, fingerprint=fingerprint,
        spam_score=verdict.score, spam_reasons=verdict.reasons, now=now,
    )
    if notifier is not None:
        notifier.comment_stored(db, comment_id)
    return Posted(comment_id, shown_status(verdict.status), thread)


def editable_until(comment: dict, policy: Policy) -> datetime:
    """When the author's time to change a comment ends."""
    return store.parse_time(comment["created_at"]) + timedelta(seconds=policy.edit_window_seconds)


def own_comment(db, comment_id: int, own_ids: list[int], policy: Policy, now: datetime) -> dict:
    """A comment the caller may still change: theirs, inside the edit window, not removed."""
    try:
        comment = store.get_comment(db, comment_id)
    except store.CommentNotFound:
        raise CommentNotFound(comment_id=comment_id) from None
    if comment_id not in own_ids:
        raise NotYourComment()
    # A comment held as spam stays editable like any held one: the poster is never told "spam".
    if comment["status"] == store.DELETED:
        raise CommentRemoved()
    if now > editable_until(comment, policy):
        raise EditWindowOver(minutes=policy.edit_window_seconds // 60)
    return comment


def edit_own(db, comment_id: int, own_ids: list[int], body, policy: Policy,
             now: datetime) -> dict:
    """The author replaces their comment's text; returns id, shown status and the new HTML."""
    comment = own_comment(db, comment_id, own_ids, policy, now)
    text, problem = check_body(body)
    if problem:
        raise InvalidSubmission(fields={"body": problem})
    body_html = render_comment(text)
    store.update_body(db, comment_id, text, body_html, now=now)
    return {"id": comment_id, "status": shown_status(comment["status"]), "body_html": body_html}


def delete_own(db, comment_id: int, own_ids: list[int], policy: Policy, now: datetime) -> dict:
    """The author deletes their comment."""
    own_comment(db, comment_id, own_ids, policy, now)
    store.set_status(db, comment_id, store.DELETED, now=now)
    return {"id": comment_id, "status": store.DELETED}


def json_bytes(payload) -> bytes:
    """Compact UTF-8 JSON, as every listing is sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def cached(db, key, render) -> tuple[bytes, str]:
    """`render()`'s bytes and their ETag: the same for every caller, rendered once per worker
    and kept until the next write to the database."""

    def render_with_etag() -> tuple[bytes, str]:
        body = render()
        return body, hashlib.sha256(body).hexdigest()[:32]

    return store.derived(db, key, render_with_etag)


def thread_listing(db, thread: Thread, policy: Policy, now: datetime) -> tuple[bytes, str]:
    """A thread's approved comments as ready JSON bytes, and their ETag."""
    described = thread.describe(now, policy.close_after_days)

    def render() -> bytes:
        comments = store.list_approved(db, thread.slug)
        return json_bytes({"thread": described, "comments": comments, "total": len(comments)})

    return cached(db, ("list", thread.slug, tuple(described.items())), render)


def thread_page_listing(db, thread: Thread, policy: Policy, now: datetime,
                        api_base: str) -> tuple[bytes, str]:
    """The same list as HTML, from the template the site build bakes into the article page."""
    is_open = thread.is_open(now, policy.close_after_days)
    replies_to = thread_html.reply_url(api_base, thread.slug, is_open)

    def render() -> bytes:
        return thread_html.render_thread(store.list_approved(db, thread.slug), replies_to).encode()

    return cached(db, ("html", thread.slug, replies_to), render)


def own_pending(db, thread: Thread, own_ids: list[int], policy: Policy) -> list[dict]:
    """The caller's comments still awaiting a moderator, as their author may see them."""
    mine = []
    for comment in store.list_own(db, thread.slug, own_ids):
        shown = store.public(comment)
        shown["status"] = store.PENDING
        shown["body"] = comment["body"]  # the author's own Markdown, for editing
        shown["editable_until"] = store.isoformat(editable_until(comment, policy))
        shown["html"] = str(thread_html.render_pending(shown))  # as the thread's HTML shows it
        mine.append(shown)
    return mine


def count_comments(db, slugs: list[str]) -> dict[str, int]:
    """Approved comments per slug; raises TooManySlugs."""
    slugs = list(dict.fromkeys(slugs))
    if len(slugs) > COUNTS_MAX_SLUGS:
        raise TooManySlugs(limit=COUNTS_MAX_SLUGS)
    return store.derived(db, ("counts", *slugs), lambda: store.count_approved(db, slugs))


def recent_comments(db, slug: str | None) -> list[dict]:
    """The newest approved comments of one thread (or of the site), for a feed."""
    return store.recent_approved(db, slug, FEED_LENGTH)


def stop_reply_notices(db, email: str) -> int:
    """A reader no longer wants emails about replies; returns how many comments it concerned."""
    return store.stop_reply_notices(db, email)
