"""The only module that touches SQLite: connections, schema, and every query we make.

Knows nothing about HTTP. Timestamps are ISO 8601 strings in UTC.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import weakref
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

# sqlite-utils (and numpy, which it imports) load on first use, not with this module: the site
# build reads comments with the standard library alone (read_approved_for_build).
if TYPE_CHECKING:
    from sqlite_utils import Database

PENDING = "pending"
APPROVED = "approved"
SPAM = "spam"
DELETED = "deleted"
STATUSES = (PENDING, APPROVED, SPAM, DELETED)

# What the public API may show of a comment: an output allowlist.
PUBLIC_FIELDS = ("id", "parent_id", "author", "website", "body_html", "created_at", "by_moderator")
BUSY_TIMEOUT_MS = 5000


class CommentNotFound(LookupError):
    """No comment has that id."""


class StorageUnavailable(RuntimeError):
    """The database cannot be written (read-only or full disk)."""


_UNAVAILABLE = ("disk is full", "readonly", "read-only", "disk i/o error", "unable to open", "locked")


def is_storage_unavailable(error: sqlite3.OperationalError) -> bool:
    """True for a full, read-only, failing or locked disk; False for mistakes in our SQL."""
    message = str(error).lower()
    return any(words in message for words in _UNAVAILABLE)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def isoformat(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the database file in WAL mode with a busy timeout."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    from sqlite_utils import Database

    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    _configure(conn)
    db = Database(conn, execute_plugins=False)
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


_local = threading.local()


def connection(path: str | Path) -> Database:
    """One connection per thread (and so per gunicorn worker), reused across requests."""
    cache = getattr(_local, "dbs", None)
    if cache is None:
        cache = _local.dbs = {}
    key = str(path)
    db = cache.get(key)
    if db is None:
        db = cache[key] = open_db(key)
    return db


# Values derived from the database (a thread's rendered JSON, counts), kept per connection.
DERIVED_MAX = 1024
_derived: "weakref.WeakKeyDictionary[Database, tuple[tuple[int, int], dict]]" = (
    weakref.WeakKeyDictionary()
)


def derived(db: Database, key, build):
    """`build()`, or the value it returned earlier on this connection if nothing was written since.

    Nothing stale survives a write: `PRAGMA data_version` changes when any other connection
    (another worker, the CLI, a moderator) commits, and `total_changes` counts this connection's
    own writes. Any write drops every kept value. The stamp is read before `build()` reads, so
    a value is never kept under a stamp newer than its data.
    """
    conn = db.conn
    stamp = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    kept = _derived.get(db)
    if kept is None or kept[0] != stamp:
        kept = (stamp, {})
        _derived[db] = kept
    values = kept[1]
    try:
        return values[key]
    except KeyError:
        pass
    value = build()
    if len(values) >= DERIVED_MAX:
        values.pop(next(iter(values)))  # the oldest entry
    values[key] = value
    return value


def open_readonly(path: str | Path) -> Database | None:
    """Open an existing database read-only (for the site build); None when it is absent."""
    if not Path(path).exists():
        return None
    from sqlite_utils import Database

    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return Database(conn, execute_plugins=False)


def migrate(db: Database) -> None:
    """Bring the schema up to date."""
    from .migrations import migrations

    migrations.apply(db)


def pending_migrations(db: Database) -> list[str]:
    """The names of the migrations this database has not had yet."""
    from .migrations import migrations

    return [migration.name for migration in migrations.pending(db)]


def add_comment(
    db: Database,
    *,
    thread: str,
    author: str,
    body: str,
    body_html: str,
    status: str,
    email: str = "",
    website: str = "",
    parent_id: int | None = None,
    depth: int = 0,
    notify: bool = False,
    by_moderator: bool = False,
    fingerprint: str = "",
    spam_score: float = 0.0,
    spam_reasons: list[str] | None = None,
    now: datetime | None = None,
) -> int:
    """Store a new comment and return its id."""
    assert status in STATUSES
    stamp = isoformat(now or utcnow())
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO comments (thread, parent_id, depth, author, email, website, body,"
            " body_html, status, by_moderator, notify, created_at, updated_at, fingerprint,"
            " spam_score, spam_reasons) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                thread, parent_id, depth, author, email, website, body, body_html, status,
                int(by_moderator), int(notify), stamp, stamp, fingerprint, spam_score,
                json.dumps(spam_reasons or []),
            ],
        )
    return cursor.lastrowid


def fits_sqlite(number: int) -> bool:
    """SQLite cannot even compare a larger id: a 500 found by fuzzing (issue 6)."""
    return -(2**63) <= number < 2**63


def get_comment(db: Database, comment_id: int) -> dict:
    """Return one comment with every field; raises CommentNotFound."""
    if not fits_sqlite(comment_id):
        raise CommentNotFound(comment_id)
    rows = list(db.query("SELECT * FROM comments WHERE id = ?", [comment_id]))
    if not rows:
        raise CommentNotFound(comment_id)
    return rows[0]


def public(comment: dict) -> dict:
    """The fields of a comment anyone may see."""
    shown = {field: comment[field] for field in PUBLIC_FIELDS}
    shown["by_moderator"] = bool(shown["by_moderator"])
    shown["website"] = shown["website"] or ""
    return shown


def list_approved(db: Database, thread: str) -> list[dict]:
    """A thread's approved comments, oldest first, public fields only."""
    return [
        public(row)
        for row in db.query(
            "SELECT * FROM comments WHERE thread = ? AND status = ? ORDER BY created_at, id",
            [thread, APPROVED],
        )
    ]


