"""``rnnclf probe`` end to end on a tiny setting: the JSON is the library's result, the table its numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnnclf.cli import main

TINY = ["--length", "10", "--positions", "0,6", "--train-size", "120", "--test-per-position", "20",
        "--epochs", "2", "--units", "8", "--embedding-dim", "8", "--lr", "0.02"]


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def probe_json():
    """One tiny probe through the CLI with --json, shared by the module."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["probe", "--cells", "rnn,gru", "--seeds", "2", "--json", *TINY])
    return code, out.getvalue(), err.getvalue()


def test_json_output_is_the_whole_result_for_the_options_given(probe_json):
    code, out, err = probe_json
    assert code == 0 and len(out.splitlines()) == 1
    result = json.loads(out)
    assert result["probe"] == "first_cue" and list(result["cells"]) == ["rnn", "gru"] and result["seeds"] == [0, 1]
    assert (result["length"], result["distractors"], result["positions"], result["distance_from_end"]) == (10, 3, [0, 6], [10, 4])
    assert (result["train_size"], result["test_per_position"]) == (120, 20)
    assert {key: result["params"][key] for key in ("epochs", "units", "embedding_dim", "learning_rate")} == \
        {"epochs": 2, "units": 8, "embedding_dim": 8, "learning_rate": 0.02}
    for data in result["cells"].values():
        np.testing.assert_allclose(data["accuracy"], np.mean(data["per_seed"], axis=0))
        assert len(data["std"]) == 2 and all(value is not None for value in data["std"])
    # Progress went to stderr, one line per epoch and per finished model (stderr is not a terminal here).
    assert err.count("rnn seed 1  epoch 2/2") == 1 and "gru seed 1: mean accuracy" in err and "100%" in err


def test_human_output_is_a_table_of_the_same_numbers_and_the_outcome_in_words(capsys, monkeypatch, probe_json):
    import rnnclf.experiments.probes as probes

    result = json.loads(probe_json[1])
    monkeypatch.setattr(probes, "first_cue_probe", lambda **kwargs: result)  # the numbers above, without training again
    code, out, _ = run(capsys, "probe", "--cells", "rnn,gru", "--seeds", "2", *TINY)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("first-cue probe: 10 words per text, 3 later cue words, 120 training texts, seeds [0, 1]")
    assert lines[1].split() == ["distance", "from", "end", "SimpleRNN", "GRU", "majority", "of", "cues", "last", "cue"]
    rnn, gru = result["cells"]["rnn"], result["cells"]["gru"]
    # Nearest first: distance 4 is position 6, the second column of the result.
    assert lines[2].split() == ["4", f"{rnn['accuracy'][1]:.3f}", "±", f"{rnn['std'][1]:.3f}", f"{gru['accuracy'][1]:.3f}", "±",
                                f"{gru['std'][1]:.3f}", f"{result['shortcuts']['majority_of_cues'][1]:.3f}",
                                f"{result['shortcuts']['last_cue'][1]:.3f}"]
    assert lines[4].startswith("Mean over 2 seeds: SimpleRNN ")


@pytest.mark.parametrize("argv, message", [
    (["--distractors", "2"], "error: Received: distractors=2; use at least 3."),
    (["--cells", "rnn,lsmt"], "error: The 'cell_type' parameter of RNNTextClassifier must be one of 'rnn', 'lstm', 'gru'. Got 'lsmt' instead."),
    (["--positions", "0,a"], "error: Received: --positions '0,a'; expected word positions such as 0,18,36."),
    (["--length", "10", "--positions", "0,8"], "error: Received: positions=[8]; the first cue must leave room for 3 later cues"),
    (["--seeds", "0"], "error: Received: --seeds '0'; the number of seeds must be at least 1."),
    (["--epochs", "0"], "error: The 'epochs' parameter of RNNTextClassifier must be an int >= 1. Got 0 instead."),
])
def test_mistakes_exit_2_with_what_to_change(capsys, argv, message):
    code, out, err = run(capsys, "probe", *argv)
    assert code == 2 and out == "" and err.startswith(message)
