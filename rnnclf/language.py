"""Which writing system a text is in, from its letters alone (no model, no download).

Script is what decides whether a model can read a text at all: a model trained
on English has never seen a Chinese character, and its tokenizer does not even
split Chinese into words. So rnnclf tells scripts apart — enough to warn, and to
pick the right default model — rather than guessing languages within a script.

Codes: ``"zh"`` (Han characters without kana: Chinese), ``"ja"`` (kana, with or
without Han), ``"ko"`` (Hangul), ``"latin"`` (English, French, Spanish, …),
``"cyrillic"``, ``"greek"``, ``"arabic"``, ``"hebrew"``, ``"devanagari"``,
``"thai"``, and ``"none"`` for a text with no letters (digits, emoji, punctuation).

>>> detect_language("这个产品质量太差了，非常失望")
'zh'
>>> detect_language("What a lovely little cafe!"), detect_language("😀 !!"), detect_language("とても良い")
('latin', 'none', 'ja')
>>> language_shares(["good film", "很好", "bad film", "great"])
{'latin': 0.75, 'zh': 0.25}
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from typing import Iterable

import numpy as np

__all__ = ["LANGUAGE_NAMES", "LANGUAGE_SAMPLE", "EvenlySpacedSample", "detect_language", "evenly_spaced", "language_shares",
           "main_languages", "script_of"]

LANGUAGE_NAMES = {
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "latin": "Latin-script (English, …)",
    "cyrillic": "Cyrillic-script",
    "greek": "Greek",
    "arabic": "Arabic-script",
    "hebrew": "Hebrew",
    "devanagari": "Devanagari-script",
    "thai": "Thai",
    "other": "another script",
    "none": "no letters",
}

# Unicode blocks, (first, last) code point → script. Han covers the unified ideographs
# and their extension A and compatibility block; kana and Hangul decide ja / ko.
_RANGES = (
    (0x3400, 0x4DBF, "han"), (0x4E00, 0x9FFF, "han"), (0xF900, 0xFAFF, "han"), (0x20000, 0x2FA1F, "han"),
    (0x3040, 0x309F, "kana"), (0x30A0, 0x30FF, "kana"), (0x31F0, 0x31FF, "kana"), (0xFF66, 0xFF9F, "kana"),
    (0x1100, 0x11FF, "hangul"), (0x3130, 0x318F, "hangul"), (0xAC00, 0xD7AF, "hangul"),
    (0x0370, 0x03FF, "greek"), (0x0400, 0x052F, "cyrillic"), (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"), (0x0750, 0x077F, "arabic"), (0x0900, 0x097F, "devanagari"), (0x0E00, 0x0E7F, "thai"),
)
# A text counts as Japanese as soon as kana make up this share of its CJK letters
# (Japanese mixes kanji with kana; Chinese has none).
_KANA_SHARE_FOR_JAPANESE = 0.1
# A language makes a model's "own" languages when at least this share of its training texts use it.
MAIN_LANGUAGE_SHARE = 0.05


def script_of(character: str) -> str | None:
    """The script of one character (``"han"``, ``"kana"``, ``"latin"`` …) or ``None`` if it is not a letter.

    >>> script_of("好"), script_of("é"), script_of("7"), script_of("😀")
    ('han', 'latin', None, None)
    """
    point = ord(character)
    for first, last, script in _RANGES:
        if first <= point <= last:
            return script
    if not character.isalpha():
        return None
    name = unicodedata.name(character, "")
    return "latin" if name.startswith(("LATIN", "FULLWIDTH LATIN")) else "other"


# script_of is pure and texts reuse few distinct characters: remembering it makes detection cheap.
_cached_script_of = functools.lru_cache(maxsize=1 << 16)(script_of)
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> str:
    """The code of the script most of ``text``'s letters are written in (see the module docstring)."""
    if text.isascii():  # every ASCII letter is Latin: no need to look at each character
        return "latin" if _ASCII_LETTER.search(text) else "none"
    counts = Counter(script for script in map(_cached_script_of, text) if script is not None)
    if not counts:
        return "none"
    cjk = counts["han"] + counts["kana"]
    if counts["kana"] and counts["kana"] >= _KANA_SHARE_FOR_JAPANESE * cjk:
        counts["ja"] = cjk
        del counts["han"], counts["kana"]
    elif counts["han"]:
        counts["zh"] = counts.pop("han")
    if "hangul" in counts:
        counts["ko"] = counts.pop("hangul")
    # One Han character weighs like a whole Latin word (about five letters).
    weights = {script: count * (5 if script in ("zh", "ja", "ko") else 1) for script, count in counts.items()}
    return max(sorted(weights), key=weights.get)


def language_shares(texts: Iterable[str]) -> dict[str, float]:
    """Share of ``texts`` detected as each language, largest first (rounded to 4 places)."""
    counts = Counter(detect_language(text) for text in texts)
    total = sum(counts.values())
    return {language: round(count / total, 4) for language, count in counts.most_common()} if total else {}


def main_languages(shares: dict[str, float]) -> list[str]:
    """The languages of ``shares`` that a model can be said to know (``"none"`` left out).

    >>> main_languages({"latin": 0.97, "zh": 0.01, "none": 0.02})
    ['latin']
    """
    return [language for language, share in shares.items() if share >= MAIN_LANGUAGE_SHARE and language != "none"]


# Detecting the language of this many training texts (evenly spaced) is plenty and takes well under a second.
LANGUAGE_SAMPLE = 5000


def evenly_spaced(items: list, count: int) -> list:
    """At most ``count`` of ``items``, evenly spaced from the first to the last.

    >>> evenly_spaced(list(range(10)), 4)
    [0, 3, 6, 9]
    """
    if len(items) <= count:
        return items
    return [items[index] for index in np.linspace(0, len(items) - 1, count).astype(int)]


class EvenlySpacedSample:
    """An evenly spaced sample of a stream whose length is unknown, in bounded memory.

    Keeps every ``stride``-th item; when more than ``2 * size`` are kept it drops
    every other one and doubles the stride, so the kept items stay evenly spaced
    over everything seen so far. :attr:`items` ends with at most ``size`` of them.

    >>> sample = EvenlySpacedSample(3)
    >>> sample.add(range(13))
    >>> sample.items, sample.stride
    ([0, 4, 12], 4)
    """

    def __init__(self, size: int):
        self.size, self.stride, self.seen, self._kept = int(size), 1, 0, []

    def add(self, items: Iterable) -> None:
        for item in items:
            if self.seen % self.stride == 0:
                self._kept.append(item)
                if len(self._kept) > 2 * self.size:
                    self._kept, self.stride = self._kept[::2], self.stride * 2
            self.seen += 1

    @property
    def items(self) -> list:
        return evenly_spaced(self._kept, self.size)
