"""Shared fixtures: a real SQLite file, a real manifest, a real HTTP server on a free port."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from comments_service import create_app, store
from comments_service.threads import write_manifest

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-secret-key-not-for-production"

# Threads the tests' sites have: one open, one open for replies, one closed by metadata,
# one closed by age.
THREADS = [
    {"slug": "say-hello", "title": "Say hello", "url": "/say-hello/",
     "date": "2026-11-01T09:00:00+00:00", "open": True},
    {"slug": "second-post", "title": "Second <post>", "url": "/second-post/",
     "date": "2026-10-01T09:00:00+00:00", "open": True},
    {"slug": "closed-post", "title": "Closed", "url": "/closed-post/",
     "date": "2026-09-01T09:00:00+00:00", "open": False},
    {"slug": "old-post", "title": "Old", "url": "/old-post/",
     "date": "2020-01-01T09:00:00+00:00", "open": True,
     "closes_at": "2020-02-01T09:00:00+00:00"},
]


@pytest.fixture
def site_dir(tmp_path):
    site = tmp_path / "output"
    write_manifest(site, THREADS)
    (site / "say-hello").mkdir()
    (site / "say-hello" / "index.html").write_text("<!doctype html><title>Say hello</title>")
    return site


class Clock:
    """The app's clock in tests: real time plus however far the test has moved it."""

    def __init__(self):
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return store.utcnow() + self.offset

    def advance(self, **delta) -> None:
        """Move time on (timedelta's keywords: seconds=, minutes=, hours=, days=)."""
        self.offset += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app_config(tmp_path, site_dir, clock):
    return {
        "CLOCK": clock,
        "TESTING": True,
        "DATABASE": str(tmp_path / "var" / "comments.db"),
        "SITE_DIR": str(site_dir),
        "SECRET_KEY": SECRET,
        # Tests post many comments from one address; tests/test_spam*.py turn the limit on.
        "RATE_LIMIT_ENABLED": False,
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    store.migrate(store.open_db(app.config["DATABASE"]))
    return app


@pytest.fixture
def db(app):
    """A second connection to the app's database file, as another process would have."""
    database = store.open_db(app.config["DATABASE"])
    yield database
    database.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def session(self) -> requests.Session:
        """A reader's browser: keeps its cookies."""
        return requests.Session()

    def post_comment(self, session, slug="say-hello", **fields):
        data = {"author": "Ada", "body": "A thoughtful comment."}
        data.update(fields)
        return session.post(f"{self.url}/api/threads/{slug}/comments", json=data)


@pytest.fixture
def live(app):
    server = LiveServer(app)
    server.thread.start()
    yield server
    server.server.shutdown()
    server.thread.join(5)


def approve(db, comment_id):
    """Approve through the storage layer (the moderation form comes later)."""
    store.set_status(db, comment_id, store.APPROVED)

