"""The moderators' web form at /moderate/: login, the queue, actions, rules, audit log, overview.

Every page but the login form needs a moderator's session; every change is a POST with a CSRF
token (CSRFProtect on the app) and writes a row of the audit log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, time, timedelta, timezone
from functools import partial
from urllib.parse import urlsplit

from flask import (
    Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for,
)
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import auth, notify, rules, spam, store
from .api import ApiError, client_fingerprint, get_db, now, resolve_parent
from .charts import Series, stacked_bars
from .sanitize import render_comment
from .validation import check_body

bp = Blueprint(
    "moderate", __name__, url_prefix="/moderate", static_folder="static", static_url_path="/static"
)

PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50
MAX_SELECTION = 500
OVERVIEW_DAYS = 30
PUBLIC_ENDPOINTS = {"moderate.login", "moderate.static"}
STATUS_FILLS = {
    store.PENDING: "#b26a00", store.APPROVED: "#2e7d32", store.SPAM: "#c62828", store.DELETED: "#757575",
}
LIST_LABELS = {
    "hold_words": "Words that hold a comment",
    "hold_emails": "Email addresses to hold",
    "hold_domains": "Domains to hold (in links, the website or the email)",
    "hold_fingerprints": "Client fingerprints to hold",
    "spam_words": "Words that mark a comment as spam",
    "spam_emails": "Email addresses that are spam",
    "spam_domains": "Domains that are spam (in links, the website or the email)",
    "spam_fingerprints": "Client fingerprints that are spam",
}


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


def comments_phrase(count: int) -> str:
    """“1 comment”, “3 comments”."""
    return f"{count} comment" if count == 1 else f"{count} comments"


@dataclass(frozen=True)
class QueueQuery:
    """What the queue shows, read from the query string through allowlists."""

    status: str = store.PENDING
    q: str = ""
    search_in: str = "all"
    thread: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> QueueQuery:
        """Unknown or malformed values fall back to the defaults."""
        status, search_in = args.get("status", ""), args.get("in", "")
        return cls(
            status=status if status in store.STATUSES else store.PENDING,
            q=args.get("q", "").strip()[:200],
            search_in=search_in if search_in in store.SEARCH_COLUMNS else "all",
            thread=args.get("thread", "").strip()[:200],
            page=page_number(args),
        )

    def url(self, **changes) -> str:
        """The queue's address with some values changed (defaults left out)."""
        values = {**asdict(self), **changes}
        params = {"status": values["status"], "q": values["q"], "in": values["search_in"],
                  "thread": values["thread"], "page": values["page"]}
        defaults = {"status": store.PENDING, "q": "", "in": "all", "thread": "", "page": 1}
        return url_for("moderate.queue", **{k: v for k, v in params.items() if v != defaults[k]})


def page_number(args) -> int:
    """The page asked for in the query string (1 when missing or malformed)."""
    try:
        return min(max(1, int(args.get("page", 1))), 1_000_000)
    except ValueError:
        return 1


def safe_next(target: str | None) -> str:
    """Where to go back to: a page of the moderation form, never another site."""
    try:
        parts = urlsplit(target or "")
    except ValueError:  # "http://[x": a 500 on the login page, found by the security suite (issue 6)
        return url_for("moderate.queue")
    if parts.scheme or parts.netloc or "\\" in (target or "") or not parts.path.startswith("/moderate/"):
        return url_for("moderate.queue")
    return target


def back():
    """After a POST: a 303 to the page the moderator was on."""
    return redirect(safe_next(request.form.get("next")), code=303)


def redirect_to_login():
    """Send a visitor without a session to the login form, remembering the page they wanted."""
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("moderate.login", next=target), code=303)


def moderator() -> dict:
    """The signed-in moderator (set by `require_moderator`)."""
    return g.moderator


