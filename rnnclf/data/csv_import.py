"""Read a user's own CSV/TSV file into a ``text`` + ``label`` table.

People bring files from spreadsheets, pandas and R with all kinds of
delimiters and encodings, so :func:`read_table` guesses what it can and reports
every guess: the delimiter (sniffed among ``,`` ``;`` tab ``|``), the encoding
(UTF-8 with or without BOM, UTF-16 — what Excel's "Unicode text" writes —, then latin-1), and — when not given — which column
holds the text (longest mean length) and which the label (a column named like
``label``, else the one with the fewest distinct values). Rows with an empty
text or a missing label are dropped and counted.
Anything it cannot fix raises :class:`DatasetError` with a message saying what
to do.

>>> table = read_table_bytes(b"review;stars\\nGreat fun;5\\nDull;1\\n", name="reviews.csv")
>>> table.delimiter, table.text_column, table.label_column, table.dataframe["label"].tolist()
(';', 'review', 'stars', [5, 1])
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Optional, Union

import pandas as pd

from rnnclf.data.decoding import decode_document
from rnnclf.data.splits import class_counts
from rnnclf.errors import DatasetError

__all__ = ["DatasetError", "ImportedTable", "MAX_BYTES", "MISSING_LABELS", "read_table", "read_table_bytes", "no_label_column",
           "label_named_column", "labels_are_integers", "require_classes"]

MAX_BYTES = 200 * 1024 * 1024
_DELIMITERS = ",;\t|"
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# Enough lines for the sniffer to see a consistent pattern without reading a huge file twice.
_SNIFF_CHARS = 64 * 1024
# Spellings of "no value" written by spreadsheets, pandas and R.
MISSING_LABELS = frozenset({"", "nan", "na", "n/a", "null", "none"})
_INTEGER = re.compile(r"^[+-]?\d+$")
# Column names that say "this is the label"; preferred over the fewest-distinct-values guess.
_LABEL_NAMES = ("label", "labels", "class", "category", "sentiment", "target", "y", "tag")

Source = Union[str, Path, bytes, bytearray, BinaryIO]


@dataclass
class ImportedTable:
    """A user table reduced to ``text`` and ``label``, with what was guessed and dropped.

    Attributes:
        dataframe: Columns ``text`` (str) and ``label`` (int when every label is
            written as an integer such as ``1`` or ``-2``, otherwise str).
        encoding: ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"`` (``-le``/``-be``) or ``"latin-1"``.
        delimiter: The field separator used (``"\\n"`` for a one-column list of texts).
        text_column: Column the texts came from.
        label_column: Column the labels came from (``None`` when reading texts only).
        suggested_text_column: The automatic guess (shown even if overridden).
        suggested_label_column: The automatic guess, or ``None``.
        columns: All columns found in the file, in order.
        rows_read: Data rows in the file.
        dropped_empty_texts: Rows dropped because the text was empty.
        dropped_missing_labels: Rows dropped because the label was missing.
        rows: The kept rows with every column of the file, in file order (one per row of
            ``dataframe``), so results can be joined back to ids and other columns.
    """

    dataframe: pd.DataFrame
    encoding: str
    delimiter: str
    text_column: str
    label_column: Optional[str]
    suggested_text_column: str
    suggested_label_column: Optional[str]
    columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    dropped_empty_texts: int = 0
    dropped_missing_labels: int = 0
    rows: pd.DataFrame | None = None

    def summary(self) -> dict:
        """JSON-safe description of the import (everything but the table)."""
        return {
            "rows": len(self.dataframe),
            "rows_read": self.rows_read,
            "encoding": self.encoding,
            "delimiter": _DELIMITER_NAMES.get(self.delimiter, self.delimiter),
            "text_column": self.text_column,
            "label_column": self.label_column,
            "suggested_text_column": self.suggested_text_column,
            "suggested_label_column": self.suggested_label_column,
            "columns": list(self.columns),
            "dropped_empty_texts": self.dropped_empty_texts,
            "dropped_missing_labels": self.dropped_missing_labels,
            "class_counts": class_counts(self.dataframe["label"]) if "label" in self.dataframe else {},
        }


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _too_big(name: str, size: int, max_bytes: int) -> DatasetError:
    return DatasetError(
        f"{name} is {_megabytes(size)}, over the {_megabytes(max_bytes)} limit. "
        "Import a sample of it, or pass a larger max_bytes."
    )


def _read_source(source: Source, max_bytes: int) -> tuple[bytes, str]:
    """Return the raw bytes and a display name, enforcing the size limit."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        name = "The uploaded file"
    elif isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        if not path.exists():
            raise DatasetError(f"File not found: {str(path)!r}. Check the path and try again.")
        if not path.is_file():
            raise DatasetError(f"{str(path)!r} is a directory, not a file. Pass the path of a CSV or TSV file.")
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_big(path.name, size, max_bytes)
        return path.read_bytes(), path.name
    elif hasattr(source, "read"):
        # Read one byte past the limit to tell "exactly at the limit" from "over it".
        data = source.read(max_bytes + 1)
        name = str(getattr(source, "name", "The uploaded file"))
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise DatasetError(f"Expected a file path, bytes or a binary file object. Received: {type(source).__name__}.")
    if len(data) > max_bytes:
        raise _too_big(name, len(data), max_bytes)
    return data, name


