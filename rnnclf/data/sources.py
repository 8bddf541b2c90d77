"""One way in for labelled data: a built-in dataset, a CSV file or texts in memory → a split.

Training (``rnnclf train``, the Train page), comparisons and benchmarks all
load their data here, so the same source always gives the same deduplicated,
stratified, seeded split — and the same fingerprint.

>>> texts = [f"{word} film {number}" for number in range(10) for word in ("good", "bad")]
>>> split, source = load_labelled_split(texts_labels=(texts, ["pos", "neg"] * 10))
>>> source["name"], split.sizes["test"], source["fingerprint"] == split.fingerprint
('texts', 4, True)
>>> timestamped_name("gru", "My Reviews (2024).csv", stamp="20260101-120000")
'gru-My-Reviews-2024-20260101-120000'
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Sequence

import pandas as pd

from rnnclf.data.splits import DatasetSplit, split_dataset
from rnnclf.errors import InputError

__all__ = ["load_labelled_split", "timestamped_name"]


def load_labelled_split(
    *,
    dataset: str | None = None,
    csv: str | Path | None = None,
    texts_labels: tuple[Sequence[str], Sequence] | None = None,
    text_column: str | None = None,
    label_column: str | None = None,
    seed: int = 0,
    validation_size: float = 0.1,
    test_size: float = 0.2,
) -> tuple[DatasetSplit, dict]:
    """Return ``(split, description)`` for exactly one of ``dataset``, ``csv`` or ``texts_labels``.

    The description holds the source's name, CSV path and columns, the split's
    fingerprint, sizes, settings and deduplication report — what a run or a
    comparison records about its data.
    """
    if sum(source is not None for source in (dataset, csv, texts_labels)) != 1:
        raise InputError("Give exactly one data source: a built-in dataset (--dataset NAME), a CSV file (--csv PATH), "
                         "or texts_labels=(texts, labels).")
    if texts_labels is not None:
        texts, labels = texts_labels
        frame, source = pd.DataFrame({"text": list(texts), "label": list(labels)}), {"name": "texts", "csv": None}
    elif dataset is not None:
        from rnnclf.data.datasets import load_dataset

        frame, source = load_dataset(str(dataset)), {"name": str(dataset), "csv": None}
    else:
        from rnnclf.data.csv_import import read_table

        table = read_table(csv, text_column=text_column, label_column=label_column)
        frame = table.dataframe
        source = {"name": Path(csv).stem, "csv": str(csv), "columns": [table.text_column, table.label_column]}
    split = split_dataset(frame, seed=int(seed), validation_size=validation_size, test_size=test_size)
    settings = {"seed": int(seed), "validation_size": validation_size, "test_size": test_size}
    return split, {**source, "fingerprint": split.fingerprint, "sizes": split.sizes, "split": settings, "report": split.report}


def timestamped_name(prefix: str, source: str, *, stamp: str | None = None) -> str:
    """A default run or comparison name: ``<prefix>-<source stem>-<date-time>``, safe as a directory name."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(str(source)).stem).strip("-._") or "data"
    return f"{prefix}-{stem}-{stamp or time.strftime('%Y%m%d-%H%M%S')}"
