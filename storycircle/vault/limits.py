"""Size and cost limits, checked before any cryptography runs.

They keep a damaged or hostile file from making the app allocate gigabytes or
spend minutes before failing. Encryption enforces the same limits, so the vault
never writes a file it would refuse to read back.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_MAX_WORK_FACTOR",
    "MAX_CIPHERTEXT_SIZE",
    "MAX_HEADER_SIZE",
    "MAX_STANZAS",
    "MAX_WORK_FACTOR",
]

#: Largest encrypted input (binary or armored) accepted by ``decrypt`` and
#: largest output ``encrypt`` will produce. Stories are text; 256 MiB is far
#: beyond any real one but still fits comfortably in memory.
MAX_CIPHERTEXT_SIZE: Final = 256 * 1024 * 1024

#: Largest binary header (version line through MAC line). A header with a few
#: hundred X25519 stanzas is about 30 KiB; post-quantum stanzas are ~1.6 KiB.
MAX_HEADER_SIZE: Final = 128 * 1024

#: Most recipient stanzas in one header. Each stanza can cost one X25519
#: operation per identity, so this also bounds the unwrap work.
MAX_STANZAS: Final = 256

#: Default largest scrypt work factor (log2 N) an ScryptIdentity will compute,
#: as in the reference implementation. 2^22 with r=8 needs 4 GiB of memory.
DEFAULT_MAX_WORK_FACTOR: Final = 22

#: Hard ceiling for any scrypt work factor the vault will accept or produce.
MAX_WORK_FACTOR: Final = 30
