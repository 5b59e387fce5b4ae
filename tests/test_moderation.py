"""The moderation form over real HTTP: access control, CSRF, the queue, actions, rules, audit, overview."""

from __future__ import annotations

import re

import pytest

from comments_service import rules, store

from .conftest import approve
from .moderation_fixtures import Browser, audit_rows, post, public_ids
from .moderation_fixtures import moderator, signed_in  # noqa: F401 (fixtures)

ROUTE_VALUES = {"comment_id": 1, "filename": "moderate.css"}
PUBLIC_ROUTES = {"moderate.login", "moderate.static"}


def snapshot(db) -> dict:
    """Every row of every table, to prove that nothing changed."""
    return {table: list(db[table].rows) for table in db.table_names()}


def moderation_rules(app, method):
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/moderate/") and method in rule.methods:
            values = {name: ROUTE_VALUES[name] for name in rule.arguments}
            yield rule, adapter.build(rule.endpoint, values)


def test_every_moderation_route_redirects_to_login_without_a_session(app, live, moderator):
    checked = []
    for method in ("GET", "POST"):
        for rule, path in moderation_rules(app, method):
            if rule.endpoint in PUBLIC_ROUTES:
                continue
            response = live.session().request(method, live.url + path, allow_redirects=False)
            assert response.status_code in (302, 303), (method, path, response.status_code)
            assert response.headers["Location"].startswith("/moderate/login"), (method, path)
            checked.append(rule.endpoint)
    assert {"moderate.queue", "moderate.act", "moderate.edit", "moderate.reply", "moderate.settings",
            "moderate.save_settings", "moderate.audit", "moderate.overview", "moderate.logout"} <= set(checked)


def test_login_redirect_remembers_the_page_asked_for(live, moderator):
    browser = Browser(live.url)
    page = browser.get("/moderate/?status=spam")
    assert page.response.url.endswith("/moderate/login?next=/moderate/?status%3Dspam")
    response = browser.submit(page, "Log in", data={"name": "mod", "password": "correct horse battery"})
    assert response.url.endswith("/moderate/?status=spam")


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_state_changing_routes_refuse_a_post_without_a_valid_csrf_token(app, live, db, signed_in, token):
    comment_id = post(live)
    before = snapshot(db)
    posted = []
    for rule, path in moderation_rules(app, "POST"):
        data = {"ids": comment_id, "action": "approve", "body": "Changed", "mode": "publish",
                "hold_links_at": "1", "name": "mod", "password": "correct horse battery"}
        if token:
            data["csrf_token"] = token
        response = signed_in.http.post(live.url + path, data=data, allow_redirects=False)
        assert response.status_code == 400, (path, response.status_code)
        assert "nothing was changed" in response.text
        posted.append(rule.endpoint)
    assert snapshot(db) == before
    assert {"moderate.act", "moderate.edit", "moderate.reply", "moderate.save_settings",
            "moderate.logout", "moderate.login"} <= set(posted)
    # Still signed in: the refused logout did not log out.
    assert signed_in.get("/moderate/").response.url.endswith("/moderate/")


def test_get_never_changes_state(app, live, db, signed_in):
    comment_id = post(live)
    before = snapshot(db)
    for rule, path in moderation_rules(app, "GET"):
        response = signed_in.http.get(
            live.url + path, params={"action": "approve", "ids": comment_id, "body": "x", "mode": "publish"}
        )
        assert response.status_code == 200, (path, response.status_code)
    assert snapshot(db) == before


def test_approve_publishes_a_held_comment(live, db, signed_in):
    comment_id = post(live, body="Calling just to say *hello*.")
    assert public_ids(live) == []
    queue = signed_in.get("/moderate/")
    assert f'id="comment-{comment_id}"' in queue.html
    response = signed_in.submit(queue, "Approve", within=f"comment-{comment_id}")
    assert response.url.endswith("/moderate/")
    assert "Approved 1 comment." in response.text
    assert store.get_comment(db, comment_id)["status"] == store.APPROVED
    assert public_ids(live) == [comment_id]
    [row] = audit_rows(db, "approve")
    assert (row["moderator"], row["comment_id"], row["from_status"], row["to_status"]) == (
        "mod", comment_id, "pending", "approved")


