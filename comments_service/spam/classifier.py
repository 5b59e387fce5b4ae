"""The learned part of the filter: logistic regression over hashed words, domains and author,
plus character n-grams of the text.

Chosen by measurement on the YouTube collection (bench/spam_bench.py): logistic regression
ranked spam above ham better than linear SVM, SGD and complement naive Bayes across videos,
and gives probabilities the decision can combine with signals. Character n-grams (2 to 5,
within words) at half the weight of the words raised spam caught leave-one-video-out from
82 % to 86-88 % at the same share of ham sent to spam (under 1 %). Imports scikit-learn,
which takes a second: only the trainer loads this module, never a request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.sparse import hstack
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import murmurhash3_32

from .corpus import HAM, MIN_PER_CLASS, SPAM, Example
from ..text import same_text_key
from .features import plain_text, read, tokens
from .signals import is_long_enough_to_repeat

# Inverse regularisation strength, chosen on the benchmark (10, 30 and 100 tried; 100 ranked
# spam best across videos).
REGULARISATION_C = 100.0
# A model that has seen few comments is too sure of itself, and how much depends on the data,
# not only on how many comments it saw. So its scores are calibrated (Platt's sigmoid) on what
# it says of comments it was not trained on: scikit-learn's CalibratedClassifierCV scores each
# labelled comment with a model fitted on the other folds. While the model generalises poorly
# those scores overlap and the calibrated probabilities stay near 0.5; once it ranks unseen
# comments well they grow sure. Folds: at most CALIBRATION_FOLDS, and at least 2 of each kind
# per fold is impossible below MIN_PER_CLASS, hence min(folds, fewest).
CALIBRATION_FOLDS = 5
# Calibrating fits the model once per fold: on a large corpus the folds are drawn from the
# most recent CALIBRATION_SAMPLE comments only (the model's fit on all of them stays one fit),
# which keeps retraining 10,000 comments within seconds.
CALIBRATION_SAMPLE = 2000
HASH_FEATURES = 2**18
CHAR_NGRAMS = (2, 5)
CHAR_WEIGHT = 0.5  # against the words' 1: more let one site's spelling habits decide


def _word_vectorizer() -> HashingVectorizer:
    # Stateless: nothing to fit, so training time grows with the data only through the model.
    return HashingVectorizer(
        analyzer=tokens, n_features=HASH_FEATURES, alternate_sign=False, binary=True, norm=None
    )


def _char_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char_wb", ngram_range=CHAR_NGRAMS, preprocessor=plain_text,
        n_features=HASH_FEATURES, alternate_sign=False, norm=None,
    )


@dataclass
class Classifier:
    """A fitted model plus the exact texts it has seen marked spam (and never ham)."""

    weighting: TfidfTransformer
    char_weighting: TfidfTransformer
    model: LogisticRegression
    # Platt's sigmoid, from out-of-fold scores: P(spam) = 1 / (1 + exp(slope * f + offset)),
    # f the model's decision function (scikit-learn's _SigmoidCalibration a_ and b_).
    slope: float
    offset: float
    spam_texts: frozenset[str]
    counts: dict[str, int] = field(default_factory=dict)
    version: int = 0
    seconds: float = 0.0

    def probability(self, comment: dict) -> float:
        """The probability that a comment is spam (calibrated on unseen comments).

        The one way a comment is scored (posts, replays, evaluations). scikit-learn's own
        pipeline (its vectorizers' and TfidfTransformer's transform, then decision_function)
        costs 3.5 ms for one comment, three times what the rest of a post costs, mostly in
        input checks. So the n-grams come from scikit-learn's analyzer and the hash from its
        murmurhash3_32, cached per word, and the fitted idf and coefficients are applied here;
        tests/test_spam.py holds the result equal to scikit-learn's pipeline on any text."""
        model = self.model
        word_features, text = read(comment)
        word_columns = np.unique(np.fromiter(map(_column, word_features), dtype=np.intp))
        words = _weighted_dot(
            word_columns, np.ones(len(word_columns)), self.weighting.idf_,
            model.coef_[0, :HASH_FEATURES])
        char_columns, char_counts = np.unique(_char_columns(text), return_counts=True)
        chars = _weighted_dot(
            char_columns, char_counts, self.char_weighting.idf_, model.coef_[0, HASH_FEATURES:])
        return self._calibrated(words + CHAR_WEIGHT * chars + model.intercept_[0])

    def probabilities(self, comments: list[dict]) -> list[float]:
        """The probabilities of many comments (evaluations), each scored as a post is."""
        return [self.probability(comment) for comment in comments]

    def _calibrated(self, decision: float) -> float:
        log_odds = -(self.slope * float(decision) + self.offset)
        return float(1 / (1 + np.exp(-max(min(log_odds, 50.0), -50.0))))

    def is_known_spam(self, body: str) -> bool:
        return same_text_key(body) in self.spam_texts


