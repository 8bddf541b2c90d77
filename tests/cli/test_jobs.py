"""Background jobs: a real subprocess trains, reports progress, and ends in a recorded state."""

import time
from pathlib import Path

import pytest

from rnnclf.cli.jobs import list_jobs, load_job, start_job
from rnnclf.store import RunStore

EXAMPLE_CSV = str(Path(__file__).resolve().parents[2] / "data" / "examples" / "reviews.csv")
TINY = ["--cell", "gru", "--units", "8", "--embedding-dim", "8", "--seed", "0"]


def wait(job, timeout=120):
    deadline = time.time() + timeout
    while not job.finished and time.time() < deadline:
        time.sleep(0.3)
    return job.status


def test_training_job_succeeds_and_reports_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))
    job = start_job("train", ["train", "--csv", EXAMPLE_CSV, *TINY, "--epochs", "2", "--name", "job-run", "--json"])
    assert wait(job) == "succeeded", job.log_tail()
    epochs = [event for event in job.events() if event.get("stage") == "epoch"]
    assert [event["epoch"] for event in epochs] == [1, 2]
    assert job.result["output"]["run"] == "job-run"
    assert RunStore().exists("job-run")
    assert [found.id for found in list_jobs("train")] == [job.id]
    assert load_job(job.id).status == "succeeded" and job.error_message() is None


def test_stopped_job_leaves_no_run(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))
    job = start_job("train", ["train", "--csv", EXAMPLE_CSV, *TINY, "--epochs", "500", "--patience", "1000", "--name", "never", "--json"])
    deadline = time.time() + 90
    while not any(event.get("stage") == "epoch" for event in job.events()) and time.time() < deadline:
        time.sleep(0.3)
    job.stop()
    assert wait(job) == "stopped"
    assert "nothing was saved" in job.error_message()
    runs = tmp_path / "runs"
    assert not (runs / "never").exists()
    assert not any(path.name.startswith(".tmp-") for path in runs.iterdir()) if runs.exists() else True


def test_failed_job_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))
    job = start_job("train", ["train", "--csv", str(tmp_path / "missing.csv"), "--json"])
    assert wait(job) == "failed"
    assert "not found" in job.error_message()


def test_unknown_job_id():
    with pytest.raises(ValueError, match="No job"):
        load_job("nope")
