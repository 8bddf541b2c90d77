"""Text → padded integer ids, with the tokens kept for explanations.

:class:`TextEncoder` tokenizes with a data-free nltk tokenizer, fits a
vocabulary on training texts and turns texts into id sequences. Ids 0 and 1 are
reserved: ``0`` is padding (masked by ``Embedding(mask_zero=True)``) and ``1`` is
the out-of-vocabulary token.

>>> encoder = TextEncoder(max_length=6).fit(["a good film", "a bad film"])
>>> encoder.vocabulary_[:2]
['<pad>', '<unk>']
>>> encoder.transform(["A GOOD plot"]).tolist()
[[2, 5, 1, 0, 0, 0]]
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from rnnclf.common import collection_paused
from rnnclf.errors import InputError
from rnnclf.text import get_normalizing_tokenizer, get_tokenizer

__all__ = ["TextEncoder", "EncodedText", "histogram_percentile", "PAD_ID", "OOV_ID", "PAD_TOKEN", "OOV_TOKEN"]

PAD_ID = 0
OOV_ID = 1
PAD_TOKEN = "<pad>"
OOV_TOKEN = "<unk>"

# Texts longer than this many characters are cut before tokenizing: a 1 MB paste
# must not stall the app, and a model never reads more than ``max_length``
# tokens anyway (a token is rarely longer than ~40 characters).
CHARACTERS_PER_TOKEN_LIMIT = 40
MIN_CHARACTER_LIMIT = 20_000

_PADDING_CHOICES = ("pre", "post")


class _TokenIds(dict):
    """token (as written) → vocabulary id, looked up (lower-cased if asked) on first sight.

    Bounded like the tokenizer's piece memory: reset when it holds :data:`TOKEN_ID_CACHE_SIZE` tokens.
    """

    def __init__(self, index: dict[str, int], lowercase: bool):
        super().__init__()
        self.index, self.lowercase = index, lowercase
        self.reset()

    def reset(self) -> None:
        """Forget the tokens seen; keep the vocabulary's own spellings (those lower-casing leaves alone), which
        most tokens are."""
        self.clear()
        self.update((token, token_id) for token, token_id in self.index.items()
                    if not self.lowercase or token == token.lower())

    def __missing__(self, token: str) -> int:
        token_id = self.index.get(token.lower() if self.lowercase else token, OOV_ID)
        if len(self) >= TOKEN_ID_CACHE_SIZE:
            self.reset()
        self[token] = token_id
        return token_id

    def __reduce__(self):  # copies and pickles start empty
        return type(self), (self.index, self.lowercase)


# Distinct tokens (as written) whose id an encoder remembers.
TOKEN_ID_CACHE_SIZE = 1 << 17


@dataclass(slots=True)  # no per-instance dict: batch prediction makes one per text
class EncodedText:
    """One encoded text: what the model reads and what a person sees.

    Attributes:
        tokens: the tokens the model reads, in the original case.
        ids: their vocabulary ids (``1`` for out-of-vocabulary tokens).
        dropped_tokens: tokens cut by truncation (never seen by the model).
        characters_cut: how many trailing characters were cut before tokenizing.
    """

    tokens: list[str]
    ids: list[int]
    dropped_tokens: list[str] = field(default_factory=list)
    characters_cut: int = 0

    @property
    def truncated(self) -> bool:
        return bool(self.dropped_tokens) or self.characters_cut > 0

    @property
    def oov_mask(self) -> list[bool]:
        return [token_id == OOV_ID for token_id in self.ids]


class TextEncoder:
    """Tokenize, build a vocabulary, encode and pad texts.

    Args:
        tokenizer: ``"tweet"``, ``"treebank"`` or ``"regexp"`` (see :mod:`rnnclf.text`).
            Default: ``"tweet"``.
        lowercase: look tokens up in lower case. Default: ``True``.
        normalize_whitespace: collapse whitespace before tokenizing. Default: ``True``.
        max_tokens: vocabulary size including the two reserved ids. Default: ``20000``.
        min_frequency: drop tokens seen fewer times in training. Default: ``1``.
        max_length: fixed sequence length, or ``None`` to choose it from the
            training length distribution (see ``length_percentile``). Default: ``None``.
        length_percentile: percentile of training token counts used when
            ``max_length`` is ``None``. Default: ``99``.
        padding: ``"post"`` (default; required for masked RNNs to behave) or ``"pre"``.
        truncating: ``"post"`` keeps the beginning of long texts (default), ``"pre"`` the end.

    Example:
        >>> enc = TextEncoder(max_length=4).fit(["so good", "so bad"])
        >>> enc.encode("so so good!").tokens
        ['so', 'so', 'good', '!']
    """

    def __init__(
        self,
        *,
        tokenizer: str = "tweet",
        lowercase: bool = True,
        normalize_whitespace: bool = True,
        max_tokens: int = 20000,
        min_frequency: int = 1,
        max_length: int | None = None,
        length_percentile: float = 99.0,
        padding: str = "post",
        truncating: str = "post",
    ):
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.normalize_whitespace = normalize_whitespace
        self.max_tokens = max_tokens
        self.min_frequency = min_frequency
        self.max_length = max_length
        self.length_percentile = length_percentile
        self.padding = padding
        self.truncating = truncating
        self._validate()

    # ------------------------------------------------------------------ checks
    def _validate(self) -> None:
        get_tokenizer(self.tokenizer)  # raises with the allowed names
        for name in ("padding", "truncating"):
            value = getattr(self, name)
            if value not in _PADDING_CHOICES:
                raise InputError(f"Received: {name}={value!r}; expected 'pre' or 'post'.")
        if int(self.max_tokens) < 3:
            raise InputError(f"Received: max_tokens={self.max_tokens}; expected at least 3 (2 ids are reserved).")
        if int(self.min_frequency) < 1:
            raise InputError(f"Received: min_frequency={self.min_frequency}; expected at least 1.")
        if self.max_length is not None and int(self.max_length) < 1:
            raise InputError(f"Received: max_length={self.max_length}; expected a positive integer or None.")
        if not 0 < float(self.length_percentile) <= 100:
            raise InputError(f"Received: length_percentile={self.length_percentile}; expected a value in (0, 100].")

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "vocabulary_")

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise InputError("This TextEncoder is not fitted yet: call fit(texts) first.")

    # --------------------------------------------------------------- tokenizing
    def _character_limit(self) -> int:
        length = getattr(self, "max_length_", None) or self.max_length or 0
        return max(MIN_CHARACTER_LIMIT, length * CHARACTERS_PER_TOKEN_LIMIT)

    def _tokenizing_function(self) -> Callable[[str], list[str]]:
        """The tokenizer, normalising whitespace first when the encoder does."""
        return (get_normalizing_tokenizer if self.normalize_whitespace else get_tokenizer)(self.tokenizer)

    def _split_all(self, texts: Iterable[str]) -> Iterator[tuple[list[str], int]]:
        """``split`` of every text, with the per-text lookups done once."""
        tokenize, limit = self._tokenizing_function(), self._character_limit()
        for text in texts:
            if not isinstance(text, str):
                raise InputError(f"Expected text as a string. Received: {type(text).__name__} {text!r:.50}.")
            if len(text) > limit:
                yield tokenize(text[:limit]), len(text) - limit
            else:
                yield tokenize(text), 0

    def split(self, text: str) -> tuple[list[str], int]:
        """Tokenize one text; return its tokens (original case) and the characters cut."""
        return next(self._split_all([text]))

    def _set_vocabulary(self, vocabulary: list[str]) -> None:
        self.vocabulary_ = vocabulary
        self._index = {token: position for position, token in enumerate(vocabulary)}
        self._token_ids = _TokenIds(self._index, bool(self.lowercase))

    # ------------------------------------------------------------------ fitting
    def fit(self, texts: Iterable[str], *, starting_vocabulary: Sequence[str] | None = None) -> "TextEncoder":
        """Build the vocabulary (and ``max_length_`` if not fixed) from training texts.

        Args:
            texts: training texts.
            starting_vocabulary: another encoder's ``vocabulary_`` to keep as it is
                (same ids — what a transfer from a saved run needs); the texts' own
                tokens it lacks follow, at most ``max_tokens - 2`` of them.
        """
        self._validate()
        token_counts, length_counts = self.count_texts(texts)
        return self.fit_counts(token_counts, length_counts, starting_vocabulary=starting_vocabulary)

    def count_texts(self, texts: Iterable[str], token_counts: Counter | None = None,
                    length_counts: Counter | None = None) -> tuple[Counter, Counter]:
        """Add ``texts`` to running counts: ``(token → occurrences, token count of a text → texts)``.

        What :meth:`fit_counts` needs, gathered a chunk at a time when the texts do
        not fit in memory (the counters grow with the vocabulary, not with the rows).

        >>> tokens, lengths = TextEncoder().count_texts(["So good", "so so bad"])
        >>> tokens["so"], dict(lengths)
        (3, {2: 1, 3: 1})
        """
        token_counts = Counter() if token_counts is None else token_counts
        length_counts = Counter() if length_counts is None else length_counts
        for tokens, _ in self._split_all(texts):
            token_counts.update(map(str.lower, tokens) if self.lowercase else tokens)
            length_counts[len(tokens)] += 1
        return token_counts, length_counts

    def fit_counts(self, token_counts: Mapping[str, int], length_counts: Mapping[int, int], *,
                   starting_vocabulary: Sequence[str] | None = None) -> "TextEncoder":
        """Fit from counts instead of texts: the same ``vocabulary_``, ``max_length_`` and ``length_stats_`` as
        :meth:`fit` on the texts the counts came from (see :meth:`count_texts`).

        Args:
            token_counts: occurrences of each token (already lower-cased when ``lowercase``).
            length_counts: how many texts have each token count.
            starting_vocabulary: as in :meth:`fit`.

        >>> counted = TextEncoder(max_length=4).fit_counts({"so": 3, "good": 1, "bad": 1}, {2: 1, 3: 1})
        >>> counted.vocabulary_ == TextEncoder(max_length=4).fit(["So good", "so so bad"]).vocabulary_
        True
        """
        self._validate()
        texts = sum(int(count) for count in length_counts.values())
        if not texts:
            raise InputError("Cannot fit a TextEncoder on zero texts: pass at least one training text.")
        # Most frequent first; ties broken alphabetically so the vocabulary is reproducible.
        ranked = sorted(
            (item for item in token_counts.items() if item[1] >= self.min_frequency),
            key=lambda item: (-item[1], item[0]),
        )
        if starting_vocabulary is not None:
            starting = list(starting_vocabulary)
            if starting[:2] != [PAD_TOKEN, OOV_TOKEN]:
                raise InputError("starting_vocabulary must be a fitted encoder's vocabulary_ (it starts with '<pad>', '<unk>').")
            known = set(starting)
            kept = [token for token, _ in ranked if token not in known][: int(self.max_tokens) - 2]
            self._set_vocabulary(starting + kept)
        else:
            kept = [token for token, _ in ranked[: int(self.max_tokens) - 2]]
            self._set_vocabulary([PAD_TOKEN, OOV_TOKEN] + kept)
        lengths, counts = _sorted_histogram(length_counts)
        if self.max_length is not None:
            self.max_length_ = int(self.max_length)
        else:
            # A percentile, not the maximum: one 5,000-token outlier must not make
            # every batch 5,000 steps long.
            self.max_length_ = max(1, int(math.ceil(histogram_percentile(lengths, counts, self.length_percentile))))
        self.length_stats_ = {
            "texts": texts,
            # The exact integer total over the count, as np.mean of the lengths gives it (sums of integers are exact).
            "mean": sum(int(length) * int(count) for length, count in zip(lengths, counts)) / texts,
            "p50": histogram_percentile(lengths, counts, 50),
            "p95": histogram_percentile(lengths, counts, 95),
            "p99": histogram_percentile(lengths, counts, 99),
            "max": int(lengths[-1]),
        }
        return self

    @property
    def vocabulary_size(self) -> int:
        self._check_fitted()
        return len(self.vocabulary_)

    # ----------------------------------------------------------------- encoding
    def encode(self, text: str) -> EncodedText:
        """Encode one text to ids, truncated to ``max_length_`` (not padded)."""
        return self.encode_many([text])[0]

    def encode_many(self, texts: Iterable[str]) -> list[EncodedText]:
        """``[encode(text) for text in texts]``, with the per-text lookups done once."""
        self._check_fitted()
        limit, keep_start, ids_of = self.max_length_, self.truncating == "post", self._token_ids.__getitem__
        encoded = []
        with collection_paused():  # lists of tokens and ids hold no reference cycles
            for tokens, characters_cut in self._split_all(texts):
                if len(tokens) <= limit:
                    dropped: list[str] = []
                elif keep_start:
                    tokens, dropped = tokens[:limit], tokens[limit:]
                else:
                    tokens, dropped = tokens[-limit:], tokens[:-limit]
                encoded.append(EncodedText(tokens, list(map(ids_of, tokens)), dropped, characters_cut))
        return encoded

    def encode_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Encode many texts to unpadded id lists (``encode(text).ids`` for each, without the rest)."""
        self._check_fitted()
        limit, keep_start, ids_of = self.max_length_, self.truncating == "post", self._token_ids.__getitem__
        sequences = []
        with collection_paused():  # lists of ids hold no reference cycles
            for tokens, _ in self._split_all(texts):
                if len(tokens) > limit:
                    tokens = tokens[:limit] if keep_start else tokens[-limit:]
                sequences.append(list(map(ids_of, tokens)))
        return sequences

    def pad(self, sequences: Sequence[Sequence[int]], length: int | None = None) -> np.ndarray:
        """Pad/truncate id lists to ``length`` (default ``max_length_``) with the configured sides."""
        import keras  # deferred: importing keras costs seconds and encoding alone needs none of it

        self._check_fitted()
        length = self.max_length_ if length is None else int(length)
        if len(sequences) == 0:
            return np.zeros((0, length), dtype="int32")
        return keras.utils.pad_sequences(
            sequences, maxlen=length, dtype="int32", padding=self.padding, truncating=self.truncating, value=PAD_ID
        )

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Encode and pad texts to a ``(len(texts), max_length_)`` int32 array."""
        return self.pad(self.encode_ids(list(texts)))

    def fit_transform(self, texts: Sequence[str]) -> np.ndarray:
        return self.fit(texts).transform(texts)

    # ------------------------------------------------------------- persistence
    def get_config(self) -> dict:
        """JSON-safe config: constructor arguments plus the fitted state (if any)."""
        config = {
            "tokenizer": self.tokenizer,
            "lowercase": bool(self.lowercase),
            "normalize_whitespace": bool(self.normalize_whitespace),
            "max_tokens": int(self.max_tokens),
            "min_frequency": int(self.min_frequency),
            "max_length": None if self.max_length is None else int(self.max_length),
            "length_percentile": float(self.length_percentile),
            "padding": self.padding,
            "truncating": self.truncating,
        }
        if self.is_fitted:
            config["vocabulary"] = list(self.vocabulary_)
            config["fitted_max_length"] = int(self.max_length_)
            config["length_stats"] = dict(self.length_stats_)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "TextEncoder":
        """Rebuild an encoder (fitted if the config carries a vocabulary)."""
        config = dict(config)
        vocabulary = config.pop("vocabulary", None)
        fitted_max_length = config.pop("fitted_max_length", None)
        length_stats = config.pop("length_stats", None)
        encoder = cls(**config)
        if vocabulary is not None:
            if vocabulary[:2] != [PAD_TOKEN, OOV_TOKEN] or len(set(vocabulary)) != len(vocabulary):
                raise InputError("Encoder config is corrupt: the vocabulary must start with '<pad>', '<unk>' and hold no duplicates.")
            encoder._set_vocabulary(list(vocabulary))
            encoder.max_length_ = int(fitted_max_length)
            encoder.length_stats_ = length_stats or {}
        return encoder

    def to_json(self) -> str:
        return json.dumps(self.get_config(), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "TextEncoder":
        return cls.from_config(json.loads(text))

    def __repr__(self) -> str:
        state = f", vocabulary_size={len(self.vocabulary_)}, max_length_={self.max_length_}" if self.is_fitted else ""
        return f"TextEncoder(tokenizer={self.tokenizer!r}, max_tokens={self.max_tokens}{state})"


def _sorted_histogram(length_counts: Mapping[int, int]) -> tuple[list[int], list[int]]:
    """The lengths that occur, ascending, and how many texts have each."""
    pairs = sorted((int(length), int(count)) for length, count in length_counts.items() if count)
    return [length for length, _ in pairs], [count for _, count in pairs]


def histogram_percentile(values: Sequence[int], counts: Sequence[int], percentile: float) -> float:
    """``np.percentile`` of the data a histogram describes, to the last bit, without expanding it.

    ``values`` ascending, ``counts[i]`` occurrences of ``values[i]``. Follows numpy's
    default (``method="linear"``) step by step: the virtual index ``(n - 1) * q``,
    its two neighbouring order statistics, and numpy's interpolation (which
    counts back from the upper neighbour when the fraction is at least one half).

    >>> histogram_percentile([1, 2, 10], [2, 1, 1], 50) == float(np.percentile([1, 1, 2, 10], 50))
    True
    """
    total = sum(counts)
    if not total:
        raise InputError("Cannot take a percentile of an empty histogram: it needs at least one value.")
    q = float(percentile) / 100
    virtual = (total - 1) * q
    if virtual >= total - 1:
        return float(values[-1])
    below = math.floor(virtual)
    ends = np.cumsum(counts)  # ends[i] = order statistics up to and including values[i]
    lower, upper = (int(values[int(np.searchsorted(ends, index, side="right"))]) for index in (below, below + 1))
    fraction, difference = virtual - below, upper - lower
    return float(upper - difference * (1 - fraction)) if fraction >= 0.5 else float(lower + difference * fraction)
