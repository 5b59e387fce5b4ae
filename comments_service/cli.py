"""The `comments` command: set up the database, serve, and look after threads."""

from __future__ import annotations

import click

from . import create_app, store


def make_app(**overrides):
    return create_app({k: v for k, v in overrides.items() if v is not None})


def migrated_db(app):
    """The app's database, created or upgraded first so every command finds its tables."""
    db = store.open_db(app.config["DATABASE"])
    store.migrate(db)
    return db


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
    pending = [m.name for m in store.migrations.pending(db)]
    store.migrate(db)
    click.echo(f"Database {app.config['DATABASE']}: " + (
        f"applied {', '.join(pending)}." if pending else "up to date."
    ))


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


if __name__ == "__main__":
    main()
