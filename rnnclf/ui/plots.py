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
from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

__all__ = [
    "CELL_COLORS",
    "CLASS_COLORS",
    "SERIES_COLORS",
    "DIVERGING_SCALE",
    "token_heatmap",
    "score_bars",
    "trajectory_figure",
    "deletion_figure",
    "probability_bars",
]

NEGATIVE, NEUTRAL, POSITIVE = "#b2182b", "#f7f7f7", "#2166ac"
DIVERGING_SCALE = [[0.0, NEGATIVE], [0.5, NEUTRAL], [1.0, POSITIVE]]
CELL_COLORS = {"rnn": "#d62728", "lstm": "#1f77b4", "gru": "#2ca02c"}
SERIES_COLORS = {"train": "#1f77b4", "validation": "#ff7f0e", "method": POSITIVE, "random": "#7f7f7f"}
# Colour-blind-safe qualitative palette (Okabe–Ito), cycled by class index.
CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Tokens longer than this are shortened in cells (the hover shows them whole).
TOKEN_DISPLAY_CHARACTERS = 12
LAYOUT = dict(template="plotly_white", margin=dict(l=40, r=20, t=50, b=40))


def as_dict(value) -> dict:
    return value.to_dict() if hasattr(value, "to_dict") else dict(value)


def class_color(index: int) -> str:
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


# Suffix that marks a token the model does not know (read as <unk>); the hover says it in words.
UNKNOWN_MARK = " ⁽?⁾"


def _token_axis(tokens: Sequence[str]) -> dict:
    """An x axis of positions 1..n labelled with the tokens (readable up to ~40; longer texts show positions)."""
    if len(tokens) > 40:
        return dict(title="tokens read")
    positions = list(range(1, len(tokens) + 1))
    return dict(title="tokens read", tickmode="array", tickvals=positions, ticktext=[_short(token) for token in tokens], tickangle=-45)


def _unknown_flags(tokens: Sequence[str], unknown) -> list[bool]:
    """One flag per token from a set of unknown tokens or a list of booleans."""
    if unknown is None:
        return [False] * len(tokens)
    if len(unknown) == len(tokens) and all(isinstance(flag, (bool, np.bool_)) for flag in unknown):
        return [bool(flag) for flag in unknown]
    unknown = set(unknown)
    return [token in unknown for token in tokens]


