"""Classify many texts at once, reporting unusable rows instead of failing on them.

>>> from rnnclf.encoding import EncodedText
>>> class Upper:  # a stand-in classifier: "positive" when the text is in capitals
...     class_names = ["negative", "positive"]
...     class encoder_:
...         encode_many = staticmethod(lambda texts: [EncodedText(text.split(), [2] * len(text.split())) for text in texts])
...     def predict_ids(self, sequences):
...         import numpy as np
...         return np.array([[0.2, 0.8]] * len(sequences))
>>> [row.get("label") or row["error"] for row in predict_records(Upper(), ["GOOD", "  ", "bad"], problems={2: "unreadable"})]
['positive', 'empty text', 'unreadable']
"""

from __future__ import annotations

from typing import Mapping, Sequence

from rnnclf.common import collection_paused
from rnnclf.coverage import coverage_fields

__all__ = ["predict_records", "predictions_frame", "flat_record", "COVERAGE_COLUMNS"]


def predict_records(classifier, texts: Sequence[str], problems: Mapping[int, str] | None = None) -> list[dict]:
    """One dict per text: ``{"text", "label", "probabilities", <coverage>, "warnings"}`` or
    ``{"text", "label": None, "error"}``.

    ``<coverage>`` is ``known_tokens``, ``total_tokens``, ``coverage``, ``unknown_tokens``
    and ``language`` (see :mod:`rnnclf.coverage`); ``warnings`` says when an answer is a
    guess. Empty (or whitespace-only) and non-string texts are reported in ``error``,
    as are the positions listed in ``problems`` (e.g. lines that were not valid
    UTF-8, with the reason); every other text is classified in one
    length-bucketed pass.
    """
    texts = list(texts)
    problems = problems or {}
    rows: list[dict | None] = []
    readable = []
    for position, text in enumerate(texts):
        if position in problems:
            rows.append({"text": text if isinstance(text, str) else str(text), "label": None, "error": problems[position]})
        elif not isinstance(text, str):
            rows.append({"text": "" if text is None else str(text), "label": None, "error": "missing text"})
        else:
            rows.append(None)  # classified below
            readable.append(position)
    with collection_paused():  # the rows hold no reference cycles
        _classify(classifier, texts, readable, rows)
    return rows


def _classify(classifier, texts: list, readable: list[int], rows: list) -> None:
    """Fill ``rows`` at the ``readable`` positions: a prediction, or an error for a text without tokens."""
    model_languages = list(getattr(classifier, "model_languages", None) or [])
    usable_positions, sequences, reports = [], [], []
    for position, encoded in zip(readable, classifier.encoder_.encode_many([texts[position] for position in readable])):
        if not encoded.ids:
            rows[position] = {"text": texts[position], "label": None, "error": "empty text"}
            continue
        usable_positions.append(position)
        sequences.append(encoded.ids)
        reports.append(coverage_fields(encoded, texts[position], model_languages))
    if not sequences:
        return
    labels = classifier.class_names
    probabilities = classifier.predict_ids(sequences)
    # One argmax and one conversion to Python floats for the whole batch, not one per row.
    best = probabilities.argmax(axis=1).tolist()
    for position, label_index, row_probabilities, report in zip(usable_positions, best, probabilities.tolist(), reports):
        rows[position] = {
            "text": texts[position],
            "label": labels[label_index],
            "probabilities": dict(zip(labels, row_probabilities)),
            **report,
        }


COVERAGE_COLUMNS = ("known_tokens", "total_tokens", "coverage", "unknown_tokens", "language", "warnings")


def flat_record(row: dict, labels: Sequence[str], digits: int | None = None) -> dict:
    """One result of :func:`predict_records` as a flat table row: ``p_<class>`` columns,
    unknown tokens joined by spaces, warnings by `` | ``.

    >>> flat_record({"text": "hi", "label": "pos", "probabilities": {"neg": 0.25, "pos": 0.75}, "known_tokens": 1,
    ...              "total_tokens": 1, "coverage": 1.0, "unknown_tokens": [], "language": "latin", "warnings": []},
    ...             ["neg", "pos"])["p_pos"]
    0.75
    """
    probabilities = row.get("probabilities") or {}
    record = {"text": row["text"], "label": row.get("label")}
    for label in labels:
        value = probabilities.get(label)
        record[f"p_{label}"] = round(value, digits) if value is not None and digits is not None else value
    for column in COVERAGE_COLUMNS:
        value = row.get(column)
        record[column] = " | ".join(value) if column == "warnings" and value is not None else (
            " ".join(value) if column == "unknown_tokens" and value is not None else value)
    record["error"] = row.get("error", "")
    return record


# Texts classified per step of predictions_frame's progress callback.
FRAME_CHUNK = 500


def predictions_frame(classifier, texts: Sequence[str], *, source=None, digits: int | None = None, progress=None):
    """``predict_records`` as a table: text, label, one ``p_<class>`` column per class, coverage, warnings, error.

    Args:
        source: the input rows (a DataFrame, one row per text); their columns come first, so an
            ``id`` column survives. A source column that clashes with a result column is kept
            with the prefix ``input_``.
        digits: round the probabilities to this many places. Default: no rounding.
        progress: called with the fraction done after every :data:`FRAME_CHUNK` texts.
    """
    import pandas as pd

    texts = list(texts)
    labels = classifier.class_names
    records = []
    for start in range(0, len(texts), FRAME_CHUNK):
        chunk = predict_records(classifier, texts[start : start + FRAME_CHUNK])
        records += [flat_record(row, labels, digits=digits) for row in chunk]
        if progress is not None:
            progress(min(1.0, (start + FRAME_CHUNK) / max(len(texts), 1)))
    columns = ["text", "label", *[f"p_{label}" for label in labels], *COVERAGE_COLUMNS, "error"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    if source is None:
        return frame
    if len(source) != len(frame):
        raise ValueError(f"source has {len(source)} rows but there are {len(frame)} texts")
    inputs = source.reset_index(drop=True).rename(columns=lambda column: f"input_{column}" if column in columns else column)
    return pd.concat([inputs, frame], axis=1)
