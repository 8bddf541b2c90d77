"""Benchmark 4 — accuracy: rnnclf's recurrent candidates vs the tuned baselines, every built-in dataset.

Per dataset, on the seed-0 deduplicated, stratified split (70/10/20), each
candidate trains with model seeds 0..n-1 (early stopping on the validation part):

* ``pooled`` — BiGRU-64 on fine-tuned GloVe 6B 50d, max + mean pooling over the
  outputs concatenated with the final states, spatial dropout 0.2, dropout 0.5,
  Adam 2e-3 (for ``chinese-reviews``: the ``default-sentiment-zh`` preset's recipe);
* ``transfer`` — fine-tuned from a source run made for the dataset (English
  datasets but everyday-sentiment itself), as in ``bench/bench_transfer.py``: the
  ``default-sentiment`` recipe trained on everyday-sentiment's train and
  validation texts **minus the dataset's validation and test texts**, so none of
  its evaluation texts reach the source (checked with ``texts_seen`` before any
  scoring);
* ``pooled ×n`` and ``transfer ×n`` — the averaged probabilities of the n seeds
  (a seed ensemble).

The candidate with the best **validation** accuracy (mean over seeds for a single
network) is the dataset's chosen configuration; its test accuracy is set against
the tuned baselines of ``bench/bench_baselines.py`` (same split, checked by
fingerprint). When the chosen candidate used the source's texts, the baselines get
the same courtesy: they are tuned again on those texts plus the dataset's train part.
The old single configuration (last state only, section 4 until 0.3) stays as a
reference column where its results exist.

Resumable: every finished (dataset, candidate, seed) is written to
``bench/results/accuracy.json`` at once, with its validation and test
probabilities under ``bench/results/.cache/`` (git-ignored) for the ensembles.
Heavy — run it in the background::

    nohup .venv/bin/python bench/bench_accuracy.py > /tmp/bench_accuracy.log 2>&1 &
    python bench/bench_accuracy.py --datasets movie-snippets,trec --seeds 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS_DIR, machine  # noqa: E402

from rnnclf.common import atomic_output  # noqa: E402
from rnnclf.data.corpora import DATASETS  # noqa: E402
from rnnclf.data.datasets import fetch, is_fetched  # noqa: E402
from rnnclf.experiments.compare import load_source  # noqa: E402
from rnnclf.experiments.presets import PRESETS  # noqa: E402

POOLED = {
    "cell_type": "gru", "bidirectional": True, "units": 64, "pretrained_embeddings": "glove-6b-50d",
    "pooling": "max_mean", "spatial_dropout": 0.2, "dropout": 0.5, "learning_rate": 2e-3,
    "batch_size": 64, "epochs": 20, "patience": 3,
}
POOLED_ZH = {key: value for key, value in PRESETS["default-sentiment-zh"]["params"].items() if key != "seed"}
# Fine-tuning from the source: the accuracy benchmark's training settings; 2e-3 won on validation for both
# targets of the transfer benchmark (section 9).
FINE_TUNE = {"dropout": 0.5, "learning_rate": 2e-3, "batch_size": 64, "epochs": 20, "patience": 3}
SOURCE_DATA = "everyday-sentiment"
CHINESE = frozenset({"chinese-reviews"})
# Smallest corpora first, so most of the table exists early in a long run.
DEFAULT_ORDER = ("amazon-snippets", "tweet-snippets", "nyt-snippets", "sms-spam", "trec", "movie-snippets",
                 "sentiment", "chinese-reviews", "crowdflower", "everyday-sentiment")
RESULTS_FILE = RESULTS_DIR / "accuracy.json"
CACHE_DIR = RESULTS_DIR / ".cache" / "accuracy"


def config_key(config: dict) -> str:
    """12 hex digits naming a configuration; cached seeds of another configuration are not reused."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode("utf-8")).hexdigest()[:12]


def read_results(path: Path) -> dict:
    payload = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"rows": {}}
    for name, row in list(payload["rows"].items()):
        if "candidates" not in row:  # a row of the single-configuration benchmark: kept as the reference
            payload["rows"][name] = {"fingerprint": row["fingerprint"], "candidates": {},
                                     "reference_last_state": {"config": row["config"], **row["summary"]["accuracy"]}}
    return payload


def write_results(path: Path, payload: dict) -> None:
    # Atomic: the summary (or a second reader) never sees a half-written file.
    with atomic_output(path) as temporary:
        temporary.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


