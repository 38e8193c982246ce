"""Settings from ``config.toml`` in the data folder.

Missing keys take their defaults; a malformed file is reported with one line
and the defaults are used, so a typo never locks anyone out.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from storycircle.errors import StorycircleError
from storycircle.paths import CONFIG_NAME

MIN_WORK_FACTOR = 10
MAX_WORK_FACTOR = 22


@dataclass(frozen=True, slots=True)
class Config:
    """Settings of one installation.

    Attributes:
        work_factor: scrypt cost (log2 N) used when sealing a member's keys.
            Lower values are only for tests and very slow machines.
        autosave_seconds: How often the editor autosaves an encrypted draft.
    """

    work_factor: int = 17
    autosave_seconds: int = 5


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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StorycircleError(f"{path} is not valid TOML: {error}") from None
    config = Config()
    work_factor = data.get("work_factor", config.work_factor)
    if not isinstance(work_factor, int) or not MIN_WORK_FACTOR <= work_factor <= MAX_WORK_FACTOR:
        raise StorycircleError(
            f"{path}: work_factor must be a whole number from {MIN_WORK_FACTOR} to "
            f"{MAX_WORK_FACTOR}"
        )
    autosave = data.get("autosave_seconds", config.autosave_seconds)
    if not isinstance(autosave, int) or not 1 <= autosave <= 600:
        raise StorycircleError(f"{path}: autosave_seconds must be from 1 to 600")
    return Config(work_factor=work_factor, autosave_seconds=autosave)
