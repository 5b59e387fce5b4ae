"""The public API over real HTTP, against a real SQLite file."""

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from comments_service import store
from comments_service.web import OWN_COOKIE, own_cookie_value

from .conftest import SECRET, approve


def comments_of(live, slug="say-hello", session=None):
    response = (session or live.session()).get(f"{live.url}/api/threads/{slug}/comments")
    assert response.status_code == 200
    return response.json()


def test_new_comment_is_pending_and_hidden_until_approved(live, db):
    reader = live.session()
    response = live.post_comment(reader, body="Calling just to say hello *works*.")
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "pending" and isinstance(created["id"], int)
    stored = store.get_comment(db, created["id"])
    assert stored["status"] == "pending"
    assert stored["body"] == "Calling just to say hello *works*."
    assert stored["body_html"] == "<p>Calling just to say hello <em>works</em>.</p>"

    assert comments_of(live)["comments"] == []
    mine = reader.get(f"{live.url}/api/threads/say-hello/mine").json()["comments"]
    assert [c["id"] for c in mine] == [created["id"]]
    assert mine[0]["status"] == "pending" and mine[0]["editable_until"]
    stranger = live.session().get(f"{live.url}/api/threads/say-hello/mine").json()
    assert stranger == {"comments": []}

    approve(db, created["id"])
    listed = comments_of(live)
    assert listed["total"] == 1
    assert listed["thread"] == {"slug": "say-hello", "title": "Say hello", "url": "/say-hello/", "open": True}
    comment = listed["comments"][0]
    assert set(comment) == {"id", "parent_id", "author", "website", "body_html", "created_at", "by_moderator"}
    assert "email" not in json.dumps(listed)
    assert comment["created_at"].endswith("Z")
    # Once approved it is no longer "awaiting moderation" for its author.
    assert reader.get(f"{live.url}/api/threads/say-hello/mine").json() == {"comments": []}


def test_replies_are_listed_with_their_parent(live, db):
    reader = live.session()
    top = live.post_comment(reader, body="Top").json()["id"]
    approve(db, top)
    reply = live.post_comment(reader, body="Reply", parent_id=top).json()["id"]
    approve(db, reply)
    comments = comments_of(live)["comments"]
    assert [(c["id"], c["parent_id"]) for c in comments] == [(top, None), (reply, top)]


def test_replies_stop_nesting_at_depth_five(live, db):
    reader = live.session()
    parent = None
    ids = []
    for level in range(7):
        extra = {"parent_id": parent} if parent else {}
        comment_id = live.post_comment(reader, body=f"level {level}", **extra).json()["id"]
        approve(db, comment_id)
        ids.append(comment_id)
        parent = comment_id
    depths = [store.get_comment(db, i)["depth"] for i in ids]
    assert depths == [0, 1, 2, 3, 4, 5, 5]
    # The reply to a depth-5 comment attaches beside it, under the same parent.
    assert store.get_comment(db, ids[6])["parent_id"] == ids[4]


@pytest.mark.parametrize("status", ["pending", "spam", "deleted"])
def test_reply_to_an_unpublished_comment_is_refused(live, db, status):
    reader = live.session()
    parent = live.post_comment(reader).json()["id"]
    store.set_status(db, parent, status)
    response = live.post_comment(reader, parent_id=parent)
    assert response.status_code == 400
    assert "parent_id" in response.json()["fields"]


def test_reply_to_a_comment_of_another_thread_is_refused(live, db):
    reader = live.session()
    other = live.post_comment(reader, slug="second-post").json()["id"]
    approve(db, other)
    response = live.post_comment(reader, parent_id=other)
    assert response.status_code == 400
    assert "parent_id" in response.json()["fields"]


def test_counts_reflect_approved_comments_only(live, db):
    reader = live.session()
    a = live.post_comment(reader).json()["id"]
    live.post_comment(reader)
    b = live.post_comment(reader, slug="second-post").json()["id"]
    approve(db, a)
    approve(db, b)
    response = reader.get(f"{live.url}/api/counts", params={"slug": ["say-hello", "second-post", "nope"]})
    assert response.status_code == 200
    assert response.json() == {"say-hello": 1, "second-post": 1, "nope": 0}


def test_feeds_list_approved_comments(live, db):
    reader = live.session()
    shown = live.post_comment(reader, author="Grace <b>", body="Published **one**").json()["id"]
    live.post_comment(reader, body="Still pending")
    approve(db, shown)
    for path in ("/api/threads/say-hello/feed.atom", "/api/feed.atom"):
        response = reader.get(live.url + path)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/atom+xml")
        ET.fromstring(response.content)  # well-formed XML
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert len(feed.entries) == 1
        entry = feed.entries[0]
        assert entry.author == "Grace <b>"
        assert "<strong>one</strong>" in entry.content[0].value
        assert entry.link.endswith(f"/say-hello/#c{shown}")


