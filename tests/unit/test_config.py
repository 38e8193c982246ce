"""Settings file: defaults, round trip, clear errors, atomic writes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from storycircle.errors import StorycircleError
from storycircle.session.config import Config, load_config, render_config, save_config
from storycircle.session.helplines import HelpLine


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


EDITED = """\
# My settings: the theme is for my eyes.
theme = "storycircle-high-contrast"  # easier to read at night

# Autosave often: my laptop crashes.
autosave_seconds = 2
work_factor = 18

[[help_line]]
# The group's own line comes first.
locale = "en-GB"
name = "Tuesday group"
contact = "07700 900123"
hours = "Tue evenings"
"""


def test_saving_keeps_comments_order_and_untouched_keys(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(EDITED)
    config = load_config(tmp_path)
    from dataclasses import replace

    save_config(tmp_path, replace(config, theme="storycircle", autosave_seconds=7))
    text = (tmp_path / "config.toml").read_text()
    assert load_config(tmp_path) == replace(config, theme="storycircle", autosave_seconds=7)
    expected = EDITED.replace('"storycircle-high-contrast"', '"storycircle"').replace(
        "autosave_seconds = 2", "autosave_seconds = 7"
    )
    assert text == expected  # every comment, blank line and key order kept


def test_saving_adds_a_changed_key_the_file_lacked(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(EDITED)
    from dataclasses import replace

    config = replace(load_config(tmp_path), kiosk_idle_seconds=300, help_lines=())
    save_config(tmp_path, config)
    text = (tmp_path / "config.toml").read_text()
    assert load_config(tmp_path) == config
    assert text.startswith("# My settings: the theme is for my eyes.\n")
    assert "kiosk_idle_seconds = 300" in text and "[[help_line]]" not in text
    assert "guest_hidden_notes" not in text  # unchanged defaults are not written in
