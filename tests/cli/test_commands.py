"""The CLI end to end: train on a small CSV written for this project, then predict / evaluate / runs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rnnclf.cli import main

EXAMPLE_CSV = Path(__file__).resolve().parents[2] / "data" / "examples" / "reviews.csv"
TINY = ["--cell", "gru", "--units", "8", "--embedding-dim", "8", "--epochs", "2", "--seed", "0"]


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """Train once for the module (through main(), like a user would)."""
    import os

    home = tmp_path_factory.mktemp("cli-home")
    previous = os.environ["RNNCLF_HOME"]
    os.environ["RNNCLF_HOME"] = str(home)
    code = main(["train", "--csv", str(EXAMPLE_CSV), "--text-col", "text", "--label-col", "label", *TINY, "--name", "tiny", "--json"])
    assert code == 0
    yield home
    os.environ["RNNCLF_HOME"] = previous


@pytest.fixture()
def home(trained_run, monkeypatch):
    monkeypatch.setenv("RNNCLF_HOME", str(trained_run))
    return trained_run


def test_train_writes_a_run_with_split_fingerprint(home, capsys):
    from rnnclf.classifier import load_run
    from rnnclf.experiments.runner import TrainSpec, load_training_split

    code, out, _ = run(capsys, "runs", "show", "tiny", "--json")
    meta = json.loads(out)
    assert code == 0 and meta["classes"] == ["negative", "positive"]
    assert meta["dataset"]["sizes"] == {"train": 28, "validation": 4, "test": 8} and meta["params"]["cell_type"] == "gru"
    assert meta["params"]["units"] == 8 and meta["embedding_dim"] == 8
    # The recorded split and test metrics are reproducible from the CSV and the saved model.
    split = load_training_split(TrainSpec(csv=str(EXAMPLE_CSV), text_column="text", label_column="label", params={"seed": 0}))
    assert meta["dataset"]["fingerprint"] == split.fingerprint
    recomputed = load_run("tiny").evaluate(split.test["text"].tolist(), split.test["label"].tolist())
    assert meta["metrics"]["accuracy"] == pytest.approx(recomputed["accuracy"])
    assert meta["metrics"]["confusion_matrix"] == recomputed["confusion_matrix"]


def test_predict_json_single_text(home, capsys):
    from rnnclf.classifier import load_run

    code, out, _ = run(capsys, "predict", "--model", "tiny", "--text", "The staff were lovely", "--json")
    result = json.loads(out)
    # The CLI answers exactly what the library answers for the same run and text.
    expected = load_run("tiny").predict_proba(["The staff were lovely"])[0]
    assert code == 0 and list(result["probabilities"]) == ["negative", "positive"]
    assert [result["probabilities"][label] for label in ("negative", "positive")] == pytest.approx(expected.tolist(), abs=1e-6)
    assert result["label"] == ("negative", "positive")[int(expected.argmax())]


def test_predict_many_from_file_in_one_process(home, capsys, tmp_path):
    lines = tmp_path / "texts.txt"
    lines.write_text("great coffee\n\nawful service\n😀 日本語\n", encoding="utf-8")
    from rnnclf.classifier import load_run

    code, out, err = run(capsys, "predict", "--model", "tiny", "--input", str(lines), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [row["text"] for row in rows] == ["great coffee", "", "awful service", "😀 日本語"]
    assert rows[1] == {"text": "", "label": None, "error": "empty text"}
    expected = load_run("tiny").predict(["great coffee", "awful service", "😀 日本語"]).tolist()
    assert [rows[0]["label"], rows[2]["label"], rows[3]["label"]] == expected
    assert err == "note: 1 of 4 lines were not classified (1 empty); see the 'error' field\n"
    code, out, _ = run(capsys, "predict", "--model", "tiny", "--input", str(EXAMPLE_CSV), "--text-col", "text")
    csv_lines = out.strip().splitlines()
    assert csv_lines[0] == "text,label,p_negative,p_positive,error" and len(csv_lines) == 41


def test_evaluate_and_list(home, capsys):
    code, out, _ = run(capsys, "evaluate", "--model", "tiny", "--csv", str(EXAMPLE_CSV), "--json")
    metrics = json.loads(out)
    assert code == 0 and metrics["examples"] == 40 and set(metrics["per_class"]) == {"negative", "positive"}
    code, out, _ = run(capsys, "runs", "list", "--json")
    assert [run["name"] for run in json.loads(out)] == ["tiny"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["predict", "--model", "tiny", "--text", "   "], "text is empty"),
        (["predict", "--model", "no-such-run", "--text", "hi"], "No run at"),
        (["train", "--csv", str(EXAMPLE_CSV), "--epochs", "0", "--name", "x"], "The 'epochs' parameter of RNNTextClassifier must be an int >= 1. Got 0 instead."),
        (["predict", "--model", "../etc", "--text", "hi"], "No run at"),
        (["runs", "delete", "../tiny"], "Invalid run name"),
        (["train", "--csv", "missing.csv"], "not found"),
        (["train", "--csv", str(EXAMPLE_CSV), "--label-col", "nope"], "Columns in the file: 'text', 'label'"),
        (["train", "--csv", str(EXAMPLE_CSV), "--cell", "rnnn", "--name", "x"], "must be one of 'rnn', 'lstm', 'gru'. Got 'rnnn'"),
        (["train", "--csv", str(EXAMPLE_CSV), "--name", "../up"], "Invalid run name"),
        (["train", "--csv", str(EXAMPLE_CSV), "--name", "tiny"], "already exists"),
        (["train"], "No training data"),
    ],
)
def test_mistakes_exit_2_with_a_message(home, capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_delete_then_gone(home, capsys):
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.store import RunStore
    from tests.conftest import TINY_PARAMS, marker_texts

    texts, labels = marker_texts(40)
    RunStore().save(RNNTextClassifier(**dict(TINY_PARAMS, epochs=1)).fit(texts, labels), "doomed")
    code, out, _ = run(capsys, "runs", "delete", "doomed", "--json")
    assert code == 0 and json.loads(out) == {"deleted": "doomed"}
    code, _, err = run(capsys, "runs", "show", "doomed")
    assert code == 2 and "No run at" in err


def test_python_dash_m_entry_point_reports_errors_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rnnclf", "runs", "delete", "../x"],
        capture_output=True, text=True, env={"RNNCLF_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2 and "Invalid run name" in result.stderr and "Traceback" not in result.stderr


def test_setup_reports_the_default_model_and_is_idempotent(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))
    from rnnclf.data.paths import DEFAULT_MODEL_DIR

    code, out, _ = run(capsys, "setup", "--json")
    status = json.loads(out)
    assert code == 0 and status["default_model_ok"] is True and status["fetched"] == []
    recorded = json.loads((DEFAULT_MODEL_DIR / "meta.json").read_text(encoding="utf-8"))["metrics"]["accuracy"]
    assert status["default_model_accuracy"] == recorded
    code, out, _ = run(capsys, "predict", "--model", "default", "--text", "What a lovely, friendly little cafe!", "--json")
    assert code == 0 and json.loads(out)["label"] == "positive"
