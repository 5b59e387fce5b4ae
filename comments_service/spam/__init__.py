"""Spam filtering: `score()` judges a new comment, `learn()` takes a moderator's decision.

Three layers (ARCHITECTURE.md): cheap signals (signals.py, ratelimit.py), a learned
classifier (classifier.py, kept and retrained in the background by trainer.py), and the
three-way decision with its reasons (decision.py). Nothing here imports scikit-learn at
import time: the trainer loads it in the background.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .. import rules as moderation_rules
from .. import store
from . import signals, trainer
from .corpus import HAM, SPAM
from .decision import Verdict, decide
from .ratelimit import retry_after, windows
from .settings import SpamSettings
from .settings import from_config as settings_from_config

__all__ = ["Context", "SpamSettings", "Verdict", "learn", "rate_limit", "score", "settings_from_config"]

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What the filter may know about a submission besides its fields."""

    db: object
    now: datetime
    fingerprint: str = ""
    form_token_age: float | None = None
    honeypot: str = ""
    secret_key: str = ""
    # The token as sent: with form_token_age it tells a missing token from a forged one.
    form_token: str = ""
    settings: SpamSettings = field(default_factory=SpamSettings)
    # False for comments that never went through our form (replays, imports): no token or
    # honeypot to judge, so those signals stay silent.
    from_form: bool = True


def rate_limit(context: Context) -> int | None:
    """Seconds the client must wait before posting again, or None."""
    spans = windows(context.settings)
    if not context.fingerprint or not spans:
        return None
    longest = max(span for _, span in spans)
    earlier = store.post_times(context.db, context.fingerprint, context.now - longest)
    return retry_after(earlier, context.now, context.settings)


def score(comment: dict, context: Context) -> Verdict:
    """Judge a comment before it is stored: spam, held for a moderator, or published."""
    db, settings = context.db, context.settings
    rules = moderation_rules.load_rules(db)
    model = trainer.current(db, context.secret_key if settings.model_file else "")
    probability = _probability(model, comment)
    found = gather_signals(comment, context, rules, model)
    trusted = moderation_rules.is_trusted(db, comment.get("email", ""))
    return decide(
        probability,
        found,
        settings,
        may_publish=moderation_rules.may_publish(rules, trusted),
        publish_reason="trusted returning commenter" if trusted else "moderation mode publishes at once",
    )


def gather_signals(comment: dict, context: Context, rules, model) -> list[signals.Signal]:
    """Every signal that fires for this comment."""
    body = comment.get("body", "")
    hold, spam = moderation_rules.check_rules(comment, rules, context.fingerprint)
    found = signals.moderators_rules(hold, spam)
    if context.from_form:
        found += [
            signals.honeypot(context.honeypot),
            signals.form_timing(context.form_token, context.form_token_age, context.settings),
        ]
    hours = context.settings.duplicate_hours
    copies = 0
    if signals.is_long_enough_to_repeat(body):
        copies = store.count_same_text(context.db, body, context.now - timedelta(hours=hours))
    found += [
        signals.short_with_link(comment),
        signals.very_long(body),
        signals.shouting(body),
        signals.repeated_text(body, copies, hours),
        signals.known_spam(model is not None and model.is_known_spam(body)),
    ]
    return [signal for signal in found if signal is not None]


def _probability(model, comment: dict) -> float | None:
    if model is None:
        return None
    try:
        return model.probability(comment)
    except Exception:  # a broken model must not stop comments: judge without it
        log.exception("spam filter: the classifier failed; judging by signals only")
        return None


def learn(db, comment: dict, label: str) -> None:
    """Take a moderator's decision ("spam" or "ham") about a stored comment."""
    if label not in (SPAM, HAM):
        raise ValueError(f"label must be 'spam' or 'ham', not {label!r}")
    store.record_spam_label(
        db,
        comment_id=comment.get("id"),
        author=comment.get("author") or "",
        email=comment.get("email") or "",
        website=comment.get("website") or "",
        body=comment.get("body") or "",
        label=label,
    )
    trainer.corpus_changed(db)