def spread(values: list[float]) -> dict:
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0, "n": len(values)}


def _texts_labels(frame):
    return frame["text"].tolist(), frame["label"].tolist()


def candidates_for(name: str) -> tuple[str, ...]:
    """The candidates trained on dataset ``name``.

    No transfer for Chinese (no Chinese source data) nor for the source's own dataset.
    """
    if name in CHINESE:
        return ("pooled",)
    return ("pooled",) if name == SOURCE_DATA else ("pooled", "transfer")


def candidate_params(name: str, candidate: str, split, payload: dict) -> dict:
    """The classifier parameters of ``candidate`` on dataset ``name`` (a transfer trains its source first)."""
    if candidate == "pooled":
        return POOLED_ZH if name in CHINESE else POOLED
    from bench_transfer import source_run, source_run_name

    from rnnclf.classifier import transfer_settings

    source_run(name, split, payload.setdefault("sources", {}).setdefault(name, {}))
    return {**transfer_settings(source_run_name(name)), **FINE_TUNE}


def _cache_file(name: str, candidate: str, seed: int, key: str, fingerprint: str) -> Path:
    return CACHE_DIR / f"{name}-{fingerprint}-{candidate}-{key}-seed{seed}.npz"


def train_seed(split, name: str, candidate: str, params: dict, seed: int) -> dict:
    """Train one (candidate, seed); keep its validation/test probabilities for the ensembles."""
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.evaluation import evaluate_predictions

    classifier = RNNTextClassifier(**{**params, "seed": seed})
    classifier.fit(*_texts_labels(split.train), validation_data=_texts_labels(split.validation))
    test_texts, test_labels = _texts_labels(split.test)
    seen = int(classifier.texts_seen(test_texts).sum())
    if seen:
        raise RuntimeError(f"{name}/{candidate} seed {seed} trained on {seen} test texts: the measurement would leak")
    validation_probabilities = classifier.predict_proba(split.validation["text"].tolist())
    test_probabilities = classifier.predict_proba(test_texts)
    path = _cache_file(name, candidate, seed, config_key(params), split.fingerprint)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as temporary:
        with open(temporary, "wb") as handle:
            np.savez(handle, validation=validation_probabilities, test=test_probabilities,
                     classes=np.array([str(label) for label in classifier.classes_]))
    # Scored from the probabilities just kept: each part is classified once.
    metrics = evaluate_predictions(test_labels, test_probabilities, classifier.classes_)
    validation_metrics = evaluate_predictions(split.validation["label"].tolist(), validation_probabilities, classifier.classes_)
    return {"validation_accuracy": validation_metrics["accuracy"],
            "accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"], "mcc": metrics["mcc"],
            "test_texts_seen": seen, "best_epoch": classifier.best_epoch_, "epochs_run": classifier.epochs_run_,
            "training_seconds": classifier.training_seconds_, "parameters": classifier.summary()["parameters"]["total"]}


def seed_ensemble(split, name: str, candidate: str, params: dict, seeds: list[int]) -> dict:
    """Accuracy of the seeds' averaged probabilities on validation and test."""
    stored = [np.load(_cache_file(name, candidate, seed, config_key(params), split.fingerprint)) for seed in seeds]
    classes = stored[0]["classes"]
    scores = {}
    for part, frame in (("validation", split.validation), ("test", split.test)):
        average = np.mean([item[part] for item in stored], axis=0)
        guesses = classes[np.argmax(average, axis=1)]
        scores[part] = float(np.mean(guesses == frame["label"].astype(str).to_numpy()))
    return {"validation_accuracy": scores["validation"], "accuracy": scores["test"], "members": len(seeds)}


def choose(row: dict) -> dict:
    """The candidate (single network or seed ensemble) with the best validation accuracy; reads no test score."""
    options = [(f"{candidate}", entry["summary"]["validation_accuracy"]["mean"]) for candidate, entry in row["candidates"].items()]
    options += [(f"{candidate} ×{entry['ensemble']['members']}", entry["ensemble"]["validation_accuracy"])
                for candidate, entry in row["candidates"].items() if "ensemble" in entry]
    label, validation = max(options, key=lambda item: item[1])
    candidate = label.split(" ×")[0]
    entry = row["candidates"][candidate]
    test = ({"mean": entry["ensemble"]["accuracy"], "std": 0.0, "n": 1} if " ×" in label else entry["summary"]["accuracy"])
    return {"label": label, "candidate": candidate, "validation_accuracy": validation, "accuracy": test,
            "uses_source_texts": candidate == "transfer"}


