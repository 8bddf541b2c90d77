"""Cell-type comparison: SimpleRNN vs LSTM vs GRU on one split, several seeds, next to TF-IDF + LR.

:func:`compare` trains every cell type with the same hyperparameters on the
*same* deduplicated, stratified split (split seed fixed, model seeds varied),
fits the TF-IDF + logistic-regression baseline on that split too, and measures
per run: test accuracy, macro-F1, MCC, parameters, seconds per epoch, the
epoch of the best validation loss, single-text latency, accuracy by text
length and the learning curves; per cell type (first seed) the gradient flow
through time (:func:`rnnclf.experiments.gradient_flow.gradient_flow`).

The result is a JSON-safe dict. :func:`save_comparison` writes it atomically
under :func:`rnnclf.data.paths.comparisons_dir`; :func:`load_comparison` and
:func:`list_comparisons` read it back; :func:`results_table` turns either the
fresh or the reloaded dict into the same summary table.

>>> result = compare("trec", seeds=3, name="trec-cells")  # doctest: +SKIP
>>> results_table(result)["accuracy_mean"].round(3)  # doctest: +SKIP
rnn             0.829
lstm            0.834
gru             0.816
tfidf-logreg    0.817
Name: accuracy_mean, dtype: float64
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from rnnclf.common import atomic_output, json_safe, versions
from rnnclf.data.paths import comparisons_dir, validate_name
from rnnclf.data.sources import load_labelled_split, timestamped_name
from rnnclf.errors import InputError
from rnnclf.experiments.comparison_tables import BASELINE_ROW, METRICS, results_table
from rnnclf.text import suggest_tokenizer

__all__ = [
    "DEFAULT_PARAMS",
    "ComparisonStopped",
    "compare",
    "load_source",
    "train_and_score",
    "save_comparison",
    "load_comparison",
    "list_comparisons",
]

FORMAT = "rnnclf-comparison/1"
# Shared by every cell type so that only the cell differs. Small enough that a
# 3 cells x 3 seeds comparison on a 10k-text corpus finishes in minutes on a CPU.
DEFAULT_PARAMS = {"embedding_dim": 64, "units": 64, "epochs": 8, "patience": 2, "batch_size": 32, "learning_rate": 1e-3}
# Single-text latency: the median of this many predict_proba([text]) calls.
LATENCY_CALLS = 100
# Gradient flow is measured on this many test texts (one compiled batch).
GRADIENT_EXAMPLES = 64


class ComparisonStopped(RuntimeError):
    """The progress callback returned ``False``: the comparison stopped and nothing was saved."""


def load_source(dataset=None, *, texts_labels=None, text_column=None, label_column=None, split_seed=0,
                validation_size=0.1, test_size=0.2):
    """``(split, description)`` for a built-in dataset name, a CSV path or ``(texts, labels)``.

    A name among the built-in datasets is a dataset; anything else must be a CSV file
    (see :func:`rnnclf.data.sources.load_labelled_split`).
    """
    from rnnclf.data.corpora import DATASETS

    by_name = dataset is not None and str(dataset) in DATASETS
    if dataset is not None and not by_name and not Path(dataset).is_file():
        allowed = ", ".join(sorted(DATASETS))
        raise InputError(f"Received: dataset={str(dataset)!r}; expected a built-in dataset ({allowed}) or an existing CSV file path.")
    return load_labelled_split(
        dataset=str(dataset) if by_name else None, csv=dataset if dataset is not None and not by_name else None,
        texts_labels=texts_labels, text_column=text_column, label_column=label_column, seed=split_seed,
        validation_size=validation_size, test_size=test_size,
    )


def train_and_score(split, params: dict, seed: int, progress: Callable[[dict], object] | None = None):
    """Fit one :class:`~rnnclf.classifier.RNNTextClassifier` on ``split`` and score it on the test part.

    Returns ``(classifier, record, test_probabilities)``; ``record`` holds the test
    metrics, the parameter count, epoch timing, the best epoch and the learning
    curves; ``test_probabilities`` (texts × classes) are what the metrics were
    computed from, so callers need not classify the test part again.

    Example:
        >>> classifier, record, _ = train_and_score(split, {"cell_type": "gru", "epochs": 2}, seed=0)  # doctest: +SKIP
        >>> sorted(record["metrics"])[:2]  # doctest: +SKIP
        ['accuracy', 'confusion_matrix']
    """
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.evaluation import evaluate_predictions

    classifier = RNNTextClassifier(**{**params, "seed": int(seed)})
    validation = (split.validation["text"].tolist(), split.validation["label"].tolist()) if len(split.validation) else None
    classifier.fit(split.train["text"].tolist(), split.train["label"].tolist(), validation_data=validation, progress=progress)
    test_probabilities = classifier.predict_proba(split.test["text"].tolist())
    metrics = evaluate_predictions(split.test["label"].tolist(), test_probabilities, classifier.classes_)
    epoch_seconds = list(classifier.epoch_seconds_)
    # Epoch 1 includes tracing the training step; later epochs show the steady cost.
    steady = epoch_seconds[1:] or epoch_seconds
    record = {
        "seed": int(seed),
        "metrics": metrics,
        "parameters": classifier.summary()["parameters"]["total"],
        "epoch_seconds": epoch_seconds,
        "seconds_per_epoch": statistics.median(steady) if steady else None,
        "best_epoch": classifier.best_epoch_,
        "epochs_run": classifier.epochs_run_,
        "training_seconds": classifier.training_seconds_,
        "history": classifier.history_,
        "fingerprint": split.fingerprint,
    }
    return classifier, record, test_probabilities


def _latency_ms(classifier, text: str, calls: int) -> dict:
    classifier.warm_up()
    for _ in range(3):
        classifier.predict_proba([text])
    samples = []
    for _ in range(int(calls)):
        started = time.perf_counter()
        classifier.predict_proba([text])
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50": float(np.median(samples)), "p90": float(np.percentile(samples, 90)), "calls": int(calls)}


def _accuracy_by_length(classifier, texts: list[str], labels: list, probabilities: np.ndarray) -> list[dict]:
    """Test accuracy per token-length bucket from the test part's ``probabilities``; lengths are counted before truncation."""
    from rnnclf.evaluation import accuracy_by_length

    lengths = [len(classifier.encoder_.split(text)[0]) for text in texts]
    guesses = classifier.classes_[np.argmax(probabilities, axis=1)]
    correct = [str(guess) == str(truth) for guess, truth in zip(guesses, labels)]
    return accuracy_by_length(lengths, correct)


