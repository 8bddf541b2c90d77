"""Training batches streamed from a CSV: one part of the file, a bounded window of rows at a time.

:class:`CsvBatches` is a batch source (what :func:`rnnclf.training.train_model`
reads): ``steps`` batches per epoch, known in advance from the counting pass
(:func:`rnnclf.csv_counts.count_csv`), and ``batches(epoch)`` yielding exactly
that many ``(ids, targets, weights)``. Each epoch reads the file again chunk by
chunk, keeps the rows of its part (:func:`rnnclf.data.splits.hash_parts`),
encodes them and gathers a window of at most ``window_rows``; the window is cut
into batches of similar length (:func:`rnnclf.training.length_buckets`, shuffled
with a seed drawn from ``(seed, epoch, window)`` when training) and each batch is
post-padded (:func:`rnnclf.training.pad_batch`). Memory holds one window of ids
and one chunk of texts, whatever the size of the file.

When training, the first window of each epoch is a different whole number of
batches long, so window boundaries move and rows meet other neighbours from one
epoch to the next; every window but the last is a whole number of batches, so an
epoch is always ``ceil(rows / batch_size)`` batches.

Example:
    >>> counts = count_csv(csv_layout("reviews.csv", labels=True), encoder)  # doctest: +SKIP
    >>> encoder.fit_counts(counts.token_counts, counts.length_counts)  # doctest: +SKIP
    >>> train = CsvBatches(counts, encoder, "train", batch_size=32, shuffle=True)  # doctest: +SKIP
    >>> sum(1 for _ in train.batches(epoch=0)) == train.steps  # doctest: +SKIP
    True
"""

from __future__ import annotations

import math
from itertools import islice
from typing import Callable, Iterator

import numpy as np

from rnnclf.csv_counts import WINDOW_ROWS, CsvCounts, usable_rows
from rnnclf.data.splits import PARTS, hash_parts, text_keys
from rnnclf.encoding import TextEncoder
from rnnclf.errors import DatasetError, InputError
from rnnclf.evaluation import evaluate_predictions
from rnnclf.streaming import CHUNK_ROWS
from rnnclf.training import length_buckets, pad_batch

__all__ = ["CsvBatches", "evaluate_batches"]


