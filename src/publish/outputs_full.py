"""A command whose output cannot be written (`> /dev/full`, a full disk, a quota) ends in one line.

Used by the console script (launch.py) and by a build server's child (buildserver.py), which runs
the command line for a launcher.
"""

from __future__ import annotations

import contextlib
import errno
import sys
from collections.abc import Callable

_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def guarded(command: Callable[[], None]) -> None:
    """Run `command`, ending output that cannot be written in one line rather than a traceback."""
    try:
        command()
    except OSError as exc:
        if exc.errno not in _FULL:
            raise
        # Said in one line, not as a traceback. Files publish writes are atomic, so none of them is
        # half written.
        with contextlib.suppress(OSError):
            sys.stderr.write(f"error: {exc.strerror}: the output could not be written; free some space "
                             "and run again (files already published are complete)\n")
        sys.exit(1)
