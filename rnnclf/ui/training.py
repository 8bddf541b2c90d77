"""Train-page helpers: widgets → CLI arguments, progress events → curves."""

from __future__ import annotations

import streamlit as st

from rnnclf.experiments.presets import PRESETS
from rnnclf.text import TOKENIZERS
from rnnclf.ui import charts

__all__ = ["history_from_events", "live_training_curves", "train_arguments", "preset_form_values", "form_query",
           "form_values_from_query", "read_form_from_url", "write_form_to_url", "drop_form_from_url", "FORM_FIELDS",
           "FIELD_LIMITS"]


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


# Allowed values of the Train form's fields: (low, high) for numbers, a tuple of choices for selects.
# The page draws its widgets with these, and a link's values are checked against them.
FIELD_LIMITS: dict[str, tuple] = {
    "train-cell": ("rnn", "lstm", "gru"),
    "train-epochs": (1, 100),
    "train-units": (4, 512),
    "train-embedding": (8, 300),
    "train-layers": (1, 4),
    "train-batch": (4, 512),
    "train-dropout": (0.0, 0.8),
    "train-spatial-dropout": (0.0, 0.8),
    "train-pooling": tuple(POOLING_LABELS),
    "train-lr": (1e-5, 1.0),
    "train-clip": (0.0, 100.0),
    "train-patience": (1, 20),
    "train-seed": (0, 10_000),
    "train-tokenizer": TOKENIZER_OPTIONS,
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
    if params.get("init_from"):
        arguments += ["--init-from", str(params["init_from"])]
    elif params.get("pretrained_embeddings"):
        arguments.append("--glove")
    if params.get("class_weight") == "balanced":
        arguments += ["--class-weight", "balanced"]
    if name:
        arguments += ["--name", name]
    return arguments


# Train-form fields a saved run fixes when training starts from it (init_from): parameter → widget key.
TRANSFER_FIELDS = {
    "cell_type": "train-cell", "units": "train-units", "embedding_dim": "train-embedding", "num_layers": "train-layers",
    "bidirectional": "train-bidirectional", "pooling": "train-pooling", "tokenizer": "train-tokenizer",
}


def start_from_values(run: str) -> dict:
    """Widget values that make the form show the architecture of ``run`` (what a transfer from it trains).

    >>> values = start_from_values("default")
    >>> values["train-cell"], values["train-bidirectional"], values["train-embedding"], values["train-glove"]
    ('gru', True, 50, False)
    """
    from rnnclf.classifier import transfer_settings

    settings = transfer_settings(run)
    values = {key: settings[parameter] for parameter, key in TRANSFER_FIELDS.items()}
    values["train-glove"] = False  # the embedding comes from the run
    return values


def _as_text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def form_query(values: dict, preset: str) -> dict[str, str]:
    """URL query parameters that rebuild the Train form: the preset, and each field that differs from it.

    >>> form = {**preset_form_values(PRESETS["quick"]["params"]), "train-units": 48}
    >>> form_query(form, "quick")
    {'preset': 'quick', 'units': '48'}
    """
    base = preset_form_values(PRESETS[preset]["params"])
    query = {"preset": preset}
    for key, (parameter, _) in FORM_FIELDS.items():
        if key in values and values[key] != base[key]:
            query[parameter] = _as_text(values[key])
    return query


def _parse_field(key: str, text: str, like):
    """A URL value for field ``key`` as the widget's type, or raise ValueError saying what is allowed."""
    limits = FIELD_LIMITS.get(key)
    if isinstance(like, bool):
        if text not in ("true", "false"):
            raise ValueError("expected true or false")
        return text == "true"
    if isinstance(limits, tuple) and limits and isinstance(limits[0], str):
        if text not in limits:
            raise ValueError(f"expected one of {', '.join(limits)}")
        return text
    number = float(text) if isinstance(like, float) else int(text)
    if limits and not limits[0] <= number <= limits[1]:
        raise ValueError(f"expected {limits[0]:g} to {limits[1]:g}")
    return number


def form_values_from_query(query) -> tuple[dict, list[str]]:
    """Widget values from a link made by :func:`form_query`, and a sentence per value that was not usable.

    Unknown presets give no values; an unusable field keeps the preset's value.

    >>> values, problems = form_values_from_query({"preset": "quick", "units": "48", "epochs": "9999"})
    >>> values["train-preset"], values["train-units"], values["train-epochs"], problems
    ('quick', 48, 3, ["The link's epochs=9999 was ignored (expected 1 to 100)."])
    """
    preset = query.get("preset")
    if preset not in PRESETS:
        return {}, ([f"The link's preset={preset!r} is unknown; the form starts from the defaults."] if preset else [])
    values = {"train-preset": preset, **preset_form_values(PRESETS[preset]["params"])}
    problems = []
    for key, (parameter, _) in FORM_FIELDS.items():
        if parameter not in query:
            continue
        try:
            values[key] = _parse_field(key, str(query[parameter]), values[key])
        except ValueError as error:
            problems.append(f"The link's {parameter}={query[parameter]} was ignored ({error}).")
    return values, problems


# Query parameter names the Train form owns.
FORM_QUERY_NAMES = frozenset({"preset", *(parameter for parameter, _ in FORM_FIELDS.values())})


def read_form_from_url() -> None:
    """On a session's first visit to Train, rebuild the form from the URL (a reload or a shared link)."""
    if st.session_state.get("_train_url_read"):
        return
    st.session_state["_train_url_read"] = True
    values, problems = form_values_from_query(st.query_params)
    st.session_state.update(values)
    for problem in problems:
        st.warning(problem)


def write_form_to_url(values: dict, preset: str) -> None:
    """Put the form in the URL (preset + changed fields), so a reload or a shared link rebuilds it."""
    wanted = form_query(values, preset)
    for name in [name for name in st.query_params if name in FORM_QUERY_NAMES and name not in wanted]:
        del st.query_params[name]
    for name, value in wanted.items():
        if st.query_params.get(name) != value:
            st.query_params[name] = value


def drop_form_from_url() -> None:
    """Other pages carry no Train form in their URL."""
    for name in [name for name in st.query_params if name in FORM_QUERY_NAMES]:
        del st.query_params[name]
