"""Pelican plugin: writes `threads.json` and bakes approved comments into article pages
(rendered by thread_html, the template the service serves to the widget too).

Also gives the theme what Jinja would compute slowly, once per post instead of once per page
that shows it: reading time, previous/next and related posts, escaped titles and links. After
the build it minifies the theme's CSS and JavaScript in the output (the sources stay readable).
Reads the comment database read-only and never imports Flask.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
import sqlite3
from collections import Counter
from datetime import datetime, timedelta
from itertools import chain, combinations
from pathlib import Path

from markupsafe import escape
from pelican import signals

from . import store, thread_html
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
    words = sum(len(text.split()) for text in _TAG.split(html))  # a tag ends a word
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def related_posts(articles: list, limit: int) -> dict:
    """For each article, the others sharing most tags (newest first among equals)."""
    # Positions in `articles` instead of objects. `rank` orders them newest first (then by
    # position), and every index list below is built in that order.
    count = len(articles)
    stamps = [article.date.timestamp() for article in articles]
    newest_first = sorted(range(count), key=lambda i: (-stamps[i], i))
    rank = [0] * count
    for position, index in enumerate(newest_first):
        rank[index] = position
    tags_of = [sorted({tag.slug for tag in getattr(article, "tags", None) or []})
               for article in articles]
    # Articles sharing two or more tags with a post are found through pairs of tags, which few
    # articles have in common; single tags, which many share, are only walked, newest first,
    # when the pairs give fewer than `limit` posts.
    by_tag: dict[str, list[int]] = {}
    by_pair: dict[tuple[str, str], list[int]] = {}
    for index in newest_first:
        for slug in tags_of[index]:
            by_tag.setdefault(slug, []).append(index)
        for pair in combinations(tags_of[index], 2):
            by_pair.setdefault(pair, []).append(index)
    related = {}
    for index, article in enumerate(articles):
        tags = tags_of[index]
        # An article sharing n tags turns up once for each of their n*(n-1)/2 pairs.
        shared = Counter(chain.from_iterable(by_pair[pair] for pair in combinations(tags, 2)))
        shared.pop(index, None)
        best = sorted(shared, key=lambda other: (-shared[other], rank[other]))[:limit]
        if len(best) < limit:
            taken = {index, *best}
            for other in heapq.merge(*(by_tag[slug] for slug in tags), key=rank.__getitem__):
                if other not in taken:
                    taken.add(other)
                    best.append(other)
                    if len(best) == limit:
                        break
        related[id(article)] = [articles[other] for other in best]
    return related


def approved_comments(path: str | None) -> dict[str, list[dict]]:
    """Every approved comment grouped by thread, oldest first, as the public API shows it.
    A missing database bakes nothing; one with an older schema must not break the build."""
    try:
        return store.read_approved_for_build(path)
    except sqlite3.Error as error:
        log.info("comments not baked: %s", error)
        return {}


def describe(article, links: dict) -> None:
    """Values every page showing this post needs, escaped once here instead of on every page.

    `links` caches (url, name) of each tag and category: Pelican formats a taxonomy URL anew
    each time it is asked for one."""
    describe_link(article)
    article.date_iso = article.date.isoformat()
    article.date_html = str(escape(article.locale_date))
    # Pelican's `_content` is the text before intrasite links are rewritten: the same words,
    # and reading it here does not run that rewrite before the pages it may link to are known.
    article.reading_time = reading_time(article._content or "")
    article.tag_links = [_link(tag, links) for tag in getattr(article, "tags", None) or []]
    category = getattr(article, "category", None)
    article.category_link = _link(category, links) if category is not None else None


def _link(taxonomy, links: dict) -> tuple[str, str]:
    """(url, name) of a tag or category, escaped; keyed by kind and slug, which is what a
    tag's or category's own (slower) equality compares."""
    key = (taxonomy.__class__, taxonomy.slug)
    link = links.get(key)
    if link is None:
        link = links[key] = (str(escape(taxonomy.url)), str(escape(taxonomy.name)))
    return link


def prepare_articles(generator) -> None:
    """Attach display, navigation and comment data to every article the build may write."""
    settings = generator.settings
    articles = generator.articles  # newest first, drafts excluded
    others = list(chain(generator.translations, generator.hidden_articles,
                        generator.hidden_translations, generator.drafts,
                        generator.drafts_translations))
    first = articles[0] if articles else others[0] if others else None
    now = datetime.now(first.date.tzinfo) if first else None
    baked = approved_comments(settings.get("COMMENTS_DATABASE"))
    related = related_posts(articles, settings.get("RELATED_POSTS_MAX", 3))
    comments_url = settings.get("COMMENTS_URL") or ""
    no_comments = thread_html.render_thread([], "")
    links: dict = {}
    for article in others:  # written, but neither listed nor given a comment thread
        describe(article, links)
        article.related_posts, article.next_post, article.prev_post = [], None, None
        article.comments_open = comments_open(article, settings, now)
        article.comment_count, article.comments_html = 0, no_comments
    for index, article in enumerate(articles):
        describe(article, links)
        article.related_posts = related[id(article)]
        article.next_post = articles[index - 1] if index > 0 else None
        article.prev_post = articles[index + 1] if index + 1 < len(articles) else None
        article.comments_open = comments_open(article, settings, now)
        comments = baked.get(article.slug, [])
        article.comment_count = len(comments)
        # The same template and bytes as the service's GET /api/threads/<slug>/comments.html.
        replies_to = thread_html.reply_url(comments_url, article.slug, article.comments_open)
        article.comments_html = (thread_html.render_thread(comments, replies_to) if comments
                                 else no_comments)


def describe_link(content) -> None:
    """A post's or page's link and title, escaped once. Templates ask for content.url many
    times and Pelican formats it anew each time; override_url (Pelican's own per-content URL)
    keeps the value it computes."""
    if not hasattr(content, "override_url"):
        content.override_url = content.url
    content.url_html = str(escape(content.url))
    content.title_html = str(escape(content.title))


def prepare_pages(generator) -> None:
    """Pages appear in the menu of every page: escape their title and link once."""
    for page in chain(generator.pages, generator.translations, generator.hidden_pages,
                      generator.hidden_translations, generator.draft_pages,
                      generator.draft_translations):
        describe_link(page)


class PostCards:
    """post_card(article, SITEURL) for the theme: a post's summary as listings show it.

    A post appears on the index and on its category's and each of its tags' pages; this
    renders the theme's _post_summary.html macro once per post and gives back the same markup
    every time after. It renders on first use, when Pelican has settled the summary's links."""

    def __init__(self, env, comments_url: str | None):
        self._env = env
        self._comments_url = comments_url
        self._macro = None
        self._cards: dict = {}

    def __call__(self, article, siteurl: str) -> str:
        key = (id(article), siteurl)  # SITEURL differs per page when RELATIVE_URLS is on
        card = self._cards.get(key)
        if card is None:
            if self._macro is None:
                self._macro = self._env.get_template("_post_summary.html").module.post_summary
            card = self._cards[key] = self._macro(article, siteurl, self._comments_url)
        return card


def add_post_cards(generator) -> None:
    """Give the generator's templates post_card()."""
    generator.env.globals["post_card"] = PostCards(
        generator.env, generator.settings.get("COMMENTS_URL")
    )


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


def minify_theme_assets(pelican) -> None:
    """Replace the theme's CSS and JavaScript in the output with minified copies.

    Runs once the build has copied the theme's static files; each copy is minified from its
    source, so a rebuild gives the same bytes. MINIFY_ASSETS = False keeps them as written."""
    settings = pelican.settings
    if not settings.get("MINIFY_ASSETS", True):
        return
    import rcssmin
    import rjsmin

    minifiers = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}
    theme = Path(settings["THEME"])
    target = Path(pelican.output_path) / settings["THEME_STATIC_DIR"]
    for static in settings["THEME_STATIC_PATHS"]:
        source = theme / static
        # Pelican copies a static folder's contents, or a single file, into THEME_STATIC_DIR.
        files = source.rglob("*") if source.is_dir() else [source]
        for path in files:
            minify = minifiers.get(path.suffix)
            output = target / (path.relative_to(source) if source.is_dir() else path.name)
            if minify and path.is_file() and output.is_file():
                output.write_text(minify(path.read_text(encoding="utf-8")), encoding="utf-8")


def register():
    signals.generator_init.connect(add_post_cards)
    signals.article_generator_finalized.connect(prepare_articles)
    signals.page_generator_finalized.connect(prepare_pages)
    signals.article_writer_finalized.connect(write_threads)
    signals.finalized.connect(minify_theme_assets)
