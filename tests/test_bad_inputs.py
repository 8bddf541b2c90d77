"""Bad input, tried as a user would: every case gets its exact answer and loses nothing.

Each case drives the CLI (``rnnclf.cli.main``, in process) or the library and
asserts the exit status, the exact message, and what is on disk afterwards
(nothing written, or the old run intact). Inputs are texts written for this test.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from rnnclf.cli import main
from rnnclf.errors import DatasetError, InputError, RunError
from tests.conftest import TINY_PARAMS, marker_texts

ROOT = Path(__file__).resolve().parents[1]
TEXTS, LABELS = marker_texts(64, seed=11)


@pytest.fixture(scope="module")
def saved_home(tmp_path_factory):
    """A run store with one tiny run, 'tiny', and a CSV it was not trained on."""
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.store import RunStore

    home = tmp_path_factory.mktemp("bad-inputs-home")
    classifier = RNNTextClassifier(cell_type="gru", **dict(TINY_PARAMS, epochs=2)).fit(TEXTS, LABELS)
    RunStore(home / "runs").save(classifier, "tiny", metrics={"accuracy": 0.5})
    return home


@pytest.fixture()
def home(saved_home, monkeypatch, tmp_path):
    """A fresh copy of the saved home per test, so damaging a run never leaks into another test."""
    copy = tmp_path / "home"
    shutil.copytree(saved_home, copy)
    monkeypatch.setenv("RNNCLF_HOME", str(copy))
    return copy


@pytest.fixture(scope="module")
def tiny(saved_home):
    from rnnclf.classifier import load_run

    return load_run(saved_home / "runs" / "tiny")


def cli(capsys, *argv):
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def snapshot(directory: Path) -> dict:
    """Every file below ``directory`` with its bytes, to prove nothing changed."""
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ----------------------------------------------------------------------------- one text
@pytest.mark.parametrize("text", ["", "   ", "\n\t  \r\n"], ids=["empty", "spaces", "whitespace"])
def test_predict_refuses_an_empty_text_before_loading_anything(home, capsys, text):
    code, out, err = cli(capsys, "predict", "--model", "tiny", "--text", text)
    assert (code, out, err) == (2, "", 'error: The text is empty: pass some words with --text "...".\n')


@pytest.mark.parametrize(
    "text",
    ["zing " * 200_000, "a zing\x00 film", "zing 😀 日本語 ∑"],
    ids=["one-megabyte", "nul-byte", "unicode"],
)
def test_predict_answers_odd_but_valid_texts_as_the_library_does(home, capsys, tiny, text):
    code, out, err = cli(capsys, "predict", "--model", "tiny", "--text", text, "--json")
    result = json.loads(out)
    expected = tiny.predict_proba([text])[0]
    assert code == 0 and err == ""
    assert [result["probabilities"][label] for label in tiny.class_names] == pytest.approx(expected.tolist(), abs=1e-6)


def test_explain_refuses_an_empty_text(home, capsys):
    assert cli(capsys, "explain", "--model", "tiny", "--text", " ") == (2, "", 'error: The text is empty: pass some words with --text "...".\n')


# ----------------------------------------------------------------------------- files of texts
def predict_file(capsys, path: Path, *extra):
    code, out, err = cli(capsys, "predict", "--model", "tiny", "--input", path, "--json", *extra)
    return code, [json.loads(line) for line in out.splitlines()], err


def test_one_invalid_utf8_line_is_reported_by_number_and_the_others_stay_intact(home, capsys, tmp_path, tiny):
    data = "zing good\n".encode() + b"caf\xe9 blorp\n" + "这部电影 zing 😀\n".encode()
    code, rows, err = predict_file(capsys, write(tmp_path / "mixed.txt", data))
    assert code == 0 and [row["text"] for row in rows] == ["zing good", "caf\ufffd blorp", "这部电影 zing 😀"]
    assert rows[1] == {
        "text": "caf\ufffd blorp", "label": None,
        "error": "line 2 is not valid UTF-8 (byte 0xe9 at position 4): not classified; save the file as UTF-8",
    }
    assert [rows[0]["label"], rows[2]["label"]] == tiny.predict(["zing good", "这部电影 zing 😀"]).tolist()
    assert err == "note: 1 of 3 lines were not classified (1 not valid UTF-8: line 2); see the 'error' field\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_files_are_read_whole(home, capsys, tmp_path, encoding):
    lines = ["zing 好", "blorp 😀", "plain words"]
    code, rows, err = predict_file(capsys, write(tmp_path / "u16.txt", "\r\n".join(lines).encode(encoding)))
    assert code == 0 and err == "" and [row["text"] for row in rows] == lines and all(row["label"] for row in rows)


def test_bom_and_crlf_are_not_part_of_the_texts(home, capsys, tmp_path):
    code, rows, _ = predict_file(capsys, write(tmp_path / "bom.txt", b"\xef\xbb\xbfzing one\r\nblorp two\r\n"))
    assert code == 0 and [row["text"] for row in rows] == ["zing one", "blorp two"]


def test_an_empty_input_file_is_refused(home, capsys, tmp_path):
    path = write(tmp_path / "empty.txt", b"")
    assert cli(capsys, "predict", "--model", "tiny", "--input", path) == (
        2, "", f"error: {str(path)!r} is empty: put one text per line (or pass a CSV with --text-col).\n")


def test_missing_input_and_directory_input(home, capsys, tmp_path):
    missing = tmp_path / "nope.txt"
    assert cli(capsys, "predict", "--model", "tiny", "--input", missing) == (
        2, "", f"error: Input file not found: {str(missing)!r}. Check the path and try again.\n")
    assert cli(capsys, "predict", "--model", "tiny", "--input", tmp_path) == (
        2, "", f"error: {str(tmp_path)!r} is a directory, not a file: pass the path of a text or CSV file.\n")


def test_output_that_is_a_directory_is_refused_and_nothing_is_written(home, capsys, tmp_path):
    texts = write(tmp_path / "texts.txt", b"zing\n")
    before = snapshot(tmp_path)
    assert cli(capsys, "predict", "--model", "tiny", "--input", texts, "--output", tmp_path) == (
        2, "", f"error: --output {str(tmp_path)!r} is a directory: pass a file name such as results.csv.\n")
    assert snapshot(tmp_path) == before


def test_output_file_is_replaced_whole(home, capsys, tmp_path):
    texts = write(tmp_path / "texts.txt", b"zing\nblorp\n")
    output = write(tmp_path / "out.jsonl", b"old content that must go\n")
    code, out, _ = cli(capsys, "predict", "--model", "tiny", "--input", texts, "--output", output, "--json")
    assert code == 0 and out == ""
    assert [json.loads(line)["text"] for line in output.read_text(encoding="utf-8").splitlines()] == ["zing", "blorp"]
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith(".")]  # no temporary left behind


# ----------------------------------------------------------------------------- CSV tables
def csv_table(capsys, data: bytes, tmp_path, *argv, name="table.csv"):
    path = write(tmp_path / name, data)
    return cli(capsys, "predict", "--model", "tiny", "--input", path, "--text-col", "text", "--json", *argv)


@pytest.mark.parametrize(
    "data",
    [
        "text,label\nzing café,positive\n".encode("utf-16"),
        b"\xef\xbb\xbftext,label\r\nzing caf\xc3\xa9,positive\r\n",
        b"text;label\nzing caf\xc3\xa9;positive\n",
        b"text,label\nzing caf\xe9,positive\n",
    ],
    ids=["utf-16", "bom-crlf", "semicolon", "latin-1"],
)
def test_csv_files_in_other_encodings_and_delimiters_read_correctly(home, capsys, tmp_path, data):
    code, out, _ = csv_table(capsys, data, tmp_path)
    assert code == 0 and json.loads(out)["text"] == "zing café"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "table.csv is empty. Choose a CSV or TSV file with a header row and data rows."),
        (b"text,label\n", "table.csv has a header but no data rows."),
        (b"body,label\nzing,positive\n", "No column named 'text' for the texts. Columns in the file: 'body', 'label'."),
        (b"text,text,label\nzing,zap,positive\n", "table.csv has more than one column named 'text': rename them so each column has its own name, then import again."),
        (b"\x00\x01\x02\x03binary\x00", "table.csv does not look like a text table (it contains binary data). Export it as CSV or TSV (for a spreadsheet: File \u2192 Save as \u2192 CSV UTF-8)."),
    ],
    ids=["empty", "header-only", "missing-column", "duplicate-columns", "binary"],
)
def test_unusable_csv_files_get_the_exact_reason(home, capsys, tmp_path, data, message):
    assert csv_table(capsys, data, tmp_path) == (2, "", f"error: {message}\n")


# ----------------------------------------------------------------------------- training data
def train(capsys, tmp_path, data: bytes, *argv):
    path = write(tmp_path / "train.csv", data)
    return cli(capsys, "train", "--csv", path, "--epochs", "1", "--name", "new-run", *argv)


@pytest.mark.parametrize(
    "data, argv, message",
    [
        (b"text,label\n" + b"".join(f"words {i},same\n".encode() for i in range(20)), ["--label-col", "label"],
         "Column 'label' has only 'same' after dropping 0 empty texts and 0 missing labels; a classifier needs at "
         "least 2 classes. Pick another label column or add examples of another class."),
        (b"text,label\n" + b"".join(f"{i},{i % 2}\n".encode() for i in range(20)), ["--text-col", "text", "--label-col", "label"],
         "Column 'text' holds only numbers (e.g. '0', '1', '2'): there are no words to classify. Pick the column with "
         "the texts (columns: 'text', 'label')."),
        (b"text,label\nzing,positive\nblorp,negative\n", ["--label-col", "stars"],
         "No column named 'stars' for the labels. Columns in the file: 'text', 'label'."),
        (b"text,label\nzing,positive\n", ["--batch-size", "0"],
         "The 'batch_size' parameter of RNNTextClassifier must be an int >= 1. Got 0 instead."),
        (b"text,label\nzing,positive\n", ["--lr", "-0.1"],
         "The 'learning_rate' parameter of RNNTextClassifier must be a float in the range (0, inf). Got -0.1 instead."),
        (b"text,label\nzing,positive\n", ["--dropout", "1.5"],
         "The 'dropout' parameter of RNNTextClassifier must be a float in the range [0, 1). Got 1.5 instead."),
    ],
    ids=["one-class", "numeric-text-column", "missing-label-column", "batch-size-0", "negative-lr", "dropout-1.5"],
)
def test_training_data_and_parameters_are_checked_before_training(home, capsys, tmp_path, data, argv, message):
    before = snapshot(home)
    code, out, err = train(capsys, tmp_path, data, *argv)
    assert (code, out, err) == (2, "", f"error: {message}\n")
    assert snapshot(home) == before


@pytest.mark.parametrize(
    "name, message",
    [
        ("../up", "Invalid run name '../up': use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit (no '/' or '..')."),
        ("/etc/passwd", "Invalid run name '/etc/passwd': use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit (no '/' or '..')."),
        ("tiny", "A run named 'tiny' already exists: pick another --name or delete it (`rnnclf runs delete tiny`)."),
    ],
)
def test_path_like_or_taken_names_are_refused_and_the_old_run_is_intact(home, capsys, tmp_path, name, message):
    before = snapshot(home)
    data = b"text,label\n" + "".join(f"{text},{label}\n" for text, label in zip(TEXTS, LABELS)).encode()
    path = write(tmp_path / "train.csv", data)
    assert cli(capsys, "train", "--csv", path, "--epochs", "1", "--name", name) == (2, "", f"error: {message}\n")
    assert snapshot(home) == before


@pytest.fixture()
def read_only_directory(tmp_path):
    """A directory no one can write to: chmod for ordinary users, a read-only tmpfs for root."""
    directory = tmp_path / "read-only"
    directory.mkdir()
    if os.geteuid() != 0:
        directory.chmod(0o555)
        yield directory
        directory.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro", "tmpfs", str(directory)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"running as root and cannot mount a read-only tmpfs: {mounted.stderr.decode().strip()}")
    yield directory
    subprocess.run(["umount", str(directory)], check=True)


def test_a_read_only_home_fails_in_milliseconds_without_importing_tensorflow(read_only_directory, tmp_path):
    data = b"text,label\n" + "".join(f"{text},{label}\n" for text, label in zip(TEXTS, LABELS)).encode()
    path = write(tmp_path / "train.csv", data)
    script = textwrap.dedent(f"""
        import sys
        from rnnclf.cli import main
        code = main(["train", "--csv", {str(path)!r}, "--epochs", "1", "--name", "ro"])
        print(code, "tensorflow" in sys.modules)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "RNNCLF_HOME": str(read_only_directory)})
    assert result.stdout.split() == ["2", "False"], result.stderr
    assert result.stderr.endswith(
        f"error: Cannot create '{read_only_directory}/runs' (Read-only file system): rnnclf keeps runs, caches and "
        "datasets there. Set RNNCLF_HOME to a writable directory.\n"
    ) or "Permission denied" in result.stderr
    assert list(read_only_directory.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--csv", "/nonexistent/missing.csv"],
        ["predict", "--model", "no-such-run", "--text", "hello"],
        ["predict", "--input", "/nonexistent/texts.txt"],
        ["explain", "--model", "no-such-run", "--text", "hello"],
        ["evaluate", "--csv", "/nonexistent/labelled.csv"],
    ],
    ids=["train-missing-csv", "predict-missing-run", "predict-missing-input", "explain-missing-run", "evaluate-missing-csv"],
)
def test_cheap_failures_do_not_import_tensorflow(argv, tmp_path):
    script = f"import sys\nfrom rnnclf.cli import main\ncode = main({argv!r})\nprint(code, 'tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "RNNCLF_HOME": str(tmp_path)})
    assert result.stdout.split() == ["2", "False"] and result.stderr.startswith("error: "), result.stderr


