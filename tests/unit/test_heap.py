"""Freed heap pages go back to the system after a large piece of work."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from storycircle.heap import give_back


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_heap_pages_are_returned() -> None:
    # 64 MiB in 4 KiB blocks (malloc, not Python's small-object arenas, and
    # below the size glibc maps on its own), with one block kept at the end so
    # the heap cannot simply shrink from the top when they are freed.
    blocks = [bytearray(b"x" * 4096) for _ in range(16_384)]
    keep = bytearray(b"y" * 4096)
    del blocks
    before = _rss_kib()
    assert give_back()
    after = _rss_kib()
    assert before - after > 32 * 1024, (before, after)
    assert keep[0] == ord("y")  # what is still held is untouched


def test_give_back_can_be_called_again() -> None:
    assert give_back() == give_back()
