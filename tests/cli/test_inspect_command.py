"""`rnnclf inspect` on a tiny saved run."""

import json
import subprocess
import sys

import numpy as np
import pytest

from rnnclf.interpret.states import inspect_states


@pytest.fixture(scope="module")
def run_directory(trained_gru, tmp_path_factory):
    return trained_gru.save(tmp_path_factory.mktemp("inspect") / "run")


def _inspect(run_directory, *arguments):
    return subprocess.run([sys.executable, "-m", "rnnclf", "inspect", "--model", str(run_directory), *arguments],
                          capture_output=True, text=True, timeout=120)


def test_json_holds_every_gate_per_token_as_the_library_computes_it(run_directory, trained_gru):
    done = _inspect(run_directory, "--text", "the zing movie", "--json", "--top", "2")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    expected = inspect_states(trained_gru, "the zing movie", top_k=2)
    assert payload["tokens"] == ["the", "zing", "movie"] and payload["cell_type"] == "gru"
    assert payload["gates"] == ["update", "reset", "candidate", "hidden"]
    (part,) = payload["parts"]
    assert (part["layer"], part["direction"]) == (0, "forward")
    np.testing.assert_allclose(part["values"]["update"], expected.part(0).values["update"], atol=1e-5)
    assert [unit["unit"] for unit in payload["tracking"]] == [unit["unit"] for unit in expected.tracking]
    assert payload["target"] == "positive"


def test_readable_table_and_clear_errors(run_directory):
    done = _inspect(run_directory, "--text", "the zing movie was later")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("GRU · 5 tokens")
    assert "layer 1 · forward" in lines and any(line.startswith("zing ") for line in lines)
    assert "Units of the last layer (forward) that follow P(positive) most closely:" in done.stdout
    empty = _inspect(run_directory, "--text", "  ")
    assert empty.returncode == 2 and 'The text is empty: pass some words with --text "..."' in empty.stderr
    negative = _inspect(run_directory, "--text", "a film", "--top", "-1")
    assert negative.returncode == 2 and "Received: --top -1; expected 0 or more units." in negative.stderr
