"""nltk's ``TweetTokenizer(preserve_case=True)``, the same tokens at a fraction of the cost.

nltk runs every text through an HTML-entity pass and one large regular
expression (URLs, phone numbers, emoticons, handles, hashtags, e-mail
addresses, emoji sequences, words). :class:`PiecewiseTweetTokenizer` gives the
same token list for every text, faster, in three steps:

1. **Split at spaces.** No token of nltk's expression contains a space except
   a phone number (``555 1234``) and spaced dots (``. . .``), and none starts at
   one; lookarounds see a space the same as a text edge. So a text's tokens are
   its space-separated pieces' tokens, one after the other — unless the text
   holds digits or dots on both sides of a space (:data:`_CROSSING_A_SPACE`),
   or an HTML entity that survives decoding: such a text goes to nltk whole.
   Entities are decoded first, with nltk's own function, exactly as nltk does.
2. **Remember pieces.** Texts share most of their pieces (``the``, ``good,``),
   so each distinct piece is tokenized once (up to :data:`PIECE_CACHE_SIZE`).
3. **A small grammar for simple pieces.** A new piece made of ASCII letters,
   digits and common punctuation in the shape *opening marks, one core, closing
   marks* (:data:`_SIMPLE_PIECE`) is split by that grammar; any other piece
   goes to nltk. The grammar only admits pieces where nltk's larger patterns
   cannot fire: no ``:;=<>`` (every emoticon has eyes ``:;=8`` or is a ``<3``)
   except a final colon after a core of three or more characters, at most six
   digits in a row (a phone number needs seven), no single dot between letters
   (a web address needs one; ``so...good`` is three tokens), no ``8`` that could
   be an emoticon's eyes — then nltk's own rules reduce to the ones written here.

``tests/test_tweet_tokenizer.py`` compares both tokenizers on hand-written and
random texts, and ``bench/check_tokenizer.py`` on every built-in corpus.

>>> tokenize = PiecewiseTweetTokenizer()
>>> tokenize("@ana I didn't like it :( 3.5/10... see http://t.co/x1")
['@ana', 'I', "didn't", 'like', 'it', ':(', '3.5', '/', '10', '...', 'see', 'http://t.co/x1']
>>> simple_piece_tokens('"Great!!!!!'), simple_piece_tokens("8pm") is None
(['"', 'Great', '!', '!', '!'], True)
"""

from __future__ import annotations

import re
from itertools import chain

__all__ = ["PiecewiseTweetTokenizer", "simple_piece_tokens", "PIECE_CACHE_SIZE"]

# Distinct pieces remembered per process before the memory is emptied and refilled (~150 bytes each).
PIECE_CACHE_SIZE = 1 << 17

# A space nltk's expression may match across: digits on both sides (phone numbers: digits, then only
# ``*-.)`` and spaces, then digits) or dots (``. . .`` is one token). A superset is harmless: it only
# sends a text to nltk whole.
_CROSSING_A_SPACE = re.compile(r"\d[\s*\-.)]*\s[\s*\-.)]*\(?\d|\.\s*\s\s*\.")

# nltk shortens a run of four or more equal characters other than letters and digits to three.
_LONG_RUN = re.compile(r"([^A-Za-z0-9])\1{3,}")

# Opening marks, one optional core, closing marks and an optional final colon. Each core is a whole
# nltk token when it starts where a token starts and is followed by no letter, digit or underscore.
_SIMPLE_PIECE = re.compile(
    r"""(?P<opening>["'(\[{$.]*)
    (?P<core>
        (?P<dotted>[A-Za-z]+(?:['-][A-Za-z]+)*(?:\.{2,}[A-Za-z]+(?:['-][A-Za-z]+)*)+)  # words joined by dots: so...good
      | [A-Za-z]+(?:['-][A-Za-z]+)*                     # word, inner apostrophes and hyphens: don't, well-known
      | (?![dDpPoO][oO]?8)[A-Za-z]{1,2}[0-9][A-Za-z0-9]*  # E3, mp3 (not d8 or (o8: emoticons; abc1 is two tokens)
      | @(?![oO]?8)[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*       # @handle (not @8 or @o8: emoticons)
      | \#{1,3}[A-Za-z0-9]{2,}(?:['_-][A-Za-z0-9]+)*    # #hashtag with two or more characters (### at most)
      | [0-9]{1,6}(?:[.,/:-][0-9]{1,3})?                # 42, 3.5, 1,000, 10:30, 1/2 (too short for a phone)
      | [0-9]{1,6}[A-Za-z][A-Za-z0-9]*                  # 2nd, 90s
      | https?://[A-Za-z0-9._~/?=&%+\#-]*[A-Za-z0-9_~/=&%+\#-]  # web address ending in a character it keeps
    )?
    (?P<closing>[!?,.'")\]}%]*)
    (?P<colon>[:;]?)""",
    re.VERBOSE,
)
# After an 8 at the start of a piece, a character that cannot make it an emoticon's eyes (8) 8D 8p 8-).
_SAFE_AFTER_EIGHT = frozenset("0123456789abcefghijklmnqrstuvwxyzABCEFGHIJKLMNQRSTUVWXYZ")
# The closing marks most words end with, checked before the grammar.
_COMMON_CLOSING = frozenset(".,!?")
# Opening and closing marks: a run of dots is one token, any other mark one token each.
_MARK_TOKEN = re.compile(r"\.\.+|.")
# Words joined by dots: each word and each run of dots is one token.
_DOTTED_TOKEN = re.compile(r"\.\.+|[^.]+")


