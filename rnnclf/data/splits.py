"""Honest train/validation/test splits: deduplicate first, then a stratified seeded split.

Real corpora repeat themselves (the TREC file holds every question up to five
times), and a text that sits in both train and test turns test accuracy into a
memory test. So duplicates are removed *before* splitting, comparing texts after
whitespace normalisation and case folding. The split itself is stratified and
seeded, and rows are sorted by their normalised text first, so the same data
gives the same split on any machine whatever the row order. The test set's
:attr:`DatasetSplit.fingerprint` lets two runs check they were scored on the
same texts.

>>> import pandas as pd
>>> frame = pd.DataFrame({"text": [f"text {i}" for i in range(20)], "label": ["a", "b"] * 10})
>>> split = split_dataset(frame, seed=0)
>>> len(split.train), len(split.validation), len(split.test)
(14, 2, 4)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from rnnclf.errors import DatasetError
from rnnclf.text import normalize_whitespace, suggest_tokenizer, tokenize

__all__ = [
    "DatasetSplit",
    "normalize_key",
    "text_keys",
    "PARTS",
    "hash_parts",
    "deduplicate",
    "split_dataset",
    "test_fingerprint",
    "keys_fingerprint",
    "class_counts",
    "dataset_stats",
]

_KEY = "_rnnclf_key"


def normalize_key(text: str) -> str:
    """Return the form under which two texts count as duplicates.

    >>> normalize_key("  Great\\tMovie ") == normalize_key("great movie")
    True
    """
    return normalize_whitespace(str(text)).casefold()


def text_keys(texts) -> np.ndarray:
    """64-bit fingerprints of texts under :func:`normalize_key` (what deduplication compares), as ``uint64``.

    A run keeps the sorted fingerprints of every text it (or a run it started
    from) trained on, so a test set can be checked for texts the model has seen —
    without storing the texts.

    >>> keys = text_keys(["Great movie", "great  movie", "dull"])
    >>> bool(keys[0] == keys[1]), bool(keys[0] == keys[2]), keys.dtype.name
    (True, False, 'uint64')
    """
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(normalize_key(text).encode("utf-8"), digest_size=8).digest(), "little") for text in texts),
        dtype=np.uint64,
    )


# The parts of a split, in the order :func:`hash_parts` numbers them.
PARTS = ("train", "validation", "test")


def hash_parts(keys: np.ndarray, validation_size: float = 0.1, test_size: float = 0.2) -> np.ndarray:
    """Which part each text falls in, decided by its fingerprint alone: ``0`` train, ``1`` validation, ``2`` test.

    ``keys`` are :func:`text_keys`. A key read as a fraction of ``2**64`` below
    ``test_size`` means test, below ``test_size + validation_size`` validation,
    anything else train. So the split needs no pass over the whole data and no
    memory: the same text lands in the same part in every run and every chunk,
    duplicates (after :func:`normalize_key`) can never sit on both sides, and the
    parts come out near the requested shares (not stratified: each class gets its
    share only on average). The cuts are compared as 64-bit integers, so no key
    is misplaced by float rounding.

    >>> parts = hash_parts(text_keys(["Good film", "good  FILM", "warm story", "weak ending"]), 0.3, 0.2)
    >>> [PARTS[part] for part in parts], parts.dtype.name
    (['train', 'train', 'test', 'validation'], 'int8')
    """
    _check_sizes(validation_size, test_size)
    keys = np.asarray(keys, dtype=np.uint64)
    test_cut, validation_cut = (np.uint64(min(int(share * 2**64), 2**64 - 1)) for share in (test_size, test_size + validation_size))
    return np.where(keys < test_cut, 2, np.where(keys < validation_cut, 1, 0)).astype(np.int8)


def _check_columns(frame: pd.DataFrame) -> None:
    missing = [column for column in ("text", "label") if column not in frame.columns]
    if missing:
        raise DatasetError(
            f"The table needs 'text' and 'label' columns; missing {missing}. Columns found: {list(frame.columns)}."
        )
    missing_labels = int(frame["label"].isna().sum())
    if missing_labels:
        raise DatasetError(f"{missing_labels} rows have no label. Drop or label them before splitting.")


def deduplicate(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Remove texts that repeat after whitespace normalisation and case folding.

    Of each group of duplicates the first row carrying the winning label is kept.
    When duplicates disagree on the label, the majority label wins
    (``conflicts_resolved``); on a tie the text is dropped altogether
    (``conflicts_dropped`` texts, ``conflict_rows_dropped`` rows). Always
    ``rows_in == rows_out + duplicates_removed + conflict_rows_dropped``.

    Args:
        frame: A table with ``text`` and ``label`` columns (extra columns are kept).

    Returns:
        ``(deduplicated_frame, report)`` with the index reset.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"text": ["Good", "good ", "GOOD", "meh", "Meh"],
    ...                       "label": ["pos", "pos", "neg", "pos", "neg"]})
    >>> kept, report = deduplicate(frame)
    >>> kept.values.tolist(), report["conflicts_resolved"], report["conflicts_dropped"]
    ([['Good', 'pos']], 1, 1)
    """
    _check_columns(frame)
    keyed = frame.assign(**{_KEY: frame["text"].map(normalize_key)})
    counts = keyed.groupby([_KEY, "label"], sort=False).size().rename("votes").reset_index()
    labels_per_key = counts.groupby(_KEY, sort=False)["label"].transform("size")
    top_votes = counts.groupby(_KEY, sort=False)["votes"].transform("max")
    winners = counts[counts["votes"] == top_votes]
    winners_per_key = winners.groupby(_KEY, sort=False)["label"].transform("size")
    kept_pairs = winners[winners_per_key == 1][[_KEY, "label"]]
    tied_keys = set(winners.loc[winners_per_key > 1, _KEY])

    kept = keyed.merge(kept_pairs, on=[_KEY, "label"], how="inner", sort=False)
    kept = kept.drop_duplicates(subset=_KEY, keep="first").drop(columns=_KEY).reset_index(drop=True)
    conflict_rows = int(keyed[_KEY].isin(tied_keys).sum())
    report = {
        "rows_in": len(frame),
        "rows_out": len(kept),
        "duplicates_removed": len(frame) - len(kept) - conflict_rows,
        "conflicts_resolved": int(counts.loc[labels_per_key > 1, _KEY].nunique()) - len(tied_keys),
        "conflicts_dropped": len(tied_keys),
        "conflict_rows_dropped": conflict_rows,
    }
    return kept, report


