"""Runtime patches of third-party code, one module per library, each kept to the versions it was
written for (an installed version outside that range leaves the library alone, with a `-v` note).

`apply_all()` patches the libraries this process has already imported, so nothing heavy is
imported just to be patched: the PDF engine calls it once WeasyPrint is loaded, images before
they decode, the pipeline once more (for the notes) before the workers start. Every patch is
idempotent. PUBLISH_NO_PATCHES=1 turns them all off; outputs stay valid (docs/pdf.md says what
changes). `fonttools.source_date` is not a patch and is not turned off.
"""

from __future__ import annotations

import os
import sys

from publish.patches import _support, pillow, pydyf, weasyprint

SWITCH = "PUBLISH_NO_PATCHES"
PATCHES = (weasyprint, pydyf, pillow)            # in the order applied; each imports its library only in apply()


def switched_off() -> bool:
    """True when PUBLISH_NO_PATCHES is set to anything but "" or "0"."""
    return os.environ.get(SWITCH, "").strip() not in ("", "0")


def apply_all(enabled: bool = True) -> list[str]:
    """Apply every patch whose library is imported; one note per patch for `-v` (what it does, or
    why it was left out)."""
    if not enabled or switched_off():
        return [f"third-party patches are off ({SWITCH}=1)" if enabled else "third-party patches are off"]
    notes = []
    for patch in PATCHES:
        if patch.LIBRARY in sys.modules:
            outcome = patch.apply()
            version = _support.installed(patch.DISTRIBUTION) or "?"
            notes.append(f"patch for {patch.DISTRIBUTION} {version}: {outcome.note}" if outcome.applied
                         else f"patch for {patch.DISTRIBUTION} left out: {outcome.note}")
    return notes

