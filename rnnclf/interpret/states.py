"""Inside the RNN: gate activations and states per word, stepped from the trained weights.

Keras runs a recurrent layer as one fused op and returns only its outputs; the
gates never leave it. :func:`inspect_states` steps each cell by hand in NumPy
with the layer's own kernels, so every gate is visible per token:

* LSTM — ``input``, ``forget``, ``output`` gates, the ``candidate`` (g), the
  ``cell`` state c and the ``hidden`` state h;
* GRU — ``update`` (z), ``reset`` (r), the ``candidate`` (h̃) and ``hidden``;
* SimpleRNN — ``hidden``.

Stacked layers feed the next layer the previous one's outputs (both directions
concatenated when bidirectional); the backward direction reads the text from the
end, and its rows are put back in reading order, so row ``t`` always belongs to
token ``t``. ``tests/interpret/test_states.py`` checks hidden and cell states
against the Keras layers to 1e-5.

>>> inspection = inspect_states(classifier, "the staff were lovely")  # doctest: +SKIP
>>> [(part.layer, part.direction) for part in inspection.parts]  # doctest: +SKIP
[(0, 'forward'), (0, 'backward')]
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from rnnclf.errors import InputError

if TYPE_CHECKING:
    from rnnclf.classifier import RNNTextClassifier

__all__ = ["GATES", "GATE_MEANINGS", "CellTrace", "StateInspection", "inspect_states", "step_layer", "tracking_units"]

# What each cell type exposes, in the order the views list them.
GATES = {
    "lstm": ("input", "forget", "output", "candidate", "cell", "hidden"),
    "gru": ("update", "reset", "candidate", "hidden"),
    "rnn": ("hidden",),
}
# What a learner reads next to each gate's name.
GATE_MEANINGS = {
    "input": "how much of the new candidate is written into the cell (0 = nothing, 1 = all)",
    "forget": "how much of the old cell state is kept (0 = erased, 1 = kept)",
    "output": "how much of the cell state is shown as the hidden state",
    "candidate": "the new content proposed at this word",
    "cell": "the LSTM's memory after this word",
    "update": "how much of the old hidden state is kept (1 = keep the old state, 0 = take the candidate)",
    "reset": "how much of the old state the candidate may look at",
    "hidden": "the state passed to the next word (and to the head)",
}


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _hard_sigmoid(x):
    return np.clip(x / 6.0 + 0.5, 0.0, 1.0)


_ACTIVATIONS = {"tanh": np.tanh, "sigmoid": _sigmoid, "hard_sigmoid": _hard_sigmoid,
                "relu": lambda x: np.maximum(x, 0.0), "linear": lambda x: x}


def _activation(function):
    name = getattr(function, "__name__", str(function))
    if name not in _ACTIVATIONS:
        raise InputError(f"The recurrent layer uses the activation {name!r}; inspection knows {sorted(_ACTIVATIONS)}.")
    return _ACTIVATIONS[name]


def _cell_type(layer) -> str:
    from keras import layers

    for cell_type, layer_class in (("lstm", layers.LSTM), ("gru", layers.GRU), ("rnn", layers.SimpleRNN)):
        if isinstance(layer, layer_class):
            return cell_type
    raise InputError(f"Layer {layer.name!r} ({type(layer).__name__}) is not a SimpleRNN, LSTM or GRU layer.")


def step_layer(layer, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """Run one Keras SimpleRNN / LSTM / GRU layer over ``inputs`` ``(T, features)`` step by step.

    Reads the layer's trained kernels (dropout is off, as at inference). If the
    layer reads backwards (``go_backwards``), it steps from the last row to the
    first and the returned rows are put back in input order.

    Returns:
        ``{gate: array (T, units)}`` with the names in :data:`GATES` for the cell type.

    Example:
        >>> import keras, numpy as np
        >>> layer = keras.layers.GRU(3); layer.build((None, None, 2))
        >>> sorted(step_layer(layer, np.zeros((4, 2))))
        ['candidate', 'hidden', 'reset', 'update']
    """
    cell_type, cell = _cell_type(layer), layer.cell
    kernel = np.asarray(cell.kernel.numpy(), dtype="float64")
    recurrent = np.asarray(cell.recurrent_kernel.numpy(), dtype="float64")
    units = recurrent.shape[0]
    bias = np.asarray(cell.bias.numpy(), dtype="float64") if getattr(cell, "use_bias", True) and cell.bias is not None else None
    activation = _activation(cell.activation)
    gate_activation = _activation(cell.recurrent_activation) if cell_type != "rnn" else None
    x = np.asarray(inputs, dtype="float64")
    order = np.arange(len(x))[::-1] if layer.go_backwards else np.arange(len(x))
    if cell_type == "gru" and bias is not None and cell.reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias = bias if bias is not None else np.zeros(kernel.shape[1])
        recurrent_bias = np.zeros(kernel.shape[1])
    projected = x @ kernel + input_bias  # every step's input part at once
    h = np.zeros(units)
    c = np.zeros(units)
    rows = {name: np.zeros((len(x), units)) for name in GATES[cell_type]}
    for t in order:
        if cell_type == "rnn":
            h = activation(projected[t] + h @ recurrent)
            rows["hidden"][t] = h
        elif cell_type == "lstm":
            z = projected[t] + h @ recurrent
            i, f, g, o = (z[k * units:(k + 1) * units] for k in range(4))
            i, f, o, g = gate_activation(i), gate_activation(f), gate_activation(o), activation(g)
            c = f * c + i * g
            h = o * activation(c)
            for name, value in (("input", i), ("forget", f), ("output", o), ("candidate", g), ("cell", c), ("hidden", h)):
                rows[name][t] = value
        else:  # gru, Keras layout [update | reset | candidate]
            x_z, x_r, x_h = np.split(projected[t], 3)
            if cell.reset_after:
                inner = h @ recurrent + recurrent_bias
                r_z, r_r, r_h = np.split(inner, 3)
                update, reset = gate_activation(x_z + r_z), gate_activation(x_r + r_r)
                candidate = activation(x_h + reset * r_h)
            else:
                update = gate_activation(x_z + h @ recurrent[:, :units])
                reset = gate_activation(x_r + h @ recurrent[:, units:2 * units])
                candidate = activation(x_h + (reset * h) @ recurrent[:, 2 * units:])
            h = update * h + (1.0 - update) * candidate
            for name, value in (("update", update), ("reset", reset), ("candidate", candidate), ("hidden", h)):
                rows[name][t] = value
    return rows


@dataclass
class CellTrace:
    """One recurrent layer in one direction: ``values[gate]`` has one row per token, one column per unit."""

    layer: int
    direction: str
    cell_type: str
    values: dict[str, np.ndarray]

    @property
    def label(self) -> str:
        return f"layer {self.layer + 1} · {self.direction}"

    def to_dict(self, digits: int = 5) -> dict:
        return {"layer": self.layer, "direction": self.direction, "cell_type": self.cell_type,
                "values": {name: np.round(value, digits).tolist() for name, value in self.values.items()}}


@dataclass
class StateInspection:
    """Gate activations and states of every recurrent layer for one text (see :func:`inspect_states`).

    Attributes:
        tokens: the tokens the model read, in order (rows of every array).
        cell_type: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        parts: one :class:`CellTrace` per layer and direction.
        probabilities: the class probabilities after each token (the prediction trajectory).
        classes: the columns of ``probabilities``.
        target: the class the tracking units are measured against (the predicted class).
        tracking: units whose hidden state follows the target's probability most closely,
            from :func:`tracking_units`.
        dropped_tokens: tokens beyond ``max_length`` (never read).
    """

    tokens: list[str]
    cell_type: str
    parts: list[CellTrace]
    probabilities: list[list[float]]
    classes: list[str]
    target: str
    tracking: list[dict] = field(default_factory=list)
    dropped_tokens: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def part(self, layer: int, direction: str = "forward") -> CellTrace:
        for trace in self.parts:
            if trace.layer == layer and trace.direction == direction:
                return trace
        raise InputError(f"No recurrent layer {layer} ({direction}); this model has "
                         f"{', '.join(trace.label for trace in self.parts)}.")

    def to_dict(self, digits: int = 5) -> dict:
        """JSON-safe dict (values rounded to ``digits``)."""
        return {"tokens": self.tokens, "cell_type": self.cell_type, "gates": list(GATES[self.cell_type]),
                "parts": [trace.to_dict(digits) for trace in self.parts], "classes": self.classes,
                "probabilities": np.round(self.probabilities, digits).tolist(), "target": self.target,
                "tracking": self.tracking, "dropped_tokens": self.dropped_tokens, "seconds": self.seconds}


def tracking_units(hidden: np.ndarray, probability: np.ndarray, tokens: list[str], top_k: int = 3) -> list[dict]:
    """The units whose activation follows ``probability`` (one value per token) most closely.

    Ranks units by the absolute Pearson correlation between their hidden state and
    the probability over the tokens, and names the words where each unit moves most
    (the largest changes from the previous token, the first token measured from 0).

    Returns:
        ``[{"unit", "correlation", "switch_words": [{"position", "token", "change"}, ...]}, ...]``,
        best first; empty when there are fewer than 3 tokens or the probability never moves.

    Example:
        >>> import numpy as np
        >>> hidden = np.array([[0.0, 0.1], [0.9, 0.1], [1.0, 0.2]])
        >>> tracking_units(hidden, np.array([0.1, 0.8, 0.9]), ["a", "great", "film"], top_k=1)[0]["unit"]
        0
    """
    hidden, probability = np.asarray(hidden, dtype="float64"), np.asarray(probability, dtype="float64")
    if len(tokens) < 3 or np.ptp(probability) < 1e-9:
        return []
    centred = hidden - hidden.mean(axis=0)
    spread = np.sqrt((centred ** 2).sum(axis=0)) * np.sqrt(((probability - probability.mean()) ** 2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = np.where(spread > 1e-12, centred.T @ (probability - probability.mean()) / spread, 0.0)
    changes = np.diff(hidden, axis=0, prepend=np.zeros((1, hidden.shape[1])))
    ranked = np.argsort(-np.abs(correlation), kind="stable")[: int(top_k)]
    units = []
    for unit in ranked:
        moves = np.argsort(-np.abs(changes[:, unit]), kind="stable")[:2]
        units.append({
            "unit": int(unit), "correlation": float(correlation[unit]),
            "switch_words": [{"position": int(t), "token": tokens[t], "change": float(changes[t, unit])} for t in sorted(moves)],
        })
    return units


def recurrent_traces(classifier: "RNNTextClassifier", ids) -> list[CellTrace]:
    """Step every recurrent layer of ``classifier``'s model over ``ids`` (one text, no padding)."""
    from keras import layers

    from rnnclf.interpret.engine import _model_parts

    embedding, _, recurrent, _ = _model_parts(classifier.model_)
    inputs = np.asarray(embedding.embeddings.numpy(), dtype="float64")[np.asarray(ids, dtype="int64")]
    traces = []
    for index, layer in enumerate(recurrent):
        if isinstance(layer, layers.Bidirectional):
            forward, backward = step_layer(layer.forward_layer, inputs), step_layer(layer.backward_layer, inputs)
            cell_type = _cell_type(layer.forward_layer)
            traces += [CellTrace(index, "forward", cell_type, forward), CellTrace(index, "backward", cell_type, backward)]
            inputs = np.concatenate([forward["hidden"], backward["hidden"]], axis=1)
        else:
            values = step_layer(layer, inputs)
            traces.append(CellTrace(index, "forward", _cell_type(layer), values))
            inputs = values["hidden"]
    return traces


