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

__all__ = ["current_job", "launch_job", "job_monitor"]

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
        fraction = float(latest.get("overall_fraction", latest.get("fraction", 0.0)) or 0.0)
        st.progress(min(1.0, max(0.0, fraction)), text=f"{label}: {_progress_text(latest)}")
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
