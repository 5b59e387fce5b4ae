"""The `comments` command: set up the database, serve, and look after threads."""

from __future__ import annotations

import smtplib
import sys

import click

from . import notify, store
from .cli_common import make_app, migrated_db
from .domain import accounts as auth
from .spam.cli import spam as spam_commands


@click.group()
@click.option("--database", envvar="COMMENTS_DATABASE", help="SQLite file (default var/comments.db).")
@click.option("--site-dir", envvar="COMMENTS_SITE_DIR", help="The built site (default output).")
@click.pass_context
def main(ctx, database, site_dir):
    """Touch Base comment service."""
    ctx.obj = {"DATABASE": database, "SITE_DIR": site_dir}


@main.command()
@click.pass_obj
def init(settings):
    """Create or upgrade the database (safe to run again)."""
    app = make_app(**settings)
    db = store.open_db(app.config["DATABASE"])
    pending = store.pending_migrations(db)
    store.migrate(db)
    click.echo(f"Database {app.config['DATABASE']}: " + (
        f"applied {', '.join(pending)}." if pending else "up to date."
    ))
    announce_first_moderator(db)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
def serve(settings, host, port):
    """Serve the site, the API and moderation on one origin (development server)."""
    app = make_app(**settings)
    migrated_db(app).close()
    click.echo(f"Touch Base on http://{host}:{port}/  (Ctrl+C to stop)")
    app.run(host=host, port=port, debug=False, threaded=True)


@main.command()
@click.pass_obj
def threads(settings):
    """List the site's threads with their comment counts."""
    app = make_app(**settings)
    counts = store.count_by_thread(migrated_db(app))
    manifest = app.extensions["threads"]
    known = manifest.all()
    if not known:
        raise click.ClickException(
            f"No threads: {manifest.path} is missing or empty. Build the site first (make html)."
        )
    now = store.utcnow()
    click.echo(f"{'slug':40} {'open':6} {'approved':>8} {'pending':>8} {'spam':>6}")
    for thread in known:
        c = counts.get(thread.slug, dict.fromkeys(store.STATUSES, 0))
        is_open = "yes" if thread.is_open(now, app.config["CLOSE_AFTER_DAYS"]) else "no"
        click.echo(
            f"{thread.slug:40} {is_open:6} {c['approved']:>8} {c['pending']:>8} {c['spam']:>6}"
        )


def announce_first_moderator(db) -> None:
    """Print the one-time password of the "admin" account created on a database without moderators."""
    password = auth.create_first_moderator(db)
    if password is None:
        return
    click.echo(
        f"Created the moderator '{auth.FIRST_MODERATOR}' with the one-time password:\n\n"
        f"    {password}\n\n"
        "It is shown only this once. Log in at /moderate/login, then choose your own password with:\n"
        f"    comments moderator passwd {auth.FIRST_MODERATOR}"
    )


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group()
def moderator():
    """Moderator accounts: add, list, remove, passwd."""


@moderator.command("add")
@click.argument("name")
@click.option("--email", default="", help="Where held-comment notices go (optional).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.pass_obj
def add_moderator(settings, name, email, password_stdin):
    """Create a moderator account."""
    db = migrated_db(make_app(**settings))
    try:
        auth.add_moderator(db, name, read_password(password_stdin), email)
    except auth.AccountError as error:
        raise click.ClickException(error.values["why"]) from None
    click.echo(f"Added moderator {name}.")


@moderator.command("list")
@click.pass_obj
def list_moderators(settings):
    """List the moderator accounts."""
    accounts = store.list_moderators(migrated_db(make_app(**settings)))
    if not accounts:
        click.echo("No moderators yet. Add one with: comments moderator add NAME")
    for account in accounts:
        click.echo(f"{account['name']:24} {account['email'] or '-':32} since {account['created_at'][:10]}")


@moderator.command("remove")
@click.argument("name")
@click.pass_obj
def remove_moderator(settings, name):
    """Delete a moderator account (its sessions end at once)."""
    db = migrated_db(make_app(**settings))
    try:
        auth.remove_moderator(db, name)
    except auth.AccountError as error:
        raise click.ClickException(error.values["why"]) from None
    click.echo(f"Removed moderator {name}.")
    if not store.list_moderators(db):
        click.echo("No moderators are left; add one with: comments moderator add NAME")


@moderator.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.pass_obj
def change_password(settings, name, password_stdin):
    """Set a moderator's password (signs them out everywhere)."""
    db = migrated_db(make_app(**settings))
    if store.find_moderator(db, name) is None:
        raise click.ClickException(f"There is no moderator named {name}.")
    try:
        auth.change_password(db, name, read_password(password_stdin))
    except auth.AccountError as error:
        raise click.ClickException(error.values["why"]) from None
    click.echo(f"Changed the password of {name}.")


main.add_command(moderator)
main.add_command(spam_commands)


@main.group("notify")
def notify_group():
    """Email notifications."""


@notify_group.command("digest")
@click.pass_obj
def send_digest(settings):
    """Email moderators one list of the comments held since the last digest."""
    app = make_app(**settings)
    db = migrated_db(app)
    notifier = notify.Notifier.from_config(app.config, app.extensions["threads"])
    held = notify.held_since_last_digest(db)
    if notifier is None:
        click.echo("Email is not set up (COMMENTS_SMTP_HOST is empty): nothing was sent.")
        return
    messages = notifier.digest_messages(db, held, store.utcnow())
    if not messages:
        click.echo(f"No digest sent: {len(held)} new held comments, "
                   f"{len(store.moderator_emails(db))} moderators with an email address.")
        return
    try:
        notify.send_now(notifier.smtp, messages)
    except (OSError, smtplib.SMTPException) as error:
        raise click.ClickException(f"Could not send the digest via {notifier.smtp.host}: {error}") from None
    notify.mark_digest_sent(db, held)
    click.echo(f"Sent a digest of {len(held)} held comments to {len(messages)} moderators.")


if __name__ == "__main__":
    main()