def inspect_states(classifier: "RNNTextClassifier", text: str, *, top_k: int = 3, trajectory=None) -> StateInspection:
    """Gates and states of every recurrent layer, token by token, for one text.

    Args:
        classifier: a fitted :class:`~rnnclf.classifier.RNNTextClassifier`.
        text: one non-empty text; only its first ``max_length`` tokens are read.
        top_k: how many tracking units to report.
        trajectory: the text's :func:`~rnnclf.interpret.insight.prediction_trajectory`
            if already computed (the Classify page has it); computed here otherwise.

    Returns:
        A :class:`StateInspection`. Its tracking units come from the last layer's
        forward direction (the one that has read the text up to each word, like the
        prediction after each word it is compared with).

    Raises:
        InputError: the text is empty or has no tokens.

    Example:
        >>> inspection = inspect_states(classifier, "the pasta was delicious")  # doctest: +SKIP
        >>> inspection.part(0).values["hidden"].shape  # doctest: +SKIP
        (4, 64)
    """
    from rnnclf.interpret.attribution import encode_text
    from rnnclf.interpret.insight import prediction_trajectory

    if not isinstance(text, str) or not text.strip():
        raise InputError("The text is empty: type a sentence to look inside the RNN.")
    started = time.perf_counter()
    encoded = encode_text(classifier, text)
    if not len(encoded.ids):
        raise InputError("The text has no tokens the model could read; type some words.")
    traces = recurrent_traces(classifier, encoded.ids)
    trajectory = trajectory if trajectory is not None else prediction_trajectory(classifier, text)
    probabilities = np.asarray(trajectory.probabilities)
    target_index = int(np.argmax(probabilities[-1]))
    last = [trace for trace in traces if trace.layer == traces[-1].layer and trace.direction == "forward"][0]
    return StateInspection(
        tokens=list(encoded.tokens), cell_type=traces[0].cell_type, parts=traces,
        probabilities=probabilities.tolist(), classes=list(trajectory.classes), target=trajectory.classes[target_index],
        tracking=tracking_units(last.values["hidden"], probabilities[:, target_index], list(encoded.tokens), top_k),
        dropped_tokens=list(encoded.dropped_tokens), seconds=time.perf_counter() - started,
    )
