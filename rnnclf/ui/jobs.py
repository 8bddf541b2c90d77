"""Streamlit widgets for background jobs: start, poll, show progress, stop.

The page never trains anything itself: it starts a job (a subprocess running
the CLI), remembers the job id in session state, and a fragment re-runs every
second to read the job's progress file. A browser reload loses session state,
so when no id is remembered the latest job of that kind is shown instead —
a running job survives page switches and reloads.
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from rnnclf.cli.jobs import Job, job_status_label, list_jobs, load_job, start_job

__all__ = ["current_job", "launch_job", "job_monitor", "time_estimate", "format_duration"]

POLL_SECONDS = 1.0


def current_job(kind: str, state_key: str) -> Job | None:
    """The job this session started, else the latest job of ``kind`` (or None)."""
    job_id = st.session_state.get(state_key)
    if job_id:
        try:
            return load_job(job_id)
        except ValueError:
            st.session_state[state_key] = None
    jobs = list_jobs(kind)
    return jobs[0] if jobs else None


def launch_job(kind: str, state_key: str, arguments: list[str], label: str) -> Job:
    job = start_job(kind, arguments, label=label)
    st.session_state[state_key] = job.id
    return job


def format_duration(seconds: float) -> str:
    """``"45 s"``, ``"3 min 05 s"``, ``"1 h 02 min"``.

    >>> format_duration(45.2), format_duration(185), format_duration(3725)
    ('45 s', '3 min 05 s', '1 h 02 min')
    """
    seconds = int(round(max(0.0, seconds)))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _fraction(event: dict) -> float:
    return float(event.get("overall_fraction", event.get("fraction", 0.0)) or 0.0)


def time_estimate(created: float, events: list[dict], now: float) -> tuple[float, float | None]:
    """``(seconds elapsed, seconds left or None)`` for a running job.

    The rate is measured from the first progress event that reports a fraction
    (start-up — importing TensorFlow, loading data — is not work towards it) to
    the latest one; no estimate until 2 % of the work is done over at least two
    seconds. With early stopping the real end may come sooner than the estimate.

    >>> events = [{"time": 110.0, "fraction": 0.1}, {"time": 130.0, "fraction": 0.3}]
    >>> time_estimate(100.0, events, now=131.0)
    (31.0, 70.0)
    >>> time_estimate(100.0, events[:1], now=111.0)
    (11.0, None)
    """
    elapsed = max(0.0, now - created)
    measured = [event for event in events if "time" in event and _fraction(event) > 0]
    if len(measured) < 2:
        return elapsed, None
    first, last = measured[0], measured[-1]
    done, seconds = _fraction(last) - _fraction(first), float(last["time"]) - float(first["time"])
    if done < 0.02 or seconds < 2.0:
        return elapsed, None
    return elapsed, max(0.0, (1.0 - _fraction(last)) * seconds / done)


def _timing_text(job: Job, events: list[dict]) -> str:
    import time

    elapsed, left = time_estimate(float(job.spec.get("created", time.time())), events, time.time())
    text = f"{format_duration(elapsed)} elapsed"
    if left is None:
        return text + " · estimating the time left…"
    if job.kind in ("train", "compare"):
        return text + f" · about {format_duration(left)} left at most (early stopping can end it sooner)"
    return text + f" · about {format_duration(left)} left"


def _progress_text(event: dict) -> str:
    if event.get("stage") in ("batch", "epoch"):
        logs = event.get("logs") or {}
        parts = [f"epoch {event.get('epoch')}/{event.get('epochs')}"]
        if "loss" in logs:
            parts.append(f"loss {logs['loss']:.3f}")
        if "val_accuracy" in logs:
            parts.append(f"val acc {logs['val_accuracy']:.3f}")
        if event.get("cell"):
            parts.insert(0, f"{str(event['cell']).upper()} seed {event.get('seed', 0)}")
        return " · ".join(parts)
    return str(event.get("message") or event.get("stage") or "starting…")


def _render(job: Job, live: Callable[[list[dict]], None] | None) -> None:
    status = job.status
    events = job.events()
    latest = events[-1] if events else {}
    label = job.spec.get("label", job.kind)
    if status == "running":
        st.progress(min(1.0, max(0.0, _fraction(latest))), text=f"{label}: {_progress_text(latest)}")
        st.caption(_timing_text(job, events))
        if st.button("Stop", key=f"stop-{job.id}", type="secondary", help="Stop the job; nothing is saved."):
            job.stop()
            st.toast("Stopping…")
    elif status == "succeeded":
        st.success(f"{label}: {job_status_label(status)}.")
    elif status == "stopped":
        # Stopping is something the person chose, not a failure: say so plainly, keep the log at hand.
        st.info(f"{label}: stopped by you; nothing was saved. The curves below show how far it got.")
        with st.expander("Job log"):
            st.code(job.log_tail() or "(the job wrote no log before it stopped)", language="text")
    else:
        st.error(f"{label}: {job_status_label(status)}. {job.error_message() or ''}")
        tail = job.log_tail(1500).strip()
        if tail:
            st.caption("Last lines of the job's log:")
            st.code("\n".join(tail.splitlines()[-12:]), language="text")
        with st.expander("Whole job log"):
            st.code(job.log_tail() or "(the job wrote no log)", language="text")
    if live is not None and events:
        live(events)


def job_monitor(job: Job, live: Callable[[list[dict]], None] | None = None) -> str:
    """Show a job's progress; while it runs, a fragment refreshes it every second.

    When the job ends, the whole page reruns once so that the caller can render
    the results below. Returns the status seen at this render.
    """
    status = job.status
    if status != "running":
        _render(job, live)
        return status

    @st.fragment(run_every=POLL_SECONDS)
    def poll():
        if job.status != "running":
            st.rerun(scope="app")
        _render(job, live)

    poll()
    return status
