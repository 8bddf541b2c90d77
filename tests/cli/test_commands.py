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
    # Coverage, checked against the saved encoder: known = tokens whose id is not <unk> (1).
    encoder = load_run("tiny").encoder_
    for row in (rows[0], rows[2], rows[3]):
        ids = encoder.encode(row["text"]).ids
        assert (row["known_tokens"], row["total_tokens"]) == (sum(i != 1 for i in ids), len(ids))
    assert rows[3]["language"] == "zh" and rows[3]["unknown_tokens"] == ["😀", "日本語"]
    assert rows[3]["warnings"][0] == "The model knows none of these words: this answer is a guess."
    assert err == "note: 1 of 4 lines were not classified (1 empty); see the 'error' field\n"
    code, out, _ = run(capsys, "predict", "--model", "tiny", "--input", str(EXAMPLE_CSV), "--text-col", "text")
    csv_lines = out.strip().splitlines()
    assert csv_lines[0] == ("text,label,p_negative,p_positive,known_tokens,total_tokens,coverage,unknown_tokens,"
                            "language,warnings,error") and len(csv_lines) == 41


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


def test_a_chinese_csv_trains_with_jieba_without_a_flag_and_answers_chinese(home, capsys, tmp_path):
    good = ["质量很好", "非常满意", "很好用", "物流很快", "包装很好", "值得购买", "客服很耐心", "颜色很漂亮"]
    bad = ["质量太差", "非常失望", "不好用", "物流太慢", "包装破损", "不值得买", "客服不理人", "颜色很难看"]
    things = ["", "这件衣服", "这双鞋", "这本书"]  # 32 distinct texts per class (duplicates would be removed)
    texts = [thing + phrase for thing in things for phrase in good + bad]
    labels = [label for _ in things for label in ["好评"] * 8 + ["差评"] * 8]
    rows = "".join(f"{text},{label}\n" for text, label in zip(texts, labels))
    path = tmp_path / "评论.csv"
    path.write_text("评论,标签\n" + rows, encoding="utf-8")
    code, out, _ = run(capsys, "train", "--csv", str(path), "--cell", "gru", "--units", "16", "--embedding-dim", "16",
                       "--epochs", "12", "--lr", "0.02", "--name", "zh-run", "--json")
    assert code == 0
    meta = json.loads(run(capsys, "runs", "show", "zh-run", "--json")[1])
    assert meta["params"]["tokenizer"] == "jieba" and meta["languages"] == {"zh": 1.0}
    code, out, err = run(capsys, "predict", "--model", "zh-run", "--text", "质量很好", "--json")
    answer = json.loads(out)
    from rnnclf.text import tokenize

    words = tokenize("质量很好", "jieba")
    assert code == 0 and answer["warnings"] == [] and answer["known_tokens"] == answer["total_tokens"] == len(words)
    code, out, _ = run(capsys, "explain", "--model", "zh-run", "--text", "物流太慢", "--method", "occlusion", "--json")
    assert json.loads(out)["tokens"] == tokenize("物流太慢", "jieba") == ["物流", "太慢"]


def test_init_from_carries_a_run_over_and_counts_the_test_texts_its_source_saw(home, capsys):
    csv = ["--csv", str(EXAMPLE_CSV), "--text-col", "text", "--label-col", "label"]
    code, out, _ = run(capsys, "train", *csv, "--epochs", "1", "--init-from", "tiny", "--name", "from-tiny", "--json")
    result = json.loads(out)
    # Same CSV, same split: 'tiny' trained on the other parts, so none of these test texts.
    assert code == 0 and result["warnings"] == [] and result["dataset"]["test_texts_seen_before"] == 0
    meta = json.loads(run(capsys, "runs", "show", "from-tiny", "--json")[1])
    assert meta["transfer"]["from"] == "tiny" and meta["transfer"]["head"] == "copied (same classes)"
    assert (meta["params"]["init_from"], meta["params"]["units"], meta["params"]["cell_type"]) == ("tiny", 8, "gru")

    # A source trained with a smaller test part has seen most of this test set: counted and said.
    assert run(capsys, "train", *csv, *TINY, "--test-size", "0.05", "--name", "leaky", "--json")[0] == 0
    code, out, _ = run(capsys, "train", *csv, "--epochs", "1", "--init-from", "leaky", "--name", "from-leaky", "--json")
    result = json.loads(out)
    seen = result["dataset"]["test_texts_seen_before"]
    assert code == 0 and 0 < seen <= 8
    assert result["warnings"] == [f"{seen} of the 8 test texts were already seen in training by 'leaky' (or a run before it): "
                                  "the test accuracy is optimistic. Start from a run that never saw this test set."]
    code, _, err = run(capsys, "train", *csv, "--init-from", "leaky", "--units", "16", "--name", "mismatch")
    assert code == 2 and "was trained with units=8; this classifier has units=16" in err
