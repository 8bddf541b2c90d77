"""Classify page through Streamlit's AppTest (no browser)."""

import shutil

from tests.app.conftest import make_app, texts_of


def test_typed_text_gets_label_probabilities_and_attribution(tiny_run):
    app = make_app(active=tiny_run)
    app.text_area(key="classify_text").input("the movie was zing and the day too").run()
    assert not app.exception
    prediction = app.metric[0]
    assert prediction.label == "Prediction" and prediction.value == "positive"
    charts = app.get("plotly_chart")
    assert len(charts) >= 4  # probabilities, token heatmap, score bars, trajectory (+ deletion curve)
    assert "towards _positive_" in texts_of(app.markdown)
    app.text_area(key="classify_text").set_value("a blorp day")
    app.button(key="classify-go").click().run()  # the button answers the text in the box
    assert not app.exception and app.metric[0].value == "negative"


def test_every_method_and_a_non_predicted_class(tiny_run):
    app = make_app(active=tiny_run)
    app.text_area(key="classify_text").input("a blorp film").run()
    for method in ["occlusion", "gradient_x_input", "lime", "integrated_gradients"]:
        app.selectbox(key="classify-method").select(method).run()
        assert not app.exception, method
        assert app.metric[0].value == "negative"
    app.selectbox(key="classify-target").select("positive").run()
    assert not app.exception and "towards _positive_" in texts_of(app.markdown)


def test_example_pill_fills_the_text_box(tiny_run):
    app = make_app(active=tiny_run)
    first_example = app.get("button_group")[0].proto.options[0].content
    app.get("button_group")[0].set_value(first_example).run()
    assert app.text_area(key="classify_text").value == first_example


def test_empty_text_says_what_to_do(tiny_run):
    app = make_app(active=tiny_run)
    app.text_area(key="classify_text").input("   ").run()
    assert "The text is empty" in texts_of(app.info)
    assert not app.metric


def test_a_one_megabyte_paste_is_classified_with_a_warning(tiny_run):
    app = make_app(active=tiny_run)
    app.text_area(key="classify_text").input("zing " + "the film was " * 90_000).run()
    assert not app.exception
    assert "only its first" in texts_of(app.warning)
    assert app.metric[0].value == "positive"


def test_active_run_deleted_elsewhere_falls_back_with_a_message(tiny_run, tmp_path):
    from rnnclf.store import RunStore

    source = RunStore().path(tiny_run)
    copy = tmp_path / "short-lived"
    shutil.copytree(source, copy)
    app = make_app(active=str(copy))
    shutil.rmtree(copy)  # deleted in another tab / by the CLI
    app.text_area(key="classify_text").input("zing").run()
    assert not app.exception
    assert "cannot be used" in texts_of(app.warning) and "default model" in texts_of(app.warning)


def test_a_model_file_that_will_not_load(tiny_run, tmp_path):
    from rnnclf.store import RunStore

    broken = tmp_path / "broken-run"
    shutil.copytree(RunStore().path(tiny_run), broken)
    (broken / "model.keras").write_bytes(b"not a keras archive")
    app = make_app(active=str(broken))
    shown = texts_of(app.warning) + texts_of(app.error)
    assert "model.keras is damaged: it is not a .keras (zip) archive" in shown


def test_batch_mode_predicts_a_csv_with_download(tiny_run):
    app = make_app(active=tiny_run)
    csv = "id,review\n1,the zing film\n2,a blorp day\n3,\n4,zing zing\n".encode()
    app.file_uploader(key="classify-upload").set_value(("reviews.csv", csv, "text/csv")).run()
    assert not app.exception
    assert app.selectbox(key="classify-column").value == "review"
    table = app.dataframe[0].value
    assert table["label"].tolist() == ["positive", "negative", "positive"]
    # Every input column survives (the id joins the answers back), then text, label, probabilities, coverage.
    assert table["id"].tolist() == ["1", "2", "4"] and table["text"].tolist() == ["the zing film", "a blorp day", "zing zing"]
    assert list(table.columns[:4]) == ["id", "text", "label", "p_negative"]
    assert all(round(value, 4) == value for value in table["p_positive"])
    assert table["known_tokens"].tolist() == [3, 3, 2] and (table["warnings"] == "").all()
    assert app.get("download_button") and "1 empty rows were skipped." in texts_of(app.caption)


def test_reruns_keep_the_keras_session(tiny_run, monkeypatch):
    """Streamlit would clear the Keras session (and TensorFlow's kernel cache) after every
    rerun; rnnclf.ui switches that off so cached models stay fast."""
    import keras

    calls = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: calls.append(args))
    app = make_app(active=tiny_run)
    for text in ("zing day", "blorp film", "the zing"):
        app.text_area(key="classify_text").input(text).run()
    assert not app.exception and calls == []


def test_a_text_of_unknown_words_is_flagged_as_a_guess(tiny_run):
    app = make_app(active=tiny_run)
    app.text_area(key="classify_text").input("qwzx plorf blarg").run()
    assert not app.exception
    assert texts_of(app.error) == "The model knows none of these words: this answer is a guess."
    assert app.metric[0].label == "A guess, not a prediction" and app.metric[0].delta == "knows 0 of 3 words"
    assert "Known words: 0 of 3 (0%) · unknown ⁽?⁾: qwzx, plorf, blarg" in texts_of(app.caption)
    import json

    heatmap = json.loads(app.get("plotly_chart")[1].proto.spec)["data"][0]
    assert heatmap["text"] == [["qwzx ⁽?⁾", "plorf ⁽?⁾", "blarg ⁽?⁾"]]
    assert all("unknown to the model (read as &lt;unk&gt;)" in cell for cell in heatmap["customdata"][0])


def test_chinese_text_with_the_default_model_is_answered_by_the_chinese_default(bundled_models):
    from tests.app.conftest import ZH_BAD

    app = make_app(active="default")
    app.text_area(key="classify_text").input(ZH_BAD[0]).run()
    assert not app.exception
    assert texts_of(app.info) == (
        "This text looks Chinese, so the bundled Chinese model ('default-zh') answered it instead of 'default'."
    )
    assert app.metric[0].label == "Prediction" and app.metric[0].value == "差评"
    assert not app.error and not app.warning  # the Chinese model knows these words
    app.text_area(key="classify_text").input("the zing movie").run()  # English again: the English default answers
    assert not app.info and app.metric[0].value == "positive"


def test_the_sidebar_offers_every_installed_bundled_model(bundled_models):
    app = make_app(active="default")
    options = app.sidebar.selectbox(key="sidebar_model").options
    assert options[:2] == ["default sentiment model (English)", "default sentiment model (Chinese)"]


def test_unconverged_integrated_gradients_are_flagged_where_the_scores_are_shown(tiny_run, monkeypatch):
    from rnnclf.interpret import integrated_gradients

    # Tolerances below zero: no path can meet them, so every explanation reports converged=False.
    monkeypatch.setattr(integrated_gradients, "COMPLETENESS_TOLERANCE", -1.0)
    monkeypatch.setattr(integrated_gradients, "COMPLETENESS_ABSOLUTE_TOLERANCE", -1.0)
    app = make_app(active=tiny_run)
    app.text_area(key="classify_text").input("the movie was zing").run()
    assert not app.exception
    assert texts_of(app.warning).startswith("Integrated gradients did not converge on this text")
    app.button(key="classify-use-occlusion").click().run()
    assert app.selectbox(key="classify-method").value == "occlusion"
    assert "did not converge" not in texts_of(app.warning)
