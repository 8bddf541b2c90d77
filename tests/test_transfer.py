"""Starting from a saved run: weights carried over by token, a new head for new classes, and a record of every text seen."""

import numpy as np
import pytest

from rnnclf.classifier import RNNTextClassifier, load_run, transfer_settings
from rnnclf.data.splits import text_keys
from tests.conftest import TINY_PARAMS, marker_texts


@pytest.fixture(scope="module")
def source_run(tmp_path_factory, marker_data):
    """A GRU trained on the binary marker task, saved: the run a transfer starts from."""
    (texts, labels), _ = marker_data
    classifier = RNNTextClassifier(cell_type="gru", pooling="max_mean", **TINY_PARAMS).fit(texts, labels)
    return classifier.save(tmp_path_factory.mktemp("source") / "source"), classifier


def test_text_keys_ignore_case_and_spacing_like_deduplication():
    keys = text_keys(["A  zing movie", "a zing movie", "another text"])
    assert keys.dtype == np.uint64 and keys[0] == keys[1] != keys[2]


def test_every_fit_records_the_texts_it_saw_and_the_run_keeps_them(source_run, marker_data):
    path, source = source_run
    (texts, _), (test_texts, _) = marker_data
    assert source.texts_seen(texts).all()
    assert not source.texts_seen(["a sentence nobody trained on"]).any()
    assert np.array_equal(load_run(path).texts_seen(texts + test_texts), source.texts_seen(texts + test_texts))


def test_settings_of_a_run_are_what_a_transfer_must_share(source_run):
    path, source = source_run
    settings = transfer_settings(path)
    assert settings == {"cell_type": "gru", "units": 16, "num_layers": 1, "bidirectional": False, "pooling": "max_mean",
                        "embedding_dim": 16, "tokenizer": "tweet", "lowercase": True, "init_from": str(path)}


def test_a_transfer_carries_embeddings_by_token_and_the_recurrent_weights(source_run, marker_data):
    path, source = source_run
    (source_texts, _), (unseen_texts, _) = marker_data
    texts, labels = marker_texts(40, seed=5)
    texts = [text + " brandnewword" for text in texts]
    target = RNNTextClassifier(**{**TINY_PARAMS, **transfer_settings(path), "epochs": 1, "learning_rate": 1e-9})
    target.fit(texts, labels)
    # Source vocabulary first (same ids), then the new data's unseen tokens.
    assert target.encoder_.vocabulary_[: source.encoder_.vocabulary_size] == source.encoder_.vocabulary_
    assert target.encoder_.vocabulary_[source.encoder_.vocabulary_size:] == ["brandnewword"]
    source_rows = source.model_.get_layer("embedding").get_weights()[0]
    target_rows = target.model_.get_layer("embedding").get_weights()[0]
    np.testing.assert_allclose(target_rows[: len(source_rows)], source_rows, atol=1e-6)  # lr 1e-9: as copied
    for name in ("gru_0", "classes"):
        for mine, theirs in zip(target.model_.get_layer(name).get_weights(), source.model_.get_layer(name).get_weights()):
            np.testing.assert_allclose(mine, theirs, atol=1e-6)
    assert target.transfer_["embedding_rows_copied"] == source.encoder_.vocabulary_size
    assert target.transfer_["head"] == "copied (same classes)"
    # Same weights and same classes: the transfer answers like its source before any real training.
    sample = ["the zing day", "a blorp film"]
    np.testing.assert_allclose(target.predict_proba(sample), source.predict_proba(sample), atol=1e-4)
    # What the target saw includes what its source saw: a test set is checked against both stages.
    assert target.texts_seen(texts).all() and target.texts_seen(source_texts).all()
    fresh = [text for text in unseen_texts if text not in set(source_texts)]
    assert not target.texts_seen(fresh).any()
    assert target.summary()["transfer"]["from"] == str(path) and target.summary()["seen_texts"] == len(set(
        text_keys(texts + source_texts).tolist()))


def test_new_classes_get_a_new_head_and_still_learn(source_run):
    path, _ = source_run
    texts, labels = marker_texts(300, classes=("negative", "neutral", "positive"), seed=8)
    target = RNNTextClassifier(**{**TINY_PARAMS, **transfer_settings(path)}).fit(texts, labels)
    assert target.transfer_["head"] == "new (the classes differ)" and list(target.classes_) == ["negative", "neutral", "positive"]
    test_texts, test_labels = marker_texts(60, classes=("negative", "neutral", "positive"), seed=9)
    assert target.score(test_texts, test_labels) >= 0.9


def test_a_transfer_that_does_not_match_its_source_says_which_settings_differ(source_run):
    path, _ = source_run
    texts, labels = marker_texts(20, seed=3)
    settings = {**transfer_settings(path), "units": 32, "cell_type": "lstm"}
    with pytest.raises(ValueError, match=r"init_from=.* was trained with cell_type='gru', units=16; this classifier has "
                                         r"cell_type='lstm', units=32\. Use rnnclf\.transfer_settings\(run\)"):
        RNNTextClassifier(**settings).fit(texts, labels)
    with pytest.raises(ValueError, match=r"No run at .*no-such-run: list runs with `rnnclf runs list`\."):
        RNNTextClassifier(init_from="no-such-run").fit(texts, labels)
    with pytest.raises(ValueError, match="init_from and pretrained_embeddings exclude each other"):
        RNNTextClassifier(**transfer_settings(path), pretrained_embeddings="glove-6b-50d").fit(texts, labels)


@pytest.mark.parametrize("bundled", ["default", "default-zh"])
def test_settings_of_the_bundled_models_match_their_networks(bundled):
    """The English model predates the recorded width: its GloVe vectors fix it at 50, not params' 64."""
    from rnnclf.store import embedding_width

    model = load_run(bundled)
    settings = transfer_settings(bundled)
    assert settings["embedding_dim"] == embedding_width(model.model_)
    assert (settings["cell_type"], settings["units"], settings["bidirectional"]) == (
        model.cell_type, model.units, model.bidirectional)
    # Both record the texts they trained on, so a transfer from them can be checked for leakage.
    assert model.seen_text_keys_ is not None and len(model.seen_text_keys_) == len(set(model.seen_text_keys_.tolist()))
