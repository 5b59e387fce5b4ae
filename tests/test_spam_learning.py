"""The spam filter learning: moderators' decisions, the model file, labelled files, and scoring
held equal to scikit-learn (issue 5, issue 13)."""

from __future__ import annotations

import functools
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comments_service import rules, spam, store
from comments_service.spam import corpus, trainer
from comments_service.spam.decision import logit

from .spam_fixtures import KEY, blog_examples, comment, context, trained
from .spam_fixtures import quick_retraining  # noqa: F401 (an autouse fixture)

# --- learning --------------------------------------------------------------------------------

GUTTERS = [
    "Affordable gutter cleaning in your town, call us today for a free quote",
    "Best gutter cleaning service, free quote, call today",
    "Gutter cleaning and roof repair at the lowest prices, call now for a quote",
    "Need your gutters cleaned? Cheap prices, free quote, call us",
    "Professional gutter cleaning, same day service, call for a free quote",
    "Gutter cleaning specialists, lowest price guaranteed, free quote today",
    "Cheap gutter cleaning near you, free estimate, call us now",
    "Gutter guards and cleaning, best prices in town, call today",
    "Quick gutter cleaning, free quote, satisfaction guaranteed, call now",
    "Your gutter cleaning experts, affordable and fast, free quote",
]


def test_moderators_decisions_move_the_score_of_similar_comments(db):
    trained(db)
    rules.save_rules(db, rules.Rules(mode=rules.HOLD_ALL))
    probe = comment("Gutter cleaning at great prices, call us for a free quote today")
    before = spam.score(probe, context(db)).score
    for position, text in enumerate(GUTTERS):
        stored = store.get_comment(db, store.add_comment(
            db, thread="say-hello", author=f"Gutter Pro {position}", body=text, body_html="",
            status=store.PENDING))
        model = trainer.current(db)
        spam.learn(db, stored, "spam")
        # Retraining happens in the background: learning returns with the old model in use.
        assert trainer.current(db) is model
    assert trainer.wait_until_trained(db, timeout=30)
    after = spam.score(probe, context(db)).score
    # In log-odds: a calibrated model may already be fairly sure before (0.97 -> 0.999 is a
    # move of 3.4 in log-odds, as 0.5 -> 0.97 is).
    assert logit(after) > logit(before) + 2.0, (before, after)
    assert store.count_spam_corpus(db)["site"] == {"spam": 10, "ham": 0}


def test_a_changed_decision_replaces_the_earlier_label(db):
    stored = store.get_comment(db, store.add_comment(
        db, thread="say-hello", author="Ada", body="Thanks for the tip", body_html="", status=store.SPAM))
    spam.learn(db, stored, "spam")
    spam.learn(db, stored, "ham")
    assert store.count_spam_corpus(db) == {"site": {"spam": 0, "ham": 1}}
    with pytest.raises(ValueError):
        spam.learn(db, stored, "maybe")


def test_the_model_is_rebuilt_from_the_database_and_kept_in_a_signed_file(db):
    trained(db)
    path = store.database_file(db)
    version = store.corpus_version(db)
    kept = trainer.read_model_file(path, version, KEY)
    assert kept is not None and kept.counts == {"spam": 20, "ham": 20}
    assert trainer.read_model_file(path, version + 1, KEY) is None  # built from another corpus
    assert trainer.read_model_file(path, version, "another site's key") is None
    model_file = trainer.model_file(path)
    assert oct(model_file.stat().st_mode & 0o777) == "0o600"
    data = bytearray(model_file.read_bytes())
    data[-5] ^= 0xFF
    model_file.write_bytes(bytes(data))
    assert trainer.read_model_file(path, version, KEY) is None  # not what we signed: never unpickled


def test_a_new_process_picks_the_model_up_in_the_background(db):
    trained(db)
    trainer.forget(db)  # as a freshly started worker
    assert trainer.current(db, KEY) is None  # the first request does not wait
    assert trainer.wait_until_trained(db)
    assert trainer.current(db, KEY) is not None


