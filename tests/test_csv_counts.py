"""The streaming counting pass: the same rows as read_table at any chunk size, parts by hash, counts that fit the
same encoder, and errors that say what to do."""

from __future__ import annotations

import csv
import random
from collections import Counter

import numpy as np
import pytest

from rnnclf.csv_counts import count_csv, usable_rows
from rnnclf.data.csv_import import read_table
from rnnclf.data.splits import PARTS, hash_parts, keys_fingerprint, text_keys
from rnnclf.encoding import TextEncoder
from rnnclf.errors import DatasetError
from rnnclf.streaming import csv_layout

WORDS = "amber brisk cedar dune ember fjord grove heron inlet juniper kestrel lagoon meadow".split()


def awkward_rows(count: int, seed: int = 0) -> list[list[str]]:
    """Rows of a file people really send: quoted newlines and delimiters, blanks, missing labels, repeats."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 12))]
        label = "zing" if index % 3 else "blorp"
        words.insert(rng.randint(0, len(words)), label)
        text = " ".join(words)
        if index % 11 == 0:
            text = text.replace(" ", "\n", 2)  # a quoted cell spanning lines
        if index % 13 == 0:
            text = f'{text}, "quoted", and; more'
        if index % 17 == 0:
            text = "   "
        if index % 19 == 0:
            label = rng.choice(["", "NA", "null", " n/a "])
        if index % 23 == 0 and rows:
            text = rows[-1][1].upper() + "  "  # a case/whitespace variant of the row before
        rows.append([str(index), text, f" {label}"])
    return rows


def write_csv(path, rows, header=("id", "text", "label"), encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def awkward_csv(tmp_path):
    return write_csv(tmp_path / "awkward.csv", awkward_rows(300))


@pytest.mark.parametrize("chunk_rows", [1, 7, 64, 2048])
def test_chunks_hold_exactly_read_table_s_rows_whatever_the_chunk_size(awkward_csv, chunk_rows):
    table = read_table(awkward_csv, text_column="text", label_column="label")
    texts, labels, blank, missing = [], [], 0, 0
    chunks = list(csv_layout(awkward_csv, "text", labels=True).chunks(chunk_rows))
    for chunk in chunks:
        usable = usable_rows(chunk)
        texts += usable[0]
        labels += usable[1]
        blank, missing = blank + usable[2], missing + usable[3]
    assert texts == table.dataframe["text"].tolist()
    assert labels == [str(label) for label in table.dataframe["label"]]
    assert (blank, missing) == (table.dropped_empty_texts, table.dropped_missing_labels)
    assert [chunk.start for chunk in chunks] == list(range(0, 300, chunk_rows))
    assert chunks[-1].bytes_read == awkward_csv.stat().st_size


@pytest.mark.parametrize("chunk_rows", [1, 7, 2048])
def test_counts_are_those_of_the_rows_in_memory(awkward_csv, chunk_rows):
    table = read_table(awkward_csv, text_column="text", label_column="label").dataframe
    texts, labels = table["text"].tolist(), [str(label) for label in table["label"]]
    parts = hash_parts(text_keys(texts), 0.2, 0.2)
    encoder = TextEncoder()
    counts = count_csv(csv_layout(awkward_csv, "text", labels=True), encoder, validation_size=0.2, test_size=0.2,
                       chunk_rows=chunk_rows)
    for number, name in enumerate(PARTS):
        mine = [index for index in range(len(texts)) if parts[index] == number]
        assert counts.parts[name].rows == len(mine)
        assert counts.parts[name].labels == Counter(labels[index] for index in mine)
        assert counts.parts[name].distinct == len({int(key) for key in text_keys([texts[index] for index in mine])})
    train = [texts[index] for index in range(len(texts)) if parts[index] == 0]
    assert (counts.token_counts, counts.length_counts) == TextEncoder().count_texts(train)
    assert TextEncoder().fit_counts(counts.token_counts, counts.length_counts).vocabulary_ == TextEncoder().fit(train).vocabulary_
    assert counts.classes.tolist() == ["blorp", "zing"] and counts.label_targets == {"blorp": 0, "zing": 1}
    assert counts.seen_keys.tolist() == np.unique(text_keys([t for t, p in zip(texts, parts) if p != 2])).tolist()
    test = [index for index in range(len(texts)) if parts[index] == 2]
    assert counts.test_fingerprint == keys_fingerprint(text_keys([texts[i] for i in test]),
                                                       np.array([labels[i] == "zing" for i in test], dtype=int), ["blorp", "zing"])
    whole = read_table(awkward_csv, text_column="text", label_column="label")
    assert (counts.rows_read, counts.blank_texts, counts.missing_labels) == (300, whole.dropped_empty_texts,
                                                                             whole.dropped_missing_labels)
    assert counts.report()["duplicates"]["train"] + counts.report()["duplicates"]["test"] > 0  # the planted variants
    assert counts.language_sample == train  # fewer than the sample size: every training text
    assert not counts.warnings()


def test_integer_labels_become_integer_classes_and_spellings_of_one_number_agree(tmp_path):
    rows = [[f"{WORDS[index % 13]} {index} {'zing' if index % 2 else 'blorp'}", label]
            for index, label in zip(range(200), ["1", "0", " 01", "-2"] * 50)]
    path = write_csv(tmp_path / "numbers.csv", rows, header=("text", "stars"))
    counts = count_csv(csv_layout(path, "text", labels=True), TextEncoder())
    assert counts.layout.label_column == "stars"  # guessed, as read_table guesses
    assert counts.classes.dtype.kind == "i" and counts.classes.tolist() == [-2, 0, 1]
    assert counts.label_targets["01"] == counts.label_targets["1"] == 2
    assert counts.class_counts("train").sum() == counts.parts["train"].rows


def test_a_file_sorted_by_label_is_named_and_so_are_bytes_the_encoding_cannot_read(tmp_path):
    lines = ["text,label"] + [f"{WORDS[i % 13]} row {i},{'neg' if i < 2000 else 'pos'}" for i in range(4000)]
    data = ("\n".join(lines) + "\n").encode("utf-8") + b"caf\xe9 late row,pos\n"  # a latin-1 byte after the 64 KB start
    assert len(data) > 65536
    path = tmp_path / "sorted.csv"
    path.write_bytes(data)
    counts = count_csv(csv_layout(path, "text", labels=True), TextEncoder(), window_rows=100)
    assert counts.layout.encoding == "utf-8" and counts.layout.label_column == "label"  # named: the start has one class
    warnings = " ".join(counts.warnings())
    assert counts.single_class_windows >= 20 and "looks sorted by label" in warnings
    assert counts.replaced_rows == 1 and "not valid utf-8" in warnings
    shuffled = tmp_path / "shuffled.csv"
    random.Random(0).shuffle(body := lines[1:])
    shuffled.write_text("\n".join(["text,label", *body]) + "\n", encoding="utf-8")
    assert count_csv(csv_layout(shuffled, "text", labels=True), TextEncoder(), window_rows=100).single_class_windows == 0


def test_utf16_files_are_counted_like_utf8_ones(tmp_path):
    rows = [[f"{WORDS[i % 13]} café {i}", "pos" if i % 2 else "neg"] for i in range(120)]
    utf8 = count_csv(csv_layout(write_csv(tmp_path / "a.csv", rows, ("text", "label")), labels=True), TextEncoder())
    utf16 = count_csv(csv_layout(write_csv(tmp_path / "b.csv", rows, ("text", "label"), "utf-16"), labels=True), TextEncoder())
    assert utf16.layout.encoding.startswith("utf-16")
    assert utf16.token_counts == utf8.token_counts and utf16.test_fingerprint == utf8.test_fingerprint


@pytest.mark.parametrize("content, options, message", [
    (b"", {}, "is empty"),
    (b"text,label\n", {}, "no data rows"),
    (b"\x00\x01\x02binary\x00stuff" * 50, {}, "does not look like a text table"),
    (b"text,label\nzing fine,a\n", {"text_column": "review"}, "No column named 'review' for the texts. Columns in the file: 'text', 'label'"),
    (b"text,label\nzing fine,a\n", {"label_column": "stars"}, "No column named 'stars' for the labels"),
    (b"text,note\nzing fine,same\nblorp,same\n", {}, "Found no column that could hold labels besides 'text'"),
])
def test_unusable_files_are_refused_before_counting_with_read_table_s_messages(tmp_path, content, options, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=message):
        count_csv(csv_layout(path, labels=True, **options), TextEncoder())


def test_a_training_part_of_one_class_and_an_empty_part_are_refused(tmp_path):
    one_class = write_csv(tmp_path / "one.csv", [[f"zing {i}", "pos"] for i in range(50)] + [["blorp", ""]], ("text", "label"))
    with pytest.raises(DatasetError, match=r"Column 'label' has only 'pos' in the training part after dropping 0 empty "
                                           r"texts and 1 missing labels; a classifier needs at least 2 classes"):
        count_csv(csv_layout(one_class, labels=True), TextEncoder())
    texts = [f"{WORDS[i]} zing" for i in range(8)]
    parts = hash_parts(text_keys(texts), 0.1, 0.2)
    train_only = [[text, "pos" if i % 2 else "neg"] for i, text in enumerate(texts) if parts[i] == 0]
    small = write_csv(tmp_path / "small.csv", train_only, ("text", "label"))
    with pytest.raises(DatasetError, match=r"The test part of small.csv is empty: none of its \d+ usable rows fell in it "
                                           r"\(test_size=0.2\)\. .*use more rows or a larger test_size"):
        count_csv(csv_layout(small, labels=True), TextEncoder())
