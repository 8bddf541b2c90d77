"""After the warm-up, no explanation method traces anything on a person's first click."""

from rnnclf.interpret.analysis import METHOD_LABELS, analyze_text, warm_up_analysis
from rnnclf.interpret.engine import compiled_functions


def _tracing_counts(classifier) -> dict[str, int]:
    functions = compiled_functions(classifier)
    counts = {name: getattr(functions, name).experimental_get_tracing_count()
              for name in ("integrated_gradients", "path_probabilities", "gradients")}
    counts["inference"] = classifier.inference_function.experimental_get_tracing_count()
    counts.update({f"extra:{name}": function.experimental_get_tracing_count() for name, function in functions._extra.items()})
    return counts


def test_every_method_is_traced_by_the_warm_up_and_never_again(marker_data):
    from rnnclf.classifier import RNNTextClassifier
    from tests.conftest import TINY_PARAMS

    (texts, labels), _ = marker_data
    classifier = RNNTextClassifier(cell_type="lstm", **dict(TINY_PARAMS, epochs=1)).fit(texts[:64], labels[:64])
    seconds = warm_up_analysis(classifier)
    assert list(seconds) == list(METHOD_LABELS) and all(value > 0 for value in seconds.values())
    before = _tracing_counts(classifier)
    assert all(count >= 1 for count in before.values()), before
    for method in METHOD_LABELS:  # a person's clicks: other texts, other lengths
        analyze_text(classifier, "the zing movie was a long and quiet day at the park", method=method)
        analyze_text(classifier, "blorp", method=method)
    assert _tracing_counts(classifier) == before
