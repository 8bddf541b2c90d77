"""Classify files of any size in chunks: flat memory, results written as they come, progress as it goes.

:func:`read_text_chunks` reads a one-text-per-line file or a CSV/TSV column a
chunk of rows at a time; :func:`stream_predictions` classifies each chunk (one
length-bucketed pass, see :func:`rnnclf.batch.predict_records`) and hands its rows
to a writer before reading the next, so memory holds one chunk whatever the file
size. :class:`PredictionWriter` writes JSON lines or CSV to ``OUTPUT.partial`` and
renames it to ``OUTPUT`` only when every row is written — an interrupted run
leaves complete rows in the ``.partial`` file and never a half-written ``OUTPUT``.

>>> import io
>>> chunks = list(read_text_chunks(io.BytesIO(b"good film\\n\\nbad \\xff film\\n"), chunk_rows=2))
>>> [(chunk.start, chunk.texts, sorted(chunk.problems)) for chunk in chunks]
[(0, ['good film', ''], []), (2, ['bad \ufffd film'], [0])]
"""

from __future__ import annotations

import codecs
import csv
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from rnnclf.batch import COVERAGE_COLUMNS, flat_record, predict_records
from rnnclf.common import to_json
from rnnclf.data.decoding import decode_line, utf16_encoding

__all__ = ["TextChunk", "read_text_chunks", "read_csv_chunks", "CsvLayout", "csv_layout", "PredictionWriter", "StreamSummary",
           "stream_predictions", "CHUNK_ROWS"]

# Rows classified per step: big enough for full length buckets, small enough that memory stays flat.
CHUNK_ROWS = 2048
_SAMPLE_BYTES = 65536


@dataclass
class TextChunk:
    """Consecutive rows of the input: ``texts[i]`` is row ``start + i``; ``problems`` maps a chunk position to why it
    cannot be classified (e.g. not valid UTF-8); ``bytes_read`` is how far into the file the reader is; ``labels[i]``
    is row ``start + i``'s label cell as written (CSV chunks read with a label column only)."""

    start: int
    texts: list[str]
    problems: dict[int, str] = field(default_factory=dict)
    bytes_read: int = 0
    labels: list[str] | None = None


def read_text_chunks(source: str | Path | BinaryIO, chunk_rows: int = CHUNK_ROWS) -> Iterator[TextChunk]:
    """One text per line, ``chunk_rows`` lines at a time (line numbers in messages count from 1 over the whole file).

    Each line is decoded on its own, as :func:`rnnclf.data.decoding.decode_lines` does for a whole file;
    UTF-16 files (rare, and not line-splittable as bytes) are decoded whole.
    """
    handle = open(source, "rb") if isinstance(source, (str, Path)) else source
    try:
        head = handle.read(_SAMPLE_BYTES)
        if utf16_encoding(head):
            text = (head + handle.read()).decode(utf16_encoding(head), errors="replace").lstrip("\ufeff")
            lines = text.splitlines()
            for start in range(0, len(lines), chunk_rows):
                yield TextChunk(start, lines[start:start + chunk_rows], {}, len(head))
            return
        handle.seek(0)
        texts, problems, start, number, consumed = [], {}, 0, 0, 0
        for piece in handle:
            number += 1
            consumed += len(piece)
            if number == 1 and piece.startswith(codecs.BOM_UTF8):
                piece = piece[len(codecs.BOM_UTF8):]
            piece = piece[:-1] if piece.endswith(b"\n") else piece
            line = decode_line(number, piece[:-1] if piece.endswith(b"\r") else piece)
            if line.error:
                problems[len(texts)] = line.error
            texts.append(line.text)
            if len(texts) == chunk_rows:
                yield TextChunk(start, texts, problems, consumed)
                start, texts, problems = start + len(texts), [], {}
        if texts:
            yield TextChunk(start, texts, problems, consumed)
    finally:
        if isinstance(source, (str, Path)):
            handle.close()


def read_csv_chunks(path: str | Path, text_column: str, chunk_rows: int = CHUNK_ROWS) -> Iterator[TextChunk]:
    """The ``text_column`` of a CSV/TSV, ``chunk_rows`` rows at a time (see :func:`csv_layout`).

    Raises:
        DatasetError: the file cannot be used (the message says why and what to do).
    """
    return csv_layout(path, text_column).chunks(chunk_rows)


