"""Browser fixtures: Debian's Chromium driven by Playwright, and the real service in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from comments_service import store

from ..test_site_build import ROOT
from .server import Site, ServiceProcess

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTICLE = "say-hello-call"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}. Install Debian's package: apt-get install chromium "
            "(or set CHROMIUM=/path/to/chromium)."
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site_template(tmp_path_factory):
    """The real site built once; each test serves its own copy of it."""
    return Site(tmp_path_factory.mktemp("site-template")).output


@pytest.fixture
def site(tmp_path, site_template):
    return Site(tmp_path, site_template)


@pytest.fixture
def service(site):
    """`comments serve` on a free port, with a fresh database, as `make run` starts it."""
    with ServiceProcess(site) as server:
        yield server


@pytest.fixture
def db(service):
    database = store.open_db(service.site.database)
    yield database
    database.close()


class Screenshots:
    """Numbered screenshots of each step, kept under test-artifacts/ for CI to upload."""

    def __init__(self, name: str):
        self.folder = ARTIFACTS / "e2e" / re.sub(r"[^\w.-]+", "_", name)
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page, step: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{step}.png"), full_page=True)


@pytest.fixture
def shot(request):
    return Screenshots(request.node.name)


@pytest.fixture
def context(browser):
    ctx = browser.new_context()
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def post(service, slug=ARTICLE, **fields) -> dict:
    """A comment posted through the public API, as another reader would."""
    data = {"author": "Ada", "body": "A comment."}
    data.update(fields)
    response = requests.post(f"{service.url}/api/threads/{slug}/comments", json=data, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def approve(db, comment_id: int) -> None:
    store.set_status(db, comment_id, store.APPROVED)


def record_result(kind: str, key: str, value) -> None:
    """Figures for the closing note (axe results, XSS strings tried, ...) in one JSON file."""
    path = ARTIFACTS / "figures.json"
    ARTIFACTS.mkdir(exist_ok=True)
    figures = json.loads(path.read_text()) if path.exists() else {}
    figures.setdefault(kind, {})[key] = value
    path.write_text(json.dumps(figures, indent=2, sort_keys=True))


MODERATOR, PASSWORD = "mara", "a long moderator passphrase"


def add_moderator(service, name: str = MODERATOR, password: str = PASSWORD) -> None:
    """The operator's way: `comments moderator add NAME --password-stdin`."""
    added = subprocess.run(
        [sys.executable, "-m", "comments_service.cli", "moderator", "add", name, "--password-stdin"],
        input=password + "\n", capture_output=True, text=True, env=service.env, cwd=ROOT, timeout=60,
    )
    assert added.returncode == 0, added.stderr


def log_in(page, service, name: str = MODERATOR, password: str = PASSWORD) -> None:
    page.goto(f"{service.url}/moderate/")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Pending comments")).to_be_visible()
