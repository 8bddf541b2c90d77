"""The TF-IDF + logistic-regression baseline on tiny synthetic splits."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest

from rnnclf.baseline import tfidf_baseline
from rnnclf.data.splits import split_dataset


def _split(noise: float, seed: int = 0):
    rng = random.Random(seed)
    cues = {"spam": ["prize", "win", "claim"], "ham": ["lunch", "later", "home"]}
    rows = []
    for index in range(200):
        label = "spam" if index % 4 == 0 else "ham"  # imbalanced, like SMS
        shown = label if rng.random() > noise else ("ham" if label == "spam" else "spam")
        rows.append((f"{rng.choice(cues[shown])} message {index}", label))
    return split_dataset(pd.DataFrame(rows, columns=["text", "label"]), seed=seed)


def test_baseline_learns_a_clean_signal():
    split = _split(noise=0.0)
    result = tfidf_baseline(split)
    json.dumps(result)
    assert result["accuracy"] == 1.0 and result["macro_f1"] == 1.0 and result["mcc"] == 1.0
    assert result["test_size"] == len(split.test) and result["fingerprint"] == split.fingerprint


def test_baseline_metrics_drop_with_label_noise():
    clean, noisy = tfidf_baseline(_split(noise=0.0)), tfidf_baseline(_split(noise=0.3))
    assert noisy["accuracy"] < clean["accuracy"]
    assert noisy["mcc"] < noisy["accuracy"]  # MCC punishes the imbalance that accuracy hides


def test_baseline_accepts_integer_labels():
    split = _split(noise=0.0)
    for part in (split.train, split.test):
        part["label"] = (part["label"] == "spam").astype(int)
    assert tfidf_baseline(split)["accuracy"] == 1.0


# ------------------------------------------------------------------------- tuned on validation
from rnnclf.baseline import (  # noqa: E402
    C_GRID,
    NBSVM,
    nbsvm_baseline,
    run_baselines,
    select_on_validation,
)


def test_choices_are_made_on_validation_exactly_as_an_independent_search_would():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    split = _split(noise=0.25, seed=3)
    result = tfidf_baseline(split)
    # The same search written out by hand, on word 1-2-grams only.
    scores = {}
    for c in C_GRID:
        model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(C=c, max_iter=2000))
        model.fit(split.train["text"], split.train["label"])
        scores[c] = (model.predict(split.validation["text"]) == split.validation["label"]).mean()
    tried = {row["C"]: row["validation_accuracy"] for row in result["tried"] if row["features"] == "word 1-2"}
    assert tried == {c: float(score) for c, score in scores.items()}
    assert len(result["tried"]) == 2 * len(C_GRID) and result["validation_accuracy"] == max(r["validation_accuracy"] for r in result["tried"])
    best = max(result["tried"], key=lambda row: row["validation_accuracy"])
    assert result["chosen"]["C"] in C_GRID and (
        [row["validation_accuracy"] for row in result["tried"] if row["C"] == result["chosen"]["C"]
         and row["features"] == result["chosen"]["features"]] == [best["validation_accuracy"]])
    assert result["fit_seconds"] > 0 and "chosen on validation" in result["model"]


def test_no_selection_step_ever_reads_the_test_part():
    """Scrambling the test labels (or texts) cannot change what the baselines choose."""
    split = _split(noise=0.2, seed=5)
    chosen = {name: result["chosen"] for name, result in run_baselines(split).items()}
    poisoned = _split(noise=0.2, seed=5)
    poisoned.test["label"] = poisoned.test["label"].sample(frac=1.0, random_state=1).to_numpy()
    poisoned.test["text"] = "zzz unseen words"
    assert {name: result["chosen"] for name, result in run_baselines(poisoned).items()} == chosen

    seen = []

    def recording_fit(train, setting):
        seen.append(set(train["text"]))
        return tfidf_baseline.__globals__["_tfidf_fitter"]()(train, setting)

    select_on_validation(recording_fit, split.train, split.validation, [{"features": "word 1-2", "C": 1.0}])
    assert seen == [set(split.train["text"])] and not seen[0] & set(split.test["text"])


def test_nbsvm_weights_features_by_the_log_count_ratio():
    texts = ["good good film", "good plot", "bad film", "bad bad plot"]
    labels = ["pos", "pos", "neg", "neg"]
    model = NBSVM("word 1-2", C=1.0).fit(texts, labels)
    vocabulary = model.vectorizer_.vocabulary_
    # Binary counts with alpha = 1: "good" occurs in both positive texts and no negative one.
    p_good, q_good = 1 + 2, 1 + 0
    p_total = 1 * len(vocabulary) + sum(len(set(model.vectorizer_.build_analyzer()(text))) for text in texts[:2])
    q_total = 1 * len(vocabulary) + sum(len(set(model.vectorizer_.build_analyzer()(text))) for text in texts[2:])
    expected = np.log((p_good / p_total) / (q_good / q_total))
    assert model.ratios_[0][vocabulary["good"]] == pytest.approx(expected)
    assert model.predict(["good film", "bad plot"]).tolist() == ["pos", "neg"]


def test_nbsvm_handles_three_classes_one_vs_rest():
    texts = [f"{word} item {index}" for index in range(30) for word in ("red", "green", "blue")]
    labels = [word for _ in range(30) for word in ("red", "green", "blue")]
    model = NBSVM("word 1-2", C=4.0).fit(texts, labels)
    assert len(model.models_) == 3 and model.predict(["green item 99", "blue item 7"]).tolist() == ["green", "blue"]


def test_nbsvm_baseline_reports_like_the_tfidf_one():
    result = nbsvm_baseline(_split(noise=0.0))
    assert result["accuracy"] == 1.0 and set(result["chosen"]) == {"features", "C"}
    assert {row["features"] for row in result["tried"]} == {"word 1-2", "word 1-3"}


def test_chinese_texts_get_character_features():
    rows = [(f"{'很好' if index % 2 else '太差'}的东西{index}", "pos" if index % 2 else "neg") for index in range(80)]
    split = split_dataset(pd.DataFrame(rows, columns=["text", "label"]), seed=0)
    result = tfidf_baseline(split)
    assert {row["features"] for row in result["tried"]} == {"char 1-3", "char 1-4"} and result["accuracy"] == 1.0
