"""Formulas in a body: Pandoc's MathML `<math>` elements, their TeX source, inline or display.

Pandoc writes `<math display="block"><semantics>…<annotation encoding="application/x-tex">TeX
</annotation></semantics></math>` (display="inline" in running text). Each format decides what
a formula becomes: an SVG image in the PDF (exporters/pdf/math.py), schema-valid MathML in the
EPUB (exporters/epub/mathml.py), its TeX in a `<code>` in feeds and emails, whose readers do not
render MathML (web.py). Works on lxml and ElementTree trees alike, with or without the MathML
namespace (lxml.html has none, WeasyPrint's parser sets it).
"""

from __future__ import annotations

from collections.abc import Iterator

from publish.bodytree import Element, squash
from publish.namespaces import local

TEX = "application/x-tex"


def is_math(element: Element) -> bool:
    return local(element.tag) == "math"


def formulas(root: Element) -> Iterator[Element]:
    """Every outermost `<math>` below `root`, in document order (a formula inside one is part of it)."""
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if is_math(child):
            yield child
        else:
            yield from formulas(child)


def tex_of(math: Element) -> str:
    """The TeX source Pandoc keeps in the formula's annotation, or its symbols as a last resort."""
    for element in math.iter():
        if local(element.tag) == "annotation" and element.get("encoding") == TEX:
            return (element.text or "").strip()
    return squash("".join(math.itertext()))


def is_display(math: Element) -> bool:
    """A formula set on its own line (Pandoc's display math), not inside running text."""
    return math.get("display") == "block"


def code_class(math: Element) -> str:
    """The class of the `<code>` that shows a formula's TeX where MathML cannot be shown."""
    return "math display" if is_display(math) else "math inline"
