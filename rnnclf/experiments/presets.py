"""Named hyperparameter presets for ``rnnclf train --preset NAME``.

A preset is a dict of :class:`~rnnclf.classifier.RNNTextClassifier` parameters
plus, optionally, the built-in dataset it is meant for. Explicit command-line
options override preset values.

>>> PRESETS["quick"]["params"]["epochs"]
3
"""

from __future__ import annotations

from rnnclf.common import lookup

__all__ = ["PRESETS", "get_preset"]

# Bidirectional GRU-64 on fine-tuned GloVe 6B 50d: the best configuration of the first
# accuracy benchmark on the snippet corpora (BENCHMARKS.md), shared by two presets.
_GLOVE_BIGRU = {
    "cell_type": "gru",
    "bidirectional": True,
    "units": 64,
    "dropout": 0.3,
    "pretrained_embeddings": "glove-6b-50d",
    "epochs": 12,
    "patience": 2,
}

PRESETS: dict[str, dict] = {
    "quick": {
        "description": "Small GRU, 3 epochs: a first result in seconds on a few thousand texts.",
        "params": {"cell_type": "gru", "embedding_dim": 32, "units": 32, "epochs": 3, "batch_size": 32},
    },
    "balanced": {
        "description": "LSTM 64 with dropout and early stopping: a sound default for most datasets.",
        "params": {"cell_type": "lstm", "embedding_dim": 64, "units": 64, "dropout": 0.2, "epochs": 10, "patience": 2},
    },
    "glove-bigru": {
        "description": "Bidirectional GRU on GloVe 6B 50d vectors (fine-tuned): best accuracy on short snippets.",
        "params": dict(_GLOVE_BIGRU),
    },
    "default-sentiment": {
        "description": "The bundled default model: bidirectional GRU on GloVe, trained on 'everyday-sentiment' "
        "(movie, product, editorial and tweet snippets plus CrowdFlower's polar tweets).",
        "dataset": "everyday-sentiment",
        # Trains into the run store like any preset; `make default-model` then copies the run
        # into data/default-sentiment (the bundled model) with `rnnclf runs export`.
        "name": "default-sentiment",
        "params": {**_GLOVE_BIGRU, "max_tokens": 20000, "seed": 0},
    },
    "default-sentiment-zh": {
        "description": "The bundled Chinese model (中文情感): bidirectional GRU over jieba words with attention "
        "pooling, trained on 'chinese-reviews'; its recipe was chosen on validation accuracy by bench/bench_chinese.py.",
        "dataset": "chinese-reviews",
        "name": "default-sentiment-zh",
        "params": {
            "tokenizer": "jieba", "max_tokens": 20000, "max_length": 150, "cell_type": "gru", "bidirectional": True,
            "units": 64, "embedding_dim": 64, "pooling": "attention", "spatial_dropout": 0.5, "dropout": 0.6,
            "learning_rate": 5e-4, "batch_size": 64, "epochs": 20, "patience": 2, "seed": 0,
        },
    },
}


def get_preset(name: str) -> dict:
    """Return preset ``name``; the error lists the available presets."""
    return lookup(PRESETS, name, "preset", kind="preset")
