"""Storage faults and bugs are told apart at one point: a fault is StorageUnavailable (a 503),
a mistake in our SQL stays the driver's error (a logged 500)."""

from __future__ import annotations

import logging
import sqlite3

import pytest
import requests

from comments_service import create_app, store

from .conftest import LiveServer


@pytest.fixture
def unmigrated_server(app_config, tmp_path):
    """A service on a valid SQLite file without our tables: every query of ours is wrong there."""
    path = tmp_path / "empty" / "comments.db"
    store.open_db(path).close()
    app = create_app(dict(app_config, DATABASE=str(path), TESTING=False, PROPAGATE_EXCEPTIONS=False))
    live = LiveServer(app)
    live.thread.start()
    yield live
    live.server.shutdown()


def test_a_broken_statement_is_a_logged_500_not_a_503(unmigrated_server, caplog):
    with caplog.at_level(logging.ERROR):
        response = requests.get(unmigrated_server.url + "/api/threads/say-hello/comments")
    assert response.status_code == 500, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert "storage" not in response.json()["error"] and "try again" not in response.json()["error"]
    assert "Traceback" not in response.text
    logged = [record for record in caplog.records if record.exc_info]
    assert logged and "no such table" in str(logged[0].exc_info[1])


def test_a_write_to_a_read_only_database_is_storage_unavailable_with_its_cause(db, app):
    reader = store.open_readonly(app.config["DATABASE"])
    with pytest.raises(store.StorageUnavailable) as raised:
        store.add_comment(reader, thread="say-hello", author="Ada", body="b", body_html="<p>b</p>",
                          status=store.PENDING)
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
    assert "readonly" in str(raised.value.__cause__)
    reader.close()
    assert store.count_by_status(db)[store.PENDING] == 0


def test_a_database_that_cannot_be_opened_is_storage_unavailable(tmp_path):
    (tmp_path / "comments.db").mkdir()  # a folder where the file should be
    with pytest.raises(store.StorageUnavailable) as raised:
        store.open_db(tmp_path / "comments.db")
    assert "unable to open" in str(raised.value.__cause__)


def test_a_mistake_in_our_sql_is_not_storage_unavailable(tmp_path):
    db = store.open_db(tmp_path / "comments.db")  # no migrations: no comments table
    with pytest.raises(sqlite3.OperationalError) as raised:
        store.get_comment(db, 1)
    assert not isinstance(raised.value, store.StorageUnavailable)
    db.close()
