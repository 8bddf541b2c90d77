"""How training examples are held out and weighed, before any model exists.

>>> import numpy as np
>>> class_weights(np.array([0, 0, 0, 1]), ["neg", "pos"], "balanced").round(3).tolist()
[0.667, 2.0]
>>> class_weights(np.array([0, 1]), ["neg", "pos"], {"pos": 3}).tolist()
[1.0, 3.0]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from rnnclf.common import to_plain
from rnnclf.errors import InputError

__all__ = ["hold_out", "class_weights", "class_weights_from_counts"]


def hold_out(texts: list[str], targets: np.ndarray, fraction: float, seed: int):
    """Stratified ``(train_texts, train_targets, held_texts, held_targets)`` for early stopping.

    The held-out part is ``None, None`` when the data is too small to leave a
    text of every class on both sides.
    """
    from sklearn.model_selection import train_test_split

    counts = np.bincount(targets)
    size = int(round(len(texts) * float(fraction)))
    if counts.min() < 2 or size < len(counts):
        return texts, targets, None, None
    train_texts, held_texts, train_targets, held_targets = train_test_split(
        texts, targets, test_size=size, stratify=targets, random_state=seed
    )
    return list(train_texts), np.asarray(train_targets), list(held_texts), np.asarray(held_targets)


def class_weights(targets: np.ndarray, classes: Sequence, class_weight) -> np.ndarray | None:
    """Weight of each class (indexed like ``classes``) for ``class_weight``: ``None``,
    ``"balanced"`` (inverse frequency, sklearn's formula) or ``{label: weight}``."""
    return class_weights_from_counts(np.bincount(np.asarray(targets, dtype=np.int64), minlength=len(classes)), classes,
                                     class_weight)


def class_weights_from_counts(counts: np.ndarray, classes: Sequence, class_weight) -> np.ndarray | None:
    """:func:`class_weights` from the number of training examples of each class (all a streamed file gives).

    >>> class_weights_from_counts(np.array([3, 1]), ["neg", "pos"], "balanced").round(3).tolist()
    [0.667, 2.0]
    """
    if class_weight is None:
        return None
    if class_weight == "balanced":
        counts = np.asarray(counts, dtype="float64")
        return counts.sum() / (len(classes) * np.maximum(counts, 1))
    if isinstance(class_weight, dict):
        known = {str(to_plain(label)): index for index, label in enumerate(classes)}
        weights = np.ones(len(classes))
        for label, weight in class_weight.items():
            if str(label) not in known:
                raise InputError(f"class_weight names label {label!r}, which is not among the classes {sorted(known)}.")
            weights[known[str(label)]] = float(weight)
        return weights
    raise InputError(f"Received: class_weight={class_weight!r}; expected None, 'balanced' or a dict label -> weight.")
