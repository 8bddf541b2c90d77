"""The accuracy benchmark chooses each dataset's configuration on validation scores only."""

from __future__ import annotations

import copy
import random

import pytest

from tests.bench import load_bench_script


@pytest.fixture(scope="module")
def bench_accuracy():
    return load_bench_script("bench_accuracy")


def _entry(validation: list[float], test: list[float], ensemble: tuple[float, float]) -> dict:
    spread = lambda values: {"mean": sum(values) / len(values), "std": 0.01, "n": len(values)}  # noqa: E731
    return {"summary": {"validation_accuracy": spread(validation), "accuracy": spread(test)},
            "ensemble": {"validation_accuracy": ensemble[0], "accuracy": ensemble[1], "members": 3}}


def test_the_choice_follows_validation_whatever_the_test_scores(bench_accuracy):
    row = {"candidates": {
        "pooled": _entry([0.80, 0.81, 0.79], [0.70, 0.71, 0.69], (0.805, 0.72)),
        "transfer": _entry([0.82, 0.83, 0.81], [0.60, 0.61, 0.59], (0.812, 0.62)),
    }}
    chosen = bench_accuracy.choose(row)
    assert chosen["label"] == "transfer" and chosen["accuracy"]["mean"] == pytest.approx(0.60)
    assert chosen["uses_source_texts"] is True
    rng = random.Random(0)
    for _ in range(20):  # any test scores at all: the same choice
        shuffled = copy.deepcopy(row)
        for entry in shuffled["candidates"].values():
            entry["summary"]["accuracy"]["mean"] = rng.random()
            entry["ensemble"]["accuracy"] = rng.random()
        assert bench_accuracy.choose(shuffled)["label"] == "transfer"


def test_an_ensemble_is_chosen_when_its_validation_is_best(bench_accuracy):
    row = {"candidates": {"pooled": _entry([0.80, 0.80, 0.80], [0.7, 0.7, 0.7], (0.83, 0.75))}}
    chosen = bench_accuracy.choose(row)
    assert chosen["label"] == "pooled ×3" and chosen["accuracy"] == {"mean": 0.75, "std": 0.0, "n": 1}
    assert chosen["uses_source_texts"] is False