@pytest.mark.parametrize(
    "start, button, end, public",
    [
        ("pending", "Mark as spam", "spam", False),
        ("pending", "Delete", "deleted", False),
        ("approved", "Mark as spam", "spam", False),
        ("approved", "Delete", "deleted", False),
        ("approved", "Unapprove", "pending", False),
        ("spam", "Not spam", "approved", True),
        ("spam", "Delete", "deleted", False),
        ("deleted", "Restore", "pending", False),
        ("deleted", "Mark as spam", "spam", False),
    ],
)
def test_each_action_changes_the_database_the_public_api_and_the_audit_log(
    live, db, signed_in, start, button, end, public
):
    comment_id = post(live)
    store.set_status(db, comment_id, start)
    tab = signed_in.get(f"/moderate/?status={start}")
    response = signed_in.submit(tab, button, within=f"comment-{comment_id}")
    assert response.status_code == 200
    assert response.url.endswith(f"/moderate/?status={start}")
    assert store.get_comment(db, comment_id)["status"] == end
    assert (comment_id in public_ids(live)) is public
    [row] = audit_rows(db)[-1:]
    assert (row["comment_id"], row["from_status"], row["to_status"], row["moderator"]) == (
        comment_id, start, end, "mod")
    # The comment now sits in its new tab, with that tab's actions.
    assert f'id="comment-{comment_id}"' in signed_in.get(f"/moderate/?status={end}").html


def test_a_tab_offers_only_the_actions_that_apply(live, db, signed_in):
    comment_id = post(live)
    queue = signed_in.get("/moderate/")
    scope = f"comment-{comment_id}"
    assert queue.has_button("Approve", scope) and queue.has_button("Mark as spam", scope)
    assert not queue.has_button("Restore", scope) and not queue.has_button("Not spam", scope)
    assert queue.has_button("Approve selected") and not queue.has_button("Restore selected")


def test_an_action_that_no_longer_applies_changes_nothing(live, db, signed_in):
    comment_id = post(live)
    queue = signed_in.get("/moderate/")
    store.set_status(db, comment_id, store.DELETED)  # another moderator was quicker
    response = signed_in.submit(queue, "Approve", within=f"comment-{comment_id}")
    assert "Skipped 1 comment" in response.text
    assert store.get_comment(db, comment_id)["status"] == store.DELETED
    assert audit_rows(db, "approve") == []


def test_bulk_actions_change_every_selected_comment(live, db, signed_in):
    ids = [post(live, body=f"Comment {n}") for n in range(4)]
    queue = signed_in.get("/moderate/")
    boxes = queue.parsed.outside_controls["bulk"]
    assert sorted(int(box["value"]) for box in boxes) == ids
    response = signed_in.submit(queue, "Approve selected", data={"ids": ids[:3]})
    assert "Approved 3 comments." in response.text
    assert public_ids(live) == ids[:3]
    assert [r["comment_id"] for r in audit_rows(db, "approve")] == ids[:3]

    approved_tab = signed_in.get("/moderate/?status=approved")
    response = signed_in.submit(approved_tab, "Delete selected", data={"ids": ids[:2]})
    assert "Deleted 2 comments" in response.text
    assert public_ids(live) == [ids[2]]
    deleted_tab = signed_in.get("/moderate/?status=deleted")
    response = signed_in.submit(deleted_tab, "Restore selected", data={"ids": ids[:2]})
    assert "Restored 2 comments to the pending queue." in response.text
    assert [store.get_comment(db, i)["status"] for i in ids] == ["pending", "pending", "approved", "pending"]

    pending_tab = signed_in.get("/moderate/")
    response = signed_in.submit(pending_tab, "Approve selected", data={"ids": [ids[0], ids[2]]})
    assert "Approved 1 comment." in response.text and "Skipped 1 comment" in response.text
    response = signed_in.submit(signed_in.get("/moderate/"), "Mark selected as spam", data={"ids": ids[1]})
    assert "Marked 1 comment as spam." in response.text
    spam_tab = signed_in.get("/moderate/?status=spam")
    response = signed_in.submit(spam_tab, "Not spam: approve selected", data={"ids": [ids[1]]})
    assert "Marked 1 comment as not spam and published it." in response.text
    assert public_ids(live) == ids[:3]


def test_bulk_action_without_a_selection_says_so(live, db, signed_in):
    post(live)
    response = signed_in.submit(signed_in.get("/moderate/"), "Approve selected")
    assert "Select at least one comment first." in response.text
    assert audit_rows(db, "approve") == []


