"""Gates and states stepped by hand must equal what the Keras layers compute."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from rnnclf.errors import InputError
from rnnclf.interpret.states import (
    GATES,
    inspect_states,
    recurrent_traces,
    step_layer,
    tracking_units,
)

TOLERANCE = 1e-5


def _randomised(model, seed: int):
    """Spread the weights out so gates saturate in both directions (fresh initial weights sit near 0.5)."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0.0, 0.6, size=weight.shape).astype("float32") for weight in model.get_weights()])
    return model


def _spread_out(layer, seed: int) -> np.ndarray:
    """Build ``layer`` on 6 random steps of 5 features and spread its weights; return those inputs."""
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(6, 5)).astype("float32")
    layer(inputs[None])
    layer.set_weights([rng.normal(0, 0.7, size=w.shape).astype("float32") for w in layer.get_weights()])
    return inputs


def _model(cell_type: str, bidirectional: bool, num_layers: int = 2, pooling: str = "max_mean"):
    from rnnclf.models import build_model

    model = build_model(vocabulary_size=30, num_classes=3, cell_type=cell_type, embedding_dim=5, units=4,
                        num_layers=num_layers, bidirectional=bidirectional, pooling=pooling, seed=0)
    return _randomised(model, seed=len(cell_type) + 10 * bidirectional)


def _recurrent_layers(model):
    from keras import layers

    return [layer for layer in model.layers if isinstance(layer, (layers.RNN, layers.Bidirectional))]


IDS = [5, 17, 2, 9, 29, 3, 11]


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cell_type", ["rnn", "lstm", "gru"])
def test_hidden_states_of_every_layer_match_keras(cell_type, bidirectional):
    import keras

    model = _model(cell_type, bidirectional)
    traces = recurrent_traces(SimpleNamespace(model_=model), IDS)
    # Post padding as in training: the masked Keras layers must give the same rows for the real tokens.
    padded = np.array([IDS + [0, 0, 0]], dtype="int32")
    for index, layer in enumerate(_recurrent_layers(model)):
        keras_rows = keras.Model(model.inputs[0], layer.output)(padded, training=False).numpy()[0, : len(IDS)]
        parts = [trace for trace in traces if trace.layer == index]
        assert [trace.direction for trace in parts] == (["forward", "backward"] if bidirectional else ["forward"])
        ours = np.concatenate([trace.values["hidden"] for trace in parts], axis=1)
        assert ours.shape == keras_rows.shape
        np.testing.assert_allclose(ours, keras_rows, atol=TOLERANCE)
        assert np.abs(ours).max() > 0.1  # the weights were spread: a vacuous all-zero match is ruled out


@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "backward"])
def test_lstm_cell_state_matches_keras_after_every_prefix(go_backwards):
    import keras

    layer = keras.layers.LSTM(4, return_state=True, go_backwards=go_backwards)
    inputs = _spread_out(layer, seed=3)
    rows = step_layer(layer, inputs)
    for t in range(len(inputs)):
        # Row t holds the state after the layer has read token t: tokens 0..t forwards, T-1..t backwards.
        seen = inputs[: t + 1] if not go_backwards else inputs[t:]
        _, hidden, cell = layer(seen[None])
        np.testing.assert_allclose(rows["cell"][t], cell.numpy()[0], atol=TOLERANCE)
        np.testing.assert_allclose(rows["hidden"][t], hidden.numpy()[0], atol=TOLERANCE)
    # The gates obey their definitions: c_t = f·c_{t-1} + i·g and h_t = o·tanh(c_t).
    step = 1 if not go_backwards else -1
    order = list(range(len(inputs)))[::step]
    previous = np.zeros(4)
    for t in order:
        np.testing.assert_allclose(rows["cell"][t], rows["forget"][t] * previous + rows["input"][t] * rows["candidate"][t], atol=1e-12)
        np.testing.assert_allclose(rows["hidden"][t], rows["output"][t] * np.tanh(rows["cell"][t]), atol=1e-12)
        previous = rows["cell"][t]
    for gate in ("input", "forget", "output"):
        assert 0.0 <= rows[gate].min() and rows[gate].max() <= 1.0


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_in_both_keras_layouts(reset_after):
    import keras

    layer = keras.layers.GRU(4, return_sequences=True, reset_after=reset_after)
    inputs = _spread_out(layer, seed=4)
    rows = step_layer(layer, inputs)
    np.testing.assert_allclose(rows["hidden"], layer(inputs[None]).numpy()[0], atol=TOLERANCE)
    previous = np.vstack([np.zeros((1, 4)), rows["hidden"][:-1]])
    np.testing.assert_allclose(rows["hidden"], rows["update"] * previous + (1 - rows["update"]) * rows["candidate"], atol=1e-12)


