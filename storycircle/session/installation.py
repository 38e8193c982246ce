"""One installation: its data folder, database and settings, opened together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storycircle.errors import StorycircleError
from storycircle.paths import DATABASE_NAME, data_dir, ensure_private_dir
from storycircle.session.config import Config, load_config
from storycircle.store import Store


@dataclass(frozen=True, slots=True)
class Installation:
    """The open parts of an installation.

    Attributes:
        folder: The private data folder.
        store: The open database.
        config: Settings from ``config.toml``.
    """

    folder: Path
    store: Store
    config: Config


def open_installation(folder: Path | None = None) -> Installation:
    """Check the data folder, then open its settings and database.

    Raises:
        StorycircleError: the folder or database cannot be used; the message
            says why and what to do.
    """
    root = ensure_private_dir(folder or data_dir())
    config = load_config(root)
    return Installation(root, Store.open(root / DATABASE_NAME), config)


def has_data(folder: Path | None = None) -> bool:
    """True when ``folder`` (the data folder by default) holds a database; creates nothing."""
    return ((folder or data_dir()) / DATABASE_NAME).is_file()


def no_data_error(folder: Path | None = None) -> StorycircleError:
    """The one-line refusal of a command that needs data in a folder that has none."""
    where = folder or data_dir()
    return StorycircleError(f"No storycircle data in {where} yet: run `storycircle` to start")


def empty_installation(folder: Path | None = None) -> Installation:
    """The data folder (default: the usual one) over an empty in-memory database.

    For the few commands that need no data (listing and exporting the shipped
    collections) in a folder that has none: nothing is created on disk.
    """
    root = folder or data_dir()
    config = load_config(root) if root.is_dir() else Config()
    return Installation(root, Store.memory(), config)


def remove_member(folder: Path, store: Store, member_id: str) -> None:
    """Delete a member, their journal, drafts, reactions and consent list for good.

    Raises:
        StorycircleError: no such member.
    """
    # Imported here: the first screen opens the installation, and the
    # collections' code is not needed until someone is removed.
    from storycircle.curated.collections import forget_consents

    if not store.delete_member(member_id):
        raise StorycircleError("that member is no longer here")
    forget_consents(folder, member_id)
