"""Labelled comments to learn from: CSV files an operator brings, and how much each example counts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SPAM, HAM = "spam", "ham"
# Fewer labelled comments than this of either kind and the filter stays untrained (neutral).
MIN_PER_CLASS = 3
SITE = "site"  # the moderators' own decisions
IMPORT_PREFIX = "import:"
# The site's own decisions weigh more than imported ones, and imports fade as decisions
# accumulate: a model trained on someone else's comments misfires on ours.
SITE_WEIGHT = 3.0
IMPORT_HALF_WEIGHT_AT = 100  # imported examples count half once the site has this many labels

TEXT_COLUMNS = ("text", "content", "comment", "body")
LABEL_COLUMNS = ("label", "class")
LABELS = {"1": SPAM, "spam": SPAM, "0": HAM, "ham": HAM}


class CorpusError(ValueError):
    """A labelled file cannot be used: a missing column, a bad label, an unreadable file."""


@dataclass
class Example:
    """One labelled comment."""

    body: str
    label: str
    author: str = ""
    website: str = ""
    date: datetime | None = None
    weight: float = 1.0

    def as_comment(self) -> dict:
        return {"body": self.body, "author": self.author, "website": self.website}


def _find_column(header: list[str], wanted: str | None, defaults: tuple[str, ...], what: str) -> str | None:
    by_lower = {name.strip().lower(): name for name in header}
    if wanted is not None:
        if wanted.strip().lower() not in by_lower:
            raise CorpusError(f"there is no {what} column “{wanted}”; the columns are: {', '.join(header)}")
        return by_lower[wanted.strip().lower()]
    for name in defaults:
        if name in by_lower:
            return by_lower[name]
    return None


def parse_date(value: str) -> datetime | None:
    """An ISO 8601 date (UTC when it names no zone); None for an empty cell."""
    value = (value or "").strip()
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def read_labelled_csv(
    path: str | Path,
    *,
    text_col: str | None = None,
    label_col: str | None = None,
    author_col: str | None = None,
    website_col: str | None = None,
    date_col: str | None = None,
) -> list[Example]:
    """The labelled rows of a CSV file, in file order. Raises CorpusError with a sentence."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            if not header:
                raise CorpusError(f"{path} is empty")
            text = _find_column(header, text_col, TEXT_COLUMNS, "text")
            label = _find_column(header, label_col, LABEL_COLUMNS, "label")
            if text is None:
                raise CorpusError(f"{path} has no text column (text, content or comment); name it with --text-col")
            if label is None:
                raise CorpusError(f"{path} has no label column (label or class); name it with --label-col")
            author = _find_column(header, author_col, (), "author")
            website = _find_column(header, website_col, (), "website")
            date = _find_column(header, date_col, (), "date")
            return [
                _example(row, reader.line_num, text, label, author, website, date) for row in reader
            ]
    except OSError as error:
        raise CorpusError(f"cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise CorpusError(f"{path} is not a UTF-8 CSV file: {error}") from None


def _example(row, line, text, label, author, website, date) -> Example:
    raw_label = (row.get(label) or "").strip().lower()
    if raw_label not in LABELS:
        raise CorpusError(f"line {line}: the label “{row.get(label)}” is not 1/0 or spam/ham")
    try:
        moment = parse_date(row.get(date) or "") if date else None
    except ValueError:
        raise CorpusError(f"line {line}: “{row.get(date)}” is not an ISO 8601 date") from None
    return Example(
        body=row.get(text) or "",
        label=LABELS[raw_label],
        author=(row.get(author) or "") if author else "",
        website=(row.get(website) or "") if website else "",
        date=moment,
    )


def in_date_order(examples: list[Example]) -> list[Example]:
    """Oldest first. A row without a date stays beside the row before it in the file."""
    last = next((e.date for e in examples if e.date), datetime.min.replace(tzinfo=timezone.utc))
    keyed = []
    for position, example in enumerate(examples):
        last = example.date or last
        keyed.append((last, position, example))
    return [example for _, _, example in sorted(keyed, key=lambda item: item[:2])]


def weighted(rows: list[dict]) -> list[Example]:
    """Stored corpus rows as weighted examples: the site's own decisions count most."""
    site_count = sum(1 for row in rows if row["source"] == SITE)
    import_weight = 1.0 / (1.0 + site_count / IMPORT_HALF_WEIGHT_AT)
    return [
        Example(
            body=row["body"],
            label=row["label"],
            author=row["author"],
            website=row["website"],
            weight=SITE_WEIGHT if row["source"] == SITE else import_weight,
        )
        for row in rows
    ]
