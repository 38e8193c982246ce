"""Keys derived for a scope (a member's journal, later a circle epoch).

A scope secret yields two keys through HKDF, each for one purpose:

* the tag key, which turns a canonical tag into a 16-byte token so stories can
  be found by tag without decrypting them (it reveals only equality and
  frequency of tags inside one scope);
* the summary key, which seals the small listing summary (title, tags, notes)
  of each story so a list of thousands of rows opens without one X25519
  operation per row. The full story stays an age file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cached_property

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from storycircle.models import JOURNAL_SCOPE
from storycircle.vault import derive_key

TAG_INFO = b"storycircle/tag/v1"
SUMMARY_INFO = b"storycircle/summary/v1"
JOURNAL_INFO = b"storycircle/journal/v1"
TOKEN_BYTES = 16
_NONCE_BYTES = 12


def hkdf(secret: bytes, info: bytes) -> bytes:
    """Derive a 32-byte key from ``secret`` for the purpose named by ``info``.

    The vault's HKDF-SHA-256 with an empty salt, which HMAC pads to the same
    block as the all-zero salt these keys were first derived with.
    """
    return derive_key(secret, info)


class SealError(Exception):
    """A sealed summary failed to authenticate (damaged or moved between rows)."""


@dataclass(frozen=True, repr=False)
class ScopeKeys:
    """The tag and summary keys of one scope. ``repr`` never shows key bytes.

    Attributes:
        scope: ``journal`` or a circle id.
        tag_key: HMAC key for tag tokens.
        summary_key: ChaCha20-Poly1305 key for listing summaries.
    """

    scope: str
    tag_key: bytes
    summary_key: bytes

    @cached_property
    def _aead(self) -> ChaCha20Poly1305:
        # Built once per scope: listing opens thousands of summaries.
        return ChaCha20Poly1305(self.summary_key)

    @cached_property
    def _tag_mac(self) -> hmac.HMAC:
        return hmac.new(self.tag_key, digestmod=hashlib.sha256)

    @classmethod
    def from_secret(cls, scope: str, secret: bytes) -> ScopeKeys:
        """Derive a scope's keys from its secret."""
        return cls(scope, hkdf(secret, TAG_INFO), hkdf(secret, SUMMARY_INFO))

    def __repr__(self) -> str:
        return f"ScopeKeys(scope={self.scope!r})"

    def tag_token(self, canonical_tag: str) -> bytes:
        """Return the keyed token of a canonical tag in this scope."""
        mac = self._tag_mac.copy()
        mac.update(canonical_tag.encode("utf-8"))
        return mac.digest()[:TOKEN_BYTES]

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        """Encrypt and authenticate ``plaintext`` bound to ``context`` (the row)."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes) -> bytes:
        """Decrypt what :meth:`seal` made for the same ``context``.

        Raises:
            SealError: the bytes were changed or belong to another row.
        """
        nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, body, context)
        except (InvalidTag, ValueError):
            raise SealError("sealed summary does not authenticate") from None


def row_context(scope: str, story_id: str, version: int) -> bytes:
    """Bind sealed data to the row it belongs to, so it cannot be swapped."""
    return f"{scope}\x00{story_id}\x00{version}".encode()


def journal_keys(identity_secret: bytes) -> ScopeKeys:
    """Return the keys of a member's journal, derived from their identity."""
    return ScopeKeys.from_secret(JOURNAL_SCOPE, hkdf(identity_secret, JOURNAL_INFO))
