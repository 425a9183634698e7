"""A tiny HTML tree on the standard library's parser, for reshaping email markup.

The email exporter rewrites already-sanitized, well-formed HTML (nh3's or css-inline's output):
rename elements, unwrap spans, set attributes, cut at a block, walk it for the text twin. The
standard parser is enough for that and keeps comments (Outlook's conditional ones) verbatim.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                  "track", "wbr"})
RAW_TEXT = frozenset({"style", "script"})


@dataclass
class Text:
    text: str


@dataclass
class Comment:
    text: str                      # between "<!--" and "-->", as written


@dataclass
class Declaration:
    text: str                      # "DOCTYPE html"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        value = self.attrs.get(name)
        return default if value is None else value

    @property
    def classes(self) -> list[str]:
        return self.get("class").split()

    def iter(self) -> Iterator[Element]:
        """This element and every element below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def text_content(self) -> str:
        return "".join(c.text if isinstance(c, Text) else c.text_content() if isinstance(c, Element) else ""
                       for c in self.children)


Node = Text | Comment | Declaration | Element


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Text(data))

    def handle_comment(self, data: str) -> None:
        self.stack[-1].children.append(Comment(data))

    def handle_decl(self, decl: str) -> None:
        self.stack[-1].children.append(Declaration(decl))


def parse(markup: str) -> Element:
    """A document or fragment as a tree under a "#root" element."""
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    return builder.root


def serialize(nodes: Element | list[Node]) -> str:
    """HTML for a tree (the "#root" element's children) or a list of nodes."""
    out: list[str] = []
    items = nodes.children if isinstance(nodes, Element) and nodes.tag == "#root" else nodes
    for node in items if isinstance(items, list) else [items]:
        _write(node, out, raw=False)
    return "".join(out)


def _write(node: Node, out: list[str], *, raw: bool) -> None:
    if isinstance(node, Text):
        out.append(node.text if raw else html.escape(node.text, quote=False))
    elif isinstance(node, Comment):
        out.append(f"<!--{node.text}-->")
    elif isinstance(node, Declaration):
        out.append(f"<!{node.text}>")
    else:
        attrs = "".join(f" {k}" if v is None else f' {k}="{_attribute(v)}"' for k, v in node.attrs.items())
        out.append(f"<{node.tag}{attrs}>")
        if node.tag in VOID:
            return
        for child in node.children:
            _write(child, out, raw=node.tag in RAW_TEXT)
        out.append(f"</{node.tag}>")


def _attribute(value: str) -> str:
    # Single quotes stay as they are: font names in style="" must not become &#x27; (Outlook misreads it).
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
