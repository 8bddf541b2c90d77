import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score

from rnnclf.classifier import RNNTextClassifier
from tests.conftest import TINY_PARAMS, marker_texts


@pytest.mark.parametrize("cell_type", ["rnn", "lstm", "gru"])
def test_each_cell_type_learns_the_marker_task(cell_type, marker_data):
    (texts, labels), (test_texts, test_labels) = marker_data
    classifier = RNNTextClassifier(cell_type=cell_type, **dict(TINY_PARAMS, epochs=12)).fit(texts, labels)
    assert classifier.score(test_texts, test_labels) == 1.0
    assert list(classifier.classes_) == ["negative", "positive"]


def test_same_seed_gives_same_metrics(marker_data):
    (texts, labels), (test_texts, test_labels) = marker_data
    params = dict(TINY_PARAMS, epochs=2)
    first = RNNTextClassifier(cell_type="lstm", **params).fit(texts, labels)
    second = RNNTextClassifier(cell_type="lstm", **params).fit(texts, labels)
    assert first.history_ == second.history_
    np.testing.assert_array_equal(first.predict_proba(test_texts), second.predict_proba(test_texts))
    third = RNNTextClassifier(cell_type="lstm", **dict(params, seed=1)).fit(texts, labels)
    assert third.history_ != first.history_


def test_padding_invariance_alone_vs_inside_a_batch(trained_gru):
    short = "the zing movie"
    long_texts = [" ".join(["the film was"] * 30) + " blorp", "day " * 60 + "zing"]
    alone = trained_gru.predict_proba([short])
    in_batch = trained_gru.predict_proba(long_texts + [short] + long_texts)[len(long_texts)]
    np.testing.assert_allclose(alone[0], in_batch, atol=1e-5)


def test_proba_columns_follow_classes_and_predict_matches(trained_gru, marker_data):
    _, (test_texts, _) = marker_data
    probabilities = trained_gru.predict_proba(test_texts[:10])
    assert probabilities.shape == (10, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(trained_gru.predict(test_texts[:10]), trained_gru.classes_[probabilities.argmax(1)])
    one = trained_gru.predict_one("zing")
    assert one["label"] == "positive" and set(one["probabilities"]) == {"negative", "positive"}


def test_multiclass_with_integer_labels():
    texts, labels = marker_texts(300, classes=("negative", "neutral", "positive"), seed=5)
    mapping = {"negative": 0, "neutral": 1, "positive": 2}
    classifier = RNNTextClassifier(cell_type="gru", **TINY_PARAMS).fit(texts, [mapping[label] for label in labels])
    assert classifier.classes_.tolist() == [0, 1, 2]
    test_texts, test_labels = marker_texts(60, classes=("negative", "neutral", "positive"), seed=6)
    assert classifier.score(test_texts, [mapping[label] for label in test_labels]) == 1.0
    report = classifier.evaluate(test_texts, [mapping[label] for label in test_labels])
    assert report["confusion_matrix"]["labels"] == ["0", "1", "2"] and "roc_auc" not in report


def test_clone_and_cross_val_score(marker_data):
    (texts, labels), _ = marker_data
    estimator = RNNTextClassifier(cell_type="gru", **dict(TINY_PARAMS, epochs=12))
    copy = clone(estimator)
    assert copy.get_params() == estimator.get_params() and not hasattr(copy, "model_")
    scores = cross_val_score(estimator, np.array(texts, dtype=object), np.array(labels), cv=2)
    assert scores.shape == (2,) and scores.min() >= 0.9


def test_progress_hook_reports_and_can_stop(marker_data):
    (texts, labels), _ = marker_data
    events = []

    def progress(event):
        events.append(event)
        return False if event["stage"] == "epoch" else None

    classifier = RNNTextClassifier(cell_type="gru", **TINY_PARAMS).fit(texts, labels, progress=progress)
    epoch_events = [event for event in events if event["stage"] == "epoch"]
    assert classifier.epochs_run_ == 1 and len(epoch_events) == 1
    assert epoch_events[0]["epochs"] == TINY_PARAMS["epochs"] and "loss" in epoch_events[0]["logs"]
    assert 0 < epoch_events[0]["fraction"] <= 1


def test_early_stopping_restores_best_epoch(marker_data):
    (texts, labels), (test_texts, test_labels) = marker_data
    # Validation labels flipped: the better the model learns the markers, the worse its validation
    # loss, so early stopping must fire and hand back the first epoch's weights.
    flipped = ["negative" if label == "positive" else "positive" for label in test_labels]
    classifier = RNNTextClassifier(cell_type="gru", **dict(TINY_PARAMS, epochs=30, patience=1, learning_rate=0.05))
    classifier.fit(texts, labels, validation_data=(test_texts, flipped))
    losses = classifier.history_["val_loss"]
    assert classifier.epochs_run_ == len(losses) and classifier.best_epoch_ == int(np.argmin(losses)) + 1
    # Stopped one epoch (patience=1) after the best one, well before the 30 allowed.
    assert classifier.epochs_run_ == classifier.best_epoch_ + 1 < 30
    # The weights kept are the best epoch's: the validation loss recomputed from the
    # predicted probabilities, independently of Keras, equals the best logged one.
    probabilities = classifier.predict_proba(test_texts)
    rows = np.arange(len(flipped))
    columns = np.searchsorted(classifier.classes_, flipped)
    recomputed = float(-np.mean(np.log(np.clip(probabilities[rows, columns], 1e-7, 1.0))))
    assert recomputed == pytest.approx(min(losses), rel=1e-3, abs=1e-4)


@pytest.mark.parametrize(
    "texts, labels, error, message",
    [
        (["a", "b"], ["x", "x"], ValueError, "single class"),
        (["a", "b", "c"], ["x", "y"], ValueError, "3 texts but 2 labels"),
        (["a", "b"], ["x", math.nan], ValueError, "missing"),
        (["a", "b"], ["x", None], ValueError, "missing"),
        (["a", None], ["x", "y"], TypeError, "item 1"),
        ("just one string", ["x"], TypeError, "wrap it"),
        (["a", "b"], ["x", 3], ValueError, "mix types"),
    ],
)
def test_bad_training_input_is_explained(texts, labels, error, message):
    with pytest.raises(error, match=message):
        RNNTextClassifier(**TINY_PARAMS).fit(texts, labels)


def test_unknown_cell_type_fails_before_training():
    with pytest.raises(ValueError, match="must be one of 'rnn', 'lstm', 'gru'. Got 'transformer' instead."):
        RNNTextClassifier(cell_type="transformer").fit(["a", "b"], ["x", "y"])


def test_prediction_edge_cases(trained_gru):
    with pytest.raises(ValueError, match="empty"):
        trained_gru.predict_proba(["  "])
    with pytest.raises(NotFittedError):
        RNNTextClassifier().predict(["x"])
    # emoji, non-Latin scripts and a 100,000+ character text are classified, not crashed
    probabilities = trained_gru.predict_proba(["zing 😀🎉", "привет мир 日本語 blorp", "the film " * 20_000 + "zing"])
    assert probabilities.shape == (3, 2) and np.isfinite(probabilities).all()
    assert trained_gru.predict(["blorp 😀"])[0] == "negative"
