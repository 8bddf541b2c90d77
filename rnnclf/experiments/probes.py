"""Long-range probe: can a cell type carry one word's evidence across many steps?

Every text is ``length`` neutral filler words; one cue word at position ``k``
decides the label (``zing`` → positive, ``blorp`` → negative). Training
texts put the cue at uniformly random positions; test texts put it exactly at
each probed ``k``. A unidirectional model reads left to right and answers
after the last word, so the cue is ``length - k`` steps from the answer.

The textbook expectation is that a SimpleRNN's accuracy fades with the cue's
distance while LSTM and GRU hold. This probe measures instead of assuming,
and on this task the difference shows up elsewhere: filler words are easy to
learn to ignore, so once a SimpleRNN learns to latch the cue it holds it
across 150 steps too; what distance costs it is *learning* — it needs many
more epochs before training accuracy moves off chance (``epochs_to_90``), and
with early stopping it can be cut off at chance altogether. Its one weak spot
is a cue in the very last position, the rarest case in training (1/length). The per-step
gradient decay itself is measured by :func:`rnnclf.experiments.gradient_flow.gradient_flow`.

>>> probe = long_range_probe(cells=("gru",), length=12, positions=(0, 11), train_size=200)  # doctest: +SKIP
>>> probe["cells"]["gru"]["accuracy"]  # doctest: +SKIP
[1.0, 1.0]
"""

from __future__ import annotations

import random
from typing import Callable, Sequence

import numpy as np

from rnnclf.errors import InputError

__all__ = ["CUES", "FILLER", "cue_texts", "long_range_probe"]

CUES = {"positive": "zing", "negative": "blorp"}
# Ordinary words with no sentiment of their own, so only the cue carries the label.
FILLER = (
    "the a of and to in is it that was for on with as at by this from or an be are which one all there "
    "their has when more other into time some them could these two may then first any like over such only "
    "new also made after way many before must through back years where much down should each just those"
).split()
# Training accuracy that counts as "learned the task" for ``epochs_to_90``.
LEARNED = 0.9
# No early stopping: every cell type gets the same 12 epochs, so a slow starter is not cut off.
DEFAULT_PARAMS = {"embedding_dim": 16, "units": 32, "epochs": 12, "learning_rate": 3e-3, "batch_size": 32, "patience": None}


def _first_epoch_at(curve: Sequence[float], level: float) -> int | None:
    """1-based epoch at which training accuracy first reaches ``level``; ``None`` if it never does."""
    return next((epoch for epoch, value in enumerate(curve, start=1) if value >= level), None)


def cue_texts(count: int, length: int, positions: Sequence[int] | None, seed: int) -> tuple[list[str], list[str], list[int]]:
    """``count`` texts of ``length`` filler words with a cue at a position from ``positions`` (``None``: uniform).

    Labels alternate, so every position gets both classes equally.

    Example:
        >>> texts, labels, where = cue_texts(2, 5, positions=[4], seed=0)
        >>> [text.split()[4] for text in texts], labels
        (['blorp', 'zing'], ['negative', 'positive'])
    """
    rng = random.Random(seed)
    labels_in_order = sorted(CUES)
    texts, labels, where = [], [], []
    for index in range(int(count)):
        label = labels_in_order[index % 2]
        position = rng.randrange(length) if positions is None else positions[(index // 2) % len(positions)]
        words = [rng.choice(FILLER) for _ in range(length)]
        words[position] = CUES[label]
        texts.append(" ".join(words))
        labels.append(label)
        where.append(int(position))
    return texts, labels, where


def long_range_probe(
    cells: Sequence[str] = ("rnn", "lstm", "gru"),
    *,
    length: int = 60,
    positions: Sequence[int] | None = None,
    train_size: int = 2000,
    test_per_position: int = 200,
    seeds: Sequence[int] = (0,),
    params: dict | None = None,
    progress: Callable[[dict], object] | None = None,
) -> dict:
    """Accuracy against cue position for each cell type (mean over ``seeds``).

    Args:
        cells: cell types to probe. Default: ``("rnn", "lstm", "gru")``.
        length: words per text. Default: 60.
        positions: cue positions to test, ``0 … length-1``. Default: 7 evenly spaced.
        train_size: training texts (cue anywhere). Default: 2000.
        test_per_position: test texts per position. Default: 200.
        seeds: model seeds to average over. Default: ``(0,)``.
        params: :class:`~rnnclf.classifier.RNNTextClassifier` parameters shared by all cells.
            Default: embedding 16, 32 units, 12 epochs, learning rate 3e-3, no early stopping.
        progress: receives ``{"stage": "probe", "cell", "seed", "fraction"}`` after each model.

    Returns:
        JSON-safe ``{"length", "positions", "distance_from_end", "chance", "params", "train_size",
        "cells": {cell: {"accuracy": [...], "per_seed": [[...]], "epochs_run": [...],
        "train_accuracy_by_epoch": [[...]], "epochs_to_90": [...]}}}``; plot ``accuracy`` against
        ``positions`` (or ``distance_from_end``) per cell. ``epochs_to_90`` is the first epoch whose
        training accuracy reached 0.9 (``None``: never) — how long the cell took to learn at all.

    Example:
        >>> long_range_probe(cells=("rnn",), length=20, positions=(0, 19))["distance_from_end"]  # doctest: +SKIP
        [20, 1]
    """
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.models import cell_layer_class

    length = int(length)
    if length < 2:
        raise InputError(f"Received: length={length}; a probe needs at least 2 words per text.")
    positions = [int(value) for value in (positions if positions is not None else np.linspace(0, length - 1, 7).round())]
    bad = [value for value in positions if not 0 <= value < length]
    if bad:
        raise InputError(f"Received: positions={bad}; every cue position must be in 0 … {length - 1} (length={length}).")
    for cell in cells:
        cell_layer_class(cell)
    shared = {**DEFAULT_PARAMS, **(params or {})}
    # Fixed data seeds: every cell type reads exactly the same texts.
    train_texts, train_labels, _ = cue_texts(train_size, length, None, seed=10_000)
    report = progress or (lambda event: None)
    cells_result, total, finished = {}, len(cells) * len(seeds), 0
    tests = {position: cue_texts(test_per_position, length, [position], seed=20_000 + position) for position in positions}
    for cell in cells:
        per_seed, epochs_run, curves = [], [], []
        for seed in seeds:
            classifier = RNNTextClassifier(**{**shared, "cell_type": cell, "seed": int(seed)}).fit(train_texts, train_labels)
            per_seed.append([float(classifier.score(tests[position][0], tests[position][1])) for position in positions])
            epochs_run.append(int(classifier.epochs_run_))
            curves.append([float(value) for value in classifier.history_.get("accuracy", [])])
            finished += 1
            report({"stage": "probe", "cell": cell, "seed": int(seed), "fraction": finished / total})
        cells_result[cell] = {
            "accuracy": np.mean(per_seed, axis=0).tolist(),
            "per_seed": per_seed,
            "epochs_run": epochs_run,
            "train_accuracy_by_epoch": curves,
            "epochs_to_90": [_first_epoch_at(curve, LEARNED) for curve in curves],
        }
    return {
        "length": length,
        "positions": positions,
        "distance_from_end": [length - position for position in positions],
        "chance": 0.5,
        "train_size": int(train_size),
        "test_per_position": int(test_per_position),
        "seeds": [int(seed) for seed in seeds],
        "params": shared,
        "cells": cells_result,
    }
