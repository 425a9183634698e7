"""pydyf: PDF streams deflated at level 6, not 9.

pydyf, WeasyPrint's PDF writer, deflates every stream at level 9 (`Stream.data`). On our PDFs,
about 730 KiB of streams each, level 9 takes 26 ms a document and level 6 takes 12.5 ms, for a
file 1.3 % larger (160 against 158 KiB): level 9 was about 5 % of a PDF's time for nothing a
reader sees. pydyf's `zlib` is wrapped so that `compressobj()` uses level 6 whatever level is
asked for. Without the patch PDFs are valid, a little smaller and about 14 ms slower each, and
their bytes differ (the same pages and text once the streams are inflated).
"""

from __future__ import annotations

from typing import Any

from publish.patches._support import Outcome, Wrapper, unsupported, wrap

LIBRARY = "pydyf"                   # import name
DISTRIBUTION = "pydyf"
WRITTEN_FOR = ("0.10", "0.14")      # Stream.data calls zlib.compressobj(level=9): checked on 0.10-0.13
LEVEL = 6


class _Level6Zlib(Wrapper):
    """The zlib module, but `compressobj()` at level 6 whatever level is asked for."""

    def compressobj(self, level: int = -1, *args: Any, **kwargs: Any) -> Any:
        return self._wrapped.compressobj(LEVEL, *args, **kwargs)


def apply() -> Outcome:
    """Wrap `pydyf.zlib` (once)."""
    reason = unsupported(DISTRIBUTION, *WRITTEN_FOR)
    if reason:
        return Outcome(False, f"{reason}: PDF streams deflated at pydyf's level 9 (about 14 ms a PDF)")
    import pydyf

    if not wrap(pydyf, "zlib", _Level6Zlib):
        return Outcome(False, "pydyf has no zlib: left as it is")
    return Outcome(True, f"PDF streams deflated at level {LEVEL}")