def class_counts(labels: pd.Series) -> dict[str, int]:
    """Count each label, keyed by ``str(label)`` so the result is JSON-safe.

    >>> import pandas as pd
    >>> class_counts(pd.Series(["b", "a", "b"]))
    {'a': 1, 'b': 2}
    """
    counts = {str(label): int(count) for label, count in labels.value_counts().items()}
    return dict(sorted(counts.items()))


def test_fingerprint(test: pd.DataFrame) -> str:
    """Return 16 hex digits of the sha256 of the sorted normalised test texts and labels.

    >>> import pandas as pd
    >>> a = pd.DataFrame({"text": ["x", "y"], "label": [0, 1]})
    >>> test_fingerprint(a) == test_fingerprint(a.iloc[::-1])
    True
    """
    pairs = sorted(f"{normalize_key(text)}\t{label}" for text, label in zip(test["text"], test["label"]))
    return hashlib.sha256("\n".join(pairs).encode("utf-8")).hexdigest()[:16]


# pytest would otherwise collect the public ``test_fingerprint`` as a test when imported into a test module.
test_fingerprint.__test__ = False


def keys_fingerprint(keys: np.ndarray, targets: np.ndarray, classes) -> str:
    """16 hex digits of the sha256 of sorted ``(text key, label)`` pairs: :func:`test_fingerprint` for a part known
    only by its :func:`text_keys` (a streamed file), so two runs can check they were scored on the same rows.

    ``targets`` index ``classes``; row order does not matter.

    >>> keys = text_keys(["x", "y"])
    >>> keys_fingerprint(keys, np.array([0, 1]), ["a", "b"]) == keys_fingerprint(keys[::-1], np.array([1, 0]), ["a", "b"])
    True
    """
    keys, targets = np.asarray(keys, dtype=np.uint64), np.asarray(targets, dtype=np.int64)
    order = np.lexsort((targets, keys))
    digest = hashlib.sha256(keys[order].astype("<u8").tobytes())
    digest.update(targets[order].astype("<i8").tobytes())
    digest.update("\n".join(str(label) for label in classes).encode("utf-8"))
    return digest.hexdigest()[:16]


@dataclass
class DatasetSplit:
    """Train, validation and test tables of one seeded, stratified, deduplicated split.

    Attributes:
        train: Rows to fit on.
        validation: Rows for early stopping and model selection (may be empty).
        test: Rows to report results on, never seen during training.
        fingerprint: :func:`test_fingerprint` of ``test``.
        report: JSON-safe summary: the deduplication report, the seed and sizes,
            and the class counts of each part.
    """

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    fingerprint: str
    report: dict = field(default_factory=dict)

    @property
    def sizes(self) -> dict:
        """Number of rows in each part, e.g. ``{"train": 70, "validation": 10, "test": 20}``."""
        return {"train": len(self.train), "validation": len(self.validation), "test": len(self.test)}


def _check_sizes(validation_size: float, test_size: float) -> None:
    if not 0 < test_size < 1:
        raise DatasetError(f"test_size must be between 0 and 1 (exclusive). Received: test_size={test_size!r}.")
    if not 0 <= validation_size < 1:
        raise DatasetError(f"validation_size must be in [0, 1). Received: validation_size={validation_size!r}.")
    if validation_size + test_size >= 1:
        raise DatasetError(
            "validation_size + test_size must leave rows for training. "
            f"Received: validation_size={validation_size!r}, test_size={test_size!r}."
        )


