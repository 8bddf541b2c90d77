"""Benchmark 2 — single-text inference latency: rnnclf fast path vs model.predict vs eager model(x).

Trains a small LSTM (1 epoch) on a built-in dataset, then times one text at a
time through each path; p50/p95 over repeats, in the same process.

    python bench/bench_inference.py --dataset movie-snippets
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import timings_ms, write_result  # noqa: E402

from rnnclf.classifier import RNNTextClassifier  # noqa: E402
from rnnclf.data.datasets import fetch, is_fetched, load_split  # noqa: E402

TEXT = "The first half drags a little, but the last hour is warm, funny and surprisingly moving."


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="movie-snippets")
    parser.add_argument("--cell", default="lstm")
    args = parser.parse_args(argv)
    if not is_fetched(args.dataset):
        fetch(args.dataset)
    split = load_split(args.dataset, seed=0)
    classifier = RNNTextClassifier(cell_type=args.cell, epochs=1, patience=None, validation_fraction=0, seed=0)
    classifier.fit(split.train["text"].tolist(), split.train["label"].tolist())
    classifier.warm_up()
    ids = np.asarray([classifier.encoder_.encode(TEXT).ids], dtype="int32")
    paths = {
        "rnnclf_fast_path": (lambda: classifier.predict_proba([TEXT]), 300),
        "model_predict": (lambda: classifier.model_.predict(ids, verbose=0), 60),
        "eager_call": (lambda: classifier.model_(ids, training=False).numpy(), 100),
    }
    results = {name: timings_ms(function, repeats) for name, (function, repeats) in paths.items()}
    fast = results["rnnclf_fast_path"]["p50_ms"]
    for name, row in results.items():
        row["ratio_to_fast_path"] = row["p50_ms"] / fast
        print(f"{name:>18}: p50 {row['p50_ms']:.2f} ms  p95 {row['p95_ms']:.2f} ms  ({row['ratio_to_fast_path']:.1f}x)")
    write_result("inference", {"dataset": args.dataset, "cell": args.cell, "tokens": int(ids.shape[1]), "paths": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