_APPROVED_FOR_BUILD = (
    f"SELECT thread, {', '.join(PUBLIC_FIELDS)} FROM comments"
    " WHERE status = 'approved' ORDER BY thread, created_at, id"
)


def read_approved_for_build(path: str | Path | None) -> dict[str, list[dict]]:
    """Every approved comment grouped by thread, each thread as list_approved gives it.

    The site build's one read: read-only, with the standard library alone, so the build
    does not pay for importing sqlite-utils and numpy (0.15 s of CPU). {} when there is no
    database; sqlite3.Error for one it cannot read (an older schema, a damaged file)."""
    if not path or not Path(path).is_file():
        return {}
    grouped: dict[str, list[dict]] = {}
    conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        for thread, *values in conn.execute(_APPROVED_FOR_BUILD):
            comment = dict(zip(PUBLIC_FIELDS, values))
            comment["by_moderator"] = bool(comment["by_moderator"])
            comment["website"] = comment["website"] or ""
            grouped.setdefault(thread, []).append(comment)
    finally:
        conn.close()
    return grouped


def list_own(db: Database, thread: str, ids: list[int]) -> list[dict]:
    """The comments among `ids` in a thread still awaiting a moderator, as their author sees it.

    A comment held as spam is included: its author must not be able to tell it from any other
    held comment."""
    if not ids:
        return []
    marks = ",".join("?" for _ in ids)
    return list(
        db.query(
            f"SELECT * FROM comments WHERE thread = ? AND status IN (?, ?) AND id IN ({marks})"
            " ORDER BY created_at, id",
            [thread, PENDING, SPAM, *ids],
        )
    )


def count_approved(db: Database, slugs: list[str]) -> dict[str, int]:
    """Approved comment counts for many threads in one query; unknown slugs count 0."""
    counts = dict.fromkeys(slugs, 0)
    if not slugs:
        return counts
    marks = ",".join("?" for _ in slugs)
    for thread, count in db.execute(
        f"SELECT thread, count(*) FROM comments WHERE status = ? AND thread IN ({marks})"
        " GROUP BY thread",
        [APPROVED, *slugs],
    ).fetchall():
        counts[thread] = count
    return counts


def count_by_thread(db: Database) -> dict[str, dict[str, int]]:
    """For each thread, how many comments it has in each status."""
    counts: dict[str, dict[str, int]] = {}
    for thread, status, count in db.execute(
        "SELECT thread, status, count(*) FROM comments GROUP BY thread, status"
    ).fetchall():
        counts.setdefault(thread, dict.fromkeys(STATUSES, 0))[status] = count
    return counts


