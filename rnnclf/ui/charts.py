"""Plotly charts about models and data: training curves, confusion matrices, gradient flow,
length and class distributions, comparisons, the memory probe.

Pure functions from plain data to ``go.Figure`` (no streamlit), sharing the colours
of :mod:`rnnclf.ui.plots`; the figures of single texts (attribution, trajectory)
live there.

>>> figure = class_balance({"ham": 4827, "spam": 747})
>>> list(figure.data[0].x), list(figure.data[0].y)
(['ham', 'spam'], [4827, 747])
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnclf.experiments.comparison_tables import CELL_NAMES
from rnnclf.ui.plots import (
    CELL_COLORS,
    CLASS_COLORS,
    LAYOUT,
    NEGATIVE,
    SERIES_COLORS,
    as_dict,
    class_color,
)


def _epoch_ticks(epochs: int) -> dict:
    """Whole-epoch ticks (never 1.5), at most about ten of them.

    >>> _epoch_ticks(8), _epoch_ticks(30)
    ({'tick0': 1, 'dtick': 1}, {'tick0': 1, 'dtick': 3})
    """
    return {"tick0": 1, "dtick": max(1, -(-int(epochs) // 10))}


__all__ = [
    "training_curves",
    "confusion_matrix_figure",
    "gradient_flow_figure",
    "token_length_histogram",
    "length_histogram",
    "class_balance",
    "comparison_curves",
    "length_accuracy_figure",
    "bucket_accuracy_figure",
    "first_cue_figure",
]


def gradient_flow_figure(flows: Mapping[str, Any] | Sequence[Any], *, band: bool = False) -> go.Figure:
    """Mean ``‖∂L/∂x_t‖`` against distance from the end, one line per model, log y.

    Args:
        flows: :class:`rnnclf.experiments.gradient_flow.GradientFlow` results (or their dicts),
            as a list or as ``{legend name: flow}``.
        band: also shade the 10th–90th percentile band (two more traces per flow).

    Example:
        >>> flow = {"cell_type": "gru", "distance": [1, 2], "mean": [1e-2, 1e-3], "p10": [1e-3, 1e-4], "p90": [2e-2, 2e-3]}
        >>> figure = gradient_flow_figure([flow])
        >>> len(figure.data), figure.layout.yaxis.type
        (1, 'log')
    """
    named = flows.items() if isinstance(flows, Mapping) else [(None, flow) for flow in flows]
    figure = go.Figure()
    for name, flow in named:
        data = as_dict(flow)
        cell = str(data.get("cell_type", ""))
        cell_name = CELL_NAMES.get(cell, cell)
        label = CELL_NAMES.get(name, name) if name else cell_name + (" (bidirectional)" if data.get("bidirectional") else "")
        color = CELL_COLORS.get(cell, CLASS_COLORS[len(figure.data) % len(CLASS_COLORS)])
        dash = "dash" if data.get("bidirectional") else "solid"
        if band:
            figure.add_trace(go.Scatter(x=data["distance"], y=data["p90"], mode="lines", line=dict(width=0, color=color),
                                        showlegend=False, hoverinfo="skip", legendgroup=label))
            figure.add_trace(go.Scatter(x=data["distance"], y=data["p10"], mode="lines", line=dict(width=0, color=color),
                                        fill="tonexty", opacity=0.2, showlegend=False, hoverinfo="skip", legendgroup=label))
        figure.add_trace(
            go.Scatter(
                x=data["distance"],
                y=data["mean"],
                mode="lines",
                name=label,
                legendgroup=label,
                line=dict(color=color, dash=dash),
                hovertemplate="%{x} tokens before the end: %{y:.2e}<extra>" + label + "</extra>",
            )
        )
    figure.update_layout(
        **LAYOUT,
        title="Gradient flow through time",
        xaxis_title="distance from the last token (steps)",
        # Labelled powers of ten: a log axis with bare minor ticks reads as noise.
        yaxis=dict(title="mean ‖∂L/∂xₜ‖ (log scale)", type="log", dtick=1, exponentformat="power", showexponent="all"),
    )
    return figure


def training_curves(history: Mapping[str, Sequence[float]], *, best_epoch: int | None = None) -> go.Figure:
    """Loss and accuracy per epoch, training vs validation, side by side.

    Args:
        history: Keras-style history, e.g. ``{"loss": [...], "val_loss": [...],
            "accuracy": [...], "val_accuracy": [...]}``; missing keys are skipped.
        best_epoch: 1-based epoch to mark (e.g. the one early stopping kept).

    Example:
        >>> len(training_curves({"loss": [1, .5], "val_loss": [1.1, .7], "accuracy": [.5, .8]}).data)
        3
    """
    figure = make_subplots(rows=1, cols=2, subplot_titles=("loss", "accuracy"))
    for column, metric in enumerate(("loss", "accuracy"), start=1):
        for prefix, split in (("", "train"), ("val_", "validation")):
            values = history.get(prefix + metric)
            if not values:
                continue
            figure.add_trace(
                go.Scatter(
                    x=list(range(1, len(values) + 1)),
                    y=list(values),
                    mode="lines+markers",
                    name=split,
                    legendgroup=split,
                    showlegend=column == 1 or "loss" not in history,
                    line=dict(color=SERIES_COLORS[split]),
                ),
                row=1,
                col=column,
            )
        if best_epoch:
            figure.add_vline(x=best_epoch, line_dash="dot", line_color="#7f7f7f", row=1, col=column)
    figure.update_xaxes(title_text="epoch", **_epoch_ticks(max((len(values) for values in history.values()), default=1)))
    figure.update_layout(**LAYOUT, title="Training curves")
    return figure


def confusion_matrix_figure(matrix: Sequence[Sequence[int]], labels: Sequence[str], *, normalize: bool = True) -> go.Figure:
    """Confusion matrix heatmap (rows = true, columns = predicted).

    Args:
        matrix: counts, as in ``evaluate_predictions(...)["confusion_matrix"]["matrix"]``.
        labels: class names in matrix order.
        normalize: colour by share of each true class (counts stay in the cells). Default: ``True``.

    Example:
        >>> figure = confusion_matrix_figure([[8, 2], [1, 9]], ["neg", "pos"])
        >>> figure.data[0].z.round(2).tolist()
        [[0.8, 0.2], [0.1, 0.9]]
    """
    counts = np.asarray(matrix, dtype="float64")
    labels = [str(label) for label in labels]
    if counts.shape != (len(labels), len(labels)):
        raise ValueError(f"The confusion matrix has shape {counts.shape} but there are {len(labels)} labels: pass a square matrix in label order.")
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    values = shares if normalize else counts
    text = [[f"{int(count)}<br>{share:.0%}" for count, share in zip(row_counts, row_shares)] for row_counts, row_shares in zip(counts, shares)]
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=labels,
            y=labels,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=1 if normalize else None,
            hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>",
            colorbar=dict(title="share" if normalize else "count", thickness=12),
        )
    )
    figure.update_layout(
        **LAYOUT,
        title="Confusion matrix",
        xaxis=dict(title="predicted", type="category"),
        yaxis=dict(title="true", type="category", autorange="reversed"),
    )
    return figure


def token_length_histogram(lengths: Sequence[int], *, max_length: int | None = None, bins: int = 40) -> go.Figure:
    """Histogram of texts' token counts, with the model's ``max_length`` marked.

    Args:
        lengths: tokens per text.
        max_length: draw a line here and say how many texts it truncates.
        bins: number of bins. Default: 40.

    Example:
        >>> figure = token_length_histogram([3, 5, 9, 30], max_length=10)
        >>> len(figure.data), figure.layout.shapes[0].x0
        (1, 10)
    """
    lengths = np.asarray(lengths, dtype="int64")
    if lengths.size == 0:
        raise ValueError("Nothing to draw: pass the token count of at least one text.")
    figure = go.Figure(go.Histogram(x=lengths, nbinsx=int(bins), marker_color=SERIES_COLORS["train"],
                                    hovertemplate="%{x} tokens: %{y} texts<extra></extra>"))
    if max_length is not None:
        truncated = float(np.mean(lengths > max_length))
        figure.add_vline(x=max_length, line_dash="dash", line_color=NEGATIVE,
                         annotation_text=f"max_length {max_length} ({truncated:.1%} truncated)", annotation_position="top right")
    figure.update_layout(**LAYOUT, title="Tokens per text", xaxis_title="tokens", yaxis_title="texts", bargap=0.05)
    return figure


def length_histogram(histogram: Mapping[str, Sequence[float]], percentiles: Mapping[str, float] | None = None) -> go.Figure:
    """Token-length histogram from pre-binned counts (``dataset_stats(...)["histogram"]``).

    Args:
        histogram: ``{"bin_edges": [...], "counts": [...]}`` with one more edge than counts.
        percentiles: optional ``{"p95": .., "p99": ..}`` drawn as dashed lines.

    Example:
        >>> figure = length_histogram({"bin_edges": [1, 5, 9], "counts": [4, 2]}, {"p95": 7.5})
        >>> list(figure.data[0].y), len(figure.layout.shapes)
        ([4, 2], 1)
    """
    edges, counts = list(histogram.get("bin_edges", [])), list(histogram.get("counts", []))
    if len(edges) != len(counts) + 1 or not counts:
        raise ValueError("A histogram needs bin_edges with exactly one more value than counts.")
    centers = [(low + high) / 2 for low, high in zip(edges[:-1], edges[1:])]
    widths = [high - low for low, high in zip(edges[:-1], edges[1:])]
    labels = [f"{low:g}–{high:g}" for low, high in zip(edges[:-1], edges[1:])]
    figure = go.Figure(go.Bar(x=centers, y=counts, width=widths, customdata=labels, marker_color=SERIES_COLORS["train"],
                              hovertemplate="%{customdata} tokens: %{y} texts<extra></extra>"))
    for name, value in (percentiles or {}).items():
        if name in ("p95", "p99"):
            figure.add_vline(x=value, line_dash="dash", line_color=NEGATIVE, annotation_text=name, annotation_position="top")
    figure.update_layout(**LAYOUT, title="Tokens per text", xaxis_title="tokens", yaxis_title="texts", bargap=0.05)
    return figure


def class_balance(counts: Mapping[str, int]) -> go.Figure:
    """Bar chart of examples per class, with each class's share in the hover.

    Example:
        >>> list(class_balance({"ham": 8, "spam": 2}).data[0].x)
        ['ham', 'spam']
    """
    if not counts:
        raise ValueError("Nothing to draw: pass at least one class count.")
    labels, values = [str(label) for label in counts], [int(value) for value in counts.values()]
    total = sum(values) or 1
    figure = go.Figure(go.Bar(x=labels, y=values, marker_color=[class_color(i) for i in range(len(labels))],
                              text=[f"{value / total:.0%}" for value in values], textposition="outside",
                              hovertemplate="%{x}: %{y} texts<extra></extra>"))
    figure.update_layout(**LAYOUT, title="Class balance", yaxis_title="texts", showlegend=False)
    return figure


def comparison_curves(curves, metric: str = "val_loss") -> go.Figure:
    """Mean learning curve per cell type over seeds (band = min–max over seeds).

    Args:
        curves: long table with columns ``cell, seed, epoch`` and metric columns
            (:func:`rnnclf.experiments.comparison_tables.learning_curves`).
        metric: column to draw. Default: ``"val_loss"`` (falls back to ``"loss"``).

    Example:
        >>> import pandas as pd
        >>> table = pd.DataFrame({"cell": ["gru"] * 2, "seed": [0, 0], "epoch": [1, 2], "val_loss": [0.7, 0.5]})
        >>> list(comparison_curves(table).data[-1].y)
        [0.7, 0.5]
    """
    figure = go.Figure()
    if len(curves) == 0:
        figure.update_layout(**LAYOUT, title="No learning curves recorded")
        return figure
    if metric not in curves.columns:
        metric = "loss"
    for cell, rows in curves.groupby("cell", sort=False):
        grouped = rows.groupby("epoch")[metric]
        epochs = list(grouped.mean().index)
        color = CELL_COLORS.get(str(cell), class_color(len(figure.data)))
        figure.add_trace(go.Scatter(x=epochs + epochs[::-1], y=list(grouped.max()) + list(grouped.min())[::-1],
                                    fill="toself", line=dict(width=0), fillcolor=color, opacity=0.15,
                                    showlegend=False, hoverinfo="skip"))
        figure.add_trace(go.Scatter(x=epochs, y=list(grouped.mean()), mode="lines+markers", name=CELL_NAMES.get(cell, str(cell)),
                                    line=dict(color=color)))
    seeds = curves["seed"].nunique() if "seed" in curves else 1
    spread = "one seed" if seeds == 1 else f"mean over {seeds} seeds, band = min to max"
    figure.update_layout(**LAYOUT, title=f"Learning curves ({metric.replace('_', ' ')}, {spread})",
                         xaxis_title="epoch", yaxis_title=metric.replace("_", " "))
    figure.update_xaxes(**_epoch_ticks(int(curves["epoch"].max()) if len(curves) else 1))
    return figure


def length_accuracy_figure(table) -> go.Figure:
    """Accuracy per token-length bucket, one group of bars per cell type.

    Args:
        table: cells as rows, length buckets as columns (:func:`rnnclf.experiments.comparison_tables.length_table`).

    Example:
        >>> import pandas as pd
        >>> table = pd.DataFrame({"0-9": [0.9, 0.8], "10+": [0.7, 0.85]}, index=["rnn", "gru"])
        >>> [trace.name for trace in length_accuracy_figure(table).data]
        ['SimpleRNN', 'GRU']
    """
    figure = go.Figure()
    for cell, row in table.iterrows():
        figure.add_trace(go.Bar(x=[str(column) for column in table.columns], y=list(row.values), name=CELL_NAMES.get(cell, str(cell)),
                                marker_color=CELL_COLORS.get(str(cell), class_color(len(figure.data))),
                                hovertemplate="%{x} tokens: %{y:.1%}<extra></extra>"))
    figure.update_layout(**LAYOUT, title="Accuracy by text length", barmode="group", xaxis_title="tokens per text",
                         yaxis_title="accuracy", yaxis_tickformat=".0%")
    return figure


def bucket_accuracy_figure(buckets: Sequence[Mapping[str, Any]], *, title: str, xaxis_title: str,
                           overall: float | None = None) -> go.Figure:
    """Accuracy per bucket as bars, each labelled with how many texts it holds.

    Args:
        buckets: ``[{"bucket", "examples", "accuracy"}, ...]`` as :func:`rnnclf.evaluation.accuracy_by_length`
            and :func:`rnnclf.evaluation.accuracy_by_coverage` return them.
        title, xaxis_title: what the figure and its x axis say.
        overall: the accuracy over all texts, drawn as a dotted line to compare each bucket with (the title says so).

    Example:
        >>> figure = bucket_accuracy_figure([{"bucket": "0-9", "examples": 12, "accuracy": 0.75}],
        ...                                 title="Accuracy by length", xaxis_title="tokens", overall=0.8)
        >>> list(figure.data[0].y), list(figure.data[0].text)
        ([0.75], ['n=12'])
    """
    figure = go.Figure(go.Bar(
        x=[str(bucket["bucket"]) for bucket in buckets],
        y=[float(bucket["accuracy"]) for bucket in buckets],
        text=[f"n={int(bucket['examples']):,}" for bucket in buckets],
        # At the foot of each bar, where neither the overall line nor a short bar hides it.
        textposition="inside",
        insidetextanchor="start",
        customdata=[int(bucket["examples"]) for bucket in buckets],
        marker_color=SERIES_COLORS["train"],
        hovertemplate="%{x}: %{y:.1%} of %{customdata:,} texts right<extra></extra>",
    ))
    if overall is not None:
        # Said in the title: an annotation on the line would sit on top of a bar.
        figure.add_hline(y=float(overall), line_dash="dot", line_color=SERIES_COLORS["random"])
        title = f"{title} (dotted: all texts, {overall:.1%})"
    figure.update_layout(**LAYOUT, title=title, xaxis_title=xaxis_title, xaxis_type="category",
                         yaxis=dict(title="accuracy", tickformat=".0%", range=[0, 1.05]))
    return figure


MARKERS = ("circle", "square", "diamond", "triangle-up")


def first_cue_figure(result: Mapping[str, Any]) -> go.Figure:
    """Accuracy against the first cue's distance from the end, one line per cell type (band = ± std over seeds).

    Args:
        result: :func:`rnnclf.experiments.probes.first_cue_probe`'s result. The majority-of-cues
            shortcut is drawn dashed and chance dotted, so a cell can be read against both.

    Example:
        >>> result = {"distance_from_end": [10, 4], "seeds": [0, 1], "chance": 0.5,
        ...           "shortcuts": {"majority_of_cues": [0.7, 0.75], "last_cue": [0.5, 0.5]},
        ...           "cells": {"rnn": {"accuracy": [0.6, 0.9], "std": [0.05, 0.01]}}}
        >>> [trace.name for trace in first_cue_figure(result).data]
        [None, 'SimpleRNN', 'majority of cue words (a shortcut)']
    """
    order = np.argsort(result["distance_from_end"], kind="stable")
    distances = [int(result["distance_from_end"][index]) for index in order]
    figure = go.Figure()
    for number, (cell, data) in enumerate(result["cells"].items()):
        color = CELL_COLORS.get(str(cell), class_color(number))
        mean = [float(data["accuracy"][index]) for index in order]
        std = [data["std"][index] for index in order]
        if all(value is not None for value in std):
            upper = [min(1.0, value + spread) for value, spread in zip(mean, std)]
            lower = [max(0.0, value - spread) for value, spread in zip(mean, std)]
            figure.add_trace(go.Scatter(x=distances + distances[::-1], y=upper + lower[::-1], fill="toself", line=dict(width=0),
                                        fillcolor=color, opacity=0.15, showlegend=False, hoverinfo="skip"))
        name = CELL_NAMES.get(cell, str(cell))
        # A marker shape per cell: cells that hold at 1.0 draw on top of each other, and the shapes still show both.
        figure.add_trace(go.Scatter(x=distances, y=mean, mode="lines+markers", name=name, line=dict(color=color),
                                    marker=dict(symbol=MARKERS[number % len(MARKERS)], size=9),
                                    customdata=[f"± {value:.3f}" if value is not None else "" for value in std],
                                    hovertemplate="%{x} words from the end: %{y:.3f} %{customdata}<extra>" + name + "</extra>"))
    majority = [float(result["shortcuts"]["majority_of_cues"][index]) for index in order]
    figure.add_trace(go.Scatter(x=distances, y=majority, mode="lines", name="majority of cue words (a shortcut)",
                                line=dict(color=SERIES_COLORS["random"], dash="dash"),
                                hovertemplate="%{x} words from the end: %{y:.3f}<extra>majority of cue words</extra>"))
    figure.add_hline(y=float(result.get("chance", 0.5)), line_dash="dot", line_color="#7f7f7f", annotation_text="chance",
                     annotation_position="bottom right")
    seeds = len(result.get("seeds") or [])
    spread = "one seed" if seeds == 1 else f"mean ± std over {seeds} seeds"
    figure.update_layout(**LAYOUT, title=f"Accuracy by the first cue's distance from the end ({spread})",
                         xaxis_title="distance of the first cue from the end (words)",
                         yaxis=dict(title="test accuracy", range=[0, 1.05]))
    return figure
