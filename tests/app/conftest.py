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
