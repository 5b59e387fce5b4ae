"""The comment service as a real process on a free port, as readers and operators meet it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from comments_service import store
from comments_service.threads import write_manifest

from ..test_site_build import ROOT, build

SECRET = "e2e-secret-key-not-for-production"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """A built copy of the real site in a folder of its own, rebuilt on demand with the database.

    With `threads`, only the thread manifest is written (no pages): enough for API-only tests.
    """

    def __init__(self, folder: Path, template: Path | None = None, *, database: Path | None = None,
                 threads: list[dict] | None = None):
        self.folder = folder
        self.output = folder / "output"
        self.database = database or folder / "var" / "comments.db"
        if threads is not None:
            write_manifest(self.output, threads)
        elif template is not None:
            shutil.copytree(template, self.output)
        else:
            self.rebuild()

    def rebuild(self) -> None:
        """Build the site again: approved comments get baked into the article pages."""
        build(self.folder, ROOT / "content", self.database)


class ServiceProcess:
    """`comments serve` (the development server) or gunicorn, started in a subprocess."""

    def __init__(self, site: Site, *, gunicorn_workers: int = 0, env: dict | None = None,
                 log: Path | None = None, user: str | None = None, migrate: bool = True):
        self.site = site
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.gunicorn_workers = gunicorn_workers
        self.log_path = log or site.folder / f"server-{self.port}.log"
        self.user = user
        self.migrate = migrate
        self.env = dict(os.environ)
        self.env.update(
            COMMENTS_DATABASE=str(site.database),
            COMMENTS_SITE_DIR=str(site.output),
            COMMENTS_SECRET_KEY=SECRET,
            PYTHONPATH=str(ROOT),
        )
        self.env.update(env or {})
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        if self.gunicorn_workers:
            return [
                GUNICORN, "--workers", str(self.gunicorn_workers), "--threads", "4",
                "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "2", "--no-control-socket",
                "comments_service:create_app()",
            ]
        return [PYTHON, "-m", "comments_service.cli", "serve", "--port", str(self.port)]

    def start(self, timeout: float = 30) -> "ServiceProcess":
        if self.gunicorn_workers and self.migrate:
            # `comments serve` migrates at start; gunicorn's workers only open the database.
            db = store.open_db(self.site.database)
            store.migrate(db)
            db.close()
        prefix = ["setpriv", f"--reuid={self.user}", f"--regid={self.user}", "--clear-groups"] if self.user else []
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            prefix + self.command(), env=self.env, cwd=ROOT, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the server stopped at once:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code in (200, 503):
                    return self
            except requests.RequestException:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the server did not answer within {timeout}s:\n{self.log()}")

    def kill_hard(self) -> None:
        """`kill -9` of the whole process group: no chance to flush or clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self._log.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill_hard()
        if not self._log.closed:
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
