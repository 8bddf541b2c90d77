"""A TF-IDF + logistic-regression baseline to put RNN results in context.

A recurrent model is only worth its training time if it beats a bag of
n-grams. :func:`tfidf_baseline` fits TF-IDF over word 1–2-grams and a logistic
regression on the *train* part of a :class:`~rnnclf.data.splits.DatasetSplit` and
scores it on the *test* part — the same texts an RNN trained on that split is
scored on (compare the split fingerprints). Macro-F1 and MCC are reported next
to accuracy because several corpora are imbalanced (SMS is 87% ham).

>>> import pandas as pd
>>> from rnnclf.data.splits import split_dataset
>>> words = {"pos": "good great fine", "neg": "bad awful poor"}
>>> frame = pd.DataFrame({"text": [f"{words[label].split()[i % 3]} item {i}" for i, label in
...                                 enumerate(["pos", "neg"] * 30)], "label": ["pos", "neg"] * 30})
>>> tfidf_baseline(split_dataset(frame))["accuracy"]
1.0
"""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef
from sklearn.pipeline import make_pipeline

from rnnclf.data.splits import DatasetSplit
from rnnclf.text import suggest_tokenizer

__all__ = ["tfidf_baseline"]

# Enough iterations for the largest built-in corpus (38k tweets) to converge with lbfgs.
_MAX_ITERATIONS = 2000


def tfidf_baseline(split: DatasetSplit, ngram_range: tuple[int, int] | None = None, regularization: float = 1.0,
                   analyzer: str | None = None) -> dict:
    """Fit TF-IDF n-grams + logistic regression on ``split.train``; score on ``split.test``.

    The validation part is not used: the baseline has nothing to tune early,
    and leaving it out keeps its training data identical to what an RNN fits on.

    Args:
        split: A :class:`~rnnclf.data.splits.DatasetSplit`.
        ngram_range: n-gram sizes. Default: ``(1, 2)`` for words, ``(1, 3)`` for characters.
        regularization: Inverse regularization strength ``C`` of the
            logistic regression. Default: ``1.0``.
        analyzer: ``"word"`` or ``"char_wb"``. Default: characters for Chinese, Japanese and
            Korean texts (written without spaces, where sklearn's word pattern would take a
            whole sentence as one "word"), words otherwise.

    Returns:
        JSON-safe ``{"accuracy", "macro_f1", "mcc", "train_size", "test_size",
        "fingerprint", "model"}``.
    """
    analyzer = analyzer or ("word" if suggest_tokenizer(split.train["text"].tolist()) == "tweet" else "char_wb")
    ngram_range = ngram_range or ((1, 2) if analyzer == "word" else (1, 3))
    model = make_pipeline(
        TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range, sublinear_tf=True),
        LogisticRegression(C=regularization, max_iter=_MAX_ITERATIONS),
    )
    # Labels as strings so int and str labels behave the same in sklearn's metrics.
    model.fit(split.train["text"].astype(str), split.train["label"].astype(str))
    truth = split.test["label"].astype(str)
    predicted = model.predict(split.test["text"].astype(str))
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
        "mcc": float(matthews_corrcoef(truth, predicted)),
        "train_size": len(split.train),
        "test_size": len(split.test),
        "fingerprint": split.fingerprint,
        "model": (
            f"tfidf({'word' if analyzer == 'word' else 'character'} {ngram_range[0]}-{ngram_range[1]}-grams, sublinear tf) "
            f"+ logistic regression (C={regularization})"
        ),
    }
