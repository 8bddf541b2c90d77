"""The cell-type comparison on a tiny marker-word CSV: shared split, baseline, JSON round trip, progress, CLI."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from rnnclf.cli import main
from rnnclf.experiments.compare import (
    compare,
    list_comparisons,
    load_comparison,
    save_comparison,
)
from rnnclf.experiments.comparison_tables import (
    BASELINE_ROW,
    learning_curves,
    length_table,
    results_table,
)
from tests.conftest import marker_texts

TINY = {"embedding_dim": 8, "units": 8, "epochs": 2, "learning_rate": 0.02, "batch_size": 32}


def write_marker_csv(path, rows: int = 200):
    """Filler words plus one marker word deciding the label (see conftest.marker_texts)."""
    texts, labels = marker_texts(rows, seed=3)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["review", "sentiment"])
        writer.writerows(zip(texts, labels))
    return path


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    """One tiny comparison (2 cells x 2 seeds x 2 epochs), saved, with its progress events."""
    import os

    home = tmp_path_factory.mktemp("compare-home")
    previous = os.environ["RNNCLF_HOME"]
    os.environ["RNNCLF_HOME"] = str(home)
    events: list[dict] = []
    path = write_marker_csv(home / "markers.csv")
    result = compare(str(path), cells=("rnn", "gru"), seeds=2, params=TINY, progress=events.append,
                     latency_calls=5, gradient_examples=8, name="tiny")
    yield result, events, home
    os.environ["RNNCLF_HOME"] = previous


def test_runs_share_one_split_and_the_baseline_uses_it(comparison):
    result, _, _ = comparison
    fingerprints = {run["fingerprint"] for run in result["runs"]}
    assert fingerprints == {result["dataset"]["fingerprint"]} == {result["baseline"]["fingerprint"]}
    assert result["baseline"]["test_size"] == result["dataset"]["sizes"]["test"] == 40
    assert result["dataset"]["split"]["seed"] == 0
    assert [(run["cell"], run["seed"]) for run in result["runs"]] == [("rnn", 0), ("rnn", 1), ("gru", 0), ("gru", 1)]
    # Different model seeds on the same split give different models.
    gru = [run["history"]["loss"] for run in result["runs"] if run["cell"] == "gru"]
    assert gru[0] != gru[1]


def test_seed_ensembles_average_each_cells_seeds(comparison):
    from rnnclf.experiments.comparison_tables import ensemble_summary

    result, _, _ = comparison
    assert sorted(result["ensembles"]) == ["gru", "rnn"]
    for cell, ensemble in result["ensembles"].items():
        seeds = [run["metrics"]["accuracy"] for run in result["runs"] if run["cell"] == cell]
        assert ensemble["members"] == 2
        # A text both seeds classify correctly, the average classifies correctly too (two classes).
        assert ensemble["accuracy"] >= 1 - sum(1 - accuracy for accuracy in seeds) - 1e-9
    sentence = ensemble_summary(result)
    gru = result["ensembles"]["gru"]["accuracy"]
    assert sentence.startswith("Seed ensembles (each cell's 2 seeds, probabilities averaged), test accuracy: rnn ")
    assert f"gru {gru:.3f} (" in sentence


def test_table_has_cells_and_baseline_with_measurements(comparison):
    result, _, _ = comparison
    table = results_table(result)
    assert table.index.tolist() == ["rnn", "gru", BASELINE_ROW, "nbsvm"]
    assert table.loc["gru", "runs"] == 2 and table.loc[BASELINE_ROW, "runs"] == 1
    assert 0 <= table.loc["gru", "accuracy_std"] < 0.5
    assert pd.isna(table.loc[BASELINE_ROW, "accuracy_std"])
    # The marker word decides the label: both bag-of-words baselines get it all right.
    assert table.loc[BASELINE_ROW, "accuracy_mean"] == 1.0 and table.loc["nbsvm", "accuracy_mean"] == 1.0
    # Each baseline reports what it chose on validation, and the table shows it.
    for name in (BASELINE_ROW, "nbsvm"):
        chosen = result["baselines"][name]["chosen"]
        assert table.loc[name, "settings"] == f"C={chosen['C']:g}, {chosen['features']}"
        assert table.loc[name, "train_seconds"] == result["baselines"][name]["fit_seconds"] > 0
    assert result["baseline"] == result["baselines"][BASELINE_ROW]
    assert (table.loc[["rnn", "gru"], "train_seconds"] > 0).all() and (table.loc[["rnn", "gru"], "settings"] == "").all()
    # A GRU has three gates' worth of recurrent weights, a SimpleRNN one.
    assert table.loc["gru", "parameters"] > table.loc["rnn", "parameters"]
    assert (table.loc[["rnn", "gru"], "latency_ms"] > 0).all()
    assert (table.loc[["rnn", "gru"], "seconds_per_epoch"] > 0).all()
    assert table["fingerprint"].nunique() == 1
    curves = learning_curves(result)
    assert set(curves.groupby("cell")["epoch"].max()) == {2}
    assert {"loss", "val_loss"} <= set(curves.columns)
    lengths = length_table(result)
    assert lengths.index.tolist() == ["rnn", "gru"] and lengths.columns.tolist() == ["0-9", "10-19", "20-39"]
    flow = result["gradient_flow"]["gru"]
    assert flow["examples"] == 8 and flow["distance"][0] == 1 and len(flow["mean"]) == len(flow["count"])


def test_reloaded_json_gives_the_same_table(comparison):
    result, _, home = comparison
    assert result["path"] == str(home / "comparisons" / "tiny.json")
    reloaded = load_comparison("tiny")
    pd.testing.assert_frame_equal(results_table(result), results_table(reloaded))
    pd.testing.assert_frame_equal(length_table(result), length_table(reloaded))
    assert load_comparison(result["path"])["runs"] == result["runs"]
    listed = list_comparisons()
    assert [item["name"] for item in listed] == ["tiny"] and listed[0]["cells"] == ["rnn", "gru"]
    # No temporary files are left behind by the atomic write.
    assert sorted(path.name for path in (home / "comparisons").iterdir()) == ["tiny.json"]


def test_saving_refuses_to_overwrite_and_bad_names(comparison):
    result, _, _ = comparison
    with pytest.raises(ValueError, match="already exists"):
        save_comparison(result, "tiny")
    with pytest.raises(ValueError, match="Invalid comparison name"):
        save_comparison(result, "../escape")
    with pytest.raises(ValueError, match="No saved comparison 'missing'"):
        load_comparison("missing")


def test_progress_events_name_cell_seed_and_overall_fraction_never_decreases(comparison):
    _, events, _ = comparison
    overall = [event["overall_fraction"] for event in events]
    assert overall == sorted(overall) and overall[-1] == 1.0
    stages = [event["stage"] for event in events]
    assert stages[0] == "data" and "baseline" in stages and stages[-1] == "done"
    epochs = [event for event in events if event["stage"] == "epoch"]
    assert [(event["cell"], event["seed"], event["epoch"]) for event in epochs] == [
        (cell, seed, epoch) for cell in ("rnn", "gru") for seed in (0, 1) for epoch in (1, 2)
    ]
    assert all(0 < event["fraction"] <= 1 and "loss" in event["logs"] for event in epochs)
    finished = [event["overall_fraction"] for event in events if event["stage"] == "run"]
    assert finished == [0.25, 0.5, 0.75, 1.0]


def test_bad_inputs_fail_before_training(tmp_path):
    with pytest.raises(ValueError, match="expected one of 'rnn', 'lstm', 'gru'"):
        compare("trec", cells=("rnn", "transformer"), seeds=1)
    with pytest.raises(ValueError, match="expected a built-in dataset"):
        compare(str(tmp_path / "nothing.csv"), cells=("gru",), seeds=1, save=False)


def test_stopping_from_the_progress_callback(tmp_path):
    from rnnclf.experiments.compare import ComparisonStopped

    texts, labels = marker_texts(60, seed=4)
    with pytest.raises(ComparisonStopped, match="nothing was saved"):
        compare(texts_labels=(texts, labels), cells=("gru",), seeds=1, params=TINY, save=False,
                progress=lambda event: False if event["stage"] == "epoch" else None)


def test_cli_compare_csv_json_then_list_and_show(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))
    path = write_marker_csv(tmp_path / "markers.csv", rows=120)
    progress_file = tmp_path / "progress.jsonl"
    code = main(["compare", "--csv", str(path), "--text-col", "review", "--label-col", "sentiment",
                 "--cells", "rnn,lstm", "--seeds", "1", "--epochs", "1", "--units", "8", "--embedding-dim", "8",
                 "--name", "cli-run", "--json", "--progress-file", str(progress_file)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    assert result["cells"] == ["rnn", "lstm"] and result["seeds"] == [0]
    assert result["params"]["units"] == 8 and result["dataset"]["columns"] == ["review", "sentiment"]
    assert (tmp_path / "comparisons" / "cli-run.json").is_file()
    events = [json.loads(line) for line in progress_file.read_text().splitlines()]
    assert events[-1]["stage"] == "done" and events[-1]["overall_fraction"] == 1.0
    assert "lstm seed 0" in captured.err

    assert main(["compare", "list", "--json"]) == 0
    assert [item["name"] for item in json.loads(capsys.readouterr().out)] == ["cli-run"]
    assert main(["compare", "show", "cli-run"]) == 0
    shown = capsys.readouterr().out
    assert "tfidf-logreg" in shown and "accuracy by text length" in shown

    assert main(["compare", "--cells", "rnn"]) == 2
    assert "exactly one data source" in capsys.readouterr().err
    assert main(["compare", "show", "nope"]) == 2
    assert "No saved comparison 'nope'" in capsys.readouterr().err