class CsvBatches:
    """One part of a counted CSV as a stream of length-bucketed, post-padded batches.

    Args:
        counts: the file's counting pass (:func:`~rnnclf.csv_counts.count_csv`): where the file is, how its
            parts are cut, how many rows each holds, and which class each label is.
        encoder: a fitted :class:`~rnnclf.encoding.TextEncoder` (e.g. fitted from ``counts``).
        part: ``"train"``, ``"validation"`` or ``"test"``.
        batch_size: rows per batch.
        shuffle: shuffle within windows and move window boundaries every epoch (training); otherwise the
            batches come in the same order every epoch.
        seed: seeds the shuffles (with the epoch and the window). Default: 0.
        class_weights: weight of each class (indexed like ``counts.classes``), or ``None`` for ones.
        window_rows: the most rows held at once (rounded down to whole batches). Default: :data:`WINDOW_ROWS`.
        chunk_rows: rows read from the file at a time. Default: :data:`~rnnclf.streaming.CHUNK_ROWS`.

    Attributes:
        steps: batches per epoch, ``ceil(rows / batch_size)``.
        rows: rows of the part.
        largest_window: the most encoded rows held at once so far.
    """

    def __init__(self, counts: CsvCounts, encoder: TextEncoder, part: str, *, batch_size: int, shuffle: bool,
                 seed: int = 0, class_weights: np.ndarray | None = None, window_rows: int = WINDOW_ROWS,
                 chunk_rows: int = CHUNK_ROWS):
        if part not in PARTS:
            raise InputError(f"Received: part={part!r}; expected one of {list(PARTS)}.")
        if int(batch_size) < 1:
            raise InputError(f"Received: batch_size={batch_size}; expected a positive integer.")
        self.counts, self.encoder, self.part = counts, encoder, part
        self.batch_size, self.shuffle, self.seed = int(batch_size), bool(shuffle), int(seed)
        self.class_weights = None if class_weights is None else np.asarray(class_weights, dtype="float32")
        self.window_rows = max(1, int(window_rows) // self.batch_size) * self.batch_size
        self.chunk_rows = int(chunk_rows)
        self.rows = counts.parts[part].rows
        self.steps = math.ceil(self.rows / self.batch_size)
        self.largest_window = 0

    def __repr__(self) -> str:
        return (f"CsvBatches({self.counts.layout.path.name!r}, part={self.part!r}, rows={self.rows}, "
                f"steps={self.steps}, batch_size={self.batch_size}, window_rows={self.window_rows})")

    def batches(self, epoch: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The part's rows once, as exactly :attr:`steps` ``(ids int32 (batch, time), targets int32, weights float32)``."""
        rows = self._encoded_rows()
        for window_number, size in enumerate(self._window_sizes(epoch)):
            window = list(islice(rows, size))
            if not window:
                return
            self.largest_window = max(self.largest_window, len(window))
            lengths = [len(ids) for ids, _ in window]
            # One seed per window: windows of equal size must not share one noise pattern and batch order.
            window_seed = int(np.random.SeedSequence([self.seed, int(epoch), window_number]).generate_state(1)[0])
            for indices in length_buckets(lengths, self.batch_size, window_seed, 0, shuffle=self.shuffle):
                targets = np.fromiter((window[index][1] for index in indices), dtype=np.int32, count=len(indices))
                weights = np.ones(len(indices), dtype=np.float32) if self.class_weights is None else self.class_weights[targets]
                yield pad_batch([window[index][0] for index in indices]), targets, weights

    def _window_sizes(self, epoch: int) -> Iterator[int]:
        """Window lengths for ``epoch``: whole batches; when shuffling, the first one a random number of them."""
        first = self.window_rows
        if self.shuffle:
            batches_per_window = self.window_rows // self.batch_size
            first = self.batch_size * int(np.random.default_rng([self.seed, int(epoch)]).integers(1, batches_per_window + 1))
        yield first
        while True:
            yield self.window_rows

    def _encoded_rows(self) -> Iterator[tuple[list[int], int]]:
        """``(ids, target)`` of every row of the part, in file order, read a chunk at a time."""
        counts, number = self.counts, PARTS.index(self.part)
        counts.check_unchanged()
        found = 0
        for chunk in counts.layout.chunks(self.chunk_rows):
            texts, labels, _, _ = usable_rows(chunk)
            chosen = np.flatnonzero(hash_parts(text_keys(texts), counts.validation_size, counts.test_size) == number)
            found += len(chosen)
            # One encode_ids call per chunk: the encoder's per-call set-up is paid once, not once per row.
            encoded = self.encoder.encode_ids([texts[index] for index in chosen])
            for ids, index in zip(encoded, chosen):
                yield ids, counts.label_targets[labels[index]]
        if found != self.rows:
            raise DatasetError(f"{counts.layout.path} now has {found} rows in its {self.part} part, not the {self.rows} "
                               "counted: leave the file alone while training, then start again.")


def evaluate_batches(predict: Callable[[np.ndarray], np.ndarray], batches: CsvBatches, classes: np.ndarray) -> dict:
    """Metrics of :func:`~rnnclf.evaluation.evaluate_predictions` over a streamed part, one batch in memory at a time.

    ``predict`` maps padded ids to class probabilities (e.g. a classifier's ``inference_function``). Only the
    targets and probabilities are kept (what the metrics need), one row of each per text.

    >>> evaluate_batches(lambda ids: np.eye(2)[ids[:, 0] % 2], test_batches, np.array(["neg", "pos"]))  # doctest: +SKIP
    """
    targets, probabilities = [], []
    for ids, batch_targets, _ in batches.batches(0):
        targets.append(batch_targets)
        probabilities.append(np.asarray(predict(ids), dtype=np.float32))
    if not targets:
        raise DatasetError(f"The {batches.part} part of {batches.counts.layout.path.name} has no rows to evaluate on.")
    classes = np.asarray(classes)
    return evaluate_predictions(classes[np.concatenate(targets)], np.concatenate(probabilities), classes)
