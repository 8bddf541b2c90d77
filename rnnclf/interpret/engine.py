"""The compiled engine under every explanation: the model cut at the embedding.

:class:`CompiledFunctions` holds the model cut at the ``Embedding`` output —
the recurrent layers and the head called with an explicit ``mask=`` (cutting a
masked model there loses the Keras mask) — as ``tf.function`` paths with
``[None, None]`` input signatures, built once per classifier instance by
:func:`compiled_functions`. :mod:`rnnclf.interpret.attribution`,
:mod:`rnnclf.interpret.insight` and :mod:`rnnclf.experiments.gradient_flow` run on them.
"""

from __future__ import annotations

import inspect
import threading
import weakref
from typing import TYPE_CHECKING, Any

from rnnclf import _keras_setup  # noqa: F401
from rnnclf.encoding import PAD_ID
from rnnclf.errors import InputError

if TYPE_CHECKING:
    from rnnclf.classifier import RNNTextClassifier

__all__ = ["CompiledFunctions", "compiled_functions"]



def _model_parts(model) -> tuple[Any, list, list, list]:
    """Split a build_model() model into (embedding, layers after it, recurrent layers, head Dense layers).

    The model must be the chain :func:`rnnclf.models.build_model` makes: an
    ``Embedding`` first, then (spatial) dropout, recurrent layers, an optional
    :class:`~rnnclf.models.SequencePooling`, and a ``Dense`` head last.
    """
    from keras import layers

    from rnnclf.models import SequencePooling

    chain = [layer for layer in model.layers if not isinstance(layer, layers.InputLayer)]
    names = [f"{type(layer).__name__}({layer.name})" for layer in chain]
    problem = (
        f"Explanations and diagnostics expect the Embedding → recurrent layers → (pooling) → Dense layout of "
        f"rnnclf.models.build_model; this model has {', '.join(names)}. Use a model trained by rnnclf."
    )
    allowed = (layers.Dropout, layers.RNN, layers.Bidirectional, SequencePooling, layers.Dense)
    if not chain or not isinstance(chain[0], layers.Embedding) or not isinstance(chain[-1], layers.Dense):
        raise InputError(problem)
    after = chain[1:]
    recurrent = [layer for layer in after if isinstance(layer, (layers.RNN, layers.Bidirectional))]
    if not recurrent or any(not isinstance(layer, allowed) for layer in after):
        raise InputError(problem)
    head = [layer for layer in after[after.index(recurrent[-1]) + 1 :] if isinstance(layer, layers.Dense)]
    return chain[0], after, recurrent, head


def _takes_mask(layer) -> bool:
    return "mask" in inspect.signature(layer.call).parameters


class CompiledFunctions:
    """Compiled gradient paths of one Keras model, cut at the embedding output (see :func:`compiled_functions`).

    Everything after the embedding runs layer by layer with the padding mask
    passed along by hand, so any :func:`rnnclf.models.build_model` head works
    (last state, pooling, attention).

    Every function takes int32 ids of shape ``(batch, time)`` with a
    ``[None, None]`` signature, so any batch size and length reuses one trace.

    Attributes:
        model: the model these functions read (weights are shared, not copied).
        bidirectional: whether any recurrent layer is ``Bidirectional``.
        recurrent: the recurrent layers, in order.
        reads_last_state: the head reads the last recurrent state alone (no pooling).
        integrated_gradients: ``(ids (1, T), baseline_ids (1, T), baseline_scale, alphas (S,),
            weights (S,), target) -> (scores (T,), path probabilities (S, C))``.
        path_probabilities: the same path, forward only: ``-> probabilities (S, C)``.
        gradients: ``(ids, target) -> (gradient·input (B, T), gradient norm (B, T))``.
        loss_gradients: ``(ids, label ids (B,)) -> (‖∂L/∂x_t‖ (B, T), per-example loss (B,))``.
    """

    def __init__(self, model):
        import tensorflow as tf
        from keras import layers

        from rnnclf.models import SequencePooling

        self.model = model
        self.embedding, self._after_embedding, self.recurrent, self.head = _model_parts(model)
        self._mask_takers = [_takes_mask(layer) for layer in self._after_embedding]
        self.bidirectional = any(isinstance(layer, layers.Bidirectional) for layer in self.recurrent)
        # The last state alone feeds the head: the prediction after each word is one pass (see insight).
        self.reads_last_state = not any(isinstance(layer, SequencePooling) for layer in self._after_embedding)
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
        for layer, takes_mask in zip(self._after_embedding, self._mask_takers):
            if takes_mask:
                hidden, mask = layer(hidden, mask=mask, training=False), layer.compute_mask(hidden, mask)
            else:
                hidden = layer(hidden, training=False)
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

        Other modules (e.g. :mod:`rnnclf.interpret.insight` for the trajectory model) keep
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
        >>> compiled_functions(classifier).gradients
        <tensorflow.python.eager.polymorphic_function...>
    """
    classifier._check_fitted()
    with _COMPILED_LOCK:
        functions = _COMPILED.get(classifier)
        if functions is None or functions.model is not classifier.model_:
            functions = CompiledFunctions(classifier.model_)
            _COMPILED[classifier] = functions
        return functions
