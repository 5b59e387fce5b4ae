"""The load client: wrk (Debian's package) with a small Lua script, the same for every server.

Every run is bounded: a short warm-up, then a fixed number of seconds at concurrency 8, to
loopback only. Falls back to a Python client (threads, keep-alive sessions) if wrk cannot be
installed; the report says which client ran.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

CONCURRENCY = 8
SECONDS = 5.0
WARMUP = 1.0

# Prints one JSON line with the figures; `request` (when given) makes each request itself.
LUA_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"errors":%d,"bad_status":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""

LUA_FIXED = r"""
wrk.method = %(method)s
wrk.body = %(body)s
wrk.headers["Content-Type"] = %(content_type)s
%(extra_headers)s
"""

# Each request a different comment (a duplicate-text filter must not short-circuit the work).
LUA_POST = r"""
local counter = 0
local tid = 0
local next_tid = 0
setup = function(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end
request = function()
  counter = counter + 1
  local body = string.format(%(template)s, tid, counter, tid * 7919 + counter)
  return wrk.format("POST", %(path)s, {["Content-Type"] = "application/json"}, body)
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for our text


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    bad_status: int
    client: str
    cpu_us: float | None = None  # the server's CPU time per request (all its processes)

    def row(self) -> str:
        flag = ""
        if self.errors or self.bad_status:
            flag = f"  ({self.errors} socket errors, {self.bad_status} non-2xx/3xx)"
        cpu = f"   server CPU {self.cpu_us:6.0f} us/req" if self.cpu_us is not None else ""
        return (f"{self.name:16} {self.rps:8,.0f} req/s   p50 {self.p50_ms:7.2f} ms   "
                f"p99 {self.p99_ms:7.2f} ms{cpu}{flag}")


def have_wrk() -> bool:
    if shutil.which("wrk"):
        return True
    apt = shutil.which("apt-get")
    if apt:
        print("  wrk is missing: installing Debian's wrk package (apt-get install -y wrk)")
        result = subprocess.run([apt, "install", "-y", "wrk"], capture_output=True, text=True)
        if result.returncode != 0:
            subprocess.run([apt, "update"], capture_output=True)
            subprocess.run([apt, "install", "-y", "wrk"], capture_output=True)
    return shutil.which("wrk") is not None


class Client:
    """Runs the same bounded load against any URL: GET, or POST of fixed or varying JSON."""

    def __init__(self, work: Path, seconds: float = SECONDS, warmup: float = WARMUP,
                 concurrency: int = CONCURRENCY, use_wrk: bool | None = None):
        self.work = work / "lua"
        self.work.mkdir(parents=True, exist_ok=True)
        self.seconds, self.warmup, self.concurrency = seconds, warmup, concurrency
        self.wrk = have_wrk() if use_wrk is None else use_wrk
        self.kind = "wrk" if self.wrk else "python"

    # -- one measurement --------------------------------------------------------------------

    # `cpu`: a function giving the server's CPU seconds so far, to charge each request.

    def get(self, name: str, url: str, headers: dict | None = None, cpu=None) -> Result:
        return self._run(name, url, "GET", body=None, headers=headers or {}, cpu=cpu)

    def post_json(self, name: str, url: str, payload, cpu=None) -> Result:
        return self._run(name, url, "POST", body=json.dumps(payload), headers={}, cpu=cpu)

    def post_comments(self, name: str, url: str, template: str, cpu=None) -> Result:
        """POST a different JSON body each time: `template` has %d for worker, counter, number."""
        return self._run(name, url, "POST", body=None, headers={}, template=template, cpu=cpu)

    def _run(self, name, url, method, body, headers, template=None, cpu=None) -> Result:
        if self.warmup:
            self._once(name, url, method, body, headers, template, self.warmup)
        before = cpu() if cpu else None
        result = self._once(name, url, method, body, headers, template, self.seconds)
        if cpu and result.requests:
            result.cpu_us = (cpu() - before) / result.requests * 1e6
        return result

    def _once(self, name, url, method, body, headers, template, seconds) -> Result:
        if self.wrk:
            return self._wrk(name, url, method, body, headers, template, seconds)
        return self._python(name, url, method, body, headers, template, seconds)

    def _wrk(self, name, url, method, body, headers, template, seconds) -> Result:
        if template is not None:
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            script = LUA_POST % {"template": lua_string(template), "path": lua_string(path)}
        else:
            extra = "\n".join(
                f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()
            )
            script = LUA_FIXED % {
                "method": lua_string(method),
                "body": lua_string(body) if body is not None else "nil",
                "content_type": lua_string("application/json") if body is not None else "nil",
                "extra_headers": extra,
            }
        lua = self.work / (name.replace(" ", "_").replace("/", "_") + ".lua")
        lua.write_text(script + LUA_DONE, encoding="utf-8")
        argv = ["wrk", "-t1", f"-c{self.concurrency}", f"-d{max(1, round(seconds))}s",
                "--timeout", "10s", "-s", str(lua), url]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
        line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH ")), None)
        if line is None:
            raise RuntimeError(f"wrk gave no figures for {name}: {out.stdout}\n{out.stderr}")
        f = json.loads(line[6:])
        return Result(
            name=name, rps=f["requests"] / (f["duration_us"] / 1e6), p50_ms=f["p50_us"] / 1000,
            p99_ms=f["p99_us"] / 1000, requests=f["requests"], errors=f["errors"],
            bad_status=f["bad_status"], client="wrk",
        )

    def _python(self, name, url, method, body, headers, template, seconds) -> Result:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        stop_at = time.monotonic() + seconds
        latencies: list[float] = []
        failures = [0, 0]
        lock = threading.Lock()

        def worker(tid: int):
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            mine, counter = [], 0
            while time.monotonic() < stop_at:
                counter += 1
                payload = body
                if template is not None:
                    payload = template % (tid, counter, tid * 7919 + counter)
                send = dict(headers)
                if payload is not None:
                    send["Content-Type"] = "application/json"
                started = time.perf_counter()
                try:
                    conn.request(method, path, body=payload, headers=send)
                    answer = conn.getresponse()
                    answer.read()
                    mine.append(time.perf_counter() - started)
                    if answer.status >= 400:
                        with lock:
                            failures[1] += 1
                    if answer.getheader("Connection", "").lower() == "close":
                        conn.close()
                except (OSError, http.client.HTTPException):
                    with lock:
                        failures[0] += 1
                    conn.close()
            with lock:
                latencies.extend(mine)

        began = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(self.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        return _python_result(name, sorted(latencies), elapsed, failures)


def _python_result(name: str, latencies: list[float], elapsed: float, failures: list[int]) -> Result:
    """The Python client's figures from its sorted latencies (seconds)."""
    def pct(p):
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000

    return Result(name=name, rps=len(latencies) / elapsed, p50_ms=pct(50), p99_ms=pct(99),
                  requests=len(latencies), errors=failures[0], bad_status=failures[1],
                  client="python")
