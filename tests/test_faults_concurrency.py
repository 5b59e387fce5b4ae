"""Many readers posting at once, against gunicorn with two workers: nothing lost, nothing doubled."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from comments_service import store

from .conftest import THREADS
from .e2e.conftest import record_result
from .e2e.server import ServiceProcess, Site

WRITERS = 50
COMMENTS_EACH = 20
SLUGS = ["say-hello", "second-post"]
# Fifty writers share one address: lift the per-client rate limit for this test only.
RELAXED_LIMITS = {"COMMENTS_RATE_LIMIT_ENABLED": "false"}


@pytest.fixture
def gunicorn(tmp_path):
    site = Site(tmp_path, threads=THREADS)
    with ServiceProcess(site, gunicorn_workers=2, env=RELAXED_LIMITS) as server:
        yield server


def write(url: str, writer: int) -> list[tuple[int, int | None, str]]:
    """One reader posting COMMENTS_EACH comments in a row: (status, id, body) for each."""
    answers = []
    with requests.Session() as session:
        for number in range(COMMENTS_EACH):
            body = f"Writer {writer}, comment {number}: {uuid.uuid4()}"
            slug = SLUGS[number % len(SLUGS)]
            response = session.post(f"{url}/api/threads/{slug}/comments",
                                     json={"author": f"Writer {writer}", "body": body}, timeout=60)
            created = response.json().get("id") if response.status_code == 201 else None
            answers.append((response.status_code, created, body))
    return answers


def test_fifty_concurrent_writers_get_every_comment_stored_exactly_once(gunicorn):
    with ThreadPoolExecutor(WRITERS) as pool:
        results = [a for batch in pool.map(lambda w: write(gunicorn.url, w), range(WRITERS)) for a in batch]
    statuses = {}
    for status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    acknowledged = {comment_id: body for status, comment_id, body in results if status == 201}
    record_result("faults", "concurrent_writes", {"attempted": len(results), "statuses": statuses})

    assert not [s for s in statuses if s >= 500], statuses
    assert statuses == {201: WRITERS * COMMENTS_EACH}, statuses
    assert len(acknowledged) == WRITERS * COMMENTS_EACH  # no id handed out twice

    db = store.open_db(gunicorn.site.database)
    rows = list(db.query("SELECT id, body FROM comments"))
    assert len(rows) == len(acknowledged)
    assert {row["id"]: row["body"] for row in rows} == acknowledged
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
