"""Security headers on every answer the service gives, and the flags of every cookie it sets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from comments_service import create_app

from .conftest import LiveServer

SAMPLE_VALUES = {"slug": "say-hello", "comment_id": "1", "token": "not-a-token", "path": "say-hello/"}
STRICT_REFERRERS = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def sample_requests(app) -> list[tuple[str, str]]:
    """(method, url) for every route of the app, with sample values in its variables."""
    static = sorted(p.name for p in Path(app.static_folder or "/nonexistent").glob("*.*"))
    values = dict(SAMPLE_VALUES, filename=static[0] if static else "x.css")
    found = []
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", lambda m: values.get(m.group(1), "x"), rule.rule)
        found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


# Failures too: an error page must carry the same headers as any other answer.
ERRORS = [
    ("GET", "/no-such-page/"),
    ("GET", "/api/no-such-endpoint"),
    ("DELETE", "/api/counts"),
    ("POST", "/api/threads/say-hello/comments?bad-json"),
    ("GET", "/moderate/no-such-page"),
]


def parse_csp(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def check_headers(response) -> list[str]:
    problems = []
    csp = parse_csp(response.headers.get("Content-Security-Policy", ""))
    if not csp:
        return ["no Content-Security-Policy"]
    for directive in ("script-src", "style-src", "default-src"):
        sources = csp.get(directive, csp.get("default-src", []))
        if "'unsafe-inline'" in sources or "'unsafe-eval'" in sources or "*" in sources:
            problems.append(f"{directive} allows {sources}")
    if csp.get("frame-ancestors") not in (["'none'"], ["'self'"]):
        problems.append(f"frame-ancestors {csp.get('frame-ancestors')}")
    if csp.get("object-src") != ["'none'"]:
        problems.append(f"object-src {csp.get('object-src')}")
    if "base-uri" not in csp:
        problems.append("no base-uri")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options")
    if response.headers.get("Referrer-Policy") not in STRICT_REFERRERS:
        problems.append(f"Referrer-Policy {response.headers.get('Referrer-Policy')}")
    if response.headers.get("X-Frame-Options") not in ("DENY", "SAMEORIGIN"):
        problems.append("X-Frame-Options")
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
        if len(response.raw.headers.getlist(name)) != 1:
            problems.append(f"{name} sent {len(response.raw.headers.getlist(name))} times")
    return problems


def test_every_route_and_every_error_answers_with_the_security_headers(live):
    session = requests.Session()
    checked = {}
    for method, url in sample_requests(live.app) + ERRORS:
        data = "{not json" if url.endswith("?bad-json") else None
        headers = {"Content-Type": "application/json"} if data else {}
        response = session.request(method, live.url + url, data=data, headers=headers, allow_redirects=False)
        checked[f"{method} {url} -> {response.status_code}"] = check_headers(response)
    assert len(checked) >= 20
    assert {name: problems for name, problems in checked.items() if problems} == {}


def test_the_413_answer_carries_the_security_headers_too(live):
    response = requests.post(f"{live.url}/api/threads/say-hello/comments", data="x" * 70_000,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert check_headers(response) == []


def cookie_flags(response, name: str) -> str:
    headers = [h for h in response.raw.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, f"no {name} cookie in {response.raw.headers.getlist('Set-Cookie')}"
    return headers[0].lower()


@pytest.fixture(params=[False, True], ids=["plain-http", "secure-configured"])
def server(request, app_config):
    app = create_app(dict(app_config, TESTING=False, SESSION_COOKIE_SECURE=request.param))
    from comments_service import store

    store.migrate(store.open_db(app.config["DATABASE"]))
    live = LiveServer(app)
    live.thread.start()
    yield live, request.param
    live.server.shutdown()


def test_the_own_comments_cookie_is_httponly_samesite_and_secure_when_configured(server):
    live, secure = server
    response = live.post_comment(requests.Session())
    assert response.status_code == 201
    flags = cookie_flags(response, "tb_own")
    assert "httponly" in flags and "samesite=lax" in flags and "path=/api" in flags
    assert ("; secure" in flags) is secure


def test_the_moderator_session_cookie_is_httponly_samesite_and_secure_when_configured(server):
    live, secure = server
    response = requests.get(f"{live.url}/moderate/login")
    assert response.status_code == 200
    flags = cookie_flags(response, live.app.config["SESSION_COOKIE_NAME"])
    assert "httponly" in flags and "samesite=lax" in flags
    assert ("; secure" in flags) is secure
