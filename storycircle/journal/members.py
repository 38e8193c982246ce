"""Members: create, unlock, change passphrase.

A member's X25519 identity is stored as an age file sealed with scrypt, in the
same form as an identity file of the ``age`` tool, so ``age -d -i`` opens it.
The same sealed file holds the member's hybrid post-quantum identity
(``mlkem768x25519``) on a comment line: age 1.1.1, which predates the type and
refuses unknown key lines, still opens the file with the X25519 key, and the
hybrid seed is protected by scrypt alone (no public-key step a quantum computer
could undo). The Ed25519 signing key is sealed to the X25519 identity, so
unlocking costs exactly one scrypt, and a passphrase change re-wraps only the
identity file.

Members made before hybrid keys get one at their next unlock: :func:`unlock`
prepares the re-sealed file (one more scrypt, once) and :func:`save_upgrade`
stores it; only then do files start being encrypted to the hybrid key.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from storycircle import vault
from storycircle.errors import StorycircleError, UnknownMember, WrongPassphrase
from storycircle.models import MemberRecord
from storycircle.sanitize import sanitize_line
from storycircle.sealing.keys import ScopeKeys, journal_keys
from storycircle.sealing.passphrase import check_strength
from storycircle.sealing.signing import (
    SigningKey,
    VerifyKey,
    new_signing_key,
    raw_private,
    raw_public,
    signing_key_from_raw,
    verify_key,
)
from storycircle.store import Store

DEFAULT_WORK_FACTOR = 17
"""scrypt cost (2**17) for a member's identity: OWASP's floor, ~0.55 s here."""

MAX_PSEUDONYM_LENGTH = 40

HYBRID_LINE_PREFIX = "# storycircle hybrid post-quantum key: "
"""Comment-line prefix of the hybrid identity in the sealed identity file."""


@dataclass(frozen=True, slots=True, repr=False)
class UnlockedMember:
    """A member whose keys are in memory. ``repr`` shows no secrets.

    Attributes:
        record: The stored member row.
        identity: The member's X25519 identity.
        signing_key: The member's Ed25519 signing key.
        journal: Tag and summary keys of the member's journal.
        hybrid: The member's hybrid post-quantum identity, or None.
        upgrade: A re-sealed identity file holding a new ``hybrid`` that is
            not stored yet (see :func:`save_upgrade`); until it is, nothing is
            encrypted to ``hybrid``.
    """

    record: MemberRecord
    identity: vault.X25519Identity
    signing_key: SigningKey
    journal: ScopeKeys
    hybrid: vault.HybridIdentity | None = None
    upgrade: bytes | None = None

    def __repr__(self) -> str:
        return f"UnlockedMember(id={self.record.id!r}, pseudonym={self.record.pseudonym!r})"

    @property
    def id(self) -> str:
        """The member id."""
        return self.record.id

    @property
    def pseudonym(self) -> str:
        """The member's pseudonym."""
        return self.record.pseudonym

    @property
    def identities(self) -> list[vault.Identity]:
        """Every identity of the member, to open files: hybrid first, then X25519."""
        return [self.hybrid, self.identity] if self.hybrid is not None else [self.identity]

    @property
    def has_hybrid(self) -> bool:
        """True once the member's hybrid key is stored (files may be encrypted to it)."""
        return self.hybrid is not None and self.upgrade is None

    @property
    def own_recipient(self) -> vault.AgeRecipient:
        """The recipient for the member's own files: hybrid when stored, else X25519."""
        if self.hybrid is not None and self.upgrade is None:
            return self.hybrid.recipient
        return self.identity.recipient

    @property
    def key_text(self) -> str:
        """The member's public keys as circles list them: ``age1…`` then, if any, ``age1pq1…``."""
        if self.hybrid is not None and self.upgrade is None:
            return f"{self.identity.recipient} {self.hybrid.recipient}"
        return str(self.identity.recipient)


def clean_pseudonym(raw: str) -> str:
    """Return a pseudonym fit to store and show.

    Raises:
        StorycircleError: empty, or longer than the limit.
    """
    pseudonym = sanitize_line(raw)
    if not pseudonym:
        raise StorycircleError("choose a pseudonym: any name you like, it need not be your own")
    if len(pseudonym) > MAX_PSEUDONYM_LENGTH:
        raise StorycircleError(f"a pseudonym can be at most {MAX_PSEUDONYM_LENGTH} characters")
    return pseudonym


