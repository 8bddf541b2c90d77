"""Train-page helpers: widgets → CLI arguments, progress events → curves."""

from __future__ import annotations

import streamlit as st

from rnnclf.ui import charts

__all__ = ["history_from_events", "live_training_curves", "train_arguments"]


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
TOKENIZER_OPTIONS = ("auto", "tweet", "treebank", "regexp", "jieba", "char")
TOKENIZER_LABELS = {
    "auto": "automatic (from the language of the data)",
    "tweet": "words (TweetTokenizer)",
    "treebank": "words (Penn Treebank)",
    "regexp": "words and punctuation (regexp)",
    "jieba": "Chinese words (jieba)",
    "char": "characters (Chinese, Japanese, Korean)",
}


def train_arguments(source_arguments: list[str], params: dict, name: str | None) -> list[str]:
    """CLI arguments for ``rnnclf train`` from the data choice and the page's settings."""
    arguments = ["train", "--json", *source_arguments]
    flags = {
        "cell_type": "--cell", "embedding_dim": "--embedding-dim", "units": "--units", "num_layers": "--layers",
        "dropout": "--dropout", "learning_rate": "--lr", "clipnorm": "--clipnorm", "epochs": "--epochs",
        "batch_size": "--batch-size", "patience": "--patience", "seed": "--seed", "max_length": "--max-length",
        "tokenizer": "--tokenizer",
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
