"""The scikit-learn contract, for a classifier whose input is a list of strings.

sklearn's ``check_estimator`` feeds numeric 2-D arrays, so for an estimator that
declares string input (``__sklearn_tags__``) it runs none of its data checks
(it warns "Can't test estimator ... which requires input of type ..."). We run
the checks that need no data directly, and the data checks that matter for a
text classifier as text versions below:

- run as-is: cloneable, tags renamed / valid types, repr, no attributes set in
  ``__init__``, no errors in ``__init__``/``set_params``, mixin order, default
  constructible, get_params invariance, set_params, unfitted estimators refuse to predict.
- rewritten for text: fit returns self, fit does not change parameters, fit is
  idempotent, predict does not change the estimator's state, sample order and subset
  invariance, classes_ order and probability columns, one class / continuous /
  multi-output / missing / empty targets refused, pickle and deepcopy round trips.
- skipped (numeric input only): n_features_in_, dtypes, sparse matrices, NaN/inf in X,
  readonly memmaps, array API, pandas output, sample weights (``fit`` takes ``class_weight``).
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks as checks

from rnnclf.classifier import RNNTextClassifier
from rnnclf.errors import InputError, InvalidParameterError
from tests.conftest import TINY_PARAMS, marker_texts

DATA_FREE_CHECKS = [
    checks.check_estimator_cloneable,
    checks.check_estimator_tags_renamed,
    checks.check_valid_tag_types,
    checks.check_estimator_repr,
    checks.check_no_attributes_set_in_init,
    checks.check_do_not_raise_errors_in_init_or_set_params,
    checks.check_mixin_order,
    checks.check_parameters_default_constructible,
    checks.check_get_params_invariance,
    checks.check_set_params,
    checks.check_estimators_unfitted,
]


@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda check: check.__name__)
def test_sklearn_checks_that_need_no_numeric_data(check):
    check("RNNTextClassifier", RNNTextClassifier())


def test_sklearn_check_estimator_has_nothing_numeric_to_run_and_says_so():
    from sklearn.exceptions import SkipTestWarning

    with pytest.warns(SkipTestWarning, match="requires input"):
        assert list(checks._yield_all_checks(RNNTextClassifier(), legacy=True)) == []


def test_the_parameter_table_names_every_parameter_and_the_registries_keys():
    from rnnclf.data.embeddings import PRETRAINED_EMBEDDINGS
    from rnnclf.models import CELL_TYPES, POOLINGS
    from rnnclf.text import TOKENIZERS

    constraints = RNNTextClassifier._parameter_constraints
    assert set(constraints) == set(RNNTextClassifier().get_params())
    assert constraints["cell_type"].values == tuple(CELL_TYPES)
    assert constraints["pooling"].values == tuple(POOLINGS)
    assert constraints["tokenizer"].values == tuple(TOKENIZERS)
    assert constraints["pretrained_embeddings"].inner.values == tuple(PRETRAINED_EMBEDDINGS)
    RNNTextClassifier()._validate_params()  # the defaults pass their own table


def test_tags_declare_one_dimensional_string_input_and_required_labels():
    tags = RNNTextClassifier().__sklearn_tags__()
    assert tags.input_tags.string and tags.input_tags.one_d_array and not tags.input_tags.two_d_array
    assert tags.target_tags.required and tags.estimator_type == "classifier"


@pytest.mark.parametrize(
    "parameter, value, allowed",
    [
        ("epochs", -1, "an int >= 1"),
        ("epochs", 2.5, "an int >= 1"),
        ("batch_size", 0, "an int >= 1"),
        ("learning_rate", -0.1, "a float in the range (0, inf)"),
        ("learning_rate", float("nan"), "a float in the range (0, inf)"),
        ("dropout", 1.0, "a float in the range [0, 1)"),
        ("units", True, "an int >= 1"),
        ("cell_type", "rnnn", "one of 'rnn', 'lstm', 'gru'"),
        ("padding", "pre", "one of 'post'"),
        ("clipnorm", 0, "None or a float in the range (0, inf)"),
        ("patience", -1, "None or an int >= 0"),
        ("class_weight", "balance", "one of None, 'balanced' or a dict"),
        ("tokenizer", "jieba-typo", "one of 'tweet', 'treebank', 'regexp', 'jieba', 'char'"),
        ("max_tokens", 2, "an int >= 3"),
        ("seed", -5, "an int in [0, 4294967295]"),
        ("pretrained_embeddings", "glove-42", "None or one of 'glove-6b-50d'"),
    ],
)
def test_invalid_parameters_are_refused_in_fit_naming_parameter_value_and_rule(parameter, value, allowed):
    classifier = RNNTextClassifier(**{parameter: value})  # __init__ only stores
    assert classifier.get_params()[parameter] is value
    expected = f"The {parameter!r} parameter of RNNTextClassifier must be {allowed}. Got {value!r} instead."
    with pytest.raises(InvalidParameterError) as raised:
        classifier.fit(["good film", "bad film"], ["pos", "neg"])
    assert str(raised.value) == expected
    assert isinstance(raised.value, ValueError) and not hasattr(classifier, "model_")


@pytest.mark.parametrize(
    "texts, labels, message",
    [
        ([], [], "fit needs at least 2 labelled texts (one per class at least); got 0."),
        (["fine"], ["pos"], "fit needs at least 2 labelled texts (one per class at least); got 1."),
        (["a b", "c d", "e f"], ["x", "x", "x"], "Training data has a single class ('x') and a classifier needs at least 2: check the label column."),
        (["a b", "c d", "e f"], [0.5, 1.25, 2.0], "Unknown label type: continuous. Labels must be classes (strings or integers), not continuous values: bin them into classes or use a regressor."),
        (["a b", "c d"], np.array([[0, 1], [1, 0]]), "Labels must be one class per text (a 1-D list); got shape (2, 2). RNNTextClassifier does not do multi-output or multi-label classification."),
        (["a b", "c d"], ["x"], "Got 2 texts but 1 labels: pass exactly one label per text."),
        (["a b", "c d", "e f"], ["x", None, "y"], "1 labels are missing (NaN/None) at positions 1: drop those rows or fill their labels."),
        ("one text", ["x"], "texts must be a list of strings, not one string: wrap it as [text]."),
        (["a b", 7], ["x", "y"], "texts must all be strings; item 1 is int (7). Drop or fill missing texts first."),
    ],
)
def test_unusable_training_data_is_refused_with_a_clear_message(texts, labels, message):
    with pytest.raises(InputError) as raised:
        RNNTextClassifier(epochs=1).fit(texts, labels)
    assert str(raised.value) == message


@pytest.fixture(scope="module")
def fitted():
    texts, labels = marker_texts(96, seed=3)
    return RNNTextClassifier(cell_type="gru", **dict(TINY_PARAMS, epochs=3)).fit(texts, labels)


@pytest.fixture(scope="module")
def probe_texts():
    return marker_texts(24, seed=4)[0]


def test_fit_returns_self_and_leaves_parameters_as_given():
    texts, labels = marker_texts(40, seed=5)
    classifier = RNNTextClassifier(cell_type="rnn", **dict(TINY_PARAMS, epochs=1))
    before = copy.deepcopy(classifier.get_params())
    assert classifier.fit(texts, labels) is classifier
    assert classifier.get_params() == before


def test_fit_is_idempotent_for_a_fixed_seed(probe_texts):
    texts, labels = marker_texts(64, seed=6)
    classifier = RNNTextClassifier(cell_type="gru", **dict(TINY_PARAMS, epochs=2))
    first = classifier.fit(texts, labels).predict_proba(probe_texts)
    second = classifier.fit(texts, labels).predict_proba(probe_texts)
    np.testing.assert_allclose(first, second, atol=1e-5)


def test_predicting_does_not_change_the_estimator(fitted, probe_texts):
    before = {key: value for key, value in fitted.__dict__.items() if key != "_inference"}
    weights = [weight.copy() for weight in fitted.model_.get_weights()]
    fitted.predict(probe_texts)
    fitted.predict_proba(probe_texts)
    after = {key: value for key, value in fitted.__dict__.items() if key != "_inference"}
    assert after.keys() == before.keys() and all(after[key] is before[key] for key in before)
    assert all(np.array_equal(a, b) for a, b in zip(weights, fitted.model_.get_weights()))


def test_sample_order_and_subset_invariance(fitted, probe_texts):
    everything = fitted.predict_proba(probe_texts)
    order = np.random.default_rng(0).permutation(len(probe_texts))
    np.testing.assert_allclose(fitted.predict_proba([probe_texts[i] for i in order]), everything[order], atol=1e-6)
    for start in range(0, len(probe_texts), 5):
        np.testing.assert_allclose(fitted.predict_proba(probe_texts[start : start + 5]), everything[start : start + 5], atol=1e-6)


def test_probability_columns_follow_sorted_classes_and_predict_is_their_argmax(fitted, probe_texts):
    probabilities = fitted.predict_proba(probe_texts)
    assert fitted.classes_.tolist() == ["negative", "positive"]
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    assert fitted.predict(probe_texts).tolist() == fitted.classes_[probabilities.argmax(axis=1)].tolist()


def test_integer_labels_come_back_as_integers():
    texts, labels = marker_texts(40, seed=7)
    numeric = [1 if label == "positive" else -1 for label in labels]
    classifier = RNNTextClassifier(cell_type="gru", **dict(TINY_PARAMS, epochs=1)).fit(texts, numeric)
    assert classifier.classes_.tolist() == [-1, 1] and classifier.predict(texts[:3]).dtype.kind == "i"


def test_unfitted_classifier_says_how_to_fit():
    with pytest.raises(NotFittedError, match=r"call fit\(texts, labels\) or load a run"):
        RNNTextClassifier().predict(["anything"])


@pytest.mark.parametrize("round_trip", [lambda c: pickle.loads(pickle.dumps(c)), copy.deepcopy], ids=["pickle", "deepcopy"])
def test_a_used_classifier_survives_pickle_and_deepcopy_and_predicts_the_same(fitted, probe_texts, round_trip):
    expected = fitted.predict_proba(probe_texts)  # builds the cached tf.function that used to break pickling
    copied = round_trip(fitted)
    assert copied is not fitted and copied.model_ is not fitted.model_
    np.testing.assert_allclose(copied.predict_proba(probe_texts), expected, atol=1e-6)
    assert copied.get_params() == fitted.get_params() and copied.classes_.tolist() == fitted.classes_.tolist()
    assert copied.encoder_.get_config() == fitted.encoder_.get_config() and copied.history_ == fitted.history_


def test_clone_gives_an_unfitted_twin_with_the_same_parameters(fitted):
    twin = clone(fitted)
    assert twin.get_params() == fitted.get_params() and not hasattr(twin, "model_")


def test_pickled_state_holds_a_keras_archive_not_tensorflow_objects(fitted):
    state = fitted.__getstate__()
    assert "_inference" not in state and isinstance(state["model_"], bytes) and state["model_"][:2] == b"PK"


def test_glove_width_is_recorded_as_the_embedding_size_really_used(monkeypatch):
    from rnnclf.data import embeddings

    def fake_matrix(vocabulary, name, seed, fetch):  # 12-wide vectors without fetching GloVe
        return np.random.default_rng(seed).normal(size=(len(vocabulary), 12)).astype("float32"), {"found": 0}

    monkeypatch.setattr(embeddings, "build_embedding_matrix", fake_matrix)
    texts, labels = marker_texts(40, seed=8)
    classifier = RNNTextClassifier(cell_type="gru", pretrained_embeddings="glove-6b-50d", **dict(TINY_PARAMS, epochs=1))
    classifier.fit(texts, labels)
    assert classifier.embedding_dim == 16 and classifier.embedding_dim_ == 12
    assert classifier.summary()["embedding_dim"] == 12