def _candidate_delimiters(sample: str, name: str) -> list[str]:
    """Delimiters to try, best guess first."""
    header = sample.split("\n", 1)[0]
    by_header = sorted((d for d in _DELIMITERS if d in header), key=header.count, reverse=True)
    guesses = []
    if name.lower().endswith((".tsv", ".tab")):
        guesses.append("\t")
    try:
        guesses.append(csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter)
    except csv.Error:
        pass  # the sniffer gives up on irregular samples; the header counts below still apply
    return list(dict.fromkeys(guesses + by_header))


def _refuse_duplicate_columns(text: str, delimiter: str, name: str) -> None:
    """pandas renames a repeated column to ``name.1``; say so instead of guessing which one was meant."""
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=delimiter), [])
    repeated = sorted({column for column in header if header.count(column) > 1})
    if repeated:
        raise DatasetError(
            f"{name} has more than one column named {', '.join(map(repr, repeated))}: rename them so each "
            "column has its own name, then import again."
        )


def _parse(text: str, name: str, min_columns: int) -> tuple[pd.DataFrame, str]:
    if "\x00" in text[:_SNIFF_CHARS]:
        raise DatasetError(
            f"{name} does not look like a text table (it contains binary data). "
            "Export it as CSV or TSV (for a spreadsheet: File → Save as → CSV UTF-8)."
        )
    sample = text[:_SNIFF_CHARS].rsplit("\n", 1)[0] if len(text) > _SNIFF_CHARS else text
    last_error = None
    for delimiter in _candidate_delimiters(sample, name):
        try:
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, ValueError) as error:
            last_error = error
            continue
        if frame.shape[1] >= 2:
            _refuse_duplicate_columns(text, delimiter, name)
            return frame, delimiter
    if min_columns == 1:
        # A list of texts, one per line: a delimiter that never occurs keeps each line whole
        # while quoted multi-line texts still parse.
        return pd.read_csv(io.StringIO(text), sep="\x1f", dtype=str, keep_default_na=False), "\n"
    detail = f" (the parser said: {str(last_error).strip()})" if last_error else ""
    raise DatasetError(
        f"{name} is not a table with at least two columns separated by comma, semicolon, tab or '|'{detail}. "
        "It needs a text column and a label column, with a header row naming them."
    )


def _suggest_text_column(frame: pd.DataFrame) -> str:
    numeric = {column for column in frame.columns if frame[column].str.strip().str.match(r"^[+-]?[\d.]*$").all()}
    candidates = [column for column in frame.columns if column not in numeric] or list(frame.columns)
    return max(candidates, key=lambda column: frame[column].str.len().mean())


def _suggest_label_column(frame: pd.DataFrame, text_column: str) -> Optional[str]:
    distinct = {
        column: frame[column][~_missing(frame[column])].nunique() for column in frame.columns if column != text_column
    }
    usable = {column: count for column, count in distinct.items() if count >= 2}
    if not usable:
        return None
    named = label_named_column(list(usable), text_column)
    if named is not None:
        return named
    # Few distinct values means a label; an id column has as many values as rows.
    return min(usable, key=lambda column: (usable[column], list(frame.columns).index(column)))


def label_named_column(columns, text_column: str) -> Optional[str]:
    """The first of ``columns`` (other than the texts') whose name says it holds labels, or ``None``.

    >>> label_named_column(["id", "review", "Sentiment"], "review")
    'Sentiment'
    """
    return next((column for column in columns if column != text_column and column.casefold() in _LABEL_NAMES), None)


def _missing(values: pd.Series) -> pd.Series:
    return values.str.strip().str.lower().isin(MISSING_LABELS)


def labels_are_integers(labels) -> bool:
    """Whether every label (stripped) is written as an integer, so labels are read as numbers.

    >>> labels_are_integers(["1", " -2"]), labels_are_integers(["1", "pos"])
    (True, False)
    """
    return all(_INTEGER.match(str(label).strip()) for label in labels)


def _convert_labels(labels: pd.Series) -> pd.Series:
    stripped = labels.str.strip()
    if labels_are_integers(stripped):
        return stripped.astype("int64")
    return stripped.astype(object)


def _require_column(frame: pd.DataFrame, column: str, role: str) -> None:
    if column not in frame.columns:
        found = ", ".join(repr(name) for name in frame.columns)
        raise DatasetError(f"No column named {column!r} for the {role}. Columns in the file: {found}.")


