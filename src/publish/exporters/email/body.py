"""The article body reshaped for mail clients: the blocks the email template places.

Input is `web_body()` output (sanitized by nh3, absolute URLs, hosted JPEG/PNG images). Mail
clients need more: no HTML5 sectioning elements (Outlook and Yahoo drop them), code blocks and
their padding in a table cell (Outlook pads and colours only cells), images no wider than the
column, no ids (nothing links to them), and nothing that runs, even if a bug let it through.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from publish.exporters.email.tree import Element, Node, Text, parse

# Outlook and Yahoo ignore these HTML5 elements (caniemail "HTML5 semantics"); keep their content.
BLOCK_RENAMES = {"section": "div", "article": "div", "aside": "div", "header": "div", "footer": "div",
                 "nav": "div", "main": "div", "figure": "div", "details": "div", "figcaption": "p",
                 "summary": "p"}
INLINE_RENAMES = {"time": "span", "mark": "span"}
# Belt and braces: the loader's nh3 allow-list already removes these.
FORBIDDEN = frozenset({"script", "style", "iframe", "object", "embed", "form", "input", "button", "textarea",
                       "select", "option", "svg", "math", "link", "meta", "base", "frame", "frameset", "applet",
                       "noscript", "template", "video", "audio", "picture", "source"})
SAFE_SCHEMES = ("http", "https", "mailto")


def email_blocks(body_html: str, *, column_width: int, hero_url: str | None = None) -> list[Element]:
    """The body's top-level blocks, reshaped for email."""
    root = parse(body_html)
    _clean(root)
    _reshape(root, column_width)
    blocks = _blocks(root)
    if blocks and hero_url and _only_image(blocks[0]) == hero_url:
        blocks = blocks[1:]            # the post opens with its cover, which the email shows as its hero
    return blocks


def _clean(element: Element) -> None:
    kept: list[Node] = []
    for child in element.children:
        if isinstance(child, Element):
            if child.tag in FORBIDDEN:
                continue
            if child.tag == "a" and "footnote-back" in child.classes:
                continue               # "back to the text" links only make sense on the web page
            for name in list(child.attrs):
                value = child.attrs[name] or ""
                if name.startswith("on") or name == "id" or (
                        name in ("href", "src") and urlsplit(value.strip()).scheme.lower() not in SAFE_SCHEMES):
                    del child.attrs[name]
            if child.tag == "img" and not child.get("src"):
                continue               # its URL was unsafe or unresolvable: an <img> without src is invalid
            _clean(child)
        kept.append(child)
    element.children = kept


def _reshape(element: Element, column_width: int) -> None:
    for index, child in enumerate(element.children):
        if not isinstance(child, Element):
            continue
        if child.tag in BLOCK_RENAMES:
            if child.tag == "figcaption":
                child.attrs["class"] = "figure-caption"
            child.tag = BLOCK_RENAMES[child.tag]
        elif child.tag in INLINE_RENAMES:
            if child.tag == "mark":
                child.attrs["class"] = "mark"
            child.tag = INLINE_RENAMES[child.tag]
        if child.tag == "pre":
            element.children[index] = _code_box(child)
            continue
        if child.tag == "table":
            element.children[index] = _table(child)
        elif child.tag == "img":
            _size_image(child, column_width, alone=_is_alone(element, child))
        _reshape(child, column_width)


def _code_box(pre: Element) -> Element:
    """A code block as a one-cell table; highlighting spans unwrapped (plain text is smaller and
    survives dark mode)."""
    pre.children = [Text(pre.text_content())]
    pre.attrs = {"class": "code-pre"}
    cell = Element("td", {"class": "code-cell"}, [pre])
    return Element("table", {"role": "presentation", "width": "100%", "cellpadding": "0", "cellspacing": "0",
                             "border": "0", "class": "code-box"}, [Element("tr", {}, [cell])])


def _table(table: Element) -> Element:
    table.attrs = {"class": "data-table", "width": "100%", "cellpadding": "0", "cellspacing": "0", "border": "0"}
    return Element("div", {"class": "table-wrap"}, [table])


def _size_image(img: Element, column_width: int, *, alone: bool) -> None:
    """At most the column's width, height in proportion; fluid below that width."""
    img.attrs.setdefault("alt", "")
    width, height = _int(img.get("width")), _int(img.get("height"))
    if width:
        shown = min(width, column_width)
        img.attrs["width"] = str(shown)
        if height:
            img.attrs["height"] = str(max(1, round(height * shown / width)))
    else:
        shown = column_width
        img.attrs["width"] = str(shown)
        img.attrs.pop("height", None)   # unknown aspect ratio: let the client keep it
    if alone:
        img.attrs["style"] = f"display:block;width:100%;max-width:{shown}px;height:auto;border:0"
    else:
        img.attrs["style"] = "vertical-align:middle;max-width:100%;height:auto;border:0"


def _is_alone(parent: Element, img: Element) -> bool:
    others = [c for c in parent.children if c is not img and not (isinstance(c, Text) and not c.text.strip())]
    return parent.tag in ("p", "div", "#root") and not others


def _only_image(block: Element) -> str | None:
    items = [c for c in block.children if not (isinstance(c, Text) and not c.text.strip())]
    if block.tag == "img":
        return block.get("src")
    if block.tag in ("p", "div") and len(items) == 1 and isinstance(items[0], Element):
        return _only_image(items[0])
    return None


def _blocks(root: Element) -> list[Element]:
    blocks: list[Element] = []
    for child in root.children:
        if isinstance(child, Element):
            blocks.append(child)
        elif isinstance(child, Text) and child.text.strip():
            blocks.append(Element("p", {}, [child]))      # stray text at the top level
    return blocks


def _int(value: str) -> int:
    try:
        return max(0, int(float(value)))
    except ValueError:
        return 0
