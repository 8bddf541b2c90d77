"""The memory probes on tiny settings: data layout, result shape, validation, and that a GRU learns a near cue."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnnclf.errors import InputError, StoppedByUser
from rnnclf.experiments.probes import (
    CUES,
    FILLER,
    cue_texts,
    first_cue_probe,
    first_cue_texts,
    long_range_probe,
    shortcut_accuracy,
)


def test_cue_texts_put_exactly_one_cue_at_the_asked_position():
    texts, labels, where = cue_texts(40, length=9, positions=[0, 8], seed=1)
    assert where == [0, 0, 8, 8] * 10
    assert labels.count("positive") == labels.count("negative") == 20
    for text, label, position in zip(texts, labels, where):
        words = text.split()
        assert len(words) == 9 and words[position] == CUES[label]
        assert sum(word in CUES.values() for word in words) == 1
        assert all(word in FILLER for index, word in enumerate(words) if index != position)
    # Uniform positions when none are given; the same seed gives the same texts.
    _, _, anywhere = cue_texts(300, length=9, positions=None, seed=2)
    assert set(anywhere) == set(range(9))
    assert cue_texts(5, 9, None, seed=3) == cue_texts(5, 9, None, seed=3)


def test_probe_reports_accuracy_per_position_for_each_cell():
    params = {"embedding_dim": 8, "units": 8, "epochs": 4, "learning_rate": 0.02, "patience": None}
    events = []
    probe = long_range_probe(cells=("rnn", "gru"), length=10, positions=(0, 9), train_size=240, test_per_position=20,
                             params=params, progress=events.append)
    assert probe["positions"] == [0, 9] and probe["distance_from_end"] == [10, 1]
    assert set(probe["cells"]) == {"rnn", "gru"}
    for data in probe["cells"].values():
        assert len(data["accuracy"]) == 2 and all(0.0 <= value <= 1.0 for value in data["accuracy"])
        assert data["epochs_run"] == [4]
    # A cue right before the answer is the easy case: a GRU gets it.
    assert probe["cells"]["gru"]["accuracy"][1] >= 0.9
    # One "probe" event per finished model; training events in between carry the whole probe's share done.
    assert [event["fraction"] for event in events if event["stage"] == "probe"] == [0.5, 1.0]
    overall = [event["overall_fraction"] for event in events]
    assert overall == sorted(overall) and overall[-1] == 1.0
    assert {event["cell"] for event in events if event["stage"] == "epoch"} == {"rnn", "gru"}


def test_probe_rejects_positions_outside_the_text():
    with pytest.raises(ValueError, match=r"positions=\[12\]"):
        long_range_probe(cells=("gru",), length=10, positions=(0, 12))


# ---------------------------------------------------------------------------------- the first-cue probe
def _cue_indices(words):
    return [index for index, word in enumerate(words) if word in CUES.values()]


def test_first_cue_texts_put_the_deciding_cue_first_and_distractors_of_both_classes_after_it():
    texts, labels, where = first_cue_texts(60, length=12, positions=[0, 5, 8], seed=1, distractors=3)
    assert where == [0, 0, 5, 5, 8, 8] * 10
    assert labels.count("positive") == labels.count("negative") == 30
    for text, label, position in zip(texts, labels, where):
        words = text.split()
        cues = _cue_indices(words)
        assert len(words) == 12 and cues[0] == position and words[position] == CUES[label]
        assert len(cues) == 4  # the first cue and exactly 3 later ones, nothing before it
        assert {words[index] for index in cues[1:]} == set(CUES.values())  # later cues of both classes
        assert all(word in FILLER for index, word in enumerate(words) if index not in cues)


def test_first_cue_texts_spread_the_first_cue_over_every_position_that_leaves_room_and_repeat_by_seed():
    _, _, anywhere = first_cue_texts(400, length=10, positions=None, seed=2, distractors=4)
    assert set(anywhere) == set(range(6))  # 0 … length - distractors - 1
    assert first_cue_texts(8, 10, None, seed=3) == first_cue_texts(8, 10, None, seed=3)
    assert first_cue_texts(8, 10, None, seed=3) != first_cue_texts(8, 10, None, seed=4)


def test_first_cue_texts_refuse_a_first_cue_without_room_for_its_distractors():
    with pytest.raises(InputError, match=r"^Received: positions=\[7\]; the first cue must leave room for 3 later cues"):
        first_cue_texts(4, length=10, positions=[0, 7], seed=0)
    with pytest.raises(InputError, match=r"^Received: distractors=1; use at least 3\."):
        first_cue_texts(4, length=10, positions=None, seed=0, distractors=1)


def test_the_distractors_say_nothing_about_the_label():
    texts, labels, _ = first_cue_texts(2000, length=20, positions=None, seed=5, distractors=3)
    for label in CUES:
        later = [word for text, truth in zip(texts, labels) if truth == label for word in
                 [text.split()[index] for index in _cue_indices(text.split())[1:]]]
        agreeing = sum(word == CUES[label] for word in later) / len(later)
        assert 0.45 < agreeing < 0.55, (label, agreeing)


def test_cue_texts_are_the_texts_they_were_before_distractors_existed():
    # The long-range benchmark's numbers stay reproducible: the generator as it was, as an oracle.
    import random

    def before(count, length, positions, seed):
        rng = random.Random(seed)
        texts, labels, where = [], [], []
        for index in range(count):
            label = sorted(CUES)[index % 2]
            position = rng.randrange(length) if positions is None else positions[(index // 2) % len(positions)]
            words = [rng.choice(FILLER) for _ in range(length)]
            words[position] = CUES[label]
            texts.append(" ".join(words))
            labels.append(label)
            where.append(position)
        return texts, labels, where

    assert cue_texts(30, 15, None, seed=10_000) == before(30, 15, None, 10_000)
    assert cue_texts(30, 15, [3, 14], seed=7) == before(30, 15, [3, 14], 7)


def test_shortcut_accuracy_scores_the_majority_and_the_last_cue():
    texts = ["zing the blorp zing", "blorp zing zing a", "zing blorp", "the of"]
    labels = ["positive", "negative", "positive", "negative"]
    # majority: right, wrong, tie (half), no cue (half); last cue: right, wrong, wrong, no cue (half).
    assert shortcut_accuracy(texts, labels) == {"majority_of_cues": 2 / 4, "last_cue": 1.5 / 4}


@pytest.mark.parametrize("arguments, message", [
    ({"distractors": 2}, "Received: distractors=2; use at least 3. Both classes occur among the later cues, so with 2 "
     "they would always be one of each and counting cues would give the answer without remembering which came first."),
    ({"length": 3}, "Received: length=3; with distractors=3 a text needs at least 4 words (the first cue and 3 later "
     "cues): raise length or lower distractors."),
    ({"length": 10, "positions": (0, 7, 9)}, "Received: positions=[7, 9]; the first cue must leave room for 3 later cues, "
     "so every position must be in 0 … 6 (length=10, distractors=3)."),
    ({"positions": ()}, "Received: positions=[]; pass at least one first-cue position, or None for 6 evenly spaced ones."),
    ({"cells": ()}, "Received: cells=[]; pass at least one of 'rnn', 'lstm', 'gru'."),
    ({"seeds": ()}, "Received: seeds=[]; pass at least one seed, e.g. seeds=(0, 1, 2)."),
    ({"train_size": 1}, "Received: train_size=1; use at least 2 texts, one of each class."),
    ({"params": {"unit": 8, "seed": 3}}, "Received: params with ['seed', 'unit']; cells and seeds are set by the probe, "
     "and the other keys must be RNNTextClassifier parameters such as 'units' or 'epochs'."),
    ({"cells": ("rnn", "lsmt")}, "The 'cell_type' parameter of RNNTextClassifier must be one of 'rnn', 'lstm', 'gru'. "
     "Got 'lsmt' instead."),
])
def test_first_cue_probe_says_what_to_change(arguments, message):
    with pytest.raises(InputError) as error:
        first_cue_probe(**arguments)
    assert str(error.value) == message


TINY = {"embedding_dim": 8, "units": 8, "epochs": 2, "learning_rate": 0.02}


def test_first_cue_probe_reports_mean_and_std_over_seeds_per_distance():
    events = []
    probe = first_cue_probe(cells=("rnn", "gru"), length=10, positions=(0, 6), train_size=120, test_per_position=20,
                            seeds=(0, 1), params=TINY, progress=events.append)
    assert probe["distance_from_end"] == [10, 4] and probe["distractors"] == 3 and probe["seeds"] == [0, 1]
    assert probe["params"]["patience"] is None and probe["params"]["units"] == 8
    for data in probe["cells"].values():
        per_seed = np.asarray(data["per_seed"])
        assert per_seed.shape == (2, 2) and ((per_seed >= 0) & (per_seed <= 1)).all()
        np.testing.assert_allclose(data["accuracy"], per_seed.mean(axis=0))
        np.testing.assert_allclose(data["std"], per_seed.std(axis=0, ddof=1))
        assert data["epochs_run"] == [2, 2] and len(data["train_accuracy_by_epoch"][0]) == 2
    assert all(0 <= value <= 1 for values in probe["shortcuts"].values() for value in values)
    assert [event["fraction"] for event in events if event["stage"] == "probe"] == [0.25, 0.5, 0.75, 1.0]
    assert [(event["cell"], event["seed"]) for event in events if event["stage"] == "probe"] == \
        [("rnn", 0), ("rnn", 1), ("gru", 0), ("gru", 1)]
    overall = [event["overall_fraction"] for event in events]
    assert overall == sorted(overall)
    json.dumps(probe, allow_nan=False)  # JSON-safe, no NaN


def test_first_cue_probe_gives_no_std_for_one_seed_and_stops_when_asked():
    probe = first_cue_probe(cells=("gru",), length=8, positions=(0,), train_size=40, test_per_position=4, params=TINY)
    assert probe["cells"]["gru"]["std"] == [None]
    with pytest.raises(StoppedByUser, match="The probe stopped during rnn seed 0; nothing was measured."):
        first_cue_probe(cells=("rnn", "gru"), length=8, train_size=40, test_per_position=4, params=TINY,
                        progress=lambda event: False)
