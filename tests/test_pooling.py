"""The pooling heads: masked summaries that padding never touches, saved and explained like the plain head."""

import numpy as np
import pytest

from rnnclf.models import CELL_TYPES, POOLINGS, SequencePooling, build_model
from rnnclf.store import model_from_bytes, model_to_bytes
from tests.conftest import TINY_PARAMS


def _sequence_and_mask():
    values = np.arange(2 * 4 * 2, dtype="float32").reshape(2, 4, 2) - 7.0
    mask = np.array([[True, True, False, False], [True, True, True, True]])
    return values, mask


def test_max_mean_and_last_read_only_the_real_steps():
    values, mask = _sequence_and_mask()
    pooled = SequencePooling(modes=("last", "max", "mean"))(values, mask=mask).numpy()
    first_real = values[0, :2]
    np.testing.assert_allclose(pooled[0, 0:2], first_real[-1])
    np.testing.assert_allclose(pooled[0, 2:4], first_real.max(axis=0))
    np.testing.assert_allclose(pooled[0, 4:6], first_real.mean(axis=0))
    np.testing.assert_allclose(pooled[1], np.concatenate([values[1, -1], values[1].max(axis=0), values[1].mean(axis=0)]))


def test_bidirectional_last_takes_the_backward_half_where_that_direction_ends():
    values, mask = _sequence_and_mask()
    pooled = SequencePooling(modes=("last",), bidirectional=True)(values, mask=mask).numpy()
    np.testing.assert_allclose(pooled[0], [values[0, 1, 0], values[0, 0, 1]])
    np.testing.assert_allclose(pooled[1], [values[1, 3, 0], values[1, 0, 1]])


def test_a_row_without_real_steps_pools_to_zeros():
    values, _ = _sequence_and_mask()
    mask = np.array([[False] * 4, [True] * 4])
    pooled = SequencePooling(modes=("last", "max", "mean", "attention"), seed=0)(values, mask=mask).numpy()
    np.testing.assert_array_equal(pooled[0], np.zeros(8))
    assert np.all(np.isfinite(pooled))


def test_unknown_mode_is_refused_with_the_allowed_ones():
    with pytest.raises(ValueError, match=r"modes=\('median',\); expected a non-empty subset of 'last', 'max', 'mean', 'attention'"):
        SequencePooling(modes=("median",))


@pytest.mark.parametrize("cell_type", sorted(CELL_TYPES))
def test_last_state_of_a_bidirectional_sequence_equals_the_layer_final_states(cell_type):
    import keras
    from keras import layers

    layer_class = CELL_TYPES[cell_type]
    ids = np.array([[3, 8, 5, 0, 0, 0], [4, 2, 9, 6, 7, 1]], dtype="int32")
    embedding = layers.Embedding(12, 5, mask_zero=True)
    sequence = layers.Bidirectional(layer_class(4, return_sequences=True, seed=1))
    final = layers.Bidirectional(layer_class(4, seed=1))
    vectors = embedding(ids)
    mask = embedding.compute_mask(ids)
    sequence_out = sequence(vectors, mask=mask)
    final(vectors, mask=mask)
    final.set_weights(sequence.get_weights())
    expected = final(vectors, mask=mask).numpy()
    pooled = SequencePooling(modes=("last",), bidirectional=True)(sequence_out, mask=mask).numpy()
    np.testing.assert_allclose(pooled, expected, atol=1e-6)
    assert keras.ops.shape(pooled) == (2, 8)


