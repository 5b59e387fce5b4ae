"""The spam filter over real HTTP: honeypot, floods, links, blocked domains, what the poster sees."""

from __future__ import annotations

import time

import pytest

from comments_service import rules, store
from comments_service.spam.form_token import issue_token

from .conftest import SECRET


def stored(db, response) -> dict:
    assert response.status_code == 201, response.text
    return store.get_comment(db, response.json()["id"])


def reasons(comment: dict) -> list[str]:
    return store.comment_reasons(comment)


def shown_token(seconds_ago: float = 30.0) -> str:
    """A form token as the page would have issued it `seconds_ago`."""
    return issue_token(SECRET, time.time() - seconds_ago)


def test_a_filled_honeypot_goes_to_spam_and_the_poster_is_told_pending(live, db):
    response = live.post_comment(live.session(), body="Great post", phone="+1 555 0100", form_token=shown_token())
    assert response.json()["status"] == "pending"
    comment = stored(db, response)
    assert comment["status"] == store.SPAM
    assert any("hidden form field was filled in" in r for r in reasons(comment))


def test_a_spam_flagged_poster_gets_the_same_answer_as_any_held_comment(live, db):
    rules.save_rules(db, rules.Rules(mode=rules.HOLD_ALL, spam_words=["casino"]))
    held = live.post_comment(live.session(), body="When is the next meetup?", form_token=shown_token())
    spammed = live.post_comment(live.session(), body="Best casino bonus", form_token=shown_token())
    assert (held.status_code, spammed.status_code) == (201, 201)
    assert set(held.json()) == set(spammed.json()) == {"id", "status"}
    assert held.json()["status"] == spammed.json()["status"] == "pending"
    assert held.cookies.keys() == spammed.cookies.keys()
    assert (stored(db, held)["status"], stored(db, spammed)["status"]) == (store.PENDING, store.SPAM)
    # Afterwards too: both are "awaiting moderation" for their author, and both can be edited.
    for session, answer in ((live.session(), held), (live.session(), spammed)):
        session.cookies.update(answer.cookies)
        mine = session.get(f"{live.url}/api/threads/say-hello/mine").json()["comments"]
        assert [(c["id"], c["status"]) for c in mine] == [(answer.json()["id"], "pending")]
        edited = session.put(f"{live.url}/api/comments/{answer.json()['id']}", json={"body": "Edited"})
        assert edited.status_code == 200 and edited.json()["status"] == "pending"
    assert stored(db, spammed)["status"] == store.SPAM
    # The plain HTML form: the same redirect either way.
    locations = []
    for body in ("Another question about meetups", "More casino bonus"):
        answer = live.session().post(
            f"{live.url}/api/threads/say-hello/comments",
            data={"author": "Ada", "body": body, "form_token": shown_token()},
            headers={"Accept": "text/html"}, allow_redirects=False,
        )
        assert answer.status_code == 303
        locations.append(answer.headers["Location"])
    assert locations == ["/say-hello/#comment-posted"] * 2


def test_a_flood_from_one_client_gets_429_with_retry_after(app, live, db):
    app.config.update(RATE_LIMIT_ENABLED=True, RATE_LIMIT_PER_MINUTE=5, RATE_LIMIT_PER_HOUR=20)
    reader = live.session()
    answers = [live.post_comment(reader, body=f"Comment number {n}", form_token=shown_token()) for n in range(6)]
    assert [a.status_code for a in answers] == [201] * 5 + [429]
    refused = answers[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "posting too fast" in refused.json()["error"]
    assert f"wait {refused.headers['Retry-After']} seconds" in refused.json()["error"]
    assert db["comments"].count == 5
    # Another browser from the same network is the same client; the limit is per client.
    assert live.post_comment(live.session(), body="Me too", form_token=shown_token()).status_code == 429


def test_rate_limits_follow_the_config(app, live):
    app.config.update(RATE_LIMIT_ENABLED=True, RATE_LIMIT_PER_MINUTE=2)
    reader = live.session()
    codes = [live.post_comment(reader, body=f"n{n}", form_token=shown_token()).status_code for n in range(3)]
    assert codes == [201, 201, 429]
    app.config["RATE_LIMIT_PER_MINUTE"] = 0
    assert live.post_comment(reader, body="n3", form_token=shown_token()).status_code == 201


@pytest.mark.parametrize(
    "settings, body, status, reason",
    [
        ({"hold_links_at": 2}, "Sources: https://a.example/x and https://b.example/y and https://c.example/z",
         store.PENDING, "has 3 links (the rules hold comments with 2 or more)"),
        ({"spam_domains": ["pills.example"]}, "Read this first: https://shop.pills.example/cheap",
         store.SPAM, "domain shop.pills.example is on the spam list"),
        ({"hold_domains": ["bit.ly"]}, "My notes from the conference: https://bit.ly/notes-2026",
         store.PENDING, "domain bit.ly is on the held list"),
    ],
)
def test_links_and_listed_domains_land_where_the_rules_say_with_reasons(live, db, settings, body, status, reason):
    rules.save_rules(db, rules.Rules(mode=rules.PUBLISH, **settings))
    response = live.post_comment(live.session(), body=body, form_token=shown_token())
    assert response.json()["status"] == "pending"
    comment = stored(db, response)
    assert comment["status"] == status
    assert reason in reasons(comment)


def test_a_plain_comment_is_published_where_the_mode_allows(live, db):
    rules.save_rules(db, rules.Rules(mode=rules.PUBLISH))
    response = live.post_comment(live.session(), body="I follow up after three days too.", form_token=shown_token())
    assert response.json()["status"] == "approved"
    assert reasons(stored(db, response)) == ["moderation mode publishes at once"]


@pytest.mark.parametrize(
    "token, words",
    [
        (lambda: shown_token(seconds_ago=0.5), "seconds after the form was shown"),
        (lambda: issue_token("another site's key"), "the form token is forged"),
        (lambda: shown_token(seconds_ago=3 * 86_400), "hours before it was sent"),
    ],
)
def test_form_token_problems_hold_the_comment_with_the_reason(live, db, token, words):
    rules.save_rules(db, rules.Rules(mode=rules.PUBLISH))
    response = live.post_comment(live.session(), body="A perfectly normal remark.", form_token=token())
    assert response.json()["status"] == "pending"
    comment = stored(db, response)
    assert comment["status"] == store.PENDING
    assert any(words in r for r in reasons(comment))


def test_the_form_without_javascript_is_not_held_for_lacking_a_token(live, db):
    rules.save_rules(db, rules.Rules(mode=rules.PUBLISH))
    response = live.session().post(
        f"{live.url}/api/threads/say-hello/comments",
        data={"author": "No Script", "body": "Posted from a browser without JavaScript."},
        headers={"Accept": "text/html"}, allow_redirects=False,
    )
    assert response.headers["Location"] == "/say-hello/#comment-published"
    assert db["comments"].count == 1
