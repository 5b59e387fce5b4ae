"""The benchmark's own parts on tiny sizes: generators, loaders, the derived-value cache it
relies on, and the report. (`make bench` itself is not part of `make test`.)"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench import data
from bench.__main__ import fsync_ms, verdicts
from bench.figures import best_of, cpu_lines, report
from bench.load import Result
from bench.servers import tree_cpu_seconds
from comments_service import store


def test_small_dataset_has_the_listed_thread_with_replies_and_counts_threads():
    dataset = data.small_dataset(count_threads=20)
    listed = [c for c in dataset["comments"] if c["thread"] == data.LIST_SLUG]
    published = [c for c in listed if c["status"] == store.APPROVED]
    assert len(published) == data.LIST_COMMENTS
    assert any(c["parent"] is not None for c in published)
    assert all(c["depth"] <= data.MAX_DEPTH for c in listed)
    # Replies only ever answer published comments of the same thread.
    for c in listed:
        if c["parent"] is not None:
            assert listed[c["parent"]]["status"] == store.APPROVED
    slugs = {t["slug"] for t in dataset["threads"]}
    assert {data.LIST_SLUG, data.POST_SLUG, data.count_slug(0), data.count_slug(19)} <= slugs
    assert data.small_dataset(count_threads=20) == dataset  # deterministic


def test_load_ours_stores_the_thread_as_the_api_lists_it(tmp_path):
    dataset = data.small_dataset(count_threads=5)
    written = data.load_ours(tmp_path / "c.db", dataset)
    db = store.open_db(tmp_path / "c.db")
    listed = store.list_approved(db, data.LIST_SLUG)
    assert len(listed) == data.LIST_COMMENTS
    assert written[data.LIST_SLUG] == data.LIST_COMMENTS + data.LIST_PENDING
    ids = {c["id"] for c in listed}
    assert all(c["parent_id"] in ids for c in listed if c["parent_id"] is not None)
    db.close()


def test_isso_dump_keeps_threads_and_parents(tmp_path):
    dataset = data.small_dataset(count_threads=3)
    data.isso_dump(dataset, tmp_path / "isso.json")
    dumped = json.loads((tmp_path / "isso.json").read_text())
    assert {t["uri"] for t in dumped["threads"]} >= {f"/{data.LIST_SLUG}/", f"/{data.POST_SLUG}/"}
    assert len(dumped["comments"]) == len(dataset["comments"])
    assert {c["mode"] for c in dumped["comments"]} <= {1, 2}


def test_million_generator_on_a_small_size_matches_the_schema_and_is_reused(tmp_path):
    path = tmp_path / "m.db"
    data.generate_million(path, total=3000, threads=30, log=lambda *a: None)
    db = store.open_db(path)
    assert data.sample_counts(path) == 3000
    assert len(store.list_approved(db, data.LIST_SLUG)) == data.LIST_COMMENTS
    counts = store.count_approved(db, ["m-00000", "m-00028"])
    assert counts["m-00000"] > 0 and counts["m-00028"] > 0
    indexes = {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'comments'")}
    assert "idx_comments_thread_status" in indexes  # rebuilt after the load
    assert store.pending_migrations(db) == []
    db.close()
    stamp = path.stat().st_mtime_ns
    data.generate_million(path, total=3000, threads=30, log=lambda *a: None)
    assert path.stat().st_mtime_ns == stamp  # the cached file is reused, not rewritten


def test_derived_values_are_dropped_on_any_write(tmp_path):
    reader = store.open_db(tmp_path / "d.db")
    store.migrate(reader)
    writer = store.open_db(tmp_path / "d.db")
    calls = []

    def build():
        calls.append(1)
        return store.count_approved(reader, ["a"])

    assert store.derived(reader, "k", build) == {"a": 0}
    assert store.derived(reader, "k", build) == {"a": 0}
    assert len(calls) == 1
    # Another connection (another worker) writes: the kept value goes.
    store.add_comment(writer, thread="a", author="A", body="b", body_html="<p>b</p>",
                      status=store.APPROVED)
    assert store.derived(reader, "k", build) == {"a": 1}
    # The same connection writes: the kept value goes too.
    store.add_comment(reader, thread="a", author="A", body="c", body_html="<p>c</p>",
                      status=store.APPROVED)
    assert store.derived(reader, "k", build) == {"a": 2}
    assert len(calls) == 3
    writer.close()
    reader.close()


def _result(name, rps, p50=1.0, p99=2.0, cpu_us=None):
    return Result(name=name, rps=rps, p50_ms=p50, p99_ms=p99, requests=int(rps), errors=0,
                  bad_status=0, client="wrk", cpu_us=cpu_us)


def test_report_and_verdicts():
    http = {
        "ours list": _result("ours list", 2000, p99=5.0, cpu_us=400),
        "ours list 304": _result("ours list 304", 1900, cpu_us=520),
        "isso list": _result("isso list", 20),
        "bare flask": _result("bare flask", 3000),
        "ours counts": _result("ours counts", 1800, p99=4.0),
        "isso counts": _result("isso counts", 300),
        "ours post": _result("ours post", 400, p99=30.0, cpu_us=2000),
        "isso post": _result("isso post", 60, cpu_us=5400),
        "bare flask post": _result("bare flask post", 2000),
        "million list": _result("million list", 1900, p99=6.0),
        "million counts": _result("million counts", 1700, p99=8.0),
    }
    figures = report(http, {"build_vs_pelican": 0.98, "rebuild_vs_full": 0.4},
                     {"widget_bytes": 12000, "article_page_bytes": 29000})
    assert figures["list_vs_isso"] == 100.0
    assert figures["list_vs_flask"] == pytest.approx(0.67)
    assert figures["post_vs_flask"] == 0.2
    assert figures["million_list_p99_ratio"] == 1.2
    assert figures["million_counts_p99_ratio"] == 2.0
    assert figures["post_cpu_vs_isso"] == 2.7  # Isso's CPU per post over ours
    assert figures["list_304_cpu_vs_200"] == 1.3  # a 304's CPU over a 200's
    lines = verdicts(figures)
    assert any("MISSED" in line and "counts p99" in line for line in lines)
    assert sum("MISSED" in line for line in lines) == 1
    json.dumps(figures)


def test_cpu_ratios_are_null_when_the_cpu_was_not_measured():
    measured = {name: _result(name, 100, cpu_us=100) for name in (
        "ours list", "ours list 304", "isso list", "bare flask", "ours counts", "isso counts",
        "ours post", "isso post", "bare flask post", "million list", "million counts")}
    measured["isso post"] = _result("isso post", 60)  # no CPU figure from that run
    figures = report(measured, {"build_vs_pelican": 1, "rebuild_vs_full": 0.4},
                     {"widget_bytes": 1, "article_page_bytes": 1})
    assert figures["post_cpu_vs_isso"] is None
    assert figures["list_304_cpu_vs_200"] == 1.0
    assert '"post_cpu_vs_isso": null' in json.dumps(figures)


def test_cpu_ratios_pair_the_runs_of_each_round_and_take_the_median():
    """The CPU a request costs follows the machine's load from round to round: the ratio is
    taken within each round, never between the lowest figures of different rounds."""
    def runs(name, *cpu):
        return [_result(name, 100, cpu_us=value) for value in cpu]

    rounds = {
        "ours list": runs("ours list", 400, 800, 760),
        "ours list 304": runs("ours list 304", 520, 840, 740),  # 1.3, 1.05, 0.97 by round
        "ours post": runs("ours post", 2000, 4000, None),
        "isso post": runs("isso post", 5000, 9000, 12000),  # 2.5, 2.25; round 3 unmeasured
    }
    best = {name: _result(name, 100, cpu_us=100) for name in (
        "ours list", "isso list", "bare flask", "ours counts", "isso counts", "ours post",
        "isso post", "bare flask post", "million list", "million counts", "ours list 304")}
    figures = report(best, {"build_vs_pelican": 1, "rebuild_vs_full": 0.4},
                     {"widget_bytes": 1, "article_page_bytes": 1}, rounds)
    assert figures["list_304_cpu_vs_200"] == 1.05  # not 740 / 400 = 1.85 across rounds
    assert figures["post_cpu_vs_isso"] == 2.38
    printed = "\n".join(cpu_lines(best, rounds))
    assert "1.05x (list_304_cpu_vs_200; median of the rounds: 1.30, 1.05, 0.97)" in printed
    assert "2.38x (post_cpu_vs_isso; median of the rounds: 2.50, 2.25)" in printed


def test_best_of_ignores_the_latency_of_a_run_that_completed_nothing():
    """Isso's list takes seconds a request here: a 5 s run may complete none, and its p99 of 0
    must not stand for the server's latency."""
    runs = [_result("isso list", 3, p50=1900.0, p99=2600.0),
            _result("isso list", 2, p50=2500.0, p99=3600.0),
            Result(name="isso list", rps=0, p50_ms=0, p99_ms=0, requests=0, errors=0,
                   bad_status=0, client="wrk")]
    best = best_of(runs)
    assert (best.rps, best.p50_ms, best.p99_ms, best.requests) == (3, 1900.0, 2600.0, 5)


