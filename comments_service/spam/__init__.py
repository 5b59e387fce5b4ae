"""Spam filtering: `score()` judges a new comment, `learn()` takes a moderator's decision.

Neutral until the learned filter lands: every comment is held for a moderator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .. import store


@dataclass
class Verdict:
    score: float
    status: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class Context:
    """What the filter may know about a submission besides its fields."""

    db: object
    now: datetime
    fingerprint: str = ""
    form_token_age: float | None = None
    honeypot: str = ""
    secret_key: str = ""


def rate_limit(context: Context) -> int | None:
    """Seconds the client must wait before posting again, or None."""
    return None


def score(comment: dict, context: Context) -> Verdict:
    """Judge a comment before it is stored."""
    return Verdict(score=0.0, status=store.PENDING, reasons=[])


def learn(db, comment: dict, label: str) -> None:
    """Take a moderator's decision ("spam" or "ham") about a stored comment."""
    return None
