"""Long work (training, comparisons, dataset fetches) as background jobs.

A job is a directory under ``jobs_dir()``::

    job.json        what was asked: kind, CLI arguments, creation time, pid
    progress.jsonl  progress events appended by the worker (JSON lines)
    log.txt         the worker's stdout and stderr
    result.json     how it ended: succeeded / failed / stopped, exit code, error, output

The worker is ``python -m rnnclf.cli.jobs JOB_DIR``: it runs the CLI command in a
new process group with ``--progress-file`` pointing at ``progress.jsonl``, so
the Streamlit page only polls files. Stopping sends SIGTERM to the group; the
worker records ``stopped``. Because runs are written atomically, a stopped or
crashed job never leaves half a run. A worker killed so hard that it cannot
record an ending shows up as ``crashed``.

>>> job_status_label("succeeded")
'finished'
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from rnnclf.common import read_json, write_json_atomic
from rnnclf.data.paths import jobs_dir
from rnnclf.errors import InputError

__all__ = ["Job", "start_job", "list_jobs", "load_job", "job_status_label", "TERMINAL_STATES"]

TERMINAL_STATES = ("succeeded", "failed", "stopped", "crashed")
_LABELS = {"running": "running", "succeeded": "finished", "failed": "failed", "stopped": "stopped", "crashed": "crashed"}


def job_status_label(status: str) -> str:
    """Word shown to people for a job state."""
    return _LABELS.get(status, status)


def _process_alive(pid: int) -> bool:
    try:
        # Reap our own finished child so it does not linger as a zombie.
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished == pid:
            return False
    except ChildProcessError:
        pass  # not our child (e.g. started by an earlier app process)
    except OSError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@dataclass
class Job:
    """A handle on one job directory; every property re-reads the files."""

    directory: Path

    @property
    def id(self) -> str:
        return self.directory.name

    @property
    def spec(self) -> dict:
        return read_json(self.directory / "job.json") or {}

    @property
    def kind(self) -> str:
        return self.spec.get("kind", "?")

    @property
    def result(self) -> dict | None:
        return read_json(self.directory / "result.json")

    @property
    def status(self) -> str:
        result = self.result
        if result:
            return result.get("status", "failed")
        pid = self.spec.get("pid")
        if pid and _process_alive(int(pid)):
            return "running"
        # Give a just-started worker a moment to record its pid / result.
        if time.time() - float(self.spec.get("created", 0)) < 5:
            return "running"
        return "crashed"

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATES

    def events(self) -> list[dict]:
        """All progress events so far (a torn last line is skipped)."""
        path = self.directory / "progress.jsonl"
        if not path.exists():
            return []
        events = []
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    events.append(json.loads(line))
                except ValueError:
                    continue
        return events

    def latest(self) -> dict:
        events = self.events()
        return events[-1] if events else {}

    def log_tail(self, characters: int = 4000) -> str:
        path = self.directory / "log.txt"
        if not path.exists():
            return ""
        data = path.read_bytes()[-characters:]
        return data.decode("utf-8", errors="replace")

    def error_message(self) -> str | None:
        """Why the job did not succeed, in words (None while running or after success)."""
        status = self.status
        if status == "stopped":
            return "Stopped on request; nothing was saved."
        if status == "crashed":
            tail = self.log_tail(600).strip()
            return "The worker process ended without reporting (killed or out of memory)." + (f" Last output: {tail}" if tail else "")
        if status == "failed":
            result = self.result or {}
            return result.get("error") or "The job failed; see its log."
        return None

    def stop(self) -> None:
        """Ask the worker to stop (SIGTERM to its process group)."""
        pid = self.spec.get("pid")
        if not pid or self.finished:
            return
        try:
            os.killpg(int(pid), signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass


def start_job(kind: str, arguments: list[str], label: str | None = None, root: Path | None = None) -> Job:
    """Start ``rnnclf <arguments>`` as a background job and return its handle.

    Args:
        kind: what the job is for (``"train"``, ``"compare"``, ``"fetch"``), used to find it again.
        arguments: CLI arguments after ``rnnclf``; ``--progress-file`` is added.
        label: a short description shown in the app.
        root: jobs directory. Default: ``jobs_dir()``.
    """
    root = Path(root) if root is not None else jobs_dir()
    job_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{kind}-{uuid.uuid4().hex[:6]}"
    directory = root / job_id
    directory.mkdir(parents=True)
    spec = {"id": job_id, "kind": kind, "arguments": list(arguments), "label": label or " ".join(arguments[:3]), "created": time.time()}
    write_json_atomic(directory / "job.json", spec)
    with open(directory / "log.txt", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rnnclf.cli.jobs", str(directory)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # own process group: Stop kills the whole tree, reruns don't
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    spec["pid"] = process.pid
    write_json_atomic(directory / "job.json", spec)
    return Job(directory)


def load_job(job_id: str, root: Path | None = None) -> Job:
    root = Path(root) if root is not None else jobs_dir()
    directory = root / job_id
    if not (directory / "job.json").exists():
        raise InputError(f"No job {job_id!r}: it may have been cleaned up.")
    return Job(directory)


def list_jobs(kind: str | None = None, root: Path | None = None) -> list[Job]:
    """Jobs, newest first, optionally only of one kind."""
    root = Path(root) if root is not None else jobs_dir()
    if not root.is_dir():
        return []
    jobs = [Job(path) for path in sorted(root.iterdir(), reverse=True) if (path / "job.json").exists()]
    return [job for job in jobs if kind is None or job.kind == kind]


class _Stopped(Exception):
    pass


def _on_terminate(signum, frame):
    raise _Stopped()


def _run_worker(directory: Path) -> int:
    """Body of ``python -m rnnclf.cli.jobs JOB_DIR``: run the CLI, record how it ended."""
    import contextlib
    import io

    from rnnclf.cli import main

    spec = read_json(directory / "job.json") or {}
    arguments = list(spec.get("arguments", [])) + ["--progress-file", str(directory / "progress.jsonl")]
    signal.signal(signal.SIGTERM, _on_terminate)
    output = io.StringIO()
    result: dict = {"started": time.time()}
    try:
        with contextlib.redirect_stdout(output):
            code = main(arguments)
        result.update(status="succeeded" if code == 0 else "failed", exit_code=code)
        if code != 0:
            result["error"] = _last_error_line(directory)
    except _Stopped:
        result.update(status="stopped", exit_code=143)
    except BaseException as error:  # record any crash in words, then exit non-zero
        result.update(status="failed", exit_code=1, error=f"{type(error).__name__}: {error}")
    result["finished"] = time.time()
    text = output.getvalue()
    try:
        result["output"] = json.loads(text) if text.strip() else None
    except ValueError:
        result["output"] = text[-4000:]
    sys.stdout.write(text)
    write_json_atomic(directory / "result.json", result)
    return int(result["exit_code"])


def _last_error_line(directory: Path) -> str:
    lines = [line for line in (directory / "log.txt").read_text(encoding="utf-8", errors="replace").splitlines() if line.startswith("error:")]
    return lines[-1][len("error:"):].strip() if lines else "the command failed; see the job log"


if __name__ == "__main__":
    sys.exit(_run_worker(Path(sys.argv[1])))
