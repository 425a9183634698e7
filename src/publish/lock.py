"""One run at a time per output folder.

The lock is an OS file lock (flock) on `output/.publish/lock`: the kernel releases it when the
holding process dies, so a lock left by a killed run is taken over at once, never stale.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from publish.errors import LockedError

LOCK_FILE = ".publish/lock"


@contextmanager
def output_lock(output_dir: Path, *, wait: float = 600.0,
                on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    path = output_dir / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            holder = _holder(path)
            if on_wait is not None:
                on_wait(f"waiting for another publish run{holder} to finish with {output_dir} (lock: {path})")
            deadline = time.monotonic() + wait
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise LockedError(f"another publish run{holder} is still writing this output folder",
                                      path=path, hint=f"waited {wait:.0f} s; try again when it has finished")
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)          # closing releases the lock


def held(output_dir: Path) -> bool:
    """Whether a run holds the output folder's lock now (a probe: takes nothing, waits for nothing)."""
    try:
        fd = os.open(output_dir / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)                  # closing releases the shared lock, if taken
    return False


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _holder(path: Path) -> str:
    try:
        pid = path.read_text().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
