"""The plain-text twin of an email: readable on its own, wrapped, links as numbered references.

Headings are underlined (=, -) or marked with ###, paragraphs wrapped at 78 columns, lists
indented with a hanging indent, quotes prefixed with "> ", code indented by four spaces and
never re-wrapped, and every link's URL listed once under "Links" as [n].
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from publish import bodytree, footnotes
from publish.bodytree import Element

Node = str | Element            # text, or an element of the body's tree

WIDTH = 78
_SPACE = re.compile(r"[ \t\r\n\f]+")
_LIST = ("ul", "ol")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_DESCEND = ("div", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "figure", "section")


class PlainText:
    """Builds the text part block by block; `finish()` appends the numbered link list."""

    def __init__(self, width: int = WIDTH) -> None:
        self.width = width
        self.parts: list[str] = []
        self.links: list[str] = []

    # Building blocks ---------------------------------------------------------------------------
    def heading(self, text: str, level: int = 1) -> None:
        text = _squash(text)
        if level <= 2:
            lines = textwrap.wrap(text, self.width, break_long_words=False, break_on_hyphens=False) or [""]
            rule = "=" if level == 1 else "-"
            self.parts.append("\n".join(lines) + "\n" + rule * min(self.width, max(len(x) for x in lines)))
        else:
            self.parts.append(self._wrap(text, "#" * level + " ", " " * (level + 1)))

    def paragraph(self, text: str, indent: str = "") -> None:
        self.parts.append("\n".join(self._wrap(line, indent, indent) for line in text.split("\n")))

    def line(self, text: str) -> None:
        """A line kept as it is (a URL, a label and its URL)."""
        self.parts.append(text)

    def rule(self) -> None:
        self.parts.append("-" * 20)

    def reference(self, url: str) -> int:
        if url not in self.links:
            self.links.append(url)
        return self.links.index(url) + 1

    def blocks(self, nodes: Sequence[Node]) -> None:
        for part in self._blocks(nodes, self.width):
            self.parts.append(part)

    def finish(self) -> str:
        text = "\n\n".join(p.rstrip() for p in self.parts if p.strip())
        if self.links:
            text += "\n\nLinks:\n" + "\n".join(f"[{n}] {url}" for n, url in enumerate(self.links, 1))
        return text + "\n"

    # HTML blocks -------------------------------------------------------------------------------
    def _blocks(self, nodes: Sequence[Node], width: int) -> list[str]:
        out: list[str] = []
        inline: list[Node] = []

        def flush() -> None:
            text = self._inline(inline).strip()
            if text:
                out.append(self._fill(text, width))
            inline.clear()

        for node in nodes:
            if isinstance(node, str) or not _is_block(node):
                inline.append(node)
                continue
            flush()
            out.extend(self._block(node, width))
        flush()
        return out

    def _block(self, el: Element, width: int) -> list[str]:
        tag = el.tag
        if tag in _HEADINGS:
            level = int(tag[1])
            text = _squash(self._inline(bodytree.nodes(el)))
            if level <= 2:
                return [text + "\n" + ("=" if level == 1 else "-") * min(width, len(text))]
            return [self._wrap(text, "#" * level + " ", " " * (level + 1), width)]
        if tag == "pre":
            code = "".join(el.itertext()).strip("\n")
            return ["\n".join(("    " + line).rstrip() for line in code.split("\n"))]
        if tag in _LIST:
            return [self._list(el, width)]
        if tag == "blockquote":
            inner = self._blocks(bodytree.nodes(el), width - 2)
            return ["\n".join(("> " + line).rstrip() for line in "\n\n".join(inner).split("\n"))]
        if tag == "hr":
            return ["-" * 20]
        if tag == "table" and bodytree.has_class(el, "data-table"):
            return [self._table(el, width)]
        if tag == "dl":
            return [self._definitions(el, width)]
        if tag == "img":
            alt = _squash(el.get("alt") or "")
            return [self._fill(f"[Image: {alt}]", width)] if alt else []
        return self._blocks(bodytree.nodes(el), width)

    def _list(self, el: Element, width: int) -> str:
        items: list[str] = []
        start = _int(el.get("start") or "", 1)
        number = start
        for li in (c for c in el if c.tag == "li"):
            marker = f"{number}. " if el.tag == "ol" else "- "
            number += 1
            body = "\n\n".join(self._blocks(bodytree.nodes(li), width - len(marker)))
            lines = body.split("\n") or [""]
            pad = " " * len(marker)
            items.append("\n".join([marker + lines[0]] + [(pad + x).rstrip() for x in lines[1:]]))
        return "\n".join(items)

    def _table(self, el: Element, width: int) -> str:
        rows: list[str] = []
        for tr in (e for e in el.iter() if e.tag == "tr"):
            cells = [_squash(self._inline(bodytree.nodes(c))) for c in tr if c.tag in ("td", "th")]
            rows.append(self._wrap(" | ".join(cells), "", "  ", width))
            if any(c.tag == "th" for c in tr):
                rows.append("-" * min(width, max(len(x) for x in rows[-1].split("\n"))))
        return "\n".join(rows)

    def _definitions(self, el: Element, width: int) -> str:
        lines: list[str] = []
        for child in (c for c in el if isinstance(c.tag, str)):
            text = _squash(self._inline(bodytree.nodes(child)))
            lines.append(self._wrap(text, "    ", "    ", width) if child.tag == "dd" else self._fill(text, width))
        return "\n".join(lines)

    # Inline content ----------------------------------------------------------------------------
    def _inline(self, nodes: Sequence[Node]) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(_SPACE.sub(" ", node))
            else:
                out.append(self._inline_element(node))
        return "".join(out)

    def _inline_element(self, el: Element) -> str:
        inner = self._inline(bodytree.nodes(el))
        if el.tag == "br":
            return "\n"
        if el.tag == "img":
            alt = _squash(el.get("alt") or "")
            return f"[{alt}]" if alt else ""
        if el.tag == "a":
            href = el.get("href") or ""
            if footnotes.is_reference(el):
                return "^" + _squash(inner).lstrip("^")
            if not href or _squash(inner) == href:
                return inner
            return f"{inner} [{self.reference(href)}]"
        if el.tag in ("strong", "b"):
            return f"*{inner}*" if inner.strip() else inner
        if el.tag in ("em", "i"):
            return f"_{inner}_" if inner.strip() else inner
        if el.tag == "sup" and inner.strip():
            return inner if inner.startswith("^") else f"^{inner}"
        return inner

    def _fill(self, text: str, width: int) -> str:
        return "\n".join(self._wrap(line.strip(), "", "", width) for line in text.split("\n") if line.strip())

    def _wrap(self, text: str, first: str, rest: str, width: int | None = None) -> str:
        return textwrap.fill(_squash(text), width or self.width, initial_indent=first, subsequent_indent=rest,
                             break_long_words=False, break_on_hyphens=False)


def _is_block(el: Element) -> bool:
    return el.tag in ("p", "pre", "blockquote", "hr", "dl", "figcaption", "caption", *_LIST, *_HEADINGS,
                      *_DESCEND) or (el.tag == "img" and "display:block" in (el.get("style") or ""))


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _int(value: str, default: int) -> int:
    try:
        return int(value)
    except ValueError:
        return default
