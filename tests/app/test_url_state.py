"""What a person bookmarks or shares: the model and dataset in the URL, one dataset choice across pages."""

import pandas as pd
import pytest

from tests.app.conftest import APP, TIMEOUT, make_app, texts_of

# Two built-in names with tiny self-written tables standing in for fetched corpora.
FAKE_TABLES = {
    "movie-snippets": (["a warm and funny film", "dull and far too long", "a joy to watch", "a tired plot"],
                       ["positive", "negative", "positive", "negative"]),
    "amazon-snippets": (["works as promised", "broke after a day", "great value", "arrived damaged"],
                        ["positive", "negative", "positive", "negative"]),
}


@pytest.fixture()
def two_fetched_datasets():
    from rnnclf.data import datasets
    from rnnclf.data.parsers import ParsedCorpus

    created = []
    for name, (texts, labels) in FAKE_TABLES.items():
        if not datasets.is_fetched(name):
            datasets._save(datasets.DATASETS[name], ParsedCorpus(pd.DataFrame({"text": texts, "label": labels}), {}))
            created.append(name)
    yield list(FAKE_TABLES)
    for name in created:
        datasets._table_path(name).unlink()
        datasets._sidecar_path(name).unlink()


def _fresh_session(query: dict):
    """A new browser session (a reload or a shared link) opening the app with these query parameters."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.query_params.update(query)
    app.run()
    assert not app.exception, app.exception
    return app


def test_a_shared_link_opens_with_its_model_and_the_url_follows_a_switch(tiny_run):
    app = _fresh_session({"model": tiny_run})
    assert app.session_state["active_model"] == tiny_run
    assert app.selectbox(key="sidebar_model").value == tiny_run
    assert app.query_params["model"] == tiny_run
    app.selectbox(key="sidebar_model").select("default").run()
    assert "model" not in app.query_params  # the default needs no parameter


def test_a_model_in_the_url_that_does_not_exist_is_named_not_fatal():
    app = _fresh_session({"model": "no-such-run"})
    assert "This model cannot be loaded" in texts_of(app.warning)


def test_one_dataset_choice_is_shared_by_pages_and_survives_a_reload(two_fetched_datasets):
    first, second = two_fetched_datasets
    app = make_app("pages/datasets.py")
    assert app.selectbox(key="datasets-inspect").value is None  # nothing computed until someone chooses
    app.selectbox(key="datasets-inspect").select(second).run()
    assert app.query_params["dataset"] == second
    app.switch_page("pages/train.py").run()
    assert app.selectbox(key="train-dataset").value == second
    app.switch_page("pages/compare.py").run()
    assert app.selectbox(key="compare-dataset").value == second
    app.selectbox(key="compare-dataset").select(first).run()
    assert app.query_params["dataset"] == first

    reloaded = _fresh_session({"dataset": first})
    reloaded.switch_page("pages/train.py").run()
    assert reloaded.selectbox(key="train-dataset").value == first
    assert reloaded.query_params["dataset"] == first


def test_the_datasets_table_has_human_columns_and_no_empty_cells():
    app = make_app("pages/datasets.py")
    table = app.dataframe[0].value
    assert list(table.columns) == ["Dataset", "Classes", "Rows", "Description"]
    assert "None" not in table.astype(str).to_numpy() and "nan" not in table.astype(str).to_numpy()
    from rnnclf.data.datasets import DATASETS

    assert table["Description"].tolist() == [spec.description for spec in DATASETS.values()]


def test_the_train_form_lives_in_its_url_and_a_reload_rebuilds_it(tiny_run):
    from streamlit.testing.v1 import AppTest

    app = make_app("pages/train.py")
    app.selectbox(key="train-preset").select("quick").run()
    app.number_input(key="train-units").set_value(48).run()
    assert {name: app.query_params.get(name) for name in ("preset", "units", "epochs")} == {"preset": "quick", "units": "48", "epochs": None}

    # A reload is a new session with the same URL; a hand-edited link gets each bad value named.
    reloaded = AppTest.from_file(APP, default_timeout=TIMEOUT)
    reloaded.query_params.update({**app.query_params, "epochs": "9999", "cell_type": "transformer"})
    reloaded.switch_page("pages/train.py")
    reloaded.run()
    assert not reloaded.exception, reloaded.exception
    assert reloaded.selectbox(key="train-preset").value == "quick"
    assert (reloaded.number_input(key="train-units").value, reloaded.number_input(key="train-epochs").value) == (48, 3)
    assert reloaded.selectbox(key="train-cell").value == "gru"
    link_warnings = [warning.value for warning in reloaded.warning if warning.value.startswith("The link's")]
    assert link_warnings == ["The link's cell_type=transformer was ignored (expected one of rnn, lstm, gru).",
                             "The link's epochs=9999 was ignored (expected 1 to 100)."]
    reloaded.number_input(key="train-units").set_value(32).run()  # back to the preset's value: out of the URL
    assert "units" not in reloaded.query_params and reloaded.query_params["preset"] == "quick"
    # (Other pages drop the form from the URL in app.py; AppTest runs a page on its own, so the browser test checks that.)
