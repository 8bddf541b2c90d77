"""Token attribution: which tokens moved a prediction, and by how much.

One entry point, :func:`explain`, runs one of five methods on one text and
returns an :class:`Explanation` (tokens as the person typed them, one score per
token, the target class, the class probabilities and what the method did):

- ``"integrated_gradients"`` (alias ``"ig"``): path integral of the gradient of
  the target probability along a straight line from a baseline to the token
  embeddings (trapezoid rule, all steps in one batch, the steps placed where
  the probability changes — see :func:`adaptive_alphas`), with a completeness
  check.
- ``"gradient_x_input"`` (alias ``"gradxinput"``): gradient · embedding per token.
- ``"gradient_norm"``: L2 norm of the gradient per token (unsigned sensitivity).
- ``"occlusion"`` (alias ``"leave_one_out"``): drop of the target probability
  when the token is replaced by the OOV id, all variants in one batch.
- ``"lime"``: local linear surrogate on masked copies of the text (see
  :mod:`rnnclf.interpret.perturbation`).

Gradients are taken with respect to the output of the ``Embedding`` layer.
Cutting the model there loses the Keras mask that ``mask_zero=True`` attaches,
so the recurrent layers are called with ``mask=`` explicitly: padding is never
read and never receives a score. Compiled ``tf.function`` paths with a
``[None, None]`` input signature are built once per classifier instance (see
:func:`rnnclf.interpret.engine.compiled_functions`), so texts of any length reuse
one trace.

Example:
    >>> explanation = explain(classifier, "a zing of a film", method="ig")
    >>> explanation.tokens, explanation.target
    (['a', 'zing', 'of', 'a', 'film'], 'positive')
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from rnnclf import _keras_setup  # noqa: F401
from rnnclf.common import lookup, to_plain
from rnnclf.coverage import word_coverage
from rnnclf.encoding import EncodedText
from rnnclf.errors import InputError
from rnnclf.interpret.engine import compiled_functions
from rnnclf.interpret.integrated_gradients import SCHEDULES, integrated_gradients
from rnnclf.interpret.perturbation import lime_scores, occlusion_scores
from rnnclf.training import pad_batch

if TYPE_CHECKING:
    from rnnclf.classifier import RNNTextClassifier

__all__ = [
    "METHODS",
    "ALIASES",
    "BASELINES",
    "OPTION_DEFAULTS",
    "Explanation",
    "explain",
    "attribute_ids",
    "resolve_method",
    "resolve_target",
    "encode_text",
    "classify_rows",
]

METHODS = ("integrated_gradients", "gradient_x_input", "gradient_norm", "occlusion", "lime")
ALIASES = {
    "ig": "integrated_gradients",
    "gradxinput": "gradient_x_input",
    "grad_x_input": "gradient_x_input",
    "gradnorm": "gradient_norm",
    "leave_one_out": "occlusion",
    "loo": "occlusion",
}
# What the integrated-gradients path starts from: the padding id's embedding
# (what the model sees for "nothing here", the default), the zero vector, or
# the OOV embedding (what an unknown word looks like).
BASELINES = ("pad", "zero", "unk")
OPTION_DEFAULTS: dict[str, dict[str, Any]] = {
    # 50 adaptively placed trapezoid steps keep the completeness error of small
    # trained RNNs under 2 %; the error is reported so users can raise ``steps``.
    "integrated_gradients": {"steps": 50, "baseline": "pad", "schedule": "adaptive"},
    "gradient_x_input": {},
    "gradient_norm": {},
    "occlusion": {},
    # LIME's own defaults: Ridge(alpha=1) and an exponential kernel of width
    # 0.25 on the cosine distance (LIME's 25 on distance × 100).
    "lime": {"samples": 1000, "seed": 0, "kernel_width": 0.25, "alpha": 1.0},
}
# Rows per call when many masked copies of one text are classified (occlusion,
# LIME, deletion curves): large enough to amortise the loop overhead of the
# recurrent kernel, small enough to bound memory for 200-token texts.
VARIANT_BATCH = 1024


@dataclass
class Explanation:
    """Token scores for one text and one target class.

    Attributes:
        tokens: tokens the model read, as the person typed them.
        scores: one score per token (positive = pushes towards ``target``).
        target: the class the scores explain (a value of ``classes_``).
        target_index: its column in ``predict_proba``.
        predicted: the predicted class.
        probabilities: ``{class name: probability}`` for the whole text.
        method: canonical method name (see :data:`METHODS`).
        options: the method options actually used (defaults filled in).
        seconds: wall time of :func:`explain`.
        token_ids: vocabulary ids of ``tokens`` (``1`` = out of vocabulary).
        dropped_tokens: tokens beyond ``max_length``; the model never saw them.
        characters_cut: trailing characters cut before tokenizing (huge inputs).
        completeness: integrated gradients only: ``attribution_sum``,
            ``prediction_difference`` (f(x) − f(baseline) of the target class),
            ``absolute_error``, ``relative_error`` and ``converged`` (within 5 %,
            or 0.005 absolute). ``converged=False`` means the output jumps along
            the path faster than the steps resolve: raise ``steps`` or prefer
            occlusion for this text.
        details: other method facts (e.g. LIME's surrogate fit).
        coverage: word coverage of the text (:class:`rnnclf.coverage.WordCoverage` as a dict:
            ``known_tokens``, ``total_tokens``, ``coverage``, ``unknown_tokens``, ``language``).
        warnings: sentences for people when the answer is a guess or the language is foreign.
    """

    tokens: list[str]
    scores: list[float]
    target: Any
    target_index: int
    predicted: Any
    probabilities: dict[str, float]
    method: str
    options: dict
    seconds: float
    token_ids: list[int] = field(default_factory=list)
    dropped_tokens: list[str] = field(default_factory=list)
    characters_cut: int = 0
    completeness: dict | None = None
    details: dict = field(default_factory=dict)
    coverage: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        """Whether part of the text was never seen by the model."""
        return bool(self.dropped_tokens) or self.characters_cut > 0

    def to_dict(self) -> dict:
        """JSON-safe dict (plain floats, ints and strings only).

        >>> Explanation(["hi"], [0.5], "pos", 1, "pos", {"neg": .2, "pos": .8}, "occlusion", {}, .01).to_dict()["scores"]
        [0.5]
        """
        payload = asdict(self)
        payload["scores"] = [float(score) for score in self.scores]
        payload["target"], payload["predicted"] = to_plain(self.target), to_plain(self.predicted)
        payload["truncated"] = self.truncated
        if self.completeness is None:
            payload.pop("completeness")
        return payload


# ----------------------------------------------------------------------------- argument checks
def resolve_method(method: str) -> str:
    """Canonical method name for ``method`` or one of its aliases.

    >>> resolve_method("ig")
    'integrated_gradients'
    """
    name = str(method).strip().lower().replace("-", "_")
    name = ALIASES.get(name, name)
    if name not in METHODS:
        lookup(dict.fromkeys(METHODS + tuple(ALIASES)), method, "method", kind="attribution method")
    return name


def _resolve_options(method: str, options: dict) -> dict:
    defaults = OPTION_DEFAULTS[method]
    # ``None`` means "use the default", so callers can pass optional values straight through.
    options = {key: value for key, value in options.items() if value is not None}
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        allowed = ", ".join(sorted(defaults)) or "none"
        raise InputError(f"Method {method!r} takes no option(s) {', '.join(unknown)}; its options are: {allowed}.")
    resolved = {**defaults, **options}
    if method == "integrated_gradients":
        if int(resolved["steps"]) < 1:
            raise InputError(f"Received: steps={resolved['steps']}; integrated gradients needs at least 1 step (50 is a good default).")
        resolved["steps"] = int(resolved["steps"])
        if resolved["baseline"] not in BASELINES:
            raise InputError(f"Received: baseline={resolved['baseline']!r}; expected one of {', '.join(map(repr, BASELINES))}.")
        if resolved["schedule"] not in SCHEDULES:
            raise InputError(f"Received: schedule={resolved['schedule']!r}; expected one of {', '.join(map(repr, SCHEDULES))}.")
    if method == "lime":
        if int(resolved["samples"]) < 2:
            raise InputError(f"Received: samples={resolved['samples']}; LIME needs at least 2 samples (1000 is a good default).")
        if float(resolved["kernel_width"]) <= 0 or float(resolved["alpha"]) < 0:
            raise InputError("LIME needs kernel_width > 0 and alpha >= 0.")
        resolved.update(samples=int(resolved["samples"]), seed=int(resolved["seed"]),
                        kernel_width=float(resolved["kernel_width"]), alpha=float(resolved["alpha"]))
    return resolved


def resolve_target(classifier: "RNNTextClassifier", target, probabilities: np.ndarray) -> int:
    """Column index of ``target`` (a class label) or of the predicted class when ``None``.

    Labels are matched by their string form, so ``"2"`` from a command line
    finds the integer class ``2``.

    Example:
        >>> resolve_target(classifier, "positive", np.array([0.9, 0.1]))
        1
    """
    if target is None:
        return int(np.argmax(probabilities))
    names = [str(to_plain(label)) for label in classifier.classes_]
    if str(to_plain(target)) not in names:
        raise InputError(f"Unknown target class {target!r}; expected one of {', '.join(map(repr, names))} (a label from classes_).")
    return names.index(str(to_plain(target)))


def encode_text(classifier: "RNNTextClassifier", text: str) -> EncodedText:
    """Encode ``text`` with the classifier's encoder; refuse texts without tokens.

    Example:
        >>> encode_text(classifier, "so zing").tokens
        ['so', 'zing']
    """
    classifier._check_fitted()
    if not isinstance(text, str):
        raise InputError(f"Expected one text as a string. Received: {type(text).__name__}.")
    encoded = classifier.encoder_.encode(text)
    if not encoded.ids:
        raise InputError("Cannot explain an empty text: it has no tokens (empty or whitespace only). Pass a text with at least one word.")
    return encoded


# ----------------------------------------------------------------------------- methods
def classify_rows(classifier: "RNNTextClassifier", rows: np.ndarray) -> np.ndarray:
    """Probabilities for many equally long id rows, in chunks of :data:`VARIANT_BATCH`.

    Example:
        >>> classify_rows(classifier, np.array([[5, 1, 0, 0], [5, 7, 0, 0]], dtype="int32")).shape
        (2, 2)
    """
    infer = classifier.inference_function
    return np.concatenate([infer(rows[start : start + VARIANT_BATCH]).numpy() for start in range(0, len(rows), VARIANT_BATCH)])


def attribute_ids(
    classifier: "RNNTextClassifier",
    token_ids: Sequence[int],
    target_index: int,
    method: str = "integrated_gradients",
    *,
    width: int | None = None,
    reference: float | None = None,
    **options,
) -> tuple[np.ndarray, dict]:
    """Scores for one already-encoded id sequence (the engine behind :func:`explain`).

    Args:
        classifier: a fitted classifier.
        token_ids: ids of the real tokens (no padding).
        target_index: class column to explain.
        method: a name from :data:`METHODS` or :data:`ALIASES`.
        width: pad to this many positions (at least ``len(token_ids)``); by
            default the width ``predict_proba`` would use.
        reference: target probability of the text, if already known (occlusion).
        **options: method options (see :data:`OPTION_DEFAULTS`).

    Returns:
        ``(scores, extras)``: ``scores`` has ``width`` entries and padding
        positions are exactly 0; ``extras`` holds ``"options"``, and
        ``"completeness"`` (integrated gradients) or ``"details"`` (LIME).

    Example:
        >>> scores, extras = attribute_ids(classifier, [5, 9, 2], 1, "occlusion", width=16)
        >>> scores[3:].tolist() == [0.0] * 13
        True
    """
    name = resolve_method(method)
    resolved = _resolve_options(name, options)
    length = len(token_ids)
    if length == 0:
        raise InputError("Cannot attribute an empty id sequence: pass at least one token id.")
    row = pad_batch([list(token_ids)])[0]
    if width is not None:
        if int(width) < length:
            raise InputError(f"Received: width={width}; expected at least the {length} tokens of the text.")
        row = np.concatenate([row[:length], np.zeros(int(width) - length, dtype="int32")])
    extras: dict = {"options": resolved}
    if name == "integrated_gradients":
        scores, extras["completeness"] = integrated_gradients(
            classifier, row, target_index, resolved["steps"], resolved["baseline"], resolved["schedule"]
        )
    elif name in ("gradient_x_input", "gradient_norm"):
        times_input, norms = compiled_functions(classifier).gradients(row[None, :], np.int32(target_index))
        scores = (times_input if name == "gradient_x_input" else norms).numpy()[0].astype("float64")
    elif name == "occlusion":
        if reference is None:
            reference = float(classify_rows(classifier, row[None, :])[0, target_index])
        scores = occlusion_scores(lambda rows: classify_rows(classifier, rows), row, length, target_index, reference)
    else:
        scores, extras["details"] = lime_scores(
            lambda rows: classify_rows(classifier, rows), row, length, target_index,
            samples=resolved["samples"], seed=resolved["seed"], kernel_width=resolved["kernel_width"], alpha=resolved["alpha"],
        )
    return scores, extras


def explain(
    classifier: "RNNTextClassifier",
    text: str,
    method: str = "integrated_gradients",
    target=None,
    **options,
) -> Explanation:
    """Attribute the classifier's output for ``text`` to its tokens.

    Args:
        classifier: a fitted :class:`~rnnclf.classifier.RNNTextClassifier`.
        text: one text.
        method: ``"integrated_gradients"`` (``"ig"``), ``"gradient_x_input"``
            (``"gradxinput"``), ``"gradient_norm"``, ``"occlusion"`` or ``"lime"``.
            Default: ``"integrated_gradients"``.
        target: class label to explain. Default: ``None`` (the predicted class).
        **options: integrated gradients: ``steps`` (50), ``baseline``
            (``"pad"``, ``"zero"`` or ``"unk"``), ``schedule`` (``"adaptive"`` or
            ``"uniform"``); LIME: ``samples`` (1000),
            ``seed`` (0), ``kernel_width`` (0.25), ``alpha`` (1.0).

    Returns:
        An :class:`Explanation` with one score per token the model read.

    Raises:
        ValueError: empty text, unknown method, option or target class.

    Example:
        >>> result = explain(classifier, "the zing movie", method="occlusion")
        >>> max(zip(result.scores, result.tokens))[1]
        'zing'
    """
    started = time.perf_counter()
    name = resolve_method(method)
    _resolve_options(name, options)  # fail on bad options before any model work
    encoded = encode_text(classifier, text)
    length = len(encoded.ids)
    probabilities = classify_rows(classifier, pad_batch([encoded.ids]))[0]
    target_index = resolve_target(classifier, target, probabilities)
    scores, extras = attribute_ids(
        classifier, encoded.ids, target_index, name, reference=float(probabilities[target_index]), **options
    )
    classes = classifier.classes_
    report = word_coverage(encoded, text, classifier.model_languages).answer_fields()
    return Explanation(
        tokens=list(encoded.tokens),
        scores=[float(score) for score in scores[:length]],
        target=to_plain(classes[target_index]),
        target_index=target_index,
        predicted=to_plain(classes[int(np.argmax(probabilities))]),
        probabilities={str(to_plain(label)): float(p) for label, p in zip(classes, probabilities)},
        method=name,
        options=extras["options"],
        seconds=time.perf_counter() - started,
        token_ids=[int(token_id) for token_id in encoded.ids],
        dropped_tokens=list(encoded.dropped_tokens),
        characters_cut=int(encoded.characters_cut),
        completeness=extras.get("completeness"),
        details=extras.get("details", {}),
        coverage={key: value for key, value in report.items() if key != "warnings"},
        warnings=list(report["warnings"]),
    )
