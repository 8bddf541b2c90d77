"""What a run got wrong on its test texts: every test text scored, the mistakes sorted by loss.

A run records the data it was tested on (a built-in dataset or a CSV file), the
seed and sizes of the split, and the split's fingerprint. :func:`rebuild_test_part`
splits that data again and checks the fingerprint, so the texts listed here are
exactly the ones the run's test accuracy was computed on — or it says why they
cannot be had (dataset not fetched, CSV gone, data changed since).

:func:`score_texts` classifies texts in one batch and returns a table with one
row per text: truth, prediction, probabilities, loss (cross-entropy of the true
class), token count and the share of tokens the model knows.
:func:`select_mistakes` filters and sorts it; :func:`accuracy_buckets` breaks
accuracy down by length and by word coverage; :func:`explain_rows` attributes
the few rows a person looks at.

>>> scores = score_texts(classifier, ["the zing film", "a blorp day", "zing zing"], ["positive", "positive", "negative"])
>>> scores[["true", "predicted", "correct"]].values.tolist()
[['positive', 'positive', True], ['positive', 'negative', False], ['negative', 'positive', False]]
>>> select_mistakes(scores)["loss"].is_monotonic_decreasing
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from rnnclf.common import to_plain
from rnnclf.encoding import OOV_ID
from rnnclf.errors import InputError, RunError
from rnnclf.evaluation import accuracy_by_coverage, accuracy_by_length
from rnnclf.validation import check_texts

__all__ = [
    "TestPart",
    "rebuild_test_part",
    "score_texts",
    "score_test_part",
    "select_mistakes",
    "accuracy_buckets",
    "explain_rows",
    "mistakes_csv",
    "EXPORT_COLUMNS",
    "DEFAULT_METHOD",
]

# The lowest probability a loss is computed from: Keras' epsilon, so a loss here equals the
# cross-entropy Keras reports for the same prediction instead of growing without bound.
PROBABILITY_FLOOR = 1e-7
# What a person downloads for each mistake (the full table has one p_<class> column per class too).
EXPORT_COLUMNS = ("text", "true", "predicted", "true_probability", "loss", "tokens", "known_fraction")
# Gradient × input: one backward pass per text, milliseconds each — fast enough to redraw on every filter.
DEFAULT_METHOD = "gradient_x_input"


@dataclass
class TestPart:
    """The test texts of a run, rebuilt from the data it recorded.

    Attributes:
        texts, labels: the test texts and their true labels, in split order.
        fingerprint: the split's fingerprint (equal to the one the run recorded).
        source: what the texts came from, for people: a dataset name or a CSV path.
        run: the run's name as the caller gave it.
        directory: the run directory.
    """

    __test__ = False  # not a pytest test class, whatever its name

    texts: list[str]
    labels: list
    fingerprint: str
    source: str
    run: str
    directory: Path
    sizes: dict = field(default_factory=dict)


def _run_label(run, directory: Path, meta: dict) -> str:
    """The name messages use: the one the caller typed, unless it was a path."""
    text = str(run)
    return meta.get("name", directory.name) if ("/" in text or "\\" in text) else text


def _split_settings(meta: dict) -> dict:
    """Seed and sizes of the run's split; runs that did not record them used the training defaults."""
    recorded = (meta.get("dataset") or {}).get("split") or {}
    spec = meta.get("spec") or {}
    seed = recorded.get("seed", (spec.get("params") or {}).get("seed", (meta.get("params") or {}).get("seed", 0)))
    return {
        "seed": int(seed),
        "validation_size": float(recorded.get("validation_size", spec.get("validation_size", 0.1))),
        "test_size": float(recorded.get("test_size", spec.get("test_size", 0.2))),
    }


