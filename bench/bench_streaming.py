"""Streaming vs in-memory batch prediction: peak memory and texts/s as the input grows → bench/results/streaming.json.

The input is generated here (never committed): texts resampled from the built-in
English corpora with 15 % word dropout, one per line. Each measurement is a fresh
process with the default model:

- ``streaming`` — ``rnnclf predict --input FILE --output OUT --json`` (reads,
  classifies and writes one chunk at a time, :mod:`rnnclf.streaming`);
- ``in_memory`` — every line read, then :func:`rnnclf.batch.predict_records` on
  all of them and one write (what ``predict`` did before streaming).

Peak RSS is the child's ``ru_maxrss``; texts/s counts from process start, so both
include the TensorFlow import and model load (the same fixed cost for both).

    .venv/bin/python bench/bench_streaming.py --rows 10000,100000,300000
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("movie-snippets", "amazon-snippets", "nyt-snippets", "tweet-snippets", "crowdflower")
DROPOUT = 0.15
IN_MEMORY = """
import json, sys
from rnnclf.batch import predict_records
from rnnclf.classifier import load_run
from rnnclf.common import to_json
classifier = load_run("default")
texts = open(sys.argv[1], encoding="utf-8").read().splitlines()
rows = predict_records(classifier, texts)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write("".join(to_json(row) + "\\n" for row in rows))
"""


def write_input(path: Path, rows: int, seed: int = 0) -> None:
    """``rows`` texts resampled from the built-in corpora, each word dropped with probability :data:`DROPOUT`."""
    from rnnclf.data.datasets import fetch, is_fetched, load_dataset

    pool = []
    for name in SOURCES:
        if not is_fetched(name):
            fetch(name)
        pool += load_dataset(name)["text"].tolist()
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for _ in range(rows):
            words = [word for word in rng.choice(pool).split() if rng.random() > DROPOUT] or ["empty"]
            out.write(" ".join(words).replace("\n", " ") + "\n")


# Runs the command as its only child, so ru_maxrss of its children is that command's own peak.
PEAK = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); " \
       "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def measure(command: list[str]) -> dict:
    """Run ``command`` in a fresh wrapper process; return its wall seconds and peak RSS (MB)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], check=True, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": int(done.stdout.split()[-1]) / 1024}


def main() -> int:
    from common import write_result

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,100000,300000", help="comma-separated input sizes, smallest first")
    args = parser.parse_args()
    sizes = sorted(int(value) for value in args.rows.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            source = Path(folder) / f"texts-{size}.txt"
            write_input(source, size)
            row = {"rows": size, "input_mb": source.stat().st_size / 1e6}
            for name, command in (
                ("streaming", [sys.executable, "-m", "rnnclf", "predict", "--input", str(source),
                               "--output", str(Path(folder) / "out.jsonl"), "--json"]),
                ("in_memory", [sys.executable, "-c", IN_MEMORY, str(source), str(Path(folder) / "out-memory.jsonl")]),
            ):
                result = measure(command)
                result["texts_per_second"] = size / result["seconds"]
                row[name] = result
                print(f"{size:,} rows {name}: {result['seconds']:.1f} s, {result['texts_per_second']:,.0f} texts/s, "
                      f"peak {result['peak_rss_mb']:,.0f} MB", flush=True)
            rows.append(row)
    write_result("streaming", {"dropout": DROPOUT, "sources": list(SOURCES), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
