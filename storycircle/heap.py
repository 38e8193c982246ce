"""Giving memory freed after a large piece of work back to the system.

Unlocking and listing a large journal allocates far more on the way than it
keeps: the key derivation, every row's decrypted JSON, the index segments as
they are read. Python frees all of it, but glibc's allocator keeps freed heap
pages mapped (its arenas only shrink from the top), so the app's resident
memory stayed about 40 MiB above what it holds at 100k stories.
``malloc_trim(0)`` hands the free pages in the middle of the heap back as
well: the kernel drops them (they read back as zeros if used again), so the
decrypted text freed there does not linger either.

Elsewhere (macOS, musl) there is no ``malloc_trim`` and this does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # the process's own C library
    except (OSError, AttributeError):
        return None  # not glibc
    return trim


def give_back() -> bool:
    """Return the allocator's free pages to the system; True when it could.

    Takes a few milliseconds at 100k stories; ctypes lets other threads run
    meanwhile. Call it once a large piece of work is done, not in a loop.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
