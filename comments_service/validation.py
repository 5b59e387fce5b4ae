"""Checks of what a reader submits. Each problem names the field and says what to fix."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

AUTHOR_MAX = 80
EMAIL_MAX = 254
WEBSITE_MAX = 300
BODY_MAX = 10_000
# The fields a comment submission may carry; anything else is dropped (an input allowlist).
ACCEPTED_FIELDS = ("author", "email", "website", "body", "parent_id", "notify", "form_token", "phone")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A host name: letters (any script), digits, dots and hyphens; an IPv6 literal in brackets.
_HOST = re.compile(r"[\w.-]+|\[[0-9a-f:.]+\]", re.IGNORECASE)


@dataclass
class Submission:
    author: str = ""
    email: str = ""
    website: str = ""
    body: str = ""
    parent_id: int | None = None
    notify: bool = False
    form_token: str = ""
    honeypot: str = ""
    errors: dict[str, str] = field(default_factory=dict)


# Unicode's control characters (category Cc) but tab and newline, and lone surrogates (Cs).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _text(value) -> str:
    """A submitted value as text without control characters (newlines kept)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    return _CONTROL.sub("", value)


def _truthy(value) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "on", "yes")


def clean_website(raw: str) -> tuple[str, str | None]:
    """Normalise a website; returns (url, problem)."""
    website = raw.strip()
    if not website:
        return "", None
    if "://" not in website and ":" not in website.split("/")[0]:
        website = "https://" + website
    problem = "Website must be a web address starting with http:// or https://."
    try:
        parts = urlsplit(website)
    except ValueError:  # e.g. "https://[not an address]" (a 500 found by the XSS suite, issue 6)
        return raw, problem
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in website:
        return raw, problem
    host = parts.netloc.rsplit("@", 1)[-1]
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if not _HOST.fullmatch(host) or "_" in host:
        return raw, problem
    if len(website) > WEBSITE_MAX:
        return raw, f"Website must be at most {WEBSITE_MAX} characters."
    return website, None


def check_body(raw) -> tuple[str, str | None]:
    """Trim a comment body; returns (body, problem)."""
    body = _text(raw).strip()
    if not body:
        return body, "Comment is empty: write something before posting."
    if len(body) > BODY_MAX:
        return body, f"Comment is {len(body):,} characters long; the limit is {BODY_MAX:,}."
    return body, None


def check_submission(data: dict, *, require_email: bool = False) -> Submission:
    """Read a submission from form or JSON fields; problems are collected in `errors`."""
    data = {key: data.get(key) for key in ACCEPTED_FIELDS}
    sub = Submission(
        form_token=_text(data["form_token"]).strip(),
        honeypot=_text(data["phone"]).strip(),
        notify=_truthy(data["notify"]),
    )

    sub.author = " ".join(_text(data["author"]).split())
    if not sub.author:
        sub.errors["author"] = "Name is required: tell us what to call you."
    elif len(sub.author) > AUTHOR_MAX:
        sub.errors["author"] = f"Name must be at most {AUTHOR_MAX} characters."

    # Lower-cased so a returning commenter is recognised however they type it.
    sub.email = _text(data["email"]).strip().lower()
    if not sub.email:
        if require_email:
            sub.errors["email"] = "Email is required on this site (it is never published)."
        elif sub.notify:
            sub.errors["email"] = "Give an email address to be told about replies, or untick the box."
    elif len(sub.email) > EMAIL_MAX or not _EMAIL.match(sub.email):
        sub.errors["email"] = "Email does not look like an address (name@example.com)."

    sub.website, problem = clean_website(_text(data["website"]))
    if problem:
        sub.errors["website"] = problem

    sub.body, problem = check_body(data["body"])
    if problem:
        sub.errors["body"] = problem

    parent = data["parent_id"]
    if parent not in (None, "", 0, "0"):
        try:
            sub.parent_id = int(parent)
            if sub.parent_id < 1:
                raise ValueError
        except (TypeError, ValueError):
            sub.errors["parent_id"] = "parent_id must be the number of the comment you reply to."
    return sub
