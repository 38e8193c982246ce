"""Deciding whether a link in a story may be opened, and how to show it first.

A story is untrusted text, and so is every link in it. The reader never opens
a link directly: it asks :func:`check_link`, shows the person the result, and
opens only what was checked. Only web (``http``, ``https``) and mail
(``mailto``) links pass; ``javascript:``, ``file:``, ``data:``, relative paths
and every other scheme are refused with a reason a person can read.

A link is refused rather than repaired when it holds anything that could make
what is shown differ from where it goes: control, bidi or invisible
characters, whitespace in the scheme or host, a backslash (browsers read it as
``/``, Python's parser does not) or a user name before the host
(``https://bank.example@evil.example``). Plain spaces in the path, query or
fragment are written as ``%20`` so the string opened is the string shown.

This module is pure: no Textual, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from storycircle.sanitize import sanitize_line

__all__ = ["ALLOWED_SCHEMES", "MAX_LINK_LENGTH", "LinkCheck", "check_link"]

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
"""The schemes a reader may open (compared case-insensitively)."""

MAX_LINK_LENGTH = 2048
"""Longer links are refused: nobody can read them before choosing to open."""

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Surrounding whitespace is what Markdown authors leave by accident; it is
# ASCII only, so no look-alike space is silently dropped.
_EDGE_SPACE = " \t\n\r\f\v"
_WHY_NOT = {
    "javascript": "javascript: links run code, so they are never opened",
    "vbscript": "vbscript: links run code, so they are never opened",
    "file": "file: links open files on this computer, so they are never opened",
    "data": "data: links carry hidden content, so they are never opened",
}
_ONLY = "only web (http, https) and mail (mailto) links are opened"


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """The verdict on one link.

    Attributes:
        allowed: True when the link may be offered for opening.
        url: The exact string to open; empty when refused.
        display: One sanitized line showing the whole link (for a refused
            link, what was written, made safe to show).
        scheme: The scheme in lower case (``https``, ``mailto`` ...); empty
            when there is none.
        host: Where it goes: the host as written for web links, the
            address for mail links; empty when refused.
        reason: Why it was refused (one line); empty when allowed.
        warning: One line of caution about an allowed link, or empty.
    """

    allowed: bool
    url: str
    display: str
    scheme: str = ""
    host: str = ""
    reason: str = ""
    warning: str = ""


def _refuse(raw: str, reason: str, scheme: str = "") -> LinkCheck:
    shown = sanitize_line(raw)
    if len(shown) > 120:
        shown = shown[:119] + "…"
    return LinkCheck(allowed=False, url="", display=shown, scheme=scheme, reason=reason)


def _hidden_characters(text: str) -> bool:
    # The sanitizer is the one definition of what may not reach the screen.
    # Anything it would remove or change (other than plain spaces, which are
    # swapped out first) is hidden or misleading, so the link is refused, not
    # cleaned: cleaning "java\tscript:" would only make it look harmless.
    probe = text.replace(" ", "_")
    return sanitize_line(probe) != probe


def _host_warning(host: str) -> str:
    if not host.isascii():
        try:
            ascii_form = host.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_form = ""
        known_as = f" (known to browsers as {ascii_form})" if ascii_form else ""
        return (
            f"the host {host}{known_as} uses letters that can imitate another site; "
            "check it is the one you expect"
        )
    if any(label.lower().startswith("xn--") for label in host.split(".")):
        return (
            "the host is an international name written in code (xn--); "
            "check it is the one you expect"
        )
    return ""


def check_link(url: str) -> LinkCheck:
    """Classify a Markdown link target before anyone opens it.

    Args:
        url: The link as the story wrote it (already percent-decoded by the
            Markdown widget, so hidden characters show up here).

    Returns:
        A :class:`LinkCheck`: allowed with the exact URL to open and the form
        to show, or refused with a one-line reason.
    """
    raw = url.strip(_EDGE_SPACE)
    if not raw:
        return _refuse(url, "the link is empty")
    if len(raw) > MAX_LINK_LENGTH:
        return _refuse(raw, f"the link is longer than {MAX_LINK_LENGTH} characters")
    if _hidden_characters(raw):
        return _refuse(raw, "the link contains hidden or control characters")
    match = _SCHEME.match(raw)
    if match is None:
        return _refuse(raw, f"the link points inside the app or at a file; {_ONLY}")
    scheme = match.group(1).lower()
    if scheme not in ALLOWED_SCHEMES:
        why = _WHY_NOT.get(scheme, f"{scheme}: links are not opened; {_ONLY}")
        return _refuse(raw, why, scheme)
    if "\\" in raw:
        return _refuse(
            raw, "the link contains a backslash, which browsers read differently", scheme
        )
    rest = raw[match.end() :]
    if scheme == "mailto":
        address = rest.partition("?")[0]
        if " " in address or "@" not in address:
            return _refuse(raw, "the mail link has no valid address", scheme)
        opened = raw.replace(" ", "%20")
        query = rest.partition("?")[2]
        # Copies go to people the visible address does not name.
        copies = re.search(r"(?:^|&)b?cc=", query, re.IGNORECASE) is not None
        warning = "the email would also be copied to other addresses (cc or bcc)" if copies else ""
        return LinkCheck(
            allowed=True,
            url=opened,
            display=opened,
            scheme=scheme,
            host=address,
            warning=warning,
        )
    if not rest.startswith("//"):
        return _refuse(raw, "the web address has no host", scheme)
    authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
    if " " in authority:
        return _refuse(raw, "the web address has a space in its host", scheme)
    if "@" in authority:
        return _refuse(raw, "the address hides its real host behind an @", scheme)
    try:
        _ = urlsplit(raw).port  # raises on a bad port or a broken IPv6 literal
    except ValueError:
        return _refuse(raw, "the web address has a malformed host or port", scheme)
    if authority.startswith("["):  # an IPv6 literal keeps its colons
        host = authority[: authority.find("]") + 1]
    else:
        host = authority.partition(":")[0]
    if host in ("", "[]"):
        return _refuse(raw, "the web address has no host", scheme)
    opened = raw.replace(" ", "%20")
    return LinkCheck(
        allowed=True,
        url=opened,
        display=opened,
        scheme=scheme,
        host=host,
        warning=_host_warning(host),
    )
