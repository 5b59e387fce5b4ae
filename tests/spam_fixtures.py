"""What the spam tests share: a fixed time, the blog fixture and a model trained on it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from comments_service import spam
from comments_service.spam import corpus, trainer
from comments_service.spam.replay import import_examples

FIXTURES = Path(__file__).parent / "fixtures"
BLOG_CSV = FIXTURES / "spam_blog_comments.csv"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
KEY = "the site's secret key"


@pytest.fixture(autouse=True)
def quick_retraining(monkeypatch):
    # Production waits 2 s for a burst of decisions to end; tests need not.
    monkeypatch.setattr(trainer, "RETRAIN_DELAY", 0.0)


def blog_examples():
    return corpus.read_labelled_csv(BLOG_CSV, author_col="author", website_col="website")


def trained(db):
    """A database whose filter learned from the blog fixture (20 spam, 20 ham)."""
    import_examples(db, "import:blog.csv", blog_examples())
    assert trainer.retrain_now(db, file_key=KEY) is not None
    return db


def context(db, **fields):
    return spam.Context(db=db, now=fields.pop("now", NOW), form_token="t", form_token_age=30.0, **fields)


def comment(body="I keep a notebook of who I met and what we discussed.", **fields):
    return {"thread": "say-hello", "author": "Ada", "email": "", "website": "", "body": body, **fields}
