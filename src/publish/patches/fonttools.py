"""fontTools: told the time through SOURCE_DATE_EPOCH, the one way it offers.

WeasyPrint re-saves some fonts with fontTools (colour fonts without their bitmaps, such as Noto
Color Emoji), and fontTools stamps the font's `head.modified` with the clock unless the
environment variable SOURCE_DATE_EPOCH is set; neither library takes the time as an argument. A
PDF with an emoji in it then differs on every build. This is not a patch: it changes nothing in
fontTools and is how fontTools documents reproducible builds, so PUBLISH_NO_PATCHES leaves it on
(without it the same input would no longer give the same bytes). The variable is set here only,
for the time a document is written, and put back as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

VARIABLE = "SOURCE_DATE_EPOCH"


@contextmanager
def source_date(epoch: int) -> Iterator[None]:
    """fontTools reads `epoch` (seconds) as the time inside this block."""
    previous = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            del os.environ[VARIABLE]
        else:
            os.environ[VARIABLE] = previous
