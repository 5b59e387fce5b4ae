"""Hostile input to the moderation form from a signed-in moderator: never a 5xx or a stack trace."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import requests

from .conftest import THREADS
from .e2e.server import ROOT, ServiceProcess, Site
from .test_security_errors import LEAKS

HUGE = str(2**70)
ODD_VALUES = ["", "abc", "-1", HUGE, "1e9", "\u0000", "<script>alert(1)</script>", "x" * 5000]


@pytest.fixture(scope="module")
def moderator(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("moderation-security"), threads=THREADS)
    with ServiceProcess(site) as server:
        requests.post(f"{server.url}/api/threads/say-hello/comments", json={"author": "Ada", "body": "Hi"})
        subprocess.run([sys.executable, "-m", "comments_service.cli", "moderator", "add", "mara", "--password-stdin"],
                       input="a long enough passphrase\n", text=True, env=server.env, cwd=ROOT, check=True,
                       capture_output=True)
        session = requests.Session()
        login = session.get(f"{server.url}/moderate/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
        signed_in = session.post(f"{server.url}/moderate/login",
                                 data={"csrf_token": token, "name": "mara", "password": "a long enough passphrase"})
        assert signed_in.status_code == 200 and "Log out" in signed_in.text
        yield server, session, token


def clean(response) -> None:
    assert response.status_code < 500, (response.request.method, response.request.url, response.text[:500])
    assert not any(leak in response.text for leak in LEAKS), response.text[:2000]


@pytest.mark.parametrize("value", ODD_VALUES, ids=range(len(ODD_VALUES)))
def test_odd_query_values_on_every_moderation_page_get_a_clean_answer(moderator, value):
    server, session, _ = moderator
    for path in ("/moderate/", "/moderate/audit", "/moderate/overview", "/moderate/settings"):
        for name in ("page", "status", "q", "in", "thread", "next", "days"):
            clean(session.get(f"{server.url}{path}", params={name: value}))


@pytest.mark.parametrize("value", ODD_VALUES, ids=range(len(ODD_VALUES)))
def test_odd_form_values_on_every_moderation_action_get_a_clean_answer(moderator, value):
    server, session, token = moderator
    forms = {
        "/moderate/actions": [{"action": "approve", "ids": value}, {"action": value, "ids": "1"},
                              {"action": "spam", "ids": [value, "1", value]}],
        "/moderate/comments/1/edit": [{"body": value}],
        "/moderate/comments/1/reply": [{"body": value}],
        f"/moderate/comments/{HUGE}/edit": [{"body": "x"}],
        f"/moderate/comments/{HUGE}/reply": [{"body": "x"}],
        "/moderate/settings": [{"mode": value, "hold_links_at": value, "hold_words": value}],
    }
    for path, bodies in forms.items():
        for body in bodies:
            clean(session.post(f"{server.url}{path}", data={"csrf_token": token, "next": value, **body}))
