"""BENCHMARKS.md section 10 from a small fake results file: the numbers and the words are the results'."""

from __future__ import annotations

import pytest

from rnnclf.experiments.probe_tables import first_cue_summary
from tests.bench import load_bench_script


@pytest.fixture(scope="module")
def summarize():
    return load_bench_script("summarize")


def probe(length: int, rnn: list[list[float]], gru: list[list[float]]) -> dict:
    def cell(per_seed, epochs):
        mean = [sum(column) / len(column) for column in zip(*per_seed)]
        std = [(sum((value - m) ** 2 for value in column) / (len(column) - 1)) ** 0.5 for column, m in zip(zip(*per_seed), mean)]
        return {"accuracy": mean, "std": std, "per_seed": per_seed, "epochs_to_90": epochs}

    return {"probe": "first_cue", "length": length, "distractors": 3, "positions": [0, length - 4],
            "distance_from_end": [length, 4], "chance": 0.5, "train_size": 2000, "test_per_position": 200, "seeds": [0, 1],
            "params": {"units": 32, "epochs": 20}, "shortcuts": {"majority_of_cues": [0.74, 0.73], "last_cue": [0.48, 0.46]},
            "cells": {"rnn": cell(rnn, [None, 15]), "gru": cell(gru, [4, 5])}}


def test_section_10_tables_each_length_and_says_what_was_measured(summarize):
    results = {"machine": {"date": "2026-12-02 10:00", "python": "3.11.7", "cpus": 2}, "seconds": 540.0,
               "lengths": {"40": probe(40, [[0.9, 0.7], [1.0, 0.8]], [[1.0, 1.0], [1.0, 1.0]]),
                           "60": probe(60, [[0.6, 0.7], [0.6, 0.7]], [[1.0, 1.0], [0.98, 1.0]])}}
    text = summarize.first_cue_section(results)
    lines = text.splitlines()
    assert lines[0] == "## 10. Memory probe: the first cue against later distractors (SimpleRNN vs LSTM vs GRU)"
    start = lines.index("**40 words per text, 3 later cue words**")
    assert lines[start + 2:start + 6] == [
        "| distance from end | SimpleRNN | GRU | majority of cues | last cue |",
        "|---|---|---|---|---|",
        "| 4 | 0.750 ± 0.071 | 1.000 ± 0.000 | 0.730 | 0.460 |",
        "| 40 | 0.950 ± 0.071 | 1.000 ± 0.000 | 0.740 | 0.480 |",
    ]
    # The verdicts are the library's, computed from these numbers: here the SimpleRNN does better far away at 40 words.
    assert first_cue_summary(results["lengths"]["40"]) in lines
    assert first_cue_summary(results["lengths"]["40"]).startswith("Mean over 2 seeds: SimpleRNN does better the farther")
    assert first_cue_summary(results["lengths"]["60"]) in lines
    assert "Epochs to 90% training accuracy, per seed: SimpleRNN never, 15; GRU 4, 5." in lines
    assert ("Mean accuracy over every distance and seed, by text length: SimpleRNN 0.850 at 40 words, 0.650 at 60 words; "
            "GRU 1.000 at 40 words, 0.995 at 60 words.") in lines
    assert any(line.startswith("2000 training texts, 200 test texts per distance, seeds [0, 1], "
                               'params `{"units": 32, "epochs": 20}`, 9 min in all.') for line in lines)
    assert lines[-1].startswith("_2026-12-02 10:00 · Python 3.11.7")


def test_section_10_without_results_gives_the_command(summarize):
    assert summarize.first_cue_section(None).endswith("Not run yet: `.venv/bin/python bench/bench_probe.py first-cue`.")
    assert "## 10. Memory probe" in summarize.render()
