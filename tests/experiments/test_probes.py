"""The long-range probe on a tiny setting: data layout, result shape, and that a GRU learns a near cue."""

from __future__ import annotations

import pytest

from rnnclf.experiments.probes import CUES, FILLER, cue_texts, long_range_probe


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
    assert [event["fraction"] for event in events] == [0.5, 1.0]


def test_probe_rejects_positions_outside_the_text():
    with pytest.raises(ValueError, match=r"positions=\[12\]"):
        long_range_probe(cells=("gru",), length=10, positions=(0, 12))
