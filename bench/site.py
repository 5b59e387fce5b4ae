"""The site build: 1,000 generated posts with our theme and plugin against Pelican's stock
`simple` theme with no plugins, full builds from an empty cache; then a cached rebuild after
one comment approval. Also the weight of an article page and of the comment widget."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import resource
import shutil
import subprocess
import time
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

from comments_service import store

from . import ROOT
from .data import CATEGORIES, TAG_POOL, count_slug, load_ours, small_dataset

PELICAN = ROOT / ".venv" / "bin" / "pelican"

ARTICLE_SENTENCES = [
    "Most people are not ignoring you; they are busy, and your message arrived at a bad moment.",
    "A good follow-up is short, specific, and easy to answer with a single line.",
    "Mention where you met and one detail of the conversation, so they can place you at once.",
    "If you promised to send something, send it first and ask for nothing in the same message.",
    "Wait about a week before the first nudge, and longer before the second.",
    "Changing channel, from email to a phone call or the other way round, often helps.",
    "Three attempts without an answer is a reasonable point to stop, politely.",
    "A thank-you note after a meeting is remembered far longer than the meeting itself.",
    "Keep a simple record of whom you met and what you discussed; memory is unreliable.",
    "Introductions work best when both sides have agreed to them beforehand.",
    "Do not ask for a favour in the first message to someone you barely know.",
    "Be generous with your time and careful with other people's.",
]
HEADINGS = ["Why it matters", "What to say", "When to wait", "How to close the loop",
            "Common mistakes", "A simple routine"]


def generate_posts(content: Path, count: int, seed: int = 5) -> None:
    """`count` Markdown posts (about 4 KB each, like the real ones) plus the real pages."""
    marker = content / f".generated-{count}-{seed}"
    if marker.exists():
        return
    shutil.rmtree(content, ignore_errors=True)
    (content / "posts").mkdir(parents=True)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    rng = random.Random(seed)
    start = datetime(2023, 1, 2, 9, 0)
    for index in range(count):
        slug = count_slug(index)
        date = start + timedelta(hours=19 * index)
        sections = []
        for heading in rng.sample(HEADINGS, 3):
            paragraphs = [" ".join(rng.sample(ARTICLE_SENTENCES, 4)) for _ in range(2)]
            if rng.random() < 0.5:
                paragraphs.append("\n".join(f"- {s}" for s in rng.sample(ARTICLE_SENTENCES, 3)))
            if rng.random() < 0.3:
                paragraphs.append(f"**In short:** {rng.choice(ARTICLE_SENTENCES)}")
            sections.append(f"## {heading}\n\n" + "\n\n".join(paragraphs))
        text = (
            f"Title: Generated post {index}: {rng.choice(HEADINGS).lower()}\n"
            f"Date: {date:%Y-%m-%d %H:%M}\n"
            f"Slug: {slug}\n"
            f"Category: {rng.choice(CATEGORIES)}\n"
            f"Tags: {', '.join(rng.sample(TAG_POOL, 3))}\n"
            f"Summary: {rng.choice(ARTICLE_SENTENCES)}\n\n"
            f"{' '.join(rng.sample(ARTICLE_SENTENCES, 3))}\n\n" + "\n\n".join(sections) + "\n"
        )
        (content / "posts" / f"{slug}.md").write_text(text, encoding="utf-8")
    marker.touch()


def write_settings(folder: Path, database: Path) -> tuple[Path, Path]:
    """Two settings files that load pelican.conf.py by path: ours, and the stock theme's."""
    common = (
        "from pelican.settings import get_settings_from_file\n"
        f"globals().update(get_settings_from_file({str(ROOT / 'pelican.conf.py')!r}))\n"
        f"COMMENTS_DATABASE = {str(database)!r}\n"
    )
    ours = folder / "ours.conf.py"
    ours.write_text(common + f"CACHE_PATH = {str(folder / 'cache-ours')!r}\n", encoding="utf-8")
    stock = folder / "stock.conf.py"
    stock.write_text(
        common + f"CACHE_PATH = {str(folder / 'cache-stock')!r}\n"
        "THEME = 'simple'\nPLUGINS = []\n"
        "DIRECT_TEMPLATES = ['index', 'archives']  # the stock theme has no 404 template\n",
        encoding="utf-8",
    )
    return ours, stock


