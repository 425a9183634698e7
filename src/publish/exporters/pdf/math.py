"""MathML from Pandoc typeset as SVG with ziamath (WeasyPrint renders no MathML).

Each formula becomes a small SVG image sized in `em`, so it scales with the text around it, and
aligned on the text's baseline. A formula ziamath cannot typeset raises MathError; the caller
falls back to the TeX source.
"""

from __future__ import annotations

import hashlib
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache

from publish.errors import ExportError
from publish.math import is_display, tex_of
from publish.namespaces import local

REFERENCE_SIZE = 16.0          # px; the SVG is scaled to the surrounding font with em units
SCALE = 1.1                    # STIX Two Math has a smaller x-height than the Noto text faces
MARGIN = 0.5                   # px around the ink, so antialiased edges are not clipped
COLOR = "#1d1d1b"              # the body text colour of the default theme
# One attribute of the SVG ziamath just wrote, in the form it writes: parsing it again finds the same.
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')


class MathError(ExportError):
    """ziamath could not typeset a formula."""


@dataclass(frozen=True)
class MathImage:
    name: str                  # content-addressed file name, e.g. "math-1a2b3c4d5e6f.svg"
    svg: bytes
    width_em: float
    height_em: float
    depth_em: float            # how far the image reaches below the baseline
    tex: str
    display: bool

    @property
    def style(self) -> str:
        size = f"width:{self.width_em:.3f}em;height:{self.height_em:.3f}em"
        return size if self.display else f"{size};vertical-align:{-self.depth_em:.3f}em"


def typeset(math: ET.Element) -> MathImage:
    """An SVG of one <math> element (namespaced, as an HTML5 parser gives it)."""
    display = is_display(math)
    clean = _presentation(math)
    source = ET.tostring(clean, encoding="unicode")
    try:
        svg, width, height, depth = _render(source)
    except Exception as exc:  # noqa: BLE001 - ziamath raises anything on MathML it does not know
        raise MathError(f"cannot typeset the formula {tex_of(math)!r} ({type(exc).__name__}: {exc})") from None
    data = svg.encode("utf-8")
    name = f"math-{hashlib.sha256(data).hexdigest()[:16]}.svg"
    em = SCALE / REFERENCE_SIZE
    return MathImage(name, data, width * em, height * em, depth * em, tex_of(math), display)


def _presentation(math: ET.Element) -> ET.Element:
    """A namespace-free copy holding only presentation MathML (no annotations, no <semantics>),
    drawn in the theme's text colour unless it names its own."""

    def copy(element: ET.Element) -> ET.Element:
        tag = local(element.tag)
        children = list(element)
        if tag == "semantics" and children:
            return copy(children[0])        # the presentation; the other children are annotations
        out = ET.Element(tag, {k: v for k, v in element.attrib.items() if not k.startswith("{")})
        out.text = element.text
        for child in children:
            if local(child.tag) in ("annotation", "annotation-xml"):
                continue
            new = copy(child)
            new.tail = child.tail
            out.append(new)
        return out

    clean = copy(math)
    # ziamath's own per-formula colour, rather than its process-wide `config.math.color`.
    clean.attrib.setdefault("mathcolor", COLOR)
    return clean


@lru_cache(maxsize=512)
def _render(source: str) -> tuple[str, float, float, float]:
    import ziamath

    with _Complaints() as complaints:
        formula = ziamath.Math(ET.fromstring(source), size=REFERENCE_SIZE, margin=MARGIN)
        svg = formula.svg()
    if complaints.messages:
        # ziamath skips what it does not know: a partly drawn formula would be wrong, not ugly.
        raise ValueError("; ".join(sorted(set(complaints.messages))))
    box = _VIEWBOX.search(svg)
    if box is None:
        raise ValueError("ziamath returned an SVG without a viewBox")
    _x, y, width, height = (float(v) for v in box.groups())
    if width <= 0 or height <= 0:
        raise ValueError("the formula is empty")
    # The baseline is y = 0 in ziamath's coordinates: what lies below it is the depth.
    return svg, width, height, max(0.0, y + height)


class _Complaints(logging.Handler):
    """Collects ziamath's root-logger warnings ("Undefined element …") instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().split(" at 0x")[0])

    def __enter__(self) -> _Complaints:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)


def warm_up() -> None:
    """Load ziamath and its math font once (in the main process, before workers fork)."""
    source = f'<math mathcolor="{COLOR}"><mi>x</mi></math>'
    _render(source)
