"""A reader comments and replies in a real browser, with and without JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from comments_service import store

from .conftest import ARTICLE, add_moderator, approve, log_in, post


def fill_comment(page, name: str, text: str) -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Comment", exact=True).fill(text)


def the_reader_comments_and_replies_to(grace, service, page, db, shot) -> list[int]:
    """A comment, then a reply to Grace's published comment; both wait for moderation."""
    page.goto(f"{service.url}/{ARTICLE}/")
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(page.locator(f"#c{grace}")).to_contain_text("Call on a Tuesday morning")
    shot(page, "article-with-one-comment")

    fill_comment(page, "Lin", "I *always* call back within a day.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status")).to_have_text("Thanks! Your comment is awaiting moderation.")
    mine = page.locator("li.comment.pending", has_text="I always call back within a day.")
    expect(mine).to_contain_text("Awaiting moderation")
    expect(page.get_by_label("Comment", exact=True)).to_have_value("")
    shot(page, "comment-awaiting-moderation")

    page.get_by_role("link", name="Reply to Grace").click()
    expect(page.get_by_text("Replying to Grace")).to_be_visible()
    expect(page.get_by_label("Comment", exact=True)).to_be_focused()
    page.get_by_label("Comment", exact=True).fill("Tuesday works for me too.")
    shot(page, "reply-form-under-grace")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status")).to_have_text("Thanks! Your comment is awaiting moderation.")
    reply = page.locator(f"#c{grace} ol.comment-replies li.comment.pending")
    expect(reply).to_contain_text("Tuesday works for me too.")
    expect(reply).to_contain_text("Awaiting moderation")
    shot(page, "reply-awaiting-moderation")

    rows = {r["body"]: r for r in db.query("SELECT * FROM comments WHERE author = 'Lin'")}
    assert rows["I *always* call back within a day."]["status"] == store.PENDING
    assert rows["Tuesday works for me too."]["parent_id"] == grace
    lin = [rows[body]["id"] for body in ("I *always* call back within a day.", "Tuesday works for me too.")]
    return lin


def the_moderator_approves_and_spams_in_bulk(lin, spam, browser, service, shot) -> None:
    """Log in, approve Lin's two comments and mark the advert as spam, in bulk."""
    add_moderator(service)
    moderator = browser.new_page()
    moderator.goto(f"{service.url}/moderate/")
    expect(moderator).to_have_url(re.compile(r"/moderate/login"))
    shot(moderator, "moderator-login")
    log_in(moderator, service)
    expect(moderator.get_by_role("link", name="Pending (3)")).to_be_visible()
    shot(moderator, "moderation-queue")
    for comment_id in lin:
        moderator.get_by_label(f"Select comment {comment_id} by Lin").check()
    moderator.get_by_role("button", name="Approve selected").click()
    expect(moderator.get_by_role("status")).to_contain_text("Approved 2")
    expect(moderator.get_by_role("link", name="Pending (1)")).to_be_visible()
    shot(moderator, "approved-two-in-bulk")
    moderator.get_by_label(f"Select comment {spam} by Cheap Leads").check()
    moderator.get_by_role("button", name="Mark selected as spam").click()
    expect(moderator.get_by_role("status")).to_contain_text("Marked 1 comment as spam")
    expect(moderator.get_by_role("link", name="Pending (0)")).to_be_visible()
    expect(moderator.get_by_role("link", name="Spam (1)")).to_be_visible()
    shot(moderator, "marked-spam-in-bulk")
    moderator.close()


def test_reader_comments_and_replies_a_moderator_approves_and_spams_in_bulk_and_the_reader_sees_the_thread(
    browser, service, db, page, shot
):
    grace = post(service, author="Grace", body="Call on a Tuesday morning; it works.")["id"]
    approve(db, grace)
    spam = post(service, author="Cheap Leads", body="Buy 10,000 warm leads today at leads.example")["id"]

    lin = the_reader_comments_and_replies_to(grace, service, page, db, shot)

    # Nobody else sees them yet.
    stranger = browser.new_page()
    stranger.goto(f"{service.url}/{ARTICLE}/")
    expect(stranger.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(stranger.get_by_text("Tuesday works for me too.")).to_have_count(0)
    stranger.close()

    the_moderator_approves_and_spams_in_bulk(lin, spam, browser, service, shot)
    statuses = {r["id"]: r["status"] for r in db.query("SELECT id, status FROM comments")}
    assert statuses == {grace: store.APPROVED, spam: store.SPAM, lin[0]: store.APPROVED, lin[1]: store.APPROVED}

    # The reader reloads: the whole thread, nested, published, and no advert.
    page.reload()
    expect(page.get_by_role("heading", name="Comments (3)")).to_be_visible()
    expect(page.locator(f"#c{lin[0]}")).to_contain_text("I always call back within a day.")
    expect(page.locator(f"#c{grace} ol.comment-replies #c{lin[1]}")).to_contain_text("Tuesday works for me too.")
    expect(page.get_by_text("Awaiting moderation", exact=True)).to_have_count(0)
    expect(page.get_by_text("warm leads today")).to_have_count(0)
    shot(page, "reader-sees-the-thread")


def test_reader_without_javascript_posts_the_plain_form_and_sees_the_baked_comment_after_a_rebuild(
    browser, service, db, shot
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{service.url}/{ARTICLE}/")
    expect(page.get_by_text("No comments yet. Start the conversation.")).to_be_visible()
    expect(page.locator("#comment-posted")).to_be_hidden()
    shot(page, "article-without-javascript")

    fill_comment(page, "Noor", "No script needed to say **thanks**.")
    page.get_by_label("Email (optional, never published)").fill("noor@example.com")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Post comment").click()
    assert posted.value.status == 303
    assert posted.value.headers["location"] == f"/{ARTICLE}/#comment-posted"
    page.wait_for_url(f"**/{ARTICLE}/#comment-posted")
    expect(page.locator("#comment-posted")).to_be_visible()
    expect(page.locator("#comment-posted")).to_contain_text("awaiting moderation")
    shot(page, "comment-posted-notice")

    (row,) = db.query("SELECT * FROM comments WHERE author = 'Noor'")
    assert row["status"] == store.PENDING and row["email"] == "noor@example.com"
    approve(db, row["id"])
    service.site.rebuild()

    page.reload()  # a reload revalidates the page the browser keeps for a minute
    baked = page.locator(f"#c{row['id']}")
    expect(baked).to_contain_text("No script needed to say thanks.")
    expect(baked.locator("strong")).to_have_text("thanks")
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(page.get_by_text("noor@example.com")).to_have_count(0)
    shot(page, "baked-comment-after-rebuild")

    # Replying without JavaScript: the baked comment links to the service's reply form.
    page.get_by_role("link", name="Reply to Noor").click()
    expect(page.get_by_role("heading", name="Reply to Noor")).to_be_visible()
    shot(page, "reply-form-without-javascript")
    fill_comment(page, "Sam", "Glad it worked for you.")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(f"**/{ARTICLE}/#comment-posted")
    expect(page.locator("#comment-posted")).to_be_visible()
    (reply,) = db.query("SELECT * FROM comments WHERE author = 'Sam'")
    assert reply["parent_id"] == row["id"] and reply["status"] == store.PENDING
    context.close()
