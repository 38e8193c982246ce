"""Settings of an installation, in ``config.toml`` in the data folder.

Missing keys take their defaults. A malformed file is reported in one line;
the file is never overwritten by a failed read.

Only settings that reveal nothing about anyone's stories live here (theme,
autosave interval, help lines). A member's reading filters are sealed to the
member in the database (:mod:`storycircle.journal.preferences`).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storycircle.errors import StorycircleError
from storycircle.files import write_atomically
from storycircle.paths import CONFIG_NAME
from storycircle.session.helplines import HelpLine, parse_lines

# tomlkit is imported only to write settings: reading uses tomllib, and the
# first screen only reads (start-up cost).

if TYPE_CHECKING:
    import tomlkit.items

# tomlkit (which keeps a person's comments) is imported only to write the
# file: every command reads it, with the standard library's faster tomllib.

MIN_WORK_FACTOR = 10
MAX_WORK_FACTOR = 22
THEMES = ("storycircle", "storycircle-high-contrast")


@dataclass(frozen=True, slots=True)
class Config:
    """Settings of one installation.

    Attributes:
        work_factor: scrypt cost (log2 N) used when sealing a member's keys.
            Lower values are only for tests and very slow machines.
        autosave_seconds: How often the editor autosaves an encrypted draft.
        theme: The colour theme, one of :data:`THEMES`.
        help_locale: Locale whose help lines come first (empty: from the
            environment).
        help_lines: Help lines that replace the shipped ones (empty: shipped).
        guest_hidden_notes: Content notes hidden from guest readers (members'
            own filters are sealed to them in the database instead).
        kiosk_idle_seconds: On a kiosk, lock after this long without a key press.
        kiosk_hide_members: On a kiosk, people type their pseudonym instead of
            picking it from a list.
    """

    work_factor: int = 17
    autosave_seconds: int = 5
    theme: str = "storycircle"
    help_locale: str = ""
    help_lines: tuple[HelpLine, ...] = field(default_factory=tuple)
    guest_hidden_notes: tuple[str, ...] = field(default_factory=tuple)
    kiosk_idle_seconds: int = 180
    kiosk_hide_members: bool = False


def _int(data: dict[str, Any], key: str, default: int, low: int, high: int, path: Path) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise StorycircleError(f"{path}: {key} must be a whole number from {low} to {high}")
    return value


def load_config(folder: Path) -> Config:
    """Read ``config.toml`` from ``folder``; absent means defaults.

    Raises:
        StorycircleError: the file exists but is not valid TOML or has a bad value.
    """
    path = folder / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as error:
        raise StorycircleError(f"cannot read {path}: {error}") from None
    return _from_text(text, path)


def _from_text(text: str, path: Path) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StorycircleError(f"{path} is not valid TOML: {error}") from None
    theme = data.get("theme", "storycircle")
    if theme not in THEMES:
        raise StorycircleError(f"{path}: theme must be one of {', '.join(THEMES)}")
    help_locale = data.get("help_locale", "")
    if not isinstance(help_locale, str):
        raise StorycircleError(f"{path}: help_locale must be text such as en-GB")
    guest_notes = data.get("guest_hidden_notes", [])
    if not isinstance(guest_notes, list) or not all(isinstance(n, str) for n in guest_notes):
        raise StorycircleError(f"{path}: guest_hidden_notes must be a list of text")
    hide_members = data.get("kiosk_hide_members", False)
    if not isinstance(hide_members, bool):
        raise StorycircleError(f"{path}: kiosk_hide_members must be true or false")
    return Config(
        kiosk_idle_seconds=_int(data, "kiosk_idle_seconds", 180, 5, 3600, path),
        kiosk_hide_members=hide_members,
        guest_hidden_notes=tuple(guest_notes),
        work_factor=_int(data, "work_factor", 17, MIN_WORK_FACTOR, MAX_WORK_FACTOR, path),
        autosave_seconds=_int(data, "autosave_seconds", 5, 1, 600, path),
        theme=theme,
        help_locale=help_locale,
        help_lines=tuple(parse_lines(data.get("help_line", []), str(path))),
    )


def _toml_string(value: str) -> str:
    # JSON string escapes are a subset of TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def render_config(config: Config) -> str:
    """Return ``config`` as TOML text that :func:`load_config` reads back."""
    out = [
        "# storycircle settings. Edit here; comments and order are kept when the app saves.",
        f"work_factor = {config.work_factor}",
        f"autosave_seconds = {config.autosave_seconds}",
        f"theme = {_toml_string(config.theme)}",
        f"help_locale = {_toml_string(config.help_locale)}",
        "guest_hidden_notes = ["
        + ", ".join(_toml_string(note) for note in config.guest_hidden_notes)
        + "]",
        f"kiosk_idle_seconds = {config.kiosk_idle_seconds}",
        f"kiosk_hide_members = {'true' if config.kiosk_hide_members else 'false'}",
    ]
    for line in config.help_lines:
        out += [
            "",
            "[[help_line]]",
            f"locale = {_toml_string(line.locale)}",
            f"name = {_toml_string(line.name)}",
            f"contact = {_toml_string(line.contact)}",
            f"hours = {_toml_string(line.hours)}",
        ]
    return "\n".join(out) + "\n"


_SCALARS = (
    "work_factor",
    "autosave_seconds",
    "theme",
    "help_locale",
    "guest_hidden_notes",
    "kiosk_idle_seconds",
    "kiosk_hide_members",
)


def _help_line_tables(lines: tuple[HelpLine, ...]) -> tomlkit.items.AoT:
    import tomlkit

    tables = tomlkit.aot()
    for line in lines:
        table = tomlkit.table()
        for key in ("locale", "name", "contact", "hours"):
            table.add(key, getattr(line, key))
        tables.append(table)
    return tables


def update_config_text(text: str, config: Config) -> str:
    """``text`` (a person's ``config.toml``) with ``config``'s values, comments kept.

    Only keys whose value changed are touched, in place (an inline comment
    stays); a changed key the file lacks is added; keys at their default that
    the file lacks stay out. The help lines are rewritten only if they changed.
    """
    import tomlkit
    import tomlkit.items

    document = tomlkit.parse(text)
    before = _from_text(text, Path(CONFIG_NAME))
    defaults = Config()
    for key in _SCALARS:
        value = getattr(config, key)
        if value == getattr(before, key):
            continue
        plain = list(value) if isinstance(value, tuple) else value
        if key in document:
            old, new = document.item(key), tomlkit.item(plain)
            if isinstance(old, tomlkit.items.Item):
                # The comment on the line and the spacing around it stay as written.
                for part in ("indent", "comment_ws", "comment", "trail"):
                    setattr(new.trivia, part, getattr(old.trivia, part))
            document[key] = new
        elif value != getattr(defaults, key):
            document.add(key, tomlkit.item(plain))  # tomlkit puts it before any table
    if config.help_lines != before.help_lines:
        if "help_line" in document:
            del document["help_line"]
        if config.help_lines:
            document.append("help_line", _help_line_tables(config.help_lines))
    return tomlkit.dumps(document)


def save_config(folder: Path, config: Config) -> None:
    """Write ``config.toml`` atomically (a new file renamed over the old one).

    A person's edits to the file (comments, order, blank lines) are kept:
    only the values that changed are rewritten.

    Raises:
        StorycircleError: the file cannot be written; the old one is kept.
    """
    path = folder / CONFIG_NAME
    try:
        existing = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = ""
    except (OSError, UnicodeDecodeError) as error:
        raise StorycircleError(f"cannot read {path}: {error}") from None
    text = update_config_text(existing, config) if existing.strip() else render_config(config)
    try:
        write_atomically(path, text.encode("utf-8"))
    except OSError as error:
        raise StorycircleError(f"settings not saved: {error.strerror}") from None
