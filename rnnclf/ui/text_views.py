"""Views of one text on the Classify page: "Inside the RNN" (gates and states per word) and what-if editing."""

from __future__ import annotations

import numpy as np
import streamlit as st

from rnnclf.errors import RnnclfError
from rnnclf.interpret.states import GATE_MEANINGS, GATES, inspect_states
from rnnclf.ui import plots

__all__ = ["show_inside_the_rnn", "show_what_if", "gate_sentence", "EXPANDER_LABEL"]

EXPANDER_LABEL = "Inside the RNN: gates and states per word"
CELL_NAMES = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def _quoted(token: str) -> str:
    return f"‘{token}’"


def gate_sentence(tokens: list[str], values: np.ndarray, gate: str) -> str:
    """Where the mean of ``gate`` over the units is lowest and highest, read from ``values`` (tokens × units).

    Example:
        >>> gate_sentence(["a", "dull", "film"], np.array([[0.6, 0.6], [0.2, 0.4], [0.9, 0.7]]), "update")
        'Mean update over 2 units: lowest at ‘dull’ (0.30), highest at ‘film’ (0.80).'
    """
    means = values.mean(axis=1)
    low, high = int(np.argmin(means)), int(np.argmax(means))
    return (f"Mean {gate} over {values.shape[1]} units: lowest at {_quoted(tokens[low])} ({means[low]:.2f}), "
            f"highest at {_quoted(tokens[high])} ({means[high]:.2f}).")


def show_inside_the_rnn(classifier, text: str, trajectory=None) -> None:
    """Render the view for ``text`` (call it inside an expander or tab)."""
    try:
        inspection = inspect_states(classifier, text, trajectory=trajectory)
    except RnnclfError as error:
        st.error(str(error))
        return
    cell = CELL_NAMES[inspection.cell_type]
    st.caption(f"Each {cell} cell stepped by hand from the trained weights, one word at a time (the same numbers Keras "
               "computes, checked to 1e-5 in the tests). Rows are units, columns the words in reading order.")
    labels = [trace.label for trace in inspection.parts]
    left, right = st.columns([1, 2])
    chosen = left.selectbox("Layer", labels, key="inside-layer") if len(labels) > 1 else labels[0]
    trace = inspection.parts[labels.index(chosen)]
    gates = list(GATES[inspection.cell_type])
    gate = right.radio("Show", gates, horizontal=True, key="inside-gate",
                       index=gates.index("hidden") if inspection.cell_type == "rnn" else 0)
    values = trace.values[gate]
    st.markdown(f"**{gate}** — {GATE_MEANINGS[gate]}. {gate_sentence(inspection.tokens, values, gate)}")
    if trace.direction == "backward":
        st.caption("The backward direction reads from the last word to the first: its column for a word is its state "
                   "after reading from the end back to that word.")
    st.plotly_chart(plots.gate_heatmap(inspection.tokens, values, gate, title=f"{cell} {gate} · {trace.label}"),
                    key="inside-heatmap")
    if inspection.tracking:
        last = inspection.part(inspection.parts[-1].layer, "forward")
        target = inspection.classes.index(inspection.target)
        probability = [row[target] for row in inspection.probabilities]
        st.plotly_chart(plots.tracking_units_figure(inspection.tokens, last.values["hidden"], probability,
                                                    inspection.tracking, inspection.target), key="inside-tracking")
        st.markdown("\n".join(
            f"- unit {unit['unit']} of {last.label} follows P({inspection.target}) with correlation "
            f"{unit['correlation']:+.2f}; it moves most at "
            + " and ".join(f"{_quoted(word['token'])} ({word['change']:+.2f})" for word in unit["switch_words"])
            for unit in inspection.tracking))
    else:
        st.caption("Units that track the prediction need at least 3 words and a prediction that moves.")


def show_what_if(classifier, text: str, tokens: list[str], scores) -> None:
    """Remove or replace one word of ``text`` and show the probabilities before and after.

    The word picked first is the one with the largest attribution score, so the
    view opens on the edit most likely to matter.
    """
    from rnnclf.interpret.insight import what_if

    if not tokens:
        return
    strongest = int(np.argmax(np.abs(np.asarray(scores, dtype="float64")))) if len(scores) else 0
    choices = list(range(len(tokens)))
    left, right = st.columns([1, 1])
    # The edit belongs to this text: a new text starts again from its strongest word, unedited.
    if st.session_state.get("what-if-text") != text or st.session_state.get("what-if-word", 0) >= len(tokens):
        st.session_state.update({"what-if-text": text, "what-if-word": min(strongest, len(tokens) - 1), "what-if-replacement": ""})
    position = left.selectbox("Word", choices, key="what-if-word", format_func=lambda index: f"#{index + 1} {tokens[index]}")
    replacement = right.text_input("Replace it with (leave empty to remove it)", key="what-if-replacement",
                                   placeholder="e.g. great")
    try:
        change = what_if(classifier, text, position, replacement)
    except RnnclfError as error:
        st.warning(str(error))
        return
    edit = (f"{_quoted(tokens[position])} → {_quoted(' '.join(change.inserted))}" if change.inserted
            else f"without {_quoted(tokens[position])}")
    before, after = change.predicted_before, change.predicted_after
    index = change.classes.index(before)
    verdict = (f"the answer flips from **{before}** to **{after}**" if before != after
               else f"still **{after}**")
    st.markdown(f"{edit}: {verdict}; P({before}) {change.before[index]:.1%} → {change.after[index]:.1%} "
                f"({(change.after[index] - change.before[index]) * 100:+.1f} points).")
    if change.inserted_unknown:
        st.caption(f"The model does not know {', '.join(map(_quoted, change.inserted_unknown))}: it reads it as the unknown word.")
    st.plotly_chart(plots.what_if_bars(change.classes, change.before, change.after), key="what-if-bars")