def recent_approved(db: Database, thread: str | None = None, limit: int = 50) -> list[dict]:
    """The newest approved comments, newest first, of one thread or of the whole site."""
    if thread is None:
        sql, args = "SELECT * FROM comments WHERE status = ?", [APPROVED]
    else:
        sql, args = "SELECT * FROM comments WHERE thread = ? AND status = ?", [thread, APPROVED]
    return list(db.query(sql + " ORDER BY created_at DESC, id DESC LIMIT ?", [*args, limit]))


def set_status(db: Database, comment_id: int, status: str, now: datetime | None = None) -> dict:
    """Move a comment to another status; returns the comment as it was before."""
    assert status in STATUSES
    before = get_comment(db, comment_id)
    with db.atomic():
        db.execute(
            "UPDATE comments SET status = ?, updated_at = ? WHERE id = ?",
            [status, isoformat(now or utcnow()), comment_id],
        )
    return before


def update_body(
    db: Database, comment_id: int, body: str, body_html: str, now: datetime | None = None
) -> None:
    """Replace a comment's text (already sanitized by the caller)."""
    get_comment(db, comment_id)
    with db.atomic():
        db.execute(
            "UPDATE comments SET body = ?, body_html = ?, updated_at = ? WHERE id = ?",
            [body, body_html, isoformat(now or utcnow()), comment_id],
        )


def is_healthy(db: Database) -> bool:
    """True when the database answers a query."""
    return db.execute("SELECT 1").fetchone() == (1,)


def parse_time(stamp: str) -> datetime:
    """Read a stored timestamp back as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


# --- Moderation: accounts, login failures, audit log, the queue, statistics, notices ---

# What a moderator may search in, and how each tab is ordered: allowlists, never user text.
SEARCH_COLUMNS = {
    "all": ("body", "author", "email"),
    "text": ("body",),
    "author": ("author",),
    "email": ("email",),
}
QUEUE_ORDER = {PENDING: "created_at, id"}
NEWEST_FIRST = "created_at DESC, id DESC"


class ModeratorExists(ValueError):
    """A moderator with that name exists already."""


def add_moderator(
    db: Database, *, name: str, email: str, password_hash: str, now: datetime | None = None
) -> int:
    """Create a moderator account; raises ModeratorExists."""
    stamp = isoformat(now or utcnow())
    try:
        with db.atomic():
            cursor = db.execute(
                "INSERT INTO moderators (name, email, password_hash, created_at, password_changed_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [name, email, password_hash, stamp, stamp],
            )
    except sqlite3.IntegrityError:
        raise ModeratorExists(name) from None
    return cursor.lastrowid


def get_moderator(db: Database, moderator_id: int) -> dict | None:
    """The moderator with that id, or None (the account was removed)."""
    rows = list(db.query("SELECT * FROM moderators WHERE id = ?", [moderator_id]))
    return rows[0] if rows else None


def find_moderator(db: Database, name: str) -> dict | None:
    """The moderator with that name (any case), or None."""
    rows = list(db.query("SELECT * FROM moderators WHERE name = ?", [name]))
    return rows[0] if rows else None


def list_moderators(db: Database) -> list[dict]:
    """Every moderator account, by name."""
    return list(db.query("SELECT * FROM moderators ORDER BY name"))


def remove_moderator(db: Database, name: str) -> bool:
    """Delete an account; False when there was none by that name."""
    with db.atomic():
        cursor = db.execute("DELETE FROM moderators WHERE name = ?", [name])
    return cursor.rowcount > 0


def set_moderator_password(
    db: Database, name: str, password_hash: str, now: datetime | None = None
) -> bool:
    """Replace a moderator's password hash; False when there is no such account."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE moderators SET password_hash = ?, password_changed_at = ? WHERE name = ?",
            [password_hash, isoformat(now or utcnow()), name],
        )
    return cursor.rowcount > 0


def moderator_emails(db: Database) -> list[str]:
    """The addresses of the moderators who gave one."""
    return [row[0] for row in db.execute("SELECT email FROM moderators WHERE email != '' ORDER BY name")]


