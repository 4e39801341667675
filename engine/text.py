"""Text that comes from outside (file names, model metadata, a file's stamp) made safe to show and to store.

A file name may hold terminal escape sequences (``\\x1b[2J``), bidirectional overrides that reorder
what a person reads, or bytes that are not UTF-8 (Python keeps them as lone surrogates, which no
encoder accepts). Such characters neither reach a terminal nor go into XMP, where XML forbids most
of them: :func:`printable` writes them as visible escapes (``\\x1b``, ``\\u202e``, and ``\\xff`` for
an undecodable byte). Everything else, accented letters included, is left as it is.
"""

from __future__ import annotations

import unicodedata

# Bidirectional embeddings, overrides and isolates: they reorder the text shown around them.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """``text`` with control characters, bidirectional controls, lone surrogates and the
    non-characters U+FFFE/U+FFFF replaced by backslash escapes; unchanged when it has none."""
    if text.isprintable() and not any(c in _BIDI for c in text):
        return text
    return "".join(_escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if char in _BIDI or code in (0xFFFE, 0xFFFF) or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
    return char
