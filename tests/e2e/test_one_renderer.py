"""One comment renderer, in a real browser: the list the build baked into the page and the one
the widget swaps in from the service are the same markup, and each comment has exactly one
Reply control, whether the comment API answers or not."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from comments_service import store

from .conftest import ARTICLE, approve, post

# Counts the widget's refreshes of the list: it marks the list aria-busy while it asks the
# service, and clears the mark once the list is settled (swapped in, or kept as baked).
COUNT_REFRESHES = """
window.refreshes = 0;
new MutationObserver(records => records.forEach(r => {
  if (r.target.id === "comment-thread" && !r.target.hasAttribute("aria-busy")) window.refreshes++;
})).observe(document, { subtree: true, attributes: true, attributeFilter: ["aria-busy"] });
"""
THREAD_DIV = re.compile(r'<div id="comment-thread"[^>]*>(.*?)</div>\n<div id="comment-status"', re.S)
ONE_DATE_FORMAT = re.compile(r"^\d{1,2} (January|February|March|April|May|June|July|August|"
                             r"September|October|November|December) \d{4}$")


@pytest.fixture
def thread(service, db) -> dict[str, int]:
    """A baked thread: a comment with a website, a reply quoting it, and a site reply to that."""
    grace = post(service, author="Grace", website="https://grace.example", body="Call on a *Tuesday*.")["id"]
    approve(db, grace)
    sam = post(service, author="Sam <b>", body="> on a Tuesday\n\nAgreed.", parent_id=grace)["id"]
    approve(db, sam)
    site = store.add_comment(db, thread=ARTICLE, author="Touch Base", body="Thanks, both.",
                             body_html="<p>Thanks, both.</p>", status=store.APPROVED,
                             parent_id=sam, depth=2, by_moderator=True)
    service.site.rebuild()
    return {"Grace": grace, "Sam <b>": sam, "Touch Base": site}


def open_article(browser, service, *, javascript: bool = True, api: str = "up"):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    if api == "down":
        page.route("**/api/**", lambda route: route.abort())
    page.add_init_script(COUNT_REFRESHES)
    page.goto(f"{service.url}/{ARTICLE}/")
    if javascript:
        page.wait_for_function("() => window.refreshes > 0")
    return context, page


def shown_list(page) -> dict:
    thread = page.locator("#comment-thread")
    return {
        "markup": thread.inner_html(),
        "text": thread.inner_text(),
        "heading": page.locator("#comments-title").inner_text(),
        "dates": page.locator("#comment-thread time").all_inner_texts(),
        "badges": page.locator("#comment-thread header").evaluate_all(
            "hs => hs.map(h => Array.from(h.children, c => c.className || c.tagName).join(' '))"),
    }


def test_the_list_looks_the_same_before_and_after_the_widget_runs(browser, service, thread, shot):
    context, page = open_article(browser, service, javascript=False)
    baked = shown_list(page)
    context.close()
    assert baked["heading"] == "Comments (3)"
    assert all(ONE_DATE_FORMAT.match(date) for date in baked["dates"]) and len(baked["dates"]) == 3
    assert baked["badges"] == ["comment-author TIME", "comment-author TIME", "comment-author badge TIME"]

    with_widget = browser.new_context()
    page = with_widget.new_page()
    page.add_init_script(COUNT_REFRESHES)
    with page.expect_response(lambda r: r.url.endswith(f"/api/threads/{ARTICLE}/comments.html")) as swapped:
        page.goto(f"{service.url}/{ARTICLE}/")
    assert swapped.value.status == 200
    page.wait_for_function("() => window.refreshes > 0")
    shot(page, "after-the-widget-refresh")
    assert shown_list(page) == baked
    with_widget.close()


@pytest.mark.parametrize("javascript, api", [(True, "up"), (True, "down"), (False, "up")])
def test_each_comment_has_exactly_one_reply_control(browser, service, thread, shot, javascript, api):
    context, page = open_article(browser, service, javascript=javascript, api=api)
    shot(page, f"thread-javascript-{javascript}-api-{api}")
    for name, comment_id in thread.items():
        own = page.locator(f"#c{comment_id} > article")
        expect(own.get_by_role("link", name=re.compile("^Reply"))).to_have_count(1)
        expect(own.get_by_role("link", name=re.compile("^Reply"))).to_have_accessible_name(f"Reply to {name}")
    expect(page.get_by_role("link", name=re.compile("^Reply"))).to_have_count(len(thread))
    expect(page.get_by_role("button", name=re.compile("Reply"))).to_have_count(0)
    if not javascript:
        return
    # The link moves the form under the comment instead of leaving the page, API or not.
    page.get_by_role("link", name="Reply to Sam <b>").click()
    expect(page.get_by_text("Replying to Sam <b>")).to_be_visible()
    expect(page.locator(f"#c{thread['Sam <b>']} > #comment-form")).to_have_count(1)
    expect(page.get_by_label("Comment", exact=True)).to_be_focused()
    assert page.url == f"{service.url}/{ARTICLE}/"
    page.get_by_role("button", name="Cancel reply").click()
    expect(page.get_by_role("link", name="Reply to Sam <b>")).to_be_focused()
    expect(page.locator("#comment-thread #comment-form")).to_have_count(0)
    context.close()


def test_an_own_pending_comment_reads_like_the_others_with_edit_and_delete(browser, service, thread, shot):
    context, page = open_article(browser, service)
    page.get_by_label("Name").fill("Lin")
    page.get_by_label("Comment", exact=True).fill("Held for now.")
    page.get_by_role("button", name="Post comment").click()
    mine = page.locator("li.comment.pending", has_text="Held for now.")
    expect(mine).to_contain_text("Awaiting moderation")
    shot(page, "own-pending-comment")
    assert ONE_DATE_FORMAT.match(mine.locator("time").inner_text())
    expect(mine.get_by_role("button", name="Edit")).to_have_count(1)
    expect(mine.get_by_role("button", name="Delete")).to_have_count(1)
    expect(mine.get_by_role("link", name=re.compile("^Reply"))).to_have_count(0)
    expect(page.get_by_role("heading", name="Comments (3)")).to_be_visible()
    # After a reload it comes from the service's /mine, placed and marked the same way.
    page.reload()
    page.wait_for_function("() => window.refreshes > 0")
    expect(mine.get_by_role("button", name="Edit")).to_have_count(1)
    context.close()


@pytest.mark.parametrize("slug", [ARTICLE, "warm-vs-cold-leads"])
def test_the_build_bakes_the_bytes_the_service_serves(service, thread, slug):
    page = (service.site.output / slug / "index.html").read_text(encoding="utf-8")
    (baked,) = THREAD_DIV.findall(page)
    served = requests.get(f"{service.url}/api/threads/{slug}/comments.html", timeout=10)
    assert served.status_code == 200
    assert served.text == baked
    assert ("reply-link" in baked) == (slug == ARTICLE)
