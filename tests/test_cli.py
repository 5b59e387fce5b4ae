"""The `comments` command, run as a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from comments_service import store

from .test_site_build import ROOT, build

COMMENTS = [sys.executable, "-m", "comments_service.cli"]


def run(*args, env=None, input=None):
    return subprocess.run(
        [*COMMENTS, *args], capture_output=True, text=True, env=env, input=input, timeout=60
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("served")
    output, _ = build(tmp, ROOT / "content")
    return tmp, output


@pytest.fixture
def env(tmp_path, built_site):
    _, output = built_site
    environment = dict(os.environ)
    environment.update(
        COMMENTS_DATABASE=str(tmp_path / "var" / "comments.db"),
        COMMENTS_SITE_DIR=str(output),
    )
    environment.pop("COMMENTS_SECRET_KEY", None)
    return environment


def test_init_creates_the_database_and_a_secret_key_outside_git(tmp_path, env):
    result = run("init", env=env)
    assert result.returncode == 0, result.stderr
    assert "applied 0001_create_comments" in result.stdout
    database = Path(env["COMMENTS_DATABASE"])
    assert database.is_file()
    key = database.parent / "secret_key"
    assert key.is_file() and oct(key.stat().st_mode & 0o777) == "0o600"
    db = store.open_db(database)
    assert db.journal_mode == "wal"
    assert "comments" in db.table_names()
    again = run("init", env=env)
    assert "up to date" in again.stdout


def test_threads_lists_the_sites_threads_with_counts(env):
    run("init", env=env)
    db = store.open_db(env["COMMENTS_DATABASE"])
    store.add_comment(db, thread="warm-vs-cold-leads", author="A", body="b", body_html="<p>b</p>",
                      status=store.APPROVED)
    result = run("threads", env=env)
    assert result.returncode == 0, result.stderr
    line = next(l for l in result.stdout.splitlines() if l.startswith("warm-vs-cold-leads"))
    assert line.split()[1:] == ["yes", "1", "0", "0"]


def test_threads_without_a_build_says_what_to_do(tmp_path, env):
    env["COMMENTS_SITE_DIR"] = str(tmp_path / "nowhere")
    result = run("threads", env=env)
    assert result.returncode != 0
    assert "make html" in result.stderr


def test_serve_gives_the_site_and_a_working_plain_comment_form(env):
    port = free_port()
    server = subprocess.Popen(
        [*COMMENTS, "serve", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        page = requests.get(f"{base}/say-hello-call/")
        assert page.status_code == 200
        assert 'action="/api/threads/say-hello-call/comments"' in page.text
        assert requests.get(f"{base}/theme/js/comments.js").status_code == 200
        assert requests.get(f"{base}/no-such-page/").status_code == 404
        posted = requests.post(
            f"{base}/api/threads/say-hello-call/comments",
            data={"author": "Reader", "body": "Posted from the plain form", "email": "", "website": ""},
            headers={"Accept": "text/html"}, allow_redirects=False,
        )
        assert posted.status_code == 303
        assert posted.headers["Location"] == "/say-hello-call/#comment-posted"
        rows = list(store.open_db(env["COMMENTS_DATABASE"])["comments"].rows)
        assert [(r["author"], r["status"]) for r in rows] == [("Reader", "pending")]
    finally:
        server.terminate()
        server.wait(10)
