"""The `publish` entry point: `publish all` answered from the no-op stamp before the command line
library is imported; every other command line goes to the Typer app (cli.py).

A no-op `publish all` is an author's most frequent command; answered from the stamp (noop.py) it
costs Python starting, the stamp's check and printing the summary. Importing Typer and the
commands would add about as much again, so plain `publish [-q] all` is recognised here first.
Anything else (another option, an option set through its environment variable, a stamp that does
not answer) takes the full path, which checks and prints exactly the same way. A plain `publish
all` that the stamp does not answer goes first to the site's build server, if one runs
(buildserver.py), else starts the early PDF worker (early.py) before the command line loads.
"""

from __future__ import annotations

import os
import sys

from publish.outputs_full import guarded

# Global options whose environment variables change what `publish all` does or where it looks.
# (PUBLISH_JOBS and PUBLISH_SCHEDULER only change where tasks run: the stamp ignores them too.)
_OPTION_VARIABLES = ("PUBLISH_CONFIG", "PUBLISH_CONTENT", "PUBLISH_OUTPUT", "PUBLISH_PUBLIC", "PUBLISH_THEME",
                     "PUBLISH_DRAFTS", "PUBLISH_FUTURE", "PUBLISH_VERBOSE", "PUBLISH_QUIET")


def plain_all(argv: list[str]) -> bool | None:
    """For `publish all` or `publish -q all` with no option set through the environment: whether
    it is quiet. None for any other command line."""
    if any(os.environ.get(name) for name in _OPTION_VARIABLES):
        return None
    if argv == ["all"]:
        return False
    if len(argv) == 2 and argv[0] in ("-q", "--quiet") and argv[1] == "all":
        return True
    return None


def run() -> None:
    """Console-script entry point."""
    try:
        guarded(_run)
    except KeyboardInterrupt:            # Ctrl-C before the command line (which says more) was loaded
        sys.exit(130)


def _run() -> None:
    quiet = plain_all(sys.argv[1:])
    found = None
    if quiet is not None:
        from publish import noop

        try:
            start = noop.Start.now(None, {})
            if noop.answer(start, quiet=quiet):
                sys.exit(0)
            found = start.locate()
            if found is not None:
                from publish import buildserver

                code = buildserver.run_on_server(found[1], sys.argv[1:])
                if code is not None:
                    sys.exit(code)                 # the site's warm build server ran it
            from publish import early

            early.start(found)                     # the PDF worker starts importing now
        except KeyboardInterrupt:
            sys.exit(130)
    from publish.cli import run as run_cli

    try:
        run_cli()
    finally:
        if found is not None:
            from publish import buildserver

            buildserver.start_later(found[1], found[0])     # for the next run, in a terminal
