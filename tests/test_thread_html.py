"""The one comment renderer (thread_html): the markup the build bakes and the service serves.

Comments are stored in a real SQLite file and read back as the build and the API read them.
(tests/e2e/test_one_renderer.py checks that the page looks the same before and after the
widget runs, and that the build and the service give the same bytes.)"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from comments_service import pelican_plugin, store, thread_html

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
OPEN = thread_html.reply_url("/api", "a-post", True)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "comments.db"
    database = store.open_db(path)
    store.migrate(database)
    database.path = path
    yield database
    database.close()


def add(db, minutes=0, status=store.APPROVED, **fields):
    values = {"author": "Ann", "body": "Hi", "body_html": "<p>Hi</p>", **fields}
    return store.add_comment(db, thread="a-post", status=status,
                             now=START + timedelta(minutes=minutes), **values)


def items(html: str) -> list[str]:
    """Each comment's own markup, up to its replies (or its end)."""
    return [re.split(r"<ol class=\"comment-replies\">|</li>", part, maxsplit=1)[0]
            for part in re.split(r'(?=<li class="comment)', html)[1:]]


def test_replies_nest_under_their_parent_and_what_commenters_typed_is_escaped(db):
    parent = add(db, 1, author="<img src=x onerror=alert(1)>", website="javascript:alert(1)")
    reply = add(db, 2, parent_id=parent, depth=1, author="Sam",
                website=' https://sam.example/?a=1&b="2" ')
    # The build's read and the service's read give the same rows, so the same markup.
    rows = pelican_plugin.approved_comments(str(db.path))["a-post"]
    assert rows == store.list_approved(db, "a-post")

    html = thread_html.render_thread(rows, OPEN)

    assert html.startswith('<ol class="comment-list">') and html.count("<li") == 2
    inside_parent = html.split(f'id="c{parent}"', 1)[1]
    assert re.search(rf'<ol class="comment-replies"><li class="comment" id="c{reply}"', inside_parent)
    first, second = items(html)
    assert "&lt;img src=x onerror=alert(1)&gt;" in first and "<img" not in html
    assert "javascript" not in html  # not a web address: the name is shown unlinked
    assert '<a href="https://sam.example/?a=1&amp;b=&#34;2&#34;" rel="nofollow ugc noopener">Sam</a>' in second


def test_a_reply_whose_parent_is_not_published_stands_at_the_top(db):
    hidden = add(db, 1, status=store.DELETED)
    orphan = add(db, 2, parent_id=hidden, depth=1)
    html = thread_html.render_thread(store.list_approved(db, "a-post"), OPEN)
    assert f'<ol class="comment-list"><li class="comment" id="c{orphan}"' in html
    assert "comment-replies" not in html


def test_dates_show_in_one_format_in_utc_whatever_the_locale(db):
    add(db, 0)
    add(db, 14 * 60 + 45)  # 23:45 UTC: still the 5th, in London or in New York
    html = thread_html.render_thread(store.list_approved(db, "a-post"), OPEN)
    shown = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert [text for _, text in shown] == ["5 January 2026", "5 January 2026"]
    assert [stamp for stamp, _ in shown] == [c["created_at"] for c in store.list_approved(db, "a-post")]


def test_the_site_reply_badge_sits_between_the_name_and_the_date(db):
    add(db, 1, author="Touch Base", by_moderator=True)
    add(db, 2, author="Ann")
    site, reader = items(thread_html.render_thread(store.list_approved(db, "a-post"), OPEN))
    assert 'class="comment by-moderator"' in site
    assert re.search(r'Touch Base</span> <span class="badge">Site reply</span> <time ', site)
    assert "Site reply" not in reader and "by-moderator" not in reader


def test_each_comment_has_one_reply_link_while_open_and_none_when_closed(db):
    top = add(db, 1, author="Grace")
    add(db, 2, parent_id=top, depth=1, author="Sam & Co")
    rows = store.list_approved(db, "a-post")

    links = re.findall(r'<a class="reply-link" href="([^"]+)">Reply<span class="visually-hidden"> to ([^<]+)</span></a>',
                       thread_html.render_thread(rows, OPEN))
    assert links == [(f"/api/threads/a-post/reply/{top}", "Grace"),
                     (f"/api/threads/a-post/reply/{top + 1}", "Sam &amp; Co")]
    closed = thread_html.render_thread(rows, thread_html.reply_url("/api", "a-post", False))
    assert "Reply" not in closed and closed.count("<li") == 2


def test_the_body_is_printed_as_the_service_stored_it(db):
    # Sanitized when it was stored (sanitize.render_comment); the renderer must not escape it again.
    add(db, 1, body_html='<p>Read <a href="https://example.com" rel="nofollow">this</a> &amp; <code>x</code></p>')
    html = thread_html.render_thread(store.list_approved(db, "a-post"), OPEN)
    assert ('<div class="comment-body"><p>Read <a href="https://example.com" rel="nofollow">this</a>'
            ' &amp; <code>x</code></p></div>') in html


def test_a_thread_without_comments_says_so():
    assert thread_html.render_thread([], OPEN) == '<p class="no-comments">No comments yet. Start the conversation.</p>'


def test_an_own_pending_comment_is_marked_and_cannot_be_replied_to(db):
    pending = add(db, 1, status=store.PENDING, author="Lin", website="https://lin.example")
    add(db, 2)
    (row,) = store.list_own(db, "a-post", [pending])
    html = str(thread_html.render_pending(store.public(row)))
    assert html.startswith(f'<li class="comment pending" id="c{pending}" data-id="{pending}">')
    assert html.endswith("</li>") and html.count("<li") == 1
    assert re.search(r'<time datetime="[^"]+">5 January 2026</time> <span class="pending-note">'
                     r"Awaiting moderation</span></header>", html)
    assert '<a href="https://lin.example" rel="nofollow ugc noopener">Lin</a>' in html
    assert "reply-link" not in html
    # Apart from that mark, it reads as the approved comment it may become.
    published = thread_html.render_thread([store.public(row)], "")
    assert html.replace(' pending"', '"').replace(' <span class="pending-note">Awaiting moderation</span>', "") \
        in published
