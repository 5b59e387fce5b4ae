"""What every command-line command starts from: the app for the given settings, its database.

Shared by the `comments` group (cli.py) and its `spam` subgroup (spam/cli.py), so that neither
imports the other's module for them.
"""

from __future__ import annotations

from . import create_app, store


def make_app(**overrides):
    """The app, with the settings given on the command line (None: not given)."""
    return create_app({k: v for k, v in overrides.items() if v is not None})


def migrated_db(app):
    """The app's database, created or upgraded first so every command finds its tables."""
    db = store.open_db(app.config["DATABASE"])
    store.migrate(db)
    return db
