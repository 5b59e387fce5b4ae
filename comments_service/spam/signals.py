"""Cheap signals about a comment. Each is a pure function: a Signal (reason + weight) or None.

A weight is the evidence the signal adds, in log-odds of spam (the classifier's probability
is combined with it in decision.py). Three bands:
  SPAM_WEIGHT or more: spam on its own (the honeypot, the moderators' spam lists);
  HOLD_WEIGHT or more: the comment waits for a moderator, even where the mode publishes;
  below HOLD_WEIGHT:   a weak hint that only adds to the evidence (a missing form token).
A signal about how a comment is written (capitals, a bare link, great length) holds it for a
moderator but is never evidence of spam: readers shout and share links too. Measured on the
benchmark, counting them sent real readers' "SONG TITLE: link" comments to spam.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..links import in_comment, replace_addresses
from .settings import SpamSettings

SPAM_WEIGHT = 10.0
HOLD_WEIGHT = 1.0
# Shorter texts repeat innocently ("Thanks, great post!"), so they never count as copies.
DUPLICATE_MIN_CHARS = 40
# Text besides the addresses (a URL alone is long but says nothing).
SHORT_WITH_LINK_CHARS = 40
VERY_LONG_CHARS = 5000
SHOUTING_MIN_LETTERS = 12
SHOUTING_SHARE = 0.7


@dataclass(frozen=True)
class Signal:
    reason: str
    weight: float
    evidence: bool = True  # False: a reason to hold, never added to the evidence of spam

    @property
    def is_spam(self) -> bool:
        return self.weight >= SPAM_WEIGHT

    @property
    def holds(self) -> bool:
        return self.weight >= HOLD_WEIGHT


def honeypot(value: str) -> Signal | None:
    """The hidden field that people never see (and never fill in) has a value."""
    if value and value.strip():
        return Signal("the hidden form field was filled in (people never see it; programs do)", SPAM_WEIGHT)
    return None


def form_timing(token: str, age: float | None, settings: SpamSettings) -> Signal | None:
    """The signed form token: missing, forged, sent too fast, or stale.

    `age` is None when the token is missing or does not verify.
    """
    if not token:
        # The plain HTML form (no JavaScript) has no token: a hint, never a reason by itself.
        return Signal("sent without a form token (the form without JavaScript has none)", 0.25)
    if age is None:
        return Signal("the form token is forged (its signature does not verify)", 2.0)
    if age < settings.form_min_seconds:
        return Signal(f"sent {max(age, 0):.1f} seconds after the form was shown (people need longer)", 2.0)
    if age > settings.form_max_seconds:
        return Signal(f"the form was shown {age / 3600:.0f} hours before it was sent", HOLD_WEIGHT)
    return None


def moderators_rules(hold: list[str], spam: list[str]) -> list[Signal]:
    """The moderators' lists and link limit (rules.check_rules) as signals."""
    return [Signal(reason, SPAM_WEIGHT) for reason in spam] + [
        Signal(reason, HOLD_WEIGHT) for reason in hold
    ]


def is_short_with_link(comment: dict) -> bool:
    """A link (links.py) with hardly any words around it: the commonest shape of link spam.
    The addresses themselves are not words around it (a long tracking URL alone is short)."""
    if not in_comment(comment):
        return False
    around = replace_addresses(comment.get("body") or "", " ")
    return len(around.strip()) < SHORT_WITH_LINK_CHARS


def short_with_link(comment: dict) -> Signal | None:
    if is_short_with_link(comment):
        return Signal("a link with hardly any text around it", HOLD_WEIGHT, evidence=False)
    return None


def very_long(body: str) -> Signal | None:
    if len(body) > VERY_LONG_CHARS:
        return Signal(f"very long ({len(body):,} characters)", HOLD_WEIGHT, evidence=False)
    return None


def is_shouting(text: str) -> bool:
    """Mostly capital letters (the classifier's "shouting" feature too)."""
    letters = sum(map(str.isalpha, text))
    # Counting every upper-case character first is a bound that clears most comments fast.
    if letters < SHOUTING_MIN_LETTERS or sum(map(str.isupper, text)) <= SHOUTING_SHARE * letters:
        return False
    capitals = sum(ch.isupper() for ch in text if ch.isalpha())
    return capitals / letters > SHOUTING_SHARE


def shouting(body: str) -> Signal | None:
    if is_shouting(body):
        return Signal("written mostly in capital letters", HOLD_WEIGHT, evidence=False)
    return None


def is_long_enough_to_repeat(body: str) -> bool:
    """Whether a text is long enough for its copies to mean anything."""
    return len(" ".join(body.split())) >= DUPLICATE_MIN_CHARS


def repeated_text(body: str, copies: int, hours: float) -> Signal | None:
    """The same text was already posted recently (by anyone)."""
    if copies and is_long_enough_to_repeat(body):
        times = "once" if copies == 1 else f"{copies} times"
        return Signal(f"the same text was already posted {times} in the last {hours:g} hours", 2.0)
    return None


def known_spam(is_known: bool) -> Signal | None:
    """The classifier's memory: this exact text was marked spam before."""
    if is_known:
        return Signal("the same text was marked spam before", 3.0)
    return None
