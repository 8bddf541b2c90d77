"""One streaming pass over a labelled CSV that gathers what training needs — as counts, never as the texts.

A file too big to hold is read a chunk at a time (:meth:`rnnclf.streaming.CsvLayout.chunks`).
Each usable row (a text that is not blank, a label that is not missing) falls
in the train, validation or test part by the fingerprint of its text
(:func:`rnnclf.data.splits.hash_parts`), so the parts need no shuffle of the
file and duplicates never cross them. :func:`count_csv` then counts, per part,
rows and classes, and for the training part the tokens and the token-length
histogram that :meth:`rnnclf.encoding.TextEncoder.fit_counts` fits from, plus an
evenly spaced sample for language detection. What it holds grows with the
vocabulary and with 8 bytes per row (the text fingerprints a run records and the
test part's fingerprint needs), never with the texts.

>>> import tempfile, pathlib
>>> from rnnclf.encoding import TextEncoder
>>> from rnnclf.streaming import csv_layout
>>> path = pathlib.Path(tempfile.mkdtemp()) / "notes.csv"
>>> _ = path.write_text("text,label\\n" + "".join(f"note {n} zing,pos\\nnote {n} blorp,neg\\n" for n in range(50)))
>>> counts = count_csv(csv_layout(path, labels=True), TextEncoder(), validation_size=0.1, test_size=0.2)
>>> counts.classes.tolist(), sum(part.rows for part in counts.parts.values()), counts.token_counts["zing"] > 30
(['neg', 'pos'], 100, True)
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from rnnclf.common import to_plain
from rnnclf.data.csv_import import MISSING_LABELS, labels_are_integers, require_classes
from rnnclf.data.splits import PARTS, hash_parts, keys_fingerprint, text_keys
from rnnclf.encoding import TextEncoder
from rnnclf.errors import DatasetError
from rnnclf.language import LANGUAGE_SAMPLE, EvenlySpacedSample
from rnnclf.streaming import CHUNK_ROWS, CsvLayout, TextChunk

__all__ = ["PartCounts", "CsvCounts", "count_csv", "usable_rows", "file_stamp", "WINDOW_ROWS"]

# Rows a streaming batch source gathers, shuffles and buckets by length at a time: enough for
# batches of near-equal length and a real shuffle, few enough (a few MB of ids) to keep memory flat.
WINDOW_ROWS = 16384


def usable_rows(chunk: TextChunk) -> tuple[list[str], list[str], int, int]:
    """The rows of ``chunk`` that can train: ``(texts, labels stripped, blank texts, missing labels)``.

    The same rules as :func:`rnnclf.data.csv_import.read_table`: a blank text drops
    its row, and so does a missing label (empty, ``NA``, ``null`` …) next to a text.

    >>> usable_rows(TextChunk(0, ["fine", "  ", "odd", "ok"], labels=[" 1", "0", "n/a", "0"]))
    (['fine', 'ok'], ['1', '0'], 1, 1)
    """
    texts, labels, blank, missing = [], [], 0, 0
    for text, label in zip(chunk.texts, chunk.labels):
        if not isinstance(text, str) or not text.strip():
            blank += 1
        elif label.strip().lower() in MISSING_LABELS:
            missing += 1
        else:
            texts.append(text)
            labels.append(label.strip())
    return texts, labels, blank, missing


def file_stamp(path) -> tuple[int, int]:
    """Size and modification time of a file: a file read again must still have the rows first counted."""
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


@dataclass
class PartCounts:
    """Rows of one part and how many of each label (as written, stripped); ``distinct`` texts after normalising."""

    rows: int = 0
    labels: Counter = field(default_factory=Counter)
    distinct: int = 0


@dataclass
class CsvCounts:
    """What :func:`count_csv` found; everything training needs before it reads the file again.

    Attributes:
        layout: how the file is read.
        validation_size, test_size: the shares :func:`~rnnclf.data.splits.hash_parts` cut at.
        rows_read: data rows in the file; ``blank_texts`` and ``missing_labels`` of them were dropped.
        replaced_rows: rows holding bytes the file's encoding could not read (kept, shown as ``�``).
        parts: :class:`PartCounts` for ``"train"``, ``"validation"`` and ``"test"``.
        classes: the labels of every part, sorted — integers when every label is written as one.
        label_targets: label as written → index in ``classes``.
        token_counts, length_counts: the training part's counts for :meth:`TextEncoder.fit_counts`.
        language_sample: up to :data:`~rnnclf.language.LANGUAGE_SAMPLE` evenly spaced training texts.
        seen_keys: sorted distinct :func:`~rnnclf.data.splits.text_keys` of the training and validation rows.
        test_keys: sorted distinct keys of the test rows (to count test texts a run started from has seen).
        test_fingerprint: :func:`~rnnclf.data.splits.keys_fingerprint` of the test part.
        single_class_windows: stretches of ``window_rows`` consecutive training rows with one class only.
        window_rows: the stretch length looked at.
        stamp: :func:`file_stamp` when counted.
        seconds: how long the pass took.
    """

    layout: CsvLayout
    validation_size: float
    test_size: float
    rows_read: int
    blank_texts: int
    missing_labels: int
    replaced_rows: int
    parts: dict[str, PartCounts]
    classes: np.ndarray
    label_targets: dict[str, int]
    token_counts: Counter
    length_counts: Counter
    language_sample: list[str]
    seen_keys: np.ndarray
    test_keys: np.ndarray
    test_fingerprint: str
    single_class_windows: int
    window_rows: int
    stamp: tuple[int, int]
    seconds: float

    def check_unchanged(self) -> None:
        """Refuse a file that changed since it was counted: its rows would no longer match the counts.

        Raises:
            DatasetError: the file's size or modification time differs from when it was counted.
        """
        if file_stamp(self.layout.path) != self.stamp:
            raise DatasetError(f"{self.layout.path} changed since it was counted (its size or time differ): training "
                               "reads it again every epoch, so leave the file alone while training, then start again.")

    def class_counts(self, part: str) -> np.ndarray:
        """Rows of each class (indexed like ``classes``) in ``part``."""
        counts = np.zeros(len(self.classes), dtype=np.int64)
        for label, rows in self.parts[part].labels.items():
            counts[self.label_targets[label]] += rows
        return counts

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0

    def warnings(self) -> list[str]:
        """What a person should know about this data before trusting a model trained on it."""
        notes = []
        untrained = [str(to_plain(label)) for label, rows in zip(self.classes, self.class_counts("train")) if not rows]
        if untrained:
            notes.append(f"class(es) {untrained} have no training rows (all their rows fell in validation or test): "
                         "the model cannot learn them; add examples of them.")
        if self.single_class_windows:
            notes.append(f"{self.single_class_windows} stretch(es) of {self.window_rows:,} consecutive training rows hold a "
                         "single class: the file looks sorted by label, and streaming training shuffles only within such "
                         "stretches. Shuffle the file's rows first (e.g. `shuf` after the header) for a better model.")
        if self.replaced_rows:
            notes.append(f"{self.replaced_rows} row(s) hold bytes that are not valid {self.layout.encoding} (read as '�'): "
                         "save the file as UTF-8 to keep their characters.")
        return notes

    def report(self) -> dict:
        """JSON-safe description for a run's meta.json: split, sizes, classes, dropped rows and duplicates."""
        return {
            "method": "hash of the normalised text (rnnclf.data.splits.hash_parts)",
            "rows_read": self.rows_read,
            "dropped_blank_texts": self.blank_texts,
            "dropped_missing_labels": self.missing_labels,
            "rows_with_replaced_bytes": self.replaced_rows,
            "sizes": {name: part.rows for name, part in self.parts.items()},
            # Duplicates stay in their part (they cannot reach another): counted, not removed.
            "duplicates": {name: part.rows - part.distinct for name, part in self.parts.items()},
            "class_counts": {name: {str(label): int(rows) for label, rows in sorted(part.labels.items())}
                             for name, part in self.parts.items()},
            "columns": [self.layout.text_column, self.layout.label_column],
            "encoding": self.layout.encoding,
            "count_seconds": round(self.seconds, 3),
        }


