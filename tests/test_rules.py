"""The moderators' rules, checked on comments without any server."""

import pytest

from comments_service import rules, store
from comments_service.rules import Rules, check_rules

COMMENT = {
    "author": "Pat", "email": "Pat@Mail.example", "website": "https://www.pat.example/about",
    "body": "See https://shop.example/x and www.other.example for cheap leads.",
}


@pytest.mark.parametrize(
    "field, listed, reason",
    [
        ("words", ["cheap"], "contains the {kind} word “cheap”"),
        ("emails", ["pat@mail.example"], "email pat@mail.example is on the {kind} list"),
        ("domains", ["shop.example"], "domain shop.example is on the {kind} list"),
        ("domains", ["pat.example"], "domain pat.example is on the {kind} list"),
        ("domains", ["mail.example"], "domain mail.example is on the {kind} list"),
        ("fingerprints", ["abc123"], "client abc123 is on the {kind} list"),
    ],
)
@pytest.mark.parametrize("prefix, kind", [("hold", "held"), ("spam", "spam")])
def test_each_list_holds_or_spams_with_a_reason(field, listed, reason, prefix, kind):
    hold, spam = check_rules(
        dict(COMMENT, email=COMMENT["email"].lower()),
        Rules(hold_links_at=0, **{f"{prefix}_{field}": listed}),
        fingerprint="abc123",
    )
    expected = [reason.format(kind=kind)]
    assert (hold, spam) == ((expected, []) if prefix == "hold" else ([], expected))


@pytest.mark.parametrize("word, body", [("cheap", "cheaper by far"), ("lead", "misleading")])
def test_words_match_whole_words_only(word, body):
    assert check_rules({"author": "A", "body": body}, Rules(spam_words=[word])) == ([], [])


@pytest.mark.parametrize("limit, held", [(0, False), (2, True), (3, False)])
def test_link_limit(limit, held):
    hold, _ = check_rules(COMMENT, Rules(hold_links_at=limit))
    assert bool(hold) is held


def test_rules_round_trip_through_the_database(tmp_path):
    db = store.open_db(tmp_path / "c.db")
    store.migrate(db)
    assert rules.load_rules(db) == Rules()
    saved = Rules(mode=rules.PUBLISH, hold_links_at=4, spam_words=rules.parse_list("Casino, pills\nloans"))
    rules.save_rules(db, saved)
    assert rules.load_rules(db) == saved
    assert saved.spam_words == ["casino", "pills", "loans"]
    with pytest.raises(ValueError):
        rules.save_rules(db, Rules(mode="anything"))


@pytest.mark.parametrize(
    "mode, trusted, publish",
    [("hold_all", True, False), ("hold_first_time", False, False), ("hold_first_time", True, True),
     ("publish", False, True)],
)
def test_moderation_mode_decides_who_skips_the_queue(mode, trusted, publish):
    assert rules.may_publish(Rules(mode=mode), trusted) is publish