def test_thread_list_has_etag_and_answers_304(live, db):
    reader = live.session()
    first = reader.get(f"{live.url}/api/threads/say-hello/comments")
    etag = first.headers["ETag"]
    again = reader.get(f"{live.url}/api/threads/say-hello/comments", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    approve(db, live.post_comment(reader).json()["id"])
    changed = reader.get(f"{live.url}/api/threads/say-hello/comments", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    # The same bytes for every caller: cookies change nothing.
    assert live.session().get(f"{live.url}/api/threads/say-hello/comments").content == changed.content


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/threads/no-such-post/comments"),
        ("get", "/api/threads/no-such-post/comments.html"),
        ("get", "/api/threads/no-such-post/mine"),
        ("post", "/api/threads/no-such-post/comments"),
        ("get", "/api/threads/no-such-post/feed.atom"),
        ("get", "/api/nothing-here"),
    ],
)
def test_unknown_thread_is_404_with_a_json_sentence(live, method, path):
    response = getattr(live.session(), method)(live.url + path, json={"author": "A", "body": "B"})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert len(response.json()["error"]) > 10


@pytest.mark.parametrize("slug", ["closed-post", "old-post"])
def test_closed_thread_refuses_new_comments(live, db, slug):
    response = live.post_comment(live.session(), slug=slug)
    assert response.status_code == 403
    assert "closed" in response.json()["error"]
    assert db["comments"].count == 0
    assert comments_of(live, slug)["thread"]["open"] is False


def test_service_setting_closes_threads_after_n_days(app, live, db):
    app.config["CLOSE_AFTER_DAYS"] = 10_000
    assert live.post_comment(live.session()).status_code == 201
    app.config["CLOSE_AFTER_DAYS"] = 1
    assert live.post_comment(live.session()).status_code == 403


@pytest.mark.parametrize(
    "fields, field, words",
    [
        ({"author": ""}, "author", "Name is required"),
        ({"author": "   "}, "author", "Name is required"),
        ({"author": "x" * 81}, "author", "at most 80"),
        ({"email": "not-an-address"}, "email", "does not look like"),
        ({"website": "javascript:alert(1)"}, "website", "http:// or https://"),
        ({"website": "ftp://example.com"}, "website", "http:// or https://"),
        ({"website": "https://<script>alert(1)</script>"}, "website", "http:// or https://"),
        ({"website": "http://exa\"mple.com/"}, "website", "http:// or https://"),
        ({"body": ""}, "body", "empty"),
        ({"body": "  \n\t "}, "body", "empty"),
        ({"body": "x" * 10_001}, "body", "10,000"),
        ({"parent_id": "abc"}, "parent_id", "number"),
        ({"notify": True}, "email", "email address"),
    ],
)
def test_each_validation_error_names_the_field(live, db, fields, field, words):
    response = live.post_comment(live.session(), **fields)
    assert response.status_code == 400
    answer = response.json()
    assert words in answer["fields"][field]
    assert words in answer["error"]
    assert db["comments"].count == 0


def test_required_email_setting(app, live):
    app.config["REQUIRE_EMAIL"] = True
    response = live.post_comment(live.session())
    assert response.status_code == 400 and "email" in response.json()["fields"]
    assert live.post_comment(live.session(), email="a@example.com").status_code == 201


@pytest.mark.parametrize(
    "website",
    ["https://example.com:8080/a?b=c#d", "http://[2001:db8::1]/", "https://bücher.example/", "http://user@host.example"],
)
def test_ordinary_websites_are_accepted(live, db, website):
    response = live.post_comment(live.session(), website=website)
    assert response.status_code == 201
    assert store.get_comment(db, response.json()["id"])["website"] == website


def test_values_are_trimmed_and_websites_completed(live, db):
    response = live.post_comment(
        live.session(), author="  Ada   Lovelace ", website="example.com", body="  hi  ", extra="dropped"
    )
    stored = store.get_comment(db, response.json()["id"])
    assert (stored["author"], stored["website"], stored["body"]) == ("Ada Lovelace", "https://example.com", "hi")


