"""Classify page: "Inside the RNN" and what-if editing, for every cell type, uni- and bidirectional."""

import json

import pytest

from rnnclf.interpret.states import GATES
from rnnclf.ui.text_views import CELL_NAMES
from tests.app.conftest import CELL_RUNS, cell_run, make_app, texts_of

TEXT = "the movie was zing and the day too"


@pytest.mark.parametrize("cell_type,bidirectional", CELL_RUNS, ids=[f"{c}-{'bi' if b else 'uni'}" for c, b in CELL_RUNS])
def test_inside_the_rnn_shows_every_gate_of_every_direction(cell_type, bidirectional):
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.interpret.states import inspect_states
    from rnnclf.store import RunStore

    name = cell_run(cell_type, bidirectional)
    app = make_app(active=name)
    app.text_area(key="classify_text").input(TEXT).run()
    assert not app.exception
    expected = inspect_states(RNNTextClassifier.load(RunStore().path(name)), TEXT)
    # What-if works on every cell type too: it opens on the strongest word, removed.
    word = app.selectbox(key="what-if-word")
    assert f"without ‘{expected.tokens[word.value]}’" in texts_of(app.markdown)
    gates = app.radio(key="inside-gate")
    assert list(gates.options) == list(GATES[cell_type])
    layers = [element for element in app.selectbox if element.key == "inside-layer"]
    assert [option for layer in layers for option in layer.options] == (
        ["layer 1 · forward", "layer 1 · backward"] if bidirectional else [])
    for gate in GATES[cell_type]:
        app.radio(key="inside-gate").set_value(gate).run()
        assert not app.exception, gate
        title = f"{CELL_NAMES[cell_type]} {gate} · layer 1 · forward"
        titles = [json.loads(chart.proto.spec)["layout"].get("title", {}).get("text") for chart in app.get("plotly_chart")]
        assert title in titles, (title, titles)
        values = expected.part(0).values[gate]
        # The sentence under the gate name is computed from the same numbers the heatmap shows.
        means = values.mean(axis=1)
        low = expected.tokens[int(means.argmin())]
        assert f"lowest at ‘{low}’ ({means.min():.2f})" in texts_of(app.markdown), gate
    if bidirectional:
        app.selectbox(key="inside-layer").select("layer 1 · backward").run()
        assert "reads from the last word to the first" in texts_of(app.caption)
    unit = expected.tracking[0]
    assert f"unit {unit['unit']} of layer 1 · forward follows P({expected.target}) with correlation {unit['correlation']:+.2f}" in texts_of(app.markdown)


def test_what_if_starts_on_the_strongest_word_and_removing_it_flips_the_answer(tiny_run):
    app = make_app(active=tiny_run)
    app.text_area(key="classify_text").input("the day was zing").run()
    assert app.metric[0].value == "positive"
    word = app.selectbox(key="what-if-word")
    assert word.format_func(word.value) == "#4 zing"  # the marker word carries the attribution
    assert "without ‘zing’" in texts_of(app.markdown)
    app.text_input(key="what-if-replacement").input("blorp").run()
    assert not app.exception
    assert "‘zing’ → ‘blorp’: the answer flips from **positive** to **negative**" in texts_of(app.markdown)
    app.text_input(key="what-if-replacement").input("qwxyz").run()
    assert "The model does not know ‘qwxyz’" in texts_of(app.caption)
    # A new text starts again from its own strongest word, with no replacement carried over.
    app.text_area(key="classify_text").input("blorp was the day").run()
    assert app.selectbox(key="what-if-word").value == 0 and app.text_input(key="what-if-replacement").value == ""