def simple_piece_tokens(piece: str) -> list[str] | None:
    """nltk's tokens for a piece (text without spaces) in the simple grammar, else ``None``.

    >>> simple_piece_tokens("(well-known)."), simple_piece_tokens("@maria_k:"), simple_piece_tokens("a.b")
    (['(', 'well-known', ')', '.'], ['@maria_k', ':'], None)
    """
    if not piece.isascii():
        return None
    if piece.isalpha():
        return [piece]
    if piece[-1:] in _COMMON_CLOSING and piece[:-1].isalpha():
        return [piece[:-1], piece[-1]]  # good,  film.  wow!
    match = _SIMPLE_PIECE.fullmatch(piece)
    if match is None:
        return None
    opening, core, dotted, closing, colon = match.group("opening", "core", "dotted", "closing", "colon")
    if core:
        if core[0] == "8" and (opening or core[1:2] not in _SAFE_AFTER_EIGHT):
            return None  # (8  8)  8p: nltk reads an emoticon
        if core[0] == "h" and core.startswith("http") and ("%" in closing or _LONG_RUN.search(core)):
            return None  # a web address keeps a closing %; nltk shortens runs inside it
    if colon and (closing or dotted or len(core or "") < 3):
        return None  # d:  (:  ):  so...do:  are emoticons
    if colon == ";" and "&" in core:
        return None  # &name; is an HTML entity
    tokens = _mark_tokens(opening) if opening else []
    if dotted:
        tokens += _DOTTED_TOKEN.findall(_LONG_RUN.sub(r"\1\1\1", dotted))
    elif core:
        tokens.append(core)
    if len(closing) > 1:
        tokens += _mark_tokens(closing)
    elif closing:
        tokens.append(closing)
    if colon:
        tokens.append(colon)
    return tokens


def _mark_tokens(marks: str) -> list[str]:
    """Tokens of a run of opening or closing marks; a run of four or more equal marks counts as three, as in nltk."""
    return _MARK_TOKEN.findall(_LONG_RUN.sub(r"\1\1\1", marks) if len(marks) > 3 else marks)


class _PieceTokens(dict):
    """piece → its tokens (a tuple), computed on first lookup; emptied when it holds :data:`PIECE_CACHE_SIZE`."""

    def __init__(self, tokenize_whole):
        super().__init__()
        self.tokenize_whole = tokenize_whole

    def __missing__(self, piece: str) -> tuple[str, ...]:
        tokens = simple_piece_tokens(piece)
        if tokens is None:
            tokens = self.tokenize_whole(piece)
        tokens = (piece,) if tokens == [piece] else tuple(tokens)  # one token: share the key's string
        if len(self) >= PIECE_CACHE_SIZE:
            self.clear()
        self[piece] = tokens
        return tokens

    def __reduce__(self):  # copies and pickles start empty
        return type(self), (self.tokenize_whole,)


class PiecewiseTweetTokenizer:
    """Tokenize like ``nltk.tokenize.TweetTokenizer(preserve_case=True).tokenize``, piece by piece.

    Call it with a text; it returns a new list of tokens. The piece memory is
    shared by every call of one instance (``get_tokenizer("tweet")`` keeps one
    per process).

    >>> PiecewiseTweetTokenizer()("Loved it &amp; the cast <3 #mustsee")
    ['Loved', 'it', '&', 'the', 'cast', '<3', '#mustsee']
    """

    def __init__(self):
        from nltk.tokenize import TweetTokenizer
        from nltk.tokenize.casual import ENT_RE, _replace_html_entities

        self._tokenize_whole = TweetTokenizer(preserve_case=True).tokenize
        self._decode_entities = _replace_html_entities
        self._entity = ENT_RE
        self._pieces = _PieceTokens(self._tokenize_whole)

    def pieces(self, text: str) -> list[str] | None:
        """``text`` (entities decoded) split at its spaces, or ``None`` when nltk must read it whole."""
        if "&" in text:
            text = self._decode_entities(text)
            if "&" in text and self._entity.search(text):
                return None  # decoding again would change it: only nltk's single pass is right
        if _CROSSING_A_SPACE.search(text):
            return None
        return text.split(" ")

    def __call__(self, text: str) -> list[str]:
        pieces = self.pieces(text)
        if pieces is None:
            return self._tokenize_whole(text)
        return list(chain.from_iterable(map(self._pieces.__getitem__, pieces)))

    def normalized_tokens(self, text: str) -> list[str]:
        """The tokens of ``normalize_whitespace(text)``, splitting ``text`` at its whitespace only once.

        >>> PiecewiseTweetTokenizer().normalized_tokens("  so\\tgood ;) ")
        ['so', 'good', ';)']
        """
        # A dot or digit on each side of whitespace in text is one on each side of a space after normalising.
        if "&" in text or _CROSSING_A_SPACE.search(text):
            return self(" ".join(text.split()))
        return list(chain.from_iterable(map(self._pieces.__getitem__, text.split())))

    def clear(self) -> None:
        """Forget every remembered piece (benchmarks use this to measure a fresh process)."""
        self._pieces.clear()
