"""Pelican plugin: writes `threads.json` and bakes approved comments into article pages.

Also gives the theme what Jinja would compute slowly: reading time, previous/next and related
posts. Reads the comment database read-only and never imports Flask.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
from collections import Counter
from datetime import datetime, timedelta
from itertools import chain

from pelican import signals

from . import store
from .threads import write_manifest

log = logging.getLogger(__name__)
WORDS_PER_MINUTE = 220
_TAG = re.compile(r"<[^>]+>")


def is_closed_by_metadata(article) -> bool:
    return str(getattr(article, "comments", "")).strip().lower() in ("closed", "off", "no")


def closes_at(article, settings) -> datetime | None:
    days = settings.get("COMMENTS_CLOSE_AFTER_DAYS")
    return article.date + timedelta(days=int(days)) if days else None


def comments_open(article, settings, now: datetime) -> bool:
    if is_closed_by_metadata(article):
        return False
    closing = closes_at(article, settings)
    return closing is None or now < closing


def reading_time(html: str) -> int:
    return max(1, math.ceil(len(_TAG.sub(" ", html).split()) / WORDS_PER_MINUTE))


def related_posts(articles: list, limit: int) -> dict:
    """For each article, the others sharing most tags (newest first among equals)."""
    # Positions in `articles` instead of objects, dates as numbers once: this runs for every
    # pair of articles sharing a tag, which is most pairs on a large site.
    stamps = [article.date.timestamp() for article in articles]
    tags_of = [[tag.slug for tag in getattr(article, "tags", []) or []] for article in articles]
    by_tag: dict[str, list[int]] = {}
    for index, slugs in enumerate(tags_of):
        for slug in slugs:
            by_tag.setdefault(slug, []).append(index)
    related = {}
    for index, article in enumerate(articles):
        # Counter keeps first-seen order, so ties rank as they always did.
        shared = Counter(chain.from_iterable(by_tag[slug] for slug in tags_of[index]))
        shared.pop(index, None)
        # nsmallest(n, ...) is sorted(...)[:n], stable, without sorting everything.
        best = heapq.nsmallest(limit, shared, key=lambda other: (-shared[other], -stamps[other]))
        related[id(article)] = [articles[other] for other in best]
    return related


def comment_tree(comments: list[dict], date_format: str) -> list[dict]:
    """Approved comments (oldest first) as nested dicts with `replies`."""
    nodes = {}
    roots = []
    for comment in comments:
        node = dict(comment, replies=[])
        node["created_display"] = store.parse_time(comment["created_at"]).strftime(date_format)
        nodes[comment["id"]] = node
        parent = nodes.get(comment["parent_id"])
        (parent["replies"] if parent else roots).append(node)
    return roots


def approved_comments(settings) -> dict[str, list[dict]]:
    path = settings.get("COMMENTS_DATABASE")
    if not path:
        return {}
    db = store.open_readonly(path)
    if db is None:
        return {}
    try:
        return store.list_approved_by_thread(db)
    except Exception as error:  # a database from an older schema must not break the build
        log.info("comments not baked: %s", error)
        return {}
    finally:
        db.close()


def prepare_articles(generator) -> None:
    """Attach comment and navigation data to every published article."""
    settings = generator.settings
    articles = generator.articles  # newest first, drafts excluded
    now = datetime.now(articles[0].date.tzinfo) if articles else None
    baked = approved_comments(settings)
    related = related_posts(articles, settings.get("RELATED_POSTS_MAX", 3))
    date_format = settings.get("DEFAULT_DATE_FORMAT", "%Y-%m-%d")
    for index, article in enumerate(articles):
        # Templates ask for article.url many times per page and Pelican formats it anew each
        # time; override_url (Pelican's own per-article URL) keeps the value it computes.
        if not hasattr(article, "override_url"):
            article.override_url = article.url
        article.reading_time = reading_time(article.content)
        article.related_posts = related[id(article)]
        article.next_post = articles[index - 1] if index > 0 else None
        article.prev_post = articles[index + 1] if index + 1 < len(articles) else None
        article.comments_open = comments_open(article, settings, now)
        comments = baked.get(article.slug, [])
        article.comment_count = len(comments)
        article.baked_comments = comment_tree(comments, date_format)


def write_threads(generator, writer) -> None:
    """Write threads.json: the slugs that may have comments, open or closed."""
    settings = generator.settings
    site = settings.get("SITEURL", "").rstrip("/")
    threads = []
    for article in generator.articles:
        closing = closes_at(article, settings)
        threads.append(
            {
                "slug": article.slug,
                "title": article.title,
                "url": f"{site}/{article.url}",
                "date": article.date.isoformat(),
                "open": not is_closed_by_metadata(article),
                "closes_at": closing.isoformat() if closing else None,
            }
        )
    write_manifest(generator.output_path, threads)


def register():
    signals.article_generator_finalized.connect(prepare_articles)
    signals.article_writer_finalized.connect(write_threads)
