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


def test_the_chinese_default_reads_jieba_words_and_every_step():
    params = get_preset("default-sentiment-zh")["params"]
    assert (params["tokenizer"], params["pooling"]) == ("jieba", "max_mean")
    assert get_preset("default-sentiment-zh")["dataset"] == "chinese-reviews"


def test_an_unknown_preset_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown preset\. Received: preset='fast'; expected one of 'quick', 'balanced'"):
        get_preset("fast")
