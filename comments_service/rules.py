"""The moderators' rules, like WordPress's discussion settings: who is held, what is spam.

Rules are stored in the `settings` table and edited on the moderation settings page.
`check_rules` is pure: a comment and the rules in, the reasons to hold or to spam out.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields

from . import links

from . import store

HOLD_ALL = "hold_all"
HOLD_FIRST_TIME = "hold_first_time"
PUBLISH = "publish"
MODES = {
    HOLD_ALL: "Hold every comment for a moderator",
    HOLD_FIRST_TIME: "Hold first-time commenters only (an email with an approved comment skips the queue)",
    PUBLISH: "Publish at once (unless a rule or the spam filter holds it)",
}
SETTINGS_KEY = "rules"
LIST_FIELDS = (
    "hold_words", "spam_words", "hold_emails", "spam_emails",
    "hold_domains", "spam_domains", "hold_fingerprints", "spam_fingerprints",
)


@dataclass
class Rules:
    mode: str = HOLD_ALL
    # Hold a comment with this many links or more (0: no limit).
    hold_links_at: int = 2
    hold_words: list[str] = field(default_factory=list)
    spam_words: list[str] = field(default_factory=list)
    hold_emails: list[str] = field(default_factory=list)
    spam_emails: list[str] = field(default_factory=list)
    hold_domains: list[str] = field(default_factory=list)
    spam_domains: list[str] = field(default_factory=list)
    hold_fingerprints: list[str] = field(default_factory=list)
    spam_fingerprints: list[str] = field(default_factory=list)


def load_rules(db) -> Rules:
    """The rules in force (defaults until a moderator saves some)."""
    stored = store.get_setting(db, SETTINGS_KEY)  # read on every post: one query
    if stored is None:
        return Rules()
    known = {f.name for f in fields(Rules)}
    return Rules(**{key: value for key, value in json.loads(stored).items() if key in known})


def save_rules(db, rules: Rules) -> None:
    """Store the rules (replacing the previous ones)."""
    if rules.mode not in MODES:
        raise ValueError(f"unknown moderation mode {rules.mode!r}")
    store.set_setting(db, SETTINGS_KEY, json.dumps(asdict(rules)))


def parse_list(text: str) -> list[str]:
    """One entry per line (or comma-separated), trimmed, lower-cased, without duplicates."""
    entries = (part.strip().lower() for line in text.splitlines() for part in line.split(","))
    return list(dict.fromkeys(entry for entry in entries if entry))


def count_links(comment: dict) -> int:
    """How many links the comment's text holds (links.py says what a link is)."""
    return len(links.in_comment(comment))


def link_domains(comment: dict) -> set[str]:
    """Hosts of the links in the body and of the website field (links.normalize_host)."""
    found = {link.host for link in links.in_comment(comment)}
    if comment.get("website"):
        found.add(links.host_of(comment["website"]))
    return found - {""}


def _domain_listed(domains: set[str], listed: list[str]) -> str | None:
    for domain in domains:
        for entry in listed:
            entry = links.host_of(entry) or entry
            if domain == entry or domain.endswith("." + entry):
                return domain
    return None


def _word_listed(text: str, words: list[str]) -> str | None:
    lowered = text.lower()
    for word in words:
        if re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", lowered):
            return word
    return None


def check_rules(comment: dict, rules: Rules, fingerprint: str = "") -> tuple[list[str], list[str]]:
    """Reasons this comment must be held, and reasons it is spam, by the moderators' lists."""
    text = " ".join((comment.get("author", ""), comment.get("body", ""), comment.get("website", "")))
    email = (comment.get("email") or "").lower()
    email_domain = email.rsplit("@", 1)[-1] if "@" in email else ""
    domains = link_domains(comment) | ({links.normalize_host(email_domain)} if email_domain else set())
    # For each kind of list: what in this comment is on a list, and how to say so.
    finders = (
        ("words", lambda listed: _word_listed(text, listed), "contains the {kind} word “{hit}”"),
        ("emails", lambda listed: email if email and email in listed else None,
         "email {hit} is on the {kind} list"),
        ("domains", lambda listed: _domain_listed(domains, listed), "domain {hit} is on the {kind} list"),
        ("fingerprints", lambda listed: fingerprint if fingerprint and fingerprint in listed else None,
         "client {hit} is on the {kind} list"),
    )
    hold: list[str] = []
    spam: list[str] = []
    body_links = count_links(comment)
    if rules.hold_links_at and body_links >= rules.hold_links_at:
        hold.append(f"has {body_links} links (the rules hold comments with {rules.hold_links_at} or more)")
    for prefix, kind, reasons in (("hold", "held", hold), ("spam", "spam", spam)):
        for name, find, message in finders:
            hit = find(getattr(rules, f"{prefix}_{name}"))
            if hit:
                reasons.append(message.format(kind=kind, hit=hit))
    return hold, spam


def is_trusted(db, email: str) -> bool:
    """A returning commenter: this email already has an approved comment."""
    return bool(email) and store.has_approved_comment(db, email.lower())


def may_publish(rules: Rules, trusted: bool) -> bool:
    """Whether the moderation mode lets this commenter skip the queue."""
    return rules.mode == PUBLISH or (rules.mode == HOLD_FIRST_TIME and trusted)