def _check_class_counts(labels: pd.Series, validation_size: float, test_size: float) -> None:
    # Each stratified cut needs two examples of every class, so three parts need three.
    needed = 3 if validation_size > 0 else 2
    counts = labels.value_counts()
    too_small = counts[counts < needed]
    if len(too_small):
        described = ", ".join(f"{label!r} has {count}" for label, count in too_small.items())
        raise DatasetError(
            f"Too few examples to stratify: class {described} after removing duplicates; "
            f"a stratified split needs at least {needed} per class. Add examples of that class or remove it."
        )
    for part, size in (("test", test_size), ("validation", validation_size)):
        if size > 0 and size * len(labels) < len(counts):
            raise DatasetError(
                f"The {part} part ({size:.0%} of {len(labels)} rows) is smaller than the number of "
                f"classes ({len(counts)}). Use a larger {part}_size or more data."
            )


def split_dataset(
    frame: pd.DataFrame,
    seed: int = 0,
    validation_size: float = 0.1,
    test_size: float = 0.2,
) -> DatasetSplit:
    """Deduplicate, then split into stratified train / validation / test parts.

    Args:
        frame: A table with ``text`` and ``label`` columns (extras are kept).
        seed: Seed of the split. Default: ``0``.
        validation_size: Fraction of the deduplicated rows for validation
            (``0`` for none). Default: ``0.1``.
        test_size: Fraction of the deduplicated rows for test. Default: ``0.2``.

    Returns:
        A :class:`DatasetSplit`.

    Raises:
        DatasetError: If a class has too few examples to stratify or the sizes
            are out of range.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"text": [f"t{i}" for i in range(10)] * 2, "label": ["a", "b"] * 10})
    >>> split_dataset(frame, validation_size=0).report["deduplication"]["duplicates_removed"]
    10
    """
    _check_sizes(validation_size, test_size)
    unique, dedup_report = deduplicate(frame)
    _check_class_counts(unique["label"], validation_size, test_size)
    # Sorting by the normalised text makes the split independent of the input order.
    ordered = (
        unique.assign(**{_KEY: unique["text"].map(normalize_key)})
        .sort_values(_KEY, kind="stable")
        .drop(columns=_KEY)
        .reset_index(drop=True)
    )
    rest, test = train_test_split(ordered, test_size=test_size, stratify=ordered["label"], random_state=seed)
    if validation_size > 0:
        train, validation = train_test_split(
            rest, test_size=validation_size / (1 - test_size), stratify=rest["label"], random_state=seed
        )
    else:
        train, validation = rest, rest.iloc[0:0]
    named = (("train", train), ("validation", validation), ("test", test))
    parts = {name: part.reset_index(drop=True) for name, part in named}
    report = {
        "seed": seed,
        "validation_size": validation_size,
        "test_size": test_size,
        "deduplication": dedup_report,
        "sizes": {name: len(part) for name, part in parts.items()},
        "class_counts": {name: class_counts(part["label"]) for name, part in parts.items()},
    }
    return DatasetSplit(fingerprint=test_fingerprint(parts["test"]), report=report, **parts)


_PERCENTILES = (50, 90, 95, 99)
_MAX_BINS = 30


def dataset_stats(frame: pd.DataFrame, tokenizer: str | None = None) -> dict:
    """Describe a table: size, duplicates, classes and token lengths (JSON-safe).

    ``tokenizer`` defaults to the one suited to the texts' language
    (:func:`rnnclf.text.suggest_tokenizer`: jieba for Chinese), so token counts mean words.

    ``vocabulary_size`` counts distinct lower-cased tokens. Histogram bins are
    whole token counts grouped into at most 30 bins.

    >>> import pandas as pd
    >>> stats = dataset_stats(pd.DataFrame({"text": ["a b", "A  b", "c"], "label": [1, 1, 0]}))
    >>> stats["unique_rows"], stats["class_counts"], stats["token_length"]["max"]
    (2, {'0': 1, '1': 2}, 2)
    """
    tokenizer = tokenizer or suggest_tokenizer(frame["text"].tolist())
    tokenized = [tokenize(str(text), tokenizer) for text in frame["text"]]
    lengths = np.array([len(tokens) for tokens in tokenized], dtype=np.int64)
    vocabulary = {token.lower() for tokens in tokenized for token in tokens}
    unique_rows = int(frame["text"].map(normalize_key).nunique())
    if len(lengths):
        low, high = int(lengths.min()), int(lengths.max())
        width = max(1, int(np.ceil((high - low + 1) / _MAX_BINS)))
        counts, edges = np.histogram(lengths, bins=np.arange(low, high + width + 1, width))
        token_length = {f"p{q}": float(np.percentile(lengths, q)) for q in _PERCENTILES}
        token_length.update(mean=float(lengths.mean()), max=high)
        histogram = {"bin_edges": [int(edge) for edge in edges], "counts": [int(count) for count in counts]}
    else:
        token_length, histogram = {}, {"bin_edges": [], "counts": []}
    return {
        "rows": len(frame),
        "unique_rows": unique_rows,
        "duplicates": len(frame) - unique_rows,
        "class_counts": class_counts(frame["label"]),
        "tokenizer": tokenizer,
        "token_length": token_length,
        "histogram": histogram,
        "vocabulary_size": len(vocabulary),
    }
