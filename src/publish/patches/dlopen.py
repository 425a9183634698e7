"""WeasyPrint's import: its C libraries opened by their Linux file names, without the slow searches.

As it is imported, `weasyprint.text.ffi` opens Pango, HarfBuzz, fontconfig and GObject through
cffi, trying for each a list of names for every platform: `libgobject-2.0-0`, `gobject-2.0-0`,
`gobject-2.0`, `libgobject-2.0.so.0`, … cffi hands a name that is not a file name to
`ctypes.util.find_library`, which on Linux runs `ldconfig -p`, then gcc and ld, for every name: 16
searches that find nothing, about 0.2 s of the 0.7 s import (Debian 12, measured 2026-11-30).

While WeasyPrint is imported here, on Linux, `find_library` answers None at once, so each list
reaches its `.so.N` name, which the system's dynamic loader opens directly: it looks where
`ldconfig -p` would (its cache, `LD_LIBRARY_PATH`, the system folders), so the same files are
opened. Should that fail (a library only gcc or ld could find), the import is tried once more
without the shortcut. PUBLISH_NO_PATCHES=1 leaves the import as it is.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator


def import_weasyprint() -> None:
    """Import WeasyPrint (once per process), opening its libraries by their file names on Linux."""
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint
        return
    from publish.patches import switched_off

    if switched_off():
        import weasyprint
        return
    try:
        # WeasyPrint prints its installation help to stdout when a library is not found: not for this try.
        with _no_library_search(), contextlib.redirect_stdout(io.StringIO()):
            import weasyprint
    except OSError:
        for name in [module for module in sys.modules if module == "weasyprint" or module.startswith("weasyprint.")]:
            del sys.modules[name]
        import weasyprint  # noqa: F401


@contextlib.contextmanager
def _no_library_search() -> Iterator[None]:
    import ctypes.util

    searching = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = searching
