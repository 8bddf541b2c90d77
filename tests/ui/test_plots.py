"""Figure builders: right traces, right points, right scales — no model needed."""

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from rnnclf.experiments.gradient_flow import GradientFlow
from rnnclf.interpret.insight import DeletionCurve, Trajectory
from rnnclf.ui import charts, plots


def _points(trace) -> int:
    return sum(value is not None for row in trace.z for value in row) if trace.type == "heatmap" else len(trace.x if trace.x is not None else trace.y)


@pytest.mark.parametrize("count", [1, 7, 200])
def test_token_heatmap_wraps_any_length(count):
    tokens = [f"token{i}" for i in range(count)]
    scores = np.linspace(-1, 2, count)
    figure = plots.token_heatmap(tokens, scores)
    assert isinstance(figure, go.Figure) and len(figure.data) == 1
    heatmap = figure.data[0]
    columns = min(12, count)
    assert len(heatmap.z) == math.ceil(count / columns) and len(heatmap.z[0]) == columns
    assert _points(heatmap) == count
    # Diverging scale centred at 0 and symmetric, so colour intensity compares across signs.
    assert heatmap.zmin == -heatmap.zmax == -np.abs(scores).max()
    assert heatmap.text[0][0] == "token0" and "score" in heatmap.customdata[0][0]


def test_token_heatmap_shortens_long_tokens_but_hovers_them_whole():
    figure = plots.token_heatmap(["supercalifragilistic", "ok"], [0.1, 0.0], columns=1)
    assert figure.data[0].text[0][0] == "supercalifr…"
    assert "supercalifragilistic" in figure.data[0].customdata[0][0]
    assert len(figure.data[0].z) == 2


def test_score_functions_reject_mismatched_input():
    with pytest.raises(ValueError, match="2 tokens but 1 scores"):
        plots.token_heatmap(["a", "b"], [0.1])
    with pytest.raises(ValueError, match="at least one token"):
        plots.score_bars([], [])


def test_score_bars_colour_by_sign_and_keep_reading_order():
    figure = plots.score_bars(["a", "b", "c", "a"], [0.3, -0.9, 0.05, 0.4], top_k=3)
    bars = figure.data[0]
    assert list(bars.y) == ["1·a", "2·b", "4·a"] and list(bars.x) == [0.3, -0.9, 0.4]
    assert list(bars.marker.color) == [plots.POSITIVE, plots.NEGATIVE, plots.POSITIVE]
    assert figure.layout.title.text == "The 3 words that weigh most (of 4), in reading order"
    everything = plots.score_bars(["x"] * 5, [1, 2, 3, 4, 5])
    assert len(everything.data[0].y) == 5 and everything.layout.title.text == "Score of each word"


def test_score_bars_of_a_long_text_give_every_label_its_own_line():
    tokens = [f"word{i}" for i in range(60)]
    few, many = plots.score_bars(tokens, np.linspace(-1, 1, 60), top_k=10), plots.score_bars(tokens, np.linspace(-1, 1, 60))
    assert few.data[0].orientation == many.data[0].orientation == "h"
    assert len(many.data[0].y) == 60 and len(set(many.data[0].y)) == 60
    # One line per bar: the figure grows with the number of bars instead of squeezing labels together.
    assert (many.layout.height - few.layout.height) == 50 * 24
    assert many.layout.yaxis.autorange == "reversed"  # reading order from the top


def test_trajectory_one_line_per_class():
    trajectory = Trajectory(tokens=["a", "b", "c"], classes=["n", "m", "p"],
                            probabilities=[[.2, .3, .5], [.1, .1, .8], [.0, .1, .9]], method="one_pass")
    figure = plots.trajectory_figure(trajectory)
    assert [trace.name for trace in figure.data] == ["n", "m", "p"]
    assert all(len(trace.x) == 3 for trace in figure.data)
    assert list(figure.data[2].y) == [.5, .8, .9]
    assert figure.data[0].line.color == plots.CLASS_COLORS[0]


def _flow(cell_type, bidirectional=False):
    return GradientFlow(cell_type=cell_type, bidirectional=bidirectional, num_layers=1, quantity="q",
                        distance=[1, 2, 3], mean=[1e-2, 1e-3, 1e-4], median=[1e-2, 1e-3, 1e-4],
                        p10=[5e-3, 5e-4, 5e-5], p90=[2e-2, 2e-3, 2e-4], count=[3, 3, 2], examples=3,
                        mean_loss=0.1, decay_per_step=0.1)


def test_gradient_flow_lines_per_cell_type_on_a_log_scale():
    figure = charts.gradient_flow_figure([_flow("rnn"), _flow("lstm"), _flow("gru", bidirectional=True)])
    assert figure.layout.yaxis.type == "log"
    assert [trace.name for trace in figure.data] == ["SimpleRNN", "LSTM", "GRU (bidirectional)"]
    assert (figure.layout.yaxis.dtick, figure.layout.yaxis.exponentformat) == (1, "power")  # labelled powers of ten
    assert [trace.name for trace in charts.gradient_flow_figure({"rnn": _flow("rnn"), "gru": _flow("gru")}).data] == ["SimpleRNN", "GRU"]
    assert [trace.line.color for trace in figure.data] == [plots.CELL_COLORS[cell] for cell in ("rnn", "lstm", "gru")]
    assert all(len(trace.x) == 3 for trace in figure.data)
    banded = charts.gradient_flow_figure({"my lstm": _flow("lstm")}, band=True)
    assert len(banded.data) == 3 and banded.data[-1].name == "my lstm"


