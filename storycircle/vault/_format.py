"""The age v1 binary header: recipient stanzas and the header MAC.

Parsing follows the ABNF of the C2SP age specification to the letter, because
every leniency (a CR before LF, a padded or non-canonical base64 body, an empty
argument) would make the header malleable or make two implementations disagree
about what a file says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ._primitives import (
    b64decode_canonical,
    b64encode_raw,
    hkdf_sha256,
    hmac_sha256,
    macs_equal,
)
from .errors import HeaderError, HMACError, UsageError
from .limits import MAX_HEADER_SIZE, MAX_STANZAS

__all__ = [
    "BINARY_PREFIX",
    "PAYLOAD_NONCE_SIZE",
    "VERSION_LINE",
    "Header",
    "Stanza",
    "encode_header",
    "parse_header",
    "verify_header_mac",
]

#: Every binary age file, of any version, starts with this.
BINARY_PREFIX: Final = b"age-encryption.org/"
#: The only version line this module understands.
VERSION_LINE: Final = b"age-encryption.org/v1"
#: The payload starts with a nonce of this size, right after the header.
PAYLOAD_NONCE_SIZE: Final = 16

_BODY_COLUMNS: Final = 64
_MAC_B64_LEN: Final = 43  # 32 bytes, unpadded
# An argument is one or more visible ASCII characters (VCHAR, 0x21-0x7E).
_ARGUMENT: Final = re.compile(rb"[\x21-\x7e]+")
_DAMAGED: Final = "the file is damaged: "


@dataclass(frozen=True, slots=True)
class Stanza:
    """One recipient stanza: ``-> type args...`` followed by a base64 body.

    Attributes:
        type: The first argument, which names the recipient type (``X25519``, ``scrypt``).
        args: The remaining arguments.
        body: The decoded body bytes.
    """

    type: str
    args: tuple[str, ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class Header:
    """A parsed header.

    Attributes:
        stanzas: The recipient stanzas, in file order.
        mac: The 32-byte header MAC as written in the file.
        authenticated: The header bytes the MAC covers (up to and including ``---``).
        payload_offset: Offset of the payload nonce in the binary file.
    """

    stanzas: tuple[Stanza, ...]
    mac: bytes
    authenticated: bytes
    payload_offset: int


def _damaged(reason: str) -> HeaderError:
    return HeaderError(_DAMAGED + reason)


def _read_line(data: bytes, pos: int, limit: int) -> tuple[bytes, int]:
    """Return the line starting at ``pos`` (without its LF) and the next position."""
    end = data.find(b"\n", pos, limit)
    if end < 0:
        if limit < len(data):
            raise _damaged("its header is too large")
        raise _damaged("its header is cut short")
    return data[pos:end], end + 1


def parse_header(data: bytes) -> Header:
    """Parse the binary header at the start of ``data``.

    Args:
        data: The whole binary age file.

    Returns:
        The parsed header; the MAC is not verified yet (that needs the file key).

    Raises:
        HeaderError: if the header is malformed, too large, uses another version,
            or the file ends before the 16-byte payload nonce.
    """
    if not data.startswith(BINARY_PREFIX):
        raise HeaderError("this is not an age encrypted file")
    limit = min(len(data), MAX_HEADER_SIZE)
    line, pos = _read_line(data, 0, limit)
    if line != VERSION_LINE:
        raise HeaderError("the file uses an unsupported age version or has a bad first line")

    stanzas: list[Stanza] = []
    while True:
        line_start = pos
        line, pos = _read_line(data, pos, limit)
        if line.startswith(b"-> "):
            if len(stanzas) >= MAX_STANZAS:
                raise _damaged("its header has too many recipients")
            args = line[3:].split(b" ")
            if not all(_ARGUMENT.fullmatch(arg) for arg in args):
                raise _damaged("a recipient line has an empty or invalid argument")
            # The body is wrapped at 64 columns and always ends with a shorter
            # (possibly empty) line, so a full last line needs an empty one after it.
            body_lines: list[bytes] = []
            while True:
                body_line, pos = _read_line(data, pos, limit)
                if len(body_line) > _BODY_COLUMNS:
                    raise _damaged("a recipient body line is longer than 64 columns")
                body_lines.append(body_line)
                if len(body_line) < _BODY_COLUMNS:
                    break
            try:
                body = b64decode_canonical(b"".join(body_lines))
            except ValueError:
                raise _damaged("a recipient body is not canonical base64") from None
            decoded = [arg.decode("ascii") for arg in args]
            stanzas.append(Stanza(decoded[0], tuple(decoded[1:]), body))
        elif line.startswith(b"---"):
            if not stanzas:
                raise _damaged("its header has no recipients")
            if len(line) != 4 + _MAC_B64_LEN or line[3:4] != b" ":
                raise _damaged("the header MAC line is malformed")
            try:
                mac = b64decode_canonical(line[4:])
            except ValueError:
                raise _damaged("the header MAC is not canonical base64") from None
            if len(data) - pos < PAYLOAD_NONCE_SIZE:
                raise _damaged("it ends before the encrypted payload starts")
            return Header(tuple(stanzas), mac, data[: line_start + 3], pos)
        else:
            raise _damaged("its header has an unexpected line")


def _header_mac(file_key: bytes, authenticated: bytes) -> bytes:
    return hmac_sha256(hkdf_sha256(file_key, b"", b"header"), authenticated)


def verify_header_mac(file_key: bytes, header: Header) -> None:
    """Check the header MAC with the unwrapped file key.

    Raises:
        HMACError: if the MAC does not match, meaning the header was altered.
    """
    if not macs_equal(_header_mac(file_key, header.authenticated), header.mac):
        raise HMACError(_DAMAGED + "its header was modified (MAC mismatch)")


def encode_header(stanzas: Sequence[Stanza], file_key: bytes) -> bytes:
    """Serialize a v1 header for ``stanzas`` and MAC it with ``file_key``.

    Raises:
        UsageError: if a stanza has an empty or non-printable argument.
    """
    parts = [VERSION_LINE, b"\n"]
    for stanza in stanzas:
        try:
            args = [arg.encode("ascii") for arg in (stanza.type, *stanza.args)]
        except UnicodeEncodeError:
            args = []
        if not args or not all(_ARGUMENT.fullmatch(arg) for arg in args):
            raise UsageError("a recipient produced an invalid stanza argument")
        parts += (b"-> ", b" ".join(args), b"\n")
        body = b64encode_raw(stanza.body)
        for start in range(0, len(body), _BODY_COLUMNS):
            parts += (body[start : start + _BODY_COLUMNS], b"\n")
        if len(body) % _BODY_COLUMNS == 0:
            parts.append(b"\n")  # the final body line must be short, even if empty
    parts.append(b"---")
    authenticated = b"".join(parts)
    mac = b64encode_raw(_header_mac(file_key, authenticated))
    return b"".join((authenticated, b" ", mac, b"\n"))