def run_dataset(name: str, seeds: list[int], payload: dict, path: Path, force: bool) -> dict:
    split, info = load_source(name)
    row = payload["rows"].get(name) or {"candidates": {}}
    if row.get("fingerprint") != split.fingerprint:  # a changed split (new parser or data) makes everything incomparable
        row = {"candidates": {}}
    row.update(dataset=name, fingerprint=split.fingerprint, sizes=info["sizes"],
               classes=sorted(map(str, split.train["label"].unique())))
    for candidate in candidates_for(name):
        params = candidate_params(name, candidate, split, payload)
        key = config_key(params)
        entry = row["candidates"].get(candidate)
        if force or not entry or entry.get("config_key") != key:
            entry = {"config": params, "config_key": key, "seeds": {}}
        for seed in seeds:
            if str(seed) in entry["seeds"] and _cache_file(name, candidate, seed, key, split.fingerprint).is_file():
                print(f"{name} {candidate} seed {seed}: cached", flush=True)
                continue
            entry["seeds"][str(seed)] = result = train_seed(split, name, candidate, params, seed)
            payload["machine"] = machine()
            row["candidates"][candidate] = entry
            payload["rows"][name] = row
            write_results(path, payload)
            print(f"{name} {candidate} seed {seed}: validation {result['validation_accuracy']:.4f} test {result['accuracy']:.4f} "
                  f"({result['epochs_run']} epochs, {result['training_seconds']:.0f}s)", flush=True)
        done = [entry["seeds"][str(seed)] for seed in seeds]
        entry["summary"] = {metric: spread([item[metric] for item in done])
                            for metric in ("validation_accuracy", "accuracy", "macro_f1", "mcc", "training_seconds")}
        if len(seeds) > 1:
            entry["ensemble"] = seed_ensemble(split, name, candidate, params, seeds)
        row["candidates"][candidate] = entry
    row["chosen"] = choose(row)
    source_classes = ["negative", "positive"]  # everyday-sentiment's labels
    if row["chosen"]["uses_source_texts"] and row["classes"] != source_classes:
        # The source's labelled texts would teach a linear model classes this dataset does not have, so the
        # labelled courtesy does not apply; the table says so instead of showing a meaningless baseline.
        row["baselines_with_source_texts"] = None
        row["courtesy_skipped"] = (f"the source's labels ({', '.join(source_classes)}) are not this dataset's "
                                   f"({', '.join(row['classes'])}): the RNN used the source's texts through its weights only")
    elif row["chosen"]["uses_source_texts"] and not row.get("baselines_with_source_texts"):
        started = time.perf_counter()
        from bench_transfer import courtesy_baselines, source_training_texts

        row["baselines_with_source_texts"] = courtesy_baselines(split, *source_training_texts(split))
        print(f"{name}: baselines on the source's texts too ({time.perf_counter() - started:.0f}s)", flush=True)
    payload["rows"][name] = row
    write_results(path, payload)
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    everything = list(DEFAULT_ORDER) + [name for name in DATASETS if name not in DEFAULT_ORDER]
    parser.add_argument("--datasets", default=",".join(everything), help="comma-separated built-in datasets (default: all)")
    parser.add_argument("--seeds", type=int, default=3, help="model seeds 0..n-1 (default 3)")
    parser.add_argument("--force", action="store_true", help="retrain rows even if cached")
    parser.add_argument("--results", default=str(RESULTS_FILE), help="results JSON (default bench/results/accuracy.json)")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.datasets.split(",") if name.strip()]
    unknown = [name for name in names if name not in DATASETS]
    if unknown:
        parser.error(f"unknown datasets {unknown}; expected some of {', '.join(sorted(DATASETS))}")
    path = Path(args.results)
    payload = read_results(path)
    payload.update(benchmark="accuracy", expected=sorted(DATASETS), seeds=list(range(args.seeds)))
    for name in names:
        if not is_fetched(name):
            fetch(name)
        row = run_dataset(name, list(range(args.seeds)), payload, path, args.force)
        chosen = row["chosen"]
        print(f"== {name}: chosen {chosen['label']} (validation {chosen['validation_accuracy']:.4f}) "
              f"test {chosen['accuracy']['mean']:.4f} ± {chosen['accuracy']['std']:.4f}", flush=True)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