# ----------------------------------------------------------------------------- damaged runs
def damage(home: Path, file: str, content: bytes | None):
    path = home / "runs" / "tiny" / file
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "file, content, message",
    [
        ("meta.json", b"{ not json", "meta.json is corrupt"),
        ("meta.json", json.dumps({"hello": "world"}).encode(), "is not an rnnclf run (meta.json lacks format='rnnclf-run')."),
        ("encoder.json", b"{}", "encoder.json holds no vocabulary (an empty or unfitted encoder), so texts cannot be encoded."),
        ("encoder.json", b"[1, 2", "encoder.json cannot be read (JSONDecodeError"),
        ("encoder.json", b'{"vocabulary": ["a", "b"], "fitted_max_length": 3}', "encoder.json cannot be read (InputError"),
        ("model.keras", b"PK\x03\x04 truncated", "model.keras is damaged: it is not a .keras (zip) archive, perhaps truncated by an interrupted copy."),
        ("model.keras", None, "has no model.keras"),
    ],
    ids=["meta-not-json", "meta-foreign", "encoder-empty", "encoder-not-json", "encoder-bad-vocabulary", "model-truncated", "model-missing"],
)
def test_damaged_run_files_name_the_file_and_the_fix(home, capsys, file, content, message):
    damage(home, file, content)
    code, out, err = cli(capsys, "predict", "--model", "tiny", "--text", "zing")
    assert code == 2 and out == "" and err.startswith("error: ") and message in err
    assert "Traceback" not in err and ("rnnclf runs delete tiny" in err or "not an rnnclf run" in err)