def train(examples: list[Example], version: int = 0) -> Classifier | None:
    """Fit a classifier; None while either kind has fewer than MIN_PER_CLASS examples, or
    while its scores on comments it was not trained on do not rise with spam at all."""
    started = time.perf_counter()
    labels = np.array([1 if e.label == SPAM else 0 for e in examples])
    spam_count = int(labels.sum())
    ham_count = len(examples) - spam_count
    if min(spam_count, ham_count) < MIN_PER_CLASS:
        return None
    comments = [e.as_comment() for e in examples]
    words, chars = _word_vectorizer().transform(comments), _char_vectorizer().transform(comments)
    weighting = TfidfTransformer(sublinear_tf=True).fit(words)
    char_weighting = TfidfTransformer(sublinear_tf=True).fit(chars)
    features = _combine(weighting.transform(words), char_weighting.transform(chars))
    weights = np.array([e.weight for e in examples], dtype=float)
    model, slope, offset = _calibrated_fit(features, labels, weights)
    if slope >= 0:
        # Out of fold, higher scores were not more often spam: the model cannot yet tell the
        # two apart, and a sigmoid fitted to that would turn its verdicts round. Untrained.
        return None
    return Classifier(
        weighting=weighting,
        char_weighting=char_weighting,
        model=model,
        slope=slope,
        offset=offset,
        spam_texts=_spam_only_texts(examples),
        counts={SPAM: spam_count, HAM: ham_count},
        version=version,
        seconds=time.perf_counter() - started,
    )


def _model() -> LogisticRegression:
    # The dual problem: with far more features than comments it solves the same regularised
    # fit in a fraction of the time (10,000 comments: 1.8 s instead of 5.1 s).
    return LogisticRegression(
        C=REGULARISATION_C, solver="liblinear", dual=True, max_iter=1000, random_state=0)


def _calibrated_fit(features, labels, weights) -> tuple[LogisticRegression, float, float]:
    """The model fitted on every example, and Platt's sigmoid fitted on out-of-fold scores.

    Balanced classes, in the model and in its calibration: how much spam a site happens to
    get must not move the verdict on one comment (an early run of spam would otherwise make
    every next comment look bad). The balance is in the sample weights (what scikit-learn's
    class_weight="balanced" computes), so that the calibrator gets it too."""
    weights = weights * _balance(labels)
    recent = slice(max(0, len(labels) - CALIBRATION_SAMPLE), None)
    if min(labels[recent].sum(), len(labels[recent]) - labels[recent].sum()) < MIN_PER_CLASS:
        recent = slice(0, None)  # the recent comments are nearly all of one kind: use all
    sample, sample_labels = features[recent], labels[recent]
    fewest = int(min(sample_labels.sum(), len(sample_labels) - sample_labels.sum()))
    folds = StratifiedKFold(min(CALIBRATION_FOLDS, fewest), shuffle=True, random_state=0)
    calibrated = CalibratedClassifierCV(_model(), method="sigmoid", cv=folds, ensemble=False)
    calibrated.fit(sample, sample_labels, sample_weight=weights[recent])
    fitted = calibrated.calibrated_classifiers_[0]
    sigmoid = fitted.calibrators[0]
    if recent.start == 0:
        model = fitted.estimator
    else:
        model = _model().fit(features, labels, sample_weight=weights)
    return model, float(sigmoid.a_), float(sigmoid.b_)


def _balance(labels) -> np.ndarray:
    """Per example, n / (2 * the count of its class): both classes weigh the same in all."""
    spam = labels == 1
    return np.where(spam, len(labels) / (2 * spam.sum()), len(labels) / (2 * (~spam).sum()))


@lru_cache(maxsize=2**16)  # words and their n-grams recur from comment to comment
def _column(feature: str) -> int:
    """The column HashingVectorizer(alternate_sign=False) gives a feature: its murmurhash3
    index, as in scikit-learn's _hashing_fast."""
    h = murmurhash3_32(feature, seed=0)
    return (2**31 - HASH_FEATURES) % HASH_FEATURES if h == -(2**31) else abs(h) % HASH_FEATURES


# The character n-grams of one word, cut by _char_vectorizer's own analyzer ("char_wb" cuts
# each whitespace-separated word apart, so a text's n-grams are its words' n-grams).
_word_char_ngrams = _char_vectorizer().set_params(preprocessor=None, lowercase=False).build_analyzer()


@lru_cache(maxsize=2**15)
def _word_char_columns(word: str) -> tuple[int, ...]:
    return tuple(map(_column, _word_char_ngrams(word)))


def _char_columns(text: str) -> np.ndarray:
    """The columns _char_vectorizer fills for a plain text (already lower-case), one entry per
    n-gram, from each word's remembered share."""
    columns = [column for word in text.split() for column in _word_char_columns(word)]
    return np.array(columns, dtype=np.intp)


def _weighted_dot(columns: np.ndarray, counts: np.ndarray, idf, coef) -> float:
    """TfidfTransformer(sublinear_tf=True, norm="l2") on one row given as its columns and
    counts, then its dot product with the model's coefficients for those columns."""
    if not len(columns):
        return 0.0
    weights = (1.0 + np.log(counts.astype(float))) * idf[columns]
    norm = np.sqrt(np.dot(weights, weights))
    return float(np.dot(weights, coef[columns]) / norm) if norm else 0.0


def _combine(words, chars):
    # Each part is L2-normalised by its TfidfTransformer; the characters count half.
    return hstack([words, chars * CHAR_WEIGHT]).tocsr()


def _spam_only_texts(examples: list[Example]) -> frozenset[str]:
    spam, ham = set(), set()
    for example in examples:
        if is_long_enough_to_repeat(example.body):
            (spam if example.label == SPAM else ham).add(same_text_key(example.body))
    return frozenset(spam - ham)
