"""Tables from a comparison result (the dict :func:`rnnclf.experiments.compare.compare` returns
or :func:`~rnnclf.experiments.compare.load_comparison` reads): one row per cell with mean ± std
over seeds next to the baseline, accuracy by text length, and the learning curves.

>>> [round(value, 4) for value in _spread([0.8, 0.9])]
[0.85, 0.0707]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["BASELINE_ROW", "BASELINE_ROWS", "METRICS", "ensemble_summary", "gradient_flow_summary", "results_table", "length_table",
           "learning_curves"]

# Row names of the baselines in every table (the tuned TF-IDF + logistic regression first).
BASELINE_ROW = "tfidf-logreg"
BASELINE_ROWS = ("tfidf-logreg", "nbsvm")
# Test metrics reported per run (mean ± std over seeds in the tables).
METRICS = ("accuracy", "macro_f1", "mcc")


# ------------------------------------------------------------------------------- tables
def _spread(values: list) -> tuple[float, float]:
    """Mean and sample standard deviation (NaN with a single value)."""
    values = [float(value) for value in values if value is not None]
    if not values:
        return math.nan, math.nan
    return float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else math.nan


def _describe_choice(chosen: dict | None) -> str:
    """What a baseline chose on validation, e.g. ``"C=8, word 1-2 + char 2-5"`` (empty when untuned).

    >>> _describe_choice({"features": "word 1-2", "C": 8.0})
    'C=8, word 1-2'
    """
    if not chosen:
        return ""
    return f"C={chosen['C']:g}, {chosen['features']}"


def results_table(result: dict) -> pd.DataFrame:
    """One row per cell type plus one per baseline (:data:`BASELINE_ROW`, ``"nbsvm"``): mean and std over seeds.

    Columns: ``runs``, ``accuracy_mean/std``, ``macro_f1_mean/std``,
    ``mcc_mean/std``, ``parameters``, ``seconds_per_epoch``, ``best_epoch``
    (mean epoch of the lowest validation loss), ``latency_ms`` (median of the
    per-run p50), ``train_seconds`` (an RNN's training time; a baseline's search
    and fit time), ``settings`` (what a baseline chose on validation) and
    ``fingerprint`` (the test split each row was scored on). A baseline is one
    deterministic fit, so its std is NaN.

    Example:
        >>> results_table(load_comparison("compare-trec")).loc["gru", "accuracy_mean"]  # doctest: +SKIP
        0.861
    """
    rows = {}
    for cell in result["cells"]:
        runs = [run for run in result["runs"] if run["cell"] == cell]
        row: dict = {"runs": len(runs)}
        for metric in METRICS:
            row[f"{metric}_mean"], row[f"{metric}_std"] = _spread([run["metrics"][metric] for run in runs])
        row["parameters"] = float(runs[0]["parameters"]) if runs else math.nan
        row["seconds_per_epoch"] = _spread([run["seconds_per_epoch"] for run in runs])[0]
        row["best_epoch"] = _spread([run["best_epoch"] for run in runs])[0]
        row["latency_ms"] = float(np.median([run["latency_ms"]["p50"] for run in runs])) if runs else math.nan
        row["fingerprint"] = runs[0]["fingerprint"] if runs else None
        row["train_seconds"] = _spread([run.get("training_seconds") for run in runs])[0]
        row["settings"] = ""
        rows[cell] = row
    # Comparisons saved before the baselines were tuned hold one untuned "baseline".
    for name, baseline in (result.get("baselines") or {BASELINE_ROW: result["baseline"]}).items():
        rows[name] = {"runs": 1, **{f"{metric}_mean": float(baseline[metric]) for metric in METRICS},
                      **{f"{metric}_std": math.nan for metric in METRICS}, "parameters": math.nan,
                      "seconds_per_epoch": math.nan, "best_epoch": math.nan, "latency_ms": math.nan,
                      "train_seconds": baseline.get("fit_seconds", math.nan), "fingerprint": baseline["fingerprint"],
                      "settings": _describe_choice(baseline.get("chosen"))}
    columns = ["runs"] + [f"{metric}_{part}" for metric in METRICS for part in ("mean", "std")]
    columns += ["parameters", "train_seconds", "seconds_per_epoch", "best_epoch", "latency_ms", "settings", "fingerprint"]
    return pd.DataFrame.from_dict(rows, orient="index")[columns]


def ensemble_summary(result: dict, names: dict | None = None) -> str | None:
    """One sentence on the seed ensembles (averaged probabilities of each cell's seeds), from ``result``; ``None`` if none.

    Example:
        >>> print(ensemble_summary({"cells": ["gru"], "runs": [{"cell": "gru", "metrics": {"accuracy": 0.80}},
        ...                         {"cell": "gru", "metrics": {"accuracy": 0.82}}],
        ...                         "ensembles": {"gru": {"accuracy": 0.83, "members": 2}}}))
        Seed ensembles (each cell's 2 seeds, probabilities averaged), test accuracy: gru 0.830 (+2.0 points over its seeds' mean).
    """
    ensembles = result.get("ensembles") or {}
    if not ensembles:
        return None
    names = names or {}
    parts = []
    for cell, ensemble in ensembles.items():
        seeds = [run["metrics"]["accuracy"] for run in result["runs"] if run["cell"] == cell]
        gain = (ensemble["accuracy"] - float(np.mean(seeds))) * 100
        parts.append(f"{names.get(cell, cell)} {ensemble['accuracy']:.3f} ({gain:+.1f} points over its seeds' mean)")
    members = {ensemble["members"] for ensemble in ensembles.values()}
    count = members.pop() if len(members) == 1 else "several"
    return f"Seed ensembles (each cell's {count} seeds, probabilities averaged), test accuracy: " + "; ".join(parts) + "."


def length_table(result: dict) -> pd.DataFrame:
    """Mean accuracy per token-length bucket (columns) for each cell type (rows), over seeds.

    Example:
        >>> length_table(result).columns.tolist()  # doctest: +SKIP
        ['0-9', '10-19', '20-39']
    """
    records = [
        {"cell": run["cell"], "bucket": bucket["bucket"], "accuracy": bucket["accuracy"]}
        for run in result["runs"] for bucket in run["accuracy_by_length"]
    ]
    if not records:
        return pd.DataFrame()
    frame = pd.DataFrame(records)
    buckets = list(dict.fromkeys(frame["bucket"]))
    table = frame.pivot_table(index="cell", columns="bucket", values="accuracy", aggfunc="mean")
    return table.reindex(index=[cell for cell in result["cells"] if cell in table.index], columns=buckets)


def learning_curves(result: dict) -> pd.DataFrame:
    """Per-epoch history of every run, long format: ``cell, seed, epoch, loss, accuracy, val_loss, …``.

    Example:
        >>> learning_curves(result).groupby("cell")["val_loss"].min()  # doctest: +SKIP
    """
    frames = []
    for run in result["runs"]:
        history = pd.DataFrame(run["history"])
        history.insert(0, "epoch", np.arange(1, len(history) + 1))
        history.insert(0, "seed", run["seed"])
        history.insert(0, "cell", run["cell"])
        frames.append(history)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# Display names of the cell types (one spelling in every table, sentence and legend).
CELL_NAMES = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def gradient_flow_summary(flows: dict) -> str:
    """One sentence on the measured gradient decay per cell, computed from ``flows`` (never a fixed verdict).

    ``decay_per_step`` is the share of the gradient's size left after one more
    step back from the end of the text (see :mod:`rnnclf.experiments.gradient_flow`).

    >>> gradient_flow_summary({"rnn": {"decay_per_step": 0.81}, "gru": {"decay_per_step": 0.95}})
    'Per step back from the end of a text, the gradient keeps 81% of its size in the SimpleRNN and 95% in the GRU: it fades fastest in the SimpleRNN.'
    >>> gradient_flow_summary({"gru": {"decay_per_step": None}})
    'The texts were too short to measure how the gradient decays (fewer than two steps).'
    """
    measured = {cell: flow.get("decay_per_step") for cell, flow in flows.items() if flow.get("decay_per_step") is not None}
    if not measured:
        return "The texts were too short to measure how the gradient decays (fewer than two steps)."
    parts = [f"{value:.0%} in the {CELL_NAMES.get(cell, cell)}" for cell, value in measured.items()]
    parts[0] = parts[0].replace("% in", "% of its size in", 1)
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    sentence = f"Per step back from the end of a text, the gradient keeps {listed}"
    if len(measured) == 1:
        return sentence + "."
    fastest = min(measured, key=measured.get)
    return f"{sentence}: it fades fastest in the {CELL_NAMES.get(fastest, fastest)}."
