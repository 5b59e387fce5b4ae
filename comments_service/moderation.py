"""The moderators' web form at /moderate/: login, the queue, actions, rules, audit log, overview.

Every page but the login form needs a moderator's session; every change is a POST with a CSRF
token (CSRFProtect on the app) and writes a row of the audit log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import partial

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from . import errors, rules, sessions, store, web
from .charts import Series, stacked_bars
from .db import get_db
from .domain import accounts
from .domain import moderation as moderating
from .domain import queue as reading
from .domain.errors import InvalidRules, LoginThrottled

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


def back():
    """After a POST: a 303 to the page the moderator was on."""
    return redirect(web.safe_next(request.form.get("next")), code=303)


def moderator() -> dict:
    """The signed-in moderator (set by `require_moderator`)."""
    return g.moderator


@bp.before_request
def require_moderator():
    """Every page but the login form and static files needs a live moderator session."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if sessions.current_moderator(get_db(), web.now()) is None:
        return redirect(web.login_url(), code=303)
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
        "counts": reading.status_counts(get_db()) if signed_in else {},
        "statuses": store.STATUSES,
    }


def render_login(target: str, name: str = "", error: str = "", status: int = 200):
    """The login form, with what the moderator typed and what went wrong."""
    page = render_template("moderate/login.html", next=target, name=name, error=error)
    return page, status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; check a name and password, throttled against guessing."""
    db, now = get_db(), web.now()
    target = web.safe_next(request.values.get("next"))
    if request.method == "GET":
        if sessions.current_moderator(db, now):
            return redirect(target)
        return render_login(target)
    name = request.form.get("name", "").strip()[:100]
    cfg = current_app.config
    try:
        found = accounts.log_in(
            db, name, request.form.get("password", ""), web.client_fingerprint(), now,
            limit=cfg["LOGIN_MAX_FAILURES"], window_seconds=cfg["LOGIN_WINDOW_SECONDS"],
        )
    except LoginThrottled as error:
        page, status = render_login(target, name, errors.describe(error)[1], 429)
        return page, status, {"Retry-After": str(error.values["retry_after"])}
    if found is None:
        return render_login(target, name, accounts.LOGIN_FAILED)
    sessions.start(found, now)
    return redirect(target, code=303)


@bp.post("/logout")
def logout():
    """End the session."""
    accounts.log_out(get_db(), moderator(), web.now())
    sessions.end()
    flash("You are logged out.", "done")
    return redirect(url_for("moderate.login"), code=303)


@bp.get("/")
def queue():
    """One tab of the queue: search, article filter and pagination from the query string."""
    query = QueueQuery.from_args(request.args)
    comments, total = reading.queue_page(
        get_db(), status=query.status, text=query.q, search_in=query.search_in, thread=query.thread,
        page=query.page, page_size=PAGE_SIZE,
    )
    manifest = web.threads()
    for row in comments:
        row["thread"] = manifest.get(row["comment"]["thread"])
    titles = {t.slug: t.title for t in manifest.all()}
    for slug in reading.commented_threads(get_db()):
        titles.setdefault(slug, slug)
    return render_template(
        "moderate/queue.html",
        query=query,
        rows=comments,
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
        bulk_actions=moderating.actions_for(query.status),
        search_fields={"all": "Text, author or email", "text": "Text", "author": "Author", "email": "Email"},
        thread_titles=sorted(titles.items(), key=lambda item: item[1].lower()),
    )


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
    action = moderating.ACTIONS.get(request.form.get("action", ""))
    ids = selected_ids()
    if action is None:
        flash("Choose what to do with the selected comments.", "error")
        return back()
    if not ids:
        flash("Select at least one comment first.", "error")
        return back()
    done, skipped = moderating.moderate(get_db(), action, ids, moderator()["name"], web.now(), web.notifier())
    if done:
        flash(action.done.format(n=comments_phrase(done), them="it" if done == 1 else "them"), "done")
    if skipped:
        flash(f"Skipped {comments_phrase(skipped)}: already changed, or not in a status that"
              f" “{action.button}” applies to.", "error")
    return back()


@bp.post("/comments/<int:comment_id>/edit")
def edit(comment_id):
    """Replace a comment's text (sanitized again), keeping its status."""
    changed = moderating.edit_text(get_db(), comment_id, request.form.get("body"), moderator()["name"], web.now())
    if changed:
        flash(f"Saved your edit of comment {comment_id}.", "done")
    else:
        flash(f"Comment {comment_id} already had that text; nothing changed.", "done")
    return back()


@bp.post("/comments/<int:comment_id>/reply")
def reply(comment_id):
    """Publish the moderator's reply to a comment at once, marked as the site's reply."""
    approved_too = moderating.reply_as_site(
        get_db(), web.threads(), comment_id, request.form.get("body"), moderator(), web.now(),
        web.notifier(),
    )
    flash(f"Posted your reply to comment {comment_id}"
          + (" and approved that comment." if approved_too else "; it is published."), "done")
    return back()


def rules_from_form(form) -> rules.Rules:
    """Rules from the settings form; raises InvalidRules naming each field that needs fixing."""
    problems = {}
    mode = form.get("mode", "")
    if mode not in rules.MODES:
        problems["mode"] = "Choose one of the moderation modes."
        mode = rules.HOLD_ALL
    try:
        links = int(form.get("hold_links_at", "").strip())
        if not 0 <= links <= 1000:
            raise ValueError
    except ValueError:
        problems["hold_links_at"] = "The number of links must be a whole number from 0 (no limit) to 1000."
        links = 0
    lists = {name: rules.parse_list(form.get(name, "")) for name in rules.LIST_FIELDS}
    parsed = rules.Rules(mode=mode, hold_links_at=links, **lists)
    if problems:
        raise InvalidRules(fields=problems, rules=parsed)
    return parsed


def render_settings(current: rules.Rules, problems: dict | None = None, status: int = 200):
    """The rules form with the values to show and the problems to fix."""
    return render_template(
        "moderate/settings.html", rules=current, errors=problems or {}, modes=rules.MODES,
        list_labels=LIST_LABELS,
    ), status


@bp.get("/settings")
def settings():
    """The rules form."""
    return render_settings(rules.load_rules(get_db()))


@bp.post("/settings")
def save_settings():
    """Save the rules from the form and audit what changed."""
    try:
        new = rules_from_form(request.form)
    except InvalidRules as error:  # the form again, with what the moderator typed
        return render_settings(error.values["rules"], error.fields, 400)
    if not moderating.change_rules(get_db(), new, moderator()["name"], web.now()):
        flash("The rules were already like this; nothing changed.", "done")
        return redirect(url_for("moderate.settings"), code=303)
    flash("Saved the rules. They apply to comments from now on.", "done")
    return redirect(url_for("moderate.settings"), code=303)


@bp.get("/audit")
def audit():
    """The audit log, newest first, a page at a time."""
    page = page_number(request.args)
    entries, total = reading.audit_page(get_db(), page, AUDIT_PAGE_SIZE)
    return render_template(
        "moderate/audit.html", entries=entries, page=page, pages=max(1, -(-total // AUDIT_PAGE_SIZE)),
        total=total, page_url=partial(url_for, "moderate.audit"),
    )


@bp.get("/overview")
def overview():
    """Charts of the last 30 days: comments per day by status, and spam caught."""
    days, by_status, caught = reading.daily_figures(get_db(), web.now(), OVERVIEW_DAYS)
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
