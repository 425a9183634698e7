"""Pillow: truncated images refused again after WeasyPrint allowed them.

Importing WeasyPrint (`weasyprint/images.py`) sets `PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True`
for the whole process. Every image decoded afterwards in that process, and in the workers forked
from it, then "succeeds" on a truncated file: a truncated PNG passes the loader's check and a
truncated JPEG becomes a copy padded with grey, in every format, not only the PDF. The patch puts
Pillow's own default (False) back, so a truncated image is an error naming the file. Without it
(PUBLISH_NO_PATCHES=1, or a Pillow it was not written for) outputs from whole images are the same;
a truncated image is published padded with grey, in a build that also makes PDFs.
"""

from __future__ import annotations

from publish.patches._support import Outcome, unsupported

LIBRARY = "PIL"                     # import name
DISTRIBUTION = "pillow"
WRITTEN_FOR = ("10.3", "14")        # ImageFile.LOAD_TRUNCATED_IMAGES read at decode time: checked on 13.0


def apply() -> Outcome:
    """Set `PIL.ImageFile.LOAD_TRUNCATED_IMAGES` back to False (every call: WeasyPrint may be
    imported at any time)."""
    reason = unsupported(DISTRIBUTION, *WRITTEN_FOR)
    if reason:
        return Outcome(False, f"{reason}: truncated images are accepted once WeasyPrint is imported")
    from PIL import ImageFile

    if not hasattr(ImageFile, "LOAD_TRUNCATED_IMAGES"):
        return Outcome(False, "PIL.ImageFile has no LOAD_TRUNCATED_IMAGES: left as it is")
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return Outcome(True, "truncated images are refused (WeasyPrint's import allows them)")