@pytest.mark.parametrize("pooling", sorted(POOLINGS))
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_changes_a_pooled_model_and_saving_keeps_it(pooling, bidirectional):
    model = build_model(vocabulary_size=30, num_classes=3, cell_type="gru", units=6, embedding_dim=5, num_layers=2,
                        bidirectional=bidirectional, pooling=pooling, spatial_dropout=0.3, dropout=0.2, seed=3)
    ids = np.array([[4, 9, 2, 7]], dtype="int32")
    padded = np.array([[4, 9, 2, 7] + [0] * 30], dtype="int32")
    short = model(ids, training=False).numpy()
    np.testing.assert_allclose(short, model(padded, training=False).numpy(), atol=1e-6)
    restored = model_from_bytes(model_to_bytes(model))
    np.testing.assert_allclose(restored(padded, training=False).numpy(), short, atol=1e-6)
    assert (restored.get_layer("pooling").modes if pooling != "last" else POOLINGS["last"]) == POOLINGS[pooling]


def test_spatial_dropout_drops_whole_channels_only_while_training():
    model = build_model(vocabulary_size=20, num_classes=2, units=3, embedding_dim=6, spatial_dropout=0.5, seed=0)
    layer = model.get_layer("spatial_dropout")
    vectors = np.ones((1, 7, 6), dtype="float32")
    dropped = layer(vectors, training=True).numpy()[0]
    assert np.all((dropped == 0).all(axis=0) | (dropped != 0).all(axis=0))  # a channel is dropped at every step or none
    assert (dropped == 0).all(axis=0).any()
    np.testing.assert_array_equal(layer(vectors, training=False).numpy(), vectors)


def test_spatial_dropout_fraction_is_checked():
    with pytest.raises(ValueError, match=r"spatial_dropout=1.0; expected a fraction in \[0, 1\)"):
        build_model(vocabulary_size=10, num_classes=2, spatial_dropout=1.0)


@pytest.fixture(scope="module")
def pooled_classifier(marker_data):
    from rnnclf.classifier import RNNTextClassifier

    (texts, labels), _ = marker_data
    params = dict(TINY_PARAMS, epochs=4)
    return RNNTextClassifier(cell_type="lstm", pooling="max_mean", spatial_dropout=0.1, **params).fit(texts, labels)


def test_a_pooled_classifier_learns_and_the_engine_reproduces_it(pooled_classifier, marker_data):
    from rnnclf.interpret.engine import compiled_functions
    from rnnclf.training import pad_batch

    _, (test_texts, test_labels) = marker_data
    assert pooled_classifier.score(test_texts, test_labels) >= 0.9
    functions = compiled_functions(pooled_classifier)
    assert not functions.reads_last_state
    ids = pad_batch([pooled_classifier.encoder_.encode(text).ids for text in test_texts[:6]])
    import tensorflow as tf

    through_engine = functions.forward_from_embeddings(functions.embed(ids), tf.not_equal(ids, 0)).numpy()
    np.testing.assert_allclose(through_engine, pooled_classifier.model_(ids, training=False).numpy(), atol=1e-5)


def test_explanations_and_trajectory_work_on_a_pooled_head(pooled_classifier):
    from rnnclf.interpret.attribution import explain
    from rnnclf.interpret.insight import prediction_trajectory

    text = "the zing movie was long"
    probabilities = pooled_classifier.predict_proba([text])[0]
    trajectory = prediction_trajectory(pooled_classifier, text)
    assert trajectory.method == "prefixes"
    np.testing.assert_allclose(trajectory.probabilities[-1], probabilities, atol=1e-5)
    explanation = explain(pooled_classifier, text, method="integrated_gradients", steps=128)
    assert explanation.completeness["converged"], explanation.completeness
    assert explanation.tokens[int(np.argmax(explanation.scores))] == "zing"


def test_saved_pooled_run_loads_with_its_settings(pooled_classifier, tmp_path):
    from rnnclf.classifier import load_run

    path = pooled_classifier.save(tmp_path / "pooled")
    restored = load_run(path)
    assert restored.get_params()["pooling"] == "max_mean" and restored.get_params()["spatial_dropout"] == 0.1
    text = ["a zing day", "the blorp film"]
    np.testing.assert_allclose(restored.predict_proba(text), pooled_classifier.predict_proba(text), atol=1e-6)
