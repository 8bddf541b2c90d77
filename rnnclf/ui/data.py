"""Cached data access for pages (tables and statistics are cached by file stamp)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from rnnclf.data.paths import home
from rnnclf.ui.state import dataset_selectbox

__all__ = ["builtin_overview", "builtin_stats", "builtin_sample", "table_stats", "save_upload", "data_source_picker"]


def builtin_overview() -> list[dict]:
    """Every built-in dataset with its fetched state and row counts (cheap: sidecars only)."""
    from rnnclf.data.datasets import DATASETS, fetched_metadata

    rows = []
    for name, spec in DATASETS.items():
        metadata = fetched_metadata(name)
        rows.append({
            "name": name,
            "description": spec.description,
            "labels": ", ".join(spec.labels),
            "fetched": metadata is not None,
            "rows": (metadata or {}).get("rows"),
            "source": spec.source,
            "licence": spec.licence,
        })
    return rows


def overview_table(overview: list[dict]) -> list[dict]:
    """The Datasets page's table: human column names, every cell filled (no "None").

    >>> overview_table([{"name": "trec", "labels": "ABBR, DESC", "fetched": False, "rows": None, "description": "Questions."}])
    [{'Dataset': 'trec', 'Classes': 'ABBR, DESC', 'Rows': 'not fetched yet', 'Description': 'Questions.'}]
    """
    return [
        {
            "Dataset": row["name"],
            "Classes": row["labels"],
            "Rows": f"{row['rows']:,}" if row["fetched"] and row["rows"] is not None else ("fetched" if row["fetched"] else "not fetched yet"),
            "Description": row["description"],
        }
        for row in overview
    ]


@st.cache_data(show_spinner="Computing statistics…", max_entries=16)
def _stats_for(name: str, stamp: float) -> dict:
    from rnnclf.data.datasets import load_dataset
    from rnnclf.data.splits import dataset_stats

    return dataset_stats(load_dataset(name))


def _stamp(name: str) -> float:
    from rnnclf.data.paths import datasets_dir

    path = datasets_dir() / f"{name}.csv"
    return path.stat().st_mtime if path.exists() else 0.0


def builtin_stats(name: str) -> dict:
    return _stats_for(name, _stamp(name))


@st.cache_data(max_entries=16)
def _sample_for(name: str, stamp: float, rows: int):
    from rnnclf.data.datasets import load_dataset

    frame = load_dataset(name)
    return frame.sample(min(rows, len(frame)), random_state=0)


def builtin_sample(name: str, rows: int = 10):
    return _sample_for(name, _stamp(name), rows)


@st.cache_data(show_spinner="Computing statistics…", max_entries=8)
def table_stats(frame_json: str) -> dict:
    import io

    import pandas as pd

    from rnnclf.data.splits import dataset_stats

    return dataset_stats(pd.read_json(io.StringIO(frame_json), orient="split"))


def save_upload(data: bytes, name: str) -> Path:
    """Keep an uploaded file under RNNCLF_HOME/uploads (content-addressed) so a job can read it."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    suffix = ".tsv" if name.lower().endswith(".tsv") else ".csv"
    directory = home() / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{digest}{suffix}"
    if not path.exists():
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    return path


def data_source_picker(prefix: str, choose_columns: bool = True) -> tuple[list[str], str | None]:
    """Built-in dataset or uploaded CSV, as CLI arguments for a job.

    Returns ``(arguments, problem)``: ``["--dataset", NAME]`` or ``["--csv", PATH,
    "--text-col", …, "--label-col", …]``, and a message saying what is missing
    or wrong (``None`` when the choice is usable). Widget keys start with ``prefix``.
    """
    from rnnclf.data.csv_import import read_table_bytes
    from rnnclf.errors import DatasetError

    fetched = [row["name"] for row in builtin_overview() if row["fetched"]]
    kind = st.radio("Data", ["Built-in dataset", "Upload a CSV"], horizontal=True, key=f"{prefix}-source")
    if kind == "Built-in dataset":
        if not fetched:
            return [], "No built-in dataset is fetched yet: fetch them on the **Datasets** page, or upload a CSV."
        return ["--dataset", dataset_selectbox("Dataset", fetched, key=f"{prefix}-dataset")], None
    upload = st.file_uploader("CSV/TSV with a text and a label column", type=["csv", "tsv", "txt"], key=f"{prefix}-upload")
    if upload is None:
        return [], "Upload a file to continue."
    try:
        table = read_table_bytes(upload.getvalue(), upload.name)
        text_column, label_column = table.text_column, table.label_column
        if choose_columns:
            columns = table.columns
            left, right = st.columns(2)
            text_column = left.selectbox("Text column", columns, index=columns.index(text_column), key=f"{prefix}-text-col")
            guess = label_column if label_column in columns else columns[-1]
            label_column = right.selectbox("Label column", columns, index=columns.index(guess), key=f"{prefix}-label-col")
            table = read_table_bytes(upload.getvalue(), upload.name, text_column=text_column, label_column=label_column)
        counts = table.dataframe["label"].value_counts()
        st.caption(f"{len(table.dataframe):,} usable rows · text = {text_column!r}, label = {label_column!r} · "
                   f"{len(counts)} classes: " + ", ".join(f"{label} ({count})" for label, count in counts.items()))
    except DatasetError as error:
        return [], str(error)
    path = save_upload(upload.getvalue(), upload.name)
    return ["--csv", str(path), "--text-col", text_column, "--label-col", label_column], None
