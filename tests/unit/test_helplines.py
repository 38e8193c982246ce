"""Crisis resources: shipped defaults, locale choice, parsing."""

from __future__ import annotations

import pytest

from storycircle.errors import StorycircleError
from storycircle.session.helplines import (
    current_locale,
    default_lines,
    help_sections,
    lines_for,
    parse_lines,
    parse_region,
    region_name,
)


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


@pytest.mark.parametrize("value", ["C", "C.UTF-8", "POSIX"])
def test_a_c_locale_is_no_region(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    # Python reports C.UTF-8 as en_US: that must not put the US lines first.
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", value)
    assert current_locale() == ""


def test_help_sections_put_the_region_first_and_keep_the_others() -> None:
    first, others = help_sections("en-GB")
    assert [line.locale for line in first][:2] == ["en-GB", "en-GB"]
    assert {line.locale for line in first} == {"en-GB", "*"}
    assert "en-US" in {line.locale for line in others} and "en-GB" not in {
        line.locale for line in others
    }
    unknown_first, unknown_others = help_sections("")
    assert {line.locale for line in unknown_first} == {"*"}
    assert len(unknown_first) + len(unknown_others) == len(default_lines())


@pytest.mark.parametrize(
    ("answer", "locale"),
    [("GB", "en-GB"), ("en-gb", "en-GB"), ("United Kingdom", "en-GB"), ("nz", "en-NZ"), ("", "")],
)
def test_a_region_is_named_as_a_facilitator_would(answer: str, locale: str) -> None:
    assert parse_region(answer) == locale
    with pytest.raises(StorycircleError, match="choose one of US, CA, GB"):
        parse_region("Atlantis")
    assert region_name("en-GB") == "the United Kingdom"
