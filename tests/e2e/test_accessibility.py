"""axe-core finds no serious or critical problem on the pages readers and moderators use."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .axe import blocking, run_axe, summary
from .conftest import ARTICLE, add_moderator, approve, log_in, post, record_result


@pytest.fixture
def axe_page(browser):
    # axe is injected as a script tag: let it past our own CSP, which forbids inline script.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def check(page, name: str, shot) -> None:
    violations = run_axe(page)
    shot(page, name)
    record_result("axe", name, {"violations": summary(violations), "rules": [v["id"] for v in violations]})
    assert blocking(violations) == [], blocking(violations)


def test_home_page_has_no_serious_accessibility_violations(service, db, axe_page, shot):
    approve(db, post(service)["id"])
    axe_page.goto(f"{service.url}/")
    expect(axe_page.get_by_text("1 comment").first).to_be_visible()
    check(axe_page, "home", shot)


def test_article_with_comments_has_no_serious_accessibility_violations(service, db, axe_page, shot):
    top = post(service, author="Grace", website="https://grace.example",
               body="A *thread* with a [link](https://example.com) and `code`.")["id"]
    approve(db, top)
    approve(db, post(service, author="Sam", body="> quoted\n\n- a list", parent_id=top)["id"])
    axe_page.goto(f"{service.url}/{ARTICLE}/")
    axe_page.get_by_label("Name").fill("Lin")
    axe_page.get_by_label("Comment", exact=True).fill("Mine, awaiting moderation.")
    axe_page.get_by_role("button", name="Post comment").click()
    expect(axe_page.get_by_text("Awaiting moderation", exact=True)).to_be_visible()
    axe_page.get_by_role("link", name="Reply to Sam").click()
    expect(axe_page.get_by_text("Replying to Sam")).to_be_visible()
    check(axe_page, "article-with-comments", shot)


def test_moderator_login_page_has_no_serious_accessibility_violations(service, axe_page, shot):
    axe_page.goto(f"{service.url}/moderate/login")
    expect(axe_page.get_by_role("button", name="Log in")).to_be_visible()
    check(axe_page, "moderator-login", shot)


def test_moderation_queue_has_no_serious_accessibility_violations(service, db, axe_page, shot):
    top = post(service, author="Grace", email="grace@example.com", website="https://grace.example",
               body="Worth a *read*: https://example.com/etiquette")["id"]
    approve(db, top)
    post(service, author="Sam", body="> quoted\n\nA reply that waits", parent_id=top)
    post(service, author="Cheap Leads", body="Buy leads now")
    add_moderator(service)
    log_in(axe_page, service)
    axe_page.get_by_label("Select comment 3 by Cheap Leads").check()
    axe_page.get_by_role("button", name="Mark selected as spam").click()
    expect(axe_page.get_by_role("status")).to_contain_text("spam")
    check(axe_page, "moderation-queue", shot)
