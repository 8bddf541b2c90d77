"""Synthetic memory probes: can a cell type carry one word's evidence across many steps?

Two tasks over texts of ``length`` neutral filler words, where a cue word
decides the label (``zing`` → positive, ``blorp`` → negative). Training texts
put the deciding cue at uniformly random positions; test texts put it exactly
at each probed position ``k``. A unidirectional model reads left to right and
answers after the last word, so the deciding cue is ``length - k`` steps from
the answer.

:func:`long_range_probe` — one cue, nothing else. The textbook expectation is
that a SimpleRNN's accuracy fades with the cue's distance while LSTM and GRU
hold. This probe measures instead of assuming, and on this task the difference
shows up elsewhere: filler words are easy to learn to ignore, so once a
SimpleRNN learns to latch the cue it holds it across 150 steps too; what
distance costs it is *learning* — it needs many more epochs before training
accuracy moves off chance (``epochs_to_90``), and with early stopping it can be
cut off at chance altogether. Its one weak spot is a cue in the very last
position, the rarest case in training (1/length).

:func:`first_cue_probe` — the *first* cue decides, and ``distractors`` later
cue words of both classes try to overwrite it: a latching problem in the spirit
of Bengio et al. (1994) and Hochreiter & Schmidhuber (1997). Adding up cues no
longer works, so the model must store which cue came first and protect it —
what the gates of an LSTM or GRU are for. Each result also holds what two
shortcuts would score on the same test texts (the majority of all cue words;
the last cue word), so a cell's accuracy can be read against them. In the
benchmark (BENCHMARKS.md section 10) LSTM and GRU learn it at 40 and 60 words
while a SimpleRNN does not, and its misses are not where the textbook puts
them: they gather where the later cues crowd in right behind the first one,
near the end, rather than far from it. :func:`rnnclf.experiments.probe_tables.first_cue_summary`
says in words what a given result shows.

The per-step gradient decay itself is measured by
:func:`rnnclf.experiments.gradient_flow.gradient_flow`.

>>> probe = first_cue_probe(cells=("gru",), length=12, positions=(0, 8), train_size=200)  # doctest: +SKIP
>>> probe["distance_from_end"], probe["cells"]["gru"]["accuracy"]  # doctest: +SKIP
([12, 4], [1.0, 1.0])
"""

from __future__ import annotations

import random
import time
from typing import Callable, Sequence

import numpy as np

from rnnclf.common import json_safe
from rnnclf.errors import InputError, StoppedByUser

__all__ = ["CUES", "FILLER", "cue_texts", "first_cue_texts", "long_range_probe", "first_cue_probe", "shortcut_accuracy"]

CUES = {"positive": "zing", "negative": "blorp"}
# Ordinary words with no sentiment of their own, so only the cues carry the label.
FILLER = (
    "the a of and to in is it that was for on with as at by this from or an be are which one all there "
    "their has when more other into time some them could these two may then first any like over such only "
    "new also made after way many before must through back years where much down should each just those"
).split()
# Training accuracy that counts as "learned the task" for ``epochs_to_90``; test accuracy that counts as "holds".
LEARNED = 0.9
# No early stopping: every cell type gets the same epochs, so a slow starter is not cut off.
DEFAULT_PARAMS = {"embedding_dim": 16, "units": 32, "epochs": 12, "learning_rate": 3e-3, "batch_size": 32, "patience": None}
# Two distractors of both classes are always one of each: counting cues would then give the answer.
MIN_DISTRACTORS = 3


def _first_epoch_at(curve: Sequence[float], level: float) -> int | None:
    """1-based epoch at which training accuracy first reaches ``level``; ``None`` if it never does."""
    return next((epoch for epoch, value in enumerate(curve, start=1) if value >= level), None)


def _mixed_classes(rng: random.Random, count: int) -> list[str]:
    """``count`` classes drawn at random, redrawn until both occur (the draw ignores the text's label)."""
    while True:
        classes = [rng.choice(sorted(CUES)) for _ in range(count)]
        if len(set(classes)) == len(CUES):
            return classes


