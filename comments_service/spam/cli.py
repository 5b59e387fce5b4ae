"""`comments spam ...`: teach the filter from labelled files, measure it, replay a stream through it."""

from __future__ import annotations

import functools
import json
import sqlite3
import sys
import time
from pathlib import Path

import click

from .. import rules as moderation_rules
from .. import store
from ..cli_common import make_app, migrated_db
from . import settings_from_config, trainer
from .corpus import HAM, MIN_PER_CLASS, SPAM, CorpusError, in_date_order, read_labelled_csv
from .replay import evaluate, import_examples, prepare, replay, scratch_database

CSV_FILE = click.Path(path_type=Path, dir_okay=False)


def column_options(command):
    """The options that name a labelled file's columns."""
    options = [
        click.option("--text-col", help="Column with the comment text (default: text, content or comment)."),
        click.option("--label-col", help="Column with the label, 1/0 or spam/ham (default: label or class)."),
        click.option("--author-col", help="Column with the author's name (optional)."),
        click.option("--website-col", help="Column with the author's website (optional)."),
        click.option("--date-col", help="Column with an ISO 8601 date (optional; replay plays rows in its order)."),
    ]
    return functools.reduce(lambda wrapped, option: option(wrapped), reversed(options), command)


def read_examples(file: Path, columns: dict):
    try:
        examples = read_labelled_csv(file, **columns)
    except CorpusError as error:
        raise click.ClickException(str(error)) from None
    if not examples:
        raise click.ClickException(f"{file} has a header but no rows")
    return examples


def site_app(settings: dict):
    return make_app(**settings)


def model_file_key(app) -> str:
    """The key that signs the kept model file ("" when the site keeps no file)."""
    return app.config["SECRET_KEY"] if settings_from_config(app.config).model_file else ""


def counted(examples) -> str:
    spam = sum(1 for e in examples if e.label == SPAM)
    return f"{spam} spam, {len(examples) - spam} ham"


def not_trained_reason(total: dict[str, int]) -> str:
    has = f"it has {total[SPAM]} spam, {total[HAM]} ham"
    if min(total.values()) < MIN_PER_CLASS:
        return (f"Not trained yet: the filter needs at least {MIN_PER_CLASS} spam and {MIN_PER_CLASS}"
                f" ham comments ({has}).")
    return (f"Not trained yet: on what it has seen ({has}) the filter cannot yet tell spam from ham;"
            " label more comments.")


@click.group("spam")
def spam():
    """The spam filter: train it on labelled comments, measure it, replay a stream through it."""


@spam.command("train")
@click.argument("file", type=CSV_FILE)
@column_options
@click.pass_obj
def train(settings, file, **columns):
    """Learn from a labelled CSV file, then retrain (importing a file again replaces its rows)."""
    examples = read_examples(file, columns)
    app = site_app(settings)
    db = migrated_db(app)
    import_examples(db, f"import:{file.name}", examples)
    click.echo(f"Imported {len(examples)} comments from {file.name} ({counted(examples)}).")
    started = time.perf_counter()
    model = trainer.retrain_now(db, file_key=model_file_key(app))
    corpus = store.count_spam_corpus(db)
    site = corpus.get("site", {SPAM: 0, HAM: 0})
    total = {label: sum(c[label] for c in corpus.values()) for label in (SPAM, HAM)}
    if model is None:
        click.echo(not_trained_reason(total))
        return
    click.echo(
        f"Trained on {total[SPAM]} spam and {total[HAM]} ham ({site[SPAM] + site[HAM]} of them"
        f" moderators' decisions) in {time.perf_counter() - started:.1f} s."
    )


