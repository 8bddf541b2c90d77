"""RNNTextClassifier.fit_csv: training from a file it never holds gives the model, vocabulary and records that
the same rows in memory would."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from rnnclf.classifier import RNNTextClassifier
from rnnclf.data.splits import hash_parts, text_keys
from rnnclf.encoding import TextEncoder
from rnnclf.errors import DatasetError
from tests.conftest import TINY_PARAMS, marker_texts


@pytest.fixture(scope="module")
def marker_csv(tmp_path_factory):
    """600 marker-word rows (zing = positive, blorp = negative), 12 of them repeated in another case."""
    texts, labels = marker_texts(600, seed=11)
    texts += [text.upper() for text in texts[:12]]
    labels += labels[:12]
    path = tmp_path_factory.mktemp("fit-csv") / "markers.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts, labels))
    return path, texts, labels


@pytest.fixture(scope="module")
def streamed(marker_csv):
    path, _, _ = marker_csv
    events = []
    classifier = RNNTextClassifier(cell_type="gru", **{**TINY_PARAMS, "epochs": 5, "batch_size": 16}, class_weight="balanced")
    return classifier.fit_csv(path, validation_size=0.15, test_size=0.25, progress=events.append, window_rows=64), events


def test_the_streamed_model_learns_and_records_the_parts_the_hash_gives(streamed, marker_csv):
    classifier, _ = streamed
    _, texts, labels = marker_csv
    parts = hash_parts(text_keys(texts), 0.15, 0.25)
    train = [text for text, part in zip(texts, parts) if part == 0]
    assert classifier.classes_.tolist() == ["negative", "positive"]
    assert classifier.test_metrics_["accuracy"] >= 0.9 and classifier.test_metrics_["examples"] == int((parts == 2).sum())
    assert classifier.predict(["the film was zing", "a blorp day"]).tolist() == ["positive", "negative"]
    report = classifier.csv_report_
    assert report["sizes"] == {name: int((parts == number).sum()) for number, name in enumerate(("train", "validation", "test"))}
    assert sum(report["duplicates"].values()) == 12  # the upper-cased repeats stay in their part: counted, not removed
    encoder = TextEncoder(**{name: getattr(classifier, name) for name in ("tokenizer", "max_tokens", "max_length")}).fit(train)
    assert classifier.encoder_.vocabulary_ == encoder.vocabulary_ and classifier.encoder_.max_length_ == encoder.max_length_
    assert classifier.seen_text_keys_.tolist() == np.unique(text_keys([t for t, p in zip(texts, parts) if p != 2])).tolist()
    assert classifier.languages_ == {"latin": 1.0}
    assert classifier.epochs_run_ >= 1 and len(classifier.history_["loss"]) == classifier.epochs_run_
    assert "val_loss" in classifier.history_


def test_progress_counts_rows_then_trains_with_rows_per_second(streamed):
    _, events = streamed
    counted = [event for event in events if event["stage"] == "count"]
    assert [event["done"] for event in counted].count(True) == 1 == counted[-1]["done"]  # one final line, at the end
    assert counted[-1]["rows"] == 612 and counted[-1]["rows_per_second"] > 0 and counted[-1]["fraction"] == 1.0
    epochs = [event for event in events if event["stage"] == "epoch"]
    assert epochs and all(event["rows_per_second"] > 0 for event in epochs)
    assert events.index(counted[-1]) < events.index(epochs[0])


def test_the_streamed_classifier_saves_and_loads_as_a_normal_run(streamed, tmp_path):
    classifier, _ = streamed
    loaded = RNNTextClassifier.load(classifier.save(tmp_path / "run"))
    texts = ["zing zing", "blorp it was", "the movie zing"]
    assert loaded.predict_proba(texts) == pytest.approx(classifier.predict_proba(texts), abs=1e-6)
    assert loaded.seen_text_keys_.tolist() == classifier.seen_text_keys_.tolist()


def test_a_bad_file_fails_before_tensorflow_work_with_what_to_do(tmp_path):
    path = tmp_path / "one-class.csv"
    path.write_text("text,label\n" + "".join(f"zing row {index},positive\n" for index in range(40)), encoding="utf-8")
    with pytest.raises(DatasetError, match="has only 'positive' in the training part"):
        RNNTextClassifier(epochs=1).fit_csv(path)
    with pytest.raises(DatasetError, match="No column named 'review' for the texts"):
        RNNTextClassifier(epochs=1).fit_csv(path, text_column="review")


def test_a_file_changed_during_training_stops_it_with_a_plain_message(marker_csv, tmp_path):
    path, texts, labels = marker_csv
    changing = tmp_path / "changing.csv"
    changing.write_bytes(path.read_bytes())

    def append_after_the_first_epoch(event):
        if event["stage"] == "epoch" and event["epoch"] == 1:
            with open(changing, "a", encoding="utf-8") as stream:
                stream.write("a late zing row,positive\n")

    with pytest.raises(DatasetError, match="changed since it was counted.*leave the file alone while training"):
        RNNTextClassifier(cell_type="gru", **{**TINY_PARAMS, "epochs": 3}).fit_csv(changing, progress=append_after_the_first_epoch)
