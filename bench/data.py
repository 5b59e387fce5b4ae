"""Deterministic benchmark data: comment threads, the thread manifest, and the databases.

The same generated comments go into our database (through `store.add_comment`) and into
Isso's (through its own schema, by bench/isso_load.py run in Isso's venv), so both services
answer for identical content. The million-comment database is written with executemany in
large transactions and cached in bench/.work/.
"""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from comments_service import store
from comments_service.sanitize import render_comment
from comments_service.threads import write_manifest

LIST_SLUG = "bench-thread"      # the thread of 50 comments with replies that is listed
POST_SLUG = "bench-post"        # the thread the post benchmark writes into
LIST_COMMENTS = 50
LIST_PENDING = 5                # held comments in the listed thread (never shown)
MAX_DEPTH = 5                   # as in the API: replies stop nesting at 5
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)

NAMES = [
    "Ada", "Grace", "Linus", "Margaret", "Tim", "Barbara", "Ken", "Radia", "Dennis", "Frances",
    "Alan", "Katherine", "Donald", "Edsger", "Hedy", "Guido", "Anita", "Bjarne", "Sophie",
    "Niklaus",
]
SENTENCES = [
    "I used to send a follow-up the very next morning, and it never once helped.",
    "A short note that mentions something specific from the conversation works far better.",
    "Silence is rarely a verdict; most people are simply busy.",
    "We tried a two-week rule in our team and the reply rate went up noticeably.",
    "The hardest part is writing the first line without sounding like a template.",
    "Phone calls still work, but only if you leave a voicemail that says why you called.",
    "I keep a plain spreadsheet of who I met, where, and what we talked about.",
    "Thank you for writing this; it matches my experience at trade fairs exactly.",
    "Asking a real question gives the other person an easy reason to answer.",
    "There is a difference between persistence and pressure, and people can feel it.",
    "Holiday greetings are underrated as a low-effort way to stay in touch.",
    "I disagree a little: some industries expect a faster follow-up than this.",
    "After three unanswered messages I stop, and I say so politely in the third one.",
    "A referral from a mutual contact changes the tone of the whole exchange.",
    "LinkedIn messages get lost; an email with a clear subject line does not.",
    "Closing the loop graciously has won me more work than any clever opener.",
]
EXTRAS = [
    "See *this* [guide](https://example.com/guides/follow-up) for more.",
    "**Rule of thumb:** wait a week, then try once more.",
    "> Assume good faith, and plan your next step.",
    "- mention the event\n- ask one question\n- offer something useful",
    "The subject line `Quick question about the panel` worked for me.",
    "More at https://example.org/notes/networking and on my blog.",
]
TAG_POOL = [
    "follow-up", "phone calls", "email", "etiquette", "conferences", "linkedin", "referrals",
    "small talk", "introductions", "thank-you notes", "meetings", "cold outreach", "mentors",
    "events", "coffee chats", "remote work", "voicemail", "gratitude", "boundaries", "timing",
]
CATEGORIES = ["Follow-ups", "Leads", "Events", "Introductions", "Habits"]


def count_slug(index: int) -> str:
    """The slug of the index-th thread used for counts (and of the index-th generated post)."""
    return f"post-{index:04d}"


