"""Fixtures for moderation tests: a moderator account, a browser-like client that reads forms,
and a real local SMTP server (aiosmtpd) that collects what the service sends."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
import requests
from aiosmtpd.controller import Controller

from comments_service import store
from comments_service.domain import accounts as auth

PASSWORD = "correct horse battery"
VOID_TAGS = {"input", "br", "hr", "img", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}


@dataclass
class Button:
    text: str
    name: str | None
    value: str | None


@dataclass
class Form:
    action: str
    method: str
    id: str | None
    scope: list[str]  # ids of the elements around the form
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)


class PageParser(HTMLParser):
    """Reads forms, their controls and buttons, labels, and what the CSP would block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.outside_controls: dict[str, list[dict]] = {}  # form id -> controls with form="id"
        self.controls: list[dict] = []
        self.label_targets: set[str] = set()
        self.csp_violations: list[str] = []
        self._stack: list[tuple[str, str | None]] = []
        self._form: Form | None = None
        self._button: dict | None = None
        self._textarea: dict | None = None
        self._select: dict | None = None

    def _in_label(self) -> bool:
        return any(tag == "label" for tag, _ in self._stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in a:
            if name == "style" or name.startswith("on"):
                self.csp_violations.append(f"<{tag} {name}=...>")
        if tag == "style" or (tag == "script" and not a.get("src")):
            self.csp_violations.append(f"inline <{tag}>")
        if tag == "form":
            scope = [element_id for _, element_id in self._stack if element_id]
            self._form = Form(a.get("action", ""), a.get("method", "get").lower(), a.get("id"), scope)
            self.forms.append(self._form)
        elif tag == "label" and a.get("for"):
            self.label_targets.add(a["for"])
        elif tag == "button":
            self._button = {"name": a.get("name"), "value": a.get("value"), "text": ""}
        elif tag in ("input", "textarea", "select"):
            control = {"tag": tag, **a, "labelled": self._in_label() or "aria-label" in a, "text": ""}
            if tag == "textarea":
                self._textarea = control
            if tag == "select":
                self._select = control
            self._add_control(control)
        elif tag == "option" and self._select is not None and "selected" in a:
            self._select["value"] = a.get("value", "")
        if tag not in VOID_TAGS:
            self._stack.append((tag, a.get("id")))

    def _add_control(self, control):
        kind = control.get("type", "text")
        if not (control["tag"] == "input" and kind in ("hidden", "submit")):
            self.controls.append(control)
        if control.get("form"):
            self.outside_controls.setdefault(control["form"], []).append(control)
        elif self._form is not None and control.get("name"):
            if control["tag"] == "input" and kind in ("checkbox", "radio") and "checked" not in control:
                return
            self._form.fields.append((control["name"], control.get("value", "")))

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None:
            button = Button(" ".join(self._button["text"].split()), self._button["name"], self._button["value"])
            if self._form is not None:
                self._form.buttons.append(button)
            self._button = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None and self._textarea.get("name"):
                name = self._textarea["name"]
                self._form.fields = [(n, v) for n, v in self._form.fields if n != name]
                self._form.fields.append((name, self._textarea["text"]))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if self._form is not None and self._select.get("name"):
                self._form.fields.append((self._select["name"], self._select.get("value", "")))
            self._select = None
        elif tag == "form":
            self._form = None
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break

    def unlabelled(self) -> list[dict]:
        """Visible form controls that have no label."""
        return [c for c in self.controls if not c["labelled"] and c.get("id") not in self.label_targets]


class Page:
    """A fetched HTML page whose forms can be submitted by the text of their buttons."""

    def __init__(self, response: requests.Response):
        self.response = response
        self.html = response.text
        self.parsed = PageParser()
        self.parsed.feed(self.html)

    def find(self, button: str, within: str | None = None) -> tuple[Form, Button]:
        for form in self.parsed.forms:
            if within and within not in form.scope:
                continue
            for candidate in form.buttons:
                if candidate.text == button:
                    return form, candidate
        raise AssertionError(f"no form with a button {button!r}" + (f" in #{within}" if within else ""))

    def has_button(self, button: str, within: str | None = None) -> bool:
        try:
            self.find(button, within)
        except AssertionError:
            return False
        return True


class Browser:
    """A moderator's browser: keeps cookies, reads pages, submits their forms."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()

    def get(self, path: str, **kwargs) -> Page:
        return Page(self.http.get(urljoin(self.base_url, path), **kwargs))

    def submit(self, page: Page, button: str, within: str | None = None, data: dict | None = None,
               follow: bool = True) -> requests.Response:
        """Submit the form holding `button`, with its own fields, overridden by `data`."""
        form, pressed = page.find(button, within)
        fields = [(n, v) for n, v in form.fields if not data or n not in data]
        for name, value in (data or {}).items():
            values = value if isinstance(value, list) else [value]
            fields.extend((name, str(v)) for v in values)
        if pressed.name:
            fields.append((pressed.name, pressed.value or ""))
        url = urljoin(page.response.url, form.action)
        return self.http.post(url, data=fields, allow_redirects=follow)

    def login(self, name: str, password: str = PASSWORD, follow: bool = True) -> requests.Response:
        page = self.get("/moderate/login")
        return self.submit(page, "Log in", data={"name": name, "password": password}, follow=follow)

    def csrf_token(self) -> str:
        page = self.get("/moderate/")
        return dict(page.parsed.forms[0].fields)["csrf_token"]


@pytest.fixture
def moderator(db):
    """A moderator account named "mod" with an email address."""
    auth.add_moderator(db, "mod", PASSWORD, "mod@example.org")
    return store.find_moderator(db, "mod")


@pytest.fixture
def signed_in(live, moderator):
    """A browser with the moderator logged in."""
    browser = Browser(live.url)
    response = browser.login("mod")
    assert response.status_code == 200 and response.url.endswith("/moderate/")
    return browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 5.0) -> list:
        """The messages once there are `count` of them (fails after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"expected {count} emails, got {len(self.messages)}"
        return list(self.messages)

    def count_after(self, seconds: float = 0.5) -> int:
        """How many messages arrived, after giving stragglers `seconds` to arrive."""
        time.sleep(seconds)
        return len(self.messages)


@pytest.fixture
def mailbox(app):
    """A real SMTP server on 127.0.0.1, and the app configured to send through it."""
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_STARTTLS=False,
        SMTP_FROM="Touch Base <comments@touchbase.example>", PUBLIC_URL="https://touchbase.example",
    )
    yield handler
    controller.stop()


# --- what the moderation tests do over HTTP and read back ---------------------------------


def post(live, **fields) -> int:
    """A reader's comment through the public API; returns its id."""
    response = live.post_comment(live.session(), **fields)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def public_ids(live, slug="say-hello") -> list[int]:
    listed = live.session().get(f"{live.url}/api/threads/{slug}/comments").json()
    return [c["id"] for c in listed["comments"]]


def audit_rows(db, action=None) -> list[dict]:
    rows = list(db.query("SELECT * FROM audit_log ORDER BY id"))
    return [r for r in rows if action is None or r["action"] == action]


def moderate(db, comment_id, to_status, allowed_from, action) -> None:
    """A moderator's change of status as the form makes it: the change and its audit row, together."""
    with db.atomic():
        before = store.change_status(db, comment_id, to_status, allowed_from, store.utcnow())
        store.add_audit(db, moderator="mod", action=action, comment_id=comment_id,
                        from_status=before["status"], to_status=to_status)
