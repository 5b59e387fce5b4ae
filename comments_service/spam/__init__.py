"""Spam filtering: `score()` judges a new comment, `learn()` takes a moderator's decision.

For now the decision applies the moderators' rules only (lists, link count, moderation
mode); the learned classifier comes with the spam-filter issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .. import rules as moderation_rules
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
    """Judge a comment before it is stored: spam, held for a moderator, or published."""
    rules = moderation_rules.load_rules(context.db)
    hold, spam = moderation_rules.check_rules(comment, rules, context.fingerprint)
    if spam:
        return Verdict(score=1.0, status=store.SPAM, reasons=spam + hold)
    if hold:
        return Verdict(score=0.0, status=store.PENDING, reasons=hold)
    trusted = moderation_rules.is_trusted(context.db, comment.get("email", ""))
    if moderation_rules.may_publish(rules, trusted):
        reason = "trusted returning commenter" if trusted else "moderation mode publishes at once"
        return Verdict(score=0.0, status=store.APPROVED, reasons=[reason])
    return Verdict(score=0.0, status=store.PENDING, reasons=["held for moderation"])


def learn(db, comment: dict, label: str) -> None:
    """Take a moderator's decision ("spam" or "ham") about a stored comment."""
    return None
