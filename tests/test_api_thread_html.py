"""The thread as HTML over real HTTP: GET /api/threads/<slug>/comments.html, and the `html` of
each own pending comment in /mine, both from the renderer the site build uses (thread_html)."""

from __future__ import annotations

import re

import pytest

from comments_service import store

from .conftest import approve


def fragment(live, slug="say-hello", session=None, **headers):
    return (session or live.session()).get(f"{live.url}/api/threads/{slug}/comments.html",
                                           headers=headers)


def publish(live, db, reader, **fields) -> int:
    """A comment posted through the API and approved, as a moderator would."""
    comment_id = live.post_comment(reader, **fields).json()["id"]
    approve(db, comment_id)
    return comment_id


def test_the_fragment_has_an_etag_answers_304_and_changes_with_the_thread(live, db):
    reader = live.session()
    empty = fragment(live, session=reader)
    assert empty.status_code == 200
    assert empty.headers["Content-Type"] == "text/html; charset=utf-8"
    assert empty.headers["Cache-Control"] == "no-cache"
    assert empty.text == '<p class="no-comments">No comments yet. Start the conversation.</p>'
    etag = empty.headers["ETag"]

    again = fragment(live, session=reader, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag

    shown = live.post_comment(reader, author="Grace <b>", body="Call *first*.").json()["id"]
    held = fragment(live, session=reader, **{"If-None-Match": etag})
    assert held.status_code == 304  # a pending comment changes nothing anyone else sees

    approve(db, shown)
    changed = fragment(live, session=reader, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert f'<li class="comment" id="c{shown}"' in changed.text
    assert "Grace &lt;b&gt;" in changed.text and "<p>Call <em>first</em>.</p>" in changed.text
    # The same bytes for every caller: the poster's cookie changes nothing.
    assert "tb_own" in reader.cookies
    assert fragment(live).content == changed.content
    assert fragment(live, **{"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_each_comment_links_to_the_reply_page_while_the_thread_is_open(live, db):
    reader = live.session()
    top = publish(live, db, reader, author="Grace")
    reply = publish(live, db, reader, author="Sam", parent_id=top)
    html = fragment(live).text
    assert re.findall(r'<a class="reply-link" href="([^"]+)">Reply<span class="visually-hidden"> to (\w+)<', html) \
        == [(f"/api/threads/say-hello/reply/{top}", "Grace"), (f"/api/threads/say-hello/reply/{reply}", "Sam")]
    # The link leads to a working reply form.
    page = reader.get(f"{live.url}/api/threads/say-hello/reply/{top}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Reply to Grace" in page.text


@pytest.mark.parametrize("slug", ["closed-post", "old-post"])
def test_a_closed_thread_shows_its_comments_without_reply_links(live, db, slug):
    shown = store.add_comment(db, thread=slug, author="Ann", body="Before closing",
                              body_html="<p>Before closing</p>", status=store.APPROVED)
    html = fragment(live, slug).text
    assert f'id="c{shown}"' in html and "Before closing" in html
    assert "reply-link" not in html and "Reply" not in html


def test_own_pending_comments_come_with_their_html(live, db):
    reader = live.session()
    top = publish(live, db, reader, author="Grace")
    mine_id = live.post_comment(reader, author="Lin", website="https://lin.example",
                                body="Mine, *held*.", parent_id=top).json()["id"]

    (mine,) = reader.get(f"{live.url}/api/threads/say-hello/mine").json()["comments"]

    assert mine["id"] == mine_id and mine["parent_id"] == top and mine["body"] == "Mine, *held*."
    assert mine["status"] == "pending" and mine["editable_until"]
    html = mine["html"]
    assert html.startswith(f'<li class="comment pending" id="c{mine_id}"')
    assert '<a href="https://lin.example" rel="nofollow ugc noopener">Lin</a>' in html
    assert '<span class="pending-note">Awaiting moderation</span>' in html
    assert "<p>Mine, <em>held</em>.</p>" in html and "reply-link" not in html
    # Nobody else sees it, in the fragment or in their own list.
    assert f'id="c{mine_id}"' not in fragment(live).text
    assert live.session().get(f"{live.url}/api/threads/say-hello/mine").json() == {"comments": []}
