"""Tokenizers that need no downloaded data.

nltk's ``word_tokenize`` needs the *punkt* model, which cannot be downloaded
offline, so rnnclf only offers tokenizers that are pure code:

- ``"tweet"``: :class:`nltk.tokenize.TweetTokenizer` — keeps emoticons,
  hashtags, @mentions and contractions such as ``don't`` together. Default,
  because most sentiment text is informal.
- ``"treebank"``: :class:`nltk.tokenize.TreebankWordTokenizer` — Penn Treebank
  conventions (``don't`` → ``do`` ``n't``); suits edited prose.
- ``"regexp"``: words and single punctuation marks, ``\\w+|[^\\w\\s]``.

Tokens keep the case of the original text so that explanations show the words a
person typed; lower-casing for the vocabulary happens in
:class:`rnnclf.encoding.TextEncoder`.

>>> tokenize("I didn't like it :(", "tweet")
['I', "didn't", 'like', 'it', ':(']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from rnnclf.common import lookup
from rnnclf.errors import InputError

__all__ = ["TOKENIZERS", "tokenize", "normalize_whitespace", "get_tokenizer"]

_WHITESPACE = re.compile(r"\s+")


def _tweet() -> Callable[[str], list[str]]:
    from nltk.tokenize import TweetTokenizer

    return TweetTokenizer(preserve_case=True).tokenize


def _treebank() -> Callable[[str], list[str]]:
    from nltk.tokenize import TreebankWordTokenizer

    return TreebankWordTokenizer().tokenize


def _regexp() -> Callable[[str], list[str]]:
    from nltk.tokenize import RegexpTokenizer

    return RegexpTokenizer(r"\w+|[^\w\s]").tokenize


TOKENIZERS: dict[str, Callable[[], Callable[[str], list[str]]]] = {
    "tweet": _tweet,
    "treebank": _treebank,
    "regexp": _regexp,
}


@lru_cache(maxsize=None)
def get_tokenizer(name: str) -> Callable[[str], list[str]]:
    """Return the tokenizing function registered as ``name``."""
    return lookup(TOKENIZERS, name, "tokenizer", kind="tokenizer")()


def normalize_whitespace(text: str) -> str:
    """Collapse runs of whitespace (including newlines and tabs) to one space and strip the ends.

    >>> normalize_whitespace("  good\\n\\tmovie  ")
    'good movie'
    """
    return _WHITESPACE.sub(" ", text).strip()


def tokenize(text: str, tokenizer: str = "tweet") -> list[str]:
    """Split ``text`` into tokens with the named tokenizer (see module docstring)."""
    if not isinstance(text, str):
        raise InputError(f"Expected a string to tokenize. Received: {type(text).__name__}.")
    return get_tokenizer(tokenizer)(text)