def test_deletion_curve_method_vs_random():
    curve = DeletionCurve(tokens=["a", "b"], order=[1, 0], removed_fraction=[0, .5, 1], probabilities=[.9, .3, .2],
                          random_probabilities=[.9, .6, .2], random_std=[0, .1, 0], aopc=.4, random_aopc=.2,
                          target="pos", method="integrated_gradients", random_orders=3, seed=0)
    figure = plots.deletion_figure(curve)
    assert len(figure.data) == 2 and all(len(trace.x) == 3 for trace in figure.data)
    assert figure.data[0].name == "integrated_gradients (AOPC 0.400)"
    assert figure.data[1].line.color == plots.SERIES_COLORS["random"]


def test_training_curves_from_a_history_dict():
    history = {"loss": [1.0, .6, .4], "val_loss": [1.1, .8, .7], "accuracy": [.5, .7, .9], "val_accuracy": [.5, .6, .8]}
    figure = charts.training_curves(history, best_epoch=3)
    assert len(figure.data) == 4 and all(len(trace.x) == 3 for trace in figure.data)
    assert {trace.line.color for trace in figure.data} == {plots.SERIES_COLORS["train"], plots.SERIES_COLORS["validation"]}
    assert sum(trace.showlegend for trace in figure.data) == 2  # one legend entry per split
    assert len(charts.training_curves({"loss": [1.0]}).data) == 1
    assert (figure.layout.xaxis.tick0, figure.layout.xaxis.dtick) == (1, 1)  # whole epochs, never 1.5
    long = charts.training_curves({"loss": [1.0 / (epoch + 1) for epoch in range(25)]})
    assert long.layout.xaxis.dtick == 3


def test_confusion_matrix_counts_and_shares():
    figure = charts.confusion_matrix_figure([[8, 2, 0], [1, 9, 0], [0, 0, 0]], ["a", "b", "c"])
    heatmap = figure.data[0]
    assert np.asarray(heatmap.z).shape == (3, 3)
    assert heatmap.text[0][0] == "8<br>80%"
    assert np.asarray(heatmap.z)[2].tolist() == [0, 0, 0]  # a class without examples does not divide by zero
    assert list(charts.confusion_matrix_figure([[1, 2], [3, 4]], ["a", "b"], normalize=False).data[0].z[1]) == [3, 4]
    with pytest.raises(ValueError, match="square matrix"):
        charts.confusion_matrix_figure([[1, 2]], ["a", "b"])


def test_probability_bars_outline_the_top_class():
    figure = plots.probability_bars({"neg": .1, "neu": .3, "pos": .6})
    bars = figure.data[0]
    assert list(bars.y) == ["neg", "neu", "pos"] and list(bars.x) == [.1, .3, .6]
    assert list(bars.marker.line.color).index("#000000") == 2
    assert list(plots.probability_bars({"neg": .1, "pos": .9}, highlight="neg").data[0].marker.line.color).index("#000000") == 0


def test_token_length_histogram_marks_max_length():
    lengths = [3, 5, 8, 40, 41, 12]
    figure = charts.token_length_histogram(lengths, max_length=30)
    assert len(figure.data) == 1 and list(figure.data[0].x) == lengths
    assert figure.layout.shapes[0].x0 == 30
    assert "33.3% truncated" in figure.layout.annotations[0].text
    assert len(charts.token_length_histogram(lengths).layout.shapes) == 0


def test_first_cue_figure_draws_each_cell_nearest_first_with_a_std_band_and_the_shortcut():
    result = {"distance_from_end": [40, 22, 4], "seeds": [0, 1, 2], "chance": 0.5,
              "shortcuts": {"majority_of_cues": [0.74, 0.76, 0.78], "last_cue": [0.5, 0.46, 0.52]},
              "cells": {"rnn": {"accuracy": [0.6, 0.7, 0.9], "std": [0.1, 0.05, 0.08]},
                        "gru": {"accuracy": [1.0, 1.0, 1.0], "std": [0.0, 0.0, 0.0]}}}
    figure = charts.first_cue_figure(result)
    band, rnn, _, gru, shortcut = figure.data
    assert list(rnn.x) == [4, 22, 40] and list(rnn.y) == [0.9, 0.7, 0.6] and rnn.name == "SimpleRNN"
    # The band runs out along mean + std and back along mean − std, clipped to [0, 1].
    assert list(band.x) == [4, 22, 40, 40, 22, 4]
    np.testing.assert_allclose(band.y, [0.98, 0.75, 0.7, 0.5, 0.65, 0.82])
    assert gru.name == "GRU" and list(shortcut.y) == [0.78, 0.76, 0.74] and shortcut.line.dash == "dash"
    assert (rnn.marker.symbol, gru.marker.symbol) == ("circle", "square")  # two cells at 1.0 still show both
    assert figure.layout.shapes[0].y0 == 0.5 and "mean ± std over 3 seeds" in figure.layout.title.text
    # One seed: no band, and the title says so.
    single = dict(result, seeds=[0], cells={"rnn": {"accuracy": [0.6, 0.7, 0.9], "std": [None, None, None]}})
    figure = charts.first_cue_figure(single)
    assert [trace.name for trace in figure.data] == ["SimpleRNN", "majority of cue words (a shortcut)"]
    assert "(one seed)" in figure.layout.title.text
