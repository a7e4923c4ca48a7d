"""Flyway's migration checksum (`ChecksumCalculator`, Flyway 4.0 .. 13.x).

Flyway reads the decoded text line by line with `BufferedReader.readLine()` (terminators `\\r\\n`,
`\\n` and `\\r`, never part of the line), drops a U+FEFF at the start of the first line, and feeds
the UTF-8 bytes of every line, with nothing between them, into one CRC-32. The value stored in
`flyway_schema_history.checksum` is that CRC cast to a signed 32-bit Java `int`.

Because the lines are concatenated without their terminators, the result equals the CRC-32 of the
text with every `\\r` and `\\n` removed, which is what `flyway_checksum` computes (one pass, no line
list). Other "line breaks" that `str.splitlines()` knows (U+2028, U+0085, form feed, ...) are plain
characters to Java and stay in.
"""

from __future__ import annotations

import zlib

_BOM = "\ufeff"
_DROP_LINE_BREAKS = str.maketrans("", "", "\r\n")


def to_signed32(value: int) -> int:
    """Interpret an unsigned 32-bit value as Java's signed `int`."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= (1 << 31) else value


def flyway_checksum(text: str) -> int:
    """Flyway's checksum of already-decoded migration text (signed 32-bit int).

    Line endings, a leading byte-order mark, blank lines and the final newline do not change the
    result; any other change does. The empty text has checksum 0. Lone surrogates (which can only
    come from unusual decoders) are encoded as `?`, as Java's `String.getBytes(UTF_8)` does.
    """
    if text.startswith(_BOM):
        text = text[1:]
    data = text.translate(_DROP_LINE_BREAKS).encode("utf-8", "replace")
    return to_signed32(zlib.crc32(data))
