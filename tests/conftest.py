"""Shared fixtures: synthetic marker-word tasks and tiny trained classifiers.

The marker-word task is one every cell type can learn perfectly: filler words
carry no signal and exactly one marker word decides the label. It makes
"the model learned" a checkable fact instead of a hope.
"""

from __future__ import annotations

import os
import random

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

FILLER = (
    "the a this that movie film day story it was is and of with very some plot "
    "scene actor time place music then later our my your their"
).split()
MARKERS = {"positive": "zing", "negative": "blorp", "neutral": "meh"}


def marker_texts(count: int, classes=("negative", "positive"), seed: int = 0, min_length: int = 3, max_length: int = 20):
    """Texts of filler words with one class marker inserted at a random position."""
    rng = random.Random(seed)
    texts, labels = [], []
    for index in range(count):
        label = classes[index % len(classes)]
        words = [rng.choice(FILLER) for _ in range(rng.randint(min_length, max_length))]
        words.insert(rng.randint(0, len(words)), MARKERS[label])
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


@pytest.fixture(autouse=True, scope="session")
def isolated_home(tmp_path_factory):
    """Keep tests away from the user's runs: RNNCLF_HOME points at a temp dir
    unless the caller set RNNCLF_TEST_HOME (used to reuse downloaded corpora)."""
    previous = os.environ.get("RNNCLF_HOME")
    os.environ["RNNCLF_HOME"] = os.environ.get("RNNCLF_TEST_HOME") or str(tmp_path_factory.mktemp("rnnclf-home"))
    yield
    if previous is None:
        os.environ.pop("RNNCLF_HOME", None)
    else:
        os.environ["RNNCLF_HOME"] = previous


@pytest.fixture(scope="session")
def marker_data():
    train = marker_texts(320, seed=1)
    test = marker_texts(80, seed=2)
    return train, test


TINY_PARAMS = dict(embedding_dim=16, units=16, epochs=8, learning_rate=0.01, batch_size=32, seed=0)


@pytest.fixture(scope="session")
def trained_gru(marker_data):
    """A small GRU trained to 100% on the binary marker task (shared, never mutate)."""
    from rnnclf.classifier import RNNTextClassifier

    (texts, labels), _ = marker_data
    return RNNTextClassifier(cell_type="gru", **TINY_PARAMS).fit(texts, labels)


# Every seventh label of the mistakes CSV is flipped: a model that learned the markers gets exactly
# those texts wrong, so every run below has mistakes to browse.
FLIP_EVERY = 7


def noisy_marker_csv(path, count: int = 240):
    """A CSV of marker-word texts with every :data:`FLIP_EVERY`-th label flipped; returns its path."""
    import csv

    texts, labels = marker_texts(count, seed=5)
    flipped = {"negative": "positive", "positive": "negative"}
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["text", "label"])
        for index, (text, label) in enumerate(zip(texts, labels)):
            writer.writerow([text, flipped[label] if index % FLIP_EVERY == 0 else label])
    return path


# The runs the mistakes browser is tested on: each cell type once, one of them bidirectional.
MISTAKE_RUN_CELLS = {"mistakes-rnn": ("rnn", False), "mistakes-lstm": ("lstm", False), "mistakes-bigru": ("gru", True)}


@pytest.fixture(scope="session")
def mistake_runs(tmp_path_factory):
    """Tiny runs trained (as `rnnclf train --csv` does) on :func:`noisy_marker_csv`: name → run directory."""
    from rnnclf.experiments.runner import TrainSpec, run_training
    from rnnclf.store import RunStore

    csv_path = noisy_marker_csv(tmp_path_factory.mktemp("mistakes-data") / "noisy-markers.csv")
    store = RunStore()
    for name, (cell, bidirectional) in MISTAKE_RUN_CELLS.items():
        # Trained afresh each session (overwrite): a run kept in a reused RNNCLF_TEST_HOME would point at a CSV now gone.
        params = dict(TINY_PARAMS, cell_type=cell, bidirectional=bidirectional, units=8, embedding_dim=8)
        run_training(TrainSpec(csv=str(csv_path), text_column="text", label_column="label", params=params, name=name,
                               overwrite=True))
    return {name: store.path(name) for name in MISTAKE_RUN_CELLS}
