"""The article body made ready for print: real footnotes, local images, typeset math, absolute links.

The template places the body between two comments (`marked`). WeasyPrint parses the document
once (tinyhtml5, into ElementTree elements) and `prepare_body` edits that tree before layout:
never regular expressions over markup, and no second parse (parsing and serializing the body
again cost about 3 % of a PDF). Footnotes and formulas are found by the modules every format
shares (footnotes.py, math.py), which work on this tree as on lxml's.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from publish import footnotes, math
from publish.errors import PublishError
from publish.model import Article, Image

HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
# Block elements cannot sit inside the <p> that holds a footnote call: in a note they become spans.
BLOCKS = {"p", "div", "ul", "ol", "li", "pre", "blockquote", "figure", "figcaption", "table", "thead",
          "tbody", "tr", "td", "th", "section", "hr", "dl", "dt", "dd", "h2", "h3", "h4", "h5", "h6"}
CODE_LINE_ID = re.compile(r"^cb\d+-\d+$")     # Pandoc's per-line anchors: a named destination each
WIDE_TABLE = 5                   # columns from which a table gets a smaller font
BODY_IMAGE_WIDTH = 1600          # px: the text column at about 300 dpi

ImageSource = Callable[[Image, int], tuple[str, int, int]]     # (image, max width) -> (URL, width, height)


@dataclass
class Body:
    generated: dict[str, tuple[bytes, str]] = field(default_factory=dict)   # name -> (data, media type)
    warnings: list[str] = field(default_factory=list)


BODY_START, BODY_END = "publish:body", "/publish:body"     # comments around the body in the document


def marked(body_html: str) -> str:
    """The article's HTML between two comments, so that it can be found in the parsed document."""
    return f"<!--{BODY_START}-->{body_html}<!--{BODY_END}-->"


def prepare_body(document: ET.Element, article: Article, image_source: ImageSource,
                 math_url: Callable[[str], str]) -> Body:
    """Makes the marked body in WeasyPrint's parsed `document` ready for print, in place.

    The document is parsed once, by WeasyPrint; the body is edited in its tree before layout."""
    parent, start, end = _markers(document)
    siblings = list(parent)
    first, last = siblings.index(start), siblings.index(end)
    root = ET.Element("div")                     # the body on its own while it is rewritten
    root.text = start.tail
    root.extend(siblings[first + 1:last])
    after = end.tail
    for node in siblings[first:last + 1]:
        parent.remove(node)
    body = _prepare(root, article, image_source, math_url)
    _splice(parent, first, root, after)
    return body


def _markers(document: ET.Element) -> tuple[ET.Element, ET.Element, ET.Element]:
    for parent in document.iter():
        comments = {child.text: child for child in parent if child.tag is ET.Comment}
        if BODY_START in comments and BODY_END in comments:
            return parent, comments[BODY_START], comments[BODY_END]
    raise PublishError("the PDF template does not show the article body",
                       hint="the theme's pdf/document.html must contain {{ body }}")


def _splice(parent: ET.Element, index: int, root: ET.Element, after: str | None) -> None:
    """Put `root`'s text and children back into `parent` at `index`, followed by `after`."""
    nodes = list(root)
    _append_text(parent, index, root.text)
    parent[index:index] = nodes
    _append_text(parent, index + len(nodes), after)


def _append_text(parent: ET.Element, index: int, text: str | None) -> None:
    """Add text at a position among `parent`'s children (the tail of the node before it)."""
    if not text:
        return
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + text


def _prepare(root: ET.Element, article: Article, image_source: ImageSource,
             math_url: Callable[[str], str]) -> Body:
    body = Body()
    found = footnotes.find(root)
    found.take()
    notes = found.by_id()
    rewriter = _Rewriter(article, image_source, math_url, notes, body)
    rewriter.walk(root)
    leftover = [li for key, li in notes.items() if key not in rewriter.notes_used]
    leftover += [li for li in found.items if not li.get("id")]
    if leftover:
        # Notes nobody refers to stay readable as endnotes.
        section = ET.SubElement(root, "section", {"class": "endnotes"})
        ET.SubElement(section, "ol").extend(leftover)
        rewriter.walk(section)
    _mark_lede(root)
    return body