def test_edit_resanitizes_the_text_and_is_audited(live, db, signed_in):
    comment_id = post(live, body="Original text")
    approve(db, comment_id)
    tab = signed_in.get("/moderate/?status=approved")
    new_text = "Now **bold** <script>alert(1)</script> [link](javascript:alert(1))"
    response = signed_in.submit(tab, "Save edit", within=f"comment-{comment_id}", data={"body": new_text})
    assert f"Saved your edit of comment {comment_id}." in response.text
    stored = store.get_comment(db, comment_id)
    assert stored["body"] == new_text and stored["status"] == store.APPROVED
    assert "<strong>bold</strong>" in stored["body_html"]
    assert "<script" not in stored["body_html"] and "javascript:" not in stored["body_html"]
    listed = live.session().get(f"{live.url}/api/threads/say-hello/comments").json()["comments"]
    assert listed[0]["body_html"] == stored["body_html"]
    [row] = audit_rows(db, "edit")
    assert row["comment_id"] == comment_id and row["details"] == "text was: Original text"


def test_edit_to_an_empty_text_is_refused(live, db, signed_in):
    comment_id = post(live, body="Keep me")
    response = signed_in.submit(signed_in.get("/moderate/"), "Save edit", within=f"comment-{comment_id}",
                                data={"body": "   "})
    assert "was not changed" in response.text
    assert store.get_comment(db, comment_id)["body"] == "Keep me"
    assert audit_rows(db, "edit") == []


def test_moderator_reply_is_published_at_once_as_the_sites_reply(live, db, signed_in):
    comment_id = post(live, author="Ada", body="Is a follow-up call too pushy?")
    approve(db, comment_id)
    tab = signed_in.get("/moderate/?status=approved")
    response = signed_in.submit(tab, "Post reply", within=f"comment-{comment_id}",
                                data={"body": "Not at all, *call*."})
    assert f"Posted your reply to comment {comment_id}; it is published." in response.text
    listed = live.session().get(f"{live.url}/api/threads/say-hello/comments").json()["comments"]
    reply = listed[-1]
    assert (reply["author"], reply["parent_id"], reply["by_moderator"]) == ("mod", comment_id, True)
    assert reply["body_html"] == "<p>Not at all, <em>call</em>.</p>"
    stored = store.get_comment(db, reply["id"])
    assert stored["status"] == store.APPROVED and stored["depth"] == 1
    [row] = audit_rows(db, "reply")
    assert row["comment_id"] == reply["id"] and row["details"] == f"in reply to comment {comment_id}"


def test_reply_to_a_pending_comment_approves_it_too(live, db, signed_in):
    comment_id = post(live)
    response = signed_in.submit(signed_in.get("/moderate/"), "Post reply", within=f"comment-{comment_id}",
                                data={"body": "Welcome!"})
    assert "and approved that comment" in response.text
    assert len(public_ids(live)) == 2 and public_ids(live)[0] == comment_id
    assert [r["action"] for r in audit_rows(db) if r["action"] in ("approve", "reply")] == ["approve", "reply"]


def test_moderator_reply_follows_the_nesting_limit_of_the_api(live, db, signed_in):
    parent = None
    for level in range(6):
        extra = {"parent_id": parent} if parent else {}
        comment_id = post(live, body=f"level {level}", **extra)
        approve(db, comment_id)
        parent = comment_id
    deepest = store.get_comment(db, parent)
    assert deepest["depth"] == 5
    tab = signed_in.get("/moderate/?status=approved")
    signed_in.submit(tab, "Post reply", within=f"comment-{parent}", data={"body": "Deep reply"})
    reply = store.get_comment(db, public_ids(live)[-1])
    assert (reply["depth"], reply["parent_id"]) == (5, deepest["parent_id"])


def test_spam_and_deleted_comments_offer_no_reply(live, db, signed_in):
    comment_id = post(live)
    store.set_status(db, comment_id, store.SPAM)
    assert not signed_in.get("/moderate/?status=spam").has_button("Post reply", f"comment-{comment_id}")


def test_after_an_action_the_moderator_returns_to_the_same_tab_page_and_search(live, db, signed_in):
    ids = [post(live, body=f"networking tip {n}") for n in range(30)]
    for comment_id in ids:
        approve(db, comment_id)
    page = signed_in.get("/moderate/?status=approved&q=tip&page=2")
    listed = [int(m) for m in re.findall(r'id="comment-(\d+)"', page.html)]
    assert listed == ids[:5][::-1]  # newest first: page 2 holds the oldest five
    response = signed_in.submit(page, "Delete", within=f"comment-{listed[0]}")
    assert response.url.endswith("/moderate/?status=approved&q=tip&page=2")
    assert "Deleted 1 comment" in response.text


def test_redirect_after_an_action_never_leaves_the_moderation_form(live, db, signed_in):
    comment_id = post(live)
    queue = signed_in.get("/moderate/")
    for target in ("https://evil.example/", "//evil.example/moderate/", "/api/counts", "/\\evil.example"):
        response = signed_in.submit(queue, "Approve", within=f"comment-{comment_id}",
                                    data={"next": target}, follow=False)
        assert response.headers["Location"] == "/moderate/", target


