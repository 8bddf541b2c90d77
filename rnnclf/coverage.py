"""How much of a text the model actually knows, and when its answer should not be trusted.

A recurrent classifier reads every word it does not know as the same ``<unk>``
vector, and still answers with a probability. A text made only of unknown words
— a Chinese review shown to an English model, a string of typos, one emoji —
gets an answer that says nothing about the text. So every prediction carries
its word coverage and, when that coverage is low or the text is in a language
the model was not trained on, a list of warnings.

Thresholds: no known token at all → "this answer is a guess"; fewer than
:data:`LOW_COVERAGE` (half) of the tokens known → "treat it with caution".

>>> from rnnclf.encoding import TextEncoder
>>> encoder = TextEncoder(max_length=10).fit(["good film", "bad film"])
>>> report = word_coverage(encoder.encode("qwzx plorf blarg"), "qwzx plorf blarg", ["latin"])
>>> report.known_tokens, report.total_tokens, report.coverage, report.warnings
(0, 3, 0.0, ['The model knows none of these words: this answer is a guess.'])
>>> word_coverage(encoder.encode("good film, 好"), "good film, 好", ["latin"]).unknown_tokens
[',', '好']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from rnnclf.encoding import OOV_ID, EncodedText
from rnnclf.language import LANGUAGE_NAMES, detect_language

__all__ = ["LOW_COVERAGE", "WordCoverage", "word_coverage", "coverage_fields", "NO_KNOWN_WORDS"]

# Below this share of known tokens an answer is flagged (it still is given).
LOW_COVERAGE = 0.5
NO_KNOWN_WORDS = "The model knows none of these words: this answer is a guess."


@dataclass
class WordCoverage:
    """Which tokens of one text the model knows.

    Attributes:
        known_tokens: tokens found in the model's vocabulary.
        total_tokens: tokens the model reads (after truncation).
        coverage: ``known_tokens / total_tokens`` (0 for a text without tokens).
        unknown_tokens: the distinct unknown tokens, in order of appearance.
        language: the script of the text (see :mod:`rnnclf.language`).
        model_languages: the languages the model was trained on.
        warnings: sentences for people; empty when the answer can be taken as it is.
    """

    known_tokens: int
    total_tokens: int
    coverage: float
    unknown_tokens: list[str]
    language: str
    model_languages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_guess(self) -> bool:
        """True when the model knows none of the words."""
        return self.total_tokens > 0 and self.known_tokens == 0

    def to_dict(self) -> dict:
        return asdict(self)

    def answer_fields(self) -> dict:
        """The fields an answer carries: everything but ``model_languages`` (a fact about the model)."""
        # Built by hand, not with asdict(): asdict deep-copies every list, which batch prediction paid per text.
        return {"known_tokens": self.known_tokens, "total_tokens": self.total_tokens, "coverage": self.coverage,
                "unknown_tokens": list(self.unknown_tokens), "language": self.language, "warnings": list(self.warnings)}


def _warnings(known: int, total: int, language: str, model_languages: list[str]) -> list[str]:
    warnings = []
    if total and not known:
        warnings.append(NO_KNOWN_WORDS)
    elif total and known / total < LOW_COVERAGE:
        warnings.append(
            f"The model knows only {known} of these {total} words ({known / total:.0%}): treat this answer with caution."
        )
    if model_languages and language not in model_languages and language != "none":
        trained = " and ".join(LANGUAGE_NAMES.get(code, code) for code in model_languages)
        warnings.append(
            f"This text looks {LANGUAGE_NAMES.get(language, language)}, but the model was trained on {trained} texts: "
            "use a model trained on this language."
        )
    return warnings


def _measure(encoded: EncodedText, text: str, model_languages: list[str]) -> tuple:
    """``(known, total, coverage, distinct unknown tokens, language, warnings)`` of one encoded text."""
    ids = encoded.ids
    total = len(ids)
    if OOV_ID in ids:
        every_unknown = [token for token, token_id in zip(encoded.tokens, ids) if token_id == OOV_ID]
        known, unknown = total - len(every_unknown), list(dict.fromkeys(every_unknown))
    else:
        unknown, known = [], total
    language = detect_language(text)
    return (known, total, round(known / total, 4) if total else 0.0, unknown, language,
            _warnings(known, total, language, model_languages))


def word_coverage(encoded: EncodedText, text: str, model_languages: list[str] | None = None) -> WordCoverage:
    """Coverage of one encoded text; ``model_languages`` enables the language warning."""
    languages = list(model_languages or [])
    known, total, coverage, unknown, language, warnings = _measure(encoded, text, languages)
    return WordCoverage(known_tokens=known, total_tokens=total, coverage=coverage, unknown_tokens=unknown,
                        language=language, model_languages=languages, warnings=warnings)


def coverage_fields(encoded: EncodedText, text: str, model_languages: list[str]) -> dict:
    """``word_coverage(encoded, text, model_languages).answer_fields()``, without building the :class:`WordCoverage`
    (batch prediction asks this for every text).

    >>> from rnnclf.encoding import TextEncoder
    >>> encoder = TextEncoder(max_length=10).fit(["good film"])
    >>> coverage_fields(encoder.encode("good plot"), "good plot", ["latin"])["unknown_tokens"]
    ['plot']
    """
    known, total, coverage, unknown, language, warnings = _measure(encoded, text, model_languages)
    return {"known_tokens": known, "total_tokens": total, "coverage": coverage, "unknown_tokens": unknown,
            "language": language, "warnings": warnings}
