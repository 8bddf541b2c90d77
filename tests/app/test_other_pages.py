"""Train, Compare, Datasets and Models pages through AppTest; jobs run as real subprocesses."""

import time
from pathlib import Path

import pytest

from tests.app.conftest import make_app, texts_of
from tests.conftest import marker_texts

EXAMPLE_CSV = (Path(__file__).resolve().parents[2] / "data" / "examples" / "reviews.csv").read_bytes()


def marker_csv(count=160) -> bytes:
    texts, labels = marker_texts(count, seed=3)
    return ("text,label\n" + "\n".join(f"{text},{label}" for text, label in zip(texts, labels))).encode()


def wait_for_job(kind: str, timeout: float = 240, job_id: str | None = None):
    from rnnclf.cli.jobs import list_jobs, load_job

    deadline = time.time() + timeout
    job = load_job(job_id) if job_id else list_jobs(kind)[0]
    while not job.finished and time.time() < deadline:
        time.sleep(0.5)
    return job


def test_train_page_runs_a_tiny_job_and_offers_the_model(tiny_run):
    app = make_app("pages/train.py")
    app.radio(key="train-source").set_value("Upload a CSV").run()
    app.file_uploader(key="train-upload").set_value(("reviews.csv", EXAMPLE_CSV, "text/csv")).run()
    assert "2 classes" in texts_of(app.caption)
    app.selectbox(key="train-preset").select("quick").run()
    app.number_input(key="train-epochs").set_value(2).run()
    app.number_input(key="train-units").set_value(8).run()
    app.text_input(key="train-name").input("from-the-page").run()
    app.button(key="train-start").click().run()
    assert not app.exception
    job = wait_for_job("train")
    assert job.status == "succeeded", job.log_tail()
    app.run()
    assert "Test results of **from-the-page**" in texts_of(app.markdown)
    assert [m.label for m in app.metric][:2] == ["Accuracy", "Macro-F1"]
    assert len(app.get("plotly_chart")) >= 1  # confusion matrix
    app.button(key="train-use").click().run()
    assert app.session_state["active_model"] == "from-the-page"


def test_train_page_explains_bad_input(tiny_run):
    app = make_app("pages/train.py")
    app.radio(key="train-source").set_value("Upload a CSV").run()
    app.file_uploader(key="train-upload").set_value(("one.csv", b"text\nhello\nworld\n", "text/csv")).run()
    assert "label" in texts_of(app.warning).lower()
    assert app.button(key="train-start").disabled
    app.file_uploader(key="train-upload").set_value(("one-class.csv", b"text,label\na,x\nb,x\nc,x\n", "text/csv")).run()
    assert "class" in texts_of(app.warning).lower()
    app.file_uploader(key="train-upload").set_value(("reviews.csv", EXAMPLE_CSV, "text/csv")).run()
    app.text_input(key="train-name").input("../escape").run()
    assert "Invalid run name" in texts_of(app.error) and app.button(key="train-start").disabled


def test_compare_page_runs_a_tiny_comparison_and_shows_results():
    app = make_app("pages/compare.py")
    app.radio(key="compare-source").set_value("Upload a CSV").run()
    app.file_uploader(key="compare-upload").set_value(("markers.csv", marker_csv(), "text/csv")).run()
    app.multiselect(key="compare-cells").set_value(["rnn", "gru"]).run()
    app.number_input(key="compare-seeds").set_value(1).run()
    app.number_input(key="compare-epochs").set_value(1).run()
    app.number_input(key="compare-units").set_value(8).run()
    app.button(key="compare-start").click().run()
    job = wait_for_job("compare")
    assert job.status == "succeeded", job.log_tail()
    app.run()
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table.index) == ["SimpleRNN", "GRU", "TF-IDF + logistic regression (tuned)", "NB-SVM (tuned)"]
    assert table.loc["NB-SVM (tuned)", "chosen on validation"].startswith("C=")
    assert len(app.get("plotly_chart")) >= 3  # curves, length buckets, gradient flow


def test_datasets_page_inspects_an_uploaded_csv():
    from rnnclf.data.datasets import DATASETS, is_fetched

    app = make_app("pages/datasets.py")
    table = app.dataframe[0].value
    assert table["Dataset"].tolist() == list(DATASETS)
    assert [rows != "not fetched yet" for rows in table["Rows"]] == [is_fetched(name) for name in DATASETS]
    missing = [name for name in DATASETS if not is_fetched(name)]
    if missing:
        assert f"Not fetched yet: {', '.join(missing)}." in texts_of(app.caption)
    else:
        assert "Not fetched yet" not in texts_of(app.caption)
    app.file_uploader(key="datasets-upload").set_value(("reviews.csv", EXAMPLE_CSV, "text/csv")).run()
    assert not app.exception
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Rows"] == "40" and metrics["Unique texts"] == "40"
    app.file_uploader(key="datasets-upload").set_value(("bad.csv", b"\x00\x01\x02binary", "text/csv")).run()
    assert app.error


