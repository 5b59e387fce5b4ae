"""What a domain operation can refuse, as named exceptions.

Each carries the values its sentence needs; comments_service/errors.py maps every class to an
HTTP status and the sentence a person reads, in one table.
"""

from __future__ import annotations


class Refused(Exception):
    """An operation that did not happen, for a reason the person asking can act on."""

    def __init__(self, **values):
        super().__init__(values)
        self.values = values
        self.fields: dict[str, str] = values.get("fields") or {}


class ThreadNotFound(Refused):
    """The site has no post with that slug (values: slug)."""


class ThreadClosed(Refused):
    """The post no longer takes comments."""


class InvalidSubmission(Refused):
    """Some fields need fixing (values: fields, field name -> what to fix)."""


class ParentNotPublished(Refused):
    """A reply to a comment that is not published on this post."""


class CommentNotFound(Refused):
    """No comment has that id (values: comment_id)."""


class NotYourComment(Refused):
    """Only the comment's author, from the same browser, may change it."""


class CommentRemoved(Refused):
    """The comment was deleted and can no longer be changed."""


class EditWindowOver(Refused):
    """The time to change a comment is over (values: minutes)."""


class PostingTooFast(Refused):
    """The client posted too often lately (values: retry_after, in seconds)."""


class TooManySlugs(Refused):
    """A counts request asked for too many threads (values: limit)."""


class NothingToReply(Refused):
    """A moderator's reply to a comment that cannot have one (values: why)."""


class LoginThrottled(Refused):
    """Too many failed logins lately (values: retry_after, minutes)."""


class AccountError(Refused):
    """A moderator account cannot be created or changed (values: why)."""


class InvalidRules(Refused):
    """The moderation rules form has problems (values: fields)."""


class EditRefused(Refused):
    """A moderator's edit of a comment's text that cannot be saved (values: comment_id, why)."""


class UnreadableRequest(Refused):
    """The request body cannot be read as what the endpoint takes (values: why)."""


class NotAnswerable(Refused):
    """A reply page for a comment that is not published on this post."""
