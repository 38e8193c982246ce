"""Measure spacing vowel signs as one cell, as terminals draw them.

Rich (and so Textual) measures every combining mark as zero cells wide,
including the *spacing* marks (Unicode category Mc) that Devanagari, Bengali,
Tamil, Sinhala, Malayalam and other scripts write vowels with: ``ा``, ``ी``,
``ो``. Terminals measure with ``wcwidth``, which gives those marks one cell
(glibc, xterm, VTE, tmux). A title such as ``मैंने आज पहली बार ...`` is then
drawn seven cells wider than Textual laid it out: the row runs past the edge
of its widget, the terminal cuts it off, and the cells it spilled into keep
stray letters when a later frame does not redraw them.

:func:`measure_like_terminals` makes Rich's table agree with the terminal for
those marks, once per process, before anything is drawn. Non-spacing marks
(Mn: viramas, ``ं``, most vowel signs above and below) stay zero wide.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from rich import cells
from rich._unicode_data import load

__all__ = ["measure_like_terminals"]


def _spacing_marks(widths: list[tuple[int, int, int]]) -> list[int]:
    # Only marks inside a zero-width range need a change, so only those ranges
    # are searched (~7,000 code points, under 1 ms): every code point up to
    # U+20000 took ~12 ms of start-up.
    return [
        code
        for start, end, width in widths
        if width == 0
        for code in range(start, end + 1)
        if unicodedata.category(chr(code)) == "Mc"
    ]


def _widen(widths: list[tuple[int, int, int]], marks: list[int]) -> list[tuple[int, int, int]]:
    # Split each zero-width range around the spacing marks it holds; the
    # marks become one cell wide. Ranges stay sorted and disjoint, as Rich's
    # binary search needs.
    wanted = set(marks)
    result: list[tuple[int, int, int]] = []
    for start, end, width in widths:
        if width != 0:
            result.append((start, end, width))
            continue
        run_start = start
        for code in range(start, end + 1):
            if code in wanted:
                if run_start < code:
                    result.append((run_start, code - 1, 0))
                result.append((code, code, 1))
                run_start = code + 1
        if run_start <= end:
            result.append((run_start, end, 0))
    return result


@cache
def measure_like_terminals() -> None:
    """Give spacing marks (Mc) one cell in Rich's width table; idempotent."""
    for version in ("auto", "latest"):
        widths = load(version).widths
        if isinstance(widths, list):
            widths[:] = _widen(widths, _spacing_marks(widths))
    cells.get_character_cell_size.cache_clear()
    cells.cached_cell_len.cache_clear()