def count_csv(layout: CsvLayout, encoder: TextEncoder, *, validation_size: float = 0.1, test_size: float = 0.2,
              chunk_rows: int = CHUNK_ROWS, window_rows: int = WINDOW_ROWS,
              progress: Callable[[int, int], object] | None = None) -> CsvCounts:
    """Read a labelled CSV once, a chunk at a time, and count what training needs (see the module docstring).

    Args:
        layout: a :class:`~rnnclf.streaming.CsvLayout` with a label column (``csv_layout(path, labels=True)``).
        encoder: tokenizes the training texts for their counts (it need not be fitted).
        validation_size, test_size: shares of the parts, as in :func:`~rnnclf.data.splits.hash_parts`.
        chunk_rows: rows read at a time.
        window_rows: the stretch a streaming batch source shuffles within (for the sorted-file warning).
        progress: called after each chunk with the rows and the bytes read so far.

    Raises:
        DatasetError: no usable rows, a training part with fewer than two classes, or an empty test
            (or, when asked for, validation) part — each message says what to change.
    """
    if layout.label_column is None:
        raise DatasetError(f"{layout.path.name}: training needs a label column; read it with csv_layout(path, labels=True).")
    started, stamp = time.perf_counter(), file_stamp(layout.path)
    parts = {name: PartCounts() for name in PARTS}
    keys_by_part: dict[str, list[np.ndarray]] = {name: [] for name in PARTS}
    test_labels: list[np.ndarray] = []
    label_codes: dict[str, int] = {}  # label as written → order of first appearance (the test part's labels, compactly)
    token_counts, length_counts = Counter(), Counter()
    sample = EvenlySpacedSample(LANGUAGE_SAMPLE)
    rows_read = blank_total = missing_total = replaced = 0
    sorted_check = _SingleClassStretches(window_rows)
    for chunk in layout.chunks(chunk_rows):
        rows_read += len(chunk.texts)
        texts, labels, blank, missing = usable_rows(chunk)
        blank_total, missing_total = blank_total + blank, missing_total + missing
        replaced += sum("\ufffd" in text for text in texts)
        keys = text_keys(texts)
        where = hash_parts(keys, validation_size, test_size)
        for number, name in enumerate(PARTS):
            chosen = np.flatnonzero(where == number)
            if not len(chosen):
                continue
            part_labels = [labels[index] for index in chosen]
            parts[name].rows += len(chosen)
            parts[name].labels.update(part_labels)
            keys_by_part[name].append(keys[chosen])
            if name == "test":
                test_labels.append(np.array([label_codes.setdefault(label, len(label_codes)) for label in part_labels]))
            elif name == "train":
                train_texts = [texts[index] for index in chosen]
                encoder.count_texts(train_texts, token_counts, length_counts)
                sample.add(train_texts)
                sorted_check.add(part_labels)
        if progress is not None:
            progress(rows_read, chunk.bytes_read)
    classes, label_targets = _classes(parts)
    _refuse_unusable(layout, parts, rows_read, blank_total, missing_total, validation_size, test_size)
    distinct = {name: np.unique(np.concatenate(keys_by_part[name])) if keys_by_part[name] else np.zeros(0, np.uint64)
                for name in PARTS}
    for name in PARTS:
        parts[name].distinct = len(distinct[name])
    codes_to_targets = np.array([label_targets[label] for label in sorted(label_codes, key=label_codes.get)], dtype=np.int64)
    test_fingerprint = keys_fingerprint(np.concatenate(keys_by_part["test"]), codes_to_targets[np.concatenate(test_labels)],
                                        [to_plain(label) for label in classes])
    return CsvCounts(
        layout=layout, validation_size=validation_size, test_size=test_size, rows_read=rows_read, blank_texts=blank_total,
        missing_labels=missing_total, replaced_rows=replaced, parts=parts, classes=classes, label_targets=label_targets,
        token_counts=token_counts, length_counts=length_counts, language_sample=sample.items,
        seen_keys=np.union1d(distinct["train"], distinct["validation"]), test_keys=distinct["test"],
        test_fingerprint=test_fingerprint,
        single_class_windows=sorted_check.single_class if len(classes) > 1 else 0, window_rows=window_rows, stamp=stamp,
        seconds=time.perf_counter() - started,
    )