def _identity_file(
    identity: vault.X25519Identity, hybrid: vault.HybridIdentity | None, created: str
) -> bytes:
    # The layout of an age identity file, so `age -d -i identity.age` works.
    text = f"# created: {created}\n# public key: {identity.recipient}\n{identity}\n"
    if hybrid is not None:
        # A comment for age: age 1.1.1 refuses unknown key lines. With age 1.3
        # or later, copy the AGE-SECRET-KEY-PQ-1 key onto a line of its own.
        text += f"{HYBRID_LINE_PREFIX}{hybrid}\n"
    return text.encode("ascii")


def _seal_identity(
    identity: vault.X25519Identity,
    hybrid: vault.HybridIdentity | None,
    passphrase: str,
    work_factor: int,
) -> bytes:
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return vault.encrypt(
        _identity_file(identity, hybrid, created), [vault.ScryptRecipient(passphrase, work_factor)]
    )


def _work_factor_of(sealed: bytes) -> int:
    """The scrypt work factor a sealed identity file was made with (to keep it on re-seal)."""
    try:
        found = vault.scrypt_work_factor(sealed)
    except vault.AgeError:
        return DEFAULT_WORK_FACTOR
    return DEFAULT_WORK_FACTOR if found is None else found


def new_member(
    pseudonym: str, passphrase: str, *, work_factor: int = DEFAULT_WORK_FACTOR
) -> MemberRecord:
    """Make a member record with fresh keys sealed under ``passphrase``.

    Pure and slow (one scrypt): safe to run in a worker thread. Store the
    record with :meth:`Store.add_member`.

    Raises:
        StorycircleError: a bad pseudonym or a weak passphrase
            (:class:`~storycircle.errors.WeakPassphrase`).
    """
    name = clean_pseudonym(pseudonym)
    check_strength(passphrase, pseudonym=name)
    identity = vault.X25519Identity.generate()
    hybrid = vault.HybridIdentity.generate()
    signing_key = new_signing_key()
    signing_raw = raw_private(signing_key)
    return MemberRecord(
        id=secrets.token_hex(8),
        pseudonym=name,
        recipient=str(identity.recipient),
        signing_public=raw_public(signing_key),
        identity_sealed=_seal_identity(identity, hybrid, passphrase, work_factor),
        signing_sealed=vault.encrypt(signing_raw, [identity.recipient]),
        created=datetime.now(UTC).strftime("%Y-%m-%d"),
        hybrid_recipient=str(hybrid.recipient),
    )


def create_member(
    store: Store, pseudonym: str, passphrase: str, *, work_factor: int = DEFAULT_WORK_FACTOR
) -> MemberRecord:
    """Create and store a member with fresh keys sealed under ``passphrase``.

    Raises:
        StorycircleError: a bad pseudonym, a weak passphrase
            (:class:`~storycircle.errors.WeakPassphrase`), or a taken name.
    """
    ensure_pseudonym_free(store, pseudonym)
    record = new_member(pseudonym, passphrase, work_factor=work_factor)
    store.add_member(record)
    return record


def ensure_pseudonym_free(store: Store, pseudonym: str) -> None:
    """Refuse a pseudonym that is empty, too long or already taken here.

    Raises:
        StorycircleError: with the reason.
    """
    name = clean_pseudonym(pseudonym)
    if store.member_by_pseudonym(name) is not None:
        raise StorycircleError(f'the pseudonym "{name}" is already taken here')


def find_member(store: Store, pseudonym: str) -> MemberRecord:
    """Return the member with this pseudonym.

    Raises:
        UnknownMember: nobody here has that pseudonym.
    """
    record = store.member_by_pseudonym(sanitize_line(pseudonym))
    if record is None:
        raise UnknownMember(f'nobody here is called "{sanitize_line(pseudonym)}"')
    return record


def unlock(
    record: MemberRecord, passphrase: str, *, prepare_upgrade: bool = True
) -> UnlockedMember:
    """Open a member's keys with their passphrase (one scrypt; run it off the UI thread).

    Touches no database, so it is safe to call from a worker thread. For a
    member without a hybrid key yet, ``prepare_upgrade`` makes one and seals it
    (a second scrypt, once); :func:`save_upgrade` stores it.

    Raises:
        WrongPassphrase: the passphrase does not open this member's keys.
        StorycircleError: the sealed keys are damaged.
    """
    try:
        identity_file = vault.decrypt(record.identity_sealed, [vault.ScryptIdentity(passphrase)])
    except vault.NoIdentityMatch:
        raise WrongPassphrase("that passphrase does not unlock this member") from None
    except vault.AgeError:
        raise StorycircleError(f"the keys of {record.pseudonym} are damaged") from None
    return _open_keys(record, identity_file, passphrase if prepare_upgrade else None)


def unlock_with_keys(record: MemberRecord, keys: bytes) -> UnlockedMember:
    """Open a member's keys from :func:`key_lines` (an unlocked session), without scrypt.

    Prepares no upgrade: a session is started by a full :func:`unlock` that
    stored any upgrade first.

    Raises:
        StorycircleError: the keys are damaged or are not this member's.
    """
    return _open_keys(record, keys, None)


