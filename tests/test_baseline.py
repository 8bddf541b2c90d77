"""The TF-IDF + logistic-regression baseline on tiny synthetic splits."""

from __future__ import annotations

import json
import random

import pandas as pd

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