@bp.before_request
def require_moderator():
    """Every page but the login form and static files needs a live moderator session."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if auth.current_moderator(get_db(), now()) is None:
        return redirect_to_login()
    return None


@bp.after_request
def never_cache(response):
    """Moderation answers are private: no cache may keep them."""
    # Pages show private data (emails) and tokens: never keep them in any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def navigation():
    """What the navigation of every page shows: who is signed in, counts per tab."""
    signed_in = g.get("moderator")
    return {
        "signed_in": signed_in,
        "counts": store.count_by_status(get_db()) if signed_in else {},
        "statuses": store.STATUSES,
    }


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    """A POST without a valid CSRF token: back to login without a session, else a 400 page."""
    # A POST from an expired session is sent to log in again; with a session it is refused.
    if request.endpoint != "moderate.login" and auth.current_moderator(get_db(), now()) is None:
        return redirect_to_login()
    message = ("This form was out of date or did not come from this site, so nothing was changed."
               " Go back, reload the page and try again.")
    return render_template("moderate/error.html", title="Form expired", message=message), 400


@bp.errorhandler(HTTPException)
def http_error(error):
    """Errors inside the moderation form are short pages (never a stack trace)."""
    return render_template(
        "moderate/error.html", title=f"{error.code} {error.name}", message=error.description
    ), error.code


def render_login(target: str, name: str = "", error: str = "", status: int = 200):
    """The login form, with what the moderator typed and what went wrong."""
    page = render_template("moderate/login.html", next=target, name=name, error=error)
    return page, status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; check a name and password, throttled against guessing."""
    db, moment = get_db(), now()
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if auth.current_moderator(db, moment):
            return redirect(target)
        return render_login(target)
    name = request.form.get("name", "").strip()[:100]
    client = client_fingerprint()
    throttle = auth.login_throttle(db, name, client, moment)
    if throttle:
        page, status = render_login(target, name, throttle.message, 429)
        return page, status, {"Retry-After": str(throttle.retry_after)}
    found = auth.check_login(db, name, request.form.get("password", ""))
    if found is None:
        auth.record_failure(db, name, client, moment)
        return render_login(target, name, auth.LOGIN_FAILED)
    auth.log_in(db, found, moment)
    store.add_audit(db, moderator=found["name"], action="log in", now=moment)
    return redirect(target, code=303)


@bp.post("/logout")
def logout():
    """End the session."""
    store.add_audit(get_db(), moderator=moderator()["name"], action="log out", now=now())
    auth.log_out()
    flash("You are logged out.", "done")
    return redirect(url_for("moderate.login"), code=303)


@bp.get("/")
def queue():
    """One tab of the queue: search, article filter and pagination from the query string."""
    db = get_db()
    query = QueueQuery.from_args(request.args)
    comments, total = store.search_comments(
        db, status=query.status, text=query.q, search_in=query.search_in, thread=query.thread,
        limit=PAGE_SIZE, offset=(query.page - 1) * PAGE_SIZE,
    )
    parents = store.get_comments(db, [c["parent_id"] for c in comments if c["parent_id"]])
    manifest = current_app.extensions["threads"]
    rows = [
        {
            "comment": comment,
            "thread": manifest.get(comment["thread"]),
            "parent": parents.get(comment["parent_id"]),
            "reasons": store.comment_reasons(comment),
            "actions": actions_for(comment["status"]),
            "can_reply": comment["status"] in (store.PENDING, store.APPROVED),
        }
        for comment in comments
    ]
    titles = {t.slug: t.title for t in manifest.all()}
    for slug in store.comment_threads(db):
        titles.setdefault(slug, slug)
    return render_template(
        "moderate/queue.html",
        query=query,
        rows=rows,
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
        bulk_actions=actions_for(query.status),
        search_fields={"all": "Text, author or email", "text": "Text", "author": "Author", "email": "Email"},
        thread_titles=sorted(titles.items(), key=lambda item: item[1].lower()),
    )


