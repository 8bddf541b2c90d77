"""Evaluation metrics (scikit-learn) as JSON-safe dicts.

>>> import numpy as np
>>> result = evaluate_predictions(["a", "b", "a"], np.array([[.9, .1], [.2, .8], [.4, .6]]), np.array(["a", "b"]))
>>> round(result["accuracy"], 3), result["confusion_matrix"]["matrix"]
(0.667, [[1, 1], [0, 1]])
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn import metrics as skm

from rnnclf.common import to_plain
from rnnclf.errors import InputError

__all__ = ["evaluate_predictions", "accuracy_by_length", "accuracy_by_coverage", "COVERAGE_EDGES"]


def evaluate_predictions(labels: Sequence, probabilities: np.ndarray, classes: np.ndarray) -> dict:
    """Metrics for true ``labels`` against predicted ``probabilities`` (columns follow ``classes``).

    Returns accuracy, macro-F1, Matthews correlation (MCC), per-class precision /
    recall / F1 / support, the confusion matrix (rows = true, columns =
    predicted) and, for two classes, ROC-AUC of the second class.
    """
    classes = np.asarray(classes)
    labels = list(labels)
    probabilities = np.asarray(probabilities)
    index = {to_plain(label): position for position, label in enumerate(classes)}
    unknown = {to_plain(label) for label in labels} - set(index)
    if unknown:
        raise InputError(f"Evaluation labels {sorted(map(str, unknown))} are not classes of the model {sorted(map(str, index))}.")
    true = np.array([index[to_plain(label)] for label in labels])
    predicted = probabilities.argmax(axis=1)
    positions = list(range(len(classes)))
    precision, recall, f1, support = skm.precision_recall_fscore_support(true, predicted, labels=positions, zero_division=0)
    names = [str(to_plain(label)) for label in classes]
    result = {
        "examples": int(len(true)),
        "accuracy": float(skm.accuracy_score(true, predicted)),
        "macro_f1": float(skm.f1_score(true, predicted, labels=positions, average="macro", zero_division=0)),
        "mcc": float(skm.matthews_corrcoef(true, predicted)) if len(true) else 0.0,
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(names, precision, recall, f1, support)
        },
        "confusion_matrix": {"labels": names, "matrix": skm.confusion_matrix(true, predicted, labels=positions).tolist()},
    }
    if len(classes) == 2 and len(set(true.tolist())) == 2:
        result["roc_auc"] = float(skm.roc_auc_score(true, probabilities[:, 1]))
    return result


def accuracy_by_length(lengths: Sequence[int], correct: Sequence[bool], edges: Sequence[int] = (0, 10, 20, 40, 80)) -> list[dict]:
    """Accuracy per token-length bucket: ``[{"bucket": "10-19", "examples": n, "accuracy": a}, ...]``.

    Empty buckets are left out; with ``edges[0] == 0`` every text falls in one bucket.

    >>> accuracy_by_length([3, 12, 15], [True, False, True], edges=(0, 10))
    [{'bucket': '0-9', 'examples': 1, 'accuracy': 1.0}, {'bucket': '10+', 'examples': 2, 'accuracy': 0.5}]
    """
    lengths = np.asarray(lengths)
    buckets = []
    for position, low in enumerate(edges):
        high = edges[position + 1] if position + 1 < len(edges) else None
        selected = (lengths >= low) & (lengths < high if high is not None else True)
        buckets.append((f"{low}-{high - 1}" if high is not None else f"{low}+", selected))
    return _accuracy_per_bucket(buckets, correct)


# Shares of known tokens that split test texts into coverage buckets: each bucket holds
# [edge, next edge); the last edge, 1.0, is a bucket of its own (every token known).
COVERAGE_EDGES = (0.0, 0.5, 0.75, 0.9, 1.0)


def accuracy_by_coverage(known_fractions: Sequence[float], correct: Sequence[bool], edges: Sequence[float] = COVERAGE_EDGES) -> list[dict]:
    """Accuracy per bucket of known-word coverage (the share of a text's tokens in the vocabulary).

    Same shape as :func:`accuracy_by_length`. Buckets are half-open, ``[low, high)``;
    with the last edge at 1.0, the texts whose every token is known form the last
    bucket, ``"100%"``. Empty buckets are left out.

    >>> accuracy_by_coverage([0.2, 0.6, 0.95, 1.0, 1.0], [False, True, True, True, False], edges=(0, 0.5, 1.0))
    [{'bucket': '0-49%', 'examples': 1, 'accuracy': 0.0}, {'bucket': '50-99%', 'examples': 2, 'accuracy': 1.0}, {'bucket': '100%', 'examples': 2, 'accuracy': 0.5}]
    """
    fractions = np.asarray(known_fractions, dtype="float64")
    if len(fractions) and (np.isnan(fractions).any() or fractions.min() < 0 or fractions.max() > 1):
        raise InputError("Known-word fractions must lie between 0 and 1 (known tokens / tokens read).")
    buckets = []
    for position, low in enumerate(edges):
        high = edges[position + 1] if position + 1 < len(edges) else None
        if high is None:
            label, selected = (f"{low:.0%}" if low >= 1 else f"{low:.0%}+"), fractions >= low
        else:
            # Whole percents: "90-99%" holds 0.9 up to (not including) 1.0.
            label, selected = f"{low * 100:.0f}-{high * 100 - 1:.0f}%", (fractions >= low) & (fractions < high)
        buckets.append((label, selected))
    return _accuracy_per_bucket(buckets, correct)


def _accuracy_per_bucket(buckets: list[tuple[str, np.ndarray]], correct: Sequence[bool]) -> list[dict]:
    """``{"bucket", "examples", "accuracy"}`` for each non-empty ``(label, selection)``."""
    correct = np.asarray(correct, dtype=bool)
    return [{"bucket": label, "examples": int(selected.sum()), "accuracy": float(correct[selected].mean())}
            for label, selected in buckets if selected.any()]
