"""The mistakes browser on the Models page, through AppTest, for a tiny run of each cell type."""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import make_app, texts_of
from tests.conftest import MISTAKE_RUN_CELLS


def _figures(app, key_part: str) -> list[dict]:
    """The plotly figures whose widget key contains ``key_part`` (a chart's element id ends with its key)."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart") if f"-models-mistakes-{key_part}" in chart.proto.id]


def _mistakes_table(app):
    return next(frame.value for frame in app.dataframe if "loss" in frame.value.columns)


def _open_mistakes(name: str):
    app = make_app("pages/models.py")
    app.selectbox(key="models-selected").select(name).run()
    app.toggle(key="models-mistakes").set_value(True).run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize("name", list(MISTAKE_RUN_CELLS))
def test_the_models_page_lists_a_runs_mistakes_with_heat_strips_and_buckets(mistake_runs, name):
    from rnnclf.classifier import load_run
    from rnnclf.mistakes import score_test_part, select_mistakes

    scores = score_test_part(load_run(name))
    mistakes = select_mistakes(scores)
    app = _open_mistakes(name)

    assert f"{len(scores):,} texts, {len(mistakes):,} classified wrong" in texts_of(app.caption)
    table = _mistakes_table(app)
    assert table["text"].tolist() == mistakes["text"].tolist()  # every mistake, highest loss first
    assert table["loss"].is_monotonic_decreasing and table.index.tolist() == mistakes.index.tolist()

    strips = _figures(app, "strip-")
    assert len(strips) == min(10, len(mistakes))
    first_tokens = [cell for row in strips[0]["data"][0]["text"] for cell in row if cell]
    assert " ".join(first_tokens) == mistakes.iloc[0]["text"]  # marker texts: short words, all known, read in full
    ranks = [text for text in texts_of(app.markdown).splitlines() if text.startswith("**1.** ")]
    assert ranks == [f"**1.** true **{mistakes.iloc[0]['true']}**, predicted **{mistakes.iloc[0]['predicted']}** · p(true) "
                     f"{mistakes.iloc[0]['true_probability']:.3f} · loss {mistakes.iloc[0]['loss']:.2f} · "
                     f"test text #{mistakes.index[0]}"]

    bars = _figures(app, "by-")
    overall = f"(dotted: all texts, {scores['correct'].mean():.1%})"
    assert [figure["layout"]["title"]["text"] for figure in bars] == [
        f"Accuracy by text length {overall}", f"Accuracy by known-word coverage {overall}"]
    for figure in bars:
        assert sum(figure["data"][0]["customdata"]) == len(scores)  # every test text in exactly one bucket
    assert [button.proto.label for button in app.get("download_button") if "mistakes" in button.proto.label] == [
        "Download these mistakes (CSV)"]


def test_the_class_filters_narrow_the_mistakes_and_the_strips(mistake_runs):
    from rnnclf.classifier import load_run
    from rnnclf.mistakes import score_test_part, select_mistakes

    scores = score_test_part(load_run("mistakes-bigru"))
    app = _open_mistakes("mistakes-bigru")
    app.selectbox(key="models-mistakes-true").select("negative").run()
    expected = select_mistakes(scores, true_class="negative")
    table = _mistakes_table(app)
    assert table["text"].tolist() == expected["text"].tolist() and set(table["true"]) <= {"negative"}
    assert f"**{len(expected):,} mistakes**" in texts_of(app.markdown)
    # A mistake's prediction is never its true class, so this filter leaves nothing: no strips, nothing to download.
    app.selectbox(key="models-mistakes-predicted").select("negative").run()
    assert not app.exception and _mistakes_table(app).empty
    assert not _figures(app, "strip-")
    assert [button.proto.disabled for button in app.get("download_button") if "mistakes" in button.proto.label] == [True]
    assert not [widget for widget in app.number_input if widget.key == "models-mistakes-count"]


def test_colouring_by_the_true_class_explains_every_strip_towards_it(mistake_runs):
    app = _open_mistakes("mistakes-lstm")
    app.number_input(key="models-mistakes-count").set_value(3).run()
    app.radio(key="models-mistakes-target").set_value("true").run()
    assert not app.exception
    assert len(_figures(app, "strip-")) == 3
    assert "Gradient × input per word towards the true class" in texts_of(app.caption)


def test_the_bundled_model_without_its_dataset_says_what_to_fetch_instead_of_failing(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))  # a home where no dataset is fetched
    app = _open_mistakes("default")
    assert (
        "Run 'default' was tested on the built-in dataset 'everyday-sentiment', which is not fetched here, so its test "
        "texts cannot be rebuilt. Fetch it (`rnnclf datasets fetch everyday-sentiment`, or on the Datasets page) and try again."
    ) in [info.value for info in app.info]
    assert not app.error and not [frame for frame in app.dataframe if "loss" in frame.value.columns]


def test_a_run_that_did_not_record_its_data_says_so(tiny_run):
    app = _open_mistakes(tiny_run)
    assert "does not record where its test texts came from" in texts_of(app.info)
    assert not app.error
