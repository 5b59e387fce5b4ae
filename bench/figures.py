"""The bench's headline figures from its runs: the best of the rounds, the ratios of the JSON
line, and the lines that explain the server CPU figures."""

from __future__ import annotations

import dataclasses
import os
import statistics
import time
from pathlib import Path

from . import load

def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def cpu_ratio(a: list[load.Result], b: list[load.Result]) -> float | None:
    """a's server CPU per request over b's: the median over the rounds of the ratio within each
    round. What one request costs here rises by half or more while others load this shared
    machine; two runs of one round, minutes apart at most, see about the same load."""
    ratios = [x.cpu_us / y.cpu_us for x, y in zip(a, b) if x.cpu_us and y.cpu_us]
    return round(statistics.median(ratios), 2) if ratios else None


def report(http: dict, build: dict, weights: dict, rounds: dict | None = None) -> dict:
    """The headline figures (the last line's JSON) from the best run of each measurement; the
    CPU ratios from the runs of every round (`rounds`: name -> results, by default the best)."""
    rounds = rounds or {name: [result] for name, result in http.items()}
    return {
        "list_vs_isso": round(ratio(http["ours list"].rps, http["isso list"].rps), 1),
        "list_vs_flask": round(ratio(http["ours list"].rps, http["bare flask"].rps), 2),
        "counts_vs_isso": round(ratio(http["ours counts"].rps, http["isso counts"].rps), 1),
        "post_vs_isso": round(ratio(http["ours post"].rps, http["isso post"].rps), 1),
        "post_vs_flask": round(ratio(http["ours post"].rps, http["bare flask post"].rps), 2),
        # Server CPU per request, which the disk's fsync and the load beside it move far less.
        "post_cpu_vs_isso": cpu_ratio(rounds["isso post"], rounds["ours post"]),
        "list_304_cpu_vs_200": cpu_ratio(rounds["ours list 304"], rounds["ours list"]),
        "list_p99_ms": round(http["ours list"].p99_ms, 2),
        "post_p99_ms": round(http["ours post"].p99_ms, 2),
        "million_list_p99_ratio": round(
            ratio(http["million list"].p99_ms, http["ours list"].p99_ms), 2),
        "million_counts_p99_ratio": round(
            ratio(http["million counts"].p99_ms, http["ours counts"].p99_ms), 2),
        "build_vs_pelican": round(build["build_vs_pelican"], 2),
        "rebuild_vs_full": round(build["rebuild_vs_full"], 2),
        "widget_bytes": weights["widget_bytes"],
        "article_page_bytes": weights["article_page_bytes"],
    }


def best_of(results: list[load.Result]) -> load.Result:
    """The least disturbed figures of several runs (the machine may be shared): the highest
    throughput, the latencies of the run with the lowest p99 (among runs that completed a
    request: one that completed none reports a p99 of 0), the lowest CPU per request; errors
    of all runs."""
    fastest = max(results, key=lambda r: r.rps)
    steadiest = min((r for r in results if r.requests), key=lambda r: r.p99_ms, default=fastest)
    cpu = [r.cpu_us for r in results if r.cpu_us is not None]
    return dataclasses.replace(
        fastest, p50_ms=steadiest.p50_ms, p99_ms=steadiest.p99_ms,
        errors=sum(r.errors for r in results), bad_status=sum(r.bad_status for r in results),
        requests=sum(r.requests for r in results), cpu_us=min(cpu) if cpu else None,
    )


def cpu_lines(best: dict, runs: dict) -> list[str]:
    """Server CPU per request (user + system of master and workers over the requests served),
    which the disk's fsync does not move: the lowest of the rounds, and the two ratios of the
    JSON line with the per-round ratios they are the median of (cpu_ratio)."""
    def us(name: str) -> str:
        return f"{best[name].cpu_us:.0f} us" if best[name].cpu_us else "n/a"

    def per_round(a: str, b: str) -> str:
        each = [x.cpu_us / y.cpu_us for x, y in zip(runs[a], runs[b]) if x.cpu_us and y.cpu_us]
        return ", ".join(f"{value:.2f}" for value in each)

    return [
        f"  server CPU per request, lowest of the rounds: list ours {us('ours list')}, bare Flask"
        f" {us('bare flask')}, Isso {us('isso list')}; post ours {us('ours post')}, Isso"
        f" {us('isso post')}, bare Flask POST {us('bare flask post')}",
        f"  post    Isso's server CPU per post / ours: "
        f"{cpu_ratio(runs['isso post'], runs['ours post'])}x (post_cpu_vs_isso; median of the "
        f"rounds: {per_round('isso post', 'ours post')})",
        f"  list    server CPU of a 304 (If-None-Match hit) / a 200: "
        f"{cpu_ratio(runs['ours list 304'], runs['ours list'])}x (list_304_cpu_vs_200; median of"
        f" the rounds: {per_round('ours list 304', 'ours list')})",
    ]


def fsync_ms(folder: Path, times: int = 100) -> float:
    """The median time of one fsync after a 4 KiB write, on the disk the databases live on.
    Isso commits each statement in SQLite's default rollback journal, which waits for fsync
    several times per post; ours commits in WAL mode (synchronous=NORMAL), which syncs only at
    checkpoints. So Isso's posts per second follow this disk's fsync, and the post ratio too."""
    probe = folder / "fsync-probe"
    spans = []
    descriptor = os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        for _ in range(times):
            os.write(descriptor, b"x" * 4096)
            started = time.perf_counter()
            os.fsync(descriptor)
            spans.append(time.perf_counter() - started)
    finally:
        os.close(descriptor)
        probe.unlink()
    return round(statistics.median(spans) * 1000, 3)
