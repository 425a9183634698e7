"""Small helpers over the lxml trees of EPUB chapters: namespaces, names, text, moving nodes."""

from __future__ import annotations

import unicodedata
from typing import Any

from publish import namespaces
from publish.html import strip_forbidden
from publish.namespaces import EPUB_OPS, MATHML, XHTML, qualified

EPUB_TYPE = qualified(EPUB_OPS, "type")
X = qualified(XHTML, "")                 # prefixes: X + "p" is an XHTML <p>
M = qualified(MATHML, "")
VOID = {"br", "hr", "img", "wbr"}
GLOBAL = {"id", "class", "title", "lang", "dir"}


def local(element: Any) -> str:
    return namespaces.local(element.tag)


def is_html(element: Any) -> bool:
    return isinstance(element.tag, str) and element.tag.startswith(X)


def append_text(element: Any, text: str | None) -> None:
    if not text:
        return
    text = strip_forbidden(text)
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def replace_with_text(element: Any, text: str) -> None:
    """Remove `element`, leaving `text` (and its tail) in its place."""
    parent = element.getparent()
    previous = element.getprevious()
    joined = (text or "") + (element.tail or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(element)


def visible_text(element: Any) -> str:
    """The words a reader sees, without MathML, white space or invisible format characters."""
    pieces: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node.tag, str) and node.tag.startswith(M):
            return
        pieces.append(node.text or "")
        for child in node:
            walk(child)
            pieces.append(child.tail or "")

    walk(element)
    text = "".join(ch for ch in "".join(pieces) if unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Zl", "Zp"))
    return text


def blank(text: str | None) -> bool:
    """Only XML white space (not NBSP or other Unicode spaces) may sit between list items or rows."""
    return not text or not text.strip(" \t\r\n")


def retag(element: Any, tag: str) -> None:
    """Rename an element, keeping only the attributes its new name accepts."""
    element.tag = X + tag
    for name in list(element.attrib):
        if name not in GLOBAL and not name.startswith("{"):
            del element.attrib[name]
