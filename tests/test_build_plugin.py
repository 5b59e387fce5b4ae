"""The Pelican plugin's own parts, without a site build: the comment read, related posts.
(tests/test_site_build.py checks what they produce in built pages; tests/test_thread_html.py
the comment markup.)"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from comments_service import pelican_plugin, store

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "comments.db"
    db = store.open_db(path)
    store.migrate(db)
    yield path, db
    db.close()


def add(db, thread, status, minutes, **fields):
    values = {"author": "Ann", "body": "Hi", "body_html": "<p>Hi</p>", **fields}
    return store.add_comment(db, thread=thread, status=status,
                             now=START + timedelta(minutes=minutes), **values)


def test_plugin_reads_the_approved_comments_store_lists(database):
    # The build reads with the standard library alone (store.read_approved_for_build): this
    # keeps it in step with the service's own read when the schema or "approved" changes.
    path, db = database
    first = add(db, "a-post", store.APPROVED, 3, author="Rita <b>", website="https://rita.example")
    add(db, "a-post", store.APPROVED, 1, parent_id=None, by_moderator=True, website="")
    add(db, "a-post", store.APPROVED, 5, parent_id=first, depth=1)
    add(db, "a-post", store.PENDING, 2)
    add(db, "a-post", store.SPAM, 4)
    add(db, "a-post", store.DELETED, 6)
    add(db, "b-post", store.APPROVED, 7, website=None)
    add(db, "c-post", store.PENDING, 8)

    read = pelican_plugin.approved_comments(str(path))

    assert sorted(read) == ["a-post", "b-post"]
    assert read == {thread: store.list_approved(db, thread) for thread in ("a-post", "b-post")}


@pytest.mark.parametrize("make", ["none", "missing", "no-table", "not-sqlite"])
def test_no_usable_database_bakes_nothing(tmp_path, make):
    # ... and the build goes on: a broken database never stops the site from being written.
    path = tmp_path / "comments.db"
    if make == "no-table":
        sqlite3.connect(path).close()
    elif make == "not-sqlite":
        path.write_text("not a database", encoding="utf-8")
    assert pelican_plugin.approved_comments(None if make == "none" else str(path)) == {}


def brute_force_related(articles, limit):
    """The definition: most shared tags first, then newest, then earlier in the list."""
    related = {}
    for index, article in enumerate(articles):
        mine = {tag.slug for tag in article.tags}
        ranked = sorted(
            ((len(mine & {tag.slug for tag in other.tags}), -other.date.timestamp(), position)
             for position, other in enumerate(articles) if position != index),
            key=lambda entry: (-entry[0], entry[1], entry[2]),
        )
        related[id(article)] = [articles[position] for shared, _, position in ranked
                                if shared][:limit]
    return related


def fake_articles(rng, count, tag_count):
    tags = [SimpleNamespace(slug=f"tag-{number}") for number in range(tag_count)]
    return [
        SimpleNamespace(
            # Few distinct dates, so that ties on date are common.
            date=START + timedelta(days=rng.randint(0, 20)),
            tags=rng.sample(tags, rng.randint(0, min(5, tag_count))),
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("limit", [1, 3, 6])
def test_related_posts_rank_by_shared_tags_then_newest(seed, limit):
    rng = random.Random(seed)
    articles = fake_articles(rng, rng.randint(0, 80), rng.randint(1, 12))
    assert pelican_plugin.related_posts(articles, limit) == brute_force_related(articles, limit)


def test_related_posts_prefer_more_shared_tags_over_newer_posts():
    a, b, c = (SimpleNamespace(slug=slug) for slug in "abc")
    post = SimpleNamespace(date=START, tags=[a, b, c])
    two_shared = SimpleNamespace(date=START - timedelta(days=30), tags=[a, b])
    newest_one_shared = SimpleNamespace(date=START + timedelta(days=9), tags=[c])
    older_one_shared = SimpleNamespace(date=START + timedelta(days=1), tags=[a])
    nothing_shared = SimpleNamespace(date=START + timedelta(days=20), tags=[])
    articles = [nothing_shared, newest_one_shared, older_one_shared, post, two_shared]

    related = pelican_plugin.related_posts(articles, 3)

    assert related[id(post)] == [two_shared, newest_one_shared, older_one_shared]
    assert related[id(nothing_shared)] == []


def test_the_build_plugin_does_not_load_sqlite_utils():
    # Importing it (with numpy behind it) cost every build 0.15 s of CPU: store loads it only
    # when the service opens a database.
    import subprocess
    import sys

    code = ("import sys, comments_service.pelican_plugin; "
            "print('sqlite_utils' in sys.modules, 'flask' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
