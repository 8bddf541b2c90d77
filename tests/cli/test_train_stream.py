"""`rnnclf train --csv FILE --stream` end to end: a normal run that predict, runs and the app's loaders use."""

from __future__ import annotations

import csv
import json

import pytest

from rnnclf.cli import main
from rnnclf.errors import RunError
from tests.conftest import marker_texts

TINY = ["--cell", "gru", "--units", "8", "--embedding-dim", "8", "--epochs", "6", "--batch-size", "16", "--lr", "0.02",
        "--seed", "0"]


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture()
def tiny_csv(tmp_path):
    texts, labels = marker_texts(300, seed=21)
    path = tmp_path / "tiny reviews.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["review", "sentiment"])
        writer.writerows(zip(texts, labels))
    return path


def test_a_streamed_run_is_saved_listed_and_used_by_predict(home, tiny_csv, tmp_path, capsys):
    code, out, err = run(capsys, "train", "--csv", str(tiny_csv), "--stream", *TINY, "--name", "streamed", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["dataset"]["split"]["method"] == "hash" and result["dataset"]["streamed"] is True
    assert sum(result["dataset"]["sizes"].values()) == 300 and result["metrics"]["examples"] == result["dataset"]["sizes"]["test"]
    assert "counted 300 rows" in err and "rows/s" in err
    assert (home / "runs" / "streamed" / "seen-texts.npy").is_file()

    code, out, _ = run(capsys, "runs", "list", "--json")
    assert [entry["name"] for entry in json.loads(out)] == ["streamed"]
    texts = tmp_path / "new.txt"
    texts.write_text("zing was the word\nblorp all along\n", encoding="utf-8")
    code, out, _ = run(capsys, "predict", "--model", "streamed", "--input", str(texts), "--json")
    assert code == 0 and [json.loads(line)["label"] for line in out.splitlines()] == ["positive", "negative"]

    from rnnclf.mistakes import rebuild_test_part

    with pytest.raises(RunError, match="trained by streaming its CSV.*rnnclf evaluate --model streamed"):
        rebuild_test_part("streamed")


def test_a_file_over_the_in_memory_limit_streams_with_a_one_line_notice(home, tiny_csv, capsys, monkeypatch):
    import rnnclf.data.csv_import as csv_import

    monkeypatch.setattr(csv_import, "MAX_BYTES", tiny_csv.stat().st_size - 1)
    code, out, err = run(capsys, "train", "--csv", str(tiny_csv), *TINY, "--name", "auto", "--json")
    assert code == 0
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert notes == ["note: tiny reviews.csv is 0 MB, over the 0 MB in-memory training reads: training by streaming it "
                     "(as with --stream)"]
    assert json.loads(out)["dataset"]["split"]["method"] == "hash"


def test_stream_without_a_csv_is_refused_before_any_work(home, capsys):
    code, _, err = run(capsys, "train", "--dataset", "trec", "--stream", *TINY)
    assert code != 0 and err.startswith("error: Streaming reads a CSV file a chunk at a time: pass --csv PATH with --stream")
