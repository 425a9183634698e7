"""WeasyPrint: font subsets ask cffi for arrays it has already parsed.

WeasyPrint's font subsetting (`weasyprint/pdf/fonts.py`) asks cffi for `hb_codepoint_t[<n>]`,
with n the glyph count of each subset. cffi parses every C type it has not seen with pycparser,
about 5 ms each, so every new glyph count cost 5 ms: about 20 ms of a 350 ms PDF. The module's
`ffi` is wrapped so that `new("T[n]", items)` with n items is made as `new("T[]", items)`, the
same array from a type parsed once; anything else reaches the real FFI untouched. Without the
patch PDFs have the same bytes and take about 20 ms longer each.
"""

from __future__ import annotations

import re
from typing import Any

from publish.patches._support import Outcome, Wrapper, unsupported, wrap

LIBRARY = "weasyprint"              # import name
DISTRIBUTION = "weasyprint"
WRITTEN_FOR = ("66", "71")          # >=66 (HarfBuzz subsetting), <71: checked on 66, 69 and 70
_SIZED_ARRAY = re.compile(r"(\w+)\[(\d+)\]")


class _OpenArrays(Wrapper):
    """cffi's FFI with `new("T[n]", items)` made as `new("T[]", items)`: the same array."""

    def new(self, cdecl: Any, init: Any = None) -> Any:
        if init is not None and isinstance(cdecl, str):
            sized = _SIZED_ARRAY.fullmatch(cdecl)
            if sized and hasattr(init, "__len__") and len(init) == int(sized[2]):
                cdecl = sized[1] + "[]"
        return self._wrapped.new(cdecl, init)


def apply() -> Outcome:
    """Wrap `weasyprint.pdf.fonts.ffi` (once)."""
    reason = unsupported(DISTRIBUTION, *WRITTEN_FOR)
    if reason:
        return Outcome(False, f"{reason}: font subsets parse a C type per glyph count (about 20 ms a PDF)")
    from weasyprint.pdf import fonts

    if not wrap(fonts, "ffi", _OpenArrays):
        return Outcome(False, "weasyprint.pdf.fonts has no ffi: left as it is")
    return Outcome(True, "font subset arrays are made from one parsed C type")