def _median_text(texts: list[str]) -> str:
    """A test text of median length: what a typical single request looks like."""
    order = np.argsort([len(text) for text in texts], kind="stable")
    return texts[int(order[len(order) // 2])]


def seed_ensemble_metrics(labels: Sequence, probabilities: Sequence[np.ndarray], classes) -> dict:
    """Accuracy, macro-F1 and MCC of the seeds' averaged probabilities (a seed ensemble), and its size.

    Example:
        >>> seeds = [np.array([[0.6, 0.4], [0.3, 0.7]]), np.array([[0.2, 0.8], [0.4, 0.6]])]
        >>> seed_ensemble_metrics(["a", "b"], seeds, np.array(["a", "b"]))["accuracy"]  # first text: 0.4 vs 0.6 → "b"
        0.5
    """
    from rnnclf.evaluation import evaluate_predictions

    metrics = evaluate_predictions(labels, np.mean(np.asarray(probabilities, dtype="float64"), axis=0), classes)
    return {**{key: float(metrics[key]) for key in METRICS}, "members": len(probabilities)}


class _Progress:
    """Adds cell, seed and a monotone ``overall_fraction`` to every event; remembers a stop request."""

    def __init__(self, report, runs: int):
        self.report, self.runs, self.done, self.stopped, self.last = report, runs, 0, False, 0.0

    def send(self, event: dict, fraction_in_run: float = 0.0) -> None:
        overall = min(1.0, (self.done + min(1.0, max(0.0, fraction_in_run))) / self.runs)
        self.last = max(self.last, overall)
        if self.report({**event, "overall_fraction": self.last}) is False:
            self.stopped = True

    def for_run(self, cell: str, seed: int):
        def forward(event: dict):
            self.send({**event, "cell": cell, "seed": seed}, event.get("fraction", 0.0))
            return False if self.stopped else None

        return forward


def _plan(cells: Sequence[str], seeds: int | Sequence[int], params: dict | None) -> tuple[list[str], list[int], dict]:
    """Checked cells, seeds and shared parameters (before any data is loaded)."""
    from rnnclf.models import cell_layer_class

    cells = list(dict.fromkeys(str(cell) for cell in cells))
    if not cells:
        raise InputError("Received: cells=[]; pass at least one of 'rnn', 'lstm', 'gru'.")
    for cell in cells:
        cell_layer_class(cell)  # fail before loading data, with the allowed names
    seeds = list(range(int(seeds))) if isinstance(seeds, (int, np.integer)) else list(dict.fromkeys(int(seed) for seed in seeds))
    if not seeds:
        raise InputError("Received: seeds=[]; pass a positive count or a list of seeds.")
    shared = {**DEFAULT_PARAMS, **(params or {})}
    shared.pop("seed", None)
    shared.pop("cell_type", None)
    return cells, seeds, shared


def _report_run(tracker: "_Progress", record: dict, cell: str, seed: int) -> None:
    tracker.done += 1
    summary = {key: record["metrics"][key] for key in METRICS}
    tracker.send({"stage": "run", "cell": cell, "seed": seed, "fraction": 1.0, "metrics": summary,
                  "message": f"{cell} seed {seed}: accuracy {summary['accuracy']:.4f}"})


def compare(
    dataset=None,
    cells: Sequence[str] = ("rnn", "lstm", "gru"),
    seeds: int | Sequence[int] = (0, 1, 2),
    params: dict | None = None,
    progress: Callable[[dict], object] | None = None,
    texts_labels: tuple[Sequence[str], Sequence] | None = None,
    *,
    text_column: str | None = None,
    label_column: str | None = None,
    split_seed: int = 0,
    validation_size: float = 0.1,
    test_size: float = 0.2,
    latency_calls: int = LATENCY_CALLS,
    gradient_examples: int = GRADIENT_EXAMPLES,
    name: str | None = None,
    save: bool = True,
    overwrite: bool = False,
) -> dict:
    """Train every cell type on one split with several seeds; compare with TF-IDF + LR.

    Args:
        dataset: built-in dataset name (see ``rnnclf datasets list``) or a CSV/TSV path.
        cells: cell types to compare. Default: ``("rnn", "lstm", "gru")``.
        seeds: model seeds, or a count ``n`` meaning ``0 … n-1``. Default: ``(0, 1, 2)``.
        params: :class:`~rnnclf.classifier.RNNTextClassifier` parameters shared by
            all cells (``cell_type`` and ``seed`` are set per run). Default: :data:`DEFAULT_PARAMS`.
        progress: receives events ``{"stage": "data"|"baseline"|"batch"|"epoch"|"run"|"done",
            "cell", "seed", "epoch", "epochs", "fraction" (within the run),
            "overall_fraction" (whole comparison, never decreasing), "logs"}``;
            returning ``False`` stops (raises :class:`ComparisonStopped`).
        texts_labels: ``(texts, labels)`` instead of ``dataset``.
        text_column, label_column: columns of a CSV (default: guessed).
        split_seed: the seed of the one split every run shares. Default: 0.
        validation_size, test_size: split shares. Default: 0.1, 0.2.
        latency_calls: single-text calls timed per run. Default: 100.
        gradient_examples: test texts for the gradient flow. Default: 64.
        name: name to save under. Default: ``compare-<data>-<time>``.
        save: write the result with :func:`save_comparison` (``result["path"]``). Default: ``True``.
        overwrite: replace a saved comparison of the same name. Default: ``False``.

    Returns:
        A JSON-safe dict; see :func:`results_table`, :func:`length_table`, :func:`learning_curves`.

    Example:
        >>> result = compare("trec", cells=("rnn", "gru"), seeds=1, params={"epochs": 2})  # doctest: +SKIP
        >>> result["dataset"]["fingerprint"] == result["baseline"]["fingerprint"]  # doctest: +SKIP
        True
    """
    from rnnclf.baseline import run_baselines
    from rnnclf.experiments.gradient_flow import gradient_flow

    cells, seeds, shared = _plan(cells, seeds, params)
    if save:
        name = validate_name(name or timestamped_name("compare", "texts" if texts_labels is not None else str(dataset)), "comparison name")
        if _path_for(name).exists() and not overwrite:
            raise InputError(f"A comparison named {name!r} already exists: pick another name or pass overwrite=True (--overwrite).")

    tracker = _Progress(progress or (lambda event: None), runs=len(cells) * len(seeds))
    tracker.send({"stage": "data", "fraction": 0.0, "message": "loading and splitting the data"})
    split, source = load_source(dataset, texts_labels=texts_labels, text_column=text_column, label_column=label_column,
                                split_seed=split_seed, validation_size=validation_size, test_size=test_size)
    shared.setdefault("tokenizer", suggest_tokenizer(split.train["text"].tolist()))  # jieba for Chinese data
    tracker.send({"stage": "baseline", "cell": BASELINE_ROW, "fraction": 0.0,
                  "message": "tuning the TF-IDF + logistic regression and NB-SVM baselines on the validation part"})
    baselines = run_baselines(split)
    baseline = baselines[BASELINE_ROW]
    tracker.send({"stage": "baseline", "cell": BASELINE_ROW, "fraction": 1.0,
                  "message": "; ".join(f"{name} accuracy {result['accuracy']:.4f} ({result['model']})" for name, result in baselines.items()),
                  "metrics": {key: baseline[key] for key in METRICS}})
    if tracker.stopped:
        raise ComparisonStopped("Comparison stopped before training; nothing was saved.")

    test_texts, test_labels = split.test["text"].tolist(), split.test["label"].tolist()
    latency_text = _median_text(test_texts)
    runs, flows, ensembles = [], {}, {}
    for cell in cells:
        probabilities = []
        for seed in seeds:
            classifier, record, test_probabilities = train_and_score(split, {**shared, "cell_type": cell}, seed,
                                                                     tracker.for_run(cell, seed))
            if tracker.stopped:
                raise ComparisonStopped(f"Comparison stopped during {cell} seed {seed}; nothing was saved.")
            record.update(cell=cell, accuracy_by_length=_accuracy_by_length(classifier, test_texts, test_labels, test_probabilities),
                          latency_ms=_latency_ms(classifier, latency_text, latency_calls))
            if cell not in flows:  # one seed per cell shows the decay; every seed would cost as much again
                flows[cell] = gradient_flow(classifier, test_texts[:gradient_examples], test_labels[:gradient_examples]).to_dict()
            probabilities.append(test_probabilities)
            classes = classifier.classes_
            runs.append(record)
            _report_run(tracker, record, cell, seed)
            del classifier
        if len(probabilities) > 1:
            ensembles[cell] = seed_ensemble_metrics(test_labels, probabilities, classes)

    result = json_safe({
        "format": FORMAT,
        "name": name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "dataset": source,
        "cells": cells,
        "seeds": seeds,
        "params": shared,
        "baseline": baseline,
        "baselines": baselines,
        "runs": runs,
        "ensembles": ensembles,
        "gradient_flow": flows,
        "versions": versions(),
    })
    if save:
        result["path"] = str(save_comparison(result, name, overwrite=True))
    tracker.send({"stage": "done", "fraction": 1.0, "message": "comparison finished", "name": name, "path": result.get("path")})
    return result


# ------------------------------------------------------------------------------ storage
def _path_for(name: str) -> Path:
    return comparisons_dir() / f"{validate_name(name, 'comparison name')}.json"


def save_comparison(result: dict, name: str | None = None, overwrite: bool = False) -> Path:
    """Write ``result`` to ``comparisons_dir()/<name>.json`` atomically (temporary file + ``os.replace``).

    Example:
        >>> save_comparison(result, "gru-vs-lstm").name  # doctest: +SKIP
        'gru-vs-lstm.json'
    """
    name = name or result.get("name")
    if not name:
        raise InputError("The comparison has no name: pass name='...' (letters, digits, '.', '_', '-').")
    path = _path_for(name)
    if path.exists() and not overwrite:
        raise InputError(f"A comparison named {name!r} already exists at {path}: pick another name or pass overwrite=True.")
    payload = {**json_safe(result), "name": name}
    payload.pop("path", None)
    with atomic_output(path) as temporary:
        temporary.write_text(json.dumps(payload, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    return path


def load_comparison(name_or_path: str | Path) -> dict:
    """Read a saved comparison by name (under ``comparisons_dir()``) or by file path.

    Example:
        >>> load_comparison("gru-vs-lstm")["cells"]  # doctest: +SKIP
        ['lstm', 'gru']
    """
    candidate = Path(name_or_path)
    path = candidate if candidate.suffix == ".json" and candidate.is_file() else None
    if path is None:
        path = _path_for(str(name_or_path))
        if not path.is_file():
            known = ", ".join(item["name"] for item in list_comparisons()) or "none yet"
            raise InputError(f"No saved comparison {str(name_or_path)!r} (saved: {known}). Run `rnnclf compare --dataset NAME` first.")
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(f"Cannot read comparison {path}: {error}. Delete the file and run the comparison again.") from error
    if not isinstance(result, dict) or result.get("format") != FORMAT:
        raise InputError(f"{path} is not an rnnclf comparison (expected format {FORMAT!r}).")
    return {**result, "path": str(path)}


def list_comparisons() -> list[dict]:
    """Saved comparisons, newest first: name, created, dataset, cells, seeds, best cell and accuracies.

    Example:
        >>> [item["name"] for item in list_comparisons()]  # doctest: +SKIP
        ['compare-trec-20260101-120000']
    """
    items = []
    for path in comparisons_dir().glob("*.json"):
        try:
            result = load_comparison(path)
        except ValueError as error:
            items.append({"name": path.stem, "path": str(path), "error": str(error)})
            continue
        table = results_table(result)
        cells = table.drop(index=BASELINE_ROW)
        items.append({
            "name": path.stem, "path": str(path), "created": result.get("created"),
            "dataset": result["dataset"].get("name"), "fingerprint": result["dataset"].get("fingerprint"),
            "cells": result["cells"], "seeds": result["seeds"],
            "best_cell": str(cells["accuracy_mean"].idxmax()) if len(cells) else None,
            "accuracy": {cell: float(value) for cell, value in cells["accuracy_mean"].items()},
            "baseline_accuracy": float(table.loc[BASELINE_ROW, "accuracy_mean"]),
        })
    return sorted(items, key=lambda item: item.get("created") or "", reverse=True)
