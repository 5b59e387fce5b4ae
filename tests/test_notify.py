"""Emails through a real local SMTP server (aiosmtpd): held comments, replies, unsubscribe, digest."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from comments_service import rules, store
from comments_service.domain import accounts as auth
from comments_service.cli import main

from .conftest import approve
from .moderation_fixtures import (  # noqa: F401 (fixtures)
    PASSWORD, Browser, free_port, mailbox, moderator, signed_in,
)


def post(live, **fields) -> int:
    response = live.post_comment(live.session(), **fields)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_moderators_get_an_email_for_each_held_comment(live, db, moderator, mailbox):
    auth.add_moderator(db, "second", PASSWORD, "second@example.org")
    auth.add_moderator(db, "no-email", PASSWORD)
    comment_id = post(live, author="Ada", email="ada@example.org", body="Is it rude to *follow up*?")
    messages = mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["mod@example.org", "second@example.org"]
    message = messages[0]
    assert message["From"] == "Touch Base <comments@touchbase.example>"
    assert message["Subject"] == "Comment held for moderation on “Say hello” by Ada"
    body = text_of(message)
    assert "Is it rude to *follow up*?" in body and "ada@example.org" in body
    assert "Why it was held: held for moderation" in body
    assert "https://touchbase.example/moderate/?status=pending" in body
    assert store.get_comment(db, comment_id)["status"] == store.PENDING
    assert mailbox.count_after(0.2) == 2


def test_nothing_is_sent_for_spam_or_published_comments(live, db, moderator, mailbox):
    rules.save_rules(db, rules.Rules(mode=rules.PUBLISH, hold_links_at=0, spam_words=["casino"]))
    post(live, body="Best casino bonus")
    post(live, body="A fine published comment")
    assert mailbox.count_after() == 0


@pytest.mark.parametrize("mode", ["digest", "off"])
def test_no_email_per_comment_in_digest_or_off_mode(app, live, moderator, mailbox, mode):
    app.config["NOTIFY_MODERATORS"] = mode
    post(live)
    assert mailbox.count_after() == 0


def run_digest(app):
    result = CliRunner().invoke(
        main, ["--database", app.config["DATABASE"], "--site-dir", app.config["SITE_DIR"], "notify", "digest"],
        env={"COMMENTS_SMTP_HOST": app.config["SMTP_HOST"], "COMMENTS_SMTP_PORT": str(app.config["SMTP_PORT"]),
             "COMMENTS_SMTP_STARTTLS": "false", "COMMENTS_PUBLIC_URL": "https://touchbase.example",
             "COMMENTS_SECRET_KEY": app.config["SECRET_KEY"]},
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_digest_lists_the_comments_held_since_the_last_digest(app, live, db, moderator, mailbox):
    app.config["NOTIFY_MODERATORS"] = "digest"
    post(live, author="Ada", body="First held")
    post(live, author="Grace", body="Second held")
    spam_id = post(live, body="Third, spam")
    store.set_status(db, spam_id, store.SPAM)
    assert "Sent a digest of 2 held comments to 1 moderators." in run_digest(app)
    [message] = mailbox.wait_for(1)
    assert message["To"] == "mod@example.org"
    assert message["Subject"] == "2 comments waiting for moderation"
    body = text_of(message)
    assert "1. On “Say hello”, Ada wrote:" in body and "2. On “Say hello”, Grace wrote:" in body
    assert "Third, spam" not in body
    # The next digest starts after the last one: nothing new, nothing sent.
    assert "No digest sent: 0 new held comments" in run_digest(app)
    post(live, author="Alan", body="Fourth held")
    run_digest(app)
    later = mailbox.wait_for(2)[1]
    assert later["Subject"] == "1 comment waiting for moderation" and "Alan wrote" in text_of(later)


def reader_thread(live, db):
    """Ada's approved comment with "notify me" ticked, and Grace's pending reply to it."""
    parent = post(live, author="Ada", email="ada@example.org", notify=True, body="Ada asks")
    approve(db, parent)
    reply = post(live, author="Grace", email="grace@example.org", parent_id=parent, body="Grace answers")
    return parent, reply


def test_reply_notice_goes_out_when_a_moderator_approves_the_reply(app, live, db, signed_in, mailbox):
    app.config["NOTIFY_MODERATORS"] = "off"
    parent, reply = reader_thread(live, db)
    assert mailbox.count_after(0.3) == 0  # nothing before approval
    signed_in.submit(signed_in.get("/moderate/"), "Approve", within=f"comment-{reply}")
    [message] = mailbox.wait_for(1)
    assert message["To"] == "Ada <ada@example.org>"
    assert message["Subject"] == "Grace replied to your comment on “Say hello”"
    body = text_of(message)
    assert "Grace answers" in body
    assert f"https://touchbase.example/say-hello/#c{reply}" in body
    assert re.search(r"https://touchbase\.example/api/unsubscribe/\S+", body)
    assert message["List-Unsubscribe"].startswith("<https://touchbase.example/api/unsubscribe/")


def test_unsubscribe_link_confirms_on_get_and_stops_emails_on_post(app, live, db, signed_in, mailbox):
    app.config["NOTIFY_MODERATORS"] = "off"
    parent, reply = reader_thread(live, db)
    signed_in.submit(signed_in.get("/moderate/"), "Approve", within=f"comment-{reply}")
    link = re.search(r"https://touchbase\.example(/api/unsubscribe/\S+)", text_of(mailbox.wait_for(1)[0])).group(1)
    reader = Browser(live.url)
    page = reader.get(link)
    assert page.response.status_code == 200
    assert "Stop the emails telling ada@example.org" in page.html
    assert page.parsed.csp_violations == []
    assert store.get_comment(db, parent)["notify"] == 1  # GET changes nothing
    done = reader.submit(page, "Unsubscribe")
    assert done.status_code == 200 and "will get no more emails" in done.text
    assert store.get_comment(db, parent)["notify"] == 0
    # A later approved reply sends nothing.
    another = post(live, author="Alan", email="alan@example.org", parent_id=parent, body="Me too")
    signed_in.submit(signed_in.get("/moderate/"), "Approve", within=f"comment-{another}")
    assert mailbox.count_after(0.3) == 1


@pytest.mark.parametrize("token", ["not-a-token", "ImFkYUBleGFtcGxlLm9yZyI.forged"])
def test_a_broken_unsubscribe_link_says_so_and_changes_nothing(live, token):
    reader = Browser(live.url)
    page = reader.get(f"/api/unsubscribe/{token}")
    assert page.response.status_code == 404
    assert "This unsubscribe link is not valid." in page.html
    assert page.response.headers["Content-Type"].startswith("text/html")


def test_moderator_reply_notifies_the_opted_in_commenter(app, live, db, signed_in, mailbox):
    app.config["NOTIFY_MODERATORS"] = "off"
    parent = post(live, author="Ada", email="ada@example.org", notify=True, body="Question")
    response = signed_in.submit(signed_in.get("/moderate/"), "Post reply", within=f"comment-{parent}",
                                data={"body": "Answer from the site"})
    assert response.status_code == 200
    [message] = mailbox.wait_for(1)
    assert message["To"] == "Ada <ada@example.org>"
    assert message["Subject"] == "mod replied to your comment on “Say hello”"
    assert "Answer from the site" in text_of(message)


def test_no_reply_notice_to_the_replier_themself_or_to_those_who_did_not_ask(app, live, db, signed_in, mailbox):
    app.config["NOTIFY_MODERATORS"] = "off"
    asked = post(live, author="Ada", email="ada@example.org", notify=True, body="Mine")
    silent = post(live, author="Grace", email="grace@example.org", body="No emails please")
    approve(db, asked)
    approve(db, silent)
    own = post(live, author="Ada", email="ADA@example.org", parent_id=asked, body="Replying to myself")
    other = post(live, author="Alan", email="alan@example.org", parent_id=silent, body="Hi Grace")
    queue = signed_in.get("/moderate/")
    signed_in.submit(queue, "Approve selected", data={"ids": [own, other]})
    assert mailbox.count_after() == 0


def test_a_reply_approved_twice_is_announced_once(app, live, db, signed_in, mailbox):
    app.config["NOTIFY_MODERATORS"] = "off"
    parent, reply = reader_thread(live, db)
    signed_in.submit(signed_in.get("/moderate/"), "Approve", within=f"comment-{reply}")
    signed_in.submit(signed_in.get("/moderate/?status=approved"), "Unapprove", within=f"comment-{reply}")
    signed_in.submit(signed_in.get("/moderate/"), "Approve", within=f"comment-{reply}")
    mailbox.wait_for(1)
    assert mailbox.count_after(0.3) == 1


def test_a_reply_published_without_moderation_notifies_at_once(app, live, db, moderator, mailbox):
    rules.save_rules(db, rules.Rules(mode=rules.PUBLISH))
    parent = post(live, author="Ada", email="ada@example.org", notify=True, body="Question")
    post(live, author="Grace", parent_id=parent, body="Published reply")
    [message] = mailbox.wait_for(1)
    assert message["To"] == "Ada <ada@example.org>" and "Published reply" in text_of(message)


def test_without_smtp_settings_nothing_is_sent_and_nothing_fails(app, live, db, signed_in):
    assert app.config["SMTP_HOST"] == ""
    parent, reply = reader_thread(live, db)
    response = signed_in.submit(signed_in.get("/moderate/"), "Approve", within=f"comment-{reply}")
    assert "Approved 1 comment." in response.text
    assert db["notices"].count == 0


def test_an_unreachable_smtp_server_does_not_break_posting_or_moderation(app, live, db, signed_in):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_STARTTLS=False)
    parent, reply = reader_thread(live, db)
    response = signed_in.submit(signed_in.get("/moderate/"), "Approve", within=f"comment-{reply}")
    assert "Approved 1 comment." in response.text
