"""The same synthetic journal as a storycircle installation and an encrypted jrnl journal.

Both are generated from :func:`benchmarks.synth.entries` and cached under
``benchmarks/.data/<size>-s<seed>/`` (git-ignored; ``STORYCIRCLE_BENCH_DATA`` names
another folder), because a 100k journal
takes minutes to encrypt:

* ``storycircle/`` is a data folder (``STORYCIRCLE_HOME``) with one member,
  "bench", whose keys are sealed at the real default work factor (17), so the
  timed commands pay what a person pays to unlock;
* ``jrnl/`` holds a jrnl configuration (``XDG_CONFIG_HOME``), the journal
  encrypted by jrnl's own current format class, and a plaintext keyring file
  (``XDG_DATA_HOME`` with ``PYTHON_KEYRING_BACKEND``) from which jrnl takes the
  password without a prompt, as it would from a desktop keyring.

The passphrase is a published constant: the data is synthetic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import synth
from storycircle.journal.journal import Journal
from storycircle.journal.members import create_member, unlock
from storycircle.models import Story
from storycircle.paths import DATABASE_NAME
from storycircle.session.config import Config
from storycircle.store import Store

PASSPHRASE = "kettle orbit maple seventeen"
ROOT = Path(os.environ.get("STORYCIRCLE_BENCH_DATA") or Path(__file__).resolve().parent / ".data")
"""Where datasets are cached: ``STORYCIRCLE_BENCH_DATA``, else ``benchmarks/.data``."""
BATCH = 2_000
KEYRING_BACKEND = "keyrings.alt.file.PlaintextKeyring"


@dataclass(frozen=True)
class Dataset:
    """Where one generated size lives.

    Attributes:
        size: How many entries.
        folder: The cache folder of this size and seed.
    """

    size: int
    folder: Path

    @property
    def home(self) -> Path:
        """The storycircle data folder (``STORYCIRCLE_HOME``)."""
        return self.folder / "storycircle"

    @property
    def jrnl(self) -> Path:
        """The jrnl folder: configuration, journal and keyring."""
        return self.folder / "jrnl"

    def storycircle_env(self) -> dict[str, str]:
        """Environment for a storycircle process on this data."""
        return {**os.environ, "STORYCIRCLE_HOME": str(self.home)}

    def jrnl_env(self) -> dict[str, str]:
        """Environment for a jrnl process on this data (password from the keyring)."""
        return jrnl_env(self.jrnl)


def jrnl_env(folder: Path) -> dict[str, str]:
    """Environment that points jrnl at ``folder``'s configuration and keyring."""
    return {
        **os.environ,
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "PYTHON_KEYRING_BACKEND": KEYRING_BACKEND,
    }


def ensure(size: int, *, seed: int = 7, root: Path = ROOT) -> Dataset:
    """Return the dataset of ``size`` entries, generating what is missing."""
    dataset = Dataset(size, root / f"{size}-s{seed}")
    done = dataset.folder / "complete"
    if done.exists():
        return dataset
    if dataset.folder.exists():
        shutil.rmtree(dataset.folder)  # a generation that was interrupted
    dataset.folder.mkdir(parents=True)
    start = time.perf_counter()
    entries = synth.entries(size, seed=seed)
    build_storycircle(dataset.home, entries)
    build_jrnl(dataset.jrnl, entries)
    done.write_text(f"{size} entries, seed {seed}\n")
    print(
        f"generated {size:,} entries in {time.perf_counter() - start:.0f} s: {dataset.folder}",
        file=sys.stderr,
    )
    return dataset


def build_storycircle(home: Path, entries: list[synth.Entry]) -> None:
    """Write ``entries`` as one member's journal, oldest first, in batches.

    Each story goes through :meth:`Journal._write`, the path every save takes
    (signed age file, sealed summary, tag tokens), with the entry's own dates.
    """
    home.mkdir(parents=True, mode=0o700)
    store = Store.open(home / DATABASE_NAME)
    record = create_member(store, "bench", PASSPHRASE, work_factor=Config().work_factor)
    member = unlock(record, PASSPHRASE)
    journal = Journal(store, member)
    for first in range(0, len(entries), BATCH):
        with journal.batch():  # one version-record write per batch
            for entry in entries[first : first + BATCH]:
                story = Story(
                    id=entry.id,
                    version=1,
                    title=entry.title,
                    body=entry.body,
                    tags=entry.tags,
                    author_id=member.id,
                    created=entry.created,
                    updated=entry.created,
                )
                journal._write(story, expected_version=0)
    store.checkpoint()
    store.close()


def jrnl_text(entries: list[synth.Entry]) -> str:
    """``entries`` in jrnl's plain-text journal format, tags as ``@tag`` words."""
    parts = []
    for entry in entries:
        day, clock = entry.created[:10], entry.created[11:19]
        hour, minute = int(clock[:2]), clock[3:5]
        stamp = f"{day} {(hour % 12) or 12:02d}:{minute}:00 {'AM' if hour < 12 else 'PM'}"
        tags = " ".join("@" + tag for tag in entry.tags)
        parts.append(f"[{stamp}] {entry.title}\n{entry.body} {tags}\n")
    return "\n".join(parts)


def build_jrnl(folder: Path, entries: list[synth.Entry]) -> None:
    """Write ``entries`` as an encrypted jrnl journal with its config and keyring."""
    config = folder / "config" / "jrnl"
    config.mkdir(parents=True)
    journal = folder / "journal.txt"
    (config / "jrnl.yaml").write_text(
        "colors:\n  body: none\n  date: none\n  tags: none\n  title: none\n"
        "default_hour: 9\ndefault_minute: 0\neditor: ''\nencrypt: true\nhighlight: true\n"
        "indent_character: '|'\n"
        f"journals:\n  default:\n    journal: {journal}\n"
        "linewrap: 79\ntagsymbols: '#@'\ntemplate: false\ntimeformat: '%F %r'\n"
        f"version: '{_jrnl_version()}'\n"
    )
    # jrnl's own encryption class (the format it writes today), run in a
    # child process so this one never imports jrnl.
    script = (
        "import sys\n"
        "from jrnl.encryption import determine_encryption_method_for_writing as method\n"
        "cls = method(True)\n"
        "enc = cls('default', {})\n"
        "enc.password = sys.argv[1]\n"
        "data = sys.stdin.buffer.read().decode('utf-8')\n"
        "sys.stdout.buffer.write(enc.encrypt(data))\n"
        "import keyring\n"
        "keyring.set_password('jrnl', 'default', sys.argv[1])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, PASSPHRASE],
        input=jrnl_text(entries).encode("utf-8"),
        capture_output=True,
        env=jrnl_env(folder),
        check=True,
    )
    journal.write_bytes(result.stdout)


def _jrnl_version() -> str:
    from importlib.metadata import version

    return version("jrnl")


def scratch_copy(dataset: Dataset, name: str) -> Dataset:
    """A throw-away copy of ``dataset`` for figures that write (adding a story)."""
    target = dataset.folder.parent / "scratch" / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(dataset.home, target / "storycircle")
    shutil.copytree(dataset.jrnl, target / "jrnl")
    config = target / "jrnl" / "config" / "jrnl" / "jrnl.yaml"
    config.write_text(
        config.read_text().replace(
            str(dataset.jrnl / "journal.txt"), str(target / "jrnl/journal.txt")
        )
    )
    return Dataset(dataset.size, target)