def token_heatmap(tokens: Sequence[str], scores: Sequence[float], *, columns: int | None = None, title: str | None = None,
                  unknown=None) -> go.Figure:
    """Tokens in reading order, wrapped into rows, each cell coloured by its signed score.

    Args:
        tokens: tokens as the person typed them.
        scores: one score per token; colour scale is centred at 0 and symmetric.
        columns: tokens per row. Default: up to 12 (fewer for short texts).
        title: figure title.
        unknown: tokens the model does not know (a collection, or one flag per token);
            they are marked ⁽?⁾ and their hover says the model read them as ``<unk>``.

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
    flags = _unknown_flags(tokens, unknown)
    for position, (token, score, is_unknown) in enumerate(zip(tokens, scores, flags)):
        row, column = divmod(position, columns)
        z[row, column] = score
        text[row, column] = _short(token) + (UNKNOWN_MARK if is_unknown else "")
        note = "<br>unknown to the model (read as &lt;unk&gt;)" if is_unknown else ""
        hover[row, column] = f"#{position + 1} {token}<br>score {score:+.4f}{note}"
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
        **LAYOUT,
        title=title,
        height=90 + 34 * rows,
        xaxis=dict(visible=False),
        yaxis=dict(visible=False, autorange="reversed"),
    )
    return figure


def score_bars(tokens: Sequence[str], scores: Sequence[float], *, top_k: int | None = None, title: str | None = None,
               unknown=None) -> go.Figure:
    """Horizontal bar per token, in reading order from the top; blue for positive and red for negative scores.

    Horizontal, so every label is written on its own line however many tokens
    there are (vertical bars overlap their labels beyond a dozen); the figure
    grows by one line per bar.

    Args:
        tokens, scores: as in :func:`token_heatmap`.
        top_k: keep only the ``top_k`` largest ``|score|`` (still in reading order). Default: all.
        title: figure title. Default: says how many of how many tokens are shown.
        unknown: as in :func:`token_heatmap`: unknown tokens get the ⁽?⁾ mark.

    Example:
        >>> figure = score_bars(["a", "b", "c"], [0.1, -0.5, 0.2], top_k=2)
        >>> list(figure.data[0].y), figure.layout.title.text
        (['2·b', '3·c'], 'The 2 words that weigh most (of 3), in reading order')
    """
    tokens, scores = _check_scores(tokens, scores)
    keep = np.arange(len(tokens))
    if top_k is not None and top_k < len(tokens):
        keep = np.sort(np.argsort(-np.abs(scores), kind="stable")[: int(top_k)])
    if title is None:
        title = ("Score of each word" if len(keep) == len(tokens)
                 else f"The {len(keep)} words that weigh most (of {len(tokens)}), in reading order")
    # Positions make labels unique: the same word twice gets two bars.
    flags = _unknown_flags(tokens, unknown)
    labels = [f"{position + 1}·{_short(tokens[position])}{UNKNOWN_MARK if flags[position] else ''}" for position in keep]
    figure = go.Figure(
        go.Bar(
            y=labels,
            x=scores[keep].tolist(),
            orientation="h",
            marker_color=[POSITIVE if scores[position] >= 0 else NEGATIVE for position in keep],
            customdata=[tokens[position] for position in keep],
            hovertemplate="%{customdata}: %{x:+.4f}<extra></extra>",
        )
    )
    figure.update_layout(**LAYOUT, title=title, xaxis_title="score", height=110 + 24 * len(keep),
                         yaxis=dict(autorange="reversed", automargin=True))
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
    data = as_dict(trajectory)
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
                line=dict(color=class_color(index)),
                customdata=tokens,
                hovertemplate="after #%{x} %{customdata}: %{y:.3f}<extra>" + str(name) + "</extra>",
            )
        )
    figure.update_layout(
        **LAYOUT,
        title="Prediction after each token",
        xaxis=_token_axis(tokens),
        yaxis=dict(title="probability", range=[0, 1]),
        hovermode="x unified",
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
    data = as_dict(curve)
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
        **LAYOUT,
        title=f"Deletion curve (target: {data['target']})",
        xaxis=dict(title="share of tokens replaced by <unk>", tickformat=".0%"),
        yaxis=dict(title="target probability", range=[0, 1]),
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
                color=[class_color(index) for index in range(len(names))],
                line=dict(color=["#000000" if name == highlight else "rgba(0,0,0,0)" for name in names], width=2),
            ),
            text=[f"{value:.1%}" for value in values],
            textposition="auto",
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    figure.update_layout(**LAYOUT, title="Class probabilities", xaxis=dict(range=[0, 1], title="probability"),
                         yaxis=dict(type="category"), height=120 + 40 * len(names))
    return figure



# Gates live in [0, 1]; states (hidden, cell, candidate) are signed.
SIGNED_STATES = ("hidden", "cell", "candidate")


def gate_heatmap(tokens: Sequence[str], values, gate: str, *, title: str | None = None) -> go.Figure:
    """One gate or state of one recurrent layer: a units × tokens heatmap (tokens in reading order).

    Gates use a 0–1 scale; signed states (``hidden``, ``cell``, ``candidate``) a
    diverging scale centred on 0.

    Example:
        >>> figure = gate_heatmap(["a", "b"], [[0.1, 0.9, 0.5], [0.2, 0.8, 0.4]], "forget")
        >>> figure.data[0].z.shape, figure.data[0].zmin, figure.data[0].zmax
        ((3, 2), 0.0, 1.0)
    """
    matrix = np.asarray(values, dtype="float64")
    if matrix.ndim != 2 or matrix.shape[0] != len(tokens):
        raise ValueError(f"expected one row per token ({len(tokens)}), got values of shape {matrix.shape}")
    signed = gate in SIGNED_STATES
    limit = float(max(np.abs(matrix).max(), 1e-6)) if signed else 1.0
    positions = list(range(1, len(tokens) + 1))
    figure = go.Figure(go.Heatmap(
        z=matrix.T, x=positions, y=list(range(matrix.shape[1])),
        zmin=-limit if signed else 0.0, zmax=limit,
        colorscale=DIVERGING_SCALE if signed else "Viridis",
        customdata=np.tile(np.asarray([_short(token) for token in tokens], dtype=object), (matrix.shape[1], 1)),
        hovertemplate="unit %{y} · #%{x} %{customdata}: %{z:.3f}<extra>" + gate + "</extra>",
        colorbar=dict(title=gate, thickness=12),
    ))
    figure.update_layout(**LAYOUT, title=title or gate, xaxis=_token_axis(tokens),
                         yaxis=dict(title="unit", autorange="reversed"), height=max(260, min(620, 60 + 7 * matrix.shape[1])))
    return figure


def tracking_units_figure(tokens: Sequence[str], hidden, probability: Sequence[float], units: Sequence[Mapping], target: str) -> go.Figure:
    """The hidden units that follow the prediction most closely, next to the prediction itself.

    Args:
        tokens: the tokens read.
        hidden: hidden states ``(tokens, units)`` of the layer the units come from.
        probability: probability of ``target`` after each token.
        units: :func:`rnnclf.interpret.states.tracking_units` output.
        target: the class whose probability is drawn.

    Example:
        >>> figure = tracking_units_figure(["a", "b", "c"], [[0, 1], [1, 1], [2, 0]], [0.1, 0.5, 0.9],
        ...                                [{"unit": 0, "correlation": 0.98}], "positive")
        >>> [trace.name for trace in figure.data]
        ['P(positive)', 'unit 0 (r = +0.98)']
    """
    hidden = np.asarray(hidden, dtype="float64")
    positions = list(range(1, len(tokens) + 1))
    figure = go.Figure(go.Scatter(x=positions, y=list(probability), name=f"P({target})", mode="lines",
                                  line=dict(color="#333333", width=3, dash="dot"), customdata=list(tokens),
                                  hovertemplate="after #%{x} %{customdata}: %{y:.3f}<extra></extra>"))
    for index, unit in enumerate(units):
        figure.add_trace(go.Scatter(
            x=positions, y=hidden[:, unit["unit"]].tolist(), name=f"unit {unit['unit']} (r = {unit['correlation']:+.2f})",
            mode="lines+markers" if len(tokens) <= 60 else "lines", yaxis="y2", line=dict(color=class_color(index + 1)),
            customdata=list(tokens), hovertemplate="after #%{x} %{customdata}: %{y:.3f}<extra>unit " + str(unit["unit"]) + "</extra>",
        ))
    figure.update_layout(**LAYOUT, title="Units that follow the prediction", hovermode="x unified",
                         xaxis=_token_axis(tokens), yaxis=dict(title="probability", range=[0, 1]),
                         yaxis2=dict(title="unit activation", overlaying="y", side="right"))
    return figure


def what_if_bars(classes: Sequence[str], before: Sequence[float], after: Sequence[float]) -> go.Figure:
    """Class probabilities before and after an edit, side by side (one row per class).

    Example:
        >>> figure = what_if_bars(["negative", "positive"], [0.1, 0.9], [0.7, 0.3])
        >>> [trace.name for trace in figure.data], list(figure.data[1].x)
        (['before', 'after'], [0.7, 0.3])
    """
    names = [str(name) for name in classes]
    figure = go.Figure()
    for series, values, color in (("before", before, "#9e9e9e"), ("after", after, POSITIVE)):
        figure.add_trace(go.Bar(y=names, x=[float(value) for value in values], name=series, orientation="h",
                                marker_color=color, text=[f"{float(value):.1%}" for value in values], textposition="auto",
                                hovertemplate="%{y}: %{x:.3f}<extra>" + series + "</extra>"))
    figure.update_layout(**{**LAYOUT, "margin": dict(l=40, r=20, t=45, b=30)}, barmode="group",
                         xaxis=dict(title="probability", range=[0, 1]), height=110 + 45 * len(names),
                         yaxis=dict(autorange="reversed"), legend=dict(orientation="h", y=1.15))
    return figure