def test_last_state_models_end_where_keras_ends():
    import keras

    for cell_type in ("lstm", "gru"):
        model = _model(cell_type, bidirectional=True, num_layers=1, pooling="last")
        traces = recurrent_traces(SimpleNamespace(model_=model), IDS)
        final = keras.Model(model.inputs[0], _recurrent_layers(model)[0].output)(np.array([IDS], dtype="int32")).numpy()[0]
        # Forward ends on the last token; backward ends on the first.
        ours = np.concatenate([traces[0].values["hidden"][-1], traces[1].values["hidden"][0]])
        np.testing.assert_allclose(ours, final, atol=TOLERANCE)


def test_tracking_units_rank_by_correlation_and_name_the_switching_words():
    hidden = np.array([[0.0, 0.5, 0.1], [0.1, 0.4, 0.1], [0.9, 0.5, -0.2], [1.0, 0.4, 0.3]])
    probability = np.array([0.2, 0.25, 0.85, 0.9])
    units = tracking_units(hidden, probability, ["it", "was", "great", "fun"], top_k=2)
    assert [unit["unit"] for unit in units] == [0, 2]
    assert units[0]["correlation"] == pytest.approx(np.corrcoef(hidden[:, 0], probability)[0, 1])
    # Unit 0 jumps at "great" (+0.8) and at "was" (+0.1, tied with "fun"; the earlier wins).
    assert [(word["token"], round(word["change"], 6)) for word in units[0]["switch_words"]] == [("was", 0.1), ("great", 0.8)]
    assert tracking_units(hidden[:2], probability[:2], ["it", "was"]) == []
    assert tracking_units(hidden, np.full(4, 0.5), ["a", "b", "c", "d"]) == []


def test_inspect_states_on_a_trained_classifier(trained_gru):
    text = "the zing movie was very later"
    inspection = inspect_states(trained_gru, text)
    assert inspection.tokens == trained_gru.encoder_.encode(text).tokens
    assert inspection.cell_type == "gru"
    trace = inspection.part(0)
    assert sorted(trace.values) == sorted(GATES["gru"])
    assert trace.values["update"].shape == (len(inspection.tokens), 16)
    np.testing.assert_allclose(inspection.probabilities[-1], trained_gru.predict_proba([text])[0], atol=1e-5)
    assert inspection.target == "positive"
    assert len(inspection.tracking) == 3 and all(-1 <= unit["correlation"] <= 1 for unit in inspection.tracking)
    payload = json.loads(json.dumps(inspection.to_dict()))
    assert payload["gates"] == list(GATES["gru"]) and len(payload["parts"][0]["values"]["hidden"]) == len(inspection.tokens)
    with pytest.raises(InputError, match="No recurrent layer 3 \\(forward\\); this model has layer 1 · forward."):
        inspection.part(3)


def test_inspect_states_rejects_empty_text(trained_gru):
    with pytest.raises(InputError, match="^The text is empty: type a sentence to look inside the RNN.$"):
        inspect_states(trained_gru, "   ")