def read_table(
    source: Source,
    text_column: Optional[str] = None,
    label_column: Optional[str] = None,
    max_bytes: int = MAX_BYTES,
    name: Optional[str] = None,
    require_labels: bool = True,
) -> ImportedTable:
    """Read a CSV/TSV file (path, bytes or binary file object) into ``text`` and ``label``.

    Args:
        source: A path, the file's bytes (e.g. from a Streamlit uploader) or a
            binary file object.
        text_column: Column holding the texts. Default: the non-numeric column
            with the longest mean length.
        label_column: Column holding the labels. Default: a column named like
            ``label``/``class``/``sentiment``/``target``, else the column with the
            fewest (at least two) distinct values.
        max_bytes: Refuse larger files. Default: 200 MB.
        name: File name to show in messages and to hint the delimiter
            (``.tsv`` means tab). Default: taken from ``source`` when possible.
        require_labels: ``False`` to read texts only (for prediction): a label
            column is then used only if named, one-column files are accepted and
            the table has no ``label`` column otherwise. Default: ``True``.

    Returns:
        An :class:`ImportedTable`.

    Raises:
        DatasetError: File not found or too large, not a table, a named column
            missing, or fewer than two classes left.

    >>> read_table(b"text,label\\nfine,1\\nbad,0\\n", name="x.csv").dataframe.dtypes["label"]
    dtype('int64')
    """
    data, display_name = _read_source(source, max_bytes)
    display_name = name or display_name
    if not data.strip():
        raise DatasetError(f"{display_name} is empty. Choose a CSV or TSV file with a header row and data rows.")
    text, encoding = decode_document(data)
    frame, delimiter = _parse(text, display_name, min_columns=2 if require_labels else 1)
    frame.columns = [str(column).strip() for column in frame.columns]
    # Short rows leave NaN in the missing cells; treat them as empty like any other blank cell.
    frame = frame.fillna("")
    if frame.empty:
        raise DatasetError(f"{display_name} has a header but no data rows.")

    suggested_text = _suggest_text_column(frame)
    text_column = text_column or suggested_text
    _require_column(frame, text_column, "texts")
    suggested_label = _suggest_label_column(frame, text_column)
    if require_labels:
        label_column = label_column or suggested_label
        if label_column is None:
            raise no_label_column(text_column, list(frame.columns))
    if label_column is not None:
        _require_column(frame, label_column, "labels")
        if label_column == text_column:
            raise DatasetError(f"The text and label columns must differ; both are {text_column!r}.")

    empty_text = frame[text_column].str.strip() == ""
    missing_label = _missing(frame[label_column]) & ~empty_text if label_column else pd.Series(False, index=frame.index)
    kept = frame[~empty_text & ~missing_label]
    table = pd.DataFrame({"text": kept[text_column].astype(str).to_numpy()})
    _refuse_numbers_as_texts(table["text"], text_column, list(frame.columns))
    if label_column:
        table["label"] = _convert_labels(kept[label_column]).to_numpy()
        if require_labels:
            require_classes(table["label"].unique().tolist(), label_column, int(empty_text.sum()), int(missing_label.sum()))
    return ImportedTable(
        dataframe=table,
        rows=kept.reset_index(drop=True),
        encoding=encoding,
        delimiter=delimiter,
        text_column=text_column,
        label_column=label_column,
        suggested_text_column=suggested_text,
        suggested_label_column=suggested_label,
        columns=list(frame.columns),
        rows_read=len(frame),
        dropped_empty_texts=int(empty_text.sum()),
        dropped_missing_labels=int(missing_label.sum()),
    )


def _refuse_numbers_as_texts(texts: pd.Series, column: str, columns: list[str]) -> None:
    """A text column that holds only numbers is almost always the wrong column (an id, a score)."""
    if len(texts) and texts.str.strip().str.fullmatch(r"[+-]?\d+(?:[.,]\d+)?").all():
        examples = ", ".join(repr(text) for text in texts.head(3))
        raise DatasetError(
            f"Column {column!r} holds only numbers (e.g. {examples}): there are no words to classify. "
            f"Pick the column with the texts (columns: {', '.join(map(repr, columns))})."
        )


def no_label_column(text_column: str, columns) -> DatasetError:
    """The error for a file where no column besides the texts could hold labels."""
    return DatasetError(
        f"Found no column that could hold labels besides {text_column!r} "
        f"(columns: {', '.join(map(repr, columns))}). Add a label column with at least two classes."
    )


def require_classes(classes: list, column: str, empty_texts: int, missing: int, where: str = "") -> None:
    """Refuse labels of fewer than two classes, saying how many rows were dropped on the way.

    ``where`` names the rows looked at (e.g. ``" in the training part"``). Default: the whole column.
    """
    if len(classes) < 2:
        found = f"only {classes[0]!r}" if classes else "no labels at all"
        raise DatasetError(
            f"Column {column!r} has {found}{where} after dropping {empty_texts} empty texts and "
            f"{missing} missing labels; a classifier needs at least 2 classes. "
            "Pick another label column or add examples of another class."
        )


def read_table_bytes(data: bytes, name: str, **options) -> ImportedTable:
    """Read an uploaded file's bytes; ``name`` is its file name (see :func:`read_table`).

    >>> read_table_bytes(b"t\\tl\\nyes\\ta\\nno\\tb\\n", "up.tsv").delimiter
    '\\t'
    """
    return read_table(data, name=name, **options)
