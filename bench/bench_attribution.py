"""Benchmark: attribution latency on a trained LSTM (embedding 64, 64 units).

Trains a small model on a synthetic marker-word task, then times the public
entry points (:func:`rnnclf.interpret.attribution.explain`,
:func:`rnnclf.interpret.insight.prediction_trajectory`) on texts of 10, 50 and 200
tokens: integrated gradients (50 steps), occlusion, both together (the
≤ 100 ms target at 50 tokens), gradient × input, LIME (1000 samples) and the
prediction trajectory. Each number is the median of repeated calls after one
warm-up call (the warm-up, which traces the compiled functions, is reported
separately as ``first_call_ms``).

Run: ``.venv/bin/python bench/bench_attribution.py`` → ``bench/results/attribution.json``.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rnnclf import _keras_setup  # noqa: F401,E402

RESULTS = Path(__file__).resolve().parent / "results" / "attribution.json"
LENGTHS = (10, 50, 200)
REPEATS = {"default": 25, "lime": 7}
WORDS = "the a this that movie film day story it was is and of with very some plot scene actor time place music".split()
MARKERS = {"negative": "blorp", "positive": "zing"}


def synthetic_texts(count: int, seed: int, shortest: int, longest: int) -> tuple[list[str], list[str]]:
    """Filler words with one label marker at a random position."""
    rng = random.Random(seed)
    texts, labels = [], []
    for index in range(count):
        label = ("negative", "positive")[index % 2]
        words = [rng.choice(WORDS) for _ in range(rng.randint(shortest, longest))]
        words.insert(rng.randint(0, len(words)), MARKERS[label])
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


def text_of_length(length: int, seed: int) -> str:
    rng = random.Random(seed)
    words = [rng.choice(WORDS) for _ in range(length - 1)]
    words.insert(length // 3, MARKERS["positive"])
    return " ".join(words)


def median_ms(function, repeats: int) -> tuple[float, float]:
    """(first call ms, median ms of ``repeats`` further calls)."""
    started = time.perf_counter()
    function()
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return first, statistics.median(times)


sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402


def main() -> dict:
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.interpret.attribution import explain
    from rnnclf.interpret.insight import prediction_trajectory

    texts, labels = synthetic_texts(600, seed=0, shortest=5, longest=60)
    started = time.perf_counter()
    classifier = RNNTextClassifier(cell_type="lstm", embedding_dim=64, units=64, epochs=3, max_length=256, seed=0)
    classifier.fit(texts, labels)
    training_seconds = time.perf_counter() - started

    cases = {
        "ig_50": lambda text: explain(classifier, text, "ig", steps=50),
        "occlusion": lambda text: explain(classifier, text, "occlusion"),
        "ig_50_plus_occlusion": lambda text: (explain(classifier, text, "ig", steps=50), explain(classifier, text, "occlusion")),
        "gradient_x_input": lambda text: explain(classifier, text, "gradxinput"),
        "lime_1000": lambda text: explain(classifier, text, "lime", samples=1000),
        "trajectory": lambda text: prediction_trajectory(classifier, text),
    }
    rows = []
    for length in LENGTHS:
        text = text_of_length(length, seed=length)
        ig = explain(classifier, text, "ig")
        for name, run in cases.items():
            repeats = REPEATS["lime" if name.startswith("lime") else "default"]
            first, median = median_ms(lambda: run(text), repeats)
            rows.append({"case": name, "tokens": length, "median_ms": round(median, 2), "first_call_ms": round(first, 1), "repeats": repeats})
            print(f"{name:>22}  {length:>4} tokens  median {median:8.1f} ms  (first call {first:7.1f} ms)")
        completeness = {key: ig.completeness[key] for key in ("relative_error", "absolute_error", "prediction_difference", "converged")}
        rows.append({"case": "ig_50_completeness", "tokens": length, **completeness})
        print(f"{'ig_50 completeness':>22}  {length:>4} tokens  relative error {completeness['relative_error']:.2%}"
              f"  converged={completeness['converged']}")

    result = {
        "benchmark": "attribution",
        "model": {"cell_type": "lstm", "embedding_dim": 64, "units": 64, "training_seconds": round(training_seconds, 1),
                  "training_accuracy": float(classifier.score(texts[:200], labels[:200]))},
        "target": "ig_50_plus_occlusion at 50 tokens <= 100 ms (median)",
        "machine": machine(),
        "results": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    return result


if __name__ == "__main__":
    main()