@pytest.mark.network
def test_datasets_page_shows_statistics_of_a_fetched_corpus():
    from rnnclf.data.datasets import fetch

    fetch("sms-spam")
    app = make_app("pages/datasets.py")
    app.selectbox(key="datasets-inspect").select("sms-spam").run()
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Rows"] == "5,574"
    assert len(app.get("plotly_chart")) == 2  # class balance + length histogram


def test_models_page_lists_activates_and_deletes(tiny_run):
    from rnnclf.classifier import load_run
    from rnnclf.store import RunStore

    store = RunStore()
    store.save(load_run(tiny_run), "doomed-run")
    app = make_app("pages/models.py")
    table = app.dataframe[0].value
    names = table["Model"].tolist()
    assert names[0] == "default sentiment model (English)" and table["Kind"].tolist()[0] == "bundled (read-only)"
    assert tiny_run in names and "doomed-run" in names
    assert all(value != value or round(value, 3) == value for value in table["Test accuracy"])  # rounded, NaN allowed
    assert "None" not in table.astype(str).to_numpy()
    # The bundled model can be used and downloaded, never deleted.
    assert app.selectbox(key="models-selected").value == "default"
    assert "cannot be deleted" in texts_of(app.caption) and not [b for b in app.button if b.key == "models-delete"]
    app.selectbox(key="models-selected").select("doomed-run").run()
    app.button(key="models-activate").click().run()
    assert app.session_state["active_model"] == "doomed-run"
    assert "Classify now uses" in texts_of(app.success)
    assert app.get("download_button")
    assert app.button(key="models-delete").disabled  # not before confirming
    app.checkbox(key="models-confirm-delete").check().run()
    app.button(key="models-delete").click().run()
    assert not store.exists("doomed-run")
    assert app.session_state["active_model"] == "default"
    assert "Deleted run" in texts_of(app.success)


def _finished_job(kind: str, status: str, log: str, error: str | None = None) -> str:
    """A job directory as the worker leaves it when it ends (no process needed)."""
    import json
    import time as clock
    import uuid

    from rnnclf.data.paths import jobs_dir

    job_id = f"{clock.strftime('%Y%m%d-%H%M%S')}-{kind}-{uuid.uuid4().hex[:6]}"
    directory = jobs_dir() / job_id
    directory.mkdir(parents=True)
    (directory / "job.json").write_text(json.dumps({"id": job_id, "kind": kind, "arguments": [], "label": "Training GRU",
                                                    "created": clock.time()}))
    (directory / "log.txt").write_text(log)
    (directory / "result.json").write_text(json.dumps({"status": status, "exit_code": 1, "error": error}))
    return job_id


def test_a_stopped_job_is_neutral_and_a_failed_one_shows_its_last_log_lines(tiny_run):
    app = make_app("pages/train.py")
    app.session_state["train_job"] = stopped = _finished_job("train", "stopped", "epoch 1/8 loss 0.61\n")
    app.run()
    assert not app.exception and not app.error
    assert texts_of(app.info).startswith("Training GRU: stopped by you; nothing was saved.")
    app.session_state["train_job"] = failed = _finished_job("train", "failed", "loading\nTraceback ...\nMemoryError\n", "out of memory")
    app.run()
    assert texts_of(app.error) == "Training GRU: failed. out of memory"
    assert "MemoryError" in texts_of(app.code)
    import shutil

    from rnnclf.data.paths import jobs_dir

    for job_id in (stopped, failed):  # leave no fake jobs for tests that look for "the latest train job"
        shutil.rmtree(jobs_dir() / job_id)


def test_a_preset_fills_the_form_and_the_run_trains_exactly_that(tiny_run):
    """Choosing a preset used to leave the form as it was; now the form shows it and the run records it."""
    import json

    from rnnclf.experiments.presets import PRESETS
    from rnnclf.store import RunStore

    app = make_app("pages/train.py")
    assert app.selectbox(key="train-preset").value == "balanced"
    assert (app.selectbox(key="train-cell").value, app.number_input(key="train-units").value) == ("lstm", 64)
    assert app.slider(key="train-dropout").value == PRESETS["balanced"]["params"]["dropout"]
    app.selectbox(key="train-preset").select("quick").run()
    quick = PRESETS["quick"]["params"]
    assert app.selectbox(key="train-cell").value == quick["cell_type"] == "gru"
    assert app.number_input(key="train-units").value == quick["units"] == 32
    assert app.number_input(key="train-epochs").value == quick["epochs"] == 3
    assert app.number_input(key="train-embedding").value == quick["embedding_dim"] == 32
    assert app.slider(key="train-dropout").value == 0.0  # balanced's 0.2 does not leak into quick
    assert "holds the **quick** preset" in texts_of(app.caption)
    app.radio(key="train-source").set_value("Upload a CSV").run()
    app.file_uploader(key="train-upload").set_value(("reviews.csv", EXAMPLE_CSV, "text/csv")).run()
    app.number_input(key="train-epochs").set_value(1).run()  # a field changed after the preset wins
    app.text_input(key="train-name").input("preset-quick").run()
    app.button(key="train-start").click().run()
    job = wait_for_job("train", job_id=app.session_state["train_job"])
    assert job.status == "succeeded", job.log_tail()
    meta = json.loads((RunStore().path("preset-quick") / "meta.json").read_text(encoding="utf-8"))
    trained = meta["params"]
    assert (trained["cell_type"], trained["units"], trained["embedding_dim"], trained["epochs"]) == ("gru", 32, 32, 1)
    assert trained["dropout"] == 0.0 and trained["batch_size"] == quick["batch_size"]


