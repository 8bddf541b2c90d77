"""BENCHMARKS.md section 12 from fake results: the speed verdict and XLA's break-even epoch are the results'."""

from __future__ import annotations

import pytest

from tests.bench import load_bench_script


@pytest.fixture(scope="module")
def summarize():
    return load_bench_script("summarize")


def loop(epoch_s: float, first_epoch_s: float, losses=(0.30, 0.31)) -> dict:
    return {"epoch_s": epoch_s, "first_epoch_s": first_epoch_s, "final_loss": list(losses), "runs": []}


def fake(own=loop(4.0, 5.0), fit=loop(4.4, 6.0), xla=loop(2.0, 11.0)) -> dict:
    row = {"cell": "gru", "own_step": own, "model_fit": fit, "own_step_xla": xla,
           "speed_ratio": fit["epoch_s"] / own["epoch_s"]}
    return {"dataset": "everyday-sentiment", "texts": 20000, "epochs": 3, "rounds": 2, "batch_size": 32,
            "sizes": {"embedding_dim": 64, "units": 64}, "rows": [row], "machine": {"date": "2026-12-02"}}


def test_speed_verdict_and_xla_break_even_come_from_the_numbers(summarize):
    text = summarize.training_step_section(fake())
    assert "| gru | 4.00 | 4.40 | 110% | 0.0e+00 | met |" in text
    # XLA: 6 s more in the first epoch, 2 s saved per later epoch: equal after epoch 4, ahead from epoch 5.
    assert "| gru | 4.00 | 2.00 | 2.00× | 5.0 / 11.0 | from epoch 5 |" in text


def test_a_slow_own_step_and_a_useless_xla_are_reported(summarize):
    text = summarize.training_step_section(fake(own=loop(5.0, 6.0, (0.30, 0.33)), xla=loop(5.5, 9.0)))
    assert "| 88% | 6.5e-02 | **not met** |" in text and "never (no steady gain)" in text


def test_without_results_the_section_gives_the_command(summarize):
    assert summarize.training_step_section(None).endswith("Not run yet: `.venv/bin/python bench/bench_training_step.py`.")
