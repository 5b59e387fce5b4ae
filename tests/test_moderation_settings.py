"""The moderation form's rules, audit log, overview and error pages over real HTTP."""

from __future__ import annotations

import re

from comments_service import rules, store

from .conftest import approve
from .moderation_fixtures import audit_rows, moderate, post, public_ids
from .moderation_fixtures import moderator, signed_in  # noqa: F401 (fixtures)


def test_settings_page_saves_the_rules_and_audits_the_change(live, db, signed_in):
    page = signed_in.get("/moderate/settings")
    fields = {"mode": "publish", "hold_links_at": "3", "spam_words": "Casino\nfree money",
              "hold_domains": "shady.example"}
    response = signed_in.submit(page, "Save settings", data=fields)
    assert "Saved the rules." in response.text
    saved = rules.load_rules(db)
    assert (saved.mode, saved.hold_links_at) == ("publish", 3)
    assert saved.spam_words == ["casino", "free money"] and saved.hold_domains == ["shady.example"]
    [row] = audit_rows(db, "change rules")
    assert "mode: hold_all → publish" in row["details"] and "spam_words: +casino +free money" in row["details"]
    # The page shows what is saved: the checked radio and one entry per line.
    again = signed_in.get("/moderate/settings")
    assert 'value="publish" checked' in again.html and "casino\nfree money</textarea>" in again.html


def test_settings_with_a_bad_number_are_not_saved(live, db, signed_in):
    page = signed_in.get("/moderate/settings")
    response = signed_in.submit(page, "Save settings", data={"hold_links_at": "many", "mode": "publish"})
    assert response.status_code == 400
    assert "whole number from 0" in response.text
    assert rules.load_rules(db) == rules.Rules()
    assert audit_rows(db, "change rules") == []


def save_settings(browser, **fields):
    page = browser.get("/moderate/settings")
    response = browser.submit(page, "Save settings", data=fields)
    assert response.status_code == 200 and "Saved the rules." in response.text


def test_trusted_returning_commenter_skips_the_queue_in_hold_first_time_mode(live, db, signed_in):
    save_settings(signed_in, mode="hold_first_time")
    first = live.post_comment(live.session(), email="ada@example.org", body="My first comment")
    assert first.json()["status"] == "pending"
    signed_in.submit(signed_in.get("/moderate/"), "Approve", within=f"comment-{first.json()['id']}")
    again = live.post_comment(live.session(), email="ADA@example.org", body="Back again")
    assert again.json()["status"] == "approved"
    assert again.json()["id"] in public_ids(live)
    stranger = live.post_comment(live.session(), email="new@example.org", body="Hello")
    assert stranger.json()["status"] == "pending"
    page = signed_in.get("/moderate/?status=approved")
    assert "trusted returning commenter" in page.html


def test_link_count_rule_holds_a_comment_with_its_reason(live, db, signed_in):
    save_settings(signed_in, mode="publish", hold_links_at="2")
    one = live.post_comment(live.session(), body="One link, to the slides of the talk I mentioned above: https://a.example").json()
    two = live.post_comment(live.session(), body="https://a.example and https://b.example").json()
    assert (one["status"], two["status"]) == ("approved", "pending")
    page = signed_in.get("/moderate/")
    assert "has 2 links (the rules hold comments with 2 or more)" in page.html.split(f'id="comment-{two["id"]}"')[1]


def test_word_lists_hold_or_spam_with_the_reason_shown(live, db, signed_in):
    save_settings(signed_in, mode="publish", hold_links_at="0", hold_words="crypto", spam_words="casino")
    held = live.post_comment(live.session(), body="Any crypto tips?").json()
    spammed = live.post_comment(live.session(), body="Best CASINO bonus").json()
    clean = live.post_comment(live.session(), body="Thanks for the tips").json()
    assert [held["status"], spammed["status"], clean["status"]] == ["pending", "pending", "approved"]
    assert store.get_comment(db, spammed["id"])["status"] == store.SPAM
    assert public_ids(live) == [clean["id"]]
    assert "contains the held word “crypto”" in signed_in.get("/moderate/").html
    assert "contains the spam word “casino”" in signed_in.get("/moderate/?status=spam").html


def test_audit_page_lists_every_action_newest_first_in_pages(live, db, signed_in):
    comment_id = post(live)
    for _ in range(30):
        moderate(db, comment_id, store.APPROVED, (store.PENDING,), "approve")
        moderate(db, comment_id, store.PENDING, (store.APPROVED,), "unapprove")
    page = signed_in.get("/moderate/audit")
    assert page.html.count("<tr>") == 51  # header + 50 rows
    assert "Next page" in page.html
    first_row = page.html.split("<tbody>")[1].split("</tr>")[0]
    assert "unapprove" in first_row and "approved" in first_row and "pending" in first_row
    assert "log in" in signed_in.get("/moderate/audit?page=2").html


def test_overview_draws_escaped_svg_charts_of_the_last_30_days(live, db, signed_in):
    ids = [post(live, body=f"c{n}") for n in range(4)]
    approve(db, ids[0])
    store.set_status(db, ids[1], store.SPAM)  # as the filter would have
    moderate(db, ids[2], store.SPAM, (store.PENDING,), "spam")
    page = signed_in.get("/moderate/overview")
    assert page.response.status_code == 200
    svgs = re.findall(r"<svg .*?</svg>", page.html, re.S)
    assert len(svgs) == 2
    assert all('role="img"' in svg and "<rect" in svg and "style=" not in svg for svg in svgs)
    assert 'fill="#2e7d32"' in svgs[0]  # approved bars
    today = store.utcnow().date().isoformat()
    assert f"<title>{today}: 1 Approved</title>" in svgs[0]
    assert f"<title>{today}: 1 Caught by the filter</title>" in svgs[1]
    assert f"<title>{today}: 1 Marked by moderators</title>" in svgs[1]
    assert "Pending: 1" in svgs[0]


def test_unknown_comment_answers_a_plain_404_page(live, signed_in):
    token = signed_in.csrf_token()
    response = signed_in.http.post(f"{live.url}/moderate/comments/9999/edit",
                                   data={"csrf_token": token, "body": "x"})
    assert response.status_code == 404
    assert "There is no comment 9999." in response.text and "Traceback" not in response.text
