"""MathML for EPUB chapters: Pandoc's MathML copied as is, anything else made schema-valid.

EPUBCheck validates MathML against its schema: scripts and fractions need an exact number of
children, text may only sit in token elements, attributes have fixed value sets. Pandoc's own
output already follows these rules; raw MathML typed into an article may not, so it is repaired
(a malformed element becomes an `mrow`, stray text an `mtext`) or dropped.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from publish.html import MATHML_TAGS, strip_forbidden
from publish.namespaces import MATHML, qualified

M = qualified(MATHML, "")

TOKENS = {"mi", "mn", "mo", "ms", "mtext"}
EMPTY = {"mspace", "none", "mprescripts", "malignmark"}
ARITY = {"msup": 2, "msub": 2, "mfrac": 2, "mroot": 2, "mover": 2, "munder": 2, "msubsup": 3, "munderover": 3}
TABLE_CHILD = {"mtable": {"mtr", "mlabeledtr"}, "mtr": {"mtd"}, "mlabeledtr": {"mtd"}}
TABLE_PARENT = {"mtr": {"mtable"}, "mlabeledtr": {"mtable"}, "mtd": {"mtr", "mlabeledtr"}}

_BOOLEAN = re.compile(r"^(true|false)$")
_LENGTH = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)\s*(em|ex|px|in|cm|mm|pt|pc|%)?\s*$"
                     r"|^(negative)?(very){0,2}(thin|thick)mathspace$|^(veryverythin|infinity)$")
_SPACING = re.compile(r"^(\s*-?(\d+(\.\d*)?|\.\d+)\s*(em|ex|px|in|cm|mm|pt|pc|%)?\s*)+$")
_INTEGER = re.compile(r"^[+-]?\d{1,3}$")
_WORDS = {
    "display": {"block", "inline"},
    "form": {"prefix", "infix", "postfix"},
    "mathvariant": {"normal", "bold", "italic", "bold-italic", "double-struck", "bold-fraktur", "script",
                    "bold-script", "fraktur", "sans-serif", "bold-sans-serif", "sans-serif-italic",
                    "sans-serif-bold-italic", "monospace", "initial", "tailed", "looped", "stretched"},
    "columnalign": {"left", "center", "right"},
    "rowalign": {"top", "bottom", "center", "baseline", "axis"},
    "notation": {"longdiv", "actuarial", "phasorangle", "radical", "box", "roundedbox", "circle", "left",
                 "right", "top", "bottom", "updiagonalstrike", "downdiagonalstrike", "verticalstrike",
                 "horizontalstrike", "northeastarrow", "madruwb", "updiagonalarrow", "text"},
}
_CHECKS: dict[str, Any] = {
    "stretchy": _BOOLEAN, "fence": _BOOLEAN, "separator": _BOOLEAN, "largeop": _BOOLEAN,
    "movablelimits": _BOOLEAN, "symmetric": _BOOLEAN, "accent": _BOOLEAN, "accentunder": _BOOLEAN,
    "displaystyle": _BOOLEAN, "width": _LENGTH, "height": _LENGTH, "depth": _LENGTH, "lspace": _LENGTH,
    "rspace": _LENGTH, "minsize": _LENGTH, "maxsize": _LENGTH, "linethickness": _LENGTH,
    "columnspacing": _SPACING, "rowspacing": _SPACING, "scriptlevel": _INTEGER,
}
# Which attributes each element may carry (besides id and class).
_ATTRIBUTES = {
    "math": {"display"}, "mi": {"mathvariant"}, "mn": {"mathvariant"}, "mtext": {"mathvariant"},
    "ms": {"mathvariant"},
    "mo": {"mathvariant", "stretchy", "fence", "separator", "form", "lspace", "rspace", "largeop",
           "movablelimits", "symmetric", "minsize", "maxsize", "accent"},
    "mspace": {"width", "height", "depth"}, "mpadded": {"width", "height", "depth", "lspace"},
    "mfrac": {"linethickness"}, "mstyle": {"displaystyle", "scriptlevel", "mathvariant"},
    "mover": {"accent"}, "munder": {"accentunder"}, "munderover": {"accent", "accentunder"},
    "mtable": {"columnalign", "rowalign", "columnspacing", "rowspacing"},
    "mtr": {"columnalign", "rowalign"}, "mtd": {"columnalign", "rowalign"},
    "annotation": {"encoding"}, "annotation-xml": {"encoding"},
    "menclose": {"notation"},
}


def copy_math(source: Any, parent: Any, *, nested: bool) -> None:
    """Copy one MathML element (from the HTML parser's tree) into `parent`, in the MathML namespace."""
    tag = _name(source)
    if tag == "math" and nested:
        _copy_children(source, parent)                     # math inside math: keep the inner content
        return
    if tag not in MATHML_TAGS:
        return                                             # unknown MathML: dropped with its content
    element = etree.SubElement(parent, M + tag, nsmap={None: MATHML} if tag == "math" else None)
    allowed = {"id", "class"} | _ATTRIBUTES.get(tag, set())
    for name, raw in sorted(source.attrib.items()):
        value = strip_forbidden(raw).strip()
        if name in allowed and _valid(name, value):
            element.set(name, " ".join(value.split()) if name == "notation" else value)
    if tag in TOKENS or tag == "annotation":
        element.text = strip_forbidden(source.text_content())   # token elements hold text only
        return
    if tag in EMPTY:
        return
    _copy_children(source, element)


def repair(math: Any) -> None:
    """Make a copied <math> element schema-valid; a fix can break a parent or child rule, so
    repeat until nothing changes (each pass only ever turns elements into mrow or removes them)."""
    for _ in range(20):
        if not any([_repair_element(e) for e in list(math.iter(f"{M}*"))]):
            return


def _copy_children(source: Any, target: Any) -> None:
    _text(target, source.text)
    for child in source:
        if isinstance(child.tag, str):
            copy_math(child, target, nested=True)
        _text(target, child.tail)


def _text(target: Any, text: str | None) -> None:
    """Text in a layout element goes into an <mtext>, the one place MathML keeps words."""
    text = strip_forbidden(text or "")
    if not text.strip():
        return
    if _name(target) in TOKENS or _name(target) == "annotation":
        target.text = (target.text or "") + text
        return
    etree.SubElement(target, M + "mtext").text = text.strip()


def _repair_element(element: Any) -> bool:
    """Fix `element` if it breaks a rule; True if something changed."""
    tag = _name(element)
    children = [c for c in element if isinstance(c.tag, str)]
    names = [_name(c) for c in children]
    parent = element.getparent()
    parent_name = _name(parent) if parent is not None and parent.tag.startswith(M) else ""
    if element.getparent() is None and tag != "math":
        return False                                       # already removed in this pass
    if ((tag in ARITY and len(children) != ARITY[tag])
            or (tag in TABLE_PARENT and parent_name not in TABLE_PARENT[tag])
            or (tag in TABLE_CHILD and any(n not in TABLE_CHILD[tag] for n in names))
            or (tag == "mmultiscripts" and (not children or names.count("mprescripts") > 1))):
        _to_mrow(element)
        return True
    if tag == "semantics" and (not children or names[0].startswith("annotation")
                               or any(not n.startswith("annotation") for n in names[1:])):
        for child in children:
            if _name(child).startswith("annotation"):
                element.remove(child)
        _to_mrow(element)
        return True
    if (tag.startswith("annotation") and parent_name != "semantics") or (
            tag in ("none", "mprescripts") and parent_name != "mmultiscripts"):
        _remove(element)
        return True
    return False


def _remove(element: Any) -> None:
    """Remove an element and its content; the text after it stays."""
    parent = element.getparent()
    previous = element.getprevious()
    if element.tail and element.tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _to_mrow(element: Any) -> None:
    element.tag = M + "mrow"
    for name in list(element.attrib):
        if name not in ("id", "class"):
            del element.attrib[name]


def _valid(name: str, value: str) -> bool:
    if name in _WORDS:
        words = value.split()
        return bool(words) and all(w in _WORDS[name] for w in words) and (name in ("notation", "columnalign",
                                                                                     "rowalign") or len(words) == 1)
    check = _CHECKS.get(name)
    return bool(check.match(value)) if check is not None else bool(value) or name == "encoding"


def _name(element: Any) -> str:
    return element.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower() if isinstance(element.tag, str) else ""
