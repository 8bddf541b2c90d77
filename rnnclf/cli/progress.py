"""Progress reporting shared by the CLI and background jobs (no Streamlit here).

>>> bar = format_bar(0.5, width=10)
>>> bar
'[#####.....]  50%'
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Callable

__all__ = ["format_bar", "TerminalProgress", "ProgressFile", "combine", "runs_terminal"]


def format_bar(fraction: float, width: int = 24) -> str:
    fraction = min(1.0, max(0.0, float(fraction)))
    filled = int(round(fraction * width))
    return f"[{'#' * filled}{'.' * (width - filled)}] {fraction * 100:3.0f}%"


def _describe(event: dict) -> str:
    logs = event.get("logs") or {}
    shown = "  ".join(f"{key} {value:.4f}" for key, value in logs.items() if isinstance(value, (int, float)))
    if "rows_per_second" in event and "epoch" in event:  # streaming training says how fast it reads
        shown = f"{event['rows_per_second']:,.0f} rows/s  {shown}"
    if "epoch" in event:
        return f"epoch {event['epoch']}/{event['epochs']}  {shown}"
    return event.get("message", "")


class TerminalProgress:
    """Draw progress on stderr: one updating line on a terminal, one line per epoch otherwise."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, event: dict) -> None:
        if event.get("stage") == "notice":  # a one-line note for the person, not a step of the work
            message = str(event.get("message", ""))
            self.stream.write(("\r" + message.ljust(150) if self.interactive else message) + "\n")
            self.stream.flush()
            return
        line = f"{format_bar(event.get('fraction', 0.0))} {_describe(event)}"
        if self.interactive:
            self.stream.write("\r" + line[:150].ljust(150))
            if (event.get("stage") in ("epoch", "done") and event.get("fraction", 0) >= 1) or (
                    event.get("stage") == "count" and event.get("done")):
                self.stream.write("\n")
        elif event.get("stage") in ("epoch", "download", "parse", "done", "run") or (event.get("stage") == "count" and event.get("done")):
            self.stream.write(line + "\n")
        self.stream.flush()


class ProgressFile:
    """Append progress events as JSON lines to a file that another process polls.

    Each line is flushed and fsync-free (a poller tolerates a torn last line).
    Events get a wall-clock ``time`` field.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def __call__(self, event: dict) -> None:
        record = {"time": time.time(), **event}
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=str) + "\n")
            handle.flush()


def combine(*callbacks: Callable[[dict], object] | None) -> Callable[[dict], object]:
    """Call several progress callbacks; stop (return False) if any asks to."""
    active = [callback for callback in callbacks if callback is not None]

    def report(event: dict):
        results = [callback(event) for callback in active]
        return False if any(result is False for result in results) else None

    return report



def runs_terminal(line_stage: str, stream=None) -> Callable[[dict], None]:
    """Progress of work that trains several models (a comparison, a probe) on stderr, naming each cell and seed.

    Events of stage ``line_stage`` (e.g. a baseline, a finished probe model) print like epochs: one line each
    when stderr is not a terminal. The bar follows ``overall_fraction``.
    """
    terminal = TerminalProgress(stream)

    def show(event: dict) -> None:
        if event.get("stage") in ("batch", "epoch"):
            logs = event.get("logs") or {}
            shown = "  ".join(f"{key} {value:.4f}" for key, value in logs.items() if isinstance(value, (int, float)))
            message = f"{event['cell']} seed {event['seed']}  epoch {event['epoch']}/{event['epochs']}  {shown}"
        else:
            message = str(event.get("message") or "")
        stage = "run" if event.get("stage") == line_stage else event.get("stage")
        terminal({"stage": stage, "fraction": event.get("overall_fraction", 0.0), "message": message})

    return show
