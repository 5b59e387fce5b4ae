"""Stored XSS, in a real browser: attack strings as body, name, website and email, approved, then shown.

Each string is posted through the public API once per field, approved, and read back where
people meet it: the widget, the baked article page after a rebuild, the Atom feeds, and the
moderation queue (with a pending reply under each, which quotes its parent). Pages are opened
twice: with our CSP as served (nothing may even try to run) and with CSP bypassed (so the
sanitizer and the templates alone must hold).
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
import requests

from comments_service import store
from comments_service.domain.comments import FEED_LENGTH
from comments_service.moderation import PAGE_SIZE as QUEUE_PAGE_SIZE
from comments_service.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

from ..xss_payloads import all_payloads
from .conftest import add_moderator, log_in, record_result
from .server import ServiceProcess, Site
from .xss_watch import Watch, is_clean, scan_markup

PAYLOADS = all_payloads()
ALLOWED = {"tags": sorted(ALLOWED_TAGS), "attributes": {t: list(a) for t, a in ALLOWED_ATTRIBUTES.items()}}
# One thread per field, so a finding points at the field that carried it.
THREADS = {"body": "say-hello-call", "author": "stop-just-checking-in", "website": "call-again-no-callback",
           "email": "warm-vs-cold-leads"}
ATOM = "{http://www.w3.org/2005/Atom}"


def submission(field: str, number: int, payload: str) -> dict:
    data = {"author": f"Attacker {number}", "body": f"Payload {number} in the {field} field."}
    # Emails must look like name@host.tld: the payload is the name part (shown to moderators only).
    data[field] = "".join(payload.split()) + "@example.com" if field == "email" else payload
    return data


class Attack:
    """A service holding every payload, approved, with what the API accepted and refused."""

    def __init__(self, service: ServiceProcess):
        self.service = service
        self.accepted: dict[str, list[int]] = {field: [] for field in THREADS}
        self.refused: dict[str, list[str]] = {field: [] for field in THREADS}
        self.feed_problems: list[str] = []
        self.feed_entries = 0
        self.pending_replies = 0
        self.rebuilt = False

    def post_everything(self) -> None:
        db = store.open_db(self.service.site.database)
        for field, slug in THREADS.items():
            url = f"{self.service.url}/api/threads/{slug}/comments"
            # Approve in batches no longer than a feed, and read the feeds after each batch,
            # so every accepted payload passes through the feeds once.
            for start in range(0, len(PAYLOADS), FEED_LENGTH):
                batch = []
                for number, payload in enumerate(PAYLOADS[start:start + FEED_LENGTH], start):
                    answer = requests.post(url, json=submission(field, number, payload), timeout=10)
                    assert answer.status_code in (201, 400), (field, payload, answer.status_code, answer.text)
                    if answer.status_code == 201:
                        batch.append(answer.json()["id"])
                    else:
                        assert field in answer.json()["fields"], answer.text
                        self.refused[field].append(payload)
                for comment_id in batch:
                    store.set_status(db, comment_id, store.APPROVED)
                self.accepted[field] += batch
                self.read_feeds(slug, len(batch))
        db.close()
        # A pending reply to each published payload: the queue shows the parent's name and text.
        for field in ("body", "author"):
            url = f"{self.service.url}/api/threads/{THREADS[field]}/comments"
            for parent in self.accepted[field]:
                answer = requests.post(url, json={"author": "Replier", "body": "A reply", "parent_id": parent}, timeout=10)
                assert answer.status_code == 201, answer.text
                self.pending_replies += 1

    def read_feeds(self, slug: str, expected: int) -> None:
        for path in (f"/api/threads/{slug}/feed.atom", "/api/feed.atom"):
            answer = requests.get(self.service.url + path, timeout=10)
            assert answer.status_code == 200
            feed = ET.fromstring(answer.content)  # well-formed XML, whatever the payloads
            entries = feed.findall(f"{ATOM}entry")
            assert len(entries) >= min(expected, FEED_LENGTH)
            self.feed_entries += len(entries)
            for entry in entries:
                self.feed_problems += check_entry(entry)

    def rebuild_once(self) -> None:
        if not self.rebuilt:
            self.service.site.rebuild()
            self.rebuilt = True


def check_entry(entry) -> list[str]:
    problems = []
    content = entry.find(f"{ATOM}content")
    if content.get("type") != "html":
        problems.append(f"content type {content.get('type')}")
    problems += scan_markup(content.text or "", ALLOWED)
    for element in entry.iter():
        if element.get("type") in ("html", "xhtml") and element is not content:
            problems.append(f"{element.tag} declared as markup")
    uri = entry.find(f"{ATOM}author/{ATOM}uri")
    if uri is not None and not uri.text.lower().startswith(("http://", "https://")):
        problems.append(f"author uri {uri.text!r}")
    return problems


@pytest.fixture(scope="module")
def attack(tmp_path_factory, site_template):
    site = Site(tmp_path_factory.mktemp("xss"), site_template)
    # Hundreds of posts from one address: the rate limit would (rightly) refuse most of them.
    with ServiceProcess(site, env={"COMMENTS_RATE_LIMIT_ENABLED": "false"}) as service:
        attack = Attack(service)
        attack.post_everything()
        add_moderator(service)
        record_result("xss", "strings", len(PAYLOADS))
        record_result("xss", "accepted", {f: len(ids) for f, ids in attack.accepted.items()})
        record_result("xss", "refused_by_validation", {f: len(p) for f, p in attack.refused.items()})
        yield attack


def open_thread(browser, attack, slug, *, csp: str, widget: bool):
    context = browser.new_context(bypass_csp=(csp == "bypassed"))
    page = context.new_page()
    watch = Watch(page)
    if not widget:
        page.route("**/theme/js/comments.js", lambda route: route.abort())
    page.goto(f"{attack.service.url}/{slug}/")
    return context, page, watch


def test_every_attack_string_was_tried_in_every_field(attack):
    assert len(PAYLOADS) >= 100
    assert len(attack.accepted["body"]) == len(PAYLOADS)
    # Names are refused only when empty or too long; websites only when they are not web addresses.
    assert all(not 1 <= len(" ".join(p.split())) <= 80 for p in attack.refused["author"])
    assert attack.accepted["website"] and attack.refused["website"]
    assert len(attack.accepted["email"]) + len(attack.refused["email"]) == len(PAYLOADS)


@pytest.mark.parametrize("csp", ["enforced", "bypassed"])
@pytest.mark.parametrize("field", list(THREADS))
def test_the_widget_runs_no_attack_string(browser, attack, field, csp):
    context, page, watch = open_thread(browser, attack, THREADS[field], csp=csp, widget=True)
    comments = page.locator("#comment-thread li.comment")
    page.wait_for_function(
        "n => document.querySelectorAll('#comment-thread li.comment').length === n",
        arg=len(attack.accepted[field]),
    )
    assert comments.count() == len(attack.accepted[field])
    problems = watch.problems(ALLOWED)
    context.close()
    assert is_clean(problems), problems


@pytest.mark.parametrize("csp", ["enforced", "bypassed"])
@pytest.mark.parametrize("field", list(THREADS))
def test_the_baked_article_page_runs_no_attack_string(browser, attack, field, csp):
    attack.rebuild_once()
    context, page, watch = open_thread(browser, attack, THREADS[field], csp=csp, widget=False)
    assert page.locator("#comment-thread li.comment").count() == len(attack.accepted[field])
    problems = watch.problems(ALLOWED)
    context.close()
    assert is_clean(problems), problems


def test_emails_are_never_published(browser, attack):
    context, page, _ = open_thread(browser, attack, THREADS["email"], csp="enforced", widget=True)
    page.wait_for_function("n => document.querySelectorAll('#comment-thread li.comment').length === n",
                           arg=len(attack.accepted["email"]))
    assert "@example.com" not in page.content()
    context.close()
    attack.rebuild_once()
    assert "@example.com" not in (attack.service.site.output / THREADS["email"] / "index.html").read_text()


@pytest.mark.parametrize("csp", ["enforced", "bypassed"])
def test_the_moderation_queue_runs_no_attack_string(browser, attack, csp):
    context = browser.new_context(bypass_csp=(csp == "bypassed"))
    page = context.new_page()
    watch = Watch(page)
    log_in(page, attack.service)
    shown, problems = {}, {}
    expected = {"pending": attack.pending_replies, "approved": sum(len(ids) for ids in attack.accepted.values())}
    for status, total in expected.items():
        shown[status] = 0
        for number in range(1, -(-total // QUEUE_PAGE_SIZE) + 1):
            page.goto(f"{attack.service.url}/moderate/?status={status}&page={number}")
            shown[status] += page.locator("ol.queue > li").count()
            found = watch.problems(ALLOWED, settle_ms=100)
            if not is_clean(found):
                problems[f"{status} page {number}"] = {kind: items for kind, items in found.items() if items}
    context.close()
    record_result("xss", "moderation_queue_rows_checked", shown)
    assert shown == expected
    assert problems == {}


def test_the_feeds_carry_no_executable_markup(attack):
    assert attack.feed_entries >= sum(len(ids) for ids in attack.accepted.values())
    record_result("xss", "feed_entries_checked", attack.feed_entries)
    assert attack.feed_problems == []


def test_feed_entries_shown_as_html_run_nothing(browser, attack):
    """What a feed reader that trusts our HTML would show: every entry's content in one page."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    watch = Watch(page)
    bodies = []
    for slug in THREADS.values():
        feed = ET.fromstring(requests.get(f"{attack.service.url}/api/threads/{slug}/feed.atom", timeout=10).content)
        bodies += [
            f'<div class="comment-body">{entry.find(f"{ATOM}content").text}</div>'
            for entry in feed.findall(f"{ATOM}entry")
        ]
    page.set_content("<!doctype html><title>feed</title>" + "".join(bodies))
    problems = watch.problems(ALLOWED)
    context.close()
    assert is_clean(problems), problems
