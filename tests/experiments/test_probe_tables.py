"""The first-cue probe in words and as a table: every verdict follows the numbers, whichever way they go."""

from __future__ import annotations

import pytest

from rnnclf.experiments.probe_tables import first_cue_summary, first_cue_table


def fake_result(cells: dict, seeds=(0, 1, 2), test_per_position=200, distances=(40, 22, 4)) -> dict:
    """A first_cue_probe result with given per-seed accuracies (rows: seeds; columns: distances)."""
    import numpy as np

    data = {}
    for cell, per_seed in cells.items():
        values = np.asarray(per_seed, dtype="float64")
        std = values.std(axis=0, ddof=1).tolist() if len(values) > 1 else [None] * values.shape[1]
        data[cell] = {"accuracy": values.mean(axis=0).tolist(), "std": std, "per_seed": values.tolist()}
    return {"distance_from_end": list(distances), "positions": [40 - d for d in distances], "seeds": list(seeds),
            "test_per_position": test_per_position, "cells": data,
            "shortcuts": {"majority_of_cues": [0.74, 0.76, 0.78][:len(distances)], "last_cue": [0.5, 0.46, 0.52][:len(distances)]}}


def clauses(result: dict) -> list[str]:
    return first_cue_summary(result).split(": ", 1)[1].split(". On the same")[0].split("; ")


def test_a_cell_above_090_everywhere_holds_and_a_fading_one_falls_off():
    result = fake_result({"rnn": [[0.55, 0.7, 0.9], [0.6, 0.72, 0.88], [0.5, 0.68, 0.92]],
                          "lstm": [[1.0, 1.0, 1.0], [0.99, 1.0, 1.0], [0.97, 1.0, 1.0]]})
    assert clauses(result) == [
        "SimpleRNN falls off with distance (0.90 with the first cue 4 words from the end, 0.55 at 40)",
        "LSTM holds (at least 0.99 at every distance)",
    ]
    assert first_cue_summary(result).startswith("Mean over 3 seeds: ")
    assert first_cue_summary(result).endswith("On the same test texts, answering with the majority of the cue words "
                                              "scores 0.74–0.78 and the last cue word 0.46–0.52.")


def test_a_cell_better_at_a_distance_is_said_to_be_so():
    result = fake_result({"rnn": [[0.95, 0.85, 0.75], [0.97, 0.86, 0.72], [0.99, 0.84, 0.78]]})
    assert clauses(result) == ["SimpleRNN does better the farther the first cue is (0.75 with the first cue 4 words "
                               "from the end, 0.97 at 40)"]


@pytest.mark.parametrize("per_seed, test_per_position", [
    # 0.06 apart on average, but the seeds disagree about the direction: within noise.
    ([[0.6, 0.7, 0.8], [0.8, 0.7, 0.6], [0.62, 0.7, 0.78]], 200),
    # 0.06 apart with one seed, but on 20 test texts per position that is well within the binomial spread.
    ([[0.64, 0.7, 0.7]], 20),
    # Consistent but smaller than the 0.05 that counts as a trend.
    ([[0.70, 0.7, 0.73], [0.70, 0.7, 0.73], [0.71, 0.7, 0.74]], 200),
])
def test_differences_within_noise_or_below_005_are_no_trend(per_seed, test_per_position):
    result = fake_result({"gru": per_seed}, seeds=tuple(range(len(per_seed))), test_per_position=test_per_position)
    assert clauses(result)[0].startswith("GRU shows no trend with distance beyond noise (between ")


def test_one_seed_is_named_as_such_and_a_single_distance_has_no_trend():
    result = fake_result({"rnn": [[0.7]]}, seeds=(0,), distances=(12,))
    assert first_cue_summary(result).startswith("One seed: SimpleRNN shows no trend with distance beyond noise (between 0.70 and 0.70)")


def test_the_table_lists_distances_nearest_first_with_mean_and_std():
    result = fake_result({"rnn": [[0.5, 0.7, 0.9], [0.7, 0.7, 0.8]], "gru": [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]}, seeds=(0, 1))
    header, rows = first_cue_table(result)
    assert header == ["distance from end", "SimpleRNN", "GRU", "majority of cues", "last cue"]
    assert rows == [["4", "0.850 ± 0.071", "1.000 ± 0.000", "0.780", "0.520"],
                    ["22", "0.700 ± 0.000", "1.000 ± 0.000", "0.760", "0.460"],
                    ["40", "0.600 ± 0.141", "1.000 ± 0.000", "0.740", "0.500"]]
    single = fake_result({"rnn": [[0.5, 0.7, 0.9]]}, seeds=(0,))
    assert first_cue_table(single)[1][0][1] == "0.900"
