"""Train-page helpers: widgets → CLI arguments, progress events → curves."""

from __future__ import annotations

import streamlit as st

from rnnclf.text import TOKENIZERS
from rnnclf.ui import charts

__all__ = ["history_from_events", "live_training_curves", "train_arguments", "preset_form_values", "FORM_FIELDS"]


def history_from_events(events: list[dict]) -> dict[str, list[float]]:
    """Per-epoch metric lists rebuilt from a job's progress events (latest run of each epoch wins)."""
    by_epoch: dict[int, dict] = {}
    for event in events:
        if event.get("stage") == "epoch":
            by_epoch[int(event["epoch"])] = event.get("logs") or {}
    history: dict[str, list[float]] = {}
    for epoch in sorted(by_epoch):
        for key, value in by_epoch[epoch].items():
            history.setdefault(key, []).append(value)
    return history


def live_training_curves(events: list[dict]) -> None:
    history = history_from_events(events)
    if history.get("loss"):
        st.plotly_chart(charts.training_curves(history), key=f"live-curves-{len(events)}")
    else:
        st.caption("Curves appear after the first epoch.")


# Tokenizer choices on the Train and Compare pages: "auto" lets the data's language decide.
TOKENIZER_OPTIONS = ("auto", *TOKENIZERS)
TOKENIZER_LABELS = {
    "auto": "automatic (from the language of the data)",
    "tweet": "words (TweetTokenizer)",
    "treebank": "words (Penn Treebank)",
    "regexp": "words and punctuation (regexp)",
    "jieba": "Chinese words (jieba)",
    "char": "characters (Chinese, Japanese, Korean)",
}


# What the head reads, in words (the keys of rnnclf.models.POOLINGS).
POOLING_LABELS = {
    "last": "last state",
    "max_mean": "last state + max + mean over words",
    "attention": "last state + attention over words",
}


# Train-form widget key → (parameter, value when a preset does not set it). The form shows exactly
# these values, and train_arguments() trains exactly what the form shows.
FORM_FIELDS = {
    "train-cell": ("cell_type", "lstm"),
    "train-epochs": ("epochs", 10),
    "train-units": ("units", 64),
    "train-embedding": ("embedding_dim", 64),
    "train-layers": ("num_layers", 1),
    "train-batch": ("batch_size", 32),
    "train-dropout": ("dropout", 0.0),
    "train-spatial-dropout": ("spatial_dropout", 0.0),
    "train-pooling": ("pooling", "last"),
    "train-lr": ("learning_rate", 1e-3),
    "train-clip": ("clipnorm", 1.0),
    "train-patience": ("patience", 2),
    "train-seed": ("seed", 0),
    "train-bidirectional": ("bidirectional", False),
    "train-glove": ("pretrained_embeddings", None),
    "train-tokenizer": ("tokenizer", "auto"),
}


def preset_form_values(params: dict) -> dict:
    """Widget key → value that makes the Train form show the preset ``params`` (defaults elsewhere).

    >>> values = preset_form_values({"cell_type": "gru", "units": 32, "pretrained_embeddings": "glove-6b-50d"})
    >>> values["train-cell"], values["train-units"], values["train-epochs"], values["train-glove"]
    ('gru', 32, 10, True)
    """
    values = {}
    for key, (parameter, default) in FORM_FIELDS.items():
        value = params.get(parameter, default)
        if parameter == "pretrained_embeddings":
            value = bool(value)
        elif isinstance(default, float) and value is not None:
            value = float(value)
        values[key] = value
    return values


def train_arguments(source_arguments: list[str], params: dict, name: str | None) -> list[str]:
    """CLI arguments for ``rnnclf train`` from the data choice and the page's settings."""
    arguments = ["train", "--json", *source_arguments]
    flags = {
        "cell_type": "--cell", "embedding_dim": "--embedding-dim", "units": "--units", "num_layers": "--layers",
        "dropout": "--dropout", "learning_rate": "--lr", "clipnorm": "--clipnorm", "epochs": "--epochs",
        "batch_size": "--batch-size", "patience": "--patience", "seed": "--seed", "max_length": "--max-length",
        "tokenizer": "--tokenizer", "pooling": "--pooling", "spatial_dropout": "--spatial-dropout",
    }
    for key, flag in flags.items():
        value = params.get(key)
        if value is not None:
            arguments += [flag, str(value)]
    if params.get("bidirectional"):
        arguments.append("--bidirectional")
    if params.get("pretrained_embeddings"):
        arguments.append("--glove")
    if params.get("class_weight") == "balanced":
        arguments += ["--class-weight", "balanced"]
    if name:
        arguments += ["--name", name]
    return arguments
