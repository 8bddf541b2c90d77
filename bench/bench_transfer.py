"""Transfer from a saved run, with proof that no stage saw the test texts → bench/results/transfer.json.

Targets: ``amazon-snippets`` (2,520 training texts; the dataset where the RNN
trails the tuned baselines most) and ``movie-snippets`` (where it trails NB-SVM
and misses the 80 % target), one source run per target. The bundled default model cannot be the source:
it trained on ``everyday-sentiment``, which contains amazon-snippets' test texts
(the script counts how many). So the source is trained here with the
``default-sentiment`` recipe on everyday-sentiment's train and validation parts
**minus every text of amazon-snippets' validation and test parts** (compared as
:func:`rnnclf.data.splits.text_keys`), and the script checks with
``texts_seen`` that the fine-tuned model never saw a test text before scoring.

The fine-tuning learning rate is chosen on amazon-snippets' validation part
(seed 0), then seeds 0–2 are reported, next to training from scratch (the
accuracy benchmark's configuration, BENCHMARKS.md section 4) and the tuned
baselines (section 5), all on the same split. The transfer uses the source's
35k labelled texts, so the baselines get the same courtesy: each is also tuned
and fitted on the source's texts plus amazon-snippets' train part (features and
C chosen on amazon-snippets' validation part) and scored on the same test part.
Finished fine-tuning runs are kept in the JSON; ``--force`` trains them again.

    nohup .venv/bin/python bench/bench_transfer.py > /tmp/bench_transfer.log 2>&1 &
    .venv/bin/python bench/bench_transfer.py --targets movie-snippets
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import RESULTS_DIR, write_result  # noqa: E402

from rnnclf.classifier import RNNTextClassifier, load_run, transfer_settings  # noqa: E402
from rnnclf.data.datasets import fetch, is_fetched  # noqa: E402
from rnnclf.data.sources import load_labelled_split  # noqa: E402
from rnnclf.data.splits import text_keys  # noqa: E402
from rnnclf.experiments.presets import PRESETS  # noqa: E402
from rnnclf.store import RunStore  # noqa: E402

TARGETS, SOURCE_DATA = ("amazon-snippets", "movie-snippets"), "everyday-sentiment"
# Training settings for fine-tuning, as in the accuracy benchmark; the learning rate is chosen on validation.
FINE_TUNE = {"dropout": 0.5, "batch_size": 64, "epochs": 20, "patience": 3}
LEARNING_RATES = (2e-3, 5e-4)
SEEDS = (0, 1, 2)


def _texts_labels(frame):
    return frame["text"].tolist(), frame["label"].tolist()


def _seen_in(texts: list[str], reference: list[str]):
    """For each of ``texts``: is it (as :func:`text_keys` compares) among ``reference``?"""
    import numpy as np

    return np.isin(text_keys(texts), text_keys(reference))


def _source_parts(target_split):
    """Everyday-sentiment's split, and its train and validation parts minus the target's validation and test texts."""
    split, _ = load_labelled_split(dataset=SOURCE_DATA)
    held_back = target_split.validation["text"].tolist() + target_split.test["text"].tolist()
    train, validation = (part[~_seen_in(part["text"].tolist(), held_back)] for part in (split.train, split.validation))
    return split, train, validation


def source_training_texts(target_split) -> tuple[list[str], list]:
    """What the source saw: its train and validation texts (and labels) together."""
    import pandas as pd

    _, train, validation = _source_parts(target_split)
    return _texts_labels(pd.concat([train, validation], ignore_index=True))


def source_run_name(target: str) -> str:
    return f"transfer-source-without-{target}-eval"


def source_run(target_name: str, target_split, payload: dict) -> RNNTextClassifier:
    """The source run, trained once (kept in the run store) without any of the target's evaluation texts."""
    store = RunStore()
    run_name = source_run_name(target_name)
    if store.exists(run_name):
        return load_run(run_name)
    split, train, validation = _source_parts(target_split)
    payload["source_data"] = {"dataset": SOURCE_DATA, "fingerprint": split.fingerprint,
                              "removed": {"train": len(split.train) - len(train), "validation": len(split.validation) - len(validation)},
                              "kept": {"train": len(train), "validation": len(validation)}}
    print(f"source data: removed {payload['source_data']['removed']} texts of {target_name}'s validation/test parts", flush=True)
    source = RNNTextClassifier(**PRESETS["default-sentiment"]["params"]).fit(
        *_texts_labels(train), validation_data=_texts_labels(validation))
    store.save(source, run_name, dataset={"name": SOURCE_DATA, "fingerprint": split.fingerprint,
                                         "note": f"minus {target_name}'s validation and test texts"})
    return load_run(run_name)


def courtesy_baselines(target, source_texts: list[str], source_labels: list) -> dict:
    """The tuned baselines fitted on the source's texts plus the target's train part (chosen on the target's validation)."""
    from types import SimpleNamespace

    import pandas as pd

    from rnnclf.baseline import run_baselines

    train = pd.concat([pd.DataFrame({"text": source_texts, "label": source_labels}), target.train[["text", "label"]]],
                      ignore_index=True)
    widened = SimpleNamespace(train=train, validation=target.validation, test=target.test, fingerprint=target.fingerprint)
    keep = ("accuracy", "validation_accuracy", "chosen", "model", "fit_seconds", "train_size")
    return {name: {key: result[key] for key in keep} for name, result in run_baselines(widened).items()}


