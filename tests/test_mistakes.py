"""The mistakes browser's library: scores against a hand computation, filters, buckets, CSV, rebuilt test parts."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd
import pytest

from rnnclf.encoding import TextEncoder
from rnnclf.errors import InputError, RunError
from rnnclf.evaluation import accuracy_by_coverage, accuracy_by_length
from rnnclf.mistakes import (
    EXPORT_COLUMNS,
    accuracy_buckets,
    explain_rows,
    mistakes_csv,
    rebuild_test_part,
    score_test_part,
    score_texts,
    select_mistakes,
)
from tests.conftest import MARKERS

CLASSES = ["neg", "neu", "pos"]


class FixedAnswers:
    """A stand-in classifier that answers each text with the probabilities given for it: the model is not the point."""

    classes_ = np.array(CLASSES)
    class_names = CLASSES

    def __init__(self, answers: dict[str, list[float]]):
        self.encoder_ = TextEncoder(max_length=6).fit(["good film", "bad film", "great acting"])
        self._by_ids = {tuple(self.encoder_.encode(text).ids): probabilities for text, probabilities in answers.items()}
        self.calls = 0

    def predict_ids(self, sequences):
        self.calls += 1
        return np.array([self._by_ids[tuple(ids)] for ids in sequences], dtype="float32")


# text: (true label, probabilities of neg / neu / pos)
CASES = {
    "good film": ("pos", [0.1, 0.2, 0.7]),  # right
    "bad film": ("neg", [0.2, 0.1, 0.7]),  # wrong → pos, loss −log 0.2
    "great qwzx": ("pos", [0.6, 0.3, 0.1]),  # wrong → neg, loss −log 0.1, half known
    "acting plorf blarg": ("neu", [0.5, 0.05, 0.45]),  # wrong → neg, loss −log 0.05, a third known
    "good good good good good good good good": ("neg", [0.9, 0.05, 0.05]),  # right; 8 tokens, the model reads 6
    "film": ("neu", [0.0, 0.0, 1.0]),  # wrong → pos; p(true) = 0, so the loss is floored
}


@pytest.fixture()
def scores():
    classifier = FixedAnswers({text: probabilities for text, (_, probabilities) in CASES.items()})
    frame = score_texts(classifier, list(CASES), [label for label, _ in CASES.values()])
    assert classifier.calls == 1  # one batch, never one call per text
    return frame


def test_scores_match_a_hand_computation(scores):
    assert scores["predicted"].tolist() == ["pos", "pos", "neg", "neg", "neg", "pos"]
    assert scores["correct"].tolist() == [True, False, False, False, True, False]
    expected_loss = [-math.log(0.7), -math.log(0.2), -math.log(0.1), -math.log(0.05), -math.log(0.9), -math.log(1e-7)]
    assert scores["loss"].to_numpy() == pytest.approx(expected_loss, rel=1e-6)
    assert scores["true_probability"].to_numpy() == pytest.approx([0.7, 0.2, 0.1, 0.05, 0.9, 0.0], abs=1e-7)
    assert scores["tokens"].tolist() == [2, 2, 2, 3, 8, 1]  # counted before the 6-token limit cuts any
    assert scores["known_fraction"].to_numpy() == pytest.approx([1, 1, 0.5, 1 / 3, 1, 1])
    assert scores["unknown_tokens"].tolist() == ["", "", "qwzx", "plorf blarg", "", ""]
    assert scores[["p_neg", "p_neu", "p_pos"]].to_numpy() == pytest.approx(np.array([p for _, p in CASES.values()]))
    assert scores.index.name == "position" and scores.index.tolist() == list(range(6))


def test_mistakes_come_highest_loss_first(scores):
    mistakes = select_mistakes(scores)
    assert mistakes["text"].tolist() == ["film", "acting plorf blarg", "great qwzx", "bad film"]
    assert mistakes.index.tolist() == [5, 3, 2, 1]


def test_mistakes_filter_by_true_and_predicted_class(scores):
    assert select_mistakes(scores, true_class="pos")["text"].tolist() == ["great qwzx"]
    assert select_mistakes(scores, predicted_class="neg")["text"].tolist() == ["acting plorf blarg", "great qwzx"]
    assert select_mistakes(scores, true_class="neu", predicted_class="pos")["text"].tolist() == ["film"]
    assert select_mistakes(scores, true_class=["neg", "neu"])["text"].tolist() == ["film", "acting plorf blarg", "bad film"]
    assert select_mistakes(scores, predicted_class="neu").empty
    with pytest.raises(InputError, match=r"Unknown true class\(es\) \['happy'\]; expected some of \['neg', 'neu', 'pos'\]"):
        select_mistakes(scores, true_class="happy")


def test_buckets_add_up_and_equal_a_hand_computation(scores):
    buckets = accuracy_buckets(scores)
    assert buckets["length"] == [{"bucket": "0-9", "examples": 6, "accuracy": 2 / 6}]
    assert buckets["coverage"] == [
        {"bucket": "0-49%", "examples": 1, "accuracy": 0.0},  # a third known, wrong
        {"bucket": "50-74%", "examples": 1, "accuracy": 0.0},  # half known, wrong
        {"bucket": "100%", "examples": 4, "accuracy": 0.5},
    ]
    json.dumps(buckets)  # JSON-safe


def test_length_and_coverage_buckets_on_their_edges():
    lengths = [0, 9, 10, 19, 20, 39, 40, 79, 80, 500]
    correct = [True, False, True, True, False, False, True, True, True, False]
    assert accuracy_by_length(lengths, correct) == [
        {"bucket": "0-9", "examples": 2, "accuracy": 0.5},
        {"bucket": "10-19", "examples": 2, "accuracy": 1.0},
        {"bucket": "20-39", "examples": 2, "accuracy": 0.0},
        {"bucket": "40-79", "examples": 2, "accuracy": 1.0},
        {"bucket": "80+", "examples": 2, "accuracy": 0.5},
    ]
    fractions = [0.0, 0.4999, 0.5, 0.75, 0.8999, 0.9, 0.9999, 1.0]
    buckets = accuracy_by_coverage(fractions, [False, True, True, False, True, True, False, True])
    assert [(bucket["bucket"], bucket["examples"], bucket["accuracy"]) for bucket in buckets] == [
        ("0-49%", 2, 0.5), ("50-74%", 1, 1.0), ("75-89%", 2, 0.5), ("90-99%", 2, 0.5), ("100%", 1, 1.0)]
    with pytest.raises(InputError, match="between 0 and 1"):
        accuracy_by_coverage([1.5], [True])


def test_csv_round_trip_keeps_every_value():
    texts = ['he said "fine", then left', "line one\nline two", "NA", "好 film", "bad film"]
    classifier = FixedAnswers({text: [0.6, 0.1, 0.3] for text in texts})
    mistakes = select_mistakes(score_texts(classifier, texts, ["pos"] * len(texts)))
    text = mistakes_csv(mistakes)
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(back.columns) == [*EXPORT_COLUMNS, "p_neg", "p_neu", "p_pos"]
    assert back["text"].tolist() == mistakes["text"].tolist()
    assert back[["true", "predicted"]].values.tolist() == mistakes[["true", "predicted"]].values.tolist()
    for column in ("true_probability", "loss", "known_fraction", "p_neg"):
        assert back[column].to_numpy() == pytest.approx(mistakes[column].to_numpy(), rel=1e-12)
    assert back["tokens"].tolist() == mistakes["tokens"].tolist()


def test_score_texts_refuses_labels_the_model_does_not_have():
    classifier = FixedAnswers({"good film": [0.1, 0.2, 0.7]})
    with pytest.raises(InputError, match=r"Labels \['happy'\] are not classes of the model \['neg', 'neu', 'pos'\]"):
        score_texts(classifier, ["good film"], ["happy"])
    with pytest.raises(InputError, match="Got 1 texts but 2 labels"):
        score_texts(classifier, ["good film"], ["pos", "neg"])


def test_heat_strips_explain_the_rows_shown_towards_the_chosen_class(trained_gru):
    # Texts whose label disagrees with their marker: the model answers by the marker, so the marker is what made it wrong.
    texts = ["the film was zing and long", "a blorp day with music", "zing", "our story blorp then"]
    labels = ["negative", "positive", "negative", "positive"]
    mistakes = select_mistakes(score_texts(trained_gru, texts, labels))
    assert len(mistakes) == 4
    fast = explain_rows(trained_gru, mistakes)
    assert [(e.method, e.target, e.tokens) for e in fast] == [
        ("gradient_x_input", row["predicted"], row["text"].split()) for _, row in mistakes.iterrows()]
    # Occlusion measures each word directly: removing the marker is what moves the wrong answer most.
    for explanation, (_, row) in zip(explain_rows(trained_gru, mistakes, method="occlusion"), mistakes.iterrows()):
        assert max(zip(explanation.scores, explanation.tokens))[1] == MARKERS[row["predicted"]]
    towards_truth = explain_rows(trained_gru, mistakes, method="occlusion", target="true")
    assert [explanation.target for explanation in towards_truth] == mistakes["true"].tolist()
    assert all(min(zip(e.scores, e.tokens))[1] == MARKERS[row["predicted"]] for e, (_, row) in zip(towards_truth, mistakes.iterrows()))
    with pytest.raises(InputError, match="expected 'predicted' or 'true'"):
        explain_rows(trained_gru, mistakes, target="label")


# ------------------------------------------------------------------------------------- rebuilt test parts
def _run_directory(root, name: str, dataset: dict, **meta):
    """A run directory with only its meta.json: rebuilding a test part reads nothing else."""
    directory = root / name
    directory.mkdir(parents=True)
    payload = {"format": "rnnclf-run", "format_version": 1, "name": name, "params": {"seed": 0}, "dataset": dataset, **meta}
    (directory / "meta.json").write_text(json.dumps(payload), encoding="utf-8")
    return directory


def test_a_run_trained_on_a_csv_gets_its_exact_test_part_back(mistake_runs):
    from rnnclf.classifier import load_run
    from rnnclf.store import read_meta

    for name, directory in mistake_runs.items():
        meta = read_meta(directory)
        part = rebuild_test_part(name)
        assert part.fingerprint == meta["dataset"]["fingerprint"] and len(part.texts) == meta["dataset"]["sizes"]["test"]
        scores = score_test_part(load_run(name))
        # The run's own test accuracy, recorded when it was trained, is what the rebuilt part gives.
        assert scores["correct"].mean() == pytest.approx(meta["metrics"]["accuracy"])
        assert int((~scores["correct"]).sum()) == len(select_mistakes(scores)) > 0
        for key in ("length", "coverage"):
            assert sum(bucket["examples"] for bucket in accuracy_buckets(scores)[key]) == len(part.texts)


def test_a_run_whose_csv_changed_says_its_test_part_cannot_be_rebuilt(mistake_runs, tmp_path):
    import shutil

    from rnnclf.data.sources import load_labelled_split
    from rnnclf.store import read_meta

    meta = read_meta(mistake_runs["mistakes-rnn"])
    changed = tmp_path / "changed.csv"
    shutil.copy(meta["dataset"]["csv"], changed)
    with open(changed, "a", encoding="utf-8") as stream:
        stream.write("a brand new zing text,positive\n")
    directory = _run_directory(tmp_path / "runs", "changed-data", {**meta["dataset"], "csv": str(changed)})
    fingerprint = load_labelled_split(csv=changed, text_column="text", label_column="label")[0].fingerprint
    with pytest.raises(RunError) as caught:
        rebuild_test_part(directory)
    assert str(caught.value) == (
        f"The test part rebuilt from {changed} (fingerprint {fingerprint}) is not the one run 'changed-data' was scored on "
        f"(fingerprint {meta['dataset']['fingerprint']}): the data changed after the run was trained. Train the run again "
        "on the current data to browse its mistakes."
    )


def test_a_run_whose_csv_is_gone_says_so(tmp_path):
    gone = tmp_path / "gone.csv"
    directory = _run_directory(tmp_path, "csv-run", {"name": "gone", "csv": str(gone), "fingerprint": "0" * 16})
    with pytest.raises(RunError) as caught:
        rebuild_test_part(directory)
    assert str(caught.value) == (
        f"Run 'csv-run' was trained on {gone}, which is no longer there, so its test texts cannot be rebuilt. Put the "
        "file back at that path, or score the run on another labelled CSV with `rnnclf evaluate --model csv-run --csv FILE`."
    )


def test_a_run_without_a_known_source_says_so(tmp_path):
    directory = _run_directory(tmp_path, "tiny-app", {"name": "marker-words", "fingerprint": "0" * 16})
    with pytest.raises(RunError) as caught:
        rebuild_test_part(directory)
    assert str(caught.value) == (
        "Run 'tiny-app' does not record where its test texts came from (its data is called 'marker-words': neither a "
        "built-in dataset nor a CSV file), so its mistakes cannot be listed. Score it on a labelled CSV with "
        "`rnnclf evaluate --model tiny-app --csv FILE`."
    )


def test_the_bundled_model_without_its_dataset_says_what_to_fetch(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))  # a home where no dataset is fetched
    with pytest.raises(RunError) as caught:
        score_test_part("default")
    assert str(caught.value) == (
        "Run 'default' was tested on the built-in dataset 'everyday-sentiment', which is not fetched here, so its test "
        "texts cannot be rebuilt. Fetch it (`rnnclf datasets fetch everyday-sentiment`, or on the Datasets page) and try again."
    )


def test_a_run_without_a_fingerprint_is_refused(mistake_runs, tmp_path):
    from rnnclf.store import read_meta

    dataset = {key: value for key, value in read_meta(mistake_runs["mistakes-rnn"])["dataset"].items() if key != "fingerprint"}
    directory = _run_directory(tmp_path, "old-run", dataset)
    with pytest.raises(RunError, match="^Run 'old-run' records no fingerprint of its test texts"):
        rebuild_test_part(directory)


def test_a_classifier_not_loaded_from_a_run_is_refused(trained_gru):
    with pytest.raises(InputError, match="not loaded from a run"):
        score_test_part(trained_gru)


@pytest.mark.slow
def test_the_bundled_default_model_gets_its_recorded_accuracy_back():
    from rnnclf.data.datasets import is_fetched
    from rnnclf.store import read_meta, resolve_run

    if not is_fetched("everyday-sentiment"):
        pytest.skip("everyday-sentiment is not fetched in this RNNCLF_HOME (set RNNCLF_TEST_HOME to a home that has it)")
    meta = read_meta(resolve_run("default"))
    scores = score_test_part("default")
    assert len(scores) == meta["dataset"]["sizes"]["test"]
    assert scores["correct"].mean() == pytest.approx(meta["metrics"]["accuracy"])

