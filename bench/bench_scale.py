"""Streaming vs in-memory training and prediction as a labelled CSV grows → bench/results/scale.json.

For each size N the input is generated here, in a temporary folder (never
committed): N rows ``text,label`` resampled from the built-in English sentiment
corpora (:data:`bench_streaming.SOURCES`) with 15 % word dropout. Each
measurement is a fresh process, run as the only child of a wrapper that reports
its peak RSS (``ru_maxrss``):

- ``train_streaming`` — ``rnnclf train --csv FILE --stream``: one counting pass, then one epoch
  streamed from the file, the test part scored by streaming, the run saved;
- ``train_in_memory`` — ``rnnclf train --csv FILE``: the file read, deduplicated and split in
  memory, then the same epoch (refused above the in-memory size limit, and recorded so);
- ``predict_streaming`` — ``rnnclf predict --input FILE --text-col text``, a chunk at a time;
- ``predict_in_memory`` — the whole column read, then :func:`rnnclf.batch.predictions_frame`
  and one CSV write (the app's batch page).

Both trainings use the ``quick`` preset (GRU 32 on a 32-wide embedding, batch 32) for ONE epoch:
the smallest model makes the data path's share of the time largest, the hardest case for
streaming. Both predictions use the streamed run. Rows/s count from process start, so both sides
include the TensorFlow import; the epoch alone is recorded too (the run's ``epoch_seconds``).

    .venv/bin/python bench/bench_scale.py                       # 100k, 300k, 1M rows (about 1-2 hours on 2 cores)
    .venv/bin/python bench/bench_scale.py --sizes 2000 5000     # a smoke run
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_streaming import DROPOUT, SOURCES, measure  # noqa: E402

RECIPE = {"preset": "quick", "epochs": 1}
IN_MEMORY_PREDICT = """
import sys
from rnnclf.batch import predictions_frame
from rnnclf.classifier import load_run
from rnnclf.data.csv_import import read_table
classifier = load_run(sys.argv[1])
texts = read_table(sys.argv[2], text_column="text", require_labels=False).dataframe["text"].tolist()
predictions_frame(classifier, texts).to_csv(sys.argv[3], index=False)
"""


def labelled_pool() -> list[tuple[str, str]]:
    """``(text, label)`` of every row of :data:`SOURCES` (fetched on first use)."""
    from rnnclf.data.datasets import fetch, is_fetched, load_dataset

    pool = []
    for name in SOURCES:
        if not is_fetched(name):
            fetch(name)
        frame = load_dataset(name)
        pool += list(zip(frame["text"].astype(str), frame["label"].astype(str)))
    return pool


def write_labelled_csv(path: Path, rows: int, pool: list[tuple[str, str]], seed: int = 0) -> None:
    """``rows`` rows drawn from ``pool`` with replacement, each word dropped with probability :data:`DROPOUT`."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "label"])
        for _ in range(rows):
            text, label = rng.choice(pool)
            words = [word for word in text.split() if rng.random() > DROPOUT] or ["empty"]
            writer.writerow([" ".join(words), label])


def train_command(source: Path, output: Path, stream: bool) -> list[str]:
    return [sys.executable, "-m", "rnnclf", "train", "--csv", str(source), "--text-col", "text", "--label-col", "label",
            "--preset", RECIPE["preset"], "--epochs", str(RECIPE["epochs"]), "--output", str(output),
            *(["--stream"] if stream else [])]


def measure_training(source: Path, output: Path, stream: bool, rows: int) -> dict:
    """Peak RSS and rows/s of one training command, with the epoch time and sizes its run recorded."""
    from rnnclf.data.csv_import import MAX_BYTES

    if not stream and source.stat().st_size > MAX_BYTES:
        return {"refused": f"{source.stat().st_size / 2**20:.0f} MB is over the in-memory limit of {MAX_BYTES / 2**20:.0f} MB"}
    result = measure(train_command(source, output, stream))
    meta = json.loads((output / "meta.json").read_text(encoding="utf-8"))
    sizes = meta["dataset"]["sizes"]
    epoch_seconds = meta["epoch_seconds"][0]
    return {**result, "rows_per_second": rows / result["seconds"], "epoch_seconds": epoch_seconds,
            "train_rows": sizes["train"], "epoch_rows_per_second": sizes["train"] / epoch_seconds, "sizes": sizes,
            "test_accuracy": meta["metrics"]["accuracy"]}


def measure_size(folder: Path, rows: int, pool) -> dict:
    source = folder / f"reviews-{rows}.csv"
    write_labelled_csv(source, rows, pool)
    row = {"rows": rows, "input_mb": source.stat().st_size / 1e6}
    for name, stream in (("train_streaming", True), ("train_in_memory", False)):
        row[name] = measure_training(source, folder / f"run-{name}-{rows}", stream, rows)
    run = folder / f"run-train_streaming-{rows}"
    for name, command in (
        ("predict_streaming", [sys.executable, "-m", "rnnclf", "predict", "--model", str(run), "--input", str(source),
                               "--text-col", "text", "--output", str(folder / "predicted-stream.csv")]),
        ("predict_in_memory", [sys.executable, "-c", IN_MEMORY_PREDICT, str(run), str(source),
                               str(folder / "predicted-memory.csv")]),
    ):
        result = measure(command)
        row[name] = {**result, "rows_per_second": rows / result["seconds"]}
    for name in ("train_streaming", "train_in_memory", "predict_streaming", "predict_in_memory"):
        shown = row[name].get("refused") or (f"{row[name]['seconds']:.1f} s, {row[name]['rows_per_second']:,.0f} rows/s, "
                                             f"peak {row[name]['peak_rss_mb']:,.0f} MB")
        print(f"{rows:,} rows {name}: {shown}", flush=True)
    return row


def main(argv=None) -> int:
    from common import write_result
    from summarize import scale_analysis

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000], help="rows per input")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pool = labelled_pool()
    with tempfile.TemporaryDirectory(prefix="rnnclf-scale-") as folder:
        rows = [measure_size(Path(folder), size, pool) for size in sorted(args.sizes)]
    result = {"recipe": RECIPE, "dropout": DROPOUT, "sources": list(SOURCES), "rows": rows}
    analysis = scale_analysis(result)
    for line in analysis["lines"]:
        print(line)
    write_result("scale", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
