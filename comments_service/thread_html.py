"""The one renderer of a comment thread's HTML.

The site build bakes it into each article page, the service serves it
(`GET /api/threads/<slug>/comments.html`, and each own pending comment of `/mine`), and the
widget swaps the service's copy in: the page looks the same before and after JavaScript runs.
A plain Jinja2 environment over one template, compiled once per process; Flask-free, so the
build does not import Flask.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATE = "_thread.html"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@cache
def _macros():
    """The template's macros, compiled on first use and kept for the life of the process."""
    env = Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=True,
        undefined=StrictUndefined,
        auto_reload=False,
    )
    return env.get_template(TEMPLATE).module


def display_date(stamp: str) -> str:
    """'5 January 2026': the one date format, in UTC (as stored), whatever the locale."""
    moment = datetime.fromisoformat(stamp)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def web_link(website: str | None) -> str:
    """The commenter's website when it is an http(s) address, else "" (shown unlinked)."""
    website = (website or "").strip()
    return website if website.lower().startswith(("http://", "https://")) else ""


def reply_url(api_url: str, slug: str, is_open: bool) -> str:
    """The no-JavaScript reply page of a thread, without the comment id; "" when closed."""
    return f"{api_url.rstrip('/')}/threads/{slug}/reply" if is_open else ""


def _shown(comment: dict) -> dict:
    return dict(comment, href=web_link(comment["website"]),
                date=display_date(comment["created_at"]), replies=[])


def comment_tree(comments: list[dict]) -> list[dict]:
    """Comments (oldest first) nested under their parents; a reply whose parent is not among
    them stands at the top level."""
    nodes: dict[int, dict] = {}
    roots = []
    for comment in comments:
        node = nodes[comment["id"]] = _shown(comment)
        parent = nodes.get(comment["parent_id"])
        (parent["replies"] if parent else roots).append(node)
    return roots


def render_thread(comments: list[dict], replies_to: str) -> Markup:
    """A thread's approved comments (public fields, oldest first) as nested HTML: an
    `<ol class="comment-list">`, or the "No comments yet" line. `replies_to` is reply_url()'s
    answer: each comment links to that page, and "" (a closed thread) leaves the link out."""
    return Markup(_macros().thread(comment_tree(comments), replies_to))


def render_pending(comment: dict) -> Markup:
    """One of the reader's own comments awaiting moderation: an `<li>`, marked as such."""
    return Markup(_macros().comment(_shown(comment), "", True))
