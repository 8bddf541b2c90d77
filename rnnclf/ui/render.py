"""Renderers shared by several pages (run details, metrics, dataset statistics, comparisons, the memory probe)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rnnclf.experiments.comparison_tables import CELL_NAMES
from rnnclf.ui import charts

__all__ = ["metric_row", "render_metrics", "render_run_details", "render_dataset_stats", "render_first_cue_probe",
           "live_probe_runs"]


def metric_row(metrics: dict) -> None:
    columns = st.columns(4)
    for column, (label, key) in zip(columns, (("Accuracy", "accuracy"), ("Macro-F1", "macro_f1"), ("MCC", "mcc"), ("ROC-AUC", "roc_auc"))):
        value = metrics.get(key)
        column.metric(label, f"{value:.3f}" if isinstance(value, (int, float)) else "–")


def render_metrics(metrics: dict, key: str) -> None:
    """Headline numbers, confusion matrix and per-class report of an evaluation."""
    if not metrics:
        st.info("No test metrics were recorded for this run.")
        return
    metric_row(metrics)
    left, right = st.columns([1, 1])
    matrix = metrics.get("confusion_matrix")
    if matrix:
        left.plotly_chart(charts.confusion_matrix_figure(matrix["matrix"], matrix["labels"]), key=f"{key}-confusion")
    per_class = metrics.get("per_class")
    if per_class:
        table = pd.DataFrame(per_class).T.rename_axis("class").reset_index()
        right.markdown(f"**Per-class report** ({metrics.get('examples', '?')} test texts)")
        right.dataframe(table, hide_index=True, key=f"{key}-report")


def render_run_details(meta: dict, key: str) -> None:
    """Everything worth seeing about a saved run."""
    params = meta.get("params", {})
    dataset = meta.get("dataset") or {}
    source = dataset.get("name") or dataset.get("csv") or "unknown data"
    st.markdown(
        f"**{str(params.get('cell_type', '?')).upper()}**"
        f"{' (bidirectional)' if params.get('bidirectional') else ''} · {params.get('units')} units × "
        f"{params.get('num_layers')} layer(s) · {int((meta.get('parameters') or {}).get('total', 0)):,} parameters · "
        f"trained on **{source}** · split `{dataset.get('fingerprint', '–')}` · {meta.get('created', '')}"
    )
    render_metrics(meta.get("metrics") or {}, key)
    history = meta.get("history") or {}
    if history.get("loss"):
        st.plotly_chart(charts.training_curves(history), key=f"{key}-curves")
    with st.expander("Configuration (JSON)"):
        st.json({"params": params, "dataset": dataset, "versions": meta.get("versions", {})}, expanded=False)


def render_dataset_stats(stats: dict, key: str) -> None:
    """Rows, duplicates, class balance and the token-length histogram of a table."""
    columns = st.columns(4)
    columns[0].metric("Rows", f"{stats.get('rows', 0):,}")
    columns[1].metric("Unique texts", f"{stats.get('unique_rows', 0):,}")
    columns[2].metric("Duplicates", f"{stats.get('duplicates', 0):,}")
    columns[3].metric("Vocabulary", f"{stats.get('vocabulary_size', 0):,}")
    left, right = st.columns(2)
    left.plotly_chart(charts.class_balance(stats.get("class_counts", {})), key=f"{key}-classes")
    if stats.get("histogram", {}).get("counts"):
        right.plotly_chart(charts.length_histogram(stats["histogram"], stats.get("token_length")), key=f"{key}-lengths")


def format_best_epoch(value) -> str:
    """A whole epoch when every seed agrees (or there is one seed); their mean with one decimal otherwise.

    >>> format_best_epoch(1.0), format_best_epoch(2.5), format_best_epoch(float("nan"))
    ('1', '2.5', '–')
    """
    if value is None or pd.isna(value):
        return "–"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def render_comparison(result: dict, key: str) -> None:
    """Results table, learning curves, accuracy by length and gradient flow of a comparison."""
    from rnnclf.experiments.comparison_tables import (
        ensemble_summary,
        gradient_flow_summary,
        learning_curves,
        length_table,
        results_table,
    )

    dataset = result.get("dataset") or {}
    seeds = result.get("seeds") or []
    st.markdown(
        f"**{dataset.get('name') or 'data'}** · split `{dataset.get('fingerprint', '–')}` · "
        f"cells {', '.join(result.get('cells', []))} · seeds {seeds} · {result.get('created', '')}"
    )
    table = results_table(result)

    def cell(row, column, form):
        return form.format(row[column]) if pd.notna(row[column]) else "–"

    rows = list(table.iterrows())
    shown = pd.DataFrame({
        "accuracy": [_mean_std(row, "accuracy") for _, row in rows],
        "macro-F1": [_mean_std(row, "macro_f1") for _, row in rows],
        "MCC": [_mean_std(row, "mcc") for _, row in rows],
        "parameters": [cell(row, "parameters", "{:,.0f}") for _, row in rows],
        "train s": [cell(row, "train_seconds", "{:.1f}") for _, row in rows],
        "s / epoch": [cell(row, "seconds_per_epoch", "{:.2f}") for _, row in rows],
        "best epoch": [format_best_epoch(row["best_epoch"]) for _, row in rows],
        "latency ms": [cell(row, "latency_ms", "{:.2f}") for _, row in rows],
        "chosen on validation": [row["settings"] or "–" for _, row in rows],
    }, index=[ROW_NAMES.get(name, str(name).upper()) for name in table.index])
    st.dataframe(shown, key=f"{key}-table")
    spread = "one seed per cell" if len(seeds) == 1 else f"mean ± standard deviation over {len(seeds)} seeds"
    st.caption(f"{spread.capitalize()}, all on the same test split. Each baseline is one deterministic fit whose "
               "settings were chosen on the validation part, as the RNNs' early stopping is; 'train s' includes that search.")
    ensembles = ensemble_summary(result, ROW_NAMES)
    if ensembles:
        st.markdown(ensembles)
    left, right = st.columns(2)
    left.plotly_chart(charts.comparison_curves(learning_curves(result)), key=f"{key}-curves")
    right.plotly_chart(charts.length_accuracy_figure(length_table(result)), key=f"{key}-lengths")
    flows = result.get("gradient_flow") or {}
    if flows:
        st.markdown("**Gradient flow through time** — how much the loss still 'feels' a word t steps before the end. "
                    + gradient_flow_summary(flows))
        st.plotly_chart(charts.gradient_flow_figure(flows, band=True), key=f"{key}-flow")


# What the tables call each row: baselines by name, cells by their Keras class.
ROW_NAMES = {"tfidf-logreg": "TF-IDF + logistic regression (tuned)", "nbsvm": "NB-SVM (tuned)", **CELL_NAMES}


def _mean_std(row, metric: str) -> str:
    mean, std = row[f"{metric}_mean"], row[f"{metric}_std"]
    if pd.isna(mean):
        return "–"
    return f"{mean:.3f}" if pd.isna(std) else f"{mean:.3f} ± {std:.3f}"


def render_first_cue_probe(result: dict, key: str) -> None:
    """The first-cue probe's outcome in words, its chart and its table (all computed from ``result``)."""
    from rnnclf.experiments.probe_tables import first_cue_summary, first_cue_table

    st.markdown(first_cue_summary(result))
    st.plotly_chart(charts.first_cue_figure(result), key=f"{key}-chart")
    header, rows = first_cue_table(result)
    st.dataframe(pd.DataFrame(rows, columns=header).set_index(header[0]), key=f"{key}-table")
    params = result.get("params") or {}
    st.caption(f"{result['length']} words per text, {result['distractors']} later cue words, {result['train_size']:,} "
               f"training texts, {result['test_per_position']} test texts per distance; {params.get('units')} units, "
               f"{params.get('epochs')} epochs, seeds {result['seeds']}; measured in {result['seconds']:.0f} s. "
               "The last two columns score rules that never store which cue came first.")


def live_probe_runs(events: list[dict]) -> None:
    """While a probe runs: each finished model's mean test accuracy, so far."""
    finished = [event for event in events if event.get("stage") == "probe"]
    if finished:
        st.caption("Trained and tested: " + "; ".join(
            f"{CELL_NAMES.get(event['cell'], event['cell'])} seed {event['seed']} — mean accuracy "
            f"{sum(event['accuracy']) / len(event['accuracy']):.3f}" for event in finished))
    else:
        st.caption("Each model's accuracy appears here as soon as it is trained and tested.")