def _data_source(meta: dict, label: str) -> tuple[dict, str]:
    """``(load_labelled_split arguments, description)`` for the data a run was tested on, or a RunError saying why not."""
    from rnnclf.data.datasets import DATASETS, is_fetched

    dataset = meta.get("dataset") or {}
    spec = meta.get("spec") or {}
    csv, name = dataset.get("csv"), dataset.get("name")
    if csv:
        path = Path(csv)
        if not path.is_file():
            raise RunError(
                f"Run {label!r} was trained on {path}, which is no longer there, so its test texts cannot be rebuilt. "
                f"Put the file back at that path, or score the run on another labelled CSV with "
                f"`rnnclf evaluate --model {label} --csv FILE`."
            )
        return {"csv": path, "text_column": spec.get("text_column"), "label_column": spec.get("label_column")}, str(path)
    if name in DATASETS:
        if not is_fetched(name):
            raise RunError(
                f"Run {label!r} was tested on the built-in dataset {name!r}, which is not fetched here, so its test texts "
                f"cannot be rebuilt. Fetch it (`rnnclf datasets fetch {name}`, or on the Datasets page) and try again."
            )
        return {"dataset": name}, name
    described = f"its data is called {name!r}" if name else "it names no data"
    raise RunError(
        f"Run {label!r} does not record where its test texts came from ({described}: neither a built-in dataset nor "
        f"a CSV file), so its mistakes cannot be listed. Score it on a labelled CSV with "
        f"`rnnclf evaluate --model {label} --csv FILE`."
    )


def rebuild_test_part(run: str | Path, *, root: str | Path | None = None) -> TestPart:
    """The test texts and labels ``run`` was scored on, split again from the data it recorded.

    Reads only the run's meta.json and the data (no TensorFlow), so a run whose
    test part cannot be had fails in well under a second.

    Args:
        run: a run name, a bundled model's name (``"default"``) or a run directory.
        root: the run store to look names up in. Default: ``runs_dir()``.

    Raises:
        RunError: the data is a CSV file that is gone, a built-in dataset that is
            not fetched, something the run did not record, or no longer gives the
            split the run recorded (its fingerprint differs). The message says which
            and what to do.
        DatasetError: the data is there but cannot be read.

    Example:
        >>> rebuild_test_part("default").fingerprint  # doctest: +SKIP
        'ce159e9accbe3f98'
    """
    from rnnclf.data.sources import load_labelled_split
    from rnnclf.store import read_meta, resolve_run

    directory = resolve_run(run, Path(root) if root is not None else None)
    meta = read_meta(directory)
    label = _run_label(run, directory, meta)
    recorded = (meta.get("dataset") or {}).get("fingerprint")
    if ((meta.get("dataset") or {}).get("split") or {}).get("method") == "hash":
        raise RunError(
            f"Run {label!r} was trained by streaming its CSV (`rnnclf train --stream`): its test part is every row whose "
            f"text hashes into it, scored without holding the file, so its texts cannot be listed here. Score the run "
            f"on a labelled CSV of a size that fits in memory with `rnnclf evaluate --model {label} --csv FILE`."
        )
    arguments, source = _data_source(meta, label)
    if not recorded:
        raise RunError(
            f"Run {label!r} records no fingerprint of its test texts, so a rebuilt test part could not be checked "
            f"against the one it was scored on. Train it again with this version of rnnclf to browse its mistakes."
        )
    split, _ = load_labelled_split(**arguments, **_split_settings(meta))
    if split.fingerprint != recorded:
        raise RunError(
            f"The test part rebuilt from {source} (fingerprint {split.fingerprint}) is not the one run {label!r} was "
            f"scored on (fingerprint {recorded}): the data changed after the run was trained. Train the run again on "
            f"the current data to browse its mistakes."
        )
    return TestPart(texts=split.test["text"].tolist(), labels=split.test["label"].tolist(), fingerprint=split.fingerprint,
                    source=source, run=label, directory=directory, sizes=split.sizes)


