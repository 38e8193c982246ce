"""Settings file: defaults, round trip, clear errors, atomic writes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from storycircle.config import Config, load_config, render_config, save_config
from storycircle.errors import StorycircleError
from storycircle.helplines import HelpLine


def test_absent_file_means_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()


def test_round_trip_with_awkward_text(tmp_path: Path) -> None:
    config = Config(
        work_factor=12,
        autosave_seconds=9,
        theme="storycircle-high-contrast",
        help_locale="en-GB",
        help_lines=(HelpLine("en-GB", 'Line "quoted" \\ back', "Call 116 123", "24/7"),),
    )
    save_config(tmp_path, config)
    assert load_config(tmp_path) == config
    assert stat.S_IMODE((tmp_path / "config.toml").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("work_factor = 5", "work_factor must be a whole number from 10 to 22"),
        ("work_factor = true", "work_factor must be"),
        ("autosave_seconds = 0", "autosave_seconds must be"),
        ('theme = "neon"', "theme must be one of"),
        ("this is not toml", "is not valid TOML"),
        ("[[help_line]]\nname = 'x'", "needs a name and a contact"),
    ],
)
def test_bad_values_are_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "config.toml").write_text(text)
    with pytest.raises(StorycircleError, match=message):
        load_config(tmp_path)


def test_render_is_valid_for_defaults() -> None:
    assert "work_factor = 17" in render_config(Config())