class _Rewriter:
    def __init__(self, article: Article, image_source: ImageSource, math_url: Callable[[str], str],
                 notes: dict[str, ET.Element], body: Body) -> None:
        self.article, self.image_source, self.math_url = article, image_source, math_url
        self.notes, self.body = notes, body
        self.outline = {h.id: h.text for h in article.headings}
        self.notes_used: set[str] = set()

    def walk(self, parent: ET.Element) -> None:
        for index, child in enumerate(list(parent)):
            replacement = self.visit(child)
            if replacement is not child:
                replacement.tail = child.tail
                parent[index] = replacement
            if replacement.tag != "img":
                self.walk(replacement)

    def visit(self, element: ET.Element) -> ET.Element:
        tag = element.tag
        if math.is_math(element):
            return self.math(element)
        if tag == "img":
            return self.image(element)
        if tag == "a":
            return self.link(element)
        if tag == "span" and CODE_LINE_ID.match(element.get("id", "")):
            del element.attrib["id"]
        elif tag in HEADINGS and element.get("id") in self.outline:
            # The outline shows the heading's text as the loader saw it, whatever the markup inside.
            element.set("data-outline", self.outline[element.get("id", "")])
        elif tag == "table":
            first_row = next(element.iter("tr"), None)
            if first_row is not None and len(first_row) >= WIDE_TABLE:
                element.set("class", (element.get("class", "") + " wide").strip())
        return element

    def link(self, element: ET.Element) -> ET.Element:
        href = element.get("href", "")
        key = footnotes.target(element)
        if footnotes.is_reference(element) and key is not None:
            note = self.notes.get(key)
            if note is not None:
                return self.footnote(key, note)
        if href and not href.startswith("#"):
            element.set("href", urljoin(self.article.url, href))
        return element

    def footnote(self, key: str, note: ET.Element) -> ET.Element:
        # A note called twice (possible in raw HTML) is printed twice rather than moved.
        source = copy.deepcopy(note) if key in self.notes_used else note
        self.notes_used.add(key)
        span = ET.Element("span", {"class": "footnote"})
        span.text = source.text
        span.extend(source)
        for parent in list(span.iter()):
            for child in list(parent):
                if footnotes.is_back_link(child):
                    _remove_keeping_tail(parent, child)
        for element in span.iter():
            if element.tag in BLOCKS:
                element.set("class", f"note-{element.tag} {element.get('class', '')}".strip())
                element.tag = "span"
        return span

    def image(self, element: ET.Element) -> ET.Element:
        src = element.get("src", "")
        alt = element.get("alt", "")
        image = self.article.images.get(src)
        if image is None:
            why = "remote images are not fetched" if urlsplit(src).scheme in ("http", "https") else \
                "it is not a local image of the site"
            self.body.warnings.append(f"image {src!r} left out of the PDF: {why}")
            return _placeholder(alt)
        try:
            url, width, height = self.image_source(image, BODY_IMAGE_WIDTH)
        except Exception as exc:  # noqa: BLE001 - an unreadable image is left out, the article still prints
            reason = exc.message if isinstance(exc, PublishError) else f"{type(exc).__name__}: {exc}"
            self.body.warnings.append(f"image {src!r} left out of the PDF: {reason}")
            return _placeholder(alt)
        attributes = {"src": url, "alt": alt, "width": str(width), "height": str(height)}
        if element.get("class"):
            attributes["class"] = element.get("class", "")
        return ET.Element("img", attributes)

    def math(self, element: ET.Element) -> ET.Element:
        from publish.exporters.pdf.math import MathError, typeset

        try:
            formula = typeset(element)
        except MathError as exc:
            self.body.warnings.append(f"{exc.message}; the PDF shows its TeX source")
            code = ET.Element("code", {"class": math.code_class(element)})
            code.text = math.tex_of(element)
            return code
        self.body.generated[formula.name] = (formula.svg, "image/svg+xml")
        kind = "math display" if formula.display else "math inline"
        return ET.Element("img", {"class": kind, "src": self.math_url(formula.name), "alt": formula.tex,
                                  "style": formula.style, "role": "math"})


def _remove_keeping_tail(parent: ET.Element, child: ET.Element) -> None:
    """Remove a back link; the text after it stays, but for the white space it leaves at the end."""
    tail = (child.tail or "").rstrip()
    index = list(parent).index(child)
    if tail:
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(child)


def _placeholder(alt: str) -> ET.Element:
    span = ET.Element("span", {"class": "missing-image"})
    span.text = f"[{alt}]" if alt else "[image]"
    return span


def _mark_lede(root: ET.Element) -> None:
    first = next(iter(root), None)
    if first is not None and first.tag == "p":
        first.set("class", (first.get("class", "") + " lede").strip())