def add_login_failure(db: Database, name: str, client: str, now: datetime) -> None:
    """Remember a failed login (and forget those older than a day)."""
    with db.atomic():
        db.execute(
            "INSERT INTO login_failures (name, client, at) VALUES (?, ?, ?)",
            [name.lower(), client, isoformat(now)],
        )
        db.execute("DELETE FROM login_failures WHERE at < ?", [isoformat(now - timedelta(days=1))])


def login_failures_since(db: Database, name: str, client: str, since: datetime) -> list[str]:
    """Times of the failures since `since` for that account, then those for that client; newest first."""
    times = []
    for column, value in (("name", name.lower()), ("client", client)):
        times.append([
            row[0]
            for row in db.execute(
                f"SELECT at FROM login_failures WHERE {column} = ? AND at >= ? ORDER BY at DESC",
                [value, isoformat(since)],
            )
        ])
    return times


def clear_login_failures(db: Database, name: str) -> None:
    """Forget an account's failures (its owner just proved who they are)."""
    with db.atomic():
        db.execute("DELETE FROM login_failures WHERE name = ?", [name.lower()])


def add_audit(
    db: Database,
    *,
    moderator: str,
    action: str,
    comment_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    details: str = "",
    now: datetime | None = None,
) -> None:
    """Write one row of the audit log."""
    with db.atomic():
        db.execute(
            "INSERT INTO audit_log (at, moderator, action, comment_id, from_status, to_status, details)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [isoformat(now or utcnow()), moderator, action, comment_id, from_status, to_status, details],
        )


def list_audit(db: Database, limit: int, offset: int = 0) -> tuple[list[dict], int]:
    """A page of the audit log, newest first, and how many rows there are in all."""
    total = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    rows = list(
        db.query("SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ? OFFSET ?", [limit, offset])
    )
    return rows, total


def move_comment(
    db: Database,
    comment_id: int,
    to_status: str,
    allowed_from: tuple[str, ...],
    *,
    moderator: str,
    action: str,
    now: datetime | None = None,
) -> dict | None:
    """Change a comment's status and audit it in one transaction; None when it is absent or not in `allowed_from`."""
    assert to_status in STATUSES
    moment = now or utcnow()
    if not fits_sqlite(comment_id):
        return None
    with db.atomic():
        rows = list(db.query("SELECT * FROM comments WHERE id = ?", [comment_id]))
        if not rows or rows[0]["status"] not in allowed_from:
            return None
        before = rows[0]
        db.execute(
            "UPDATE comments SET status = ?, updated_at = ? WHERE id = ?",
            [to_status, isoformat(moment), comment_id],
        )
        add_audit(
            db, moderator=moderator, action=action, comment_id=comment_id,
            from_status=before["status"], to_status=to_status, now=moment,
        )
    return before


def change_status(
    db: Database, comment_id: int, to_status: str, allowed_from: tuple[str, ...],
    now: datetime | None = None,
) -> dict | None:
    """Move a comment to `to_status` if it is in one of `allowed_from`; the row before, or None."""
    assert to_status in STATUSES
    if not fits_sqlite(comment_id):
        return None
    with db.atomic():
        rows = list(db.query("SELECT * FROM comments WHERE id = ?", [comment_id]))
        if not rows or rows[0]["status"] not in allowed_from:
            return None
        db.execute(
            "UPDATE comments SET status = ?, updated_at = ? WHERE id = ?",
            [to_status, isoformat(now or utcnow()), comment_id],
        )
    return rows[0]


def _queue_filter(status: str, text: str, search_in: str, thread: str) -> tuple[str, list]:
    """The WHERE clause of the queue, built from constants; user values only as arguments."""
    clauses, args = ["status = ?"], [status]
    if thread:
        clauses.append("thread = ?")
        args.append(thread)
    if text:
        columns = SEARCH_COLUMNS[search_in]
        clauses.append("(" + " OR ".join(f"instr(lower({c}), ?) > 0" for c in columns) + ")")
        args.extend([text.lower()] * len(columns))
    return " AND ".join(clauses), args


