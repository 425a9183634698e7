"""The article body reshaped for mail clients: the blocks the email template places.

Input is the `web_tree()` of the article (sanitized, absolute URLs, hosted JPEG/PNG images). Mail
clients need more: no HTML5 sectioning elements (Outlook and Yahoo drop them), code blocks and
their padding in a table cell (Outlook pads and colours only cells), images no wider than the
column, no ids (nothing links to them), and nothing that runs, even if a bug let it through.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from publish import bodytree, footnotes
from publish.bodytree import Element

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


def email_blocks(root: Element, *, column_width: int, hero_url: str | None = None) -> list[Element]:
    """The body's top-level blocks, reshaped for email (`root` is changed in place)."""
    _clean(root)
    _reshape(root, column_width)
    blocks = _blocks(root)
    if blocks and hero_url and _only_image(blocks[0]) == hero_url:
        blocks = blocks[1:]            # the post opens with its cover, which the email shows as its hero
    return blocks


def _clean(element: Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        if child.tag in FORBIDDEN or footnotes.is_back_link(child):
            bodytree.remove(child)     # "back to the text" links only make sense on the web page
            continue
        for name in list(child.attrib):
            value = child.get(name) or ""
            if name.startswith("on") or name == "id" or (
                    name in ("href", "src") and urlsplit(value.strip()).scheme.lower() not in SAFE_SCHEMES):
                del child.attrib[name]
        if child.tag == "img" and not child.get("src"):
            bodytree.remove(child)     # its URL was unsafe or unresolvable: an <img> without src is invalid
            continue
        _clean(child)


def _reshape(element: Element, column_width: int) -> None:
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        if child.tag in BLOCK_RENAMES:
            if child.tag == "figcaption":
                child.set("class", "figure-caption")
            child.tag = BLOCK_RENAMES[child.tag]
        elif child.tag in INLINE_RENAMES:
            if child.tag == "mark":
                child.set("class", "mark")
            child.tag = INLINE_RENAMES[child.tag]
        if child.tag == "pre":
            _code_box(child)
            continue
        if child.tag == "table":
            _table(child)
        elif child.tag == "img":
            _size_image(child, column_width, alone=_is_alone(element, child))
        _reshape(child, column_width)


def _code_box(pre: Element) -> None:
    """A code block as a one-cell table, in the block's place; highlighting spans unwrapped (plain
    text is smaller and survives dark mode)."""
    text = "".join(pre.itertext())
    pre.attrib.clear()
    pre.set("class", "code-pre")
    cell = bodytree.new("td", {"class": "code-cell"})
    box = bodytree.new("table", {"role": "presentation", "width": "100%", "cellpadding": "0", "cellspacing": "0",
                                 "border": "0", "class": "code-box"}, children=[bodytree.new("tr", {}, None, [cell])])
    bodytree.replace(pre, box)
    for child in list(pre):
        pre.remove(child)
    pre.text = text
    cell.append(pre)


def _table(table: Element) -> None:
    wrap = bodytree.new("div", {"class": "table-wrap"})
    bodytree.replace(table, wrap)
    wrap.append(table)
    table.attrib.clear()
    for name, value in (("class", "data-table"), ("width", "100%"), ("cellpadding", "0"), ("cellspacing", "0"),
                        ("border", "0")):
        table.set(name, value)


def _size_image(img: Element, column_width: int, *, alone: bool) -> None:
    """At most the column's width, height in proportion; fluid below that width."""
    if img.get("alt") is None:
        img.set("alt", "")
    width, height = _int(img.get("width") or ""), _int(img.get("height") or "")
    if width:
        shown = min(width, column_width)
        img.set("width", str(shown))
        if height:
            img.set("height", str(max(1, round(height * shown / width))))
    else:
        shown = column_width
        img.set("width", str(shown))
        img.attrib.pop("height", None)   # unknown aspect ratio: let the client keep it
    if alone:
        img.set("style", f"display:block;width:100%;max-width:{shown}px;height:auto;border:0")
    else:
        img.set("style", "vertical-align:middle;max-width:100%;height:auto;border:0")


def _is_alone(parent: Element, img: Element) -> bool:
    others = [n for n in bodytree.nodes(parent) if n is not img and not (isinstance(n, str) and not n.strip())]
    return parent.tag in ("p", "div") and not others


def _only_image(block: Element) -> str | None:
    items = [n for n in bodytree.nodes(block) if not (isinstance(n, str) and not n.strip())]
    if block.tag == "img":
        return block.get("src") or ""
    if block.tag in ("p", "div") and len(items) == 1 and not isinstance(items[0], str):
        return _only_image(items[0])
    return None


def _blocks(root: Element) -> list[Element]:
    """The root's elements, each on its own (their tails are the white space between blocks), and
    stray text at the top level in a paragraph of its own."""
    blocks: list[Element] = []
    for node in bodytree.nodes(root):
        if isinstance(node, str):
            if node.strip():
                blocks.append(bodytree.new("p", {}, node))
        else:
            blocks.append(node)
    return blocks


def _int(value: str) -> int:
    try:
        return max(0, int(float(value)))
    except ValueError:
        return 0