@dataclass(frozen=True)
class CsvLayout:
    """How to read a CSV/TSV a chunk at a time: its encoding, delimiter and the columns wanted.

    Made by :func:`csv_layout` from the file's start; :meth:`chunks` reads the
    whole file as often as asked (a training pass per epoch) without holding it.
    """

    path: Path
    encoding: str
    delimiter: str
    text_column: str
    label_column: str | None = None
    columns: tuple[str, ...] = ()

    def chunks(self, chunk_rows: int = CHUNK_ROWS) -> Iterator[TextChunk]:
        """:class:`TextChunk` s of ``chunk_rows`` rows in file order, with ``labels`` when there is a label column.

        Quoted cells may hold newlines and delimiters; a row is never cut between two chunks.
        """
        import pandas as pd

        wanted = {self.text_column, self.label_column} - {None}
        with open(self.path, "rb") as raw:
            # Column names are compared stripped, as read_table shows them (" label" in a header is 'label').
            reader = pd.read_csv(raw, sep=self.delimiter, usecols=lambda name: str(name).strip() in wanted, dtype=str,
                                 keep_default_na=False, encoding=self.encoding, encoding_errors="replace",
                                 chunksize=chunk_rows)
            start = 0
            for frame in reader:
                frame.columns = [str(column).strip() for column in frame.columns]
                texts = frame[self.text_column].tolist()
                # A short row leaves its label cell NaN: a missing label like any blank one.
                labels = frame[self.label_column].fillna("").tolist() if self.label_column else None
                yield TextChunk(start, texts, {}, raw.tell(), labels)
                start += len(texts)


def csv_layout(path: str | Path, text_column: str | None = None, label_column: str | None = None, *,
               labels: bool = False) -> CsvLayout:
    """Check a CSV/TSV from its start and say how to read it in chunks.

    The file's start (up to 64 KB, cut at a line end) goes through
    :func:`rnnclf.data.csv_import.read_table_bytes` first, so a file it would refuse
    (empty, binary, missing or repeated column …) is refused here with the same
    message before anything else happens; its encoding and delimiter then read the rest.

    Args:
        path: the file.
        text_column: the column of texts. Default: guessed as ``read_table`` guesses it.
        label_column: the column of labels. Default: guessed when ``labels`` is true, else none.
        labels: the caller needs a label column (training).

    Raises:
        DatasetError: the file cannot be used (the message says why and what to do).

    Example:
        >>> layout = csv_layout("reviews.csv", "review", labels=True)  # doctest: +SKIP
        >>> layout.label_column, [len(chunk.texts) for chunk in layout.chunks(1000)]  # doctest: +SKIP
        ('stars', [1000, 1000, 347])
    """
    from rnnclf.data.csv_import import (
        label_named_column,
        no_label_column,
        read_table_bytes,
    )

    path = Path(path)
    with open(path, "rb") as handle:
        sample = handle.read(_SAMPLE_BYTES + 1)
    if len(sample) > _SAMPLE_BYTES:
        sample = sample[:_SAMPLE_BYTES]
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    # Labels are checked on the whole file by whoever reads them: a file sorted by label has one class in its start.
    table = read_table_bytes(sample, path.name, text_column=text_column, label_column=label_column, require_labels=False)
    label_column = table.label_column
    if labels and label_column is None:
        # The start of a file sorted by label holds one class, too few for a guess by values: a name still tells.
        label_column = table.suggested_label_column or label_named_column(table.columns, table.text_column)
        if label_column is None:
            raise no_label_column(table.text_column, table.columns)
    return CsvLayout(path, table.encoding, table.delimiter, table.text_column, label_column, tuple(table.columns))


