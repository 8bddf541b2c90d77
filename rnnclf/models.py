"""Keras model builders: Embedding → recurrent layers → (pooling) → softmax head.

Convention used everywhere in rnnclf: the head is a ``softmax`` over
``num_classes`` units, also for binary tasks. One convention means
``predict_proba`` columns, attribution targets and losses never branch on the
number of classes (a 2-unit softmax is as expressive as one sigmoid unit).

>>> model = build_model(vocabulary_size=100, num_classes=2, cell_type="gru", units=8, embedding_dim=8)
>>> model.output_shape
(None, 2)
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from rnnclf import _keras_setup  # noqa: F401  (quiet TF logs, pick the backend)
from rnnclf.common import lookup
from rnnclf.errors import InputError
from rnnclf.optimizers import LazyAdam

__all__ = ["CELL_TYPES", "POOLINGS", "SequencePooling", "build_model", "cell_layer_class", "count_parameters", "transfer_weights"]

# Registry of recurrent cell types. SimpleRNN is the textbook Elman network whose
# gradients vanish over long spans; LSTM and GRU add gates that keep them alive.
CELL_TYPES: dict[str, type] = {
    "rnn": layers.SimpleRNN,
    "lstm": layers.LSTM,
    "gru": layers.GRU,
}

# What the head reads from the last recurrent layer. "last" is the final state
# alone (the textbook classifier); the others summarise every step, which lets a
# word far from the end reach the head without surviving the whole recurrence.
POOLINGS: dict[str, tuple[str, ...]] = {
    "last": ("last",),
    "max_mean": ("last", "max", "mean"),
    "attention": ("last", "attention"),
}

_NEGATIVE = -1e9  # stands in for -inf where padding must lose a max or a softmax


@keras.saving.register_keras_serializable(package="rnnclf")
class SequencePooling(layers.Layer):
    """Masked summaries of a recurrent output sequence ``(batch, time, features)``, concatenated.

    Modes (in the order given): ``"last"`` — the final state (with post padding,
    the output at the last real step; for a bidirectional input the forward half
    there and the backward half at step 0, which is where the backward direction
    finishes); ``"max"`` / ``"mean"`` — per feature over the real steps only;
    ``"attention"`` — a learned softmax over the real steps (additive scoring,
    Bahdanau et al. 2015) and the weighted sum of the outputs. Padding never
    contributes; a row with no real step pools to zeros.

    Example:
        >>> pooled = SequencePooling(modes=("last", "max", "mean"))(np.ones((2, 5, 3), "float32"))
        >>> tuple(pooled.shape)
        (2, 9)
    """

    def __init__(self, modes=("last", "max", "mean"), bidirectional=False, attention_units=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        unknown = [mode for mode in modes if mode not in ("last", "max", "mean", "attention")]
        if not modes or unknown:
            raise InputError(f"Received: modes={tuple(modes)}; expected a non-empty subset of 'last', 'max', 'mean', 'attention'.")
        self.modes = tuple(modes)
        self.bidirectional = bool(bidirectional)
        self.attention_units = None if attention_units is None else int(attention_units)
        self.seed = seed
        self.supports_masking = True

    def build(self, input_shape):
        features = int(input_shape[-1])
        if "attention" in self.modes:
            width = self.attention_units or features
            self.attention_kernel = self.add_weight(
                shape=(features, width), initializer=keras.initializers.GlorotUniform(seed=self.seed), name="attention_kernel"
            )
            self.attention_bias = self.add_weight(shape=(width,), initializer="zeros", name="attention_bias")
            self.attention_vector = self.add_weight(
                shape=(width,), initializer=keras.initializers.GlorotUniform(seed=self.seed), name="attention_vector"
            )

    def call(self, inputs, mask=None):
        ops = keras.ops
        if mask is None:
            mask = ops.ones(ops.shape(inputs)[:2], dtype="bool")
        mask = ops.cast(mask, "bool")
        weights = ops.cast(mask, inputs.dtype)[:, :, None]
        lengths = ops.sum(weights, axis=1)  # (batch, 1)
        parts = []
        for mode in self.modes:
            if mode == "last":
                last_step = ops.maximum(ops.cast(lengths[:, 0], "int32") - 1, 0)
                at_last = ops.sum(inputs * ops.one_hot(last_step, ops.shape(inputs)[1], dtype=inputs.dtype)[:, :, None], axis=1)
                if self.bidirectional:
                    half = inputs.shape[-1] // 2
                    at_last = ops.concatenate([at_last[:, :half], inputs[:, 0, half:]], axis=-1)
                parts.append(at_last * ops.cast(lengths > 0, inputs.dtype))
            elif mode == "max":
                largest = ops.max(ops.where(mask[:, :, None], inputs, _NEGATIVE), axis=1)
                parts.append(ops.where(lengths > 0, largest, 0.0))
            elif mode == "mean":
                parts.append(ops.sum(inputs * weights, axis=1) / ops.maximum(lengths, 1.0))
            else:
                scores = ops.tensordot(ops.tanh(ops.tensordot(inputs, self.attention_kernel, 1) + self.attention_bias), self.attention_vector, 1)
                attention = ops.softmax(ops.where(mask, scores, _NEGATIVE), axis=-1) * weights[:, :, 0]
                parts.append(ops.sum(inputs * attention[:, :, None], axis=1))
        return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], int(input_shape[-1]) * len(self.modes))

    def get_config(self):
        config = super().get_config()
        config.update(modes=list(self.modes), bidirectional=self.bidirectional, attention_units=self.attention_units, seed=self.seed)
        return config



def cell_layer_class(cell_type: str) -> type:
    """Return the Keras layer class for ``cell_type`` ('rnn', 'lstm' or 'gru')."""
    return lookup(CELL_TYPES, cell_type, "cell_type", kind="cell type")


def build_model(
    *,
    vocabulary_size: int,
    num_classes: int,
    cell_type: str = "lstm",
    embedding_dim: int = 64,
    units: int = 64,
    num_layers: int = 1,
    bidirectional: bool = False,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    pooling: str = "last",
    spatial_dropout: float = 0.0,
    learning_rate: float = 1e-3,
    clipnorm: float | None = 1.0,
    embedding_matrix: np.ndarray | None = None,
    trainable_embeddings: bool = True,
    seed: int | None = None,
) -> keras.Model:
    """Build and compile a recurrent text classifier.

    Args:
        vocabulary_size: number of ids, including padding (0) and OOV (1).
        num_classes: number of output classes (>= 2).
        cell_type: ``"rnn"`` (SimpleRNN), ``"lstm"`` or ``"gru"``. Default: ``"lstm"``.
        embedding_dim: embedding width; must match ``embedding_matrix`` if given. Default: 64.
        units: hidden units per recurrent layer (per direction). Default: 64.
        num_layers: stacked recurrent layers. Default: 1.
        bidirectional: wrap each recurrent layer in ``Bidirectional``. Default: ``False``.
        dropout: dropout on the recurrent layers' inputs and before the head. Default: 0.
        recurrent_dropout: dropout on the recurrent state. Default: 0.
        pooling: what the head reads (see :data:`POOLINGS`): ``"last"`` — the final
            state; ``"max_mean"`` — the final state with the masked max and mean of
            every step's output; ``"attention"`` — the final state with an
            attention-weighted sum. Default: ``"last"``.
        spatial_dropout: drop whole embedding channels (``SpatialDropout1D``) with
            this probability while training. Default: 0.
        learning_rate: Adam learning rate. Default: 1e-3.
        clipnorm: clip each gradient's norm to this value; ``None`` disables. Default: 1.0.
        embedding_matrix: optional initial embedding weights ``(vocabulary_size, embedding_dim)``.
        trainable_embeddings: keep fine-tuning the embedding. Default: ``True``.
        seed: seed for weight initialisers. Default: ``None``.

    Returns:
        A compiled ``keras.Model`` mapping int32 ids ``(batch, time)`` to class
        probabilities ``(batch, num_classes)``.

    Example:
        >>> build_model(vocabulary_size=50, num_classes=3, cell_type="rnn", units=4, embedding_dim=4).count_params()
        251
    """
    layer_class = cell_layer_class(cell_type)
    modes = lookup(POOLINGS, pooling, "pooling")
    if int(num_classes) < 2:
        raise InputError(f"Received: num_classes={num_classes}; a classifier needs at least 2 classes.")
    if int(num_layers) < 1:
        raise InputError(f"Received: num_layers={num_layers}; expected at least 1.")
    for name, value in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout), ("spatial_dropout", spatial_dropout)):
        if not 0.0 <= float(value) < 1.0:
            raise InputError(f"Received: {name}={value}; expected a fraction in [0, 1).")
    if embedding_matrix is not None:
        embedding_matrix = np.asarray(embedding_matrix, dtype="float32")
        if embedding_matrix.shape != (vocabulary_size, embedding_dim):
            raise InputError(
                f"embedding_matrix has shape {embedding_matrix.shape}; expected ({vocabulary_size}, {embedding_dim}) "
                "= (vocabulary_size, embedding_dim)."
            )

    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    # mask_zero=True makes every recurrent layer skip padding (id 0). With post
    # padding the final state is the state after the last real token.
    embedding = layers.Embedding(
        vocabulary_size,
        embedding_dim,
        mask_zero=True,
        trainable=trainable_embeddings,
        embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed),
        name="embedding",
    )
    x = embedding(inputs)
    if embedding_matrix is not None:
        # set_weights, not a Constant initializer: an initializer would copy the whole
        # matrix into the saved model's config.json (20 MB of JSON for GloVe).
        embedding.set_weights([embedding_matrix])
    if spatial_dropout:
        x = layers.SpatialDropout1D(float(spatial_dropout), seed=seed, name="spatial_dropout")(x)
    pooled = pooling != "last"
    for index in range(int(num_layers)):
        last = index == int(num_layers) - 1
        recurrent = layer_class(
            int(units),
            return_sequences=pooled or not last,
            dropout=float(dropout),
            recurrent_dropout=float(recurrent_dropout),
            seed=seed,
            name=f"{cell_type}_{index}",
        )
        if bidirectional:
            recurrent = layers.Bidirectional(recurrent, name=f"bidirectional_{index}")
        x = recurrent(x)
    if pooled:
        x = SequencePooling(modes, bidirectional=bool(bidirectional), seed=seed, name="pooling")(x)
    if dropout:
        x = layers.Dropout(float(dropout), seed=seed, name="head_dropout")(x)
    outputs = layers.Dense(int(num_classes), activation="softmax", name="classes")(x)
    model = keras.Model(inputs, outputs, name=f"{cell_type}_classifier")

    # LazyAdam: Adam that updates only the embedding rows a batch touched (see rnnclf.optimizers).
    optimizer = LazyAdam(learning_rate=float(learning_rate), clipnorm=clipnorm)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def transfer_weights(source: keras.Model, target: keras.Model, source_vocabulary, target_vocabulary, *,
                     copy_head: bool) -> dict:
    """Copy a trained model's weights into a freshly built one of the same architecture.

    Embedding rows travel by token (a token of ``target_vocabulary`` found in
    ``source_vocabulary`` gets its row; new tokens keep their fresh
    initialisation); recurrent and pooling layers are copied whole, matched by
    name; the ``Dense`` head only when ``copy_head`` (same classes in the same order).

    Returns:
        ``{"embedding_rows_copied", "embedding_rows_new", "layers_copied", "head"}``.

    Example:
        >>> a = build_model(vocabulary_size=5, num_classes=2, units=3, embedding_dim=4, seed=0)
        >>> b = build_model(vocabulary_size=6, num_classes=2, units=3, embedding_dim=4, seed=1)
        >>> facts = transfer_weights(a, b, ["<pad>", "<unk>", "x", "y", "z"], ["<pad>", "<unk>", "z", "new", "x", "y"], copy_head=True)
        >>> facts["embedding_rows_copied"], facts["embedding_rows_new"], facts["layers_copied"]
        (5, 1, ['lstm_0'])
    """
    source_rows = source.get_layer("embedding").get_weights()[0]
    target_rows = target.get_layer("embedding").get_weights()[0].copy()
    if source_rows.shape[1] != target_rows.shape[1]:
        raise InputError(f"Embedding widths differ ({source_rows.shape[1]} in the source, {target_rows.shape[1]} here).")
    position = {token: index for index, token in enumerate(source_vocabulary)}
    copied = 0
    for index, token in enumerate(target_vocabulary):
        if token in position:
            target_rows[index] = source_rows[position[token]]
            copied += 1
    target.get_layer("embedding").set_weights([target_rows])
    layers_copied = []
    for layer in target.layers:
        if isinstance(layer, (layers.RNN, layers.Bidirectional, SequencePooling)) and layer.weights:
            theirs = source.get_layer(layer.name).get_weights()
            if [w.shape for w in theirs] != [tuple(w.shape) for w in layer.weights]:
                raise InputError(f"Layer {layer.name!r} has other shapes in the source run; the architectures differ.")
            layer.set_weights(theirs)
            layers_copied.append(layer.name)
    if copy_head:
        target.get_layer("classes").set_weights(source.get_layer("classes").get_weights())
    return {"embedding_rows_copied": copied, "embedding_rows_new": len(target_vocabulary) - copied,
            "layers_copied": layers_copied, "head": "copied (same classes)" if copy_head else "new (the classes differ)"}


def count_parameters(model: keras.Model) -> dict[str, int]:
    """Trainable / non-trainable / total parameter counts of ``model``."""
    trainable = int(sum(np.prod(weight.shape) for weight in model.trainable_weights))
    total = int(model.count_params())
    return {"trainable": trainable, "non_trainable": total - trainable, "total": total}
