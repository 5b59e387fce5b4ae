"""Numbered schema migrations. `migrations.apply(db)` is idempotent and transactional."""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("comments_service")


@migrations(name="0001_create_comments")
def create_comments(db: Database) -> None:
    db["comments"].create(
        {
            "id": int,
            "thread": str,
            "parent_id": int,
            "depth": int,
            "author": str,
            "email": str,
            "website": str,
            "body": str,
            "body_html": str,
            "status": str,
            "by_moderator": int,
            "notify": int,
            "created_at": str,
            "updated_at": str,
            "fingerprint": str,
            "spam_score": float,
            "spam_reasons": str,
        },
        pk="id",
        not_null={"thread", "author", "body", "body_html", "status", "created_at"},
        defaults={
            "depth": 0,
            "email": "",
            "website": "",
            "by_moderator": 0,
            "notify": 0,
            "fingerprint": "",
            "spam_score": 0.0,
            "spam_reasons": "[]",
        },
        foreign_keys=[("parent_id", "comments", "id")],
    )
    table = db["comments"]
    # The reads we make: a thread's approved comments in order, counts per thread,
    # the moderation queue by status, a commenter's history, a client's recent posts.
    table.create_index(["thread", "status", "created_at"], index_name="idx_comments_thread_status")
    table.create_index(["status", "created_at"], index_name="idx_comments_status_created")
    table.create_index(["email", "status"], index_name="idx_comments_email_status")
    table.create_index(["fingerprint", "created_at"], index_name="idx_comments_fingerprint")
    table.create_index(["parent_id"], index_name="idx_comments_parent")


@migrations(name="0002_create_settings")
def create_settings(db: Database) -> None:
    # Moderator-editable settings (the moderation rules), one JSON value per key.
    db["settings"].create({"key": str, "value": str}, pk="key")


@migrations(name="0003_moderation")
def create_moderation(db: Database) -> None:
    # Moderator accounts; names are matched without regard to case at login.
    db.execute(
        "CREATE TABLE moderators (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
        " email TEXT NOT NULL DEFAULT '', password_hash TEXT NOT NULL,"
        " created_at TEXT NOT NULL, password_changed_at TEXT NOT NULL)"
    )
    # Failed logins, kept for the throttle window only; client is a keyed hash, never an address.
    db["login_failures"].create(
        {"id": int, "name": str, "client": str, "at": str}, pk="id", not_null={"name", "client", "at"}
    )
    db["login_failures"].create_index(["name", "at"], index_name="idx_login_failures_name")
    db["login_failures"].create_index(["client", "at"], index_name="idx_login_failures_client")
    # Who did what to which comment; moderator is a name, so rows outlive removed accounts.
    db["audit_log"].create(
        {
            "id": int, "at": str, "moderator": str, "action": str, "comment_id": int,
            "from_status": str, "to_status": str, "details": str,
        },
        pk="id",
        not_null={"at", "moderator", "action"},
        defaults={"details": ""},
    )
    db["audit_log"].create_index(["at"], index_name="idx_audit_log_at")
    db["audit_log"].create_index(["comment_id"], index_name="idx_audit_log_comment")
    # Emails already sent about a comment, so a re-approval does not send them twice.
    db["notices"].create(
        {"comment_id": int, "kind": str, "sent_at": str}, pk=("comment_id", "kind")
    )


@migrations(name="0004_spam_filter")
def create_spam_filter(db: Database) -> None:
    # What the spam filter learns from: moderators' decisions (source "site", one row per
    # comment, the latest decision wins) and labelled files an operator imported ("import:NAME").
    db.execute(
        "CREATE TABLE spam_corpus (id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
        " comment_id INTEGER UNIQUE, author TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',"
        " website TEXT NOT NULL DEFAULT '', body TEXT NOT NULL,"
        " label TEXT NOT NULL CHECK (label IN ('spam', 'ham')), added_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_spam_corpus_source ON spam_corpus (source)")
    # "The same text posted again recently": comments by trimmed, lower-cased text and time.
    db.execute("CREATE INDEX idx_comments_same_text ON comments (lower(trim(body)), created_at)")


@migrations(name="0005_same_text_key")
def add_same_text_key(db: Database) -> None:
    # "The same text" is text.same_text_key, in Python, for the filter and for this count alike;
    # each comment keeps its key so that counting copies stays an index lookup.
    from ..text import same_text_key

    db.execute("ALTER TABLE comments ADD COLUMN text_key TEXT NOT NULL DEFAULT ''")
    db.conn.executemany(
        "UPDATE comments SET text_key = ? WHERE id = ?",
        [(same_text_key(body), comment_id) for comment_id, body in db.execute("SELECT id, body FROM comments")],
    )
    db.execute("DROP INDEX IF EXISTS idx_comments_same_text")
    db.execute("CREATE INDEX idx_comments_text_key ON comments (text_key, created_at)")

