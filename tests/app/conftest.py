"""Fixtures for Streamlit AppTest: a tiny saved model, and an app with it active."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TINY_PARAMS, marker_texts

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 120


@pytest.fixture(scope="session")
def tiny_run():
    """A small GRU trained on the marker task, saved in the session's run store as 'tiny-app'."""
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.store import RunStore

    store = RunStore()
    if not store.exists("tiny-app"):
        texts, labels = marker_texts(320, seed=1)
        classifier = RNNTextClassifier(cell_type="gru", **dict(TINY_PARAMS, epochs=10)).fit(texts, labels)
        test_texts, test_labels = marker_texts(60, seed=2)
        store.save(classifier, "tiny-app", metrics=classifier.evaluate(test_texts, test_labels),
                   dataset={"name": "marker-words", "fingerprint": "0" * 16})
    return "tiny-app"


def make_app(page: str | None = None, active: str | None = None):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if active is not None:
        app.session_state["active_model"] = active
    app.run()
    if page is not None:
        app.switch_page(page)
        app.run()
    assert not app.exception, app.exception
    return app


def texts_of(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


ZH_GOOD = ["质量很好", "非常满意", "很好用", "物流很快", "包装很好", "值得购买"]
ZH_BAD = ["质量太差", "非常失望", "不好用", "物流太慢", "包装破损", "不值得买"]


@pytest.fixture()
def bundled_models(tiny_run, tmp_path, monkeypatch):
    """Bundled models in a temporary place: the tiny English run as 'default' and a tiny Chinese one as 'default-zh'."""
    import shutil

    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.data import paths
    from rnnclf.store import RunStore

    shutil.copytree(RunStore().path(tiny_run), tmp_path / "default-sentiment")
    texts, labels = (ZH_GOOD + ZH_BAD) * 6, (["好评"] * 6 + ["差评"] * 6) * 6
    chinese = RNNTextClassifier(cell_type="gru", tokenizer="jieba", **dict(TINY_PARAMS, epochs=12)).fit(texts, labels)
    chinese.save(tmp_path / "default-sentiment-zh", metrics={"accuracy": 1.0})
    monkeypatch.setattr(paths, "_BUNDLED_PLACES", (tmp_path,))
    return tmp_path


def cell_run(cell_type: str, bidirectional: bool) -> str:
    """A tiny saved run of ``cell_type`` (uni- or bidirectional) on the marker task, trained once per session."""
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.store import RunStore

    name = f"tiny-{cell_type}-{'bi' if bidirectional else 'uni'}"
    store = RunStore()
    if not store.exists(name):
        texts, labels = marker_texts(240, seed=1)
        classifier = RNNTextClassifier(cell_type=cell_type, bidirectional=bidirectional,
                                       **dict(TINY_PARAMS, units=8, epochs=6)).fit(texts, labels)
        test_texts, test_labels = marker_texts(40, seed=2)
        store.save(classifier, name, metrics=classifier.evaluate(test_texts, test_labels),
                   dataset={"name": "marker-words", "fingerprint": "0" * 16})
    return name


CELL_RUNS = [(cell, bidirectional) for cell in ("rnn", "lstm", "gru") for bidirectional in (False, True)]