def score_texts(classifier, texts: Sequence[str], labels: Sequence) -> pd.DataFrame:
    """Every text classified in one batch, with what a mistake browser needs.

    Args:
        classifier: a fitted :class:`~rnnclf.classifier.RNNTextClassifier`.
        texts: the texts.
        labels: their true labels (values of ``classifier.classes_``, compared as text,
            so ``"1"`` from a CSV finds the class ``1``).

    Returns:
        One row per text, indexed by its position (``position``), with columns
        ``text``, ``true``, ``predicted`` (class names as text), ``true_probability``,
        ``predicted_probability``, ``loss`` (``-log`` of the true class's probability,
        floored at 1e-7 as Keras does), ``correct``, ``tokens`` (the text's tokens,
        counted before the model's length limit cuts any), ``known_tokens`` and
        ``known_fraction`` (of the tokens the model reads, those in its vocabulary),
        ``unknown_tokens`` (the distinct unknown ones, space-separated) and one
        ``p_<class>`` column per class.

    Raises:
        InputError: a label is not a class of the model, the lengths differ, or a text has no tokens.

    Example:
        >>> row = score_texts(classifier, ["zing qwzx"], ["positive"]).iloc[0]
        >>> bool(row["correct"]), int(row["tokens"]), float(row["known_fraction"]), row["unknown_tokens"]
        (True, 2, 0.5, 'qwzx')
    """
    classes = classifier.class_names  # raises NotFittedError first
    texts = check_texts(texts)
    labels = list(labels)
    if len(labels) != len(texts):
        raise InputError(f"Got {len(texts)} texts but {len(labels)} labels: pass one label per text.")
    column_of = {name: position for position, name in enumerate(classes)}
    truth = [str(to_plain(label)) for label in labels]
    unknown = sorted(set(truth) - set(column_of))
    if unknown:
        raise InputError(f"Labels {unknown[:10]} are not classes of the model {classes}: score texts labelled with its classes.")
    encoded = [classifier.encoder_.encode(text) for text in texts]
    empty = [position for position, item in enumerate(encoded) if not item.ids]
    if empty:
        raise InputError(f"{len(empty)} text(s) have no tokens (positions {', '.join(map(str, empty[:10]))}): "
                         "there is nothing to classify in them; drop them first.")
    probabilities = classifier.predict_ids([item.ids for item in encoded]) if texts else np.zeros((0, len(classes)), "float32")
    rows = np.arange(len(texts))
    true_index = np.array([column_of[name] for name in truth], dtype=int)
    predicted_index = probabilities.argmax(axis=1) if len(texts) else np.zeros(0, dtype=int)
    true_probability = probabilities[rows, true_index].astype("float64")
    read = np.array([len(item.ids) for item in encoded], dtype=int)
    known = np.array([sum(token_id != OOV_ID for token_id in item.ids) for item in encoded], dtype=int)
    frame = pd.DataFrame({
        "text": texts,
        "true": truth,
        "predicted": [classes[index] for index in predicted_index],
        "true_probability": true_probability,
        "predicted_probability": probabilities[rows, predicted_index].astype("float64"),
        "loss": -np.log(np.maximum(true_probability, PROBABILITY_FLOOR)),
        "correct": predicted_index == true_index,
        "tokens": np.array([len(item.tokens) + len(item.dropped_tokens) for item in encoded], dtype=int),
        "known_tokens": known,
        "known_fraction": known / np.maximum(read, 1),
        "unknown_tokens": [" ".join(dict.fromkeys(token for token, token_id in zip(item.tokens, item.ids) if token_id == OOV_ID))
                           for item in encoded],
        **{f"p_{name}": probabilities[:, column].astype("float64") for name, column in column_of.items()},
    })
    frame.index.name = "position"
    return frame


def score_test_part(run, *, root: str | Path | None = None) -> pd.DataFrame:
    """:func:`score_texts` on the test part of a run (see :func:`rebuild_test_part`).

    Args:
        run: a run name, bundled model name or run directory — or a classifier loaded
            from one (:func:`rnnclf.load_run`), which is then used as it is.
        root: the run store to look names up in. Default: ``runs_dir()``.

    Example:
        >>> scores = score_test_part("default")  # doctest: +SKIP
        >>> len(scores), int((~scores["correct"]).sum())  # doctest: +SKIP
        (9193, 1557)
    """
    classifier = None
    if hasattr(run, "predict_ids"):
        classifier = run
        if getattr(classifier, "run_path_", None) is None:
            raise InputError("This classifier was not loaded from a run, so it has no recorded test part: load it with "
                             "rnnclf.load_run(name), or score your own texts with score_texts(classifier, texts, labels).")
        run = classifier.run_path_
    part = rebuild_test_part(run, root=root)  # before loading the model: a missing dataset fails at once
    if classifier is None:
        from rnnclf.classifier import RNNTextClassifier

        classifier = RNNTextClassifier.load(part.directory)
    return score_texts(classifier, part.texts, part.labels)


def _as_names(value, classes: Sequence[str], what: str) -> set[str] | None:
    if value is None:
        return None
    names = {str(to_plain(value))} if isinstance(value, (str, int, np.integer)) else {str(to_plain(item)) for item in value}
    unknown = sorted(names - set(classes))
    if unknown:
        raise InputError(f"Unknown {what} class(es) {unknown}; expected some of {sorted(classes)}.")
    return names


