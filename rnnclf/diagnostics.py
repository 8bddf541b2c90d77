"""Inside the network: compiled gradient paths and gradient flow through time.

:class:`CompiledFunctions` holds the model cut at the ``Embedding`` output —
the recurrent layers and the head called with an explicit ``mask=`` (cutting a
masked model there loses the Keras mask) — as ``tf.function`` paths with
``[None, None]`` input signatures, built once per classifier instance by
:func:`compiled_functions`. :mod:`rnnclf.attribution` and :mod:`rnnclf.insight`
run on them too.

:func:`gradient_flow` measures the vanishing-gradient problem on the user's
own model and data.

What is measured: for each example, ``‖∂L/∂x_t‖₂`` — the L2 norm of the
gradient of the training loss ``L`` (cross-entropy of the *true* label) with
respect to the embedding vector ``x_t`` that the first recurrent layer reads
at step ``t``. This is the signal that training sends to the token at step
``t``.

Why ``x_t`` and not the hidden state ``h_t``: in a one-layer unidirectional
RNN the only way from ``x_t`` to the loss is through ``h_t``, so
``∂L/∂x_t = (∂h_t/∂x_t)ᵀ ∂L/∂h_t`` — the textbook hidden-state gradient seen
through one input Jacobian. Its decay with distance from the end is the
decay of ``∂L/∂h_t`` (the per-step factor ``∂h_t/∂x_t`` does not grow with
distance), and it can be measured for every architecture (stacked,
bidirectional) without re-implementing the recurrent loop. It is not
identical to ``‖∂L/∂h_t‖``: a token whose input weights are small gets a
small value even if ``∂L/∂h_t`` is large.

Alignment: steps are counted from the end of each text (distance 1 = last
real token), so texts of different lengths line up where the classifier
reads its output. Padding never counts: at distance ``d`` only examples with
at least ``d`` tokens contribute, and ``count`` says how many did.
Bidirectional models also read the text from the end, so their curve mixes
both directions (reported as ``bidirectional=True``).

Example:
    >>> flow = gradient_flow(classifier, texts, labels)  # doctest: +SKIP
    >>> flow.distance[:3], [round(value, 4) for value in flow.mean[:3]]  # doctest: +SKIP
    ([1, 2, 3], [0.0213, 0.0101, 0.0048])
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from rnnclf import _keras_setup  # noqa: F401
from rnnclf.classifier import check_labels, check_texts
from rnnclf.encoding import PAD_ID
from rnnclf.training import pad_batch

if TYPE_CHECKING:
    from rnnclf.classifier import RNNTextClassifier

__all__ = ["CompiledFunctions", "compiled_functions", "GradientFlow", "QUANTITY", "gradient_flow"]

QUANTITY = "‖∂L/∂x_t‖₂: gradient of the true-label cross-entropy w.r.t. the embedding read at step t (t counted from the end)"
# Texts are sorted by length and cut into batches of this many, so each batch
# is padded only to its own longest text.
GRADIENT_BATCH = 64


def _model_parts(model) -> tuple[Any, list, list]:
    """Split a build_model() model into (embedding, recurrent layers, head layers)."""
    from keras import layers

    chain = [layer for layer in model.layers if not isinstance(layer, layers.InputLayer)]
    names = [f"{type(layer).__name__}({layer.name})" for layer in chain]
    problem = (
        f"Explanations and diagnostics expect the Embedding → recurrent layers → Dense layout of "
        f"rnnclf.models.build_model; this model has {', '.join(names)}. Use a model trained by rnnclf."
    )
    if not chain or not isinstance(chain[0], layers.Embedding):
        raise ValueError(problem)
    recurrent, position = [], 1
    while position < len(chain) and isinstance(chain[position], (layers.RNN, layers.Bidirectional)):
        recurrent.append(chain[position])
        position += 1
    head = chain[position:]
    if not recurrent or not head or not isinstance(head[-1], layers.Dense):
        raise ValueError(problem)
    if any(not isinstance(layer, (layers.Dropout, layers.Dense)) for layer in head):
        raise ValueError(problem)
    # Dropout is the identity at inference; leaving it out keeps the graph small.
    return chain[0], recurrent, [layer for layer in head if isinstance(layer, layers.Dense)]


class CompiledFunctions:
    """Compiled gradient paths of one Keras model, cut at the embedding output (see :func:`compiled_functions`).

    Every function takes int32 ids of shape ``(batch, time)`` with a
    ``[None, None]`` signature, so any batch size and length reuses one trace.

    Attributes:
        model: the model these functions read (weights are shared, not copied).
        bidirectional: whether any recurrent layer is ``Bidirectional``.
        integrated_gradients: ``(ids (1, T), baseline_ids (1, T), baseline_scale, alphas (S,),
            weights (S,), target) -> (scores (T,), path probabilities (S, C))``.
        path_probabilities: the same path, forward only: ``-> probabilities (S, C)``.
        gradients: ``(ids, target) -> (gradient·input (B, T), gradient norm (B, T))``.
        loss_gradients: ``(ids, label ids (B,)) -> (‖∂L/∂x_t‖ (B, T), per-example loss (B,))``.
    """

    def __init__(self, model):
        import tensorflow as tf
        from keras import layers

        self.model = model
        self.embedding, self.recurrent, self.head = _model_parts(model)
        self.bidirectional = any(isinstance(layer, layers.Bidirectional) for layer in self.recurrent)
        self._extra: dict[str, Any] = {}
        self._lock = threading.Lock()
        ids = tf.TensorSpec(shape=(None, None), dtype=tf.int32)
        scalar_int, scalar_float = tf.TensorSpec((), tf.int32), tf.TensorSpec((), tf.float32)
        vector = tf.TensorSpec((None,), tf.float32)
        self.integrated_gradients = tf.function(
            self._integrated_gradients, input_signature=[ids, ids, scalar_float, vector, vector, scalar_int], reduce_retracing=True
        )
        self.path_probabilities = tf.function(
            self._path_probabilities, input_signature=[ids, ids, scalar_float, vector], reduce_retracing=True
        )
        self.gradients = tf.function(self._gradients, input_signature=[ids, scalar_int], reduce_retracing=True)
        self.loss_gradients = tf.function(
            self._loss_gradients, input_signature=[ids, tf.TensorSpec((None,), tf.int32)], reduce_retracing=True
        )

    # The model from the embedding output on, with the mask passed by hand.
    def forward_from_embeddings(self, vectors, mask):
        """Class probabilities from embedding vectors ``(B, T, D)`` and a bool mask ``(B, T)``."""
        hidden = vectors
        for layer in self.recurrent:
            hidden = layer(hidden, mask=mask, training=False)
        for layer in self.head:
            hidden = layer(hidden)
        return hidden

    def embed(self, ids):
        import keras

        return keras.ops.cast(keras.ops.take(self.embedding.embeddings, ids, axis=0), self.embedding.compute_dtype)

    def _path(self, ids, baseline_ids, baseline_scale, alphas):
        import tensorflow as tf

        ids, baseline_ids = ids[:1], baseline_ids[:1]
        inputs = self.embed(ids)
        baseline = self.embed(baseline_ids) * baseline_scale
        mask = tf.not_equal(ids, PAD_ID)
        # All interpolation steps form one batch; the mask of the real text is
        # pinned along the whole path, so every step reads the same positions.
        path = baseline + alphas[:, None, None] * (inputs - baseline)
        return inputs[0], baseline[0], mask[0], path, tf.tile(mask, [tf.shape(alphas)[0], 1])

    def _path_probabilities(self, ids, baseline_ids, baseline_scale, alphas):
        _, _, _, path, path_mask = self._path(ids, baseline_ids, baseline_scale, alphas)
        return self.forward_from_embeddings(path, path_mask)

    def _integrated_gradients(self, ids, baseline_ids, baseline_scale, alphas, weights, target):
        import tensorflow as tf

        inputs, baseline, mask, path, path_mask = self._path(ids, baseline_ids, baseline_scale, alphas)
        with tf.GradientTape() as tape:
            tape.watch(path)
            probabilities = self.forward_from_embeddings(path, path_mask)
            chosen = probabilities[:, target]
        gradients = tape.gradient(chosen, path)
        average = tf.tensordot(weights, gradients, axes=1)
        scores = tf.reduce_sum((inputs - baseline) * average, axis=-1) * tf.cast(mask, average.dtype)
        return scores, probabilities

    def _embedding_gradients(self, ids, objective):
        """Embeddings, padding mask, probabilities, ``objective(probabilities)`` and its gradient.

        A vector objective is differentiated as its sum: each row's gradient is
        that of its own value, since rows never interact.
        """
        import tensorflow as tf

        inputs = self.embed(ids)
        mask = tf.not_equal(ids, PAD_ID)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            probabilities = self.forward_from_embeddings(inputs, mask)
            value = objective(probabilities)
        gradients = tape.gradient(value, inputs)
        return inputs, tf.cast(mask, gradients.dtype), value, gradients

    def _gradients(self, ids, target):
        import tensorflow as tf

        inputs, keep, chosen, gradients = self._embedding_gradients(ids, lambda probabilities: probabilities[:, target])
        return tf.reduce_sum(gradients * inputs, axis=-1) * keep, tf.norm(gradients, axis=-1) * keep

    def _loss_gradients(self, ids, labels):
        import keras
        import tensorflow as tf

        # The training loss of each example (the loss the model was fitted with).
        _, keep, losses, gradients = self._embedding_gradients(
            ids, lambda probabilities: keras.losses.sparse_categorical_crossentropy(labels, probabilities)
        )
        return tf.norm(gradients, axis=-1) * keep, losses

    def cached(self, name: str, build):
        """Return the function stored under ``name``, calling ``build(self)`` once to create it.

        Other modules (e.g. :mod:`rnnclf.insight` for the trajectory model) keep
        their compiled paths here, so they live and die with this model.
        """
        with self._lock:
            if name not in self._extra:
                self._extra[name] = build(self)
            return self._extra[name]


_COMPILED: "weakref.WeakKeyDictionary[Any, CompiledFunctions]" = weakref.WeakKeyDictionary()
_COMPILED_LOCK = threading.Lock()


def compiled_functions(classifier: "RNNTextClassifier") -> CompiledFunctions:
    """The compiled gradient paths of ``classifier``, built once and cached per instance.

    The cache is weak (it dies with the classifier) and is rebuilt when the
    classifier is refitted (a new ``model_``).

    Example:
        >>> compiled_functions(classifier).gradients  # doctest: +SKIP
        <tensorflow.python.eager.polymorphic_function...>
    """
    classifier._check_fitted()
    with _COMPILED_LOCK:
        functions = _COMPILED.get(classifier)
        if functions is None or functions.model is not classifier.model_:
            functions = CompiledFunctions(classifier.model_)
            _COMPILED[classifier] = functions
        return functions


@dataclass
class GradientFlow:
    """Gradient norm per distance from the end of the text, over a set of examples.

    Attributes:
        cell_type: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        bidirectional: whether the recurrent layers read both directions.
        num_layers: stacked recurrent layers.
        quantity: what was measured (see the module docstring).
        distance: ``1, 2, …``; 1 is the last real token of each text.
        mean, median, p10, p90: statistics over the examples that have a token at that distance.
        count: how many examples have a token at that distance.
        examples: number of texts measured.
        mean_loss: their mean cross-entropy.
        decay_per_step: ``exp`` of the slope of ``log(mean)`` against distance
            (a count-weighted least-squares fit): ``0.8`` means the signal
            shrinks by 20 % per step back; ``None`` with fewer than two distances.
    """

    cell_type: str
    bidirectional: bool
    num_layers: int
    quantity: str
    distance: list[int]
    mean: list[float]
    median: list[float]
    p10: list[float]
    p90: list[float]
    count: list[int]
    examples: int
    mean_loss: float
    decay_per_step: float | None

    def to_dict(self) -> dict:
        """JSON-safe dict."""
        return asdict(self)


def _label_indices(classifier: "RNNTextClassifier", labels) -> np.ndarray:
    names = [str(label.item() if isinstance(label, np.generic) else label) for label in classifier.classes_]
    lookup = {name: index for index, name in enumerate(names)}
    as_text = [str(label.item() if isinstance(label, np.generic) else label) for label in labels]
    unknown = sorted(set(as_text) - set(lookup))
    if unknown:
        raise ValueError(f"Labels {unknown[:5]} are not classes of this model ({', '.join(names)}): pass the true labels of the texts.")
    return np.array([lookup[text] for text in as_text], dtype="int32")


def _decay_per_step(distance: np.ndarray, mean: np.ndarray, count: np.ndarray) -> float | None:
    usable = mean > 0
    if usable.sum() < 2:
        return None
    slope = np.polyfit(distance[usable], np.log(mean[usable]), 1, w=np.sqrt(count[usable]))[0]
    return float(np.exp(slope))


def gradient_flow(
    classifier: "RNNTextClassifier",
    texts: Sequence[str],
    labels: Sequence,
    *,
    max_steps: int | None = None,
    batch_size: int = GRADIENT_BATCH,
) -> GradientFlow:
    """Measure ``‖∂L/∂x_t‖`` per distance from the end of the text on real examples.

    Args:
        classifier: a fitted classifier.
        texts: the examples (e.g. a few hundred validation texts).
        labels: their true labels (values of ``classes_``).
        max_steps: report distances ``1 … max_steps``. Default: ``None`` (up to the longest text).
        batch_size: texts per compiled call. Default: 64.

    Returns:
        A :class:`GradientFlow`; plot it with :func:`rnnclf.plots.gradient_flow_figure`
        (log scale), one per cell type.

    Raises:
        ValueError: no texts, an empty text, or labels that are not classes of the model.

    Example:
        >>> gradient_flow(classifier, ["the zing movie"], ["positive"]).count  # doctest: +SKIP
        [1, 1, 1]
    """
    texts = check_texts(texts)
    labels = check_labels(labels, len(texts))
    if not texts:
        raise ValueError("gradient_flow needs at least one labelled text.")
    if max_steps is not None and int(max_steps) < 1:
        raise ValueError(f"Received: max_steps={max_steps}; expected a positive integer or None.")
    targets = _label_indices(classifier, labels)
    sequences = classifier.encoder_.encode_ids(texts)
    empty = [position for position, sequence in enumerate(sequences) if not sequence]
    if empty:
        raise ValueError(f"Texts at positions {empty[:10]} have no tokens: drop empty texts before measuring gradient flow.")
    functions = compiled_functions(classifier)

    longest = max(len(sequence) for sequence in sequences)
    steps = longest if max_steps is None else min(int(max_steps), longest)
    # Row i, column d-1: gradient norm of example i at distance d from its end (NaN: text too short).
    by_distance = np.full((len(texts), steps), np.nan)
    losses = np.zeros(len(texts))
    order = np.argsort([len(sequence) for sequence in sequences], kind="stable")
    for start in range(0, len(order), int(batch_size)):
        chunk = order[start : start + int(batch_size)]
        norms, loss = functions.loss_gradients(pad_batch([sequences[index] for index in chunk]), targets[chunk])
        norms, losses[chunk] = norms.numpy(), loss.numpy()
        for row, index in enumerate(chunk):
            reversed_norms = norms[row, : len(sequences[index])][::-1][:steps]
            by_distance[index, : len(reversed_norms)] = reversed_norms

    count = np.sum(~np.isnan(by_distance), axis=0)
    distance = np.arange(1, steps + 1)
    mean = np.nanmean(by_distance, axis=0)
    p10, median, p90 = np.nanpercentile(by_distance, [10, 50, 90], axis=0)
    params = classifier.get_params()
    return GradientFlow(
        cell_type=str(params["cell_type"]),
        bidirectional=bool(functions.bidirectional),
        num_layers=len(functions.recurrent),
        quantity=QUANTITY,
        distance=distance.tolist(),
        mean=mean.tolist(),
        median=median.tolist(),
        p10=p10.tolist(),
        p90=p90.tolist(),
        count=count.astype(int).tolist(),
        examples=len(texts),
        mean_loss=float(losses.mean()),
        decay_per_step=_decay_per_step(distance, mean, count),
    )
