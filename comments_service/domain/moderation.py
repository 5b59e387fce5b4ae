"""What moderators do: change a comment's status, edit its text, reply as the site, set the rules.

Every change writes its row of the audit log in the same transaction; approve and spam
decisions teach the spam filter; a published reply tells the reader it answers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import datetime

from .. import rules, spam, store
from ..sanitize import render_comment
from ..validation import check_body
from .comments import reply_position
from .errors import CommentNotFound, EditRefused, NothingToReply, ParentNotPublished

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Action:
    """A change of status a moderator can make, one comment at a time or on a selection."""

    name: str
    to_status: str
    from_statuses: tuple[str, ...]
    button: str
    bulk_button: str
    done: str
    learn: str | None = None  # what the spam filter is taught: "spam" or "ham"


ACTIONS = {
    action.name: action
    for action in (
        Action("approve", store.APPROVED, (store.PENDING,), "Approve", "Approve selected",
               "Approved {n}.", "ham"),
        Action("not-spam", store.APPROVED, (store.SPAM,), "Not spam", "Not spam: approve selected",
               "Marked {n} as not spam and published {them}.", "ham"),
        Action("spam", store.SPAM, (store.PENDING, store.APPROVED, store.DELETED), "Mark as spam",
               "Mark selected as spam", "Marked {n} as spam.", "spam"),
        Action("unapprove", store.PENDING, (store.APPROVED,), "Unapprove", "Unapprove selected",
               "Moved {n} back to pending."),
        Action("delete", store.DELETED, (store.PENDING, store.APPROVED, store.SPAM), "Delete",
               "Delete selected", "Deleted {n} (you can restore {them} from the Deleted tab)."),
        Action("restore", store.PENDING, (store.DELETED,), "Restore", "Restore selected",
               "Restored {n} to the pending queue."),
    )
}


def actions_for(status: str) -> list[Action]:
    """The actions that apply to a comment in that status."""
    return [action for action in ACTIONS.values() if status in action.from_statuses]


def can_reply(comment: dict) -> bool:
    """Only pending or published comments can get the site's reply."""
    return comment["status"] in (store.PENDING, store.APPROVED)


def get_comment(db, comment_id: int) -> dict:
    """One comment with every field; raises CommentNotFound."""
    try:
        return store.get_comment(db, comment_id)
    except store.CommentNotFound:
        raise CommentNotFound(comment_id=comment_id) from None


def apply_action(db, action: Action, comment_id: int, moderator: str, now: datetime,
                 notifier=None) -> bool:
    """Make one change of status (audited), teach the filter, tell a replied-to reader.

    False when the comment is absent or not in a status the action applies to."""
    with db.atomic():
        before = store.change_status(db, comment_id, action.to_status, action.from_statuses, now=now)
        if before is None:
            return False
        store.add_audit(db, moderator=moderator, action=action.name, comment_id=comment_id,
                        from_status=before["status"], to_status=action.to_status, now=now)
    after = store.get_comment(db, comment_id)
    if action.learn:
        try:
            spam.learn(db, after, action.learn)
        except Exception:  # a filter fault must not undo or hide the moderator's decision
            log.exception("spam.learn failed for comment %s", comment_id)
    if action.to_status == store.APPROVED and notifier is not None:
        notifier.reply_published(db, after)
    return True


def moderate(db, action: Action, ids: list[int], moderator: str, now: datetime,
             notifier=None) -> tuple[int, int]:
    """Apply an action to each comment of a selection: (how many changed, how many skipped)."""
    done = sum(apply_action(db, action, comment_id, moderator, now, notifier) for comment_id in ids)
    return done, len(ids) - done


def edit_text(db, comment_id: int, body, moderator: str, now: datetime) -> bool:
    """Replace a comment's text (sanitized again), keeping its status; False when unchanged.

    Raises CommentNotFound, or EditRefused saying what is wrong with the text."""
    comment = get_comment(db, comment_id)
    text, problem = check_body(body)
    if problem:
        raise EditRefused(comment_id=comment_id, why=problem)
    if text == comment["body"]:
        return False
    with db.atomic():
        store.update_body(db, comment_id, text, render_comment(text), now=now)
        store.add_audit(
            db, moderator=moderator, action="edit", comment_id=comment_id,
            from_status=comment["status"], to_status=comment["status"],
            details="text was: " + comment["body"][:500], now=now,
        )
    return True


def reply_as_site(db, threads, comment_id: int, body, moderator: dict, now: datetime,
                  notifier=None) -> bool:
    """Publish the moderator's reply to a comment, approving a pending one first (as WordPress's
    "Approve and reply" does). Returns whether the comment was approved too."""
    comment = get_comment(db, comment_id)
    text, problem = check_body(body)
    thread = threads.get(comment["thread"])
    if not problem and thread is None:
        problem = "its post is no longer on the site."
    if not problem and not can_reply(comment):
        problem = "only pending or published comments can get a reply."
    if problem:
        raise NothingToReply(comment_id=comment_id, why=problem)
    approved_too = comment["status"] == store.PENDING
    if approved_too:
        apply_action(db, ACTIONS["approve"], comment_id, moderator["name"], now, notifier)
    try:
        parent_id, depth = reply_position(db, thread, comment_id)
    except ParentNotPublished:
        raise NothingToReply(comment_id=comment_id,
                             why="the comment you reply to is not published on this post.") from None
    with db.atomic():
        reply_id = store.add_comment(
            db, thread=comment["thread"], author=moderator["name"], email=moderator["email"],
            body=text, body_html=render_comment(text), status=store.APPROVED, parent_id=parent_id,
            depth=depth, by_moderator=True, now=now,
        )
        store.add_audit(db, moderator=moderator["name"], action="reply", comment_id=reply_id,
                        to_status=store.APPROVED, details=f"in reply to comment {comment_id}", now=now)
    if notifier is not None:
        notifier.reply_published(db, store.get_comment(db, reply_id))
    return approved_too


def describe_changes(old: rules.Rules, new: rules.Rules) -> str:
    """What changed between two sets of rules, for the audit log."""
    changes = []
    for field in fields(rules.Rules):
        before, after = getattr(old, field.name), getattr(new, field.name)
        if before == after:
            continue
        if isinstance(before, list):
            edits = [f"+{e}" for e in after if e not in before] + [f"-{e}" for e in before if e not in after]
            changes.append(f"{field.name}: {' '.join(edits)}")
        else:
            changes.append(f"{field.name}: {before} → {after}")
    return "; ".join(changes)


def change_rules(db, new: rules.Rules, moderator: str, now: datetime) -> str:
    """Save the rules and audit what changed; returns that description ("" when nothing did)."""
    changes = describe_changes(rules.load_rules(db), new)
    if changes:
        with db.atomic():
            rules.save_rules(db, new)
            store.add_audit(db, moderator=moderator, action="change rules", details=changes, now=now)
    return changes
