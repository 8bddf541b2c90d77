"""The mistakes browser of the Models page: a run's wrong test texts, heat strips, accuracy buckets, CSV.

The work is :mod:`rnnclf.mistakes`; this module caches it per run and draws it.
The rebuilt test part is cached by the run's files and the data's state (so
fetching a missing dataset is noticed), the scores by the run's files and the
split's fingerprint, and the heat strips by the rows they explain.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import streamlit as st

from rnnclf.errors import RnnclfError
from rnnclf.mistakes import (
    DEFAULT_METHOD,
    TestPart,
    accuracy_buckets,
    explain_rows,
    mistakes_csv,
    rebuild_test_part,
    score_texts,
    select_mistakes,
)
from rnnclf.store import read_meta, resolve_run
from rnnclf.ui import charts, plots
from rnnclf.ui.models import load_classifier, model_stamp

__all__ = ["render_mistakes", "ANY_CLASS", "EXPLAINED_ROWS"]

ANY_CLASS = "any"
# Heat strips drawn by default, and at most: each is one attribution pass and one chart.
EXPLAINED_ROWS, MAX_EXPLAINED_ROWS = 10, 20
TARGETS = {"predicted": "the predicted (wrong) class", "true": "the true class"}


def _data_stamp(meta: dict) -> str:
    """What changes when the run's data appears, disappears or is fetched again (a cache key part)."""
    from rnnclf.data.datasets import DATASETS, fetched_metadata

    dataset = meta.get("dataset") or {}
    if dataset.get("csv"):
        path = Path(dataset["csv"])
        return f"csv:{path.stat().st_mtime if path.is_file() else 'missing'}"
    if dataset.get("name") in DATASETS:
        return f"dataset:{(fetched_metadata(dataset['name']) or {}).get('fetched_at', 'not fetched')}"
    return "unknown"


@st.cache_data(show_spinner="Rebuilding the run's test part…", max_entries=8)
def _cached_test_part(name: str, path: str, run_stamp: float, data_stamp: str) -> tuple[TestPart | None, str | None]:
    """``(test part, None)`` or ``(None, why not)``: a refusal is cached too, so a rerun does not split again."""
    try:
        return rebuild_test_part(name), None
    except RnnclfError as error:
        return None, str(error)


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_scores(path: str, run_stamp: float, fingerprint: str, _classifier, _part: TestPart) -> tuple[pd.DataFrame, float]:
    """Every test text scored (keyed by the run's files and the split's fingerprint) and the seconds it took."""
    started = time.perf_counter()
    scores = score_texts(_classifier, _part.texts, _part.labels)
    return scores, time.perf_counter() - started


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_explanations(path: str, run_stamp: float, texts: tuple, targets: tuple, target: str, _classifier, _rows) -> list:
    return explain_rows(_classifier, _rows, method=DEFAULT_METHOD, target=target)


def _class_filter(place, label: str, classes: list[str], key: str) -> str | None:
    options = [ANY_CLASS, *classes]
    if key in st.session_state and st.session_state[key] not in options:  # another run with other classes was chosen
        del st.session_state[key]
    choice = place.selectbox(label, options, key=key)
    return None if choice == ANY_CLASS else choice


def render_mistakes(name: str, key: str) -> None:
    """The mistakes section for run ``name`` (widget keys start with ``key``)."""
    path = resolve_run(name)
    run_stamp = model_stamp(path)
    part, problem = _cached_test_part(name, str(path), run_stamp, _data_stamp(read_meta(path)))
    if problem:
        st.info(problem)
        return
    try:
        classifier = load_classifier(name)
    except RnnclfError as error:
        st.error(f"The model cannot be loaded: {error}")
        return
    with st.spinner(f"Classifying the {len(part.texts):,} test texts…"):
        scores, seconds = _cached_scores(str(path), run_stamp, part.fingerprint, classifier, part)
    wrong = int((~scores["correct"]).sum())
    st.caption(
        f"The test part of **{part.source}**, rebuilt and checked against the run's split `{part.fingerprint}`: "
        f"{len(scores):,} texts, {wrong:,} classified wrong (accuracy {scores['correct'].mean():.1%}) · "
        f"scored in {seconds:.1f} s."
    )

    left, right = st.columns(2)
    true_class = _class_filter(left, "True class", classifier.class_names, f"{key}-true")
    predicted_class = _class_filter(right, "Predicted as", classifier.class_names, f"{key}-predicted")
    mistakes = select_mistakes(scores, true_class=true_class, predicted_class=predicted_class)
    st.markdown(f"**{len(mistakes):,} mistakes**, highest loss (cross-entropy of the true class) first")
    shown = mistakes[["text", "true", "predicted", "true_probability", "loss", "tokens", "known_fraction", "unknown_tokens"]]
    st.dataframe(
        shown,
        key=f"{key}-table",
        column_config={
            "true_probability": st.column_config.NumberColumn("p(true)", format="%.3f"),
            "loss": st.column_config.NumberColumn("loss", format="%.2f"),
            "known_fraction": st.column_config.NumberColumn("known words", format="percent"),
            "unknown_tokens": st.column_config.TextColumn("unknown words"),
        },
    )
    st.download_button("Download these mistakes (CSV)", mistakes_csv(mistakes).encode("utf-8"),
                       file_name=f"{part.run}-mistakes.csv", mime="text/csv", key=f"{key}-download",
                       disabled=mistakes.empty)

    if not mistakes.empty:
        left, right = st.columns(2)
        count = left.number_input("Heat strips for the first", 1, MAX_EXPLAINED_ROWS, EXPLAINED_ROWS, key=f"{key}-count")
        target = right.radio("Colour the words by", list(TARGETS), format_func=TARGETS.get, key=f"{key}-target", horizontal=True)
        rows = mistakes.head(int(count))
        explanations = _cached_explanations(str(path), run_stamp, tuple(rows["text"]), tuple(rows[target]), target,
                                            classifier, rows)
        st.caption(f"Gradient × input per word towards {TARGETS[target]}: blue pushed towards it, red against; "
                   "⁽?⁾ marks words the model does not know.")
        for rank, ((position, row), explanation) in enumerate(zip(rows.iterrows(), explanations), start=1):
            st.markdown(f"**{rank}.** true **{row['true']}**, predicted **{row['predicted']}** · p(true) "
                        f"{row['true_probability']:.3f} · loss {row['loss']:.2f} · test text #{position}")
            unknown = [token_id == 1 for token_id in explanation.token_ids]  # 1 = <unk>
            strip = plots.token_heatmap(explanation.tokens, explanation.scores, unknown=unknown)
            # The line above is the strip's title: drop the room the figure keeps for one.
            strip.update_layout(margin=dict(t=8, b=8), height=strip.layout.height - 74)
            st.plotly_chart(strip, key=f"{key}-strip-{rank}")

    buckets = accuracy_buckets(scores)
    overall = float(scores["correct"].mean())
    left, right = st.columns(2)
    left.plotly_chart(charts.bucket_accuracy_figure(buckets["length"], title="Accuracy by text length",
                                                    xaxis_title="tokens per text", overall=overall), key=f"{key}-by-length")
    right.plotly_chart(charts.bucket_accuracy_figure(buckets["coverage"], title="Accuracy by known-word coverage",
                                                     xaxis_title="share of the text's tokens in the vocabulary", overall=overall),
                       key=f"{key}-by-coverage")
