"""Streaming batch sources: exactly `steps` batches, every row of the part once per epoch, bounded memory."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pytest

from rnnclf.csv_batches import CsvBatches, evaluate_batches
from rnnclf.csv_counts import count_csv
from rnnclf.data.csv_import import read_table
from rnnclf.data.splits import PARTS, hash_parts, text_keys
from rnnclf.encoding import TextEncoder
from rnnclf.errors import DatasetError
from rnnclf.evaluation import evaluate_predictions
from rnnclf.streaming import csv_layout
from tests.test_csv_counts import awkward_rows, write_csv


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    """A counted awkward CSV, its fitted encoder, and each part's rows as the in-memory path sees them."""
    path = write_csv(tmp_path_factory.mktemp("batches") / "awkward.csv", awkward_rows(400, seed=3))
    encoder = TextEncoder(max_length=9)
    counts = count_csv(csv_layout(path, "text", labels=True), encoder, validation_size=0.15, test_size=0.25)
    encoder.fit_counts(counts.token_counts, counts.length_counts)
    table = read_table(path, text_column="text", label_column="label").dataframe
    texts, labels = table["text"].tolist(), [str(label) for label in table["label"]]
    parts = hash_parts(text_keys(texts), 0.15, 0.25)
    expected = {name: Counter((tuple(encoder.encode(texts[i]).ids), counts.label_targets[labels[i]])
                              for i in range(len(texts)) if parts[i] == number) for number, name in enumerate(PARTS)}
    return counts, encoder, expected


