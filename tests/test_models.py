import numpy as np
import pytest

from rnnclf.models import CELL_TYPES, build_model, count_parameters


@pytest.mark.parametrize("cell_type", sorted(CELL_TYPES))
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_does_not_change_the_output(cell_type, bidirectional):
    model = build_model(vocabulary_size=30, num_classes=3, cell_type=cell_type, units=6, embedding_dim=5,
                        num_layers=2, bidirectional=bidirectional, seed=3)
    ids = np.array([[4, 9, 2, 7]], dtype="int32")
    padded = np.array([[4, 9, 2, 7] + [0] * 40], dtype="int32")
    short = model(ids, training=False).numpy()
    long = model(padded, training=False).numpy()
    np.testing.assert_allclose(short, long, atol=1e-6)
    np.testing.assert_allclose(short.sum(), 1.0, atol=1e-5)


def test_unknown_cell_type_lists_the_allowed_values():
    with pytest.raises(ValueError, match=r"cell_type='rnnn'; expected one of 'rnn', 'lstm', 'gru'"):
        build_model(vocabulary_size=10, num_classes=2, cell_type="rnnn")


def test_invalid_shapes_and_fractions():
    with pytest.raises(ValueError, match="at least 2 classes"):
        build_model(vocabulary_size=10, num_classes=1)
    with pytest.raises(ValueError, match="dropout"):
        build_model(vocabulary_size=10, num_classes=2, dropout=1.5)
    with pytest.raises(ValueError, match=r"\(10, 4\)"):
        build_model(vocabulary_size=10, num_classes=2, embedding_dim=4, embedding_matrix=np.zeros((9, 4)))


def test_embedding_matrix_is_used_and_can_be_frozen():
    matrix = np.random.default_rng(0).normal(size=(12, 4)).astype("float32")
    model = build_model(vocabulary_size=12, num_classes=2, embedding_dim=4, embedding_matrix=matrix,
                        trainable_embeddings=False, units=3)
    np.testing.assert_allclose(model.get_layer("embedding").get_weights()[0], matrix)
    counts = count_parameters(model)
    assert counts["non_trainable"] == 48 and counts["total"] == counts["trainable"] + 48


def test_optimizer_carries_learning_rate_and_clipnorm():
    model = build_model(vocabulary_size=10, num_classes=2, learning_rate=0.005, clipnorm=0.5)
    assert model.optimizer.clipnorm == 0.5
    assert abs(float(model.optimizer.learning_rate.numpy()) - 0.005) < 1e-9
    assert model.get_layer("embedding").mask_zero


def test_pretrained_matrix_stays_out_of_the_config():
    import json

    matrix = np.ones((500, 8), dtype="float32")
    model = build_model(vocabulary_size=500, num_classes=2, embedding_dim=8, embedding_matrix=matrix, units=2)
    assert len(json.dumps(model.get_config())) < 20_000
