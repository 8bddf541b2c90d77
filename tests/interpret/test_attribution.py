"""Attribution, trajectory and faithfulness on tiny models trained on the marker-word task."""

import json

import numpy as np
import pytest

from rnnclf.interpret.attribution import (
    METHODS,
    attribute_ids,
    explain,
    resolve_method,
    resolve_target,
)
from rnnclf.interpret.engine import compiled_functions
from rnnclf.interpret.insight import deletion_curve, faithfulness, prediction_trajectory
from tests.conftest import MARKERS, TINY_PARAMS, marker_texts

THREE_CLASSES = ("negative", "neutral", "positive")


@pytest.fixture(scope="module")
def three_class_lstm():
    texts, labels = marker_texts(360, classes=THREE_CLASSES, seed=11)
    from rnnclf.classifier import RNNTextClassifier

    return RNNTextClassifier(cell_type="lstm", **TINY_PARAMS).fit(texts, labels)


@pytest.fixture(scope="module")
def test_texts():
    texts, _ = marker_texts(12, seed=21)
    return texts


def _untrained(**params):
    """A fitted-but-barely-trained classifier: enough for exactness tests, cheap to make."""
    from rnnclf.classifier import RNNTextClassifier

    texts, labels = marker_texts(64, seed=3)
    return RNNTextClassifier(**{**TINY_PARAMS, "epochs": 1, "patience": None, **params}).fit(texts, labels)


@pytest.mark.parametrize("model", ["trained_gru", "three_class_lstm"])
def test_integrated_gradients_is_complete_at_50_steps(model, request):
    classifier = request.getfixturevalue(model)
    classes = THREE_CLASSES if model == "three_class_lstm" else ("negative", "positive")
    texts, _ = marker_texts(12, classes=classes, seed=31)
    for text in texts:
        explanation = explain(classifier, text)
        completeness = explanation.completeness
        assert explanation.options["steps"] == 50
        assert completeness["attribution_sum"] == pytest.approx(sum(explanation.scores), abs=1e-9)
        assert abs(completeness["prediction_difference"]) > 0.1  # the test is meaningful only if f moved
        assert completeness["relative_error"] < 0.05, (text, completeness)
        assert completeness["converged"] is True


def test_a_path_the_steps_cannot_resolve_is_flagged(trained_gru):
    # One uniform trapezoid step over a saturated model misses the jump of f.
    explanation = explain(trained_gru, "a film blorp day", steps=1, schedule="uniform")
    assert explanation.completeness["relative_error"] > 0.05
    assert explanation.completeness["converged"] is False


@pytest.mark.parametrize("baseline", ["zero", "unk"])
def test_other_baselines_are_complete_too(trained_gru, test_texts, baseline):
    for text in test_texts[:4]:
        explanation = explain(trained_gru, text, "ig", baseline=baseline)
        assert explanation.options["baseline"] == baseline
        completeness = explanation.completeness
        assert completeness["absolute_error"] < 0.05 * max(abs(completeness["prediction_difference"]), 0.1)


def test_marker_word_gets_the_largest_score(trained_gru, test_texts):
    # The binary model learned "positive unless blorp": filler words carry real
    # (small) evidence for positive, so the clean check is the negative marker.
    negative = [text for text in test_texts if MARKERS["negative"] in text.split()][:3]
    for method in ("ig", "occlusion", "lime"):
        for text in negative:
            explanation = explain(trained_gru, text, method)
            assert explanation.predicted == "negative"
            assert explanation.tokens[int(np.argmax(explanation.scores))] == MARKERS["negative"], (method, text)


def test_occlusion_equals_probability_drops_from_predict_proba(trained_gru, test_texts):
    text = test_texts[0]
    explanation = explain(trained_gru, text, method="occlusion")
    words = text.split()
    assert explanation.tokens == words
    column = explanation.target_index
    original = trained_gru.predict_proba([text])[0, column]
    # A word the vocabulary has never seen encodes to the OOV id, like occlusion's replacement.
    occluded = [" ".join(words[:i] + ["qqqunseenqqq"] + words[i + 1 :]) for i in range(len(words))]
    drops = original - trained_gru.predict_proba(occluded)[:, column]
    np.testing.assert_allclose(explanation.scores, drops, atol=1e-6)


