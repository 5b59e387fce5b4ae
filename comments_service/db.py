"""The request's database connection, flaskr-style: `get_db()` on `g`, released on teardown.

Connections are reused per thread (store.connection): opening one per request would throw
away the listing cache kept per connection. Teardown rolls back whatever a failed request
left open, so the next request on this thread starts clean.
"""

from __future__ import annotations

from flask import Flask, current_app, g

from . import store


def get_db():
    """The database of this request."""
    if "db" not in g:
        g.db = store.connection(current_app.config["DATABASE"])
    return g.db


def close_db(error: BaseException | None = None) -> None:
    """Release the request's connection (it stays open for the thread's next request)."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def init_app(app: Flask) -> None:
    """Register the teardown with the app."""
    app.teardown_appcontext(close_db)
