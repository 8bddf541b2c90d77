"""Perturbation attributions: occlusion and LIME, with word order kept.

Both methods hide tokens and watch the target probability; both work on any
``predict(id rows) -> probabilities`` function, so they are tested here without
a model.

The original LIME text explainer removes words, which shifts every later word
one step earlier — an RNN then reads a different sequence, not the same one
with a word missing. Here a "removed" token is replaced by the OOV id at its
own position (LIME's ``bow=False`` mode), so the surrogate's features are token
*positions* and the sequence keeps its length.

Recipe (Ribeiro et al., 2016): draw masked copies of the text (the number of
masked tokens uniform in ``1..n``, positions uniform), classify them all in
batches, weight each copy by an exponential kernel of its cosine distance to
the full text, and fit a weighted ``sklearn.linear_model.Ridge`` from "token
kept" indicators to the target probability. The coefficients are the scores.

>>> import numpy as np
>>> predict = lambda rows: np.stack([1 - (rows[:, 1] != 1) * .8, (rows[:, 1] != 1) * .8 + 0], 1)
>>> scores, details = lime_scores(predict, np.array([4, 7, 5, 0]), 3, 1, samples=200, seed=0)
>>> int(np.argmax(scores)), float(scores[3])
(1, 0.0)
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from rnnclf.encoding import OOV_ID

__all__ = ["occlusion_scores", "lime_scores", "sample_masks", "kernel_weights"]


def occlusion_scores(
    predict: Callable[[np.ndarray], np.ndarray], row: np.ndarray, length: int, target_index: int, reference: float
) -> np.ndarray:
    """Drop of the target probability when each real token alone becomes OOV (leave-one-out).

    Args:
        predict: maps int32 id rows ``(n, width)`` to probabilities ``(n, classes)``.
        row: padded ids of one text, shape ``(width,)``.
        length: number of real tokens at the start of ``row``.
        target_index: probability column to track.
        reference: target probability of the unmodified text.

    Returns:
        ``(width,)`` scores, all variants classified in one call; padding positions are 0.

    Example:
        >>> predict = lambda rows: np.stack([(rows[:, 0] == 1) * 1.0, (rows[:, 0] != 1) * 1.0], 1)
        >>> occlusion_scores(predict, np.array([6, 3, 0]), 2, 1, reference=1.0).tolist()
        [1.0, 0.0, 0.0]
    """
    variants = np.repeat(np.asarray(row, dtype="int32")[None, :], length, axis=0)
    variants[np.arange(length), np.arange(length)] = OOV_ID
    scores = np.zeros(len(row), dtype="float64")
    scores[:length] = reference - predict(variants)[:, target_index]
    return scores


def sample_masks(length: int, samples: int, seed: int) -> np.ndarray:
    """Binary ``(samples, length)`` matrix of kept tokens; row 0 is the full text.

    >>> sample_masks(4, 3, seed=0).shape
    (3, 4)
    """
    rng = np.random.default_rng(seed)
    kept = np.ones((samples, length), dtype=bool)
    # Draw how many tokens to hide per sample, then which ones: small and large
    # perturbations are equally likely, as in LIME.
    hidden_counts = rng.integers(1, length + 1, size=samples - 1)
    for row, count in enumerate(hidden_counts, start=1):
        kept[row, rng.choice(length, size=count, replace=False)] = False
    return kept


def kernel_weights(kept: np.ndarray, kernel_width: float) -> np.ndarray:
    """LIME's kernel ``sqrt(exp(-d² / width²))`` of the cosine distance ``d`` to the full text.

    >>> kernel_weights(np.array([[True, True], [True, False]]), 0.25).round(3).tolist()
    [1.0, 0.503]
    """
    kept = kept.astype("float64")
    # Cosine similarity to the all-ones vector is (#kept) / sqrt(#kept · n).
    similarity = kept.sum(axis=1) / np.sqrt(np.maximum(kept.sum(axis=1), 1e-12) * kept.shape[1])
    distance = 1.0 - similarity
    return np.sqrt(np.exp(-(distance**2) / kernel_width**2))


def lime_scores(
    predict: Callable[[np.ndarray], np.ndarray],
    row: np.ndarray,
    length: int,
    target_index: int,
    *,
    samples: int = 1000,
    seed: int = 0,
    kernel_width: float = 0.25,
    alpha: float = 1.0,
) -> tuple[np.ndarray, dict]:
    """Fit LIME's weighted linear surrogate around one encoded text.

    Args:
        predict: maps int32 id rows ``(n, width)`` to probabilities ``(n, classes)``.
        row: padded ids of the text, shape ``(width,)``.
        length: number of real tokens at the start of ``row``.
        target_index: probability column to explain.
        samples: perturbed copies including the unmodified text. Default: 1000.
        seed: seed of the perturbations; same seed → same scores. Default: 0.
        kernel_width: width of the exponential kernel on cosine distance. Default: 0.25.
        alpha: Ridge regularisation strength. Default: 1.0.

    Returns:
        ``(scores, details)``: ``(width,)`` coefficients (padding positions 0) and
        ``{"samples", "seed", "intercept", "score" (weighted R² of the surrogate),
        "local_prediction"}``.
    """
    from sklearn.linear_model import Ridge

    kept = sample_masks(length, samples, seed)
    rows = np.repeat(np.asarray(row, dtype="int32")[None, :], samples, axis=0)
    rows[:, :length][~kept] = OOV_ID
    target = predict(rows)[:, target_index].astype("float64")
    weights = kernel_weights(kept, kernel_width)
    surrogate = Ridge(alpha=alpha, fit_intercept=True, random_state=seed)
    features = kept.astype("float64")
    surrogate.fit(features, target, sample_weight=weights)
    scores = np.zeros(len(row), dtype="float64")
    scores[:length] = surrogate.coef_
    details = {
        "samples": int(samples),
        "seed": int(seed),
        "intercept": float(surrogate.intercept_),
        "score": float(surrogate.score(features, target, sample_weight=weights)),
        "local_prediction": float(surrogate.predict(features[:1])[0]),
    }
    return scores, details
