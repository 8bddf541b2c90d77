"""Word coverage and the warnings that say when an answer is a guess."""

from __future__ import annotations

import pytest

from rnnclf.coverage import LOW_COVERAGE, NO_KNOWN_WORDS, word_coverage
from rnnclf.encoding import TextEncoder

ENCODER = TextEncoder(max_length=20).fit(["good film", "bad film", "great acting"])


def report(text, languages=("latin",)):
    return word_coverage(ENCODER.encode(text), text, list(languages))


def test_counts_known_and_unknown_tokens_in_order_without_repeats():
    result = report("good qwzx film qwzx plorf")
    assert (result.known_tokens, result.total_tokens, result.coverage) == (2, 5, 0.4)
    assert result.unknown_tokens == ["qwzx", "plorf"]


def test_fully_known_text_has_no_warning():
    result = report("Good film")
    assert result.coverage == 1.0 and result.warnings == [] and not result.is_guess


def test_no_known_word_is_called_a_guess():
    result = report("qwzx plorf blarg")
    assert result.is_guess and result.warnings == [NO_KNOWN_WORDS]


@pytest.mark.parametrize("text, flagged", [("good qwzx plorf", True), ("good film qwzx", False), ("good qwzx", False)])
def test_low_coverage_threshold_is_half(text, flagged):
    result = report(text)
    assert LOW_COVERAGE == 0.5
    assert (result.coverage < 0.5) == flagged
    assert bool(result.warnings) == flagged
    if flagged:
        assert result.warnings == [
            f"The model knows only {result.known_tokens} of these {result.total_tokens} words ({result.coverage:.0%}): "
            "treat this answer with caution."
        ]


def test_foreign_language_is_named_in_a_warning():
    result = report("这部电影很好看")
    assert result.language == "zh" and result.warnings == [
        NO_KNOWN_WORDS,
        "This text looks Chinese, but the model was trained on Latin-script (English, …) texts: use a model trained on this language.",
    ]
    assert report("这部电影很好看", languages=()).warnings == [NO_KNOWN_WORDS]  # unknown training languages: no claim
    assert report("😀", languages=("zh",)).warnings == [NO_KNOWN_WORDS]  # no letters: no language to compare


def test_classifier_records_its_languages_and_every_answer_carries_coverage(trained_gru):
    assert trained_gru.languages_ == {"latin": 1.0} and trained_gru.model_languages == ["latin"]
    answer = trained_gru.predict_one("the zing movie qwzx")
    assert (answer["known_tokens"], answer["total_tokens"], answer["unknown_tokens"]) == (3, 4, ["qwzx"])
    assert answer["warnings"] == [] and answer["language"] == "latin"
    guess = trained_gru.predict_one("这个产品质量太差了")
    assert guess["known_tokens"] == 0 and guess["warnings"][0] == NO_KNOWN_WORDS


def test_runs_saved_before_languages_were_recorded_get_them_from_their_vocabulary(trained_gru, tmp_path):
    import json

    from rnnclf.classifier import load_run

    path = trained_gru.save(tmp_path / "old-run")
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    assert meta["languages"] == {"latin": 1.0}
    del meta["languages"]
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert load_run(path).model_languages == ["latin"]


def test_explanations_carry_coverage_and_warnings(trained_gru):
    from rnnclf.interpret.attribution import explain

    explanation = explain(trained_gru, "zing qwzx plorf blarg", method="occlusion")
    assert explanation.coverage["known_tokens"] == 1 and explanation.coverage["unknown_tokens"] == ["qwzx", "plorf", "blarg"]
    assert explanation.warnings == ["The model knows only 1 of these 4 words (25%): treat this answer with caution."]
    assert explanation.to_dict()["warnings"] == explanation.warnings


def test_answer_fields_are_every_field_but_the_models_languages():
    from dataclasses import asdict

    from rnnclf.coverage import WordCoverage

    report = WordCoverage(3, 4, 0.75, ["qwzx"], "latin", ["latin"], ["a warning"])
    expected = asdict(report)
    expected.pop("model_languages")
    assert report.answer_fields() == expected and list(report.answer_fields()) == list(expected)
    report.answer_fields()["unknown_tokens"].append("changed")
    assert report.unknown_tokens == ["qwzx"]  # an answer's lists are its own