def test_malformed_json_is_400(live):
    response = live.session().post(
        f"{live.url}/api/threads/say-hello/comments",
        data=b'{"author": "A", "body": ',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_json_that_is_not_an_object_is_400(live):
    response = live.session().post(f"{live.url}/api/threads/say-hello/comments", json=["a"])
    assert response.status_code == 400


def test_oversized_body_is_413(live, db):
    response = live.session().post(
        f"{live.url}/api/threads/say-hello/comments",
        data=json.dumps({"author": "A", "body": "x" * 100_000}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "too large" in response.json()["error"]
    assert db["comments"].count == 0


def test_plain_form_post_redirects_back_to_the_article(live, db):
    response = live.session().post(
        f"{live.url}/api/threads/say-hello/comments",
        data={"author": "No Script", "body": "Posted without JavaScript", "email": "", "website": "", "parent_id": ""},
        headers={"Accept": "text/html,application/xhtml+xml"},
        allow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/say-hello/#comment-posted"
    assert OWN_COOKIE in response.cookies
    assert [c["body"] for c in db["comments"].rows] == ["Posted without JavaScript"]


def test_plain_form_error_page_keeps_the_text(live, db):
    response = live.session().post(
        f"{live.url}/api/threads/say-hello/comments",
        data={"author": "", "body": "My <long> thought"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Name is required" in response.text
    assert "My &lt;long&gt; thought</textarea>" in response.text
    assert db["comments"].count == 0


def test_author_can_edit_within_the_window(live, db):
    reader = live.session()
    comment_id = live.post_comment(reader, body="Frist").json()["id"]
    response = reader.put(f"{live.url}/api/comments/{comment_id}", json={"body": "First, *fixed*"})
    assert response.status_code == 200
    assert response.json()["body_html"] == "<p>First, <em>fixed</em></p>"
    assert store.get_comment(db, comment_id)["body"] == "First, *fixed*"


def test_others_cannot_edit_or_delete(live, db):
    comment_id = live.post_comment(live.session(), body="Mine").json()["id"]
    stranger = live.session()
    assert stranger.put(f"{live.url}/api/comments/{comment_id}", json={"body": "Yours"}).status_code == 403
    assert stranger.delete(f"{live.url}/api/comments/{comment_id}").status_code == 403
    assert store.get_comment(db, comment_id)["body"] == "Mine"


def _cookie_for(ids):
    return own_cookie_value(SECRET, ids)


def test_edit_after_the_window_is_refused(live, db, clock):
    reader = live.session()
    old = live.post_comment(reader, body="Old").json()["id"]
    clock.advance(minutes=15, seconds=1)
    response = reader.put(f"{live.url}/api/comments/{old}", json={"body": "New"})
    assert response.status_code == 403
    assert "15 minutes" in response.json()["error"]
    assert reader.delete(f"{live.url}/api/comments/{old}").status_code == 403
    assert store.get_comment(db, old)["body"] == "Old"


def test_a_forged_cookie_gives_no_rights(live, db):
    comment_id = live.post_comment(live.session()).json()["id"]
    reader = live.session()
    forged = own_cookie_value("another-key", [comment_id])
    reader.cookies.set(OWN_COOKIE, forged, path="/api")
    assert reader.delete(f"{live.url}/api/comments/{comment_id}").status_code == 403
    assert reader.get(f"{live.url}/api/threads/say-hello/mine").json() == {"comments": []}


def test_author_can_delete_within_the_window(live, db):
    reader = live.session()
    comment_id = live.post_comment(reader).json()["id"]
    response = reader.delete(f"{live.url}/api/comments/{comment_id}")
    assert response.status_code == 200 and response.json()["status"] == "deleted"
    assert store.get_comment(db, comment_id)["status"] == "deleted"
    assert reader.get(f"{live.url}/api/threads/say-hello/mine").json() == {"comments": []}


def test_form_token_endpoint_gives_a_fresh_token(live):
    response = live.session().get(f"{live.url}/api/form-token")
    assert response.status_code == 200
    assert len(response.json()["token"]) > 20
    assert "no-store" in response.headers["Cache-Control"]


def test_healthz_answers_when_the_database_does(live):
    response = live.session().get(f"{live.url}/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_fingerprint_is_not_the_raw_address(live, db):
    comment_id = live.post_comment(live.session()).json()["id"]
    fingerprint = store.get_comment(db, comment_id)["fingerprint"]
    assert len(fingerprint) == 16 and "127.0.0" not in fingerprint


def test_site_is_served_from_the_same_origin(live):
    reader = live.session()
    page = reader.get(f"{live.url}/say-hello/")
    assert page.status_code == 200 and "Say hello" in page.text
    assert reader.get(f"{live.url}/say-hello", allow_redirects=False).status_code == 301
    assert reader.get(f"{live.url}/../etc/passwd").status_code == 404
    for response in (page, reader.get(f"{live.url}/api/counts")):
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_readers_without_javascript_reply_through_a_reply_page(live, db):
    parent = live.post_comment(live.session(), author="Ada <i>", body="Worth *answering*").json()["id"]
    approve(db, parent)
    reader = live.session()
    page = reader.get(f"{live.url}/api/threads/say-hello/reply/{parent}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Reply to Ada &lt;i&gt;" in page.text
    assert "<p>Worth <em>answering</em></p>" in page.text
    assert f'name="parent_id" value="{parent}"' in page.text
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    posted = reader.post(
        f"{live.url}/api/threads/say-hello/comments",
        data={"author": "Bo", "body": "My reply", "parent_id": str(parent), "form_token": token},
        headers={"Accept": "text/html"}, allow_redirects=False,
    )
    assert posted.status_code == 303
    reply = [c for c in db["comments"].rows if c["body"] == "My reply"][0]
    assert reply["parent_id"] == parent and reply["depth"] == 1


@pytest.mark.parametrize("status", ["pending", "spam"])
def test_no_reply_page_for_an_unpublished_comment(live, db, status):
    comment_id = live.post_comment(live.session()).json()["id"]
    store.set_status(db, comment_id, status)
    response = live.session().get(f"{live.url}/api/threads/say-hello/reply/{comment_id}")
    assert response.status_code == 404 and "not published" in response.json()["error"]


def test_no_reply_page_on_a_closed_thread(live):
    response = live.session().get(f"{live.url}/api/threads/closed-post/reply/1")
    assert response.status_code == 403
