"""Classify many texts at once, reporting unusable rows instead of failing on them.

>>> class Upper:  # a stand-in classifier: "positive" when the text is in capitals
...     class_names = ["negative", "positive"]
...     class encoder_:
...         encode = staticmethod(lambda text: type("E", (), {"ids": [1] * len(text.split())}))
...     def predict_ids(self, sequences):
...         import numpy as np
...         return np.array([[0.2, 0.8]] * len(sequences))
>>> [row.get("label") or row["error"] for row in predict_records(Upper(), ["GOOD", "  ", "bad"], problems={2: "unreadable"})]
['positive', 'empty text', 'unreadable']
"""

from __future__ import annotations

from typing import Mapping, Sequence

__all__ = ["predict_records", "predictions_frame"]


def predict_records(classifier, texts: Sequence[str], problems: Mapping[int, str] | None = None) -> list[dict]:
    """One dict per text: ``{"text", "label", "probabilities"}`` or ``{"text", "label": None, "error"}``.

    Empty (or whitespace-only) and non-string texts are reported in ``error``,
    as are the positions listed in ``problems`` (e.g. lines that were not valid
    UTF-8, with the reason); every other text is classified in one
    length-bucketed pass.
    """
    texts = list(texts)
    problems = problems or {}
    rows: list[dict] = []
    usable_positions, sequences = [], []
    for position, text in enumerate(texts):
        if position in problems:
            rows.append({"text": text if isinstance(text, str) else str(text), "label": None, "error": problems[position]})
            continue
        if not isinstance(text, str):
            rows.append({"text": "" if text is None else str(text), "label": None, "error": "missing text"})
            continue
        ids = classifier.encoder_.encode(text).ids
        if not ids:
            rows.append({"text": text, "label": None, "error": "empty text"})
            continue
        rows.append({"text": text})
        usable_positions.append(position)
        sequences.append(ids)
    labels = classifier.class_names
    probabilities = classifier.predict_ids(sequences) if sequences else []
    for position, row_probabilities in zip(usable_positions, probabilities):
        rows[position] = {
            "text": texts[position],
            "label": labels[int(row_probabilities.argmax())],
            "probabilities": {label: float(p) for label, p in zip(labels, row_probabilities)},
        }
    return rows


def predictions_frame(classifier, texts: Sequence[str]):
    """``predict_records`` as a table: text, label, one ``p_<class>`` column per class, error."""
    import pandas as pd

    labels = classifier.class_names
    records = []
    for row in predict_records(classifier, texts):
        probabilities = row.get("probabilities") or {}
        record = {"text": row["text"], "label": row.get("label")}
        record.update({f"p_{label}": probabilities.get(label) for label in labels})
        record["error"] = row.get("error", "")
        records.append(record)
    return pd.DataFrame.from_records(records, columns=["text", "label", *[f"p_{label}" for label in labels], "error"])
