"""Deduplication, stratified seeded splits, fingerprints and dataset statistics."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rnnclf.data.splits import (
    dataset_stats,
    deduplicate,
    hash_parts,
    normalize_key,
    split_dataset,
    test_fingerprint,
    text_keys,
)
from rnnclf.errors import DatasetError


def _frame(count: int = 200, classes=("neg", "pos", "neu"), weights=(1, 1, 1)) -> pd.DataFrame:
    labels = [label for label, weight in zip(classes, weights) for _ in range(weight)]
    texts = [f"sample text {index}" for index in range(count)]
    return pd.DataFrame({"text": texts, "label": [labels[index % len(labels)] for index in range(count)]})


def test_normalize_key_ignores_case_and_whitespace():
    assert normalize_key("  Good\n\tMOVIE ") == normalize_key("good movie") == "good movie"


def test_deduplicate_majority_and_tie():
    frame = pd.DataFrame(
        {
            "text": ["Great film", "great  film", "GREAT FILM", "Okay", "okay", "Unique", "Same", "same "],
            "label": ["pos", "pos", "neg", "pos", "neg", "neg", "neg", "neg"],
            "extra": [1, 2, 3, 4, 5, 6, 7, 8],
        }
    )
    kept, report = deduplicate(frame)
    assert kept.values.tolist() == [["Great film", "pos", 1], ["Unique", "neg", 6], ["Same", "neg", 7]]
    assert report == {
        "rows_in": 8,
        "rows_out": 3,
        "duplicates_removed": 3,  # two of "great film", one of "same"
        "conflicts_resolved": 1,  # "great film": pos 2 vs neg 1
        "conflicts_dropped": 1,  # "okay": pos 1 vs neg 1
        "conflict_rows_dropped": 2,
    }
    assert report["rows_in"] == report["rows_out"] + report["duplicates_removed"] + report["conflict_rows_dropped"]


def test_deduplicate_keeps_first_row_of_the_winning_label():
    frame = pd.DataFrame({"text": ["x", "X", "x"], "label": ["b", "a", "a"], "id": [1, 2, 3]})
    kept, report = deduplicate(frame)
    assert kept[["label", "id"]].values.tolist() == [["a", 2]]
    assert report["conflicts_resolved"] == 1


def test_deduplicate_needs_text_and_label():
    with pytest.raises(DatasetError, match="Columns found"):
        deduplicate(pd.DataFrame({"sentence": ["a"], "label": [1]}))


def test_split_is_stratified_with_expected_sizes():
    split = split_dataset(_frame(300), seed=0, validation_size=0.1, test_size=0.2)
    assert split.sizes == {"train": 210, "validation": 30, "test": 60}
    for part in (split.train, split.validation, split.test):
        shares = part["label"].value_counts(normalize=True)
        assert shares.max() - shares.min() < 0.05
    assert split.report["class_counts"]["test"] == {"neg": 20, "neu": 20, "pos": 20}


def test_split_is_seeded_and_independent_of_row_order():
    frame = _frame(200)
    first = split_dataset(frame, seed=7)
    shuffled = split_dataset(frame.sample(frac=1.0, random_state=1), seed=7)
    assert first.fingerprint == shuffled.fingerprint
    assert first.test["text"].tolist() == shuffled.test["text"].tolist()
    assert split_dataset(frame, seed=8).fingerprint != first.fingerprint


def test_split_never_puts_a_duplicate_of_a_test_text_in_train():
    texts = [f"Question {index % 50}?" for index in range(250)]  # every text five times
    frame = pd.DataFrame({"text": [t.upper() if i % 2 else t for i, t in enumerate(texts)], "label": [
        "a" if int(t.split()[1][:-1]) % 2 else "b" for t in texts]})
    split = split_dataset(frame, seed=0)
    assert split.report["deduplication"]["duplicates_removed"] == 200
    test_keys = {normalize_key(text) for text in split.test["text"]}
    other_keys = {normalize_key(text) for text in pd.concat([split.train, split.validation])["text"]}
    assert not test_keys & other_keys
    assert sum(split.sizes.values()) == 50


def test_split_without_validation():
    split = split_dataset(_frame(100, classes=("a", "b"), weights=(1, 1)), validation_size=0, test_size=0.25)
    assert split.sizes == {"train": 75, "validation": 0, "test": 25}
    assert list(split.validation.columns) == ["text", "label"]


def test_too_small_class_names_class_and_count():
    frame = _frame(60, classes=("common", "rare"), weights=(1, 1))
    frame.loc[frame["label"] == "rare", "label"] = "common"
    frame.loc[[0, 1], "label"] = "rare"
    with pytest.raises(DatasetError, match=r"'rare' has 2"):
        split_dataset(frame)


def test_bad_sizes_are_rejected():
    with pytest.raises(DatasetError, match="test_size"):
        split_dataset(_frame(), test_size=0)
    with pytest.raises(DatasetError, match="leave rows for training"):
        split_dataset(_frame(), validation_size=0.5, test_size=0.5)


def test_fingerprint_depends_on_texts_and_labels_only():
    test = pd.DataFrame({"text": ["b text", "A  Text"], "label": ["x", "y"], "other": [1, 2]})
    same = pd.DataFrame({"text": ["a text", "b text"], "label": ["y", "x"]})
    relabelled = pd.DataFrame({"text": ["a text", "b text"], "label": ["x", "x"]})
    assert test_fingerprint(test) == test_fingerprint(same)
    assert test_fingerprint(test) != test_fingerprint(relabelled)
    assert len(test_fingerprint(test)) == 16


def test_dataset_stats_counts_and_histogram():
    frame = pd.DataFrame(
        {"text": ["good movie", "Good  movie", "bad movie :(", "ok"], "label": ["pos", "pos", "neg", 1]}
    )
    stats = dataset_stats(frame)
    json.dumps(stats)  # JSON-safe
    assert stats["rows"] == 4 and stats["unique_rows"] == 3 and stats["duplicates"] == 1
    assert stats["class_counts"] == {"1": 1, "neg": 1, "pos": 2}
    assert stats["token_length"]["max"] == 3 and stats["token_length"]["p50"] == 2.0
    assert sum(stats["histogram"]["counts"]) == 4
    assert len(stats["histogram"]["bin_edges"]) == len(stats["histogram"]["counts"]) + 1
    assert stats["vocabulary_size"] == 5  # good, movie, bad, :(, ok


def _generated_texts(count: int) -> list[str]:
    words = "amber brisk cedar dune ember fjord grove heron inlet juniper kestrel lagoon".split()
    return [f"{words[index % 12]} {words[(index // 12) % 12]} note {index}" for index in range(count)]


def test_hash_parts_are_the_same_on_every_read_and_in_any_chunking():
    keys = text_keys(_generated_texts(3000))
    whole = hash_parts(keys, validation_size=0.1, test_size=0.2)
    pieces = np.concatenate([hash_parts(keys[start:start + 7], 0.1, 0.2) for start in range(0, len(keys), 7)])
    assert whole.tolist() == pieces.tolist() == hash_parts(text_keys(_generated_texts(3000)), 0.1, 0.2).tolist()


def test_hash_parts_never_split_a_text_from_its_case_or_whitespace_variants():
    texts = _generated_texts(500)
    variants = [f"  {text.upper()}\t" for text in texts] + [text.replace(" ", "\n  ") for text in texts]
    parts = hash_parts(text_keys(texts), 0.1, 0.2)
    assert hash_parts(text_keys(variants), 0.1, 0.2).tolist() == np.concatenate([parts, parts]).tolist()
    assert set(parts.tolist()) == {0, 1, 2}  # the variants agree across all three parts, not by sitting in one


@pytest.mark.parametrize("validation_size, test_size", [(0.1, 0.2), (0.0, 0.25), (0.3, 0.3)])
def test_hash_parts_come_out_near_the_requested_shares(validation_size, test_size):
    parts = hash_parts(text_keys(_generated_texts(4000)), validation_size, test_size)
    shares = np.bincount(parts, minlength=3) / len(parts)
    expected = [1 - validation_size - test_size, validation_size, test_size]
    # Binomial standard error at 4,000 rows is at most 0.8 points: 3 points is a ~4-sigma band.
    assert np.abs(shares - expected).max() < 0.03, shares
    if validation_size == 0:
        assert shares[1] == 0


def test_hash_parts_cut_on_the_exact_integer_boundaries():
    test_cut, validation_cut = int(0.2 * 2**64), int((0.2 + 0.1) * 2**64)
    keys = np.array([0, test_cut - 1, test_cut, validation_cut - 1, validation_cut, 2**64 - 1], dtype=np.uint64)
    assert hash_parts(keys, 0.1, 0.2).tolist() == [2, 2, 1, 1, 0, 0]
    with pytest.raises(DatasetError, match="leave rows for training"):
        hash_parts(keys, 0.5, 0.5)