def test_meta_without_classes_and_a_foreign_model_are_caught(home, capsys):
    meta_path = home / "runs" / "tiny" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({key: value for key, value in meta.items() if key != "classes"}), encoding="utf-8")
    code, _, err = cli(capsys, "predict", "--model", "tiny", "--text", "zing")
    assert code == 2 and "meta.json has no usable 'classes' list (found None)" in err

    meta_path.write_text(json.dumps({**meta, "classes": ["a", "b", "c"]}), encoding="utf-8")
    code, _, err = cli(capsys, "predict", "--model", "tiny", "--text", "zing")
    assert code == 2 and "is inconsistent: the model has 2 outputs but meta.json lists 3 classes" in err


def test_a_run_from_a_newer_rnnclf_says_to_upgrade(home, capsys):
    meta_path = home / "runs" / "tiny" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "format_version": 99}), encoding="utf-8")
    code, _, err = cli(capsys, "predict", "--model", "tiny", "--text", "zing")
    assert code == 2 and err.endswith("was written by a newer rnnclf (format 99): upgrade rnnclf to load it.\n")


@pytest.mark.parametrize("model", ["../etc", "a/../../b", "no such run"])
def test_path_like_model_names_never_reach_outside_the_store(home, capsys, model):
    code, out, err = cli(capsys, "predict", "--model", model, "--text", "zing")
    assert code == 2 and out == ""
    assert err.startswith("error: No run at") or err.startswith("error: Invalid run name")


