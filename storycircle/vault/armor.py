"""ASCII armor: strict PEM (RFC 7468 section 3) with the label AGE ENCRYPTED FILE.

Armor is malleable unless it is parsed strictly, so only these are tolerated:
whitespace before the BEGIN line and after the END line, and CRLF instead of
LF (consistently, as set by the BEGIN line). Every base64 line is exactly 64
columns except the last, which has 1 to 64; padding and canonical encoding are
required; there are no headers, blank lines or checksums.
"""

from __future__ import annotations

import binascii
import re
from typing import Final

from ._format import BINARY_PREFIX
from .errors import ArmorError

__all__ = ["BEGIN", "END", "armored_size", "decode", "encode", "looks_armored"]

BEGIN: Final = b"-----BEGIN AGE ENCRYPTED FILE-----"
END: Final = b"-----END AGE ENCRYPTED FILE-----"
_COLUMNS: Final = 64
_WHITESPACE: Final = b" \t\r\n"
_SNIFF_SIZE: Final = 1024
# Any PEM-looking boundary near the start means the caller handed us armor
# (possibly damaged), so its errors are reported as armor errors.
_ARMOR_HINT: Final = re.compile(rb"-----|BEGIN")
_DAMAGED: Final = "the file is damaged: its text armor "


def looks_armored(data: bytes) -> bool:
    """Guess whether ``data`` is meant to be armored rather than binary."""
    if data.startswith(BINARY_PREFIX):
        return False
    return _ARMOR_HINT.search(data, 0, _SNIFF_SIZE) is not None


def is_armor_start(data: bytes) -> bool:
    """Return True if ``data`` begins, after optional whitespace, with the BEGIN line."""
    return data[:_SNIFF_SIZE].lstrip(_WHITESPACE).startswith(BEGIN)


def armored_size(binary_size: int) -> int:
    """Return the size ``encode`` produces for a binary file of this size."""
    b64_size = 4 * -(-binary_size // 3)
    lines = -(-b64_size // _COLUMNS)
    return len(BEGIN) + 1 + b64_size + lines + len(END) + 1


def encode(binary: bytes) -> bytes:
    """Armor a binary age file, with LF line endings and a final newline."""
    b64 = binascii.b2a_base64(binary, newline=False)
    lines = [b64[i : i + _COLUMNS] for i in range(0, len(b64), _COLUMNS)]
    return b"\n".join([BEGIN, *lines, END, b""])


def decode(data: bytes) -> bytes:
    """Remove the armor and return the binary age file.

    Raises:
        ArmorError: on anything but the strict encoding described in the module
            docstring.
    """
    text = data.strip(_WHITESPACE)
    if not text.startswith(BEGIN):
        raise ArmorError(_DAMAGED + "does not start with the age BEGIN line")
    pos = len(BEGIN)
    if text.startswith(b"\r\n", pos):
        eol = b"\r\n"
    elif text.startswith(b"\n", pos):
        eol = b"\n"
    else:
        raise ArmorError(_DAMAGED + "has a malformed BEGIN line")
    pos += len(eol)
    stop = len(text) - len(END)
    if stop < pos or not text.endswith(END):
        raise ArmorError(_DAMAGED + "does not end with the age END line")
    if stop == pos:
        return b""
    if not text.endswith(eol, pos, stop):
        raise ArmorError(_DAMAGED + "has a malformed END line")

    # Check the line structure without splitting into millions of small
    # objects: the first `full` lines are exactly 64 columns plus `eol`, the
    # last one has 1-64 columns plus `eol`, and there are no other line breaks.
    stride = _COLUMNS + len(eol)
    full = (stop - pos - 1) // stride
    last_len = stop - pos - full * stride - len(eol)
    if last_len <= 0:
        raise ArmorError(_DAMAGED + "has an empty line")
    breaks = full + 1
    expected_cr = breaks if eol == b"\r\n" else 0
    if text.count(b"\n", pos, stop) != breaks or text.count(b"\r", pos, stop) != expected_cr:
        raise ArmorError(_DAMAGED + "has lines that are not 64 columns wide")
    region_end = pos + full * stride
    for offset, char in enumerate(eol):
        if text[pos + _COLUMNS + offset : region_end : stride].count(char) != full:
            raise ArmorError(_DAMAGED + "has lines that are not 64 columns wide")

    b64 = text[pos:stop].replace(eol, b"")
    if len(b64) % 4:
        raise ArmorError(_DAMAGED + "is missing base64 padding")
    try:
        # strict_mode rejects spaces, stray characters and data after padding.
        binary = binascii.a2b_base64(b64, strict_mode=True)
    except binascii.Error:
        raise ArmorError(_DAMAGED + "contains invalid base64") from None
    # Only the last 4-character group can be non-canonical (unused bits set).
    tail = binary[-((len(binary) - 1) % 3 + 1) :]
    if binascii.b2a_base64(tail, newline=False) != b64[-4:]:
        raise ArmorError(_DAMAGED + "is not canonical base64")
    return binary
