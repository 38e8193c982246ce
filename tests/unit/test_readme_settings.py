"""The README's table of config.toml keys says truly where else each can be changed."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from storycircle.screens.settings import SETTINGS_FIELDS
from storycircle.session.config import Config

README = Path(__file__).resolve().parents[2] / "README.md"


def _rows() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| key | default | meaning |") :].split("\n\n")[0]
    rows: dict[str, str] = {}
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        rows[re.sub(r"[`\[\]]", "", cells[0])] = cells[-1]
    return rows


def test_every_config_key_is_in_the_readme_with_where_it_is_changed() -> None:
    rows = _rows()
    keys = {f.name for f in fields(Config)} - {"help_lines"} | {"help_line"}
    assert set(rows) == keys
    for key, where in rows.items():
        in_settings = where.startswith("Settings")
        assert in_settings == (key in SETTINGS_FIELDS), f"{key}: README says {where!r}"
        if not in_settings:
            assert where in ("config.toml only", "`storycircle kiosk --setup`"), key
    assert "Everything here can also be changed" not in README.read_text(encoding="utf-8")
