"""RNN-specific views of one prediction: how it builds up, and whether explanations are faithful.

- :func:`prediction_trajectory`: class probabilities after reading each prefix
  of the text. For unidirectional models this is one pass of a sibling model
  that shares every weight with the classifier and applies the softmax head at
  every time step. A bidirectional model's backward direction would read the
  future, and a pooling head summarises every step, so there every prefix is
  classified on its own (all prefixes in one batch) — slower, but exactly
  "what the model says after reading t tokens".
- :func:`deletion_curve`: replace tokens by the OOV id in attribution order
  (most important first) and track the target probability; AOPC (area over the
  perturbation curve, Samek et al. 2017) summarises it and is compared with the
  same curve for random orders. A faithful attribution drops the probability
  faster than random, i.e. has the larger AOPC.
- :func:`what_if`: remove or replace one word and classify the edited text,
  next to the original prediction.

Example:
    >>> trajectory = prediction_trajectory(classifier, "the zing movie")
    >>> len(trajectory.probabilities), trajectory.probabilities[-1][1] > 0.9  # P(positive) after "movie"
    (3, True)
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from rnnclf.common import to_plain
from rnnclf.encoding import OOV_ID
from rnnclf.errors import InputError
from rnnclf.interpret.attribution import (
    Explanation,
    classify_rows,
    encode_text,
    explain,
)
from rnnclf.interpret.engine import CompiledFunctions, compiled_functions
from rnnclf.training import pad_batch

if TYPE_CHECKING:
    from rnnclf.classifier import RNNTextClassifier

__all__ = ["Trajectory", "DeletionCurve", "WhatIf", "prediction_trajectory", "deletion_curve", "faithfulness", "what_if"]


@dataclass
class Trajectory:
    """Class probabilities after each token.

    Attributes:
        tokens: tokens the model read.
        classes: class names, the columns of ``probabilities``.
        probabilities: ``len(tokens)`` rows; row ``t`` is the prediction after
            reading ``tokens[: t + 1]``.
        method: ``"one_pass"`` (sibling model) or ``"prefixes"`` (bidirectional or pooling models).
        dropped_tokens: tokens beyond ``max_length`` (never read).
        seconds: wall time.
    """

    tokens: list[str]
    classes: list[str]
    probabilities: list[list[float]]
    method: str
    dropped_tokens: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        """JSON-safe dict."""
        return asdict(self)


@dataclass
class DeletionCurve:
    """Target probability while tokens are replaced by OOV, attribution order vs random.

    Attributes:
        tokens: tokens of the text.
        order: token positions in deletion order (highest score first).
        removed_fraction: ``k / n`` for ``k = 0 … n`` tokens removed.
        probabilities: target probability after removing ``order[:k]``.
        random_probabilities: the same, averaged over ``random_orders`` random orders.
        random_std: standard deviation over the random orders.
        aopc: mean of ``p(0 removed) − p(k removed)`` over ``k = 0 … n``.
        random_aopc: the same for the random curve.
        target: class whose probability is tracked.
        method: attribution method that produced the order.
        random_orders, seed: how the random baseline was drawn.
    """

    tokens: list[str]
    order: list[int]
    removed_fraction: list[float]
    probabilities: list[float]
    random_probabilities: list[float]
    random_std: list[float]
    aopc: float
    random_aopc: float
    target: Any
    method: str
    random_orders: int
    seed: int

    def to_dict(self) -> dict:
        """JSON-safe dict."""
        payload = asdict(self)
        payload["target"] = to_plain(self.target)
        return payload


def _build_trajectory(functions: CompiledFunctions):
    """Compile ``ids (B, T) -> probabilities after each step (B, T, C)`` for a unidirectional model.

    The sibling model shares every layer and weight with the classifier; only
    the last recurrent layer is re-wrapped (same cell object, so same weights)
    to return the whole sequence, and the Dense head is applied at every step.
    """
    import keras
    import tensorflow as tf
    from keras import layers

    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    hidden = functions.embedding(inputs)
    for layer in functions.recurrent[:-1]:
        hidden = layer(hidden)
    last = functions.recurrent[-1]
    hidden = layers.RNN(last.cell, return_sequences=True, name=f"{last.name}_sequence")(hidden)
    for layer in functions.head:
        hidden = layer(hidden)
    model = keras.Model(inputs, hidden, name="prediction_trajectory")

    @tf.function(input_signature=[tf.TensorSpec((None, None), tf.int32)], reduce_retracing=True)
    def trajectory(token_ids):
        return model(token_ids, training=False)

    return trajectory


def prediction_trajectory(classifier: "RNNTextClassifier", text: str) -> Trajectory:
    """Probabilities of every class after reading each prefix of ``text``.

    Args:
        classifier: a fitted classifier.
        text: one non-empty text.

    Returns:
        A :class:`Trajectory`; its last row equals ``predict_proba([text])``.

    Example:
        >>> prediction_trajectory(classifier, "the zing movie").method
        'one_pass'
    """
    started = time.perf_counter()
    encoded = encode_text(classifier, text)
    length = len(encoded.ids)
    functions = compiled_functions(classifier)
    if functions.bidirectional or not functions.reads_last_state:
        prefixes = pad_batch([encoded.ids[: end + 1] for end in range(length)])
        probabilities, method = classify_rows(classifier, prefixes), "prefixes"
    else:
        trajectory = functions.cached("trajectory", _build_trajectory)
        probabilities, method = trajectory(pad_batch([encoded.ids])).numpy()[0, :length], "one_pass"
    return Trajectory(
        tokens=list(encoded.tokens),
        classes=[str(to_plain(label)) for label in classifier.classes_],
        probabilities=probabilities.astype("float64").tolist(),
        method=method,
        dropped_tokens=list(encoded.dropped_tokens),
        seconds=time.perf_counter() - started,
    )


def _deletion_rows(row: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """For each order, ``n + 1`` copies of ``row`` with the first ``k`` ordered positions set to OOV."""
    count, length = orders.shape
    rows = np.repeat(row[None, None, :], count * (length + 1), axis=0).reshape(count, length + 1, len(row))
    for k in range(1, length + 1):
        rows[np.arange(count), k:, orders[:, k - 1]] = OOV_ID
    return rows.reshape(count * (length + 1), len(row))


def _aopc(curve: np.ndarray) -> np.ndarray:
    return np.mean(curve[..., :1] - curve, axis=-1)


def deletion_curve(
    classifier: "RNNTextClassifier",
    text: "str | Explanation",
    method: str = "integrated_gradients",
    target=None,
    *,
    random_orders: int = 10,
    seed: int = 0,
    **options,
) -> DeletionCurve:
    """Deletion curve and AOPC of an attribution, against random deletion orders.

    Args:
        classifier: a fitted classifier.
        text: one text, or an :class:`~rnnclf.interpret.attribution.Explanation` to reuse
            (then ``method``, ``target`` and ``options`` are taken from it).
        method: attribution method (see :func:`rnnclf.interpret.attribution.explain`).
        target: class label to track. Default: the predicted class.
        random_orders: random orders averaged for the baseline curve. Default: 10.
        seed: seed of the random orders. Default: 0.
        **options: options of the attribution method.

    Returns:
        A :class:`DeletionCurve`; all ``(1 + random_orders) · (n + 1)`` masked
        copies are classified in one batched pass.

    Example:
        >>> curve = deletion_curve(classifier, "the zing movie", method="occlusion")
        >>> curve.aopc > curve.random_aopc
        True
    """
    if int(random_orders) < 1:
        raise InputError(f"Received: random_orders={random_orders}; expected at least 1.")
    explanation = text if isinstance(text, Explanation) else explain(classifier, text, method, target, **options)
    scores = np.asarray(explanation.scores, dtype="float64")
    length = len(scores)
    # Stable sort on the negated score: ties keep text order, so the curve is reproducible.
    order = np.argsort(-scores, kind="stable")
    rng = np.random.default_rng(seed)
    randoms = np.stack([rng.permutation(length) for _ in range(int(random_orders))])
    row = pad_batch([explanation.token_ids])[0]
    rows = _deletion_rows(row, np.vstack([order[None, :], randoms]))
    curves = classify_rows(classifier, rows)[:, explanation.target_index].astype("float64").reshape(-1, length + 1)
    method_curve, random_curves = curves[0], curves[1:]
    return DeletionCurve(
        tokens=list(explanation.tokens),
        order=order.tolist(),
        removed_fraction=(np.arange(length + 1) / length).tolist(),
        probabilities=method_curve.tolist(),
        random_probabilities=random_curves.mean(axis=0).tolist(),
        random_std=random_curves.std(axis=0).tolist(),
        aopc=float(_aopc(method_curve)),
        random_aopc=float(_aopc(random_curves).mean()),
        target=explanation.target,
        method=explanation.method,
        random_orders=int(random_orders),
        seed=int(seed),
    )


def faithfulness(
    classifier: "RNNTextClassifier",
    texts: Sequence[str],
    method: str = "integrated_gradients",
    *,
    random_orders: int = 10,
    seed: int = 0,
    **options,
) -> dict:
    """Mean AOPC of ``method`` vs random order over several texts (predicted class each).

    Returns:
        ``{"method", "texts", "aopc", "random_aopc", "wins" (share of texts where
        the method beats random), "per_text": [{"aopc", "random_aopc"}, ...]}``.

    Example:
        >>> faithfulness(classifier, ["the zing movie", "a blorp day"], "ig")["wins"]
        1.0
    """
    texts = list(texts)
    if not texts:
        raise InputError("faithfulness needs at least one text: pass a list of texts to explain.")
    per_text, name = [], None
    for text in texts:
        curve = deletion_curve(classifier, text, method, random_orders=random_orders, seed=seed, **options)
        per_text.append({"aopc": curve.aopc, "random_aopc": curve.random_aopc})
        name = curve.method
    aopc = np.array([item["aopc"] for item in per_text])
    random_aopc = np.array([item["random_aopc"] for item in per_text])
    return {
        "method": name,
        "texts": len(per_text),
        "aopc": float(aopc.mean()),
        "random_aopc": float(random_aopc.mean()),
        "wins": float(np.mean(aopc > random_aopc)),
        "per_text": per_text,
    }


@dataclass
class WhatIf:
    """One word of a text removed or replaced, and the prediction before and after (see :func:`what_if`).

    Attributes:
        tokens_before / tokens_after: the tokens the model read.
        position: index of the edited token in ``tokens_before``.
        inserted: the replacement's tokens (empty when the word was removed).
        inserted_unknown: the replacement tokens the model does not know (read as the unknown word).
        classes: the columns of ``before`` and ``after``.
        before / after: class probabilities.
    """

    tokens_before: list[str]
    tokens_after: list[str]
    position: int
    inserted: list[str]
    inserted_unknown: list[str]
    classes: list[str]
    before: list[float]
    after: list[float]

    @property
    def predicted_before(self) -> str:
        return self.classes[int(np.argmax(self.before))]

    @property
    def predicted_after(self) -> str:
        return self.classes[int(np.argmax(self.after))]

    def to_dict(self) -> dict:
        return {**asdict(self), "predicted_before": self.predicted_before, "predicted_after": self.predicted_after}


def what_if(classifier: "RNNTextClassifier", text: str, position: int, replacement: str | None = None) -> WhatIf:
    """Remove token ``position`` of ``text`` (``replacement`` empty) or replace it, and classify both versions.

    The edit works on the tokens the model read, so the rest of the text is
    tokenized exactly as before; a replacement is tokenized like any text (it may
    be several words). Both versions are classified in one batch.

    Raises:
        InputError: empty text, a position outside the text, or an edit that leaves no words.

    Example:
        >>> change = what_if(classifier, "a zing movie", 1)  # remove "zing"
        >>> change.tokens_after, change.predicted_before
        (['a', 'movie'], 'positive')
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("The text is empty: type a sentence first.")
    encoded = encode_text(classifier, text)
    position = int(position)
    if not 0 <= position < len(encoded.tokens):
        raise InputError(f"Received: position={position}; the model read {len(encoded.tokens)} tokens, "
                         f"so pick a position from 0 to {len(encoded.tokens) - 1}.")
    inserted = classifier.encoder_.encode(replacement) if replacement and replacement.strip() else None
    new_ids = list(inserted.ids) if inserted else []
    new_tokens = list(inserted.tokens) if inserted else []
    ids_after = (list(encoded.ids[:position]) + new_ids + list(encoded.ids[position + 1:]))[: classifier.encoder_.max_length_]
    tokens_after = (list(encoded.tokens[:position]) + new_tokens + list(encoded.tokens[position + 1:]))[: len(ids_after)]
    if not ids_after:
        raise InputError("Removing the only word leaves nothing to classify: replace it instead, or type more words.")
    rows = pad_batch([list(encoded.ids), ids_after])
    before, after = classify_rows(classifier, rows).astype("float64")
    return WhatIf(
        tokens_before=list(encoded.tokens), tokens_after=tokens_after, position=position, inserted=new_tokens,
        inserted_unknown=[token for token, token_id in zip(new_tokens, new_ids) if token_id == OOV_ID],
        classes=[str(to_plain(label)) for label in classifier.classes_], before=before.tolist(), after=after.tolist(),
    )