def unpadded(batch):
    ids, targets, _ = batch
    return [(tuple(int(token) for token in row if token != 0), int(target)) for row, target in zip(ids, targets)]


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("batch_size, window_rows, chunk_rows, shuffle", [
    (1, 5, 7, True), (3, 7, 1, True), (4, 8, 64, False), (32, 100, 13, True), (64, 16384, 2048, False), (7, 7, 3, True),
])
def test_every_epoch_is_exactly_steps_batches_holding_each_row_of_the_part_once(counted, part, batch_size, window_rows,
                                                                                chunk_rows, shuffle):
    counts, encoder, expected = counted
    source = CsvBatches(counts, encoder, part, batch_size=batch_size, shuffle=shuffle, seed=4, window_rows=window_rows,
                        chunk_rows=chunk_rows)
    assert source.steps == -(-sum(expected[part].values()) // batch_size) > 0
    for epoch in (0, 1):
        batches = list(source.batches(epoch))
        assert len(batches) == source.steps
        assert Counter(row for batch in batches for row in unpadded(batch)) == expected[part]
        for ids, targets, weights in batches:
            assert ids.dtype == np.int32 and targets.dtype == np.int32 and weights.dtype == np.float32
            assert ids.shape[0] == len(targets) == len(weights) <= batch_size and ids.shape[1] % 8 == 0
            assert (weights == 1).all()
            filled = ids != 0
            assert (filled[:, :-1] | ~filled[:, 1:]).all()  # post-padded: no token after a padding zero
    assert source.largest_window <= source.window_rows <= window_rows


def test_training_order_changes_with_the_epoch_and_repeats_with_the_seed(counted):
    counts, encoder, _ = counted
    make = lambda seed, shuffle=True: CsvBatches(counts, encoder, "train", batch_size=4, shuffle=shuffle, seed=seed,  # noqa: E731
                                                 window_rows=40, chunk_rows=9)
    order = lambda source, epoch: [row for batch in source.batches(epoch) for row in unpadded(batch)]  # noqa: E731
    assert order(make(1), 0) == order(make(1), 0)
    assert order(make(1), 0) != order(make(1), 1)
    assert order(make(1), 0) != order(make(2), 0)
    assert order(make(1, shuffle=False), 0) == order(make(1, shuffle=False), 5)


def test_batches_of_a_window_are_bucketed_by_length(counted):
    counts, encoder, _ = counted
    source = CsvBatches(counts, encoder, "train", batch_size=8, shuffle=True, window_rows=1000)  # one window: all rows
    spreads = [max(lengths) - min(lengths) for lengths in
               ([len(ids) for ids, _ in unpadded(batch)] for batch in source.batches(0))]
    assert np.mean(spreads) <= 1.0  # sorted by length within the window; texts run 1 to 9 tokens


def test_class_weights_follow_the_targets(counted):
    counts, encoder, _ = counted
    source = CsvBatches(counts, encoder, "validation", batch_size=5, shuffle=False, class_weights=np.array([3.0, 0.5]))
    for _, targets, weights in source.batches(0):
        assert weights.tolist() == [3.0 if target == 0 else 0.5 for target in targets]


class CountingLayout:
    """A CSV layout that records how many rows have been read from the file."""

    def __init__(self, layout):
        self.layout, self.rows_read = layout, 0

    def __getattr__(self, name):
        return getattr(self.layout, name)

    def chunks(self, chunk_rows):
        for chunk in self.layout.chunks(chunk_rows):
            self.rows_read += len(chunk.texts)
            yield chunk


def test_memory_holds_one_window_and_one_chunk_never_the_file(counted):
    counts, encoder, _ = counted
    spy = CountingLayout(counts.layout)
    source = CsvBatches(dataclasses.replace(counts, layout=spy), encoder, "train", batch_size=4, shuffle=True,
                        window_rows=12, chunk_rows=10)
    # Rows of the file read but not yet handed out in a batch, at each batch; all rows are read from a file of 400.
    yielded, behind = 0, []
    for _, targets, _ in source.batches(0):
        yielded += len(targets)
        behind.append(spy.rows_read - yielded)
    assert spy.rows_read == 400 and yielded == source.rows
    # The file is read as batches are made: the first batch comes after at most a window and a chunk of file rows
    # (train rows are ~60% of them), and what was read never runs ahead of what was yielded by more than that.
    window_and_chunk_in_file_rows = (12 + 10) / 0.6 * 1.5 + 10
    assert behind[0] <= window_and_chunk_in_file_rows
    assert max(behind) - (400 - source.rows) <= window_and_chunk_in_file_rows
    assert source.largest_window == 12


def test_a_file_changed_after_counting_is_refused_with_what_to_do(tmp_path):
    path = write_csv(tmp_path / "changing.csv", awkward_rows(120))
    encoder = TextEncoder()
    counts = count_csv(csv_layout(path, "text", labels=True), encoder)
    encoder.fit_counts(counts.token_counts, counts.length_counts)
    source = CsvBatches(counts, encoder, "train", batch_size=4, shuffle=True)
    assert len(list(source.batches(0))) == source.steps
    with open(path, "a", encoding="utf-8") as stream:
        stream.write("999,another zing row,zing\n")
    with pytest.raises(DatasetError, match="changed since it was counted.*leave the file alone while training"):
        list(source.batches(1))


def test_streamed_evaluation_equals_evaluating_the_part_in_memory(counted):
    counts, encoder, expected = counted
    source = CsvBatches(counts, encoder, "test", batch_size=6, shuffle=False, window_rows=20, chunk_rows=7)

    def predict(ids):  # a stand-in model: the share of even token ids says "zing"
        even = ((ids % 2 == 0) & (ids != 0)).sum(axis=1) / np.maximum((ids != 0).sum(axis=1), 1)
        return np.stack([1 - even, even], axis=1)

    rows = [row for row, times in expected["test"].items() for _ in range(times)]
    width = max(len(ids) for ids, _ in rows)
    padded = np.array([list(ids) + [0] * (width - len(ids)) for ids, _ in rows])
    in_memory = evaluate_predictions(counts.classes[[target for _, target in rows]], predict(padded), counts.classes)
    streamed = evaluate_batches(predict, source, counts.classes)
    assert streamed["examples"] == in_memory["examples"] == sum(expected["test"].values())
    assert streamed["confusion_matrix"] == in_memory["confusion_matrix"]
    assert streamed["roc_auc"] == pytest.approx(in_memory["roc_auc"])
