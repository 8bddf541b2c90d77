"""Linear baselines tuned as carefully as the RNN: TF-IDF + logistic regression and NB-SVM.

A recurrent model is only worth its training time if it beats a bag of n-grams,
and that comparison is only fair if the n-gram model gets the same courtesy as
the RNN: the RNN stops early on the *validation* part, so each baseline picks
its hyperparameters there too — and, like the RNN, never looks at the test part.

- :func:`tfidf_baseline` — TF-IDF (sublinear tf) + logistic regression; picks
  ``C`` from :data:`C_GRID` and the features (word 1–2-grams, or words plus
  character 2–5-grams; character 1–3-grams, or with 2–4-grams, for Chinese,
  Japanese and Korean) by validation accuracy.
- :func:`nbsvm_baseline` — Wang & Manning's (2012) NB-SVM in its logistic
  regression form: binary n-gram features scaled by the naive-Bayes
  log-count ratio, one-vs-rest for more than two classes; picks ``C`` the same way.

Both refit the chosen setting on the train part only (the texts an RNN trains
on) and report test accuracy, macro-F1 and MCC, what they chose, the validation
accuracy of every setting they tried, and their fit time.

>>> import pandas as pd
>>> from rnnclf.data.splits import split_dataset
>>> words = {"pos": "good great fine", "neg": "bad awful poor"}
>>> frame = pd.DataFrame({"text": [f"{words[label].split()[i % 3]} item {i}" for i, label in
...                                 enumerate(["pos", "neg"] * 30)], "label": ["pos", "neg"] * 30})
>>> result = tfidf_baseline(split_dataset(frame))
>>> result["accuracy"], sorted(result["chosen"])
(1.0, ['C', 'features'])
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef
from sklearn.pipeline import FeatureUnion

from rnnclf.data.splits import DatasetSplit
from rnnclf.text import suggest_tokenizer

__all__ = ["C_GRID", "BASELINES", "tfidf_baseline", "nbsvm_baseline", "run_baselines", "select_on_validation"]

# Inverse regularisation strengths tried on the validation part (a factor of 2 apart).
C_GRID = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
# Enough iterations for the largest built-in corpus (38k tweets) to converge with lbfgs.
_MAX_ITERATIONS = 2000


def _is_cjk(texts: list[str]) -> bool:
    return suggest_tokenizer(texts) != "tweet"


def _tfidf_features(name: str):
    """The TF-IDF feature extractor called ``name``."""
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    if name == "word 1-2":
        return word
    if name == "word 1-2 + char 2-5":
        return FeatureUnion([("word", word), ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2))])
    if name == "char 1-3":
        return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    if name == "char 1-4":
        return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2)
    raise ValueError(f"unknown feature set {name!r}")


def _feature_sets(texts: list[str]) -> tuple[str, ...]:
    # Chinese, Japanese and Korean have no spaces: sklearn's word pattern would take a whole clause as one word.
    return ("char 1-3", "char 1-4") if _is_cjk(texts) else ("word 1-2", "word 1-2 + char 2-5")


def _scores(truth: pd.Series, predicted) -> dict:
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
        "mcc": float(matthews_corrcoef(truth, predicted)),
    }


def select_on_validation(
    fit: Callable[[pd.DataFrame, dict], object], train: pd.DataFrame, validation: pd.DataFrame, grid: list[dict]
) -> tuple[dict, list[dict]]:
    """The setting of ``grid`` whose model, fitted on ``train``, scores best on ``validation``.

    This is the only place a baseline chooses anything, and it receives the train
    and validation parts only — never the test part. Ties go to the earlier
    (simpler, more regularised) setting.

    Returns:
        ``(best setting, [{**setting, "validation_accuracy"} for every setting]``.
    """
    tried = []
    for setting in grid:
        model = fit(train, setting)
        accuracy = float(accuracy_score(validation["label"].astype(str), model.predict(validation["text"].astype(str))))
        tried.append({**setting, "validation_accuracy": accuracy})
    best = max(range(len(tried)), key=lambda index: (tried[index]["validation_accuracy"], -index))
    return grid[best], tried


def _tune_and_score(split: DatasetSplit, fit, grid: list[dict], describe: Callable[[dict], str]) -> dict:
    started = time.perf_counter()
    if len(split.validation):
        chosen, tried = select_on_validation(fit, split.train, split.validation, grid)
    else:  # nothing to choose on: the first (most regularised) setting, said so in the result
        chosen, tried = grid[0], []
    model = fit(split.train, chosen)
    seconds = time.perf_counter() - started
    predicted = model.predict(split.test["text"].astype(str))
    return {
        **_scores(split.test["label"].astype(str), predicted),
        "chosen": dict(chosen),
        "validation_accuracy": max((row["validation_accuracy"] for row in tried), default=None),
        "tried": tried,
        "fit_seconds": seconds,
        "train_size": len(split.train),
        "test_size": len(split.test),
        "fingerprint": split.fingerprint,
        "model": describe(chosen),
    }


class _CachedFeatures:
    """Fits each feature extractor once per training set, so a search over ``C`` refits only the regression."""

    def __init__(self):
        self.extractors: dict = {}

    def matrix(self, name: str, train: pd.DataFrame, build):
        key = (name, id(train))
        if key not in self.extractors:
            extractor = build()
            self.extractors[key] = (extractor, extractor.fit_transform(train["text"].astype(str)))
        return self.extractors[key]


class _LinearModel:
    """A fitted extractor + logistic regression with the ``predict(texts)`` a search needs."""

    def __init__(self, extractor, regression):
        self.extractor, self.regression = extractor, regression

    def predict(self, texts):
        return self.regression.predict(self.extractor.transform(texts))


def _tfidf_fitter():
    cache = _CachedFeatures()

    def fit(train: pd.DataFrame, setting: dict) -> _LinearModel:
        extractor, matrix = cache.matrix(setting["features"], train, lambda: _tfidf_features(setting["features"]))
        regression = LogisticRegression(C=setting["C"], max_iter=_MAX_ITERATIONS)
        # Labels as strings so int and str labels behave the same in sklearn's metrics.
        return _LinearModel(extractor, regression.fit(matrix, train["label"].astype(str)))

    return fit


def tfidf_baseline(split: DatasetSplit, grid: list[dict] | None = None) -> dict:
    """TF-IDF + logistic regression, features and ``C`` chosen on ``split.validation``.

    Args:
        split: a :class:`~rnnclf.data.splits.DatasetSplit`.
        grid: settings ``{"features", "C"}`` to try. Default: the two feature sets
            suited to the texts' language × :data:`C_GRID`.

    Returns:
        JSON-safe ``{"accuracy", "macro_f1", "mcc", "chosen", "validation_accuracy",
        "tried", "fit_seconds", "train_size", "test_size", "fingerprint", "model"}``.
    """
    texts = split.train["text"].astype(str).tolist()
    grid = grid or [{"features": features, "C": c} for features in _feature_sets(texts) for c in C_GRID]
    return _tune_and_score(split, _tfidf_fitter(), grid, lambda chosen: (
        f"TF-IDF ({chosen['features']}-grams, sublinear tf) + logistic regression (C={chosen['C']:g}, chosen on validation)"
    ))


def _count_features(name: str) -> CountVectorizer:
    if name == "word 1-2":
        return CountVectorizer(analyzer="word", ngram_range=(1, 2), binary=True)
    if name == "word 1-3":
        return CountVectorizer(analyzer="word", ngram_range=(1, 3), binary=True)
    return CountVectorizer(analyzer="char_wb", ngram_range=(1, 3), binary=True)


def log_count_ratio(features, positive: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """``r = log((p / |p|₁) / (q / |q|₁))`` with ``p = α + Σ x`` over ``positive`` rows and ``q`` over the rest."""
    p = alpha + np.asarray(features[positive].sum(axis=0)).ravel()
    q = alpha + np.asarray(features[~positive].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


class NBSVM:
    """Naive-Bayes-weighted logistic regression (Wang & Manning, 2012), one-vs-rest.

    Features are binary n-gram indicators ``x``; for each class ``c`` the
    log-count ratio ``r`` (:func:`log_count_ratio`) of ``c`` against the other
    classes scales them, and a logistic regression on ``x ⊙ r`` scores the
    class. With two classes one regression decides; otherwise the highest score wins.
    """

    def __init__(self, features: str, C: float, alpha: float = 1.0):
        self.features, self.C, self.alpha = features, C, alpha

    def fit(self, texts, labels, *, prepared=None) -> "NBSVM":
        """Fit on ``texts``; ``prepared`` = ``(vectorizer, matrix, ratios)`` from an earlier fit on the same texts."""
        labels = np.asarray(labels)
        self.classes_ = np.unique(labels)
        targets = self.classes_ if len(self.classes_) > 2 else self.classes_[1:]
        if prepared is None:
            vectorizer = _count_features(self.features)
            matrix = vectorizer.fit_transform(texts)
            prepared = (vectorizer, matrix, [log_count_ratio(matrix, labels == target, self.alpha) for target in targets])
        self.vectorizer_, matrix, self.ratios_ = prepared
        self.prepared_ = prepared
        self.models_ = [
            LogisticRegression(C=self.C, max_iter=_MAX_ITERATIONS).fit(matrix @ sparse.diags(ratio), (labels == target).astype(int))
            for ratio, target in zip(self.ratios_, targets)
        ]
        return self

    def decision_function(self, texts) -> np.ndarray:
        features = self.vectorizer_.transform(texts)
        return np.column_stack([model.decision_function(features @ sparse.diags(ratio))
                                for ratio, model in zip(self.ratios_, self.models_)])

    def predict(self, texts) -> np.ndarray:
        scores = self.decision_function(texts)
        if len(self.classes_) == 2:
            return self.classes_[(scores[:, 0] > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]


def _nbsvm_fitter():
    prepared: dict = {}

    def fit(train: pd.DataFrame, setting: dict) -> NBSVM:
        texts, labels = train["text"].astype(str), train["label"].astype(str)
        key = (setting["features"], id(train))
        model = NBSVM(setting["features"], setting["C"]).fit(texts, labels, prepared=prepared.get(key))
        prepared[key] = model.prepared_
        return model

    return fit


def nbsvm_baseline(split: DatasetSplit, grid: list[dict] | None = None) -> dict:
    """NB-SVM (log-count-ratio features + logistic regression), ``C`` and n-grams chosen on ``split.validation``.

    Returns the same keys as :func:`tfidf_baseline`.
    """
    texts = split.train["text"].astype(str).tolist()
    feature_sets = ("char 1-3",) if _is_cjk(texts) else ("word 1-2", "word 1-3")
    grid = grid or [{"features": features, "C": c} for features in feature_sets for c in C_GRID]
    return _tune_and_score(split, _nbsvm_fitter(), grid, lambda chosen: (
        f"NB-SVM ({chosen['features']}-gram indicators × log-count ratio, logistic regression C={chosen['C']:g}, chosen on validation)"
    ))


# Row name → baseline function, in the order tables show them.
BASELINES = {"tfidf-logreg": tfidf_baseline, "nbsvm": nbsvm_baseline}


def run_baselines(split: DatasetSplit, names=tuple(BASELINES)) -> dict[str, dict]:
    """Every baseline in ``names`` on ``split``: ``{name: result}``."""
    return {name: BASELINES[name](split) for name in names}
