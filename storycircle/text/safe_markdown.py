"""Markdown parsers whose output is as clean as their input.

Sanitizing a story's source is not enough once Markdown renders it: character
references are decoded, so ``&#x202e;`` or ``&shy;`` in clean source become a
real right-to-left override or soft hyphen in what is shown (``invoice&#x202e;gpj.exe``
reads as ``invoiceexe.jpg``). The parsers made here run the sanitizer over what
Markdown produced, the decoded text of every token, link and image targets,
titles and code info strings included, after every other rule has run.

The booklet export goes one step further with :func:`plain_refused_links`: a
link a reader would not open (see :func:`storycircle.text.links.check_link`) is
written as plain text, never as an anchor.

This module is pure: no Textual, no I/O.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdurl import decode as percent_decode

from storycircle.sanitize import sanitize_line, sanitize_text
from storycircle.text.links import check_link

__all__ = ["link_target", "plain_refused_links", "safe_parser", "sanitize_tokens"]

# Attributes holding text or addresses a person reads; the rest (class, id,
# style from table alignment) are set by the parser itself.
_TEXT_ATTRIBUTES = ("href", "src", "title", "alt")


def _clean(token: Token) -> None:
    token.content = sanitize_text(token.content)
    token.info = sanitize_line(token.info)
    for name in _TEXT_ATTRIBUTES:
        value = token.attrs.get(name)
        if isinstance(value, str):
            token.attrs[name] = sanitize_text(value)
    for child in token.children or ():
        _clean(child)


def sanitize_tokens(state: StateCore) -> None:
    """Core rule: sanitize the decoded text of every token, children included."""
    for token in state.tokens:
        _clean(token)


def link_target(href: str) -> str:
    """The link as written, from the percent-encoded form Markdown stores.

    A hidden character the author spelled as an entity comes back as itself,
    so :func:`~storycircle.text.links.check_link` sees it and refuses the link.
    """
    return percent_decode(href)


def _shown(children: list[Token]) -> str:
    return "".join(child.content for child in children if child.type in ("text", "code_inline"))


def plain_refused_links(state: StateCore) -> None:
    """Core rule: turn every link a reader would not open into plain text.

    The anchor is dropped and its text kept; when that text does not already
    show the address, `` (address)`` follows it, so nothing is hidden.
    """
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept: list[Token] = []
        # Per open link: None when it stays an anchor, else where its text starts
        # in ``kept`` and the address to show.
        stack: list[tuple[int, str] | None] = []
        for token in block.children:
            if token.type == "link_open":
                verdict = check_link(link_target(str(token.attrs.get("href", ""))))
                if verdict.allowed:
                    stack.append(None)
                    kept.append(token)
                else:
                    stack.append((len(kept), verdict.display))
                continue
            if token.type == "link_close" and stack:
                refused = stack.pop()
                if refused is None:
                    kept.append(token)
                    continue
                start, display = refused
                if display and _shown(kept[start:]).strip() != display:
                    note = Token("text", "", 0)
                    note.content = f" ({display})"
                    kept.append(note)
                continue
            kept.append(token)
        block.children = kept


def safe_parser(
    preset: str = "gfm-like", *, plain_links: bool = False, **options: bool
) -> MarkdownIt:
    """A Markdown parser whose tokens hold only sanitized text.

    Args:
        preset: The markdown-it preset (``gfm-like`` is what the reader's
            widget uses, ``commonmark`` what the booklet uses).
        plain_links: Write links a reader would not open as plain text.
        **options: markdown-it options (``html``, ``linkify`` ...).

    Returns:
        A configured parser whose last core rule is the sanitizer.
    """
    md = MarkdownIt(preset, dict(options) if options else None)
    if plain_links:
        md.core.ruler.push("storycircle_plain_links", plain_refused_links)
    md.core.ruler.push("storycircle_sanitize", sanitize_tokens)
    return md