def build(content: Path, output: Path, settings: Path, *, fresh: bool) -> tuple[float, float]:
    """Run the pelican command once: (wall seconds, CPU seconds of the build process).

    `fresh`: no output folder and no cache. The machine may be shared, so ratios use the CPU
    time (user + system) of the build, which other processes disturb far less than wall time."""
    text = settings.read_text(encoding="utf-8")
    cache = Path(re.search(r"CACHE_PATH = '([^']+)'", text).group(1))
    if fresh:
        shutil.rmtree(output, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    argv = [str(PELICAN), str(content), "-o", str(output), "-s", str(settings), "-q"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # The plugin from this tree, as the servers run it (cwd=ROOT), not from wherever the venv's
    # editable install points: a second worktree sharing one venv measures its own code.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    subprocess.run(argv, check=True, cwd=settings.parent, env=env, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _runs(times: list[tuple[float, float]]) -> str:
    return ", ".join(f"{wall:.2f} s wall / {cpu:.2f} s CPU" for wall, cpu in times)


def bench_build(work: Path, posts: int = 1000, rounds: int = 2, log=print) -> dict:
    folder = work / "site-build"
    folder.mkdir(parents=True, exist_ok=True)
    content = folder / f"content-{posts}"
    generate_posts(content, posts)
    database = folder / "comments.db"
    for leftover in folder.glob("comments.db*"):
        leftover.unlink()
    load_ours(database, small_dataset(count_threads=posts))
    ours_conf, stock_conf = write_settings(folder, database)
    ours_out, stock_out = folder / "out-ours", folder / "out-stock"

    ours_runs, stock_runs = [], []
    for _ in range(rounds):  # alternate, and keep each one's best run
        ours_runs.append(build(content, ours_out, ours_conf, fresh=True))
        stock_runs.append(build(content, stock_out, stock_conf, fresh=True))
    full = min(cpu for _, cpu in ours_runs)
    stock = min(cpu for _, cpu in stock_runs)
    log(f"  full build, {posts} posts, our theme + plugin:   best {full:5.2f} s CPU"
        f"  ({_runs(ours_runs)})")
    log(f"  full build, {posts} posts, stock 'simple' theme: best {stock:5.2f} s CPU"
        f"  ({_runs(stock_runs)})")

    # One comment approval, then a rebuild on the cache the last full build left.
    db = store.open_db(database)
    comment_id, slug = db.execute(
        "SELECT id, thread FROM comments WHERE status = ? AND thread LIKE 'post-%'"
        " ORDER BY id LIMIT 1",
        [store.PENDING],
    ).fetchone()
    store.set_status(db, comment_id, store.APPROVED)
    db.close()
    page = ours_out / slug / "index.html"
    marker = f'id="c{comment_id}"'
    if marker in page.read_text(encoding="utf-8"):
        raise RuntimeError(f"comment {comment_id} is on {page} before its approval")
    rebuild_runs = [build(content, ours_out, ours_conf, fresh=False)]
    if marker not in page.read_text(encoding="utf-8"):
        raise RuntimeError(f"the rebuild did not bake approved comment {comment_id} into {page}")
    rebuild_runs.append(build(content, ours_out, ours_conf, fresh=False))
    rebuild = min(cpu for _, cpu in rebuild_runs)
    log(f"  cached rebuild after one approval (every page):  best {rebuild:5.2f} s CPU"
        f"  ({_runs(rebuild_runs)})")
    return {
        "full_cpu_s": full, "stock_cpu_s": stock, "rebuild_cpu_s": rebuild,
        "build_vs_pelican": full / stock, "rebuild_vs_full": rebuild / full,
    }


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.css, self.js, self.external = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        url = None
        if tag == "link" and "stylesheet" in (a.get("rel") or ""):
            url = a.get("href")
            self.css.append(url)
        elif tag == "script" and a.get("src"):
            url = a["src"]
            self.js.append(url)
        elif tag in ("img", "iframe", "audio", "video", "source") and a.get("src"):
            url = a["src"]
        if url and re.match(r"^(https?:)?//", url):
            self.external.append(url)


def page_weights(work: Path, log=print) -> dict:
    """Build the real content with our theme (no comments) and weigh each article page:
    its HTML plus every stylesheet and script it loads. Also the widget, raw and gzipped."""
    folder = work / "real-site"
    output = folder / "output"
    folder.mkdir(parents=True, exist_ok=True)
    conf, _ = write_settings(folder, folder / "no-comments.db")
    build(ROOT / "content", output, conf, fresh=True)

    slugs = [t["slug"] for t in json.loads((output / "threads.json").read_text())["threads"]]
    pages = {}
    external = []
    for slug in slugs:
        html = (output / slug / "index.html").read_bytes()
        parser = _Assets()
        parser.feed(html.decode("utf-8"))
        external += parser.external
        css = sum((output / url.lstrip("/")).stat().st_size for url in parser.css)
        js = sum((output / url.lstrip("/")).stat().st_size for url in parser.js)
        pages[slug] = (len(html) + css + js, len(html), css, js)
    widget = output / "theme" / "js" / "comments.js"
    widget_bytes = widget.stat().st_size
    # The build minifies the theme's files; the source is what people edit.
    source_bytes = (ROOT / "theme" / "static" / "js" / "comments.js").stat().st_size
    widget_gz = len(gzip.compress(widget.read_bytes(), 9))
    heaviest = max(pages, key=lambda slug: pages[slug][0])
    total, html, css, js = pages[heaviest]
    log(f"  article page before comments, largest of {len(pages)}: {total:,} bytes = HTML {html:,}"
        f" + CSS {css:,} + JS {js:,} ({heaviest}); third-party requests: {len(external)}")
    log(f"  comment widget comments.js: {widget_bytes:,} bytes ({widget_gz:,} gzipped) as served;"
        f" source {source_bytes:,} bytes")
    return {"article_page_bytes": total, "widget_bytes": widget_bytes,
            "widget_source_bytes": source_bytes,
            "widget_gzip_bytes": widget_gz, "third_party_requests": len(external)}
