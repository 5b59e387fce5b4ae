"""Moderator login over real HTTP: sessions, cookies, expiry, throttling, no account enumeration."""

from __future__ import annotations


import pytest

from comments_service import store
from comments_service.domain import accounts as auth

from .moderation_fixtures import PASSWORD, Browser, moderator, signed_in  # noqa: F401 (fixtures)


@pytest.fixture
def app_config(app_config):
    # One trusted proxy, so each test can play several clients through X-Forwarded-For.
    return {**app_config, "TRUSTED_PROXIES": 1}


def attempt(live, name, password, client="10.0.1.1"):
    """One login from a fresh browser at `client`; returns the final response."""
    browser = Browser(live.url)
    browser.http.headers["X-Forwarded-For"] = client
    return browser.login(name, password, follow=False)


def test_login_opens_the_queue_and_is_audited(live, db, moderator):
    response = attempt(live, "mod", PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == "/moderate/"
    [row] = list(db.query("SELECT * FROM audit_log WHERE action = 'log in'"))
    assert row["moderator"] == "mod"


def test_names_match_whatever_their_case(live, moderator):
    assert attempt(live, "MOD", PASSWORD).status_code == 303


@pytest.mark.parametrize("name, password", [("mod", "wrong password!"), ("nobody", PASSWORD), ("", "")])
def test_unknown_name_and_wrong_password_get_the_same_answer(live, moderator, name, password):
    response = attempt(live, name, password)
    assert response.status_code == 200
    assert "Name or password is wrong." in response.text
    assert "nobody" not in response.text.replace('value="nobody"', "")
    assert "Traceback" not in response.text
    # No session was opened.
    assert Browser(live.url).get("/moderate/").response.url.endswith("/moderate/login?next=/moderate/")


def test_five_failures_for_one_account_pause_its_logins_from_anywhere(live, db, moderator):
    auth.add_moderator(db, "other", PASSWORD)
    for n in range(5):
        assert attempt(live, "mod", "wrong password!", client=f"10.0.{n}.1").status_code == 200
    # Even the right password from a new client waits: the account is being guessed.
    response = attempt(live, "mod", PASSWORD, client="10.9.9.9")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed logins" in response.text and "try again in 15 minutes" in response.text
    assert attempt(live, "other", PASSWORD, client="10.9.9.9").status_code == 303


def test_five_failures_from_one_client_pause_its_logins_for_any_account(live, moderator):
    for n in range(5):
        assert attempt(live, f"guess{n}", "wrong password!", client="10.0.7.1").status_code == 200
    assert attempt(live, "mod", PASSWORD, client="10.0.7.1").status_code == 429
    assert attempt(live, "mod", PASSWORD, client="10.0.8.1").status_code == 303


@pytest.mark.parametrize("seconds_ago, status", [(14 * 60, 429), (15 * 60 + 5, 303)])
def test_failures_count_only_within_the_window(live, clock, moderator, seconds_ago, status):
    for n in range(5):
        assert attempt(live, "mod", "wrong password!", client=f"10.1.{n}.1").status_code == 200
    clock.advance(seconds=seconds_ago)
    response = attempt(live, "mod", PASSWORD)
    assert response.status_code == status
    if status == 429:
        assert 55 <= int(response.headers["Retry-After"]) <= 61
        assert "try again in 1 minute." in response.text


def test_a_successful_login_clears_the_accounts_failures(live, db, moderator):
    for n in range(4):
        attempt(live, "mod", "wrong password!", client=f"10.0.{n}.1")
    assert attempt(live, "mod", PASSWORD, client="10.0.9.1").status_code == 303
    assert db.execute("SELECT count(*) FROM login_failures WHERE name = 'mod'").fetchone()[0] == 0


def test_logout_ends_the_session(live, db, signed_in):
    queue = signed_in.get("/moderate/")
    response = signed_in.submit(queue, "Log out")
    assert response.url.endswith("/moderate/login")
    assert "You are logged out." in response.text
    assert signed_in.get("/moderate/").response.url.endswith("/moderate/login?next=/moderate/")
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'log out'").fetchone()[0] == 1


def test_session_cookie_is_httponly_and_samesite_lax(live, moderator):
    response = attempt(live, "mod", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("tb_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(app, live, moderator):
    app.config["SESSION_COOKIE_SECURE"] = True
    # Over plain HTTP the browser will not send it back, so look at the login form's cookie.
    cookie = Browser(live.url).get("/moderate/login").response.headers["Set-Cookie"]
    assert cookie.startswith("tb_session=") and "Secure" in cookie and "HttpOnly" in cookie


def test_session_expires_after_its_lifetime(live, clock, signed_in):
    clock.advance(hours=7, minutes=59)
    assert signed_in.get("/moderate/").response.url.endswith("/moderate/")
    clock.advance(minutes=1, seconds=1)
    assert "/moderate/login" in signed_in.get("/moderate/").response.url


def test_a_removed_account_loses_its_session_at_once(live, db, signed_in):
    auth.remove_moderator(db, "mod")
    assert "/moderate/login" in signed_in.get("/moderate/").response.url


def test_changing_the_password_ends_existing_sessions(live, db, signed_in):
    auth.change_password(db, "mod", "a brand new password")
    assert "/moderate/login" in signed_in.get("/moderate/").response.url
    assert attempt(live, "mod", "a brand new password").status_code == 303


def test_login_sends_nobody_to_another_site(live, moderator):
    browser = Browser(live.url)
    page = browser.get("/moderate/login?next=https://evil.example/moderate/")
    response = browser.submit(page, "Log in", data={"name": "mod", "password": PASSWORD}, follow=False)
    assert response.headers["Location"] == "/moderate/"


def test_login_page_of_a_signed_in_moderator_goes_to_the_queue(live, signed_in):
    assert signed_in.get("/moderate/login").response.url.endswith("/moderate/")


@pytest.mark.parametrize("path, method", [("/moderate/nothing", "get"), ("/moderate/actions", "get"),
                                          ("/moderate/comments/abc/edit", "post")])
def test_errors_are_short_pages_without_a_stack_trace(live, signed_in, path, method):
    response = getattr(signed_in.http, method)(live.url + path)
    assert response.status_code in (400, 404, 405)
    assert "Traceback" not in response.text and "File \"" not in response.text


def test_passwords_are_stored_as_scrypt_hashes(db, moderator):
    stored = store.find_moderator(db, "mod")["password_hash"]
    assert stored.startswith("scrypt:") and PASSWORD not in stored
