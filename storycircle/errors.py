"""Errors a person may see.

Every error raised for a person to read derives from :class:`StorycircleError`
and carries one plain line: no traceback, no key material, no story text.
"""

from __future__ import annotations


class StorycircleError(Exception):
    """Base class for errors whose message is written for a person to read."""


class DataDirError(StorycircleError):
    """The data folder cannot be used (read-only, not ours, not a folder)."""


class StoreError(StorycircleError):
    """The database cannot be opened or used safely."""


class WrongPassphrase(StorycircleError):
    """The passphrase does not unlock this member."""


class WeakPassphrase(StorycircleError):
    """A new passphrase is below the strength floor; the message says why."""


class UnknownMember(StorycircleError):
    """No member with that pseudonym or id exists here."""


class StoryNotFound(StorycircleError):
    """No story with that id is readable by this member."""


class DamagedStory(StorycircleError):
    """A story's sealed data failed to decrypt, verify or match its row."""


class RolledBack(DamagedStory):
    """A story's row is older than the newest version its author saved here."""


class PassphraseNeeded(StorycircleError):
    """A file is protected by a passphrase and none was given (ask, then try again)."""
