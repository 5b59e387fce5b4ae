"""`comments spam train | eval | replay` on small labelled files written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from comments_service import store
from comments_service.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
BLOG_CSV = FIXTURES / "spam_blog_comments.csv"
DATASET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "youtube-spam-collection"
REPLAY_KEYS = {"n", "ham", "spam", "spam_recall", "ham_to_spam_rate"}
OUTCOMES = {"approved", "pending", "spam"}


@pytest.fixture
def comments(tmp_path):
    """Runs `comments --database ... ARGS` in-process; returns the click result."""
    database = tmp_path / "var" / "comments.db"

    def run(*args):
        return CliRunner().invoke(
            main, ["--database", str(database), "--site-dir", str(tmp_path / "output"), *args]
        )

    run.database = database
    return run


def test_train_imports_the_file_and_trains(comments):
    result = comments("spam", "train", str(BLOG_CSV))
    assert result.exit_code == 0, result.output
    assert "Imported 40 comments from spam_blog_comments.csv (20 spam, 20 ham)." in result.output
    assert "Trained on 20 spam and 20 ham (0 of them moderators' decisions)" in result.output
    # Importing the same file again replaces its rows instead of doubling them.
    again = comments("spam", "train", str(BLOG_CSV))
    assert "Trained on 20 spam and 20 ham" in again.output
    db = store.open_db(comments.database)
    assert store.count_spam_corpus(db) == {"import:spam_blog_comments.csv": {"spam": 20, "ham": 20}}


def test_train_says_when_there_is_too_little_to_learn_from(comments, tmp_path):
    few = tmp_path / "few.csv"
    few.write_text("text,label\nBuy pills now,spam\nLovely post,ham\n")
    result = comments("spam", "train", str(few))
    assert result.exit_code == 0
    assert "Not trained yet: the filter needs at least 3 spam and 3 ham comments (it has 1 spam, 1 ham)." in result.output


def test_train_says_when_what_it_has_cannot_yet_be_told_apart(comments, tmp_path):
    # Enough of each kind, but every text marked both spam and ham: nothing to learn yet.
    contradicting = tmp_path / "contradicting.csv"
    words = ["harbour", "velvet", "quartz", "meadow", "lantern"]
    contradicting.write_text("text,label\n" + "".join(f"{w} {w},{label}\n" for w in words for label in ("spam", "ham")))
    result = comments("spam", "train", str(contradicting))
    assert result.exit_code == 0
    assert "Not trained yet: on what it has seen (it has 5 spam, 5 ham) the filter cannot yet tell" in result.output


def test_eval_prints_precision_recall_f1_and_false_positive_rate(comments):
    comments("spam", "train", str(BLOG_CSV))
    text = comments("spam", "eval", str(BLOG_CSV), "--threshold", "0.5")
    assert text.exit_code == 0, text.output
    assert "Evaluated 40 comments (20 spam, 20 ham) at threshold 0.5:" in text.output
    for words in ("precision", "recall", "F1", "false-positive rate", "spam caught"):
        assert words in text.output
    figures = json.loads(comments("spam", "eval", str(BLOG_CSV), "--json").stdout)
    assert set(figures) >= {"n", "precision", "recall", "f1", "false_positive_rate", "counts", "threshold"}
    assert figures["n"] == 40 and sum(figures["counts"].values()) == 40
    assert figures["false_positive_rate"] == 0.0  # on its own training data it keeps every reader


def test_eval_without_a_trained_filter_says_what_to_do(comments):
    comments("init")
    result = comments("spam", "eval", str(BLOG_CSV))
    assert result.exit_code == 1
    assert "not trained yet" in result.output and "comments spam train FILE.csv" in result.output


@pytest.mark.parametrize("fresh", [True, False])
def test_replay_prints_the_outcome_of_each_kind_and_leaves_the_site_alone(comments, fresh):
    comments("spam", "train", str(BLOG_CSV))
    db = store.open_db(comments.database)
    before = (store.corpus_version(db), db["comments"].count, store.count_spam_corpus(db))
    args = ["spam", "replay", str(BLOG_CSV), "--date-col", "posted_at", "--author-col", "author",
            "--website-col", "website", "--json"]
    result = comments(*args, *(["--fresh"] if fresh else []))
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)  # nothing but JSON: no progress bar
    assert REPLAY_KEYS <= set(figures)
    assert set(figures["ham"]) == set(figures["spam"]) == OUTCOMES
    assert figures["n"] == 40 == sum(figures["ham"].values()) + sum(figures["spam"].values())
    assert figures["ham_to_spam_rate"] == figures["ham"]["spam"] / 20
    assert figures["spam_recall"] == figures["spam"]["spam"] / 20
    if not fresh:  # the site's filter already knows these comments
        assert figures["spam"]["spam"] >= 10 and figures["ham"]["spam"] == 0
    assert (store.corpus_version(db), db["comments"].count, store.count_spam_corpus(db)) == before


def test_replay_table_for_people(comments):
    result = comments("spam", "replay", str(BLOG_CSV), "--fresh", "--mode", "hold_all")
    assert result.exit_code == 0, result.output
    assert "Replayed 40 comments from spam_blog_comments.csv (mode hold_all, an untrained filter):" in result.output
    assert "published" in result.output and "spam caught" in result.output
    assert not comments.database.exists()  # --fresh never even opens the site's database


@pytest.mark.parametrize(
    "content, options, words",
    [
        ("words,verdict\nhi,spam\n", [], "has no text column"),
        ("text,label\nhi,perhaps\n", [], "the label “perhaps” is not 1/0 or spam/ham"),
        ("text,label\nhi,spam\n", ["--text-col", "message"], "there is no text column “message”"),
    ],
)
@pytest.mark.parametrize("command", ["train", "eval", "replay"])
def test_unusable_files_fail_with_a_clear_message(comments, tmp_path, command, content, options, words):
    file = tmp_path / "bad.csv"
    file.write_text(content)
    result = comments("spam", command, str(file), *options)
    assert result.exit_code == 1
    assert "Error:" in result.output and words in result.output


@pytest.mark.parametrize("command", ["train", "eval", "replay"])
def test_an_unreadable_file_fails_with_a_clear_message(comments, tmp_path, command):
    result = comments("spam", command, str(tmp_path / "missing.csv"))
    assert result.exit_code == 1
    assert "cannot read" in result.output and "No such file" in result.output


def test_columns_can_be_named_and_labels_be_numbers(comments, tmp_path):
    file = tmp_path / "numbers.csv"  # not our column names, and 1/0 labels
    rows = [("Cheap pills online, order now", 1), ("Thanks, that helped me follow up", 0)] * 10
    file.write_text("message,verdict\n" + "".join(f'"{text} {n}",{label}\n' for n, (text, label) in enumerate(rows)))
    result = comments("spam", "train", str(file), "--text-col", "MESSAGE", "--label-col", "verdict")
    assert result.exit_code == 0, result.output
    assert "(10 spam, 10 ham)" in result.output and "Trained on 10 spam and 10 ham" in result.output


@pytest.mark.skipif(not DATASET.is_dir(), reason=f"the YouTube Spam Collection is not at {DATASET}")
def test_a_filter_trained_on_one_video_judges_another(comments):
    comments("spam", "train", str(DATASET / "Youtube01-Psy.csv"))
    figures = json.loads(comments("spam", "eval", str(DATASET / "Youtube02-KatyPerry.csv"), "--json").stdout)
    assert figures["n"] == 350
    assert figures["precision"] >= 0.9 and figures["false_positive_rate"] <= 0.05
