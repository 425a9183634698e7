"""Freed memory given back to the system: what a worker's big task freed stops counting."""

from __future__ import annotations

import sys

import pytest

from publish import heap

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or heap._malloc_trim() is None,
                                reason="malloc_trim is glibc's")

MiB = 2**20


def test_a_trimmer_gives_back_what_a_task_freed() -> None:
    trimmer = heap.Trimmer()
    trimmer.after_task()
    before = heap.resident()
    # 2 KiB each: above Python's small-object allocator, below mmap's threshold, so in the C heap
    held = [bytes(2048) + bytes([n % 256]) for n in range(40_000)]
    keep = bytes(4096)                     # allocated last: the freed memory is not the heap's top
    assert heap.resident() > before + 60 * MiB
    del held
    assert heap.resident() > before + 60 * MiB, "glibc kept the freed memory (what trimming is for)"
    trimmer.after_task()
    assert heap.resident() < before + 20 * MiB
    assert keep


def test_small_growth_is_not_trimmed() -> None:
    trimmer = heap.Trimmer()
    trimmer.after_task()
    level = trimmer.level
    trimmer.after_task()
    assert trimmer.level == level          # nothing grew: no trim, the level stays
