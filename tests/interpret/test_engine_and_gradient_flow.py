"""Gradient flow through time, checked against gradients computed through the whole Keras model."""

import json

import numpy as np
import pytest

from rnnclf.experiments.gradient_flow import QUANTITY, gradient_flow
from rnnclf.interpret.engine import compiled_functions
from tests.conftest import TINY_PARAMS, marker_texts


@pytest.fixture(scope="module")
def marker_sample():
    return marker_texts(40, seed=41)


@pytest.fixture(scope="module")
def simple_rnn(marker_data):
    from rnnclf.classifier import RNNTextClassifier

    (texts, labels), _ = marker_data
    return RNNTextClassifier(cell_type="rnn", **dict(TINY_PARAMS, epochs=2)).fit(texts, labels)


def _loss_gradient_per_position(classifier, token_ids, label_index):
    """‖∂L/∂x_t‖ through the unmodified Keras model, via the embedding matrix rows.

    With all ids distinct, the gradient of row ``ids[t]`` of the embedding
    matrix is exactly ∂L/∂x_t — an independent route (the model keeps its own
    Keras mask) to the quantity gradient_flow measures.
    """
    import keras
    import tensorflow as tf

    assert len(set(token_ids)) == len(token_ids)
    embeddings = classifier.model_.get_layer("embedding").embeddings
    with tf.GradientTape() as tape:
        probabilities = classifier.model_(np.array([token_ids], dtype="int32"), training=False)
        loss = keras.losses.sparse_categorical_crossentropy(np.array([label_index]), probabilities)[0]
    gradient = tf.convert_to_tensor(tape.gradient(loss, embeddings.value)).numpy()
    return np.linalg.norm(gradient[token_ids], axis=1), float(loss)


def test_gradient_norms_match_the_full_model(trained_gru):
    words = ["the", "zing", "movie", "was", "very", "day"]
    text = " ".join(words)
    token_ids = trained_gru.encoder_.encode(text).ids
    expected, loss = _loss_gradient_per_position(trained_gru, token_ids, 1)
    flow = gradient_flow(trained_gru, [text], ["positive"])
    assert flow.distance == [1, 2, 3, 4, 5, 6]
    # Distance 1 is the last token: the per-position norms read backwards.
    np.testing.assert_allclose(flow.mean, expected[::-1], rtol=1e-4, atol=1e-9)
    assert flow.count == [1] * 6 and flow.examples == 1
    assert flow.mean_loss == pytest.approx(loss, rel=1e-5)


def test_texts_align_at_their_last_token_and_padding_never_counts(trained_gru, marker_sample):
    texts, labels = marker_sample
    lengths = [len(trained_gru.encoder_.encode(text).ids) for text in texts]
    flow = gradient_flow(trained_gru, texts, labels, batch_size=7)
    assert len(flow.distance) == max(lengths)
    assert flow.count == [sum(length >= distance for length in lengths) for distance in flow.distance]
    assert all(np.isfinite(flow.mean)) and min(flow.mean) > 0
    assert all(low <= middle <= high for low, middle, high in zip(flow.p10, flow.median, flow.p90))
    # A short text padded inside a batch with a long one gives the numbers it gives alone.
    short, long = "the zing movie", " ".join(["day"] * 30) + " blorp"
    short_alone = np.array(gradient_flow(trained_gru, [short], ["positive"]).mean)
    long_alone = np.array(gradient_flow(trained_gru, [long], ["negative"]).mean)
    both = np.array(gradient_flow(trained_gru, [short, long], ["positive", "negative"]).mean)
    np.testing.assert_allclose(2 * both[:3] - long_alone[:3], short_alone, rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(both[3:], long_alone[3:], rtol=1e-5)


def test_max_steps_and_summary_fields(simple_rnn, marker_sample):
    texts, labels = marker_sample
    flow = gradient_flow(simple_rnn, texts, labels, max_steps=5)
    assert flow.distance == [1, 2, 3, 4, 5] and flow.cell_type == "rnn"
    assert flow.bidirectional is False and flow.num_layers == 1 and flow.quantity == QUANTITY
    assert flow.decay_per_step is not None and flow.decay_per_step > 0
    payload = json.loads(json.dumps(flow.to_dict()))
    assert payload["count"] == flow.count


def test_loss_uses_the_true_labels(trained_gru):
    text = "a film blorp day"
    right = gradient_flow(trained_gru, [text], ["negative"])
    wrong = gradient_flow(trained_gru, [text], ["positive"])
    assert right.mean_loss < 0.1 < wrong.mean_loss
    assert max(wrong.mean) > max(right.mean)


def test_clear_errors(trained_gru):
    with pytest.raises(ValueError, match="not classes of this model"):
        gradient_flow(trained_gru, ["a zing"], ["sports"])
    with pytest.raises(ValueError, match="no tokens"):
        gradient_flow(trained_gru, ["a zing", "  "], ["positive", "negative"])
    with pytest.raises(ValueError, match="at least one"):
        gradient_flow(trained_gru, [], [])
    with pytest.raises(ValueError, match="max_steps=0"):
        gradient_flow(trained_gru, ["a zing"], ["positive"], max_steps=0)


def test_compiled_functions_reject_foreign_models():
    import keras

    from rnnclf.interpret.engine import CompiledFunctions

    inputs = keras.Input(shape=(None,), dtype="int32")
    outputs = keras.layers.Dense(2)(keras.layers.Embedding(10, 4)(inputs))
    expected = r"expect the Embedding → recurrent layers → \(pooling\) → Dense layout of rnnclf.models.build_model; this model has "
    with pytest.raises(ValueError, match=expected + r"Embedding\(embedding\), Dense\(dense\)\. Use a model trained by rnnclf\."):
        CompiledFunctions(keras.Model(inputs, outputs))
    convolved = keras.layers.Conv1D(3, 2, name="conv")(keras.layers.Embedding(10, 4, name="words")(inputs))
    outputs = keras.layers.Dense(2, name="out")(keras.layers.GRU(3, name="gru")(convolved))
    with pytest.raises(ValueError, match=expected + r"Embedding\(words\), Conv1D\(conv\), GRU\(gru\), Dense\(out\)"):
        CompiledFunctions(keras.Model(inputs, outputs))


def test_cache_follows_refitting(marker_data):
    from rnnclf.classifier import RNNTextClassifier

    (texts, labels), _ = marker_data
    classifier = RNNTextClassifier(cell_type="gru", **dict(TINY_PARAMS, epochs=1)).fit(texts[:64], labels[:64])
    first = compiled_functions(classifier)
    classifier.fit(texts[:64], labels[:64])
    assert compiled_functions(classifier) is not first
    assert compiled_functions(classifier).model is classifier.model_
