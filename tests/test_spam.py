"""The spam filter's parts: each signal, rate limits, the decision and the score (issue 5)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from comments_service import rules, spam, store
from comments_service.spam import signals
from comments_service.spam.decision import decide
from comments_service.spam.ratelimit import retry_after
from comments_service.spam.settings import SpamSettings, from_config
from comments_service.spam.signals import HOLD_WEIGHT, SPAM_WEIGHT, Signal

from .spam_fixtures import NOW, comment, context

SETTINGS = SpamSettings()


# --- signals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value, fires", [("", False), ("   ", False), ("+1 555 0100", True)])
def test_honeypot_fires_only_when_filled(value, fires):
    signal = signals.honeypot(value)
    assert (signal is not None) == fires
    if fires:
        assert signal.is_spam and "hidden form field" in signal.reason


@pytest.mark.parametrize(
    "token, age, words, weight",
    [
        ("", None, "without a form token", 0.25),
        ("forged-token", None, "forged", 2.0),
        ("token", 0.8, "0.8 seconds after the form was shown", 2.0),
        ("token", 2.99, "3.0 seconds", 2.0),
        ("token", 3.0, None, None),
        ("token", 600.0, None, None),
        ("token", 86_400.0, None, None),
        ("token", 3 * 86_400.0, "shown 72 hours before", HOLD_WEIGHT),
    ],
)
def test_form_token_signals(token, age, words, weight):
    signal = signals.form_timing(token, age, SETTINGS)
    if words is None:
        assert signal is None
    else:
        assert words in signal.reason and signal.weight == weight


def test_a_missing_form_token_alone_never_holds_or_spams():
    weak = signals.form_timing("", None, SETTINGS)
    assert not weak.holds and not weak.is_spam
    verdict = decide(None, [weak], SETTINGS, may_publish=True, publish_reason="mode")
    assert verdict.status == store.APPROVED


@pytest.mark.parametrize(
    "check, body, fires",
    [
        (signals.short_with_link, {"body": "see https://x.example"}, True),
        (signals.short_with_link, {"body": "see [this](//x.example)"}, True),
        # A long address alone has no words around it.
        (signals.short_with_link, {"body": "https://www.x.example/photo.php?fbid=5436274857&set=a.b.c&type=3 "}, True),
        (signals.short_with_link,
         {"body": "A long and thoughtful comment that happens to cite https://x.example as a source."}, False),
        (signals.short_with_link, {"body": "One link, to the slides of the talk I mentioned: https://a.example"}, False),
        (signals.short_with_link, {"body": "no link here"}, False),
        (signals.short_with_link, {"body": "no link here", "body_html": "<p>no link here</p>"}, False),
        (signals.very_long, "x" * 5001, True),
        (signals.very_long, "x" * 5000, False),
        (signals.shouting, "BUY NOW CHEAP PILLS TODAY", True),
        (signals.shouting, "I met the CEO of ACME at the NYC event", False),
        (signals.shouting, "OK THANKS", False),  # too few letters to call it shouting
    ],
)
def test_shape_signals(check, body, fires):
    assert (check(body) is not None) == fires


@pytest.mark.parametrize(
    "body, copies, fires",
    [
        ("The same long comment, posted over and over by a bot.", 1, True),
        ("The same long comment, posted over and over by a bot.", 0, False),
        ("Thanks, great post!", 3, False),  # short texts repeat innocently
    ],
)
def test_repeated_text_signal(body, copies, fires):
    signal = signals.repeated_text(body, copies, 24)
    assert (signal is not None) == fires
    if fires:
        assert "already posted once in the last 24 hours" in signal.reason


def test_moderators_lists_become_spam_and_hold_signals():
    found = signals.moderators_rules(hold=["has 3 links (the rules hold comments with 2 or more)"], spam=["domain x.example is on the spam list"])
    assert [(s.reason, s.is_spam, s.holds) for s in found] == [
        ("domain x.example is on the spam list", True, True),
        ("has 3 links (the rules hold comments with 2 or more)", False, True),
    ]


# --- rate limits -----------------------------------------------------------------------------


def ago(*seconds):
    return [NOW - timedelta(seconds=s) for s in sorted(seconds, reverse=True)]


@pytest.mark.parametrize(
    "times, expected",
    [
        ([], None),
        (ago(50, 40, 30, 20), None),  # four in the last minute: the fifth fits
        (ago(50, 40, 30, 20, 10), 10),  # five: wait until the oldest leaves the minute
        (ago(59.5, 40, 30, 20, 10), 1),  # never less than one second
        (ago(*range(120, 3600, 180)), 60),  # twenty in the hour: the oldest leaves it in a minute
        (ago(*range(200, 3600, 180)), None),  # nineteen
    ],
)
def test_retry_after_counts_each_window(times, expected):
    assert retry_after(times, NOW, SETTINGS) == expected


@pytest.mark.parametrize(
    "config",
    [
        {"RATE_LIMIT_ENABLED": False},
        {"RATE_LIMIT_ENABLED": "false"},
        {"RATE_LIMIT_PER_MINUTE": 0, "RATE_LIMIT_PER_HOUR": 0},
        {"RATE_LIMIT_PER_MINUTE": 1_000_000, "RATE_LIMIT_PER_HOUR": 1_000_000},
    ],
)
def test_rate_limits_can_be_relaxed_by_config(config):
    assert retry_after(ago(5, 4, 3, 2, 1, 1, 1), NOW, from_config(config)) is None


def test_rate_limit_reads_the_clients_stored_comments(db):
    for seconds in (50, 40, 30, 20, 10):
        store.add_comment(db, thread="say-hello", author="Bot", body=f"post {seconds}", body_html="",
                          status=store.PENDING, fingerprint="client-a", now=NOW - timedelta(seconds=seconds))
    assert spam.rate_limit(spam.Context(db=db, now=NOW, fingerprint="client-a")) == 10
    assert spam.rate_limit(spam.Context(db=db, now=NOW, fingerprint="client-b")) is None
    assert spam.rate_limit(spam.Context(db=db, now=NOW + timedelta(seconds=11), fingerprint="client-a")) is None


# --- the decision ----------------------------------------------------------------------------

HARD = Signal("the hidden form field was filled in", SPAM_WEIGHT)
TOO_FAST = Signal("sent 0.5 seconds after the form was shown", 2.0)
FORGED = Signal("the form token is forged", 2.0)
HOLDS = Signal("has 2 links (the rules hold comments with 2 or more)", HOLD_WEIGHT)
WEAK = Signal("sent without a form token", 0.25)
SHOUTS = signals.shouting("BUY NOW CHEAP PILLS TODAY")
BARE_LINK = signals.short_with_link({"body": "Our song: https://x.example"})


@pytest.mark.parametrize(
    "probability, found, may_publish, status",
    [
        (None, [], True, store.APPROVED),  # untrained: the mode decides
        (None, [], False, store.PENDING),
        (None, [WEAK], True, store.APPROVED),
        (None, [TOO_FAST, FORGED], True, store.PENDING),  # untrained never spams without a hard signal
        (None, [HARD], True, store.SPAM),
        (0.01, [HARD], True, store.SPAM),
        (0.001, [], True, store.APPROVED),
        (0.001, [HOLDS], True, store.PENDING),
        (0.005, [], True, store.PENDING),  # not low enough to publish
        (0.30, [], False, store.PENDING),
        (0.75, [], True, store.PENDING),  # leans to spam, not sure enough alone
        (0.75, [TOO_FAST], True, store.SPAM),  # ... a strong signal settles it
        (0.75, [SHOUTS, BARE_LINK], True, store.PENDING),  # ... how it is written never does
        (0.45, [TOO_FAST, FORGED], True, store.PENDING),  # the classifier must lean to spam itself
        (0.80, [], True, store.PENDING),
        (0.90, [], True, store.SPAM),
        (0.90, [], False, store.SPAM),
        (0.20, [SHOUTS], True, store.PENDING),  # but it holds where the mode would publish
        (0.001, [BARE_LINK], True, store.PENDING),
    ],
)
def test_decision_thresholds(probability, found, may_publish, status):
    verdict = decide(probability, found, SETTINGS, may_publish=may_publish, publish_reason="moderation mode publishes at once")
    assert verdict.status == status


def test_reasons_name_the_signals_the_classifier_and_the_mode():
    held = decide(0.2, [WEAK, HOLDS], SETTINGS, may_publish=True, publish_reason="x")
    assert held.reasons == ["has 2 links (the rules hold comments with 2 or more)", "spam filter: 20% likely spam"]
    assert held.score == 0.2
    spammed = decide(0.8, [WEAK, TOO_FAST], SETTINGS, may_publish=True, publish_reason="x")
    assert spammed.reasons == [TOO_FAST.reason, WEAK.reason, "spam filter: 80% likely spam"]
    published = decide(0.001, [], SETTINGS, may_publish=True, publish_reason="trusted returning commenter")
    assert published.reasons == ["spam filter: 0% likely spam", "trusted returning commenter"]
    untrained = decide(None, [WEAK], SETTINGS, may_publish=False, publish_reason="x")
    assert (untrained.score, untrained.reasons) == (0.5, ["held for moderation"])
    unsure = decide(0.1, [], SETTINGS, may_publish=True, publish_reason="x")
    assert unsure.reasons[-1] == "held: the spam filter is not sure enough to publish it"


# --- score() against a real database ---------------------------------------------------------


def test_score_applies_the_moderators_lists_and_mode(db):
    rules.save_rules(db, rules.Rules(mode=rules.PUBLISH, spam_domains=["pills.example"], hold_words=["crypto"]))
    assert spam.score(comment(), context(db)).status == store.APPROVED
    blocked = spam.score(comment("Cheap meds at https://www.pills.example/buy"), context(db))
    assert blocked.status == store.SPAM
    assert "domain pills.example is on the spam list" in blocked.reasons
    held = spam.score(comment("Any crypto tips for networking?"), context(db))
    assert (held.status, held.reasons) == (store.PENDING, ["contains the held word “crypto”"])


def test_the_same_text_posted_again_within_a_day_is_held(db):
    rules.save_rules(db, rules.Rules(mode=rules.PUBLISH))
    body = "Visit my profile for the best networking templates, totally free for everyone."
    store.add_comment(db, thread="second-post", author="Someone else", body=body, body_html="",
                      status=store.PENDING, now=NOW - timedelta(hours=3))
    again = spam.score(comment(body.upper().replace("VISIT", "Visit")), context(db))
    assert again.status == store.PENDING
    assert "the same text was already posted once in the last 24 hours" in again.reasons
    later = spam.score(comment(body), context(db, now=NOW + timedelta(hours=22)))
    assert later.status == store.APPROVED


def test_a_trusted_returning_commenter_is_published_in_hold_first_time_mode(db):
    rules.save_rules(db, rules.Rules(mode=rules.HOLD_FIRST_TIME))
    first = store.add_comment(db, thread="say-hello", author="Ada", email="ada@example.org", body="Hi",
                              body_html="", status=store.APPROVED)
    assert first
    verdict = spam.score(comment(email="ada@example.org"), context(db))
    assert (verdict.status, verdict.reasons) == (store.APPROVED, ["trusted returning commenter"])
    assert spam.score(comment(email="new@example.org"), context(db)).status == store.PENDING


def test_an_untrained_filter_scores_neutral_and_never_sends_to_spam_alone(db):
    rules.save_rules(db, rules.Rules(mode=rules.PUBLISH))
    fast = spam.Context(db=db, now=NOW, form_token="t", form_token_age=0.4)
    verdict = spam.score(comment("CHEAP WATCHES!!! CLICK https://x.example NOW NOW NOW"), fast)
    assert verdict.score == 0.5 and verdict.status == store.PENDING