class _SingleClassStretches:
    """Counts consecutive stretches of ``size`` labels that hold one label only (a file sorted by label)."""

    def __init__(self, size: int):
        self.size, self.current, self.filled, self.single_class = size, set(), 0, 0

    def add(self, labels: list[str]) -> None:
        for label in labels:
            self.current.add(label)
            self.filled += 1
            if self.filled == self.size:
                self.single_class += len(self.current) == 1
                self.current, self.filled = set(), 0


def _classes(parts: dict[str, PartCounts]) -> tuple[np.ndarray, dict[str, int]]:
    """Every label of every part, sorted as ``np.unique`` sorts ``read_table``'s labels (numbers when all are integers)."""
    written = sorted(set().union(*(part.labels for part in parts.values())))
    if written and labels_are_integers(written):
        classes = np.unique([int(label) for label in written])
        return classes, {label: int(np.searchsorted(classes, int(label))) for label in written}
    classes = np.array(written, dtype=object)
    return classes, {label: index for index, label in enumerate(written)}


def _refuse_unusable(layout: CsvLayout, parts: dict[str, PartCounts], rows_read: int, blank: int, missing: int,
                     validation_size: float, test_size: float) -> None:
    name = layout.path.name
    if not rows_read:
        raise DatasetError(f"{name} has a header but no data rows.")
    require_classes(sorted(parts["train"].labels), layout.label_column, blank, missing, where=" in the training part")
    for part, size in (("test", test_size), ("validation", validation_size)):
        if size > 0 and not parts[part].rows:
            usable = sum(counts.rows for counts in parts.values())
            raise DatasetError(
                f"The {part} part of {name} is empty: none of its {usable} usable rows fell in it ({part}_size={size}). "
                f"Rows are placed by a hash of their text, so a handful of rows can miss a part: use more rows or a "
                f"larger {part}_size."
            )