@pytest.mark.parametrize("method", METHODS)
def test_padding_gets_no_score_and_changes_nothing(trained_gru, method):
    text = "the film zing was"
    explanation = explain(trained_gru, text, method)
    assert len(explanation.scores) == len(explanation.tokens) == 4
    ids = explanation.token_ids
    wide, _ = attribute_ids(trained_gru, ids, explanation.target_index, method, width=64)
    assert wide.shape == (64,)
    assert np.all(wide[len(ids) :] == 0.0)
    np.testing.assert_allclose(wide[: len(ids)], explanation.scores, atol=2e-5)


def test_explaining_inside_a_long_batch_changes_nothing(trained_gru):
    short = "the zing movie"
    alone = explain(trained_gru, short)
    # Warm other lengths through the same compiled paths first: nothing may leak between calls.
    explain(trained_gru, " ".join(["day"] * 40) + " blorp")
    again = explain(trained_gru, short)
    np.testing.assert_allclose(alone.scores, again.scores, atol=1e-6)
    batch_probabilities = trained_gru.predict_proba(["day " * 60 + "blorp", short, "the film was " * 20])[1]
    np.testing.assert_allclose(list(alone.probabilities.values()), batch_probabilities, atol=1e-5)


def test_any_class_can_be_the_target(three_class_lstm):
    text = "the movie zing was a day"
    predicted = explain(three_class_lstm, text)
    assert predicted.target == predicted.predicted == "positive"
    assert sum(predicted.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    for label in ("negative", "neutral"):
        other = explain(three_class_lstm, text, target=label)
        assert other.target == label and other.target_index == THREE_CLASSES.index(label)
        assert other.completeness["relative_error"] < 0.05
        # The marker of another class pulls probability away from this one.
        assert other.scores[other.tokens.index("zing")] < 0
        occlusion = explain(three_class_lstm, text, "occlusion", target=label)
        assert occlusion.scores[occlusion.tokens.index("zing")] < 0


def test_target_matches_labels_by_their_string_form():
    class Fitted:
        classes_ = np.array([0, 1, 2], dtype=object)

    assert resolve_target(Fitted(), "2", np.array([0.5, 0.3, 0.2])) == 2
    assert resolve_target(Fitted(), None, np.array([0.1, 0.6, 0.3])) == 1
    with pytest.raises(ValueError, match=r"Unknown target class 'sports'; expected one of '0', '1', '2'"):
        resolve_target(Fitted(), "sports", np.array([0.5, 0.3, 0.2]))


def test_lime_is_reproducible_with_a_seed(trained_gru, test_texts):
    text = test_texts[1]
    first = explain(trained_gru, text, "lime", samples=300, seed=7)
    second = explain(trained_gru, text, "lime", samples=300, seed=7)
    third = explain(trained_gru, text, "lime", samples=300, seed=8)
    assert first.scores == second.scores
    assert first.scores != third.scores
    assert first.options == {"samples": 300, "seed": 7, "kernel_width": 0.25, "alpha": 1.0}
    assert 0.0 <= first.details["score"] <= 1.0


def test_gradient_methods(trained_gru):
    text = "a zing day"
    norms = explain(trained_gru, text, "gradient_norm")
    times_input = explain(trained_gru, text, "gradxinput")
    assert times_input.method == "gradient_x_input" and len(times_input.scores) == 3
    assert all(score >= 0 for score in norms.scores) and max(norms.scores) > 0


def test_ig_of_a_faithful_model_beats_random_deletion(trained_gru, test_texts):
    summary = faithfulness(trained_gru, test_texts[:8], "ig", random_orders=5, seed=0)
    assert summary["texts"] == 8 and summary["method"] == "integrated_gradients"
    assert summary["aopc"] > summary["random_aopc"] + 0.1
    assert summary["wins"] >= 0.75


def test_deletion_curve_shape_and_aopc(trained_gru):
    curve = deletion_curve(trained_gru, "the zing movie was", "occlusion", random_orders=4, seed=1)
    predicted = trained_gru.predict_proba(["the zing movie was"])[0, 1]
    assert curve.target == "positive" and curve.order[0] == 1  # "zing" goes first
    assert len(curve.probabilities) == len(curve.random_probabilities) == 5
    assert curve.probabilities[0] == pytest.approx(predicted, abs=1e-6)
    # With every token removed both curves hold the same all-OOV text.
    assert curve.probabilities[-1] == pytest.approx(curve.random_probabilities[-1], abs=1e-6)
    expected = np.mean(curve.probabilities[0] - np.array(curve.probabilities))
    assert curve.aopc == pytest.approx(expected)
    assert json.loads(json.dumps(curve.to_dict()))["order"] == curve.order
    again = deletion_curve(trained_gru, explain(trained_gru, "the zing movie was", "occlusion"), random_orders=4, seed=1)
    assert again.random_probabilities == curve.random_probabilities


def test_text_beyond_max_length_reports_dropped_tokens(trained_gru):
    limit = trained_gru.encoder_.max_length_
    words = [f"w{i}" for i in range(limit + 5)]
    explanation = explain(trained_gru, " ".join(words), "occlusion")
    assert explanation.tokens == words[:limit]
    assert explanation.dropped_tokens == words[limit:]
    assert explanation.truncated and len(explanation.scores) == limit
    assert explanation.to_dict()["dropped_tokens"] == words[limit:]


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_is_a_clear_error(trained_gru, text):
    with pytest.raises(ValueError, match="empty text"):
        explain(trained_gru, text)
    with pytest.raises(ValueError, match="empty text"):
        prediction_trajectory(trained_gru, text)


def test_bad_method_option_and_target_are_clear_errors(trained_gru):
    with pytest.raises(ValueError, match="expected one of 'integrated_gradients'"):
        explain(trained_gru, "zing", method="shap")
    with pytest.raises(ValueError, match="takes no option.*steps"):
        explain(trained_gru, "zing", method="occlusion", steps=10)
    with pytest.raises(ValueError, match="baseline='mean'"):
        explain(trained_gru, "zing", baseline="mean")
    with pytest.raises(ValueError, match="Unknown target class 'neutral'"):
        explain(trained_gru, "zing", target="neutral")
    assert resolve_method("IG") == "integrated_gradients" and resolve_method("leave-one-out") == "occlusion"


def test_to_dict_is_json_safe(three_class_lstm):
    payload = json.loads(json.dumps(explain(three_class_lstm, "meh film", "ig").to_dict()))
    assert set(payload["probabilities"]) == set(THREE_CLASSES)
    assert payload["completeness"]["relative_error"] >= 0 and payload["method"] == "integrated_gradients"
    assert "completeness" not in explain(three_class_lstm, "meh film", "occlusion").to_dict()


def test_compiled_paths_are_cached_and_never_retraced_per_length(trained_gru):
    functions = compiled_functions(trained_gru)
    assert compiled_functions(trained_gru) is functions
    for length in (3, 11, 29, 40):
        explain(trained_gru, " ".join(["film"] * (length - 1) + ["zing"]))
        explain(trained_gru, " ".join(["film"] * (length - 1) + ["zing"]), "gradxinput")
    assert functions.integrated_gradients.experimental_get_tracing_count() == 1
    assert functions.path_probabilities.experimental_get_tracing_count() == 1
    assert functions.gradients.experimental_get_tracing_count() == 1


@pytest.mark.parametrize("params", [{"cell_type": "gru"}, {"cell_type": "lstm", "num_layers": 2}, {"cell_type": "rnn", "bidirectional": True}])
def test_trajectory_equals_predicting_each_prefix(params, request):
    classifier = request.getfixturevalue("trained_gru") if params == {"cell_type": "gru"} else _untrained(**params)
    text = "the film zing was a day of music"
    trajectory = prediction_trajectory(classifier, text)
    words = text.split()
    prefixes = classifier.predict_proba([" ".join(words[: end + 1]) for end in range(len(words))])
    np.testing.assert_allclose(trajectory.probabilities, prefixes, atol=1e-5)
    assert trajectory.method == ("prefixes" if params.get("bidirectional") else "one_pass")
    assert trajectory.tokens == words and trajectory.classes == ["negative", "positive"]
    assert json.loads(json.dumps(trajectory.to_dict()))["method"] == trajectory.method
