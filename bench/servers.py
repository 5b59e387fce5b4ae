"""Start and stop the servers under test: gunicorn on loopback, on free ports, same workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

WORKERS = 2
HOST = "127.0.0.1"


TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after the command name (field 3, the state, comes first)."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
        return handle.read().rsplit(")", 1)[1].split()


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live children, plus those of the children
    it has reaped (a gunicorn master reaps a worker that restarts, so the worker's time stays
    counted). Read from /proc before and after a load run, the difference is what serving cost."""
    pids = {pid}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat(int(entry))[1]) == pid:  # ppid
                    pids.add(int(entry))
            except OSError:
                continue  # gone since the listing
    ticks = 0
    for each in pids:
        try:
            fields = _stat(each)
        except OSError:
            continue
        ticks += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / TICKS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn master (and its workers), started in its own process group."""

    def __init__(self, name: str, gunicorn: Path, app: str, env: dict, log: Path,
                 ready_path: str, cwd: Path | None = None):
        self.name, self.log_path, self.ready_path = name, log, ready_path
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.argv = [
            str(gunicorn), "--workers", str(WORKERS), "--worker-class", "sync",
            "--bind", f"{HOST}:{self.port}", "--log-level", "warning", app,
        ]
        self.env = {**os.environ, **env}
        self.cwd = cwd
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> "Server":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.argv, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=5) as answer:
                    answer.read()
                return self
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"{self.name} did not answer within {timeout:.0f} s; see {self.log_path}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the master and its workers, from /proc."""
        return tree_cpu_seconds(self.proc.pid) if self.proc is not None else 0.0

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group: master + workers
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
