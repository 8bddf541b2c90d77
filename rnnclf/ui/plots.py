"""Plotly figure builders: pure functions from plain data to ``go.Figure``.

Nothing here trains, predicts or imports streamlit; every builder takes lists,
dicts or the result objects of :mod:`rnnclf.interpret.attribution`,
:mod:`rnnclf.interpret.insight` and :mod:`rnnclf.interpret.engine` (anything with
``to_dict()``), so the app, notebooks and tests draw the same pictures.

Colours are shared across figures: :data:`CELL_COLORS` per cell type,
:data:`SERIES_COLORS` for train/validation and method/random,
:data:`CLASS_COLORS` per class index, and one diverging scale
(:data:`DIVERGING_SCALE`, red = against, blue = for, white = 0) for scores.

>>> figure = probability_bars({"negative": 0.2, "positive": 0.8})
>>> len(figure.data), list(figure.data[0].y)
(1, ['negative', 'positive'])
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

__all__ = [
    "CELL_COLORS",
    "CLASS_COLORS",
    "SERIES_COLORS",
    "DIVERGING_SCALE",
    "token_heatmap",
    "score_bars",
    "trajectory_figure",
    "gradient_flow_figure",
    "deletion_figure",
    "training_curves",
    "confusion_matrix_figure",
    "probability_bars",
    "token_length_histogram",
    "length_histogram",
    "class_balance",
    "comparison_curves",
    "length_accuracy_figure",
]

NEGATIVE, NEUTRAL, POSITIVE = "#b2182b", "#f7f7f7", "#2166ac"
DIVERGING_SCALE = [[0.0, NEGATIVE], [0.5, NEUTRAL], [1.0, POSITIVE]]
CELL_COLORS = {"rnn": "#d62728", "lstm": "#1f77b4", "gru": "#2ca02c"}
SERIES_COLORS = {"train": "#1f77b4", "validation": "#ff7f0e", "method": POSITIVE, "random": "#7f7f7f"}
# Colour-blind-safe qualitative palette (Okabe–Ito), cycled by class index.
CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Tokens longer than this are shortened in cells (the hover shows them whole).
TOKEN_DISPLAY_CHARACTERS = 12
_LAYOUT = dict(template="plotly_white", margin=dict(l=40, r=20, t=50, b=40))


def _as_dict(value) -> dict:
    return value.to_dict() if hasattr(value, "to_dict") else dict(value)


def _class_color(index: int) -> str:
    return CLASS_COLORS[index % len(CLASS_COLORS)]


def _check_scores(tokens: Sequence[str], scores: Sequence[float]) -> tuple[list[str], np.ndarray]:
    tokens, scores = list(tokens), np.asarray(scores, dtype="float64")
    if len(tokens) != len(scores):
        raise ValueError(f"Got {len(tokens)} tokens but {len(scores)} scores: pass one score per token.")
    if not tokens:
        raise ValueError("Nothing to draw: pass at least one token.")
    return tokens, scores


def _short(token: str) -> str:
    return token if len(token) <= TOKEN_DISPLAY_CHARACTERS else token[: TOKEN_DISPLAY_CHARACTERS - 1] + "…"


def token_heatmap(tokens: Sequence[str], scores: Sequence[float], *, columns: int | None = None, title: str | None = None) -> go.Figure:
    """Tokens in reading order, wrapped into rows, each cell coloured by its signed score.

    Args:
        tokens: tokens as the person typed them.
        scores: one score per token; colour scale is centred at 0 and symmetric.
        columns: tokens per row. Default: up to 12 (fewer for short texts).
        title: figure title.

    Returns:
        A figure with one heatmap trace whose non-empty cells are the tokens.

    Example:
        >>> figure = token_heatmap(["not", "good"], [-0.4, 0.1])
        >>> [list(row) for row in figure.data[0].z]
        [[-0.4, 0.1]]
    """
    tokens, scores = _check_scores(tokens, scores)
    columns = int(columns or min(12, len(tokens)))
    rows = math.ceil(len(tokens) / columns)
    z = np.full((rows, columns), np.nan)
    text = np.full((rows, columns), "", dtype=object)
    hover = np.full((rows, columns), "", dtype=object)
    for position, (token, score) in enumerate(zip(tokens, scores)):
        row, column = divmod(position, columns)
        z[row, column] = score
        text[row, column] = _short(token)
        hover[row, column] = f"#{position + 1} {token}<br>score {score:+.4f}"
    limit = float(np.max(np.abs(scores))) or 1.0
    figure = go.Figure(
        go.Heatmap(
            z=[[None if math.isnan(value) else value for value in row] for row in z],
            text=text.tolist(),
            customdata=hover.tolist(),
            texttemplate="%{text}",
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=DIVERGING_SCALE,
            # Symmetric limits put 0 at the white centre of the scale.
            zmin=-limit,
            zmax=limit,
            xgap=2,
            ygap=2,
            # A strip of one or two rows leaves a colour bar no room for its ticks;
            # there the hover gives each score and the page says what the colours mean.
            showscale=rows > 2,
            colorbar=dict(title="score", thickness=12),
        )
    )
    figure.update_layout(
        **_LAYOUT,
        title=title,
        height=90 + 34 * rows,
        xaxis=dict(visible=False),
        yaxis=dict(visible=False, autorange="reversed"),
    )
    return figure


def score_bars(tokens: Sequence[str], scores: Sequence[float], *, top_k: int | None = None, title: str | None = None) -> go.Figure:
    """Bar per token (reading order), blue for positive and red for negative scores.

    Args:
        tokens, scores: as in :func:`token_heatmap`.
        top_k: keep only the ``top_k`` largest ``|score|`` (still in reading order). Default: all.
        title: figure title.

    Example:
        >>> len(score_bars(["a", "b", "c"], [0.1, -0.5, 0.2], top_k=2).data[0].x)
        2
    """
    tokens, scores = _check_scores(tokens, scores)
    keep = np.arange(len(tokens))
    if top_k is not None and top_k < len(tokens):
        keep = np.sort(np.argsort(-np.abs(scores), kind="stable")[: int(top_k)])
    # Positions make labels unique: the same word twice gets two bars.
    labels = [f"{position + 1}·{_short(tokens[position])}" for position in keep]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=scores[keep].tolist(),
            marker_color=[POSITIVE if scores[position] >= 0 else NEGATIVE for position in keep],
            customdata=[tokens[position] for position in keep],
            hovertemplate="%{customdata}: %{y:+.4f}<extra></extra>",
        )
    )
    figure.update_layout(**_LAYOUT, title=title, yaxis_title="score", xaxis_tickangle=-45 if len(keep) > 12 else 0)
    return figure


def trajectory_figure(trajectory) -> go.Figure:
    """Probability of each class after each token: one line per class.

    Args:
        trajectory: a :class:`rnnclf.interpret.insight.Trajectory` or its ``to_dict()``.

    Example:
        >>> figure = trajectory_figure({"tokens": ["a", "b"], "classes": ["x", "y"],
        ...                             "probabilities": [[.5, .5], [.1, .9]]})
        >>> len(figure.data), list(figure.data[1].y)
        (2, [0.5, 0.9])
    """
    data = _as_dict(trajectory)
    tokens, probabilities = data["tokens"], np.asarray(data["probabilities"], dtype="float64")
    positions = list(range(1, len(tokens) + 1))
    figure = go.Figure()
    for index, name in enumerate(data["classes"]):
        figure.add_trace(
            go.Scatter(
                x=positions,
                y=probabilities[:, index].tolist(),
                mode="lines+markers" if len(tokens) <= 60 else "lines",
                name=str(name),
                line=dict(color=_class_color(index)),
                customdata=tokens,
                hovertemplate="after #%{x} %{customdata}: %{y:.3f}<extra>" + str(name) + "</extra>",
            )
        )
    # Token ticks stay readable up to ~40 tokens; longer texts show positions.
    ticks = dict(tickmode="array", tickvals=positions, ticktext=[_short(token) for token in tokens], tickangle=-45) if len(tokens) <= 40 else {}
    figure.update_layout(
        **_LAYOUT,
        title="Prediction after each token",
        xaxis=dict(title="tokens read", **ticks),
        yaxis=dict(title="probability", range=[0, 1]),
        hovermode="x unified",
    )
    return figure


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
        data = _as_dict(flow)
        cell = str(data.get("cell_type", ""))
        label = name or (cell + (" (bidirectional)" if data.get("bidirectional") else ""))
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
        **_LAYOUT,
        title="Gradient flow through time",
        xaxis_title="distance from the last token (steps)",
        yaxis=dict(title="mean ‖∂L/∂xₜ‖", type="log"),
    )
    return figure


def deletion_figure(curve) -> go.Figure:
    """Target probability as tokens are removed: attribution order vs random order.

    Args:
        curve: a :class:`rnnclf.interpret.insight.DeletionCurve` or its ``to_dict()``.

    Example:
        >>> curve = {"removed_fraction": [0, .5, 1], "probabilities": [.9, .2, .1], "random_probabilities": [.9, .6, .1],
        ...          "aopc": .5, "random_aopc": .3, "method": "occlusion", "target": "pos"}
        >>> [trace.name for trace in deletion_figure(curve).data]
        ['occlusion (AOPC 0.500)', 'random (AOPC 0.300)']
    """
    data = _as_dict(curve)
    figure = go.Figure()
    for key, name, color, aopc in (
        ("probabilities", data["method"], SERIES_COLORS["method"], data["aopc"]),
        ("random_probabilities", "random", SERIES_COLORS["random"], data["random_aopc"]),
    ):
        figure.add_trace(
            go.Scatter(
                x=data["removed_fraction"],
                y=data[key],
                mode="lines+markers" if len(data[key]) <= 60 else "lines",
                name=f"{name} (AOPC {aopc:.3f})",
                line=dict(color=color, dash="dot" if key.startswith("random") else "solid"),
            )
        )
    figure.update_layout(
        **_LAYOUT,
        title=f"Deletion curve (target: {data['target']})",
        xaxis=dict(title="share of tokens replaced by <unk>", tickformat=".0%"),
        yaxis=dict(title="target probability", range=[0, 1]),
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
    figure.update_xaxes(title_text="epoch")
    figure.update_layout(**_LAYOUT, title="Training curves")
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
        **_LAYOUT,
        title="Confusion matrix",
        xaxis=dict(title="predicted", type="category"),
        yaxis=dict(title="true", type="category", autorange="reversed"),
    )
    return figure


def probability_bars(probabilities: Mapping[str, float], *, highlight: str | None = None) -> go.Figure:
    """Horizontal bar per class; the highlighted (default: most likely) class is outlined.

    Example:
        >>> list(probability_bars({"a": .3, "b": .7}).data[0].x)
        [0.3, 0.7]
    """
    names = [str(name) for name in probabilities]
    values = [float(value) for value in probabilities.values()]
    if not names:
        raise ValueError("Nothing to draw: pass at least one class probability.")
    highlight = str(highlight) if highlight is not None else names[int(np.argmax(values))]
    figure = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            marker=dict(
                color=[_class_color(index) for index in range(len(names))],
                line=dict(color=["#000000" if name == highlight else "rgba(0,0,0,0)" for name in names], width=2),
            ),
            text=[f"{value:.1%}" for value in values],
            textposition="auto",
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    figure.update_layout(**_LAYOUT, title="Class probabilities", xaxis=dict(range=[0, 1], title="probability"),
                         yaxis=dict(type="category"), height=120 + 40 * len(names))
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
    figure.update_layout(**_LAYOUT, title="Tokens per text", xaxis_title="tokens", yaxis_title="texts", bargap=0.05)
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
    figure.update_layout(**_LAYOUT, title="Tokens per text", xaxis_title="tokens", yaxis_title="texts", bargap=0.05)
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
    figure = go.Figure(go.Bar(x=labels, y=values, marker_color=[_class_color(i) for i in range(len(labels))],
                              text=[f"{value / total:.0%}" for value in values], textposition="outside",
                              hovertemplate="%{x}: %{y} texts<extra></extra>"))
    figure.update_layout(**_LAYOUT, title="Class balance", yaxis_title="texts", showlegend=False)
    return figure


def comparison_curves(curves, metric: str = "val_loss") -> go.Figure:
    """Mean learning curve per cell type over seeds (band = min–max over seeds).

    Args:
        curves: long table with columns ``cell, seed, epoch`` and metric columns
            (:func:`rnnclf.experiments.compare.learning_curves`).
        metric: column to draw. Default: ``"val_loss"`` (falls back to ``"loss"``).

    Example:
        >>> import pandas as pd
        >>> table = pd.DataFrame({"cell": ["gru"] * 2, "seed": [0, 0], "epoch": [1, 2], "val_loss": [0.7, 0.5]})
        >>> list(comparison_curves(table).data[-1].y)
        [0.7, 0.5]
    """
    figure = go.Figure()
    if len(curves) == 0:
        figure.update_layout(**_LAYOUT, title="No learning curves recorded")
        return figure
    if metric not in curves.columns:
        metric = "loss"
    for cell, rows in curves.groupby("cell", sort=False):
        grouped = rows.groupby("epoch")[metric]
        epochs = list(grouped.mean().index)
        color = CELL_COLORS.get(str(cell), _class_color(len(figure.data)))
        figure.add_trace(go.Scatter(x=epochs + epochs[::-1], y=list(grouped.max()) + list(grouped.min())[::-1],
                                    fill="toself", line=dict(width=0), fillcolor=color, opacity=0.15,
                                    showlegend=False, hoverinfo="skip"))
        figure.add_trace(go.Scatter(x=epochs, y=list(grouped.mean()), mode="lines+markers", name=str(cell).upper(),
                                    line=dict(color=color)))
    figure.update_layout(**_LAYOUT, title=f"Learning curves ({metric.replace('_', ' ')}, mean over seeds)",
                         xaxis_title="epoch", yaxis_title=metric.replace("_", " "))
    return figure


def length_accuracy_figure(table) -> go.Figure:
    """Accuracy per token-length bucket, one group of bars per cell type.

    Args:
        table: cells as rows, length buckets as columns (:func:`rnnclf.experiments.compare.length_table`).

    Example:
        >>> import pandas as pd
        >>> table = pd.DataFrame({"0-9": [0.9, 0.8], "10+": [0.7, 0.85]}, index=["rnn", "gru"])
        >>> [trace.name for trace in length_accuracy_figure(table).data]
        ['RNN', 'GRU']
    """
    figure = go.Figure()
    for cell, row in table.iterrows():
        figure.add_trace(go.Bar(x=[str(column) for column in table.columns], y=list(row.values), name=str(cell).upper(),
                                marker_color=CELL_COLORS.get(str(cell), _class_color(len(figure.data))),
                                hovertemplate="%{x} tokens: %{y:.1%}<extra></extra>"))
    figure.update_layout(**_LAYOUT, title="Accuracy by text length", barmode="group", xaxis_title="tokens per text",
                         yaxis_title="accuracy", yaxis_tickformat=".0%")
    return figure
