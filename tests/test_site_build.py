"""Build the real site (real pelican.conf.py, real theme and plugin) into a temporary folder."""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from pelican import Pelican
from pelican.settings import read_settings

from comments_service import store

ROOT = Path(__file__).resolve().parent.parent
POSTS = ["say-hello-call", "stop-just-checking-in", "call-again-no-callback",
         "warm-vs-cold-leads", "how-often-touch-base"]

EXTRA_POSTS = {
    "draft-post.md": "Title: A draft\nDate: 2026-11-01\nSlug: draft-post\nStatus: draft\n"
                     "Tags: drafts\nSummary: Not yet.\n\nUnfinished.\n",
    "closed-post.md": "Title: Closed for comments\nDate: 2026-08-01\nSlug: closed-post\n"
                      "Category: Follow-ups\nTags: etiquette\nComments: closed\n"
                      "Summary: No comments here.\n\nThis thread is closed.\n",
    "script-title.md": "Title: <script>alert('title')</script> Hostile & title\nDate: 2026-08-02\n"
                       "Slug: script-title\nCategory: Leads\nTags: leads, <b>tag</b>\n"
                       "Summary: A title that tries to run code.\n\nBody text.\n",
}


class WarningRecorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def build(tmp: Path, content: Path, database: Path | None = None,
          **overrides) -> tuple[Path, list[str]]:
    output = tmp / "output"
    settings = read_settings(
        str(ROOT / "pelican.conf.py"),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "CACHE_PATH": str(tmp / "cache"),
            "COMMENTS_DATABASE": str(database or tmp / "no-database.db"),
            **overrides,
        },
    )
    recorder = WarningRecorder()
    logging.getLogger().addHandler(recorder)
    try:
        Pelican(settings).run()
    finally:
        logging.getLogger().removeHandler(recorder)
    return output, recorder.messages


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The real content only: what `make html` builds."""
    tmp = tmp_path_factory.mktemp("site")
    output, warnings = build(tmp, ROOT / "content")
    return output, warnings


@pytest.fixture(scope="module")
def site_with_extras(tmp_path_factory):
    """The real content plus a draft, a closed post and a hostile title."""
    tmp = tmp_path_factory.mktemp("extras")
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    for name, text in EXTRA_POSTS.items():
        (content / name).write_text(text, encoding="utf-8")
    output, _ = build(tmp, content)
    return output


def read(output: Path, path: str) -> str:
    return (output / path).read_text(encoding="utf-8")


def test_build_has_no_warnings(site):
    _, warnings = site
    assert warnings == []


@pytest.mark.parametrize(
    "path",
    ["index.html", "archives/index.html", "404.html", "pages/about/index.html",
     "pages/comment-policy/index.html", "feeds/all.atom.xml", "theme/css/main.css",
     "theme/js/comments.js", "threads.json"]
    + [f"{slug}/index.html" for slug in POSTS],
)
def test_output_has_every_page(site, path):
    output, _ = site
    assert (output / path).is_file()


def test_category_and_tag_pages_exist(site):
    output, _ = site
    assert list((output / "category").glob("*/index.html"))
    assert list((output / "tag").glob("*/index.html"))
    assert list((output / "feeds" / "category").glob("*.atom.xml"))
    assert list((output / "feeds" / "tag").glob("*.atom.xml"))


def test_feeds_parse_without_error(site):
    output, _ = site
    feeds = list((output / "feeds").rglob("*.atom.xml"))
    assert len(feeds) > 3
    for feed_file in feeds:
        feed = feedparser.parse(feed_file.read_bytes())
        assert not feed.bozo, (feed_file, feed.bozo_exception)
        assert feed.entries
    everything = feedparser.parse((output / "feeds" / "all.atom.xml").read_bytes())
    assert len(everything.entries) == len(POSTS)


@pytest.mark.parametrize("slug", POSTS)
def test_every_post_has_its_page_with_title_date_tags_and_comment_form(site, slug):
    output, _ = site
    html = read(output, f"{slug}/index.html")
    source = (ROOT / "content" / f"{slug}.md").read_text(encoding="utf-8")
    meta = dict(re.findall(r"^(\w+): (.*)$", source.split("\n\n")[0], re.MULTILINE))
    assert meta["Slug"] == slug
    assert f"<h1>{meta['Title']}</h1>" in html or f">{meta['Title']}</h1>" in html
    assert f'datetime="{meta["Date"][:10]}' in html
    for tag in meta["Tags"].split(","):
        assert f">{tag.strip()}</a>" in html
    assert f'data-thread="{slug}"' in html
    assert f'action="/api/threads/{slug}/comments"' in html
    assert 'method="post"' in html
    for field in ("author", "email", "website", "body"):
        assert f'name="{field}"' in html
    assert "never published" in html
    assert "/theme/js/comments.js" in html


@pytest.mark.parametrize("slug", POSTS)
def test_each_post_is_at_least_400_words(slug):
    source = (ROOT / "content" / f"{slug}.md").read_text(encoding="utf-8")
    body = source.split("\n\n", 1)[1]
    assert len(body.split()) >= 400


def test_index_pages_leave_a_slot_for_comment_counts(site):
    output, _ = site
    html = read(output, "index.html")
    for slug in POSTS:
        assert f'data-comment-count="{slug}"' in html


def test_threads_manifest_lists_published_posts(site):
    output, _ = site
    threads = json.loads(read(output, "threads.json"))["threads"]
    assert sorted(t["slug"] for t in threads) == sorted(POSTS)
    assert all(t["open"] and t["url"] == f"/{t['slug']}/" for t in threads)


def test_drafts_are_absent_and_get_no_thread(site_with_extras):
    output = site_with_extras
    slugs = [t["slug"] for t in json.loads(read(output, "threads.json"))["threads"]]
    assert "draft-post" not in slugs
    assert not (output / "draft-post").exists()
    assert "A draft" not in read(output, "index.html")
    assert "A draft" not in read(output, "archives/index.html")


def test_metadata_closes_a_thread(site_with_extras):
    output = site_with_extras
    threads = {t["slug"]: t for t in json.loads(read(output, "threads.json"))["threads"]}
    assert threads["closed-post"]["open"] is False
    html = read(output, "closed-post/index.html")
    assert 'data-open="false"' in html
    assert "Comments are closed" in html
    assert "<form" not in html.split('id="comments"', 1)[1]


@pytest.mark.parametrize(
    "path",
    ["script-title/index.html", "index.html", "archives/index.html", "category/leads/index.html",
     "tag/leads/index.html", "feeds/all.atom.xml"],
)
def test_a_title_with_script_is_escaped_everywhere(site_with_extras, path):
    html = read(site_with_extras, path)
    assert "<script>alert" not in html
    assert "<b>tag</b>" not in html
    if not path.endswith(".xml"):
        assert "&lt;script&gt;alert(" in html


def test_built_html_has_no_inline_script_or_style(site_with_extras):
    for page in site_with_extras.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for script in re.findall(r"<script[^>]*>", html):
            assert "src=" in script, (page, script)
        assert not re.search(r"<[^>]+\sstyle=", html), page
        assert not re.search(r"<[^>]+\son[a-z]+=", html), page


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def test_internal_links_resolve_to_files_that_exist(site_with_extras):
    output = site_with_extras
    broken = []
    for page in output.rglob("*.html"):
        collector = LinkCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        for link in collector.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/api/"):
                continue
            base = page.parent if not parts.path.startswith("/") else output
            target = (base / parts.path.lstrip("/")).resolve()
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append((str(page.relative_to(output)), link))
    assert broken == []


def test_approved_comments_are_baked_into_the_article(tmp_path):
    database = tmp_path / "comments.db"
    db = store.open_db(database)
    store.migrate(db)
    shown = store.add_comment(
        db, thread="say-hello-call", author="Rita <img src=x onerror=alert(1)>",
        website="https://rita.example", body="Baked *in*", body_html="<p>Baked <em>in</em></p>",
        status=store.APPROVED,
    )
    reply = store.add_comment(
        db, thread="say-hello-call", author="Sam", body="A reply", body_html="<p>A reply</p>",
        status=store.APPROVED, parent_id=shown, depth=1,
    )
    store.add_comment(
        db, thread="say-hello-call", author="Pending Pat", body="Not yet", body_html="<p>Not yet</p>",
        status=store.PENDING,
    )
    db.close()
    output, _ = build(tmp_path, ROOT / "content", database)
    html = read(output, "say-hello-call/index.html")
    assert f'id="c{shown}"' in html and "<p>Baked <em>in</em></p>" in html
    assert "Rita &lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="https://rita.example"' in html
    # The reply sits inside its parent's list item.
    parent_item = html.split(f'id="c{shown}"', 1)[1]
    assert f'id="c{reply}"' in parent_item.split('class="comment-form"', 1)[0]
    assert f'href="/api/threads/say-hello-call/reply/{shown}"' in html
    assert "Pending Pat" not in html
    assert "No comments yet" not in html
    assert "No comments yet" in read(output, "warm-vs-cold-leads/index.html")


def post_metadata(slug: str) -> dict[str, str]:
    source = (ROOT / "content" / f"{slug}.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^(\w+): (.*)$", source.split("\n\n")[0], re.MULTILINE))


def post_tags(slug: str) -> set[str]:
    return {tag.strip() for tag in post_metadata(slug)["Tags"].split(",")}


@pytest.mark.parametrize("slug", POSTS)
def test_article_shows_reading_time_neighbours_and_related_posts(site, slug):
    output, _ = site
    html = read(output, f"{slug}/index.html")
    body = html.split('<div class="post-content">', 1)[1].split("</article>", 1)[0]
    words = len(re.sub(r"<[^>]+>", " ", body).split())
    assert re.findall(r"</span> (\d+) min read", html) == [str(max(1, math.ceil(words / 220)))]

    threads = json.loads(read(output, "threads.json"))["threads"]
    by_date = [t["slug"] for t in sorted(threads, key=lambda t: t["date"])]
    position = by_date.index(slug)
    older = re.search(r'class="post-nav-older"><a href="/([^"/]+)/"', html)
    newer = re.search(r'class="post-nav-newer"><a href="/([^"/]+)/"', html)
    assert (older and older.group(1)) == (by_date[position - 1] if position else None)
    assert (newer and newer.group(1)) == (by_date[position + 1] if position + 1 < len(by_date)
                                          else None)

    aside = html.split('<aside class="related"', 1)[1].split("</aside>", 1)[0]
    related = re.findall(r'<li><a href="/([^"/]+)/">', aside)
    sharing = [other for other in POSTS if other != slug and post_tags(other) & post_tags(slug)]
    assert related and len(related) == min(3, len(sharing))
    shared = [len(post_tags(other) & post_tags(slug)) for other in related]
    assert set(related) <= set(sharing) and shared == sorted(shared, reverse=True)


def summary_cards(html: str) -> dict[str, str]:
    return dict(re.findall(
        r'(?s)<article class="post-summary" aria-labelledby="title-([^"]+)">(.*?)</article>', html
    ))


def test_each_listing_shows_a_post_with_its_own_title_category_and_tags(site):
    output, _ = site
    index = summary_cards(read(output, "index.html"))
    assert sorted(index) == sorted(POSTS)
    for slug, card in index.items():
        meta = post_metadata(slug)
        assert f'<a href="/{slug}/">{meta["Title"]}</a>' in card
        assert f'>{meta["Category"]}</a>' in card
        assert {tag for tag in re.findall(r'rel="tag">([^<]+)</a>', card)} == post_tags(slug)
        # The same card on the post's category page and on each of its tags' pages.
        category = output / "category" / meta["Category"].lower().replace(" ", "-")
        pages = [category] + [output / "tag" / tag.lower().replace(" ", "-")
                              for tag in post_tags(slug)]
        for page in pages:
            assert summary_cards(read(page, "index.html")).get(slug) == card, page


def string_literals(javascript: str) -> set[str]:
    return set(re.findall(r'"(?:[^"\\\n]|\\.)*"', javascript))


def class_selectors(css: str) -> set[str]:
    return set(re.findall(r"\.([a-zA-Z][\w-]*)", re.sub(r"(?s)/\*.*?\*/", "", css)))


def test_theme_css_and_js_are_minified_and_keep_every_rule_and_string(site):
    output, _ = site
    css_source = (ROOT / "theme" / "static" / "css" / "main.css").read_text(encoding="utf-8")
    css = read(output, "theme/css/main.css")
    js_source = (ROOT / "theme" / "static" / "js" / "comments.js").read_text(encoding="utf-8")
    js = read(output, "theme/js/comments.js")
    assert len(css) < 0.9 * len(css_source) and len(js) < 0.9 * len(js_source)
    assert "/*" not in css and "\n  " not in css
    assert not re.search(r"(?m)^\s*//", js) and "/* Touch Base" not in js
    assert class_selectors(css) == class_selectors(css_source)
    assert css.count("@media") == css_source.count("@media")
    assert css.count("var(--") == css_source.count("var(--")
    assert string_literals(js) == string_literals(js_source)
    assert '"#comment-thread"' in string_literals(js)


def test_minify_assets_off_keeps_the_theme_files_as_written(tmp_path):
    output, _ = build(tmp_path, ROOT / "content", MINIFY_ASSETS=False)
    for name in ("css/main.css", "js/comments.js"):
        assert (output / "theme" / name).read_bytes() == \
            (ROOT / "theme" / "static" / name).read_bytes()
