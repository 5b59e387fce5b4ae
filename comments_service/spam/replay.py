"""Measuring the filter: replay labelled comments through the whole decision, or evaluate the
classifier alone. Replays work on a scratch database and never touch the site's."""

from __future__ import annotations

import dataclasses
import tempfile
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

from .. import rules as moderation_rules
from .. import store
from . import Context, learn, score, trainer
from .corpus import HAM, SPAM, Example
from .settings import SpamSettings

STATUSES = (store.APPROVED, store.PENDING, store.SPAM)
# Rows without a date are spaced a minute apart from here (so "last 24 hours" means something).
UNDATED_START = datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclasses.dataclass
class Tally:
    """Where the ham and the spam of a replay ended up."""

    counts: dict[str, dict[str, int]] = dataclasses.field(
        default_factory=lambda: {label: dict.fromkeys(STATUSES, 0) for label in (HAM, SPAM)}
    )

    def add(self, label: str, status: str) -> None:
        self.counts[label][status] += 1

    def merge(self, other: "Tally") -> "Tally":
        for label, statuses in other.counts.items():
            for status, count in statuses.items():
                self.counts[label][status] += count
        return self

    def figures(self) -> dict:
        ham, spam = self.counts[HAM], self.counts[SPAM]
        hams, spams = sum(ham.values()), sum(spam.values())
        return {
            "n": hams + spams,
            "ham": dict(ham),
            "spam": dict(spam),
            "spam_recall": _share(spam[store.SPAM], spams),
            "ham_to_spam_rate": _share(ham[store.SPAM], hams),
            "spam_published": spam[store.APPROVED],
            "ham_published_rate": _share(ham[store.APPROVED], hams),
        }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@contextmanager
def scratch_database() -> Iterator:
    """A migrated database in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="spam-replay-") as folder:
        db = store.open_db(Path(folder) / "replay.db")
        store.migrate(db)
        try:
            yield db
        finally:
            trainer.forget(db)
            db.close()


def prepare(db, *, mode: str, site_db=None) -> None:
    """Set a scratch database up: the site's rules and corpus (unless fresh), the given mode."""
    rules = moderation_rules.load_rules(site_db) if site_db is not None else moderation_rules.Rules()
    moderation_rules.save_rules(db, dataclasses.replace(rules, mode=mode))
    if site_db is not None:
        by_source: dict[str, list[dict]] = {}
        for row in store.list_spam_corpus(site_db):
            by_source.setdefault(row["source"], []).append(row)
        for source, rows in by_source.items():
            store.replace_imported_examples(db, source, rows)
    trainer.set_manual(db)
    trainer.retrain_now(db)


def import_examples(db, source: str, examples: list[Example]) -> None:
    """Store labelled examples in a database's corpus (replacing that source's earlier ones)."""
    rows = [
        {"author": e.author, "website": e.website, "body": e.body, "label": e.label}
        for e in examples
    ]
    store.replace_imported_examples(db, source, rows)


def replay(
    examples: list[Example],
    db,
    settings: SpamSettings,
    *,
    feedback: bool = True,
    retrain_every: int = 1,
    step: Callable[[], None] | None = None,
) -> Tally:
    """Post each example in turn through the full decision; with `feedback`, the moderator
    then labels it correctly (learn()) and the filter retrains every `retrain_every` labels."""
    settings = dataclasses.replace(settings, rate_limit_enabled=False, model_file=False)
    trainer.set_manual(db)
    tally = Tally()
    unlabelled = 0
    for position, example in enumerate(examples):
        now = example.date or UNDATED_START + timedelta(minutes=position)
        comment = {
            "thread": "replay", "author": example.author or "reader", "email": "",
            "website": example.website, "body": example.body, "body_html": "",
        }
        verdict = score(comment, Context(db=db, now=now, settings=settings, from_form=False))
        comment_id = store.add_comment(
            db, **comment, status=verdict.status, spam_score=verdict.score,
            spam_reasons=verdict.reasons, now=now,
        )
        tally.add(example.label, verdict.status)
        if feedback:
            learn(db, {**comment, "id": comment_id}, example.label)
            unlabelled += 1
            if unlabelled >= retrain_every:
                trainer.retrain_now(db)
                unlabelled = 0
        if step:
            step()
    return tally


def evaluate(model, examples: list[Example], threshold: float) -> dict:
    """Precision, recall, F1 and false-positive rate of the classifier alone at a threshold."""
    probabilities = model.probabilities([e.as_comment() for e in examples])
    outcome = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    for example, probability in zip(examples, probabilities):
        said_spam = probability >= threshold
        is_spam = example.label == SPAM
        outcome[("t" if said_spam == is_spam else "f") + ("p" if said_spam else "n")] += 1
    tp, fp, tn, fn = outcome["tp"], outcome["fp"], outcome["tn"], outcome["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": len(examples),
        "threshold": threshold,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "false_positive_rate": round(fp / (fp + tn), 4) if fp + tn else 0.0,
        "counts": outcome,
    }