def apply_action(db, action: Action, comment_id: int, moment: datetime) -> bool:
    """Make one change of status, teach the filter, tell a replied-to commenter; False if it did not apply."""
    with db.atomic():  # the change and its audit row, or neither
        before = store.change_status(db, comment_id, action.to_status, action.from_statuses, moment)
        if before is None:
            return False
        store.add_audit(
            db, moderator=moderator()["name"], action=action.name, comment_id=comment_id,
            from_status=before["status"], to_status=action.to_status, now=moment,
        )
    after = store.get_comment(db, comment_id)
    if action.learn:
        try:
            spam.learn(db, after, action.learn)
        except Exception:  # a filter fault must not undo or hide the moderator's decision
            current_app.logger.exception("spam.learn failed for comment %s", comment_id)
    if action.to_status == store.APPROVED:
        notify.notify_reply_approved(db, after)
    return True


def selected_ids() -> list[int]:
    """The comment ids of the form, as numbers, without repeats."""
    ids = []
    for value in request.form.getlist("ids")[:MAX_SELECTION]:
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return list(dict.fromkeys(ids))


@bp.post("/actions")
def act():
    """Apply an action to one comment or to a selection, then go back with a confirmation."""
    action = ACTIONS.get(request.form.get("action", ""))
    ids = selected_ids()
    if action is None:
        flash("Choose what to do with the selected comments.", "error")
        return back()
    if not ids:
        flash("Select at least one comment first.", "error")
        return back()
    db, moment = get_db(), now()
    done = sum(apply_action(db, action, comment_id, moment) for comment_id in ids)
    skipped = len(ids) - done
    if done:
        flash(action.done.format(n=comments_phrase(done), them="it" if done == 1 else "them"), "done")
    if skipped:
        flash(f"Skipped {comments_phrase(skipped)}: already changed, or not in a status that"
              f" “{action.button}” applies to.", "error")
    return back()


def find_comment(comment_id: int) -> dict:
    """The comment, or a 404 page."""
    try:
        return store.get_comment(get_db(), comment_id)
    except store.CommentNotFound:
        abort(404, f"There is no comment {comment_id}.")


@bp.post("/comments/<int:comment_id>/edit")
def edit(comment_id):
    """Replace a comment's text (sanitized again), keeping its status."""
    comment = find_comment(comment_id)
    body, problem = check_body(request.form.get("body"))
    if problem:
        flash(f"Comment {comment_id} was not changed: {problem}", "error")
        return back()
    if body == comment["body"]:
        flash(f"Comment {comment_id} already had that text; nothing changed.", "done")
        return back()
    db, moment = get_db(), now()
    with db.atomic():
        store.update_body(db, comment_id, body, render_comment(body), now=moment)
        store.add_audit(
            db, moderator=moderator()["name"], action="edit", comment_id=comment_id,
            from_status=comment["status"], to_status=comment["status"],
            details="text was: " + comment["body"][:500], now=moment,
        )
    flash(f"Saved your edit of comment {comment_id}.", "done")
    return back()


@bp.post("/comments/<int:comment_id>/reply")
def reply(comment_id):
    """Publish the moderator's reply to a comment at once, marked as the site's reply."""
    comment = find_comment(comment_id)
    body, problem = check_body(request.form.get("body"))
    thread = current_app.extensions["threads"].get(comment["thread"])
    if not problem and thread is None:
        problem = "its post is no longer on the site."
    if not problem and comment["status"] not in (store.PENDING, store.APPROVED):
        problem = "only pending or published comments can get a reply."
    if problem:
        flash(f"Your reply to comment {comment_id} was not posted: {problem}", "error")
        return back()
    db, moment = get_db(), now()
    approved_too = comment["status"] == store.PENDING
    if approved_too:
        # Like WordPress's "Approve and reply": a published reply needs a published parent.
        apply_action(db, ACTIONS["approve"], comment_id, moment)
    try:
        parent_id, depth = resolve_parent(db, thread, comment_id)
    except ApiError as error:
        flash(f"Your reply to comment {comment_id} was not posted: {error.error}", "error")
        return back()
    me = moderator()
    with db.atomic():
        reply_id = store.add_comment(
            db, thread=comment["thread"], author=me["name"], email=me["email"], body=body,
            body_html=render_comment(body), status=store.APPROVED, parent_id=parent_id,
            depth=depth, by_moderator=True, now=moment,
        )
        store.add_audit(
            db, moderator=me["name"], action="reply", comment_id=reply_id, to_status=store.APPROVED,
            details=f"in reply to comment {comment_id}", now=moment,
        )
    notify.notify_reply_approved(db, store.get_comment(db, reply_id))
    flash(f"Posted your reply to comment {comment_id}"
          + (" and approved that comment." if approved_too else "; it is published."), "done")
    return back()


