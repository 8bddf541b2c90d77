"""Gradient flow through time: the vanishing-gradient problem measured on a real model.

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
    >>> flow = gradient_flow(classifier, texts, labels)
    >>> flow.distance[:3], flow.count[0] == len(texts), flow.mean[0] > flow.mean[2]
    ([1, 2, 3], True, True)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from rnnclf import _keras_setup  # noqa: F401
from rnnclf.errors import InputError
from rnnclf.interpret.engine import compiled_functions
from rnnclf.training import pad_batch
from rnnclf.validation import check_labels, check_texts

if TYPE_CHECKING:
    from rnnclf.classifier import RNNTextClassifier

__all__ = ["GradientFlow", "QUANTITY", "gradient_flow"]

QUANTITY = "‖∂L/∂x_t‖₂: gradient of the true-label cross-entropy w.r.t. the embedding read at step t (t counted from the end)"
# Texts are sorted by length and cut into batches of this many, so each batch
# is padded only to its own longest text.
GRADIENT_BATCH = 64

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
        raise InputError(f"Labels {unknown[:5]} are not classes of this model ({', '.join(names)}): pass the true labels of the texts.")
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
        A :class:`GradientFlow`; plot it with :func:`rnnclf.ui.charts.gradient_flow_figure`
        (log scale), one per cell type.

    Raises:
        ValueError: no texts, an empty text, or labels that are not classes of the model.

    Example:
        >>> gradient_flow(classifier, ["the zing movie"], ["positive"]).count
        [1, 1, 1]
    """
    texts = check_texts(texts)
    labels = check_labels(labels, len(texts))
    if not texts:
        raise InputError("gradient_flow needs at least one labelled text.")
    if max_steps is not None and int(max_steps) < 1:
        raise InputError(f"Received: max_steps={max_steps}; expected a positive integer or None.")
    targets = _label_indices(classifier, labels)
    sequences = classifier.encoder_.encode_ids(texts)
    empty = [position for position, sequence in enumerate(sequences) if not sequence]
    if empty:
        raise InputError(f"Texts at positions {empty[:10]} have no tokens: drop empty texts before measuring gradient flow.")
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
