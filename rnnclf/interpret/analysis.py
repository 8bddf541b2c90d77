"""Everything the Classify page shows about one text, computed in one call.

>>> sorted(METHOD_LABELS)[:2]
['gradient_x_input', 'integrated_gradients']
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rnnclf.errors import InputError

__all__ = ["TextAnalysis", "analyze_text", "warm_up_analysis", "METHOD_LABELS", "MAX_TEXT_CHARACTERS"]

# Methods offered to people, in menu order, with the words they see.
METHOD_LABELS = {
    "integrated_gradients": "Integrated gradients",
    "occlusion": "Occlusion (leave one out)",
    "gradient_x_input": "Gradient × input",
    "lime": "LIME",
}

# Longer texts are still classified, but only their beginning is read (the
# encoder keeps max_length tokens) — the app says so instead of hanging.
MAX_TEXT_CHARACTERS = 20_000


@dataclass
class TextAnalysis:
    """Prediction, token attribution, trajectory and (optionally) faithfulness of one text."""

    explanation: object
    trajectory: object
    deletion: object | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def analyze_text(classifier, text: str, method: str = "integrated_gradients", target=None, *, with_faithfulness: bool = True) -> TextAnalysis:
    """Explain ``text``: scores per token, probabilities after each prefix, deletion curve.

    Raises:
        ValueError: the text is empty, or ``method`` / ``target`` is unknown.
    """
    from rnnclf.interpret.attribution import explain
    from rnnclf.interpret.insight import deletion_curve, prediction_trajectory

    if not isinstance(text, str) or not text.strip():
        raise InputError("The text is empty: type a sentence or pick an example.")
    started = time.perf_counter()
    notes = []
    if len(text) > MAX_TEXT_CHARACTERS:
        notes.append(f"The text has {len(text):,} characters; only its first {classifier.encoder_.max_length_} tokens are read by the model.")
    explanation = explain(classifier, text, method=method, target=target)
    if explanation.dropped_tokens and not notes:
        notes.append(f"The model reads at most {classifier.encoder_.max_length_} tokens; "
                     f"{len(explanation.dropped_tokens)} later tokens were not seen.")
    trajectory = prediction_trajectory(classifier, text)
    deletion = deletion_curve(classifier, explanation) if with_faithfulness and len(explanation.tokens) > 1 else None
    return TextAnalysis(explanation, trajectory, deletion, notes, time.perf_counter() - started)


def warm_up_analysis(classifier, text: str = "a short text to warm up with") -> dict[str, float]:
    """Run :func:`analyze_text` once per method in :data:`METHOD_LABELS`, so every compiled path is traced.

    The first call of a ``tf.function`` traces it (seconds); later calls reuse
    the trace (milliseconds). Doing it here, while the app says it is loading
    the model, means no method's first click pays for it. Returns the seconds
    each method took, in menu order.

    Example:
        >>> sorted(warm_up_analysis(classifier)) == sorted(METHOD_LABELS)
        True
    """
    classifier.warm_up()
    seconds = {}
    for method in METHOD_LABELS:
        started = time.perf_counter()
        analyze_text(classifier, text, method=method)
        seconds[method] = time.perf_counter() - started
    return seconds
