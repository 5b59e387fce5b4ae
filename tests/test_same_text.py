"""One definition of "the same text" (text.same_text_key), for the filter and the store alike."""

from __future__ import annotations

from datetime import datetime, timezone

from comments_service import store
from comments_service.text import same_text_key

LONG = "Follow up within two days of meeting someone, while they still remember you"
SINCE = datetime(2000, 1, 1, tzinfo=timezone.utc)


def test_copies_that_differ_in_case_spacing_markup_or_entities_are_the_same_text(db):
    store.add_comment(db, thread="say-hello", author="A", body=LONG, body_html="", status="pending")
    for copy in (LONG.upper(), LONG.replace(" ", "   \n "), f"<em>{LONG}</em>",
                 LONG.replace("you", "&#121;ou"), "\ufeff" + LONG):
        assert same_text_key(copy) == same_text_key(LONG)
        assert store.count_same_text(db, copy, SINCE) == 1
    assert store.count_same_text(db, LONG + " please", SINCE) == 0


def test_an_edited_comment_is_counted_by_its_new_text(db):
    comment_id = store.add_comment(db, thread="say-hello", author="A", body=LONG, body_html="",
                                   status="pending")
    store.update_body(db, comment_id, "Something else entirely, and long enough to count", "")
    assert store.count_same_text(db, LONG, SINCE) == 0
    assert store.count_same_text(db, "something else ENTIRELY, and long enough to count", SINCE) == 1


def test_the_upgrade_gives_existing_comments_their_key(tmp_path):
    from comments_service.store.migrations import migrations

    db = store.open_db(tmp_path / "old.db")
    older = [m for m in migrations.pending(db) if m.name < "0005"]
    for migration in older:
        with db.atomic():
            migration.fn(db)
            db["_sqlite_migrations"].insert(
                {"migration_set": "comments_service", "name": migration.name, "applied_at": "2026-01-01"},
                alter=True)
    db.execute("INSERT INTO comments (thread, author, body, body_html, status, created_at)"
               " VALUES ('say-hello', 'A', ?, '', 'pending', '2026-01-01T00:00:00Z')", [f"<b>{LONG}</b>"])
    store.migrate(db)
    assert store.count_same_text(db, LONG.lower(), SINCE) == 1
