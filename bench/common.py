"""Shared helpers for benchmarks: machine facts, timing, JSON results."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    import keras
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        # Other work on the machine inflates timings; the load says how busy it was.
        "load_average_1_5_15": [round(value, 2) for value in os.getloadavg()],
    }


def percentile(values, q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * (len(ordered) - 1)))))
    return ordered[index]


def timings_ms(function, repeats: int, warmup: int = 3) -> dict:
    """Median / p95 wall time of ``function()`` in milliseconds."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": statistics.median(samples), "p95_ms": percentile(samples, 95), "repeats": repeats}


def write_result(name: str, payload: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), **payload}
    path.write_text(json.dumps(payload, indent=2, default=float) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return path