BURN_THEN_WAIT = """
import sys, time
end = time.process_time() + float(sys.argv[1])
while time.process_time() < end:
    pass
print("burnt", flush=True)
sys.stdin.readline()
"""

PARENT = """
import subprocess, sys
burn = [sys.executable, "-c", sys.argv[1], sys.argv[2]]
subprocess.run(burn, input=b"\\n", stdout=subprocess.DEVNULL)  # a child that ends, reaped
alive = subprocess.Popen(burn, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
alive.stdout.readline()  # a child still alive, its CPU burnt
print("ready", flush=True)
sys.stdin.readline()
alive.stdin.close()
alive.wait()
"""


def test_server_cpu_counts_live_and_reaped_children():
    """What gunicorn's master and workers burn is counted, a restarted worker's time too."""
    burn = 0.3
    with subprocess.Popen([sys.executable, "-c", PARENT, BURN_THEN_WAIT, str(burn)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as parent:
        assert parent.stdout.readline() == b"ready\n"
        counted = tree_cpu_seconds(parent.pid)
        parent.stdin.close()  # lets the live child, then the parent, end
    assert 2 * burn - 0.05 <= counted < 2 * burn + 1.0


def test_the_disk_fsync_probe_times_real_syncs_and_cleans_up(tmp_path):
    median = fsync_ms(tmp_path, times=5)
    assert 0 < median < 10_000
    assert list(tmp_path.iterdir()) == []