def search_comments(
    db: Database,
    *,
    status: str,
    text: str = "",
    search_in: str = "all",
    thread: str = "",
    limit: int = 25,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """A page of one tab of the queue (pending oldest first, others newest first) and its total."""
    assert status in STATUSES
    where, args = _queue_filter(status, text, search_in, thread)
    total = db.execute(f"SELECT count(*) FROM comments WHERE {where}", args).fetchone()[0]
    order = QUEUE_ORDER.get(status, NEWEST_FIRST)
    rows = list(
        db.query(f"SELECT * FROM comments WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?", [*args, limit, offset])
    )
    return rows, total


def count_by_status(db: Database) -> dict[str, int]:
    """How many comments there are in each status."""
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in db.execute("SELECT status, count(*) FROM comments GROUP BY status"):
        counts[status] = count
    return counts


def get_comments(db: Database, ids: list[int]) -> dict[int, dict]:
    """Several comments by id (absent ids are left out)."""
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    return {row["id"]: row for row in db.query(f"SELECT * FROM comments WHERE id IN ({marks})", ids)}


def comment_threads(db: Database) -> list[str]:
    """The slugs of every thread that has comments."""
    return [row[0] for row in db.execute("SELECT DISTINCT thread FROM comments ORDER BY thread")]


def daily_counts_by_status(db: Database, since: datetime) -> dict[tuple[str, str], int]:
    """Comments written per UTC day since `since`, by their status now: {(day, status): n}."""
    return {
        (day, status): count
        for day, status, count in db.execute(
            "SELECT substr(created_at, 1, 10) AS day, status, count(*) FROM comments"
            " WHERE created_at >= ? GROUP BY day, status",
            [isoformat(since)],
        )
    }


def daily_spam_caught(db: Database, since: datetime) -> dict[tuple[str, str], int]:
    """Spam per UTC day since `since`: {(day, "filter" | "moderators"): n}.

    The filter caught what is spam with no moderator having marked it; moderators' marks come
    from the audit log, on the day they made them.
    """
    caught = {}
    for day, count in db.execute(
        "SELECT substr(created_at, 1, 10) AS day, count(*) FROM comments AS c"
        " WHERE status = ? AND created_at >= ? AND NOT EXISTS (SELECT 1 FROM audit_log AS a"
        " WHERE a.comment_id = c.id AND a.to_status = ?) GROUP BY day",
        [SPAM, isoformat(since), SPAM],
    ):
        caught[(day, "filter")] = count
    for day, count in db.execute(
        "SELECT substr(at, 1, 10) AS day, count(*) FROM audit_log"
        " WHERE to_status = ? AND comment_id IS NOT NULL AND at >= ? GROUP BY day",
        [SPAM, isoformat(since)],
    ):
        caught[(day, "moderators")] = count
    return caught


def get_setting(db: Database, key: str) -> str | None:
    """A stored setting's value, or None."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_setting(db: Database, key: str, value: str) -> None:
    """Store a setting (replacing its value)."""
    with db.atomic():
        db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


def pending_since(db: Database, since: str | None) -> list[dict]:
    """Comments still pending that arrived after `since` (a stored timestamp; None: all), oldest first."""
    return list(
        db.query(
            "SELECT * FROM comments WHERE status = ? AND created_at > ? ORDER BY created_at, id",
            [PENDING, since or ""],
        )
    )


def claim_notice(db: Database, comment_id: int, kind: str, now: datetime | None = None) -> bool:
    """Record that an email of `kind` about a comment goes out; False if one already went."""
    with db.atomic():
        cursor = db.execute(
            "INSERT OR IGNORE INTO notices (comment_id, kind, sent_at) VALUES (?, ?, ?)",
            [comment_id, kind, isoformat(now or utcnow())],
        )
    return cursor.rowcount > 0


def stop_reply_notices(db: Database, email: str) -> int:
    """Untick "notify me" on every comment of that address; returns how many changed."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE comments SET notify = 0 WHERE email = ? AND notify = 1", [email.lower()]
        )
    return cursor.rowcount


