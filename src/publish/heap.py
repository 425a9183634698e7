"""Giving memory the process has freed back to the system (glibc's `malloc_trim`).

Python hands freed memory to the C allocator, which keeps most of it: a process's resident size
stays at the high-water mark of its largest moments. A pool worker renders thousands of tasks, so
without this it holds what its largest ones needed (a PDF's layout, the EPUB book) for the rest
of the build; and a worker forked from the main process counts every page the main process held
when it started, freed or not. Elsewhere than glibc (macOS, musl) this does nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import cache

GROWTH = 8 << 20                 # bytes a worker may grow past its last trim before trimming again


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None).malloc_trim       # the C library this process already uses
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def trim() -> None:
    """Return the free pages of the C heap to the system (a few milliseconds)."""
    function = _malloc_trim()
    if function is not None:
        function(0)


def resident() -> int:
    """This process's resident bytes (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class Trimmer:
    """Trims after a task only when the process grew by GROWTH since it last trimmed: most tasks
    free what they took, and trimming after each of thousands of small ones would cost seconds."""

    def __init__(self) -> None:
        self.level = 0

    def after_task(self) -> None:
        if resident() >= self.level + GROWTH:
            trim()
            self.level = resident()
