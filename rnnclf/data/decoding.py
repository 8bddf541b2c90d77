"""Turn the bytes of a user's file into text without garbling a single line.

Files arrive as UTF-8 (with or without a byte-order mark), as UTF-16 (what
Excel's "Unicode text" and Windows Notepad write), or in an old single-byte
encoding. Two readers:

- :func:`decode_document` for tables (CSV/TSV): one encoding for the whole file,
  chosen from the byte-order mark, a UTF-16 pattern of NUL bytes, strict UTF-8,
  and finally latin-1 (which never fails; the caller reports it).
- :func:`decode_lines` for one-text-per-line files: UTF-16 files are decoded
  whole; otherwise each line is decoded as UTF-8 on its own, so one bad line is
  reported by its number and every other line — Chinese, emoji — stays intact.

>>> decode_document("名字,label\\n好,1\\n".encode("utf-16"))
('名字,label\\n好,1\\n', 'utf-16')
>>> [(line.number, line.text, line.error is None) for line in decode_lines(b"good\\n\\xff bad\\n\\xe5\\xa5\\xbd\\n")]
[(1, 'good', True), (2, '� bad', False), (3, '好', True)]
"""

from __future__ import annotations

import codecs
from typing import NamedTuple

__all__ = ["DecodedLine", "decode_document", "decode_line", "decode_lines", "utf16_encoding"]

# Bytes looked at to recognise UTF-16 without a byte-order mark.
_PROBE_BYTES = 4096


class DecodedLine(NamedTuple):
    """One line of a text file: its 1-based number, its text, and why it could not be read (or ``None``)."""

    number: int
    text: str
    error: str | None


def utf16_encoding(data: bytes) -> str | None:
    """``"utf-16"`` when ``data`` starts with a UTF-16 byte-order mark, ``"utf-16-le"``/``"utf-16-be"``
    when it has none but every other byte of mostly-ASCII text is NUL, else ``None``.

    >>> utf16_encoding("ab".encode("utf-16-le")), utf16_encoding(b"ab")
    ('utf-16-le', None)
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    probe = data[:_PROBE_BYTES]
    if len(probe) < 4 or len(probe) % 2:
        return None
    even_nuls, odd_nuls = probe[0::2].count(0), probe[1::2].count(0)
    half = len(probe) // 2
    # ASCII letters in UTF-16 put a NUL in one byte of each pair; real UTF-8 text has (almost) none.
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def decode_document(data: bytes) -> tuple[str, str]:
    """Decode a whole file; return ``(text, encoding)``.

    The encoding is one of ``"utf-8-sig"``, ``"utf-16"``, ``"utf-16-le"``,
    ``"utf-16-be"``, ``"utf-8"`` or ``"latin-1"`` (the fallback, which maps every
    byte to a character and so cannot fail — callers should say it was used).
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    utf16 = utf16_encoding(data)
    if utf16:
        return data.decode(utf16, errors="replace").lstrip("\ufeff"), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def decode_lines(data: bytes) -> list[DecodedLine]:
    """Split a one-text-per-line file into lines, decoding each on its own.

    Line ends may be ``\\n`` or ``\\r\\n``; a final line end does not make an empty
    last line. A line that is not valid UTF-8 keeps a readable version of its
    text (bad bytes shown as ``�``) and an ``error`` that says where the first bad
    byte is and what to do.
    """
    utf16 = utf16_encoding(data)
    if utf16:
        text = data.decode(utf16, errors="replace").lstrip("\ufeff")
        return [DecodedLine(number, line, None) for number, line in enumerate(text.splitlines(), start=1)]
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    return [decode_line(number, piece[:-1] if piece.endswith(b"\r") else piece) for number, piece in enumerate(pieces, start=1)]


def decode_line(number: int, piece: bytes) -> DecodedLine:
    """Line ``number`` (counted from 1) as UTF-8, without its line end; a bad byte is reported, never raised.

    >>> decode_line(3, b"caf\\xe9").error
    'line 3 is not valid UTF-8 (byte 0xe9 at position 4): not classified; save the file as UTF-8'
    """
    try:
        return DecodedLine(number, piece.decode("utf-8"), None)
    except UnicodeDecodeError as error:
        message = (
            f"line {number} is not valid UTF-8 (byte 0x{piece[error.start]:02x} at position {error.start + 1}): "
            "not classified; save the file as UTF-8"
        )
        return DecodedLine(number, piece.decode("utf-8", errors="replace"), message)
