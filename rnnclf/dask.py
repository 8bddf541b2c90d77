"""Score a ``dask.dataframe`` with a saved run, partition by partition, one loaded classifier per worker.

Each partition becomes :func:`rnnclf.batch.predictions_frame` on its texts —
the same columns as ``rnnclf predict`` and the Classify page's batch tab, next to
the partition's own columns. A worker loads the run once (the first partition it
scores) and keeps it for the rest, so TensorFlow and the model load are paid once
per worker, not per partition. Works with any Dask scheduler; for a cluster, every
worker needs rnnclf installed and the run directory readable at the same path.

Example:
    >>> import dask.dataframe as dd
    >>> from distributed import Client, LocalCluster
    >>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))  # doctest: +SKIP
    >>> frame = dd.read_csv("reviews-*.csv")  # doctest: +SKIP
    >>> scored = predict_dataframe(frame, "default", text_column="review")  # doctest: +SKIP
    >>> scored.to_csv("scored-*.csv", index=False)  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from pathlib import Path

from rnnclf.batch import COVERAGE_COLUMNS
from rnnclf.errors import InputError

__all__ = ["predict_dataframe", "score_partition"]

# Classifiers already loaded in this process (a Dask worker), by run directory.
_LOADED: dict[str, object] = {}
_LOADING = threading.Lock()


def _classifier(run_directory: str):
    with _LOADING:
        if run_directory not in _LOADED:
            from rnnclf.classifier import RNNTextClassifier

            _LOADED[run_directory] = RNNTextClassifier.load(run_directory)
        return _LOADED[run_directory]


def score_partition(partition, run_directory: str, text_column: str, digits: int | None = None):
    """One partition (a pandas DataFrame) with the prediction columns added; what each Dask task runs."""
    from rnnclf.batch import predictions_frame

    classifier = _classifier(run_directory)
    texts = partition[text_column].tolist()
    return predictions_frame(classifier, texts, source=partition.drop(columns=[text_column]), digits=digits).set_index(
        partition.index)


def _output_columns(columns: list[str], classes: list[str]) -> list[str]:
    results = ["text", "label", *[f"p_{label}" for label in classes], *COVERAGE_COLUMNS, "error"]
    return [f"input_{column}" if column in results else column for column in columns] + results


def predict_dataframe(frame, model: str | Path = "default", text_column: str = "text", *, digits: int | None = None):
    """``frame`` (a ``dask.dataframe.DataFrame``) with ``label``, ``p_<class>``, coverage and ``error`` columns, lazily.

    Args:
        frame: the texts, one per row, in ``text_column``; other columns are kept (a name that clashes with
            a result column gets the prefix ``input_``).
        model: a run name, run directory or bundled model name (``"default"``, ``"default-zh"``).
        text_column: the column with the texts.
        digits: round the probabilities to this many places. Default: no rounding.

    Returns:
        A lazy ``dask.dataframe.DataFrame`` with the partitions and index of ``frame``; call ``.compute()``
        or write it with ``to_csv`` / ``to_parquet``.

    Raises:
        InputError: the column is missing or the model cannot be found.
    """
    import pandas as pd

    from rnnclf.store import read_meta, resolve_run

    if text_column not in frame.columns:
        raise InputError(f"The frame has no column {text_column!r}; its columns are {list(frame.columns)}. "
                         "Pass the one with the texts as text_column=...")
    directory = resolve_run(model)
    classes = [str(label) for label in read_meta(directory).get("classes", [])]
    others = [column for column in frame.columns if column != text_column]
    # Dask needs the result's columns and types up front (meta), so nothing is scored to find them out.
    meta = pd.DataFrame({column: pd.Series(dtype="object") for column in _output_columns(others, classes)})
    for column in [f"p_{label}" for label in classes] + ["coverage"]:
        meta[column] = meta[column].astype("float64")
    for column, renamed in zip(others, _output_columns(others, classes)):
        meta[renamed] = pd.Series(dtype=frame[column].dtype)
    return frame.map_partitions(score_partition, str(directory), text_column, digits, meta=meta)