def _texts(count: int, length: int, positions: Sequence[int] | None, seed: int,
           distractors: int = 0) -> tuple[list[str], list[str], list[int]]:
    """Filler texts with the deciding cue at a position from ``positions`` and ``distractors`` later cues."""
    rng = random.Random(seed)
    labels_in_order = sorted(CUES)
    texts, labels, where = [], [], []
    for index in range(int(count)):
        label = labels_in_order[index % 2]
        position = rng.randrange(length - distractors) if positions is None else positions[(index // 2) % len(positions)]
        words = [rng.choice(FILLER) for _ in range(length)]
        words[position] = CUES[label]
        if distractors:  # no extra draws otherwise: cue_texts gives the same texts as before distractors existed
            places = sorted(rng.sample(range(position + 1, length), distractors))
            for place, kind in zip(places, _mixed_classes(rng, distractors)):
                words[place] = CUES[kind]
        texts.append(" ".join(words))
        labels.append(label)
        where.append(int(position))
    return texts, labels, where


def cue_texts(count: int, length: int, positions: Sequence[int] | None, seed: int) -> tuple[list[str], list[str], list[int]]:
    """``count`` texts of ``length`` filler words with a cue at a position from ``positions`` (``None``: uniform).

    Labels alternate, so every position gets both classes equally.

    Example:
        >>> texts, labels, where = cue_texts(2, 5, positions=[4], seed=0)
        >>> [text.split()[4] for text in texts], labels
        (['blorp', 'zing'], ['negative', 'positive'])
    """
    return _texts(count, length, positions, seed)


def first_cue_texts(count: int, length: int, positions: Sequence[int] | None, seed: int,
                    distractors: int = MIN_DISTRACTORS) -> tuple[list[str], list[str], list[int]]:
    """Texts whose *first* cue word decides the label, followed by ``distractors`` cues of both classes.

    The first cue sits at a position from ``positions`` (``None``: uniform over
    ``0 … length - distractors - 1``); the distractors take distinct random
    places after it, and their classes are drawn at random (both always occur),
    independently of the label. Labels alternate, so every position gets both
    classes equally. Returns ``(texts, labels, first cue positions)``.

    Example:
        >>> texts, labels, where = first_cue_texts(2, 6, positions=[1], seed=0)
        >>> [[word for word in text.split() if word in CUES.values()] for text in texts], labels, where
        ([['blorp', 'blorp', 'blorp', 'zing'], ['zing', 'zing', 'blorp', 'zing']], ['negative', 'positive'], [1, 1])
    """
    checked = _check_first_cue_task(int(length), int(distractors), [0] if positions is None else positions)
    return _texts(count, int(length), None if positions is None else checked, seed, int(distractors))


def _check_first_cue_task(length: int, distractors: int, positions: Sequence[int]) -> list[int]:
    """Positions as ints, once ``distractors`` and every first-cue position leave room for the task."""
    if distractors < MIN_DISTRACTORS:
        raise InputError(f"Received: distractors={distractors}; use at least {MIN_DISTRACTORS}. Both classes occur among "
                         "the later cues, so with 2 they would always be one of each and counting cues would give the "
                         "answer without remembering which came first.")
    if length < distractors + 1:
        raise InputError(f"Received: length={length}; with distractors={distractors} a text needs at least "
                         f"{distractors + 1} words (the first cue and {distractors} later cues): raise length or lower distractors.")
    positions = [int(value) for value in positions]
    last = length - distractors - 1
    bad = [value for value in positions if not 0 <= value <= last]
    if bad:
        raise InputError(f"Received: positions={bad}; the first cue must leave room for {distractors} later cues, so every "
                         f"position must be in 0 … {last} (length={length}, distractors={distractors}).")
    if not positions:
        raise InputError("Received: positions=[]; pass at least one first-cue position, or None for 6 evenly spaced ones.")
    return positions


def shortcut_accuracy(texts: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """What two rules that never store which cue came first score on ``texts``.

    ``majority_of_cues`` answers the class with more cue words (a tie counts as
    half right, a coin toss); ``last_cue`` answers the class of the last cue word.

    Example:
        >>> shortcut_accuracy(["zing blorp zing", "blorp zing zing"], ["positive", "negative"])
        {'majority_of_cues': 0.5, 'last_cue': 0.5}
    """
    classes = {word: label for label, word in CUES.items()}
    majority = last = 0.0
    for text, label in zip(texts, labels):
        cues = [classes[word] for word in text.split() if word in classes]
        if not cues:
            majority += 0.5
            last += 0.5
            continue
        balance = sum(1 if cue == label else -1 for cue in cues)
        majority += 1.0 if balance > 0 else 0.5 if balance == 0 else 0.0
        last += cues[-1] == label
    count = max(1, len(texts))
    return {"majority_of_cues": majority / count, "last_cue": last / count}


def _check_plan(cells: Sequence[str], seeds: Sequence[int], params: dict | None, train_size: int,
                test_per_position: int) -> tuple[list[str], list[int], dict]:
    """Checked cells, seeds and shared parameters — before TensorFlow loads."""
    from rnnclf.classifier import RNNTextClassifier

    cells = list(dict.fromkeys(str(cell) for cell in cells))
    if not cells:
        raise InputError("Received: cells=[]; pass at least one of 'rnn', 'lstm', 'gru'.")
    seeds = list(dict.fromkeys(int(seed) for seed in seeds))
    if not seeds:
        raise InputError("Received: seeds=[]; pass at least one seed, e.g. seeds=(0, 1, 2).")
    for name, value in (("train_size", train_size), ("test_per_position", test_per_position)):
        if int(value) < 2:
            raise InputError(f"Received: {name}={value}; use at least 2 texts, one of each class.")
    shared = {**DEFAULT_PARAMS, **(params or {})}
    unknown = sorted((set(shared) - set(RNNTextClassifier().get_params())) | (set(shared) & {"cell_type", "seed"}))
    if unknown:
        raise InputError(f"Received: params with {unknown}; cells and seeds are set by the probe, and the other "
                         f"keys must be RNNTextClassifier parameters such as 'units' or 'epochs'.")
    for cell in cells:
        RNNTextClassifier(**shared, cell_type=cell)._validate_params()
    return cells, seeds, shared


def _spread(values: np.ndarray) -> list[float | None]:
    """Sample standard deviation over seeds (axis 0), ``None`` with a single seed."""
    return np.std(values, axis=0, ddof=1).tolist() if len(values) > 1 else [None] * values.shape[1]


def _train_each(cells: list[str], seeds: list[int], shared: dict, train: tuple[list[str], list[str]],
                tests: list[tuple[list[str], list[str]]], progress: Callable[[dict], object] | None) -> dict:
    """Train every (cell, seed) on the same texts; score each on every test set.

    Progress: training events of each run with ``cell``, ``seed`` and the whole
    probe's ``overall_fraction``; after each run a ``"probe"`` event whose
    ``fraction`` is the share of runs done and whose ``accuracy`` lists that
    run's test accuracies. A callback that returns ``False`` stops the probe.
    """
    from rnnclf.classifier import RNNTextClassifier

    report = progress or (lambda event: None)
    total, finished, stopped = len(cells) * len(seeds), 0, False

    def forward(cell: str, seed: int):
        def send(event: dict):
            nonlocal stopped
            overall = (finished + min(1.0, float(event.get("fraction", 0.0)))) / total
            if report({**event, "cell": cell, "seed": seed, "overall_fraction": overall}) is False:
                stopped = True
            return False if stopped else None
        return send

    result = {}
    for cell in cells:
        per_seed, epochs_run, curves, seconds = [], [], [], []
        for seed in seeds:
            classifier = RNNTextClassifier(**shared, cell_type=cell, seed=seed).fit(*train, progress=forward(cell, seed))
            if stopped:
                raise StoppedByUser(f"The probe stopped during {cell} seed {seed}; nothing was measured.")
            per_seed.append([float(classifier.score(texts, labels)) for texts, labels in tests])
            epochs_run.append(int(classifier.epochs_run_))
            curves.append([float(value) for value in classifier.history_.get("accuracy", [])])
            seconds.append(float(classifier.training_seconds_))
            finished += 1
            report({"stage": "probe", "cell": cell, "seed": seed, "fraction": finished / total,
                    "overall_fraction": finished / total, "accuracy": per_seed[-1],
                    "message": f"{cell} seed {seed}: mean accuracy {np.mean(per_seed[-1]):.3f}"})
        accuracy = np.asarray(per_seed)
        result[cell] = {
            "accuracy": accuracy.mean(axis=0).tolist(),
            "std": _spread(accuracy),
            "per_seed": per_seed,
            "epochs_run": epochs_run,
            "training_seconds": seconds,
            "train_accuracy_by_epoch": curves,
            "epochs_to_90": [_first_epoch_at(curve, LEARNED) for curve in curves],
        }
    return result


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
        progress: receives ``{"stage": "probe", "cell", "seed", "fraction"}`` after each model, and
            each model's training events (with ``cell``, ``seed`` and ``overall_fraction``).

    Returns:
        JSON-safe ``{"length", "positions", "distance_from_end", "chance", "params", "train_size",
        "cells": {cell: {"accuracy": [...], "std": [...], "per_seed": [[...]], "epochs_run": [...],
        "train_accuracy_by_epoch": [[...]], "epochs_to_90": [...]}}}``; plot ``accuracy`` against
        ``positions`` (or ``distance_from_end``) per cell. ``epochs_to_90`` is the first epoch whose
        training accuracy reached 0.9 (``None``: never) — how long the cell took to learn at all.

    Example:
        >>> long_range_probe(cells=("rnn",), length=20, positions=(0, 19))["distance_from_end"]  # doctest: +SKIP
        [20, 1]
    """
    length = int(length)
    if length < 2:
        raise InputError(f"Received: length={length}; a probe needs at least 2 words per text.")
    positions = [int(value) for value in (positions if positions is not None else np.linspace(0, length - 1, 7).round())]
    bad = [value for value in positions if not 0 <= value < length]
    if bad:
        raise InputError(f"Received: positions={bad}; every cue position must be in 0 … {length - 1} (length={length}).")
    cells, seeds, shared = _check_plan(cells, seeds, params, train_size, test_per_position)
    # Fixed data seeds: every cell type reads exactly the same texts.
    train = cue_texts(train_size, length, None, seed=10_000)[:2]
    tests = [cue_texts(test_per_position, length, [position], seed=20_000 + position)[:2] for position in positions]
    return json_safe({
        "length": length,
        "positions": positions,
        "distance_from_end": [length - position for position in positions],
        "chance": 0.5,
        "train_size": int(train_size),
        "test_per_position": int(test_per_position),
        "seeds": seeds,
        "params": shared,
        "cells": _train_each(cells, seeds, shared, train, tests, progress),
    })


def first_cue_probe(
    cells: Sequence[str] = ("rnn", "lstm", "gru"),
    *,
    length: int = 40,
    distractors: int = MIN_DISTRACTORS,
    positions: Sequence[int] | None = None,
    train_size: int = 2000,
    test_per_position: int = 200,
    seeds: Sequence[int] = (0,),
    params: dict | None = None,
    progress: Callable[[dict], object] | None = None,
) -> dict:
    """Accuracy against the first cue's distance from the end, when later cues try to overwrite it.

    Every text is ``length`` filler words; the first cue word decides the label
    and ``distractors`` later cue words of both classes follow it (see
    :func:`first_cue_texts`). Every cell type trains on the same texts with the
    first cue anywhere, once per seed, and is tested with the first cue exactly
    at each position.

    Args:
        cells: cell types to probe. Default: ``("rnn", "lstm", "gru")``.
        length: words per text. Default: 40.
        distractors: later cue words per text, at least 3. Default: 3.
        positions: first-cue positions to test, ``0 … length - distractors - 1``. Default: 6 evenly spaced.
        train_size: training texts (first cue anywhere). Default: 2000.
        test_per_position: test texts per position. Default: 200.
        seeds: model seeds; the result gives mean and standard deviation over them. Default: ``(0,)``.
        params: :class:`~rnnclf.classifier.RNNTextClassifier` parameters shared by all cells.
            Default: embedding 16, 32 units, 12 epochs, learning rate 3e-3, no early stopping.
        progress: receives each model's training events (with ``cell``, ``seed`` and the whole
            probe's ``overall_fraction``) and, after each model, ``{"stage": "probe", "cell", "seed",
            "fraction", "accuracy"}``; returning ``False`` stops the probe (:class:`~rnnclf.errors.StoppedByUser`).

    Returns:
        JSON-safe ``{"probe": "first_cue", "length", "distractors", "positions", "distance_from_end",
        "chance", "shortcuts": {"majority_of_cues": [...], "last_cue": [...]}, "train_size",
        "test_per_position", "seeds", "params", "seconds", "cells": {cell: {"accuracy": [...],
        "std": [...], "per_seed": [[...]], "epochs_run", "training_seconds", "train_accuracy_by_epoch",
        "epochs_to_90"}}}``. Lists run along ``positions``; ``std`` is ``None`` with one seed.
        :func:`rnnclf.experiments.probe_tables.first_cue_summary` puts the result in words.

    Example:
        >>> probe = first_cue_probe(cells=("rnn", "gru"), length=20, positions=(0, 16), seeds=(0, 1))  # doctest: +SKIP
        >>> probe["distance_from_end"], len(probe["cells"]["rnn"]["std"])  # doctest: +SKIP
        ([20, 4], 2)
    """
    started = time.perf_counter()
    length, distractors = int(length), int(distractors)
    last = length - distractors - 1
    positions = _check_first_cue_task(length, distractors, positions if positions is not None else
                                      np.unique(np.linspace(0, max(last, 0), 6).round()))
    cells, seeds, shared = _check_plan(cells, seeds, params, train_size, test_per_position)
    # Fixed data seeds, apart from the long-range probe's: every cell type reads exactly the same texts.
    train = first_cue_texts(train_size, length, None, seed=30_000, distractors=distractors)[:2]
    tests = [first_cue_texts(test_per_position, length, [position], seed=40_000 + position, distractors=distractors)[:2]
             for position in positions]
    shortcuts = [shortcut_accuracy(*test) for test in tests]
    cells_result = _train_each(cells, seeds, shared, train, tests, progress)
    return json_safe({
        "probe": "first_cue",
        "length": length,
        "distractors": distractors,
        "positions": positions,
        "distance_from_end": [length - position for position in positions],
        "chance": 0.5,
        "shortcuts": {name: [values[name] for values in shortcuts] for name in ("majority_of_cues", "last_cue")},
        "train_size": int(train_size),
        "test_per_position": int(test_per_position),
        "seeds": seeds,
        "params": shared,
        "seconds": time.perf_counter() - started,
        "cells": cells_result,
    })

