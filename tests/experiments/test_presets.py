"""Presets name only settings the classifier accepts and data that exists."""

import pytest

from rnnclf.classifier import RNNTextClassifier
from rnnclf.data.corpora import DATASETS
from rnnclf.experiments.presets import PRESETS, get_preset


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_a_valid_classifier_for_an_existing_dataset(name):
    preset = PRESETS[name]
    classifier = RNNTextClassifier(**preset["params"])
    classifier._validate_params()
    assert classifier.get_params()["cell_type"] == preset["params"]["cell_type"]
    assert preset.get("dataset") is None or preset["dataset"] in DATASETS


def test_the_chinese_default_is_the_candidate_with_the_best_validation_accuracy():
    """The preset holds what bench/bench_chinese.py chose, and it chose on validation (never on test)."""
    import json
    from pathlib import Path

    results = json.loads((Path(__file__).resolve().parents[2] / "bench" / "results" / "chinese.json").read_text(encoding="utf-8"))
    candidates = results["candidates"]
    best_on_validation = max(candidates, key=lambda name: candidates[name]["validation_accuracy"])
    assert results["chosen"]["candidate"] == best_on_validation and results["chosen"]["preset_matches"]
    preset = get_preset("default-sentiment-zh")
    assert {key: value for key, value in preset["params"].items() if key != "seed"} == candidates[best_on_validation]["params"]
    assert preset["dataset"] == "chinese-reviews" == results["dataset"]


def test_an_unknown_preset_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown preset\. Received: preset='fast'; expected one of 'quick', 'balanced'"):
        get_preset("fast")
