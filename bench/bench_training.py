"""Benchmark 1 — training speed: rnnclf pipeline vs a tutorial-style reference.

Same data (a built-in dataset's seed-0 split), same model (build_model with the
same cell and sizes), same number of epochs, both without early stopping:

- reference: the pipeline many tutorials copy — lower-case, strip punctuation,
  split on spaces, keep the 20,000 most frequent words, pad every sequence to
  the longest text in the training set, `model.fit(x, y, batch_size=32)`;
- rnnclf: TweetTokenizer encoder, length-bucketed batches padded per batch
  (RNNTextClassifier defaults, batch 32).

Reported: median epoch seconds (epochs 2..n; epoch 1 includes tracing), first
epoch seconds, test accuracy after the last epoch, and the speed ratio.

    python bench/bench_training.py --datasets movie-snippets,sms-spam --cells lstm --epochs 4
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras  # noqa: E402
from common import write_result  # noqa: E402

from rnnclf import _keras_setup  # noqa: E402,F401
from rnnclf.classifier import RNNTextClassifier  # noqa: E402
from rnnclf.data.datasets import fetch, is_fetched, load_split  # noqa: E402
from rnnclf.models import build_model  # noqa: E402

# The filter list of the classic keras Tokenizer tutorials: punctuation is thrown away.
_PUNCTUATION = re.compile(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~\t\n]")


def tutorial_tokenize(text: str) -> list[str]:
    return _PUNCTUATION.sub(" ", text.lower()).split()


class EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._started)


def reference_run(split, cell: str, epochs: int, seed: int, sizes: dict) -> dict:
    keras.utils.set_random_seed(seed)
    train_tokens = [tutorial_tokenize(text) for text in split.train["text"]]
    counts = Counter(token for tokens in train_tokens for token in tokens)
    index = {token: position + 1 for position, (token, _) in enumerate(counts.most_common(19999))}

    def to_ids(tokens_list):
        return [[index[token] for token in tokens if token in index] for tokens in tokens_list]

    train_ids = to_ids(train_tokens)
    longest = max(len(ids) for ids in train_ids)
    x_train = keras.utils.pad_sequences(train_ids, maxlen=longest, padding="post")
    x_test = keras.utils.pad_sequences(to_ids([tutorial_tokenize(t) for t in split.test["text"]]), maxlen=longest, padding="post")
    classes = np.unique(split.train["label"].to_numpy())
    y_train = np.searchsorted(classes, split.train["label"].to_numpy())
    y_test = np.searchsorted(classes, split.test["label"].to_numpy())
    model = build_model(vocabulary_size=len(index) + 1, num_classes=len(classes), cell_type=cell, seed=seed, **sizes)
    timer = EpochTimer()
    model.fit(x_train, y_train, batch_size=32, epochs=epochs, callbacks=[timer], verbose=0)
    accuracy = float((model.predict(x_test, batch_size=256, verbose=0).argmax(1) == y_test).mean())
    return {"padded_length": int(longest), "epoch_seconds": timer.seconds, "test_accuracy": accuracy}


def rnnclf_run(split, cell: str, epochs: int, seed: int, sizes: dict) -> dict:
    classifier = RNNTextClassifier(cell_type=cell, epochs=epochs, patience=None, validation_fraction=0, seed=seed, **sizes)
    classifier.fit(split.train["text"].tolist(), split.train["label"].tolist())
    accuracy = classifier.score(split.test["text"].tolist(), split.test["label"].tolist())
    return {
        "max_length": classifier.encoder_.max_length_,
        "mean_length": classifier.encoder_.length_stats_["mean"],
        "epoch_seconds": classifier.epoch_seconds_,
        "test_accuracy": float(accuracy),
    }


def steady(seconds: list[float]) -> float:
    return statistics.median(seconds[1:] if len(seconds) > 1 else seconds)


def bench_dataset(name: str, cells: list[str], epochs: int, seed: int, sizes: dict) -> dict:
    if not is_fetched(name):
        fetch(name)
    split = load_split(name, seed=seed)
    rows = []
    for cell in cells:
        reference = reference_run(split, cell, epochs, seed, sizes)
        ours = rnnclf_run(split, cell, epochs, seed, sizes)
        row = {
            "cell": cell,
            "reference": reference,
            "rnnclf": ours,
            "reference_epoch_s": steady(reference["epoch_seconds"]),
            "rnnclf_epoch_s": steady(ours["epoch_seconds"]),
        }
        row["speedup"] = row["reference_epoch_s"] / row["rnnclf_epoch_s"]
        row["accuracy_delta"] = ours["test_accuracy"] - reference["test_accuracy"]
        rows.append(row)
        print(f"{name} {cell}: reference {row['reference_epoch_s']:.2f}s/epoch acc {reference['test_accuracy']:.4f} | "
              f"rnnclf {row['rnnclf_epoch_s']:.2f}s/epoch acc {ours['test_accuracy']:.4f} | speed-up {row['speedup']:.2f}x")
    return {
        "dataset": name, "train_texts": len(split.train), "test_texts": len(split.test),
        "split_fingerprint": split.fingerprint, "rows": rows,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # sms-spam has a few very long messages: the case where padding to the longest text hurts most.
    parser.add_argument("--datasets", "--dataset", dest="datasets", default="movie-snippets,sms-spam",
                        help="comma-separated built-in datasets (default movie-snippets,sms-spam)")
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = {"embedding_dim": 64, "units": 64}
    cells = args.cells.split(",")
    results = [bench_dataset(name, cells, args.epochs, args.seed, sizes) for name in args.datasets.split(",")]
    write_result("training", {"epochs": args.epochs, "seed": args.seed, "sizes": sizes, "datasets": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
