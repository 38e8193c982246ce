"""The parts of the HTML booklet around the stories: what it is, and its contents.

A collection's booklet opens with what CC BY-SA and a reader both need: the
title, the curator, the description, the licence (linked when it is a Creative
Commons licence) and the consent statement the authors agreed to. Every booklet
then lists its stories, each linked to its place in the page, with its
content notes, so a reader can choose what to skip before reaching it.
Everything here is escaped: these strings come from files anyone can edit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from storycircle.sanitize import sanitize_text

__all__ = ["BookletAbout", "about_html", "contents_html", "license_url", "story_anchor"]

_CC = re.compile(r"CC[ -](BY(?:-NC)?(?:-SA|-ND)?)[ -](\d\.\d)", re.IGNORECASE)
_CC0 = re.compile(r"CC0(?:[ -]1\.0)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class BookletAbout:
    """What a booklet says about itself before its stories (collections).

    Attributes:
        curator: Who assembled it.
        description: A few sentences.
        license: Licence of the texts, e.g. ``CC BY-SA 4.0``.
        consent: The consent statement the authors agreed to.
    """

    curator: str = ""
    description: str = ""
    license: str = ""
    consent: str = ""


def _escape(text: str) -> str:
    # Escaped for HTML and cleaned of controls, bidi and invisible characters.
    return html.escape(sanitize_text(text))


def license_url(license: str) -> str:
    """The deed of a Creative Commons licence named like ``CC BY-SA 4.0``, or ""."""
    found = _CC.fullmatch(license.strip())
    if found:
        return f"https://creativecommons.org/licenses/{found[1].lower()}/{found[2]}/"
    if _CC0.fullmatch(license.strip()):
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    return ""


def story_anchor(number: int) -> str:
    """The id of the ``number``-th story (from 1) in the page."""
    return f"story-{number}"


def about_html(about: BookletAbout) -> str:
    """The booklet's opening section: description, curator, licence and consent."""
    esc = _escape
    parts = ['<section class="about">\n']
    if about.description:
        parts.append(f'<p class="description">{esc(about.description)}</p>\n')
    if about.curator:
        parts.append(f"<p>Curated by {esc(about.curator)}.</p>\n")
    if about.license:
        url = license_url(about.license)
        named = esc(about.license)
        if url:
            named = f'<a href="{esc(url)}" rel="license noreferrer">{named}</a> ({esc(url)})'
        parts.append(
            f'<p class="license">The stories are shared under {named}. Each story names its '
            "author; keep their names and this licence with any copy.</p>\n"
        )
    if about.consent:
        parts.append(f'<p class="consent"><strong>Consent:</strong> {esc(about.consent)}</p>\n')
    parts.append("</section>\n")
    return "".join(parts)


def contents_html(stories: Sequence[tuple[str, Sequence[str]]]) -> str:
    """A table of contents: ``(title, content notes)`` per story, in page order."""
    esc = _escape
    parts = ['<nav class="contents">\n<h2>Contents</h2>\n<ol>\n']
    for number, (title, notes) in enumerate(stories, start=1):
        item = f'<a href="#{story_anchor(number)}">{esc(title)}</a>'
        if notes:
            item += f' <span class="meta">(content notes: {esc(", ".join(notes))})</span>'
        parts.append(f"<li>{item}</li>\n")
    parts.append("</ol>\n</nav>\n")
    return "".join(parts)
