"""Crisis resources: shipped defaults, locale choice, parsing."""

from __future__ import annotations

import pytest

from storycircle.errors import StorycircleError
from storycircle.helplines import current_locale, default_lines, lines_for, parse_lines


def test_us_locale_gets_988_first_then_universal_lines() -> None:
    lines = lines_for("en-US")
    assert lines[0].name.startswith("988")
    assert lines[-1].locale == "*"
    assert all(line.locale in ("en-US", "*") for line in lines)


def test_unknown_locale_gets_universal_lines_and_every_country() -> None:
    lines = lines_for("xx-YY")
    assert lines[0].locale == "*"
    assert {"en-GB", "en-US"} <= {line.locale for line in lines}


def test_every_shipped_line_has_a_contact() -> None:
    assert all(line.name and line.contact for line in default_lines())


def test_bad_entries_are_refused() -> None:
    with pytest.raises(StorycircleError, match="needs a name and a contact"):
        parse_lines([{"name": "x"}], "config.toml")
    with pytest.raises(StorycircleError, match="list"):
        parse_lines("nope", "config.toml")


def test_locale_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert current_locale() == "en-GB"