def run_target(target_name: str, previous: dict, force: bool) -> dict:
    """Source, leakage checks, fine-tuning and baselines for one target dataset."""
    for name in (target_name, SOURCE_DATA):
        if not is_fetched(name):
            fetch(name)
    target, source_info = load_labelled_split(dataset=target_name)
    payload = {"target": target_name, "fingerprint": target.fingerprint, "sizes": source_info["sizes"]}
    test_texts, test_labels = _texts_labels(target.test)

    # The bundled default model's data: how many of the target's test texts it trained on.
    everyday, _ = load_labelled_split(dataset=SOURCE_DATA)
    default_seen = _seen_in(everyday.train["text"].tolist() + everyday.validation["text"].tolist(), test_texts)
    payload["default_model_saw_test_texts"] = int(default_seen.sum())
    print(f"the default model trained on {payload['default_model_saw_test_texts']} of {target_name}'s {len(test_texts)} test texts", flush=True)

    source = source_run(target_name, target, payload)
    payload["source"] = {"run": source_run_name(target_name), "seen_texts": int(len(source.seen_text_keys_)),
                         "test_texts_seen": int(source.texts_seen(test_texts).sum()),
                         "validation_texts_seen": int(source.texts_seen(target.validation["text"].tolist()).sum())}
    assert payload["source"]["test_texts_seen"] == 0, "the source saw test texts: the measurement would leak"
    settings = transfer_settings(source.run_path_)

    def fine_tune(learning_rate: float, seed: int) -> dict:
        classifier = RNNTextClassifier(**settings, **FINE_TUNE, learning_rate=learning_rate, seed=seed)
        classifier.fit(*_texts_labels(target.train), validation_data=_texts_labels(target.validation))
        seen = int(classifier.texts_seen(test_texts).sum())
        assert seen == 0, f"{seen} test texts were seen in training"
        return {"learning_rate": learning_rate, "seed": seed, "test_texts_seen": seen,
                "validation_accuracy": classifier.evaluate(*_texts_labels(target.validation))["accuracy"],
                "test_accuracy": classifier.evaluate(test_texts, test_labels)["accuracy"],
                "best_epoch": classifier.best_epoch_, "training_seconds": classifier.training_seconds_}

    if not force and previous.get("fingerprint") == target.fingerprint and previous.get("fine_tune") == FINE_TUNE and previous.get("runs"):
        choice, runs = previous["learning_rate_choice"], previous["runs"]
        chosen = max(choice, key=lambda row: row["validation_accuracy"])
        print("fine-tuning runs: cached", flush=True)
    else:
        choice = [fine_tune(rate, 0) for rate in LEARNING_RATES]
        chosen = max(choice, key=lambda row: row["validation_accuracy"])
        runs = [chosen] + [fine_tune(chosen["learning_rate"], seed) for seed in SEEDS[1:]]
    for row in choice:
        print(f"lr {row['learning_rate']:g} seed 0: validation {row['validation_accuracy']:.4f} test {row['test_accuracy']:.4f}", flush=True)
    for row in runs[1:]:
        print(f"lr {row['learning_rate']:g} seed {row['seed']}: test {row['test_accuracy']:.4f}", flush=True)
    accuracies = [row["test_accuracy"] for row in runs]
    payload.update(fine_tune=FINE_TUNE, learning_rate_choice=choice, chosen_learning_rate=chosen["learning_rate"], runs=runs,
                   transfer={"mean": statistics.fmean(accuracies), "std": statistics.stdev(accuracies), "n": len(accuracies)})

    # The same split's other results, read (never re-typed) from the accuracy and baseline benchmarks.
    accuracy = json.loads((RESULTS_DIR / "accuracy.json").read_text(encoding="utf-8"))["rows"].get(target_name, {})
    baselines = json.loads((RESULTS_DIR / "baselines.json").read_text(encoding="utf-8"))["rows"].get(target_name, {})
    if accuracy.get("fingerprint") == target.fingerprint and "reference_last_state" in accuracy:
        payload["from_scratch"] = {key: accuracy["reference_last_state"][key] for key in ("mean", "std", "n")}
    if baselines.get("fingerprint") == target.fingerprint:
        payload["baselines"] = {name: baselines[name]["accuracy"] for name in ("tfidf-logreg", "nbsvm")}
    payload["baselines_with_source_data"] = courtesy_baselines(target, *source_training_texts(target))
    for name, row in payload["baselines_with_source_data"].items():
        print(f"{name} on source texts + train: test {row['accuracy']:.4f} ({row['model']})", flush=True)
    if "source_data" not in payload and "source_data" in previous:
        payload["source_data"] = previous["source_data"]
    print(f"{target_name} transfer: {payload['transfer']['mean']:.4f} ± {payload['transfer']['std']:.4f}", flush=True)
    return payload


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated target datasets")
    parser.add_argument("--force", action="store_true", help="retrain fine-tuning runs already in the results")
    args = parser.parse_args()
    path = RESULTS_DIR / "transfer.json"
    stored = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    rows = stored.get("rows", {})
    for name in args.targets.split(","):
        rows[name] = run_target(name, rows.get(name, {}), args.force)
        write_result("transfer", {"rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
