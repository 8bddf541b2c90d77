"""The first-cue probe's result as a table and in words (the dict :func:`rnnclf.experiments.probes.first_cue_probe` returns).

Every sentence is computed from the numbers, so it says what was measured,
whichever way it came out.

>>> _span([4, 18, 11])
'4–18'
"""

from __future__ import annotations

import numpy as np

from rnnclf.experiments.comparison_tables import CELL_NAMES
from rnnclf.experiments.probes import LEARNED

__all__ = ["TREND", "first_cue_table", "first_cue_summary"]

# A change of at least this much between the nearer and the farther half of the distances is a trend.
TREND = 0.05


def _cell_name(cell: str) -> str:
    return CELL_NAMES.get(cell, cell)


def _mean_std(mean: float, std: float | None) -> str:
    return f"{mean:.3f}" if std is None else f"{mean:.3f} ± {std:.3f}"


def first_cue_table(result: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of accuracy (mean ± std over seeds) per first-cue distance and cell, nearest first.

    The last two columns are the shortcuts of :func:`shortcut_accuracy` on the same test texts.

    Example:
        >>> result = {"positions": [0, 6], "distance_from_end": [10, 4], "seeds": [0, 1],
        ...           "shortcuts": {"majority_of_cues": [0.7, 0.75], "last_cue": [0.5, 0.45]},
        ...           "cells": {"rnn": {"accuracy": [0.6, 0.9], "std": [0.05, 0.01]}}}
        >>> first_cue_table(result)
        (['distance from end', 'SimpleRNN', 'majority of cues', 'last cue'], [['4', '0.900 ± 0.010', '0.750', '0.450'], ['10', '0.600 ± 0.050', '0.700', '0.500']])
    """
    header = ["distance from end"] + [_cell_name(cell) for cell in result["cells"]] + ["majority of cues", "last cue"]
    rows = []
    for index in np.argsort(result["distance_from_end"], kind="stable"):
        cells = [_mean_std(data["accuracy"][index], data["std"][index]) for data in result["cells"].values()]
        shortcuts = [f"{result['shortcuts'][name][index]:.3f}" for name in ("majority_of_cues", "last_cue")]
        rows.append([str(result["distance_from_end"][index])] + cells + shortcuts)
    return header, rows


def _span(distances: list[int]) -> str:
    low, high = min(distances), max(distances)
    return f"{low}" if low == high else f"{low}–{high}"


def _trend(data: dict, near: np.ndarray, far: np.ndarray, test_per_position: int) -> tuple[float, float]:
    """Mean accuracy of the nearer minus the farther distances, and the standard error of that difference.

    The error is the larger of two estimates: the binomial spread of accuracy on
    ``test_per_position`` texts per position, and (with several seeds) the spread
    of the difference between seeds.
    """
    per_seed = np.asarray(data.get("per_seed") or [data["accuracy"]], dtype="float64")
    differences = per_seed[:, near].mean(axis=1) - per_seed[:, far].mean(axis=1)
    accuracy = float(per_seed.mean())
    texts = max(1, int(test_per_position)) * len(per_seed)
    binomial = float(np.sqrt(accuracy * (1 - accuracy) * (1 / (len(near) * texts) + 1 / (len(far) * texts))))
    between_seeds = float(np.std(differences, ddof=1) / np.sqrt(len(differences))) if len(differences) > 1 else 0.0
    return float(differences.mean()), max(binomial, between_seeds)


def _describe_cell(name: str, data: dict, distances: list[int], test_per_position: int) -> str:
    """One clause on how a cell's accuracy changes with distance, from the numbers alone."""
    accuracy = data["accuracy"]
    if min(accuracy) >= LEARNED:
        return f"{name} holds (at least {min(accuracy):.2f} at every distance)"
    order = np.argsort(distances, kind="stable")
    half = len(order) // 2
    if half:
        near, far = order[:half], order[len(order) - half:]
        difference, error = _trend(data, near, far, test_per_position)
        near_mean, far_mean = float(np.mean([accuracy[i] for i in near])), float(np.mean([accuracy[i] for i in far]))
        numbers = (f"{near_mean:.2f} with the first cue {_span([distances[i] for i in near])} words from the end, "
                   f"{far_mean:.2f} at {_span([distances[i] for i in far])}")
        if abs(difference) >= TREND and abs(difference) >= 2 * error:
            if difference > 0:
                return f"{name} falls off with distance ({numbers})"
            return f"{name} does better the farther the first cue is ({numbers})"
    return f"{name} shows no trend with distance beyond noise (between {min(accuracy):.2f} and {max(accuracy):.2f})"


def first_cue_summary(result: dict) -> str:
    """The measured outcome of :func:`first_cue_probe` in words, computed from ``result`` (never a fixed verdict).

    A cell *holds* when its mean accuracy is at least 0.9 at every distance. Otherwise the nearer half
    of the distances is compared with the farther half: a difference counts as a trend when it is at
    least 0.05 and at least twice its standard error (the binomial spread over the test texts or, if
    larger, the spread between seeds).

    Example:
        >>> result = {"distance_from_end": [40, 22, 4], "seeds": [0, 1], "test_per_position": 200,
        ...           "shortcuts": {"majority_of_cues": [0.7, 0.74, 0.78], "last_cue": [0.5, 0.48, 0.52]},
        ...           "cells": {"rnn": {"accuracy": [0.55, 0.7, 0.9], "per_seed": [[0.5, 0.7, 0.9], [0.6, 0.7, 0.9]]},
        ...                     "gru": {"accuracy": [1.0, 1.0, 0.99], "per_seed": [[1.0, 1.0, 0.98], [1.0, 1.0, 1.0]]}}}
        >>> print(first_cue_summary(result))
        Mean over 2 seeds: SimpleRNN falls off with distance (0.90 with the first cue 4 words from the end, 0.55 at 40); GRU holds (at least 0.99 at every distance). On the same test texts, answering with the majority of the cue words scores 0.70–0.78 and the last cue word 0.48–0.52.
    """
    distances = list(result["distance_from_end"])
    clauses = [_describe_cell(_cell_name(cell), data, distances, result["test_per_position"])
               for cell, data in result["cells"].items()]
    seeds = len(result.get("seeds") or [])
    spread = "One seed" if seeds == 1 else f"Mean over {seeds} seeds"
    majority, last = result["shortcuts"]["majority_of_cues"], result["shortcuts"]["last_cue"]
    return (f"{spread}: {'; '.join(clauses)}. On the same test texts, answering with the majority of the cue words "
            f"scores {_span_values(majority)} and the last cue word {_span_values(last)}.")


def _span_values(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}–{high:.2f}"
