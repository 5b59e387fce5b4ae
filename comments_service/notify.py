"""Emails: held comments to moderators, approved replies to commenters who asked for them.

Messages are written during the request and sent by a background thread, so nobody waits on
SMTP. Without `SMTP_HOST` there is no Notifier: nothing is sent and nothing fails. Flask-free:
the settings, the site's threads and the base of its links are given to the Notifier.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

from typing import Mapping

from itsdangerous import BadSignature, URLSafeSerializer

from . import store
from .threads import ThreadManifest

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "touch-base-unsubscribe"
DIGEST_KEY = "digest_last_comment_at"
EACH, DIGEST, OFF = "each", "digest", "off"
EXCERPT = 2000
SMTP_TIMEOUT = 20


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str
    password: str
    sender: str
    starttls: bool


def smtp_settings(cfg: Mapping) -> SmtpSettings | None:
    """The SMTP settings of a config, or None when email is not configured."""
    if not cfg["SMTP_HOST"]:
        return None
    return SmtpSettings(
        host=cfg["SMTP_HOST"],
        port=int(cfg["SMTP_PORT"]),
        username=cfg["SMTP_USERNAME"] or "",
        password=cfg["SMTP_PASSWORD"] or "",
        sender=cfg["SMTP_FROM"] or f"Touch Base <noreply@{cfg['SMTP_HOST']}>",
        starttls=bool(cfg["SMTP_STARTTLS"]),
    )


def send_now(settings: SmtpSettings, messages: list[EmailMessage]) -> None:
    """Deliver messages over one SMTP connection (raises on SMTP or network errors)."""
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "localhost"
    for message in messages:
        del message["From"], message["Message-ID"]  # assigning would add a second header
        message["From"] = settings.sender
        message["Message-ID"] = make_msgid(domain=domain)
    with smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password)
        for message in messages:
            smtp.send_message(message)


def _send_logging_errors(settings: SmtpSettings, messages: list[EmailMessage]) -> None:
    try:
        send_now(settings, messages)
    except (OSError, smtplib.SMTPException) as error:
        # A mail outage must not break moderation; the message is lost, the reason logged.
        log.warning("could not send %d email(s) via %s: %s", len(messages), settings.host, error)


def send_in_background(settings: SmtpSettings, messages: list[EmailMessage]) -> threading.Thread | None:
    """Send messages from a background thread; None when there is nothing to send."""
    if not messages:
        return None
    thread = threading.Thread(target=_send_logging_errors, args=(settings, messages), daemon=True)
    thread.start()
    return thread


def one_line(text: str) -> str:
    """Header-safe text: no line breaks, so nobody can inject headers through a name."""
    return " ".join(str(text).split())


def compose(to: str, subject: str, text: str, headers: dict | None = None) -> EmailMessage:
    """A plain-text email (From and Message-ID are set when it is sent)."""
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = one_line(subject)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    return message


def _excerpt(text: str, limit: int = EXCERPT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unsubscribe_token(secret_key: str, email: str) -> str:
    """A signed token naming an address, for the unsubscribe link."""
    return URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT).dumps(email)


def email_of_token(secret_key: str, token: str) -> str | None:
    """The address an unsubscribe token names, or None when it is forged or broken."""
    try:
        email = URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    return email if isinstance(email, str) and email else None


def held_since_last_digest(db) -> list[dict]:
    """Comments still pending that arrived after those the last digest listed."""
    return store.pending_since(db, store.get_setting(db, DIGEST_KEY))


def mark_digest_sent(db, held: list[dict]) -> None:
    """Remember the newest comment a digest listed, so the next one starts after it."""
    if held:
        store.set_setting(db, DIGEST_KEY, held[-1]["created_at"])


@dataclass(frozen=True)
class Notifier:
    """Writes and sends the emails of one site."""

    smtp: SmtpSettings
    threads: ThreadManifest
    base_url: str  # the site's address, the start of every link
    secret_key: str
    moderators: str = EACH  # when moderators hear of held comments: each, digest or off

    @classmethod
    def from_config(cls, cfg: Mapping, threads, request_url: str = "") -> Notifier | None:
        """The notifier of a config; None when email is not set up. Links start with
        PUBLIC_URL, else with the address the request came to."""
        smtp = smtp_settings(cfg)
        if smtp is None:
            return None
        base = (cfg["PUBLIC_URL"] or request_url).rstrip("/")
        return cls(smtp, threads, base, cfg["SECRET_KEY"], cfg["NOTIFY_MODERATORS"])

    def _title(self, slug: str) -> str:
        thread = self.threads.get(slug)
        return thread.title if thread else slug

    def _comment_url(self, comment: dict) -> str:
        thread = self.threads.get(comment["thread"])
        return f"{self.base_url}{thread.url if thread else '/'}#c{comment['id']}"

    def held_comment_text(self, comment: dict) -> str:
        """How a held comment is described to moderators."""
        reasons = "; ".join(store.comment_reasons(comment)) or "held for moderation"
        return "\n".join([
            f"On “{self._title(comment['thread'])}”, {comment['author']} wrote:",
            "",
            _excerpt(comment["body"]),
            "",
            f"Email: {comment['email'] or '(none)'}",
            f"Website: {comment['website'] or '(none)'}",
            f"Why it was held: {reasons}",
        ])

    def held(self, db, comment: dict) -> None:
        """Email every moderator about one held comment (never about spam)."""
        recipients = store.moderator_emails(db)
        if comment["status"] != store.PENDING or not recipients:
            return
        subject = (f"Comment held for moderation on “{self._title(comment['thread'])}”"
                   f" by {comment['author']}")
        text = (
            "A comment is waiting for moderation.\n\n"
            + self.held_comment_text(comment)
            + f"\n\nModerate it: {self.base_url}/moderate/?status=pending\n"
        )
        send_in_background(self.smtp, [compose(address, subject, text) for address in recipients])

    def digest_messages(self, db, held: list[dict], now: datetime) -> list[EmailMessage]:
        """One email per moderator listing the held comments (none when there is nothing to say)."""
        recipients = store.moderator_emails(db)
        if not held or not recipients:
            return []
        count = len(held)
        subject = f"{count} comment{'s' if count != 1 else ''} waiting for moderation"
        parts = [f"{subject} ({now:%Y-%m-%d %H:%M} UTC).", ""]
        for number, comment in enumerate(held, 1):
            parts += [f"{number}. " + self.held_comment_text(comment), ""]
        parts.append(f"Moderate them: {self.base_url}/moderate/?status=pending")
        text = "\n".join(parts) + "\n"
        return [compose(address, subject, text) for address in recipients]

    def reply_published(self, db, reply: dict) -> None:
        """Tell the parent comment's author about a published reply, if they asked and are not its author."""
        if reply["status"] != store.APPROVED or not reply["parent_id"]:
            return
        try:
            parent = store.get_comment(db, reply["parent_id"])
        except store.CommentNotFound:
            return
        address = (parent["email"] or "").lower()
        wanted = parent["notify"] and address and parent["status"] == store.APPROVED
        if not wanted or address == (reply["email"] or "").lower():
            return
        if not store.claim_notice(db, reply["id"], "reply"):
            return  # approved once already, and told then
        send_in_background(self.smtp, [self._reply_message(parent, reply, address)])

    def _reply_message(self, parent: dict, reply: dict, address: str) -> EmailMessage:
        unsubscribe = f"{self.base_url}/api/unsubscribe/{unsubscribe_token(self.secret_key, address)}"
        title = self._title(reply["thread"])
        text = (
            f"Hello {parent['author']},\n\n"
            f"{reply['author']} replied to your comment on “{title}”:\n\n"
            f"{_excerpt(reply['body'])}\n\n"
            f"Read the conversation: {self._comment_url(reply)}\n\n"
            "You get this email because you asked to be told about replies to your comments.\n"
            f"To stop these emails: {unsubscribe}\n"
        )
        return compose(
            formataddr((one_line(parent["author"]), address)),
            f"{reply['author']} replied to your comment on “{title}”",
            text,
            {"List-Unsubscribe": f"<{unsubscribe}>"},
        )

    def comment_stored(self, db, comment_id: int) -> None:
        """After a reader's comment is stored: tell moderators it is held, or its parent's author of the reply."""
        comment = store.get_comment(db, comment_id)
        if comment["status"] == store.PENDING and self.moderators == EACH:
            self.held(db, comment)
        elif comment["status"] == store.APPROVED:
            self.reply_published(db, comment)
