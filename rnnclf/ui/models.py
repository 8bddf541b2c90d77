"""Loading the active model once per process (``st.cache_resource``), warmed up."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from rnnclf.store import RunError, read_meta, resolve_run
from rnnclf.ui.state import DEFAULT_MODEL, active_model, set_active_model

__all__ = ["load_active_classifier", "load_classifier", "describe_model", "display_name", "model_stamp"]


def display_name(name: str) -> str:
    """What people see for a model: bundled ones by their language, runs by their name.

    >>> display_name("default"), display_name("default-zh"), display_name("gru-movies")
    ('default sentiment model (English)', 'default sentiment model (Chinese)', 'gru-movies')
    """
    from rnnclf.data.paths import BUNDLED_MODELS

    if name not in BUNDLED_MODELS:
        return name
    return f"default sentiment model ({'Chinese' if BUNDLED_MODELS[name][1] == 'zh' else 'English'})"


def model_stamp(path: Path) -> float:
    """Modification time of a run's files: a re-saved run gets a new cache entry."""
    try:
        return max(child.stat().st_mtime for child in Path(path).iterdir())
    except (OSError, ValueError):
        return 0.0


LOADING_MESSAGE = (
    "Loading the model and preparing every explanation method — once per model after the app starts "
    "(a few seconds; longer on a busy machine). Later answers take milliseconds."
)


@st.cache_resource(show_spinner=LOADING_MESSAGE, max_entries=4)
def _cached_classifier(path: str, stamp: float):
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.interpret.analysis import warm_up_analysis

    classifier = RNNTextClassifier.load(Path(path))
    # Trace every explanation method, the trajectory and deletion paths now, while the
    # page shows LOADING_MESSAGE, so no method's first click pays for tracing.
    warm_up_analysis(classifier)
    return classifier


def load_classifier(name: str):
    """The classifier for run ``name`` (cached; never mutate it). Raises RunError."""
    path = resolve_run(name)
    read_meta(path)  # fails fast with a clear message for deleted/foreign runs
    return _cached_classifier(str(path), model_stamp(path))


def load_active_classifier():
    """Classifier for the active model; falls back to the default model if the
    active run disappeared (e.g. deleted in another tab), saying so."""
    name = active_model()
    try:
        return name, load_classifier(name)
    except RunError as error:
        if name == DEFAULT_MODEL:
            raise
        st.warning(f"The active model {name!r} cannot be used ({error}). Switched back to the default model.")
        set_active_model(DEFAULT_MODEL)
        return DEFAULT_MODEL, load_classifier(DEFAULT_MODEL)


def describe_model(name: str) -> dict:
    """Small facts about a run for the sidebar (never raises)."""
    try:
        meta = read_meta(resolve_run(name))
    except RunError as error:
        return {"name": name, "error": str(error)}
    params = meta.get("params", {})
    metrics = meta.get("metrics") or {}
    dataset = meta.get("dataset") or {}
    return {
        "name": display_name(name),
        "cell": (("bi-" if params.get("bidirectional") else "") + str(params.get("cell_type", "?"))).upper(),
        "classes": meta.get("classes", []),
        "dataset": dataset.get("name") or (Path(dataset["csv"]).name if dataset.get("csv") else None),
        "accuracy": metrics.get("accuracy"),
    }