@pytest.mark.parametrize(
    "site_labels, import_weight",
    [(0, 1.0), (100, 0.5), (300, 0.25)],
)
def test_the_sites_own_decisions_outweigh_imported_ones(site_labels, import_weight):
    rows = [{"source": "site", "author": "", "website": "", "body": "b", "label": "ham"}] * site_labels
    rows += [{"source": "import:yt.csv", "author": "", "website": "", "body": "b", "label": "spam"}]
    weighted = corpus.weighted(rows)
    assert weighted[-1].weight == import_weight
    assert all(e.weight == corpus.SITE_WEIGHT for e in weighted[:-1])


# --- labelled files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, labels",
    [
        ("text,label", ("spam", "ham")),
        ("Content,CLASS", ("1", "0")),
        ("COMMENT,Label", ("Spam", " HAM ")),
        ("id,body,class", None),
    ],
)
def test_columns_and_labels_are_recognised_in_any_case(tmp_path, header, labels):
    file = tmp_path / "labelled.csv"
    if labels is None:
        file.write_text(f"{header}\n7,Buy now,1\n8,Nice post,0\n")
    else:
        file.write_text(f'{header}\n"Buy now, cheap",{labels[0]}\nNice post,{labels[1]}\n')
    examples = corpus.read_labelled_csv(file)
    assert [e.label for e in examples] == ["spam", "ham"]
    assert examples[1].body == "Nice post"


@pytest.mark.parametrize(
    "content, options, words",
    [
        ("words,label\nhi,spam\n", {}, "no text column"),
        ("text,verdict\nhi,spam\n", {}, "no label column"),
        ("text,label\nhi,maybe\n", {}, "line 2: the label “maybe” is not 1/0 or spam/ham"),
        ("text,label\nhi,spam\n", {"author_col": "who"}, "there is no author column “who”"),
        ("text,label,when\nhi,spam,yesterday\n", {"date_col": "when"}, "“yesterday” is not an ISO 8601 date"),
        (b"text,label\n\xff\xfe,spam\n", {}, "not a UTF-8 CSV file"),
        ("", {}, "is empty"),
    ],
)
def test_unusable_files_are_explained(tmp_path, content, options, words):
    file = tmp_path / "bad.csv"
    file.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(corpus.CorpusError, match=words):
        corpus.read_labelled_csv(file, **options)


def test_rows_play_in_date_order_and_undated_rows_stay_with_their_neighbour():
    def at(day):
        return datetime(2026, 1, day, tzinfo=timezone.utc) if day else None

    rows = [corpus.Example(body=str(day), label="ham", date=at(day)) for day in (5, None, 2, 9, None)]
    assert [e.body for e in corpus.in_date_order(rows)] == ["2", "5", "None", "9", "None"]


def test_the_benchmark_skips_with_a_message_without_the_dataset(monkeypatch, tmp_path, capsys):
    from bench import spam_bench

    monkeypatch.setattr(spam_bench, "DATASET", tmp_path / "absent")
    assert "skipped" in spam_bench.main([])
    assert "spam bench skipped: the YouTube Spam Collection is not at" in capsys.readouterr().out

PROMOTERS = [
    "Subscribe to my channel for daily vlogs",
    "Please subscribe, I subscribe back to everyone",
    "New channel here, subscribers welcome",
    "Subscribe and like, my channel needs you",
    "Check my channel and subscribe please",
    "My channel has new videos every week, subscribe",
    "Subscribe now, channel giveaway for subscribers",
    "Free shoutouts for everyone who subscribes to my channel",
]
READERS = [
    "I sent a short thank-you note after the meetup and got a reply the same day",
    "Calling an old colleague just to say hello felt awkward at first, then lovely",
    "The advice about waiting a week before a second email worked for me",
    "We met at a trade fair and kept in touch through holiday greetings",
    "Asking one specific question made it easy for her to answer",
    "I keep a small notebook of the people I meet at conferences",
    "A follow-up call after the interview showed real interest",
    "Introductions work better when both people agreed beforehand",
]