def key_lines(member: UnlockedMember) -> bytes:
    """The member's private identities as text, the least an unlocked session must keep.

    Everything else an unlock yields (the signing key, the journal keys) is
    derived from these, so :func:`unlock_with_keys` can rebuild the member.
    """
    text = f"{member.identity}\n"
    if member.hybrid is not None:
        text += f"{HYBRID_LINE_PREFIX}{member.hybrid}\n"
    return text.encode("ascii")


def _open_keys(
    record: MemberRecord, identity_file: bytes, passphrase: str | None
) -> UnlockedMember:
    """The member from their decrypted identity file; with ``passphrase``, prepare an upgrade."""
    identity, hybrid = _parse_identity_file(identity_file, record)
    try:
        signing_raw = vault.decrypt(record.signing_sealed, [identity])
        signing_key = signing_key_from_raw(signing_raw)
    except (vault.AgeError, ValueError):
        raise StorycircleError(f"the signing key of {record.pseudonym} is damaged") from None
    if raw_public(signing_public_key(record)) != raw_public(signing_key):
        raise StorycircleError(f"the signing key of {record.pseudonym} does not match")
    journal = journal_keys(identity.to_bytes())
    if hybrid is not None:
        # A sealed file with a hybrid key the row does not list yet (a
        # passphrase change during an upgrade): store the row's part at save.
        pending = None if record.hybrid_recipient else record.identity_sealed
        return UnlockedMember(record, identity, signing_key, journal, hybrid, pending)
    if passphrase is None:
        return UnlockedMember(record, identity, signing_key, journal)
    # A member from before hybrid keys: prepare one, sealed as the rest.
    hybrid = vault.HybridIdentity.generate()
    sealed = _seal_identity(identity, hybrid, passphrase, _work_factor_of(record.identity_sealed))
    return UnlockedMember(record, identity, signing_key, journal, hybrid, sealed)


def save_upgrade(store: Store, member: UnlockedMember) -> UnlockedMember:
    """Store a hybrid key prepared at unlock; return the member ready to use it.

    A member whose keys need nothing is returned as is.
    """
    if member.upgrade is None:
        return member
    assert member.hybrid is not None  # an upgrade always carries its key
    hybrid_recipient = str(member.hybrid.recipient)
    store.replace_identity(member.id, member.upgrade, hybrid_recipient)
    return replace(
        member, upgrade=None, record=replace(member.record, hybrid_recipient=hybrid_recipient)
    )


def _parse_identity_file(
    data: bytes, record: MemberRecord
) -> tuple[vault.X25519Identity, vault.HybridIdentity | None]:
    damaged = StorycircleError(f"the keys of {record.pseudonym} are damaged")
    lines = [line.strip() for line in data.decode("ascii", "replace").splitlines()]
    keys = [line for line in lines if line.startswith("AGE-SECRET-KEY-1")]
    hybrids = [
        line[len(HYBRID_LINE_PREFIX) :] for line in lines if line.startswith(HYBRID_LINE_PREFIX)
    ]
    try:
        identity = vault.parse_identity(keys[0])
        hybrid = vault.parse_identity(hybrids[0]) if hybrids else None
    except (IndexError, vault.AgeError):
        raise damaged from None
    if not isinstance(identity, vault.X25519Identity):  # pragma: no cover - prefix checked
        raise damaged
    if hybrid is not None and not isinstance(hybrid, vault.HybridIdentity):
        raise damaged
    if str(identity.recipient) != record.recipient or (
        record.hybrid_recipient
        and (hybrid is None or str(hybrid.recipient) != record.hybrid_recipient)
    ):
        raise StorycircleError(f"the keys of {record.pseudonym} do not match the member")
    return identity, hybrid


def change_passphrase(
    store: Store,
    member: UnlockedMember,
    new_passphrase: str,
    *,
    work_factor: int = DEFAULT_WORK_FACTOR,
) -> None:
    """Re-wrap the member's identity under a new passphrase; stories are untouched.

    Raises:
        WeakPassphrase: the new passphrase is below the floor.
    """
    check_strength(new_passphrase, pseudonym=member.pseudonym)
    sealed = _seal_identity(member.identity, member.hybrid, new_passphrase, work_factor)
    hybrid_recipient = str(member.hybrid.recipient) if member.hybrid is not None else None
    store.replace_identity(member.id, sealed, hybrid_recipient)


def signing_public_key(record: MemberRecord) -> VerifyKey:
    """Return the member's Ed25519 public key."""
    return verify_key(record.signing_public)
