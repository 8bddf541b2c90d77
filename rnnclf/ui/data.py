"""Cached data access for pages (tables and statistics are cached by file stamp)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from rnnclf.paths import home

__all__ = ["builtin_overview", "builtin_stats", "builtin_sample", "table_stats", "save_upload"]


def builtin_overview() -> list[dict]:
    """Every built-in dataset with its fetched state and row counts (cheap: sidecars only)."""
    from rnnclf.datasets import DATASETS, fetched_metadata

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


@st.cache_data(show_spinner="Computing statistics…", max_entries=16)
def _stats_for(name: str, stamp: float) -> dict:
    from rnnclf.datasets import load_dataset
    from rnnclf.splits import dataset_stats

    return dataset_stats(load_dataset(name))


def _stamp(name: str) -> float:
    from rnnclf.paths import datasets_dir

    path = datasets_dir() / f"{name}.csv"
    return path.stat().st_mtime if path.exists() else 0.0


def builtin_stats(name: str) -> dict:
    return _stats_for(name, _stamp(name))


@st.cache_data(max_entries=16)
def _sample_for(name: str, stamp: float, rows: int):
    from rnnclf.datasets import load_dataset

    frame = load_dataset(name)
    return frame.sample(min(rows, len(frame)), random_state=0)


def builtin_sample(name: str, rows: int = 10):
    return _sample_for(name, _stamp(name), rows)


@st.cache_data(show_spinner="Computing statistics…", max_entries=8)
def table_stats(frame_json: str) -> dict:
    import io

    import pandas as pd

    from rnnclf.splits import dataset_stats

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
