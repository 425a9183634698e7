"""The article body as one parsed tree, and the walks every format shares.

Parser: lxml.html (libxml2), once per article and format. It is fast (about 30 µs a kilobyte,
40 times the speed of a pure-Python HTML5 parser) and its elements have parents, which the
EPUB's repairs need. `Article.body_html` is stored as `to_html` writes this tree (the loader
parses nh3's output once and serializes it back), so every format parses the same structure and
`to_html(parse(article.body_html)) == article.body_html`, byte for byte. `to_html` follows the
HTML serialization algorithm of the HTML standard, as nh3 (html5ever) does.

The PDF is the exception that keeps the rule: WeasyPrint parses the whole document itself (with
tinyhtml5, into stdlib ElementTree elements) and the body is edited in that tree, not parsed a
second time. So the helpers here, and footnotes.py and math.py, use only the ElementTree API
(`tag`, `attrib`, `text`, `tail`, `iter`), which lxml's elements implement too; a helper that
needs an element's parent takes it as an argument, as ElementTree has no `getparent`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from publish.html import strip_forbidden
from publish.namespaces import local

Element = Any                   # an lxml or ElementTree element: both are duck-typed here

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                  "wbr", "basefont", "bgsound", "frame", "keygen", "param"})
RAW_TEXT = frozenset({"style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript"})
URL_ATTRIBUTES = ("href", "src")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


# Parsing ---------------------------------------------------------------------------------------

def parse(html: str) -> Element:
    """A body fragment as a tree under a `<div>` (the fragment's own text and elements inside it).
    Characters XML forbids are left out (a character reference like `&#12;` survives sanitizing):
    no lxml tree may hold them, and no output wants them."""
    import lxml.html

    # lxml's fragment_fromstring drops leading blank text; parsing as a document body keeps it.
    document = lxml.html.document_fromstring(f"<html><body>{strip_forbidden(html)}</body></html>")
    root = document.find("body")
    root.tag = "div"
    return root


def parse_document(html: str) -> Element:
    """A whole HTML document (an email after CSS inlining): its `<html>` element."""
    import lxml.html

    return lxml.html.document_fromstring(html)


# Serializing -----------------------------------------------------------------------------------

def to_html(root: Element) -> str:
    """The HTML of `root`'s content (its text and children, not the element itself)."""
    out: list[str] = []
    _content(root, out, nbsp=True)
    return "".join(out)


def outer_html(element: Element, *, nbsp: bool = True) -> str:
    """The HTML of `element` itself, without the text that follows it. `nbsp=False` writes U+00A0 as
    the character, the way the email exporter always has (its bytes stay the same)."""
    out: list[str] = []
    _element(element, out, nbsp=nbsp)
    return "".join(out)


def document_html(root: Element, *, nbsp: bool = True) -> str:
    """A parsed document back to HTML: its doctype, then the `<html>` element."""
    doctype = root.getroottree().docinfo.doctype
    out: list[str] = [doctype] if doctype else []
    for sibling in reversed(list(root.itersiblings(preceding=True))):
        _element(sibling, out, nbsp=nbsp)
    _element(root, out, nbsp=nbsp)
    for sibling in root.itersiblings():
        _element(sibling, out, nbsp=nbsp)
    return "".join(out)


def escape_text(text: str, *, nbsp: bool = True) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\u00a0", "&nbsp;") if nbsp else text


def escape_attribute(value: str, *, nbsp: bool = True) -> str:
    # Single quotes stay as they are: font names in an email's style="" must not become &#x27;.
    value = value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\u00a0", "&nbsp;") if nbsp else value


def _content(element: Element, out: list[str], *, nbsp: bool) -> None:
    raw = local(element.tag) in RAW_TEXT
    if element.text:
        out.append(element.text if raw else escape_text(element.text, nbsp=nbsp))
    for child in element:
        _element(child, out, nbsp=nbsp)
        if child.tail:
            out.append(child.tail if raw else escape_text(child.tail, nbsp=nbsp))


def _element(element: Element, out: list[str], *, nbsp: bool) -> None:
    if not isinstance(element.tag, str):
        if is_comment(element):
            out.append(f"<!--{element.text or ''}-->")
        return                                    # processing instructions: none in HTML
    name = local(element.tag)
    attributes = "".join(f' {local(key)}="{escape_attribute(value, nbsp=nbsp)}"'
                         for key, value in element.attrib.items())
    out.append(f"<{name}{attributes}>")
    if name in VOID:
        return
    _content(element, out, nbsp=nbsp)
    out.append(f"</{name}>")


# Reading ---------------------------------------------------------------------------------------

def is_comment(node: Element) -> bool:
    """A comment node of either tree (both mark comments with the `Comment` factory as tag)."""
    return callable(node.tag) and getattr(node.tag, "__name__", "") == "Comment"


def elements(root: Element, *names: str) -> Iterator[Element]:
    """`root` and every element below it in document order, only those named `names` if given
    (local names: `math` finds MathML in a namespace and without one)."""
    for element in root.iter():
        if isinstance(element.tag, str) and (not names or local(element.tag) in names):
            yield element


def nodes(element: Element) -> list[str | Element]:
    """`element`'s content as a list: text (as str) and child elements, in order."""
    found: list[str | Element] = [element.text] if element.text else []
    for child in element:
        if isinstance(child.tag, str):
            found.append(child)
        if child.tail:
            found.append(child.tail)
    return found


def classes(element: Element) -> list[str]:
    return (element.get("class") or "").split()


def has_class(element: Element, name: str) -> bool:
    return name in classes(element)


def text_content(element: Element, *, skip: Iterable[str] = ()) -> str:
    """The text of `element` and its descendants, but for the content of elements named in `skip`."""
    skipped = frozenset(skip)
    pieces: list[str] = []

    def walk(node: Element) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and local(child.tag) not in skipped:
                walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(element)
    return "".join(pieces)


def squash(text: str) -> str:
    """Runs of white space as one space, none at the ends."""
    return " ".join(text.split())


def url_attributes(root: Element) -> Iterator[tuple[Element, str]]:
    """(element, attribute) for every href and src below `root`, in document order."""
    for element in elements(root):
        for name in URL_ATTRIBUTES:
            if name in element.attrib:
                yield element, name


# Changing --------------------------------------------------------------------------------------

def new(tag: str, attributes: dict[str, str] | None = None, text: str | None = None,
        children: Iterable[Element] = ()) -> Element:
    """A new lxml element."""
    from lxml import etree

    element = etree.Element(tag, attributes or {})
    element.text = text
    element.extend(children)
    return element


def remove(element: Element, parent: Element | None = None) -> None:
    """Take `element` out of the tree; the text after it stays where it was. `parent` is needed for
    ElementTree elements, which do not know theirs."""
    parent = element.getparent() if parent is None else parent
    _keep_tail(parent, element)
    parent.remove(element)


def replace(old: Element, new_element: Element, parent: Element | None = None) -> None:
    """Put `new_element` where `old` is; the text after `old` follows `new_element`."""
    parent = old.getparent() if parent is None else parent
    new_element.tail, old.tail = old.tail, None
    index = list(parent).index(old)
    parent.remove(old)
    parent.insert(index, new_element)


def detach(element: Element) -> Element:
    """Take an lxml element out of its parent, leaving its tail text in place; it can then be
    inserted elsewhere on its own."""
    parent = element.getparent()
    if parent is not None:
        _keep_tail(parent, element)
        element.tail = None
        parent.remove(element)
    return element


def _keep_tail(parent: Element, element: Element) -> None:
    if not element.tail:
        return
    if hasattr(element, "getprevious"):
        previous = element.getprevious()             # lxml: no scan of the siblings
    else:
        index = list(parent).index(element)
        previous = parent[index - 1] if index else None
    if previous is not None:
        previous.tail = (previous.tail or "") + element.tail
    else:
        parent.text = (parent.text or "") + element.tail
