"""Names the docstring examples may use (``pytest --doctest-modules rnnclf``).

Examples that explain or measure a model read ``classifier`` (a small GRU
trained on the marker-word task of ``tests/conftest.py``: "zing" means
positive, "blorp" negative), ``texts`` and ``labels``. It is trained once per
session, and only when an example asks for it.
"""

from __future__ import annotations

import pytest
from _pytest.doctest import DoctestItem

_NAMES = ("classifier", "texts", "labels")


@pytest.fixture(scope="session")
def _example_model():
    from rnnclf.classifier import RNNTextClassifier
    from tests.conftest import TINY_PARAMS, marker_texts

    texts, labels = marker_texts(320, seed=1)
    return RNNTextClassifier(cell_type="gru", **TINY_PARAMS).fit(texts, labels), texts, labels


@pytest.fixture(autouse=True)
def _example_names(request, doctest_namespace):
    if not isinstance(request.node, DoctestItem):
        return
    sources = " ".join(example.source for example in request.node.dtest.examples)
    if any(name in sources for name in _NAMES):
        doctest_namespace.update(zip(_NAMES, request.getfixturevalue("_example_model")))