def rules_from_form(form) -> tuple[rules.Rules, dict[str, str]]:
    """Rules from the settings form, and a message per field that needs fixing."""
    errors = {}
    mode = form.get("mode", "")
    if mode not in rules.MODES:
        errors["mode"] = "Choose one of the moderation modes."
        mode = rules.HOLD_ALL
    try:
        links = int(form.get("hold_links_at", "").strip())
        if not 0 <= links <= 1000:
            raise ValueError
    except ValueError:
        errors["hold_links_at"] = "The number of links must be a whole number from 0 (no limit) to 1000."
        links = 0
    lists = {name: rules.parse_list(form.get(name, "")) for name in rules.LIST_FIELDS}
    return rules.Rules(mode=mode, hold_links_at=links, **lists), errors


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


def render_settings(current: rules.Rules, errors: dict | None = None, status: int = 200):
    """The rules form with the values to show and the problems to fix."""
    return render_template(
        "moderate/settings.html", rules=current, errors=errors or {}, modes=rules.MODES,
        list_labels=LIST_LABELS,
    ), status


@bp.get("/settings")
def settings():
    """The rules form."""
    return render_settings(rules.load_rules(get_db()))


@bp.post("/settings")
def save_settings():
    """Save the rules from the form and audit what changed."""
    db = get_db()
    new, errors = rules_from_form(request.form)
    if errors:
        return render_settings(new, errors, 400)
    changes = describe_changes(rules.load_rules(db), new)
    if not changes:
        flash("The rules were already like this; nothing changed.", "done")
        return redirect(url_for("moderate.settings"), code=303)
    with db.atomic():
        rules.save_rules(db, new)
        store.add_audit(db, moderator=moderator()["name"], action="change rules", details=changes, now=now())
    flash("Saved the rules. They apply to comments from now on.", "done")
    return redirect(url_for("moderate.settings"), code=303)


@bp.get("/audit")
def audit():
    """The audit log, newest first, a page at a time."""
    page = page_number(request.args)
    entries, total = store.list_audit(get_db(), AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE)
    return render_template(
        "moderate/audit.html", entries=entries, page=page, pages=max(1, -(-total // AUDIT_PAGE_SIZE)),
        total=total, page_url=partial(url_for, "moderate.audit"),
    )


def last_days(today, count: int) -> list[str]:
    """The ISO dates of the last `count` days, oldest first, ending today."""
    return [(today - timedelta(days=n)).isoformat() for n in range(count - 1, -1, -1)]


@bp.get("/overview")
def overview():
    """Charts of the last 30 days: comments per day by status, and spam caught."""
    db = get_db()
    days = last_days(now().date(), OVERVIEW_DAYS)
    since = datetime.combine(datetime.fromisoformat(days[0]).date(), time(), tzinfo=timezone.utc)
    by_status = store.daily_counts_by_status(db, since)
    caught = store.daily_spam_caught(db, since)
    status_series = [
        Series(status.capitalize(), STATUS_FILLS[status], [by_status.get((d, status), 0) for d in days])
        for status in store.STATUSES
    ]
    spam_series = [
        Series("Caught by the filter", "#c62828", [caught.get((d, "filter"), 0) for d in days]),
        Series("Marked by moderators", "#ef8a62", [caught.get((d, "moderators"), 0) for d in days]),
    ]
    return render_template(
        "moderate/overview.html",
        days=OVERVIEW_DAYS,
        status_chart=stacked_bars("per-status", f"Comments per day by status, last {OVERVIEW_DAYS} days",
                                  days, status_series),
        spam_chart=stacked_bars("spam-caught", f"Spam caught per day, last {OVERVIEW_DAYS} days",
                                days, spam_series),
        totals=[(s.label, sum(s.values)) for s in status_series + spam_series],
    )