def comment_reasons(comment: dict) -> list[str]:
    """The reasons the filter gave for a comment (stored as a JSON list)."""
    try:
        reasons = json.loads(comment.get("spam_reasons") or "[]")
    except ValueError:
        return []
    return [str(reason) for reason in reasons] if isinstance(reasons, list) else []


# The spam filter: the examples it learns from, and the counts its signals ask for.
SPAM_CORPUS_VERSION = "spam_corpus_version"  # a settings key: bumped by every corpus write
CORPUS_FIELDS = ("source", "author", "email", "website", "body", "label")


def _bump_corpus_version(db: Database) -> None:
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, '1')"
        " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        [SPAM_CORPUS_VERSION],
    )


def corpus_version(db: Database) -> int:
    """A number that changes whenever the spam corpus does (0: never written)."""
    value = get_setting(db, SPAM_CORPUS_VERSION)
    return int(value) if value else 0


def record_spam_label(
    db: Database, *, comment_id: int | None, author: str, email: str, website: str, body: str,
    label: str, now: datetime | None = None,
) -> None:
    """Keep a moderator's decision about a comment; a later decision on it replaces this one."""
    with db.atomic():
        db.execute(
            "INSERT INTO spam_corpus (source, comment_id, author, email, website, body, label, added_at)"
            " VALUES ('site', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(comment_id) DO UPDATE SET"
            " author = excluded.author, email = excluded.email, website = excluded.website,"
            " body = excluded.body, label = excluded.label, added_at = excluded.added_at",
            [comment_id, author, email.lower(), website, body, label, isoformat(now or utcnow())],
        )
        _bump_corpus_version(db)


def replace_imported_examples(
    db: Database, source: str, examples: list[dict], now: datetime | None = None
) -> None:
    """Store an imported file's labelled rows, replacing what an earlier import of it stored."""
    stamp = isoformat(now or utcnow())
    with db.atomic():
        db.execute("DELETE FROM spam_corpus WHERE source = ?", [source])
        db.conn.executemany(
            "INSERT INTO spam_corpus (source, author, email, website, body, label, added_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (source, e.get("author", ""), e.get("email", ""), e.get("website", ""), e["body"],
                 e["label"], stamp)
                for e in examples
            ],
        )
        _bump_corpus_version(db)


def list_spam_corpus(db: Database) -> list[dict]:
    """Every labelled example, oldest first."""
    return list(db.query(f"SELECT {', '.join(CORPUS_FIELDS)} FROM spam_corpus ORDER BY id"))


def count_spam_corpus(db: Database) -> dict[str, dict[str, int]]:
    """How many spam and ham examples each source holds."""
    counts: dict[str, dict[str, int]] = {}
    for source, label, count in db.execute(
        "SELECT source, label, count(*) FROM spam_corpus GROUP BY source, label ORDER BY source"
    ).fetchall():
        counts.setdefault(source, {"spam": 0, "ham": 0})[label] = count
    return counts


def post_times(db: Database, fingerprint: str, since: datetime) -> list[datetime]:
    """When one client posted since a moment, oldest first (for rate limits)."""
    return [
        parse_time(stamp)
        for (stamp,) in db.execute(
            "SELECT created_at FROM comments WHERE fingerprint = ? AND created_at >= ?"
            " ORDER BY created_at",
            [fingerprint, isoformat(since)],
        ).fetchall()
    ]


def count_same_text(db: Database, body: str, since: datetime) -> int:
    """How many comments since a moment have this text (trimmed, ignoring ASCII case)."""
    # The expression matches idx_comments_same_text, so this is an index lookup.
    return db.execute(
        "SELECT count(*) FROM comments WHERE lower(trim(body)) = lower(trim(?)) AND created_at >= ?",
        [body, isoformat(since)],
    ).fetchone()[0]


_files: "weakref.WeakKeyDictionary[Database, str]" = weakref.WeakKeyDictionary()


def database_file(db: Database) -> str:
    """The path of a connection's main database file ("" for an in-memory database)."""
    path = _files.get(db)  # asked on every post: the spam filter's model is kept per file
    if path is None:
        rows = db.execute("PRAGMA database_list").fetchall()
        path = _files[db] = next((file or "" for _, name, file in rows if name == "main"), "")
    return path