# ----------------------------------------------------------------------------- library
def test_library_predict_refuses_empty_texts_and_bare_strings(tiny):
    with pytest.raises(InputError) as raised:
        tiny.predict_proba(["zing", "  "])
    assert str(raised.value) == "1 text(s) are empty or whitespace only (positions 1): there is nothing to classify."
    with pytest.raises(InputError, match=r"wrap it as \[text\]"):
        tiny.predict("zing")


def test_library_explain_refuses_an_empty_text(tiny):
    from rnnclf.interpret.attribution import explain

    with pytest.raises(InputError, match="Cannot explain an empty text"):
        explain(tiny, "   ")


def test_saving_under_a_path_like_name_writes_nothing(tiny, tmp_path):
    from rnnclf.store import RunStore

    store = RunStore(tmp_path / "runs")
    with pytest.raises(InputError, match="Invalid run name '../evil'"):
        store.save(tiny, "../evil")
    assert not (tmp_path / "evil").exists() and list(tmp_path.rglob("*.json")) == []


def test_two_writers_on_one_name_keep_one_whole_run(tiny, tmp_path, monkeypatch):
    """The second writer finishes while the first is still writing: the first is refused, the second kept."""
    from rnnclf import store as store_module
    from rnnclf.store import RunStore, read_meta

    store = RunStore(tmp_path / "runs")
    real_copy = store_module._inference_copy
    calls = []

    def copy_while_another_writer_finishes(model):
        calls.append(1)
        if len(calls) == 1:
            store.save(tiny, "shared", metrics={"writer": "second"})  # the other writer, start to finish
        return real_copy(model)

    monkeypatch.setattr(store_module, "_inference_copy", copy_while_another_writer_finishes)
    with pytest.raises(RunError, match="Another process saved a run at .*shared at the same moment; it was kept"):
        store.save(tiny, "shared", metrics={"writer": "first"})
    assert read_meta(store.path("shared"))["metrics"] == {"writer": "second"}
    assert [path.name for path in store.root.iterdir()] == ["shared"]  # no temporary left behind


