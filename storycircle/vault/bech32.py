"""Bech32 (BIP 173) encoding for age keys, without BIP 173's 90-character limit.

age encodes recipients as ``age1...`` and identities as ``AGE-SECRET-KEY-1...``.
Only the original Bech32 checksum is used (not Bech32m). The checksum is always
computed over the lowercase form; mixed case is rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

__all__ = ["Bech32Error", "decode", "encode"]

_CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CHARSET_INDEX: Final = {c: i for i, c in enumerate(_CHARSET)}
_GENERATOR: Final = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_CHECKSUM_LEN: Final = 6


class Bech32Error(ValueError):
    """The string is not valid Bech32. Messages never quote the input."""


def _polymod(values: Iterable[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ value
        for i, gen in enumerate(_GENERATOR):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: Sequence[int], from_bits: int, to_bits: int, *, pad: bool) -> list[int]:
    acc = 0
    bits = 0
    out: list[int] = []
    max_value = (1 << to_bits) - 1
    max_acc = (1 << (from_bits + to_bits - 1)) - 1
    for value in data:
        acc = ((acc << from_bits) | value) & max_acc
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & max_value)
    if pad:
        if bits:
            out.append((acc << (to_bits - bits)) & max_value)
    elif bits >= from_bits or (acc << (to_bits - bits)) & max_value:
        # Leftover bits must be fewer than one input group and all zero, or two
        # different strings would decode to the same bytes.
        raise Bech32Error("invalid padding in the data part")
    return out


def encode(hrp: str, data: bytes) -> str:
    """Encode ``data`` under the human-readable part ``hrp``.

    Args:
        hrp: Human-readable prefix, ASCII 33-126. It is lowercased.
        data: The bytes to encode.

    Returns:
        The lowercase Bech32 string; callers uppercase it where age requires.

    Raises:
        Bech32Error: if ``hrp`` is empty or contains characters outside 33-126.
    """
    if not hrp or any(not 33 <= ord(c) <= 126 for c in hrp):
        raise Bech32Error("invalid human-readable part")
    hrp = hrp.lower()
    values = _convert_bits(data, 8, 5, pad=True)
    polymod = _polymod([*_hrp_expand(hrp), *values, *([0] * _CHECKSUM_LEN)]) ^ 1
    checksum = [(polymod >> (5 * (5 - i))) & 31 for i in range(_CHECKSUM_LEN)]
    return hrp + "1" + "".join(_CHARSET[v] for v in [*values, *checksum])


def decode(text: str) -> tuple[str, bytes]:
    """Decode a Bech32 string.

    Args:
        text: An all-lowercase or all-uppercase Bech32 string.

    Returns:
        The lowercase human-readable part and the decoded bytes.

    Raises:
        Bech32Error: on mixed case, bad characters, a bad checksum or bad padding.
    """
    if any(not 33 <= ord(c) <= 126 for c in text):
        raise Bech32Error("contains characters that are not printable ASCII")
    lower = text.lower()
    if lower != text and text.upper() != text:
        raise Bech32Error("mixes uppercase and lowercase letters")
    sep = lower.rfind("1")
    if sep < 1:
        raise Bech32Error("missing prefix or separator")
    if len(lower) - sep - 1 < _CHECKSUM_LEN:
        raise Bech32Error("too short")
    hrp = lower[:sep]
    try:
        values = [_CHARSET_INDEX[c] for c in lower[sep + 1 :]]
    except KeyError:
        raise Bech32Error("contains a character outside the Bech32 alphabet") from None
    if _polymod([*_hrp_expand(hrp), *values]) != 1:
        raise Bech32Error("checksum does not match (is there a typo?)")
    return hrp, bytes(_convert_bits(values[:-_CHECKSUM_LEN], 5, 8, pad=False))
