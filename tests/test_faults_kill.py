"""`kill -9` of the server in the middle of writes, then a restart: nothing acknowledged is lost."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from comments_service import store

from .conftest import THREADS
from .e2e.conftest import record_result
from .e2e.server import ServiceProcess, Site
from .test_faults_concurrency import RELAXED_LIMITS

WRITERS = 8


class Writers:
    """Readers posting as fast as they can until the server goes away."""

    def __init__(self, url: str):
        self.url = url
        self.acknowledged: dict[int, str] = {}
        self.server_errors: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.write, args=(n,), daemon=True) for n in range(WRITERS)]

    def write(self, writer: int) -> None:
        session = requests.Session()
        for number in range(10_000):
            body = f"Writer {writer}, comment {number}"
            try:
                response = session.post(f"{self.url}/api/threads/say-hello/comments",
                                        json={"author": "Kill test", "body": body}, timeout=10)
            except requests.RequestException:
                return  # the server is gone: whatever was not acknowledged may be lost
            with self.lock:
                if response.status_code == 201:
                    self.acknowledged[response.json()["id"]] = body
                elif response.status_code >= 500:
                    self.server_errors.append(response.text)

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(30)


@pytest.mark.parametrize("workers", [0, 2], ids=["comments-serve", "gunicorn-2-workers"])
def test_a_server_killed_during_writes_restarts_with_every_acknowledged_comment(tmp_path, workers):
    site = Site(tmp_path, threads=THREADS)
    server = ServiceProcess(site, gunicorn_workers=workers, env=RELAXED_LIMITS).start()
    writers = Writers(server.url)
    writers.start()
    deadline = time.monotonic() + 20
    while len(writers.acknowledged) < 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill_hard()
    writers.join()
    assert len(writers.acknowledged) >= 200
    assert writers.server_errors == []

    db = store.open_db(site.database)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {row["id"]: row["body"] for row in db.query("SELECT id, body FROM comments")}
    db.close()
    missing = {i: b for i, b in writers.acknowledged.items() if stored.get(i) != b}
    assert missing == {}
    record_result("faults", f"kill_9_{'gunicorn' if workers else 'serve'}",
                  {"acknowledged_before_kill": len(writers.acknowledged), "stored_after_restart": len(stored)})

    with ServiceProcess(site, gunicorn_workers=workers, env=RELAXED_LIMITS) as again:
        assert requests.get(f"{again.url}/healthz").json() == {"status": "ok"}
        after = requests.post(f"{again.url}/api/threads/say-hello/comments",
                              json={"author": "After", "body": "After the restart"})
        assert after.status_code == 201
        assert after.json()["id"] not in writers.acknowledged