def test_kill_minus_9_in_the_middle_of_a_save_leaves_the_old_run_intact(saved_home, tmp_path):
    """A separate process is killed while its save is half done: the existing run is untouched and loads."""
    home = tmp_path / "home"
    shutil.copytree(saved_home, home)
    marker = tmp_path / "half-written"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from rnnclf import store
        from rnnclf.classifier import load_run
        classifier = load_run({str(home / 'runs' / 'tiny')!r})
        def stall(temporary, directory, overwrite):
            Path({str(marker)!r}).write_text(str(temporary))
            time.sleep(600)
        store._move_into_place = stall
        store.RunStore({str(home / 'runs')!r}).save(classifier, "tiny", overwrite=True, metrics={{"accuracy": 0.0}})
    """)
    before = snapshot(home / "runs" / "tiny")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "RNNCLF_HOME": str(home)})
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert marker.exists(), "the save never reached its last step"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert snapshot(home / "runs" / "tiny") == before
    from rnnclf.classifier import load_run
    from rnnclf.store import RunStore

    assert load_run(home / "runs" / "tiny").run_meta_["metrics"] == {"accuracy": 0.5}
    assert [run["name"] for run in RunStore(home / "runs").list()] == ["tiny"]
    half = Path(marker.read_text())
    assert half.name.startswith(".tmp-tiny-") and zipfile.is_zipfile(half / "model.keras")  # the leftover is hidden


def test_reading_a_table_that_does_not_exist_or_is_a_directory(tmp_path):
    from rnnclf.data.csv_import import read_table

    with pytest.raises(DatasetError, match="File not found"):
        read_table(tmp_path / "missing.csv")
    with pytest.raises(DatasetError, match="is a directory, not a file"):
        read_table(tmp_path)


def test_evaluate_with_labels_the_model_does_not_know(home, capsys, tmp_path):
    path = write(tmp_path / "labelled.csv", b"text,label\nthe zing film was fun,great\nblorp again and again,awful\n")
    code, out, err = cli(capsys, "evaluate", "--model", "tiny", "--csv", path)
    assert (code, out) == (2, "") and err == (
        "error: The CSV has labels the model does not know: ['awful', 'great']; the model's classes are ['negative', 'positive'].\n"
    )


def test_nothing_was_classified_twice_or_lost_in_a_large_batch(home, capsys, tmp_path, tiny):
    texts = [f"zing {i} blorp" if i % 3 else "" for i in range(600)]
    code, rows, err = predict_file(capsys, write(tmp_path / "many.txt", "\n".join(texts).encode() + b"\n"))
    assert code == 0 and [row["text"] for row in rows] == texts
    usable = [text for text in texts if text]
    expected = tiny.predict(usable).tolist()
    assert [row["label"] for row in rows if row["text"]] == expected
    assert err == "note: 200 of 600 lines were not classified (200 empty); see the 'error' field\n"
    assert np.isclose(sum(1 for row in rows if row.get("error") == "empty text"), 200)
