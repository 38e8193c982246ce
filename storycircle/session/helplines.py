"""Crisis resources for "Help now": shipped defaults, per locale, overridable.

Everything is local data, so help shows with no network and before unlock.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from storycircle.errors import StorycircleError

NOT_A_CRISIS_SERVICE = (
    "storycircle is not a crisis service and nobody is watching what you write here. "
    "If you might act on thoughts of harming yourself or someone else, "
    "contact one of these now, or your local emergency number."
)


@dataclass(frozen=True, slots=True)
class HelpLine:
    """One crisis resource.

    Attributes:
        locale: Where it applies (``en-US``), or ``*`` for everywhere.
        name: Its name.
        contact: How to reach it, in words.
        hours: When it answers.
    """

    locale: str
    name: str
    contact: str
    hours: str = ""


def parse_lines(entries: Any, source: str) -> list[HelpLine]:
    """Turn a TOML ``[[line]]`` array into help lines.

    Raises:
        StorycircleError: an entry lacks a name or contact, or is not a table.
    """
    if not isinstance(entries, list):
        raise StorycircleError(f"{source}: help lines must be a list of [[line]] tables")
    lines: list[HelpLine] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise StorycircleError(f"{source}: help line {number} is not a table")
        name, contact = entry.get("name"), entry.get("contact")
        if not isinstance(name, str) or not isinstance(contact, str) or not name or not contact:
            raise StorycircleError(f"{source}: help line {number} needs a name and a contact")
        lines.append(
            HelpLine(
                locale=str(entry.get("locale", "*")),
                name=name,
                contact=contact,
                hours=str(entry.get("hours", "")),
            )
        )
    return lines


def default_lines() -> list[HelpLine]:
    """The help lines shipped with storycircle."""
    text = resources.files("storycircle.data").joinpath("helplines.toml").read_text("utf-8")
    return parse_lines(tomllib.loads(text).get("line", []), "helplines.toml")


def current_locale() -> str:
    """The person's locale as ``ll-CC`` (``en-GB``), from the environment, or "".

    A ``C`` or ``POSIX`` locale says nothing about where a person is (Python
    would report it as ``en_US``), so it gives "": the universal lines come
    first then, and every country's are one key away.
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value.split(".")[0].split("@")[0].replace("_", "-")
    return ""


REGIONS = {
    "US": "the United States",
    "CA": "Canada",
    "GB": "the United Kingdom",
    "IE": "Ireland",
    "AU": "Australia",
    "NZ": "New Zealand",
}
"""Names of the regions of the shipped lines, by country code (``en-GB`` -> ``GB``)."""


def region_name(locale: str) -> str:
    """``the United Kingdom`` for ``en-GB``; the code itself when unknown; "" for ``*``."""
    if locale == "*" or not locale:
        return ""
    return REGIONS.get(locale.rpartition("-")[2].upper(), locale)


def regions(lines: list[HelpLine] | None = None) -> list[str]:
    """The locales that have lines of their own, in the order they first appear."""
    pool = default_lines() if lines is None else lines
    return list(dict.fromkeys(line.locale for line in pool if line.locale != "*"))


def parse_region(answer: str, lines: list[HelpLine] | None = None) -> str:
    """The locale a facilitator means by ``GB``, ``en-GB`` or ``United Kingdom`` ("" = system).

    Raises:
        StorycircleError: no help lines are known for that region.
    """
    wanted = answer.strip().casefold().removeprefix("the ")
    if not wanted or wanted in ("system", "auto"):
        return ""
    for code in regions(lines):
        names = {code.casefold(), code.rpartition("-")[2].casefold()}
        names.add(region_name(code).casefold().removeprefix("the "))
        if wanted in names:
            return code
    known = ", ".join(code.rpartition("-")[2] for code in regions(lines))
    raise StorycircleError(f"no help lines for {answer.strip()[:20]!r}; choose one of {known}")


def help_sections(
    locale: str, lines: list[HelpLine] | None = None
) -> tuple[list[HelpLine], list[HelpLine]]:
    """The lines to show first for ``locale``, and those of every other country.

    First come the lines for ``locale`` and then those for everywhere; when
    ``locale`` has none (or is unknown), only those for everywhere. Help now
    shows the others one key away ("other countries").
    """
    pool = default_lines() if lines is None else lines
    local = [line for line in pool if line.locale.casefold() == locale.casefold()]
    everywhere = [line for line in pool if line.locale == "*"]
    others = [line for line in pool if line.locale != "*" and line not in local]
    return local + everywhere, others


def lines_for(locale: str, lines: list[HelpLine] | None = None) -> list[HelpLine]:
    """The lines for ``locale`` first, then those for everywhere.

    With no exact match, lines for the same language region are not guessed:
    the universal lines (find a helpline; emergency) are shown instead, along
    with every locale's lines so a person can find theirs.
    """
    pool = default_lines() if lines is None else lines
    local = [line for line in pool if line.locale.casefold() == locale.casefold()]
    everywhere = [line for line in pool if line.locale == "*"]
    if local:
        return local + everywhere
    others = [line for line in pool if line.locale != "*"]
    return everywhere + others
