"""A full or read-only disk: a clear 503, nothing half-written, and recovery once the disk is back.

Three ways to take the disk away, by what the machine allows:
- a full disk: the database on a tiny tmpfs, filled up (needs permission to mount);
- a disk remounted read-only under the running server (needs permission to mount);
- a database the server's user may not write: files owned by root and the server run as
  `nobody` (as root: root ignores file permissions), or files made read-only (as anyone else).
The last one needs no privilege, so a read-only database is always exercised.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests

from comments_service import store

from .conftest import THREADS
from .e2e.conftest import record_result
from .e2e.server import ServiceProcess, Site

POST_URL = "/api/threads/say-hello/comments"
BIG_BODY = "A long comment to fill the disk quickly. " * 200  # about 8 KB


def post(server, body: str, **kwargs):
    return requests.post(server.url + POST_URL, json={"author": "Disk test", "body": body}, timeout=15, **kwargs)


def assert_clear_503(response) -> None:
    assert response.status_code == 503, (response.status_code, response.text)
    message = response.json()["error"] if response.headers["Content-Type"].startswith("application/json") else response.text
    assert "try again" in message and ("storage" in message or "disk" in message), message
    assert "Traceback" not in response.text


def assert_clear_503_page(server) -> None:
    """The plain HTML form post gets a page saying the same, with the reader's text kept."""
    response = requests.post(server.url + POST_URL, data={"author": "Plain form", "body": "Keep my words"},
                             headers={"Accept": "text/html"}, allow_redirects=False, timeout=15)
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/html")
    assert "try again" in response.text and "Keep my words" in response.text


def stored_bodies(database: Path) -> dict[int, str]:
    db = store.open_db(database)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = {row["id"]: row["body"] for row in db.query("SELECT id, body FROM comments")}
    db.close()
    return rows


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs of our own; skipped, saying why, where mounting is not allowed."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = run("mount", "-t", "tmpfs", "-o", "size=3m,mode=0755", "tmpfs", str(mount_point))
    if mounted.returncode != 0:
        pytest.skip(
            "this machine does not let the tests mount a tmpfs (needs root with CAP_SYS_ADMIN): "
            f"{mounted.stderr.strip()}. The read-only database test runs without it."
        )
    yield mount_point
    run("mount", "-o", "remount,rw", str(mount_point))
    if run("umount", str(mount_point)).returncode != 0:
        run("umount", "-l", str(mount_point))


@pytest.fixture
def server_on_small_disk(tmp_path, small_disk):
    site = Site(tmp_path / "site", threads=THREADS, database=small_disk / "comments.db")
    with ServiceProcess(site, log=tmp_path / "server.log") as server:
        yield server


def fill(folder: Path) -> Path:
    """Write a file until the disk has no room left."""
    filler = folder / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    try:
        with open(folder / "last-bytes", "wb") as handle:
            while True:
                handle.write(b"\0" * 512)
                handle.flush()
    except OSError:
        pass
    return filler


def test_a_full_disk_answers_503_stores_nothing_half_written_and_recovers(server_on_small_disk, small_disk):
    server = server_on_small_disk
    acknowledged = {post(server, f"Before the disk fills {n}").json()["id"]: f"Before the disk fills {n}" for n in range(3)}
    filler = fill(small_disk)

    refused = None
    for number in range(200):
        body = f"{number} {BIG_BODY}"
        response = post(server, body)
        if response.status_code == 201:
            acknowledged[response.json()["id"]] = body.strip()
        else:
            refused = response
            break
    assert refused is not None, "the disk never filled up"
    assert_clear_503(refused)
    assert_clear_503_page(server)
    record_result("faults", "full_disk", {"acknowledged_before_full": len(acknowledged), "then": 503})
    assert requests.get(server.url + "/api/threads/say-hello/comments").status_code == 200  # reads still work
    assert stored_bodies(server.site.database) == acknowledged

    filler.unlink()
    (small_disk / "last-bytes").unlink()
    again = post(server, "After space came back")
    assert again.status_code == 201
    acknowledged[again.json()["id"]] = "After space came back"
    assert stored_bodies(server.site.database) == acknowledged


def test_a_read_only_disk_answers_503_and_the_database_is_intact_when_it_comes_back(tmp_path, small_disk):
    # Linux refuses to remount a disk read-only while a file on it is open for writing, so the
    # server is stopped, the disk remounted read-only, and the server started again on it.
    site = Site(tmp_path / "site", threads=THREADS, database=small_disk / "comments.db")
    with ServiceProcess(site, log=tmp_path / "server.log") as server:
        first = post(server, "Before the disk went read-only")
        assert first.status_code == 201
    assert run("mount", "-o", "remount,ro", str(small_disk)).returncode == 0
    try:
        with ServiceProcess(site, gunicorn_workers=1, migrate=False, log=tmp_path / "server.log") as server:
            assert_clear_503(post(server, "While the disk is read-only"))
            assert_clear_503_page(server)
            listed = requests.get(server.url + "/api/threads/say-hello/comments")
            assert listed.status_code == 200 or (assert_clear_503(listed) is None)
            record_result("faults", "read_only_disk", {"write": 503, "read": listed.status_code})
    finally:
        assert run("mount", "-o", "remount,rw", str(small_disk)).returncode == 0
    assert stored_bodies(site.database) == {first.json()["id"]: "Before the disk went read-only"}


@pytest.fixture
def read_only_database():
    """A migrated database with one comment that the server's user cannot write."""
    folder = Path(tempfile.mkdtemp(prefix="touch-base-ro-"))
    os.chmod(folder, 0o755)
    site = Site(folder, threads=THREADS)
    db = store.open_db(site.database)
    store.migrate(db)
    store.add_comment(db, thread="say-hello", author="Ada", body="Already here", body_html="<p>Already here</p>",
                      status=store.APPROVED)
    db.close()
    for path in [site.database.parent, *site.database.parent.iterdir(), folder, site.output,
                 *site.output.iterdir()]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    user = None
    if os.geteuid() == 0:
        user = "65534"  # nobody: as root, file permissions would not stop us
        probe = run("setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups",
                    str(Path(os.sys.executable)), "-c", "import comments_service")
        if probe.returncode != 0:
            shutil.rmtree(folder)
            pytest.skip(f"the user nobody cannot run this checkout's Python ({probe.stderr.strip()[-200:]})")
    else:
        for path in [site.database.parent, *site.database.parent.iterdir()]:
            os.chmod(path, 0o555 if path.is_dir() else 0o444)
    yield site, user
    for path in [site.database.parent, *site.database.parent.iterdir()]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    shutil.rmtree(folder)


def test_a_database_the_server_may_not_write_answers_503_and_keeps_what_it_had(read_only_database, tmp_path):
    site, user = read_only_database
    server = ServiceProcess(site, gunicorn_workers=1, user=user, migrate=False, log=tmp_path / "server.log")
    server.env["HOME"] = str(site.folder)
    with server:
        response = post(server, "Into a read-only database")
        assert_clear_503(response)
        assert_clear_503_page(server)
        listed = requests.get(server.url + "/api/threads/say-hello/comments")
        assert listed.status_code in (200, 503)
        if listed.status_code == 503:
            assert_clear_503(listed)
        record_result("faults", "read_only_database", {"user": user or "owner", "write": 503, "read": listed.status_code})
        assert "Traceback" not in server.log()
    assert list(stored_bodies(site.database).values()) == ["Already here"]