@spam.command("eval")
@click.argument("file", type=CSV_FILE)
@column_options
@click.option("--threshold", type=click.FloatRange(0, 1),
              help="Count as spam at or above this probability (default: the filter's spam threshold).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def evaluate_command(settings, file, threshold, as_json, **columns):
    """Measure the current classifier on a labelled CSV file (changes nothing)."""
    examples = read_examples(file, columns)
    app = site_app(settings)
    db = store.open_readonly(app.config["DATABASE"])
    if db is None:
        raise click.ClickException(f"There is no database at {app.config['DATABASE']}; train the filter first.")
    spam_settings = settings_from_config(app.config)
    try:
        model = trainer.retrain_now(db, file_key=model_file_key(app))
    except sqlite3.OperationalError as error:
        raise click.ClickException(f"Cannot read the filter's corpus ({error}); run: comments init") from None
    if model is None:
        raise click.ClickException(
            "The filter is not trained yet: train it with `comments spam train FILE.csv`"
            " or let moderators approve and mark spam."
        )
    figures = evaluate(model, examples, spam_settings.spam_threshold if threshold is None else threshold)
    if as_json:
        click.echo(json.dumps(figures))
        return
    c = figures["counts"]
    click.echo(f"Evaluated {figures['n']} comments ({counted(examples)}) at threshold {figures['threshold']}:")
    click.echo(
        f"  precision {figures['precision']:.3f}   recall {figures['recall']:.3f}   F1 {figures['f1']:.3f}"
        f"   false-positive rate {figures['false_positive_rate']:.3f}"
    )
    click.echo(f"  spam caught {c['tp']}, missed {c['fn']}; ham marked spam {c['fp']}, kept {c['tn']}")


@spam.command("replay")
@click.argument("file", type=CSV_FILE)
@column_options
@click.option("--fresh", is_flag=True,
              help="Start untrained with default rules (otherwise: a copy of the site's corpus and rules).")
@click.option("--mode", type=click.Choice(list(moderation_rules.MODES)), default=moderation_rules.PUBLISH,
              show_default=True, help="Moderation mode to replay under (publish lets comments be approved).")
@click.option("--retrain-every", type=click.IntRange(min=1), default=1, show_default=True,
              help="Retrain after this many moderator decisions.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def replay_command(settings, file, fresh, mode, retrain_every, as_json, **columns):
    """Post each row in turn through the whole filter, then let a moderator label it correctly.

    Runs on a temporary database: the site's database is only read (not at all with --fresh).
    """
    examples = read_examples(file, columns)
    if columns.get("date_col"):
        examples = in_date_order(examples)
    app = site_app(settings)
    site_db = None
    if not fresh:
        site_db = store.open_readonly(app.config["DATABASE"])
        if site_db is None:
            raise click.ClickException(f"There is no database at {app.config['DATABASE']}; use --fresh.")
    with scratch_database() as scratch:
        try:
            prepare(scratch, mode=mode, site_db=site_db)
        except sqlite3.OperationalError as error:
            raise click.ClickException(f"Cannot read the site's database ({error}); run: comments init") from None
        run = functools.partial(replay, examples, scratch, settings_from_config(app.config),
                                retrain_every=retrain_every)
        if sys.stdout.isatty() and not as_json:
            with click.progressbar(length=len(examples), label="Replaying") as bar:
                tally = run(step=lambda: bar.update(1))
        else:
            tally = run()
    figures = {**tally.figures(), "mode": mode, "fresh": fresh}
    if as_json:
        click.echo(json.dumps(figures))
        return
    start = "an untrained filter" if fresh else "a copy of the site's filter"
    click.echo(f"Replayed {figures['n']} comments from {file.name} (mode {mode}, {start}):")
    click.echo(f"  {'':6} {'published':>9} {'held':>6} {'spam':>6}")
    for label in (HAM, SPAM):
        row = figures[label]
        click.echo(f"  {label:6} {row['approved']:>9} {row['pending']:>6} {row['spam']:>6}")
    click.echo(
        f"  spam caught {figures['spam_recall']:.1%}, ham sent to spam {figures['ham_to_spam_rate']:.1%},"
        f" spam published {figures['spam_published']}"
    )
