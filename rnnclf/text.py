"""Tokenizers that need no downloaded data.

nltk's ``word_tokenize`` needs the *punkt* model, which cannot be downloaded
offline, so rnnclf only offers tokenizers that are pure code:

- ``"tweet"``: the tokens of :class:`nltk.tokenize.TweetTokenizer` — keeps
  emoticons, hashtags, @mentions and contractions such as ``don't`` together.
  Default, because most sentiment text is informal. Computed by
  :class:`rnnclf.tweet_tokenizer.PiecewiseTweetTokenizer`: the same tokens,
  several times faster.
- ``"treebank"``: :class:`nltk.tokenize.TreebankWordTokenizer` — Penn Treebank
  conventions (``don't`` → ``do`` ``n't``); suits edited prose.
- ``"regexp"``: words and single punctuation marks, ``\\w+|[^\\w\\s]``.
- ``"jieba"``: Chinese word segmentation with jieba (its dictionary ships in
  the PyPI package; loaded once per process, about a second). Latin words,
  numbers and emoji in a Chinese text come out as tokens of their own.
- ``"char"``: one token per Chinese, Japanese or Korean character; runs of
  other letters and digits stay whole words. No dictionary, and no word is
  ever out of vocabulary because it was segmented differently.

Tokens keep the case of the original text so that explanations show the words a
person typed; lower-casing for the vocabulary happens in
:class:`rnnclf.encoding.TextEncoder`.

>>> tokenize("I didn't like it :(", "tweet")
['I', "didn't", 'like', 'it', ':(']
>>> tokenize("质量太差了, 5 stars 😀", "char")
['质', '量', '太', '差', '了', ',', '5', 'stars', '😀']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Sequence

from rnnclf.common import lookup
from rnnclf.errors import InputError

__all__ = ["TOKENIZERS", "tokenize", "normalize_whitespace", "get_tokenizer", "get_normalizing_tokenizer", "suggest_tokenizer"]

def _tweet() -> Callable[[str], list[str]]:
    from rnnclf.tweet_tokenizer import PiecewiseTweetTokenizer

    return PiecewiseTweetTokenizer()  # nltk's tokens, each distinct piece of text tokenized once


def _treebank() -> Callable[[str], list[str]]:
    from nltk.tokenize import TreebankWordTokenizer

    return TreebankWordTokenizer().tokenize


def _regexp() -> Callable[[str], list[str]]:
    from nltk.tokenize import RegexpTokenizer

    return RegexpTokenizer(r"\w+|[^\w\s]").tokenize


def _jieba() -> Callable[[str], list[str]]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    segmenter.initialize()  # the ~1 s dictionary load, once: get_tokenizer caches this function

    def tokenize(text: str) -> list[str]:
        return [token for token in segmenter.lcut(text) if not token.isspace()]

    return tokenize


# One CJK character (Han, kana, Hangul syllable) per token; other letters and digits by runs.
_CHARACTERS = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\u3040-\u30ff\uac00-\ud7af]"
    r"|[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+|[^\w\s]"
)


def _characters() -> Callable[[str], list[str]]:
    return _CHARACTERS.findall


TOKENIZERS: dict[str, Callable[[], Callable[[str], list[str]]]] = {
    "tweet": _tweet,
    "treebank": _treebank,
    "regexp": _regexp,
    "jieba": _jieba,
    "char": _characters,
}


@lru_cache(maxsize=None)
def get_tokenizer(name: str) -> Callable[[str], list[str]]:
    """Return the tokenizing function registered as ``name``."""
    return lookup(TOKENIZERS, name, "tokenizer", kind="tokenizer")()


@lru_cache(maxsize=None)
def get_normalizing_tokenizer(name: str) -> Callable[[str], list[str]]:
    """A function giving ``get_tokenizer(name)(normalize_whitespace(text))``, faster where the tokenizer can.

    >>> get_normalizing_tokenizer("regexp")(" one\\n two! ")
    ['one', 'two', '!']
    """
    tokenize = get_tokenizer(name)
    normalized_tokens = getattr(tokenize, "normalized_tokens", None)
    return normalized_tokens or (lambda text: tokenize(normalize_whitespace(text)))


# The tokenizer that reads each script well: jieba segments Chinese into words; Japanese and
# Korean (no segmenter bundled) are read character by character; everything else by TweetTokenizer.
_TOKENIZER_FOR_LANGUAGE = {"zh": "jieba", "ja": "char", "ko": "char"}
# Detecting the language of this many texts (evenly spaced) is plenty to choose a tokenizer.
_SUGGESTION_SAMPLE = 2000


def suggest_tokenizer(texts: Sequence[str]) -> str:
    """The tokenizer for the language most of ``texts`` are written in.

    >>> suggest_tokenizer(["质量很好", "物流太慢了", "ok"]), suggest_tokenizer(["great film", "dull"])
    ('jieba', 'tweet')
    """
    from rnnclf.language import language_shares

    texts = list(texts)
    step = max(1, len(texts) // _SUGGESTION_SAMPLE)
    shares = language_shares(str(text) for text in texts[::step])
    letters = {language: share for language, share in shares.items() if language != "none"}
    main = max(letters, key=letters.get) if letters else "latin"
    return _TOKENIZER_FOR_LANGUAGE.get(main, "tweet")


def normalize_whitespace(text: str) -> str:
    """Collapse runs of whitespace (including newlines and tabs) to one space and strip the ends.

    >>> normalize_whitespace("  good\\n\\tmovie  ")
    'good movie'
    """
    return " ".join(text.split())  # str.split and the old regular expression (\s+) agree on every whitespace character


def tokenize(text: str, tokenizer: str = "tweet") -> list[str]:
    """Split ``text`` into tokens with the named tokenizer (see module docstring)."""
    if not isinstance(text, str):
        raise InputError(f"Expected a string to tokenize. Received: {type(text).__name__}.")
    return get_tokenizer(tokenizer)(text)
