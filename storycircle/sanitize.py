"""The one sanitizer for untrusted text at the boundary of the app.

Stories, titles, tags, pseudonyms and imported files come from people and files
we do not control. Textual hands the characters of a widget's content to the
terminal, so a story that carries ``ESC ] 52 ; c ; ... BEL`` could write to the
reader's clipboard, ``ESC [ 2 J`` could wipe the screen, and U+202E could make
a title read backwards. Everything that enters the app passes through
:func:`sanitize_text` (multi-line bodies) or :func:`sanitize_line` (one-line
fields) once, at the boundary, so the rest of the code may trust its strings.

What is removed:

* whole escape sequences, 7-bit (``ESC [``, ``ESC ]``, ``ESC P`` ...) and their
  8-bit C1 forms (U+009B CSI, U+009D OSC, U+0090 DCS ...), payload included,
  so that neither the control nor the hidden payload reaches the screen;
* every remaining C0 control except ``\\n`` and ``\\t`` (``\\r\\n`` and lone
  ``\\r`` become ``\\n``), DEL and all C1 controls;
* bidirectional controls and invisible characters that can hide or reorder text;
* lone surrogates, which cannot be encoded for the terminal at all.

ZWNJ and ZWJ are kept between two visible characters (or after a virama),
where Persian, Indic scripts and emoji sequences need them, and dropped
elsewhere.

Rich/Textual markup such as ``[@click=app.quit]`` is deliberately left alone:
markup is neutralised by rendering strings as ``Text``/``Content`` objects, not
by mangling what people wrote.
"""

from __future__ import annotations

import re

__all__ = ["has_forbidden", "sanitize_line", "sanitize_text"]

# Payloads of the string-type sequences (OSC, DCS, SOS, PM, APC) stop at the
# next control character when no terminator is present: an unterminated OSC
# then costs at most the rest of its line instead of the rest of the story.
_CSI_BODY = r"[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"  # parameters, intermediates, final
_STRING_BODY = r"[^\x00-\x1f\x7f-\x9f]*(?:\x07|\x1b\\|\x9c)?"  # payload, then BEL or ST
# One alternation over every escape sequence, so a single pass removes each
# sequence whole. Every branch starts with a literal character, which lets the
# regex engine skip quickly to candidate positions (about three times faster
# on long text than a branch that starts with a group or a class).
_ESCAPE_SEQUENCE = re.compile(
    rf"\x1b\[{_CSI_BODY}"  # CSI
    rf"|\x1b[\]PX^_]{_STRING_BODY}"  # OSC DCS SOS PM APC
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"  # two-character and nF sequences
    rf"|\x9b{_CSI_BODY}"  # 8-bit CSI
    rf"|\x90{_STRING_BODY}|\x98{_STRING_BODY}|\x9d{_STRING_BODY}"  # 8-bit DCS SOS OSC
    rf"|\x9e{_STRING_BODY}|\x9f{_STRING_BODY}"  # 8-bit PM APC
)

# Characters that never survive. Kept as one character class so the scan is a
# single regex pass in C.
_FORBIDDEN_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 except \t \n, DEL, C1
    "\u00ad"  # soft hyphen: invisible, used to break up words filters look for
    "\u061c"  # Arabic letter mark (bidi)
    "\u180e"  # Mongolian vowel separator (invisible)
    "\u200b"  # zero-width space
    "\u200e\u200f"  # LRM, RLM
    "\u202a-\u202e"  # LRE RLE PDF LRO RLO
    "\u2060-\u206f"  # word joiner, invisible operators, isolates, deprecated formats
    "\u3164\uffa0"  # Hangul fillers: blank-looking "letters" used for fake names
    "\ud800-\udfff"  # lone surrogates: unencodable, would crash the writer
    "\ufeff"  # zero-width no-break space / BOM
    "\ufff9-\ufffb"  # interlinear annotation controls
    "\U000e0000-\U000e007f"  # tag characters (ASCII smuggling)
)
_FORBIDDEN = re.compile(f"[{_FORBIDDEN_CLASS}]+")

# Everything that could need work: the forbidden set plus CR, the line and
# paragraph separators and the joiners. Searching one character class is a fast
# C loop, so clean text (nearly all text) costs a single scan.
_SUSPECT = re.compile(f"[{_FORBIDDEN_CLASS}\r\u200c\u200d\u2028\u2029]")

# Introducers of the 8-bit escape sequences; 7-bit ones are found with `in`.
_C1_INTRODUCER = re.compile("[\x90\x98\x9b\x9d\x9e\x9f]")

# A joiner is stray unless a visible, non-joiner character stands on both
# sides. One exception: after a virama a joiner may end a word, as in older
# Malayalam chillu spellings (NA, VIRAMA, ZWJ). The pattern starts with the
# joiner itself, so the regex engine can skip ahead to candidates quickly, and
# looks back two characters to see what precedes it. All matches are removed
# at once, so "a\u200d\u200db" loses both joiners.
_VIRAMAS = "\u094d\u09cd\u0a4d\u0acd\u0b4d\u0bcd\u0c4d\u0ccd\u0d4d\u0dca\u1039\u17d2"
_STRAY_JOINER = re.compile(
    r"[\u200c\u200d](?:"
    r"(?<![^\s\u200c\u200d][\u200c\u200d])"
    rf"|(?<![{_VIRAMAS}][\u200c\u200d])(?![^\s\u200c\u200d])"
    r")"
)


def has_forbidden(text: str) -> bool:
    """True when ``text`` holds a character that never survives sanitizing.

    That is every control (escape sequences start with one), bidi control and
    invisible character; joiners and line separators are not counted, since
    whether they stay depends on their neighbours. A text field uses this to
    clean what is pasted or typed without judging a joiner typed just before
    the letter that follows it.

    Args:
        text: Any string.

    Returns:
        Whether :func:`sanitize_text` would remove something other than a
        joiner or a line-break variant.
    """
    return _FORBIDDEN.search(text) is not None


def sanitize_text(text: str) -> str:
    """Make multi-line untrusted text safe to show in the terminal.

    Newlines and tabs are kept; ``\\r\\n``, lone ``\\r`` and the Unicode line and
    paragraph separators become ``\\n`` so that every line break downstream is a
    plain ``\\n``. Letters of every script, emoji, variation selectors and
    markup-like text are unchanged.

    The function is total (never raises) and idempotent.

    Args:
        text: Any string, e.g. a story body or an imported file.

    Returns:
        The text without escape sequences, control characters, bidi controls,
        invisible characters or stray joiners.
    """
    if _SUSPECT.search(text) is None:
        return text
    if "\x1b" in text or (not text.isascii() and _C1_INTRODUCER.search(text)):
        text = _ESCAPE_SEQUENCE.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = _FORBIDDEN.sub("", text)
    # Joiners are judged last, against their neighbours as they will be shown.
    if "\u200c" in text or "\u200d" in text:
        text = _STRAY_JOINER.sub("", text)
    return text


def sanitize_line(text: str) -> str:
    """Make untrusted one-line text (a title, tag or pseudonym) safe to show.

    Everything :func:`sanitize_text` does, then every run of whitespace
    (newlines, tabs, no-break and ideographic spaces ...) becomes one ASCII
    space and the ends are stripped.

    Args:
        text: Any string.

    Returns:
        A single line without control characters or leading/trailing space.
    """
    # str.split() splits on exactly the characters str.isspace() accepts, so
    # joining its parts collapses every whitespace run and strips both ends.
    return " ".join(sanitize_text(text).split())