def make_body(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        paragraphs.append(" ".join(rng.sample(SENTENCES, rng.randint(1, 3))))
    if rng.random() < 0.4:
        paragraphs.insert(rng.randint(0, len(paragraphs)), rng.choice(EXTRAS))
    return "\n\n".join(paragraphs)


def thread_comments(
    rng: random.Random, slug: str, approved: int, pending: int = 0, start: datetime = EPOCH,
    top_level: float = 0.35,
) -> list[dict]:
    """Comments of one thread, oldest first, with replies. Parents are indexes into the list."""
    comments: list[dict] = []
    moment = start
    for index in range(approved + pending):
        moment += timedelta(minutes=rng.randint(1, 600), seconds=rng.randint(0, 59))
        is_approved = index < approved
        parent = None
        depth = 0
        published = [i for i, c in enumerate(comments) if c["status"] == store.APPROVED]
        if published and rng.random() > top_level:
            parent = rng.choice(published)
            depth = comments[parent]["depth"] + 1
            if depth > MAX_DEPTH:  # as the API does: attach to the grandparent, at depth 5
                parent, depth = comments[parent]["parent"], MAX_DEPTH
        name = rng.choice(NAMES)
        email = f"{name.lower()}{rng.randint(1, 99)}@example.com" if rng.random() < 0.5 else ""
        comments.append(
            {
                "thread": slug,
                "parent": parent,
                "depth": depth,
                "author": name,
                "email": email,
                "website": f"https://{name.lower()}.example.net/" if rng.random() < 0.3 else "",
                "body": make_body(rng),
                "status": store.APPROVED if is_approved else store.PENDING,
                "created": moment,
            }
        )
    # Held comments come last and are never parents (one cannot reply to a held comment).
    return comments


def small_dataset(count_threads: int = 1000, seed: int = 7) -> dict:
    """One thread of 50 comments with replies, an empty thread to post into, and `count_threads`
    other threads with 0-6 comments each (for counts)."""
    rng = random.Random(seed)
    threads = [
        manifest_entry(LIST_SLUG, "The thread everyone reads"),
        manifest_entry(POST_SLUG, "The thread everyone writes to"),
    ]
    comments = thread_comments(rng, LIST_SLUG, LIST_COMMENTS, LIST_PENDING)
    for index in range(count_threads):
        slug = count_slug(index)
        threads.append(manifest_entry(slug, f"Generated post {index}"))
        comments += thread_comments(
            rng, slug, rng.randint(0, 6), 1 if rng.random() < 0.2 else 0,
            start=EPOCH + timedelta(days=index % 700),
        )
    return {"threads": threads, "comments": comments}


def manifest_entry(slug: str, title: str) -> dict:
    return {
        "slug": slug,
        "title": title,
        "url": f"/{slug}/",
        "date": "2026-11-01T09:00:00+00:00",
        "open": True,
    }


def write_site(site_dir: Path, threads: list[dict]) -> None:
    """The part of a built site the service reads: threads.json."""
    write_manifest(site_dir, threads)


def load_ours(db_path: Path, data: dict) -> dict[str, int]:
    """Load the dataset through store.add_comment (markdown sanitized once, as the API does).

    Returns the number of rows written per thread."""
    db = store.open_db(db_path)
    store.migrate(db)
    ids: list[int | None] = []
    thread_start = {}
    written: dict[str, int] = {}
    rendered: dict[str, str] = {}
    with db.atomic():
        for position, c in enumerate(data["comments"]):
            thread_start.setdefault(c["thread"], position)
            parent_id = None
            if c["parent"] is not None:
                parent_id = ids[thread_start[c["thread"]] + c["parent"]]
            html = rendered.get(c["body"])
            if html is None:
                html = rendered[c["body"]] = render_comment(c["body"])
            ids.append(
                store.add_comment(
                    db, thread=c["thread"], author=c["author"], email=c["email"],
                    website=c["website"], body=c["body"], body_html=html, status=c["status"],
                    parent_id=parent_id, depth=c["depth"], now=c["created"],
                )
            )
            written[c["thread"]] = written.get(c["thread"], 0) + 1
    db.close()
    return written


def isso_dump(data: dict, path: Path) -> None:
    """The dataset in Isso's terms (uri, epoch seconds, mode 1 = published, 2 = held)."""
    out = {
        "threads": [{"uri": t["url"], "title": t["title"]} for t in data["threads"]],
        "comments": [
            {
                "uri": f"/{c['thread']}/",
                "parent": c["parent"],
                "created": c["created"].timestamp(),
                "mode": 1 if c["status"] == store.APPROVED else 2,
                "remote_addr": "127.0.0.0",
                "text": c["body"],
                "author": c["author"],
                "email": c["email"] or None,
                "website": c["website"] or None,
            }
            for c in data["comments"]
        ],
    }
    path.write_text(json.dumps(out), encoding="utf-8")


# --- a million comments ------------------------------------------------------------------

MILLION_VERSION = 1  # bump when the generator changes, so a cached file is not reused
COLUMNS = (
    "id", "thread", "parent_id", "depth", "author", "email", "website", "body", "body_html",
    "status", "by_moderator", "notify", "created_at", "updated_at", "fingerprint", "spam_score",
    "spam_reasons",
)


def million_threads(threads: int) -> list[dict]:
    entries = [manifest_entry(LIST_SLUG, "The thread everyone reads")]
    entries += [manifest_entry(f"m-{i:05d}", f"Archive post {i}") for i in range(threads - 1)]
    return entries


def generate_million(path: Path, total: int = 1_000_000, threads: int = 10_000, seed: int = 11,
                     log=print) -> Path:
    """Write `total` comments across `threads` threads (the listed thread is the same 50+5 as in
    the small database). Reused when the file exists; then only pending migrations run."""
    if path.exists():
        db = store.open_db(path)
        store.migrate(db)
        db.close()
        return path
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    db = store.open_db(partial)
    store.migrate(db)
    listed = _listed_thread_rows()
    generated = _generated_rows(random.Random(seed), total - len(listed), threads - 1, len(listed) + 1)
    _bulk_insert(db.conn, itertools.chain(listed, generated))
    db.close()
    partial.rename(path)
    log(f"  generated {total:,} comments in {threads:,} threads in "
        f"{time.perf_counter() - started:.0f} s -> {path}")
    return path


def _listed_thread_rows() -> list[tuple]:
    """The listed thread: the very same comments as in the small database, ids from 1."""
    small = small_dataset(count_threads=0)
    rows = []
    for next_id, c in enumerate((c for c in small["comments"] if c["thread"] == LIST_SLUG), start=1):
        stamp = store.isoformat(c["created"])
        parent_id = 1 + c["parent"] if c["parent"] is not None else None
        rows.append((next_id, c["thread"], parent_id, c["depth"], c["author"], c["email"],
                     c["website"], c["body"], render_comment(c["body"]), c["status"], 0, 0, stamp,
                     stamp, "", 0.0, "[]"))
    return rows


def _generated_rows(rng: random.Random, remaining: int, threads: int, next_id: int):
    """`remaining` comments over `threads` threads, 60 % of them replies, 17 in 20 approved."""
    bodies = [make_body(rng) for _ in range(400)]
    bodies_html = [render_comment(body) for body in bodies]
    per_thread, extra = divmod(remaining, threads)
    statuses = [store.APPROVED] * 17 + [store.PENDING] * 2 + [store.SPAM]
    for t in range(threads):
        first, depths = next_id, []
        moment = EPOCH.timestamp() + t * 3000.0
        for k in range(per_thread + (1 if t < extra else 0)):
            moment += rng.randint(60, 36000)
            parent_id, depth = None, 0
            if k and rng.random() < 0.6:
                p = rng.randrange(k)
                parent_id, depth = first + p, min(depths[p] + 1, MAX_DEPTH)
            depths.append(depth)
            b = rng.randrange(len(bodies))
            stamp = datetime.fromtimestamp(moment, timezone.utc).isoformat(
                timespec="microseconds").replace("+00:00", "Z")
            yield (next_id, f"m-{t:05d}", parent_id, depth, NAMES[(t + k) % len(NAMES)], "", "",
                   bodies[b], bodies_html[b], statuses[rng.randrange(20)], 0, 0, stamp, stamp, "", 0.0, "[]")
            next_id += 1


def _bulk_insert(conn, rows) -> None:
    """Insert in batches of 100,000 with the indexes dropped, then rebuild them from their own
    definitions: one build instead of a million updates."""
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'comments'"
        " AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("PRAGMA synchronous = OFF")
    insert = f"INSERT INTO comments ({', '.join(COLUMNS)}) VALUES ({','.join('?' for _ in COLUMNS)})"
    for batch in _batches(rows):
        conn.execute("BEGIN")
        conn.executemany(insert, batch)
        conn.execute("COMMIT")
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _batches(rows, size: int = 100_000):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def million_path(work: Path) -> Path:
    return work / f"million-v{MILLION_VERSION}.db"


def sample_counts(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT count(*) FROM comments").fetchone()[0]
    finally:
        conn.close()


def query_times(small_db: Path, million_db: Path, slugs: list[str], million_slugs: list[str],
                repeat: int = 200) -> list[str]:
    """Time the list and counts queries straight on each database (no cache), and show the
    plans SQLite picks on the big one."""
    lines = []
    for label, path, counted in (("small", small_db, slugs),
                                 ("million", million_db, million_slugs)):
        db = store.open_db(path)
        for what, run in (
            ("list_approved", lambda db=db: store.list_approved(db, LIST_SLUG)),
            ("count_approved x10", lambda db=db, c=counted: store.count_approved(db, c)),
        ):
            run()
            started = time.perf_counter()
            for _ in range(repeat):
                run()
            each = (time.perf_counter() - started) / repeat
            lines.append(f"{label:8} {what:20} {each * 1e6:8.0f} us")
        if label == "million":
            marks = ",".join("?" for _ in counted)
            for sql, params in (
                ("SELECT * FROM comments WHERE thread = ? AND status = ? ORDER BY created_at, id",
                 [LIST_SLUG, store.APPROVED]),
                (f"SELECT thread, count(*) FROM comments WHERE status = ? AND thread IN ({marks})"
                 " GROUP BY thread", [store.APPROVED, *counted]),
            ):
                plan = "; ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
                lines.append(f"plan: {plan}")
        db.close()
    return lines