@dataclass
class StreamSummary:
    """What :func:`stream_predictions` did: rows read and classified, why others were skipped, how fast."""

    rows: int = 0
    classified: int = 0
    empty: int = 0
    undecodable: list[int] = field(default_factory=list)
    warned: int = 0
    seconds: float = 0.0

    @property
    def texts_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def skipped_note(self) -> str | None:
        """One line saying which rows were not classified and why, or ``None``.

        >>> StreamSummary(rows=3, classified=1, empty=1, undecodable=[2]).skipped_note()
        "note: 2 of 3 lines were not classified (1 empty, 1 not valid UTF-8: line 3); see the 'error' field"
        """
        skipped = self.rows - self.classified
        if not skipped:
            return None
        reasons = [f"{self.empty} empty"] if self.empty else []
        if self.undecodable:
            numbers = ", ".join(str(row + 1) for row in self.undecodable[:10]) + (", …" if len(self.undecodable) > 10 else "")
            reasons.append(f"{len(self.undecodable)} not valid UTF-8: line{'s' if len(self.undecodable) > 1 else ''} {numbers}")
        return f"note: {skipped} of {self.rows} lines were not classified ({', '.join(reasons)}); see the 'error' field"


class PredictionWriter:
    """Writes prediction rows as JSON lines or CSV, to a file (via ``OUTPUT.partial``) or a stream.

    Use as a context manager: leaving it normally renames ``OUTPUT.partial`` to ``OUTPUT``;
    leaving it on an exception (Ctrl+C included) keeps the ``.partial`` file, whose rows are all
    complete (or removes it when no row was written), and the previous ``OUTPUT`` (if any) untouched.
    """

    def __init__(self, labels: list[str], *, as_json: bool, path: str | Path | None = None, stream=None, digits: int = 6):
        self.labels, self.as_json, self.digits = list(labels), as_json, digits
        self.path = Path(path) if path is not None else None
        self.partial = self.path.with_name(self.path.name + ".partial") if self.path else None
        self._stream, self._own = stream, False
        self._header = ["text", "label", *[f"p_{label}" for label in self.labels], *COVERAGE_COLUMNS, "error"]
        self._csv = None
        self.rows_written = 0

    def __enter__(self) -> "PredictionWriter":
        if self.partial is not None:
            self._stream, self._own = open(self.partial, "w", encoding="utf-8", newline=""), True
        if not self.as_json:
            self._csv = csv.writer(self._stream)
            self._csv.writerow(self._header)
        return self

    def write(self, rows: list[dict]) -> None:
        """Write ``rows`` (results of :func:`~rnnclf.batch.predict_records`) and flush, so they are on disk."""
        if self.as_json:
            self._stream.write("".join(to_json(row) + "\n" for row in rows))
        else:
            for row in rows:
                record = flat_record(row, self.labels, digits=self.digits)
                self._csv.writerow(["" if record[column] is None else record[column] for column in self._header])
        self._stream.flush()
        self.rows_written += len(rows)

    def __exit__(self, kind, error, traceback) -> None:
        if self._own:
            self._stream.close()
            if kind is None:
                os.replace(self.partial, self.path)
            elif not self.rows_written:  # nothing worth keeping
                self.partial.unlink(missing_ok=True)


def stream_predictions(classifier, chunks, write: Callable[[list[dict]], None], *,
                       progress: Callable[[StreamSummary, int], None] | None = None) -> StreamSummary:
    """Classify every chunk of ``chunks`` (:class:`TextChunk`) and pass its rows to ``write``, in input order.

    Args:
        classifier: a fitted classifier (anything :func:`~rnnclf.batch.predict_records` accepts).
        chunks: an iterable of :class:`TextChunk`, e.g. :func:`read_text_chunks`.
        write: receives each chunk's result rows, e.g. :meth:`PredictionWriter.write`.
        progress: called after each chunk with the running summary and the bytes read so far.

    Example:
        >>> rows = []
        >>> summary = stream_predictions(classifier, read_text_chunks("texts.txt"), rows.extend)  # doctest: +SKIP
        >>> summary.rows == len(rows)  # doctest: +SKIP
        True
    """
    summary, started = StreamSummary(), time.perf_counter()
    for chunk in chunks:
        rows = predict_records(classifier, chunk.texts, problems=chunk.problems)
        write(rows)
        summary.rows += len(rows)
        summary.classified += sum(1 for row in rows if not row.get("error"))
        summary.empty += sum(1 for row in rows if row.get("error") in ("empty text", "missing text"))
        summary.undecodable += [chunk.start + position for position in sorted(chunk.problems)]
        summary.warned += sum(1 for row in rows if row.get("warnings"))
        summary.seconds = time.perf_counter() - started
        if progress is not None:
            progress(summary, chunk.bytes_read)
    return summary