def test_forms_survive_a_trip_to_another_page(tiny_run):
    app = make_app("pages/train.py", active=tiny_run)
    app.selectbox(key="train-preset").select("quick").run()
    app.number_input(key="train-units").set_value(48).run()
    app.switch_page("pages/classify.py").run()
    app.text_area(key="classify_text").input("the zing movie").run()
    app.switch_page("pages/datasets.py").run()
    app.switch_page("pages/train.py").run()
    assert not app.exception
    assert app.selectbox(key="train-preset").value == "quick" and app.number_input(key="train-units").value == 48
    assert app.selectbox(key="train-cell").value == "gru"  # still the preset's, not the page default
    app.switch_page("pages/classify.py").run()
    assert app.text_area(key="classify_text").value == "the zing movie" and app.metric[0].value == "positive"


def test_a_running_job_shows_time_elapsed_and_an_estimate_of_the_time_left(tiny_run):
    import json
    import os
    import re
    import shutil
    import time as clock

    from rnnclf.data.paths import jobs_dir

    job_id = _finished_job("train", "running", "epoch 3/8\n")
    directory = jobs_dir() / job_id
    (directory / "result.json").unlink()  # still running: no result, and a live pid (this test process)
    now = clock.time()
    spec = json.loads((directory / "job.json").read_text())
    (directory / "job.json").write_text(json.dumps({**spec, "pid": os.getpid(), "created": now - 100}))
    events = [{"time": now - 90, "stage": "batch", "epoch": 1, "epochs": 8, "fraction": 0.1},
              {"time": now - 10, "stage": "batch", "epoch": 4, "epochs": 8, "fraction": 0.5}]
    (directory / "progress.jsonl").write_text("".join(json.dumps(event) + "\n" for event in events))
    try:
        app = make_app("pages/train.py")
        app.session_state["train_job"] = job_id
        app.run()
        # 0.4 of the work in 80 s → the remaining 0.5 in about 100 s.
        assert re.search(r"1 min 4\d s elapsed · about 1 min 40 s left at most \(early stopping can end it sooner\)",
                         texts_of(app.caption)), texts_of(app.caption)
    finally:
        shutil.rmtree(directory)


def test_training_can_start_from_a_saved_model_whose_architecture_the_form_then_shows(tiny_run):
    import json

    from rnnclf.classifier import transfer_settings
    from rnnclf.store import RunStore

    app = make_app("pages/train.py")
    app.selectbox(key="train-init-from").select(tiny_run).run()
    settings = transfer_settings(tiny_run)
    assert app.selectbox(key="train-cell").value == settings["cell_type"] and app.selectbox(key="train-cell").disabled
    assert app.number_input(key="train-units").value == settings["units"] and app.number_input(key="train-units").disabled
    assert app.number_input(key="train-embedding").value == settings["embedding_dim"]
    app.selectbox(key="train-preset").select("quick").run()  # a preset cannot undo the starting model's architecture
    assert app.number_input(key="train-units").value == settings["units"]
    app.radio(key="train-source").set_value("Upload a CSV").run()
    app.file_uploader(key="train-upload").set_value(("reviews.csv", EXAMPLE_CSV, "text/csv")).run()
    app.number_input(key="train-epochs").set_value(1).run()
    app.text_input(key="train-name").input("from-tiny-page").run()
    app.button(key="train-start").click().run()
    job = wait_for_job("train", job_id=app.session_state["train_job"])
    assert job.status == "succeeded", job.log_tail()
    meta = json.loads((RunStore().path("from-tiny-page") / "meta.json").read_text(encoding="utf-8"))
    assert meta["params"]["init_from"] == tiny_run and meta["transfer"]["head"] == "copied (same classes)"
    assert meta["dataset"]["test_texts_seen_before"] == 0


def test_the_compare_form_survives_a_trip_to_another_page():
    app = make_app("pages/compare.py")
    app.multiselect(key="compare-cells").set_value(["rnn", "gru"]).run()
    app.number_input(key="compare-seeds").set_value(3).run()
    app.number_input(key="compare-units").set_value(48).run()
    app.switch_page("pages/models.py").run()
    app.switch_page("pages/compare.py").run()
    assert not app.exception
    assert app.multiselect(key="compare-cells").value == ["rnn", "gru"]
    assert (app.number_input(key="compare-seeds").value, app.number_input(key="compare-units").value) == (3, 48)