def test_queue_row_shows_article_parent_author_contact_time_score_and_reasons(live, db, signed_in):
    parent = post(live, slug="second-post", author="Grace", body="The parent comment about follow-ups")
    approve(db, parent)
    rules.save_rules(db, rules.Rules(hold_links_at=2))
    reply = post(live, slug="second-post", author="Ada <b>", email="ada@example.org",
                 website="https://ada.example", parent_id=parent,
                 body="See https://a.example and https://b.example **now**")
    page = signed_in.get("/moderate/")
    row = page.html.split(f'id="comment-{reply}"')[1].split("</article>")[0]
    assert '<a href="/second-post/">Second &lt;post&gt;</a>' in row
    assert "Ada &lt;b&gt;" in row
    assert "Grace: “The parent comment about follow-ups”" in row
    assert 'href="mailto:ada@example.org"' in row and 'href="https://ada.example"' in row
    stored = store.get_comment(db, reply)
    assert f'datetime="{stored["created_at"]}"' in row
    assert f"Spam score</dt><dd>{stored['spam_score']:.2f}" in row
    assert "has 2 links (the rules hold comments with 2 or more)" in row
    assert "<strong>now</strong>" in row


def test_tabs_show_counts_and_pending_is_oldest_first(live, db, signed_in):
    first, second, third = post(live, body="first"), post(live, body="second"), post(live, body="third")
    approve(db, third)
    page = signed_in.get("/moderate/")
    assert "Pending (2)" in page.html and "Approved (1)" in page.html and "Spam (0)" in page.html
    assert [int(m) for m in re.findall(r'id="comment-(\d+)"', page.html)] == [first, second]
    assert 'aria-current="page">Pending (2)' in page.html


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "INTRODUCTIONS"}, ["intro"]),
        ({"q": "grace", "in": "author"}, ["grace"]),
        ({"q": "grace", "in": "text"}, []),
        ({"q": "@corp.example", "in": "email"}, ["grace"]),
        ({"q": "corp.example"}, ["grace"]),
        ({"thread": "second-post"}, ["other"]),
        ({"q": "%' OR 1=1 --"}, []),
        ({"q": "_"}, []),
        ({"in": "password_hash", "q": "intro"}, ["intro"]),
    ],
)
def test_search_by_text_author_or_email_and_filter_by_article(live, db, signed_in, params, expected):
    named = {
        "intro": post(live, author="Ada", body="Warm introductions work"),
        "grace": post(live, author="Grace", email="grace@corp.example", body="Follow up within a day"),
        "other": post(live, slug="second-post", author="Alan", body="Another post"),
    }
    page = signed_in.get("/moderate/", params=params)
    assert page.response.status_code == 200
    shown = [int(m) for m in re.findall(r'id="comment-(\d+)"', page.html)]
    assert shown == [named[key] for key in expected]


def test_unknown_query_values_fall_back_to_defaults(live, signed_in):
    page = signed_in.get("/moderate/", params={"status": "x' OR 1", "page": "-3", "in": "nope"})
    assert page.response.status_code == 200
    assert "<h1>Pending comments</h1>" in page.html


def test_queue_pages_hold_25_comments(live, db, signed_in):
    ids = [post(live, body=f"comment {n}") for n in range(27)]
    first = signed_in.get("/moderate/")
    assert len(re.findall(r'id="comment-\d+"', first.html)) == 25
    assert "Page 1 of 2" in first.html and "Next page" in first.html
    second = signed_in.get("/moderate/?page=2")
    assert [int(m) for m in re.findall(r'id="comment-(\d+)"', second.html)] == ids[25:]


@pytest.mark.parametrize(
    "path", ["/moderate/login", "/moderate/", "/moderate/?status=spam", "/moderate/settings",
             "/moderate/audit", "/moderate/overview"]
)
def test_pages_follow_the_csp_and_label_every_control(live, db, moderator, path):
    for status in store.STATUSES:
        comment_id = post(live, body=f"A {status} comment with a [link](https://x.example)")
        store.set_status(db, comment_id, status)
    browser = Browser(live.url)
    if path != "/moderate/login":
        browser.login("mod")
    page = browser.get(path)
    assert page.response.status_code == 200
    assert page.parsed.csp_violations == []
    assert page.parsed.unlabelled() == []
    assert "script-src 'self'" in page.response.headers["Content-Security-Policy"]
    assert page.response.headers["Cache-Control"] == "no-store"
    for asset in re.findall(r'(?:href|src)="(/moderate/static/[^"]+)"', page.html):
        assert browser.http.get(live.url + asset).status_code == 200