def select_mistakes(scores: pd.DataFrame, true_class=None, predicted_class=None) -> pd.DataFrame:
    """The wrongly classified rows of :func:`score_texts`, highest loss first.

    Args:
        scores: the table of :func:`score_texts` (or :func:`score_test_part`).
        true_class: keep only texts of this class (a name or several). Default: every class.
        predicted_class: keep only texts predicted as this class (a name or several). Default: every class.

    Ties in loss keep the order of the test part.

    Example:
        >>> scores = score_texts(classifier, ["a blorp day", "zing zing", "zing"], ["positive", "negative", "positive"])
        >>> select_mistakes(scores, predicted_class="positive")["text"].tolist()
        ['zing zing']
    """
    classes = sorted(set(scores["true"]) | set(scores["predicted"]) | {column[2:] for column in scores if column.startswith("p_")})
    wanted_true = _as_names(true_class, classes, "true")
    wanted_predicted = _as_names(predicted_class, classes, "predicted")
    selected = ~scores["correct"].astype(bool)
    if wanted_true is not None:
        selected &= scores["true"].isin(wanted_true)
    if wanted_predicted is not None:
        selected &= scores["predicted"].isin(wanted_predicted)
    return scores[selected].sort_values("loss", ascending=False, kind="stable")


def accuracy_buckets(scores: pd.DataFrame) -> dict[str, list[dict]]:
    """Accuracy by text length (tokens) and by known-word coverage, JSON-safe.

    Returns ``{"length": [...], "coverage": [...]}``, each a list of
    ``{"bucket", "examples", "accuracy"}`` (:func:`rnnclf.evaluation.accuracy_by_length`,
    :func:`rnnclf.evaluation.accuracy_by_coverage`); the ``examples`` of either list add
    up to the number of texts.

    Example:
        >>> buckets = accuracy_buckets(score_texts(classifier, ["zing", "blorp qwzx"], ["positive", "negative"]))
        >>> buckets["coverage"]
        [{'bucket': '50-74%', 'examples': 1, 'accuracy': 1.0}, {'bucket': '100%', 'examples': 1, 'accuracy': 1.0}]
    """
    return {
        "length": accuracy_by_length(scores["tokens"].to_numpy(), scores["correct"].to_numpy()),
        "coverage": accuracy_by_coverage(scores["known_fraction"].to_numpy(), scores["correct"].to_numpy()),
    }


def explain_rows(classifier, rows: pd.DataFrame, *, method: str = DEFAULT_METHOD, target: str = "predicted") -> list:
    """One :class:`~rnnclf.interpret.attribution.Explanation` per row of :func:`select_mistakes`.

    Explain only the rows a person looks at (ten or twenty): each is one
    attribution pass.

    Args:
        classifier: the classifier that scored the rows.
        rows: rows with ``text``, ``true`` and ``predicted`` columns.
        method: an attribution method (see :data:`rnnclf.interpret.attribution.METHODS`).
            Default: gradient × input.
        target: ``"predicted"`` to show which words pushed towards the wrong answer,
            ``"true"`` to show which pushed towards (or away from) the right one.

    Example:
        >>> rows = select_mistakes(score_texts(classifier, ["a blorp day"], ["positive"]))
        >>> explanation = explain_rows(classifier, rows)[0]
        >>> explanation.target, max(zip(explanation.scores, explanation.tokens))[1]
        ('negative', 'blorp')
    """
    from rnnclf.interpret.attribution import explain

    if target not in ("predicted", "true"):
        raise InputError(f"Received: target={target!r}; expected 'predicted' or 'true'.")
    return [explain(classifier, text, method=method, target=class_name)
            for text, class_name in zip(rows["text"], rows[target])]


def mistakes_csv(mistakes: pd.DataFrame) -> str:
    """The rows as CSV text with the :data:`EXPORT_COLUMNS` (and each class's probability), UTF-8, no index.

    Example:
        >>> mistakes_csv(select_mistakes(score_texts(classifier, ["a blorp day"], ["positive"]))).splitlines()[0]
        'text,true,predicted,true_probability,loss,tokens,known_fraction,p_negative,p_positive'
    """
    columns = list(EXPORT_COLUMNS) + [column for column in mistakes.columns if column.startswith("p_")]
    return mistakes[columns].to_csv(index=False, lineterminator="\n")
