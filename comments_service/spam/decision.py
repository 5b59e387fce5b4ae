"""The three-way decision: publish, hold for a moderator, or spam, with the reasons why.

Sending a real reader to the spam folder is the worst outcome; spam that is held is only work
for a moderator. So "spam" needs a hard signal (honeypot, the moderators' spam lists) or a
trained classifier that leans to spam itself *and* enough evidence once the signals are added.
"Publish" needs the moderation mode to allow it, no signal that holds, and (once the filter is
trained) a low spam probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import store
from .settings import SpamSettings
from .signals import Signal


@dataclass
class Verdict:
    score: float
    status: str
    reasons: list[str] = field(default_factory=list)


def logit(probability: float) -> float:
    p = min(max(probability, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def evidence(probability: float | None, signals: list[Signal]) -> float:
    """The classifier's probability with the weight of every signal that is evidence added,
    as a probability. Untrained, the classifier counts as 0.5: it says nothing either way.
    """
    weights = sum(s.weight for s in signals if s.evidence)
    total = logit(0.5 if probability is None else probability) + weights
    return 1 / (1 + math.exp(-max(min(total, 50), -50)))


def describe(probability: float) -> str:
    return f"spam filter: {probability:.0%} likely spam"


def decide(
    probability: float | None,
    signals: list[Signal],
    settings: SpamSettings,
    *,
    may_publish: bool,
    publish_reason: str,
) -> Verdict:
    """Judge a comment from the classifier's probability (None: untrained) and the signals.

    `may_publish` is the moderation mode's answer for this commenter; `publish_reason` says why.
    """
    ordered = sorted(signals, key=lambda s: -s.weight)
    # The stored score is the classifier's own view (0.5: untrained, no view); the signals
    # are listed in the reasons.
    score = 0.5 if probability is None else round(probability, 4)
    holding = [s.reason for s in ordered if s.holds]
    classifier = [describe(probability)] if probability is not None else []
    if any(s.is_spam for s in ordered):
        return Verdict(score=1.0, status=store.SPAM, reasons=holding + classifier)
    leans_to_spam = probability is not None and probability >= 0.5
    if leans_to_spam and evidence(probability, ordered) >= settings.spam_threshold:
        # Weak signals are named only here, where they helped decide.
        hints = [s.reason for s in ordered if not s.holds]
        return Verdict(score=score, status=store.SPAM, reasons=holding + hints + classifier)
    if may_publish and not holding and (probability is None or probability < settings.publish_below):
        return Verdict(score=score, status=store.APPROVED, reasons=classifier + [publish_reason])
    if may_publish and not holding:
        return Verdict(score=score, status=store.PENDING,
                       reasons=classifier + ["held: the spam filter is not sure enough to publish it"])
    mode = [] if holding else ["held for moderation"]
    return Verdict(score=score, status=store.PENDING, reasons=holding + classifier + mode)