def test_spelling_tricks_still_look_like_what_moderators_marked_spam():
    # Character n-grams: "subscr1be" and "chanel" share most of their letters with the words
    # moderators marked spam, though the words themselves were never seen.
    from comments_service.spam import classifier

    examples = [corpus.Example(body=text, label=corpus.SPAM) for text in PROMOTERS] + [
        corpus.Example(body=text, label=corpus.HAM) for text in READERS
    ]
    model = classifier.train(examples)
    tricked = model.probability({"body": "subscr1be chanel pls", "author": "", "website": ""})
    unseen = model.probability({"body": "quarterly gardening almanac", "author": "", "website": ""})
    # Sixteen examples: the calibrated probabilities stay near 0.5 (the model is not yet sure
    # of anything), so the test is the ranking, by a clear margin.
    assert tricked > unseen + 0.2 and unseen < 0.5, (tricked, unseen)


@functools.cache
def blog_model():
    from comments_service.spam import classifier

    return classifier.train(blog_examples())


def scikit_learns_probabilities(model, comments: list[dict]) -> list[float]:
    """The fitted model applied by scikit-learn's own pipeline: the vectorizers' and
    TfidfTransformer's transform, decision_function, then the fitted sigmoid."""
    from scipy.special import expit

    from comments_service.spam import classifier

    words = model.weighting.transform(classifier._word_vectorizer().transform(comments))
    chars = model.char_weighting.transform(classifier._char_vectorizer().transform(comments))
    decisions = model.model.decision_function(classifier._combine(words, chars))
    return list(expit(-(model.slope * decisions + model.offset)))


ODD_TEXTS = [
    "", "   ", "Zoë says: ÄÖÜ 😀 <b>bold</b> http://a.example/c?d=1 and www.b.example",
    "SUBSCRIBE subscr1be " * 40, "a" * 3000, "\u200bzero\u200dwidth\ufeff", "日本語のコメントです",
    "[x](//spam.example/a) and [y][1]\n\n[1]: https:\\\\other.example", "İstanbul ǅemal ﬁnance ß",
]


def test_scoring_gives_what_scikit_learn_gives_on_known_texts():
    model = blog_model()
    texts = [e.body for e in blog_examples()] + ODD_TEXTS
    comments = [{"body": text, "author": "Zoë" if i % 2 else "", "website": "https://x.example" if i % 3 else ""}
                for i, text in enumerate(texts)]
    assert model.probabilities(comments) == pytest.approx(scikit_learns_probabilities(model, comments), abs=1e-9)


SPAMMY_PIECES = ["buy", "cheap", "subscribe", "my channel", "https://spam.example/x", "www.", ".com", " ", "\n",
                 "!!!", "CHECK", "<b>", "&amp;", "[x](//a.example)", "1", "é", "ß", "İ", "\t", "  "]


@settings(max_examples=300, deadline=None, database=None)
@given(
    body=st.one_of(st.text(max_size=200), st.lists(st.sampled_from(SPAMMY_PIECES) | st.text(max_size=6),
                                                   max_size=30).map("".join)),
    author=st.text(max_size=20),
    website=st.sampled_from(["", "https://x.example", "pat.example/me", "http://Ünï.example"]),
)
def test_scoring_gives_what_scikit_learn_gives_on_any_text(body, author, website):
    # The one scoring path applies the fitted weights itself (scikit-learn's pipeline costs
    # 3.5 ms a comment): it must agree with the library on every text.
    model = blog_model()
    comment = {"body": body, "author": author, "website": website}
    assert model.probability(comment) == pytest.approx(scikit_learns_probabilities(model, [comment])[0], abs=1e-9)


def test_a_model_that_cannot_tell_unseen_comments_apart_stays_untrained():
    # Every text marked spam once and ham once: out of fold, the scores carry no sign of spam
    # (here they point the wrong way), and a sigmoid fitted to them would turn verdicts round.
    from comments_service.spam import classifier

    words = ["harbour", "velvet", "quartz", "meadow", "lantern", "copper", "orchid", "glacier"]
    contradicting = [corpus.Example(body=f"{word} {word}", label=label)
                     for word in words for label in (corpus.SPAM, corpus.HAM)]
    assert classifier.train(contradicting) is None
    assert classifier.train(blog_examples()) is not None
