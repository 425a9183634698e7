"""An article's sanitized HTML turned into a valid XHTML chapter body for an EPUB.

The body is parsed once (bodytree, lxml.html), then rebuilt element by element in the
XHTML and MathML namespaces: unknown markup is unwrapped, attributes are checked against what
XHTML allows, misplaced structure (a list inside a paragraph, a stray table cell) is repaired,
ids get a per-chapter prefix so they are unique across the book, and Pandoc's footnotes become
EPUB footnotes (noteref links and `<aside epub:type="footnote">`) that reading systems pop up.
Links and images are left to callbacks, because only the book knows what it contains.
Footnotes are found by footnotes.py, content-model repairs live in repair.py, MathML in
mathml.py. Imported only when a book is rendered, so lxml is imported at the top.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from publish import bodytree, footnotes
from publish.exporters.epub import mathml as epub_mathml
from publish.exporters.epub.repair import fix_heading_levels, repair
from publish.exporters.epub.tree import (
    EPUB_TYPE,
    GLOBAL,
    VOID,
    M,
    X,
    append_text,
    blank,
    local,
    replace_with_text,
)
from publish.html import strip_forbidden
from publish.model import Article
from publish.namespaces import EPUB_OPS, XHTML
from publish.text import slugify

# Elements of the shared allow-list that XHTML chapters keep as they are.
KEEP = {
    "a", "abbr", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code",
    "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
    "rp", "rt", "ruby", "s", "samp", "section", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "th", "thead", "tfoot", "time", "tr", "u", "ul", "var", "wbr",
}
# Allowed by the sanitizer but risky in a chapter (nested landmarks, obsolete or attribute-bound).
RENAME = {"header": "div", "footer": "div", "nav": "div", "hgroup": "div", "data": "span", "rtc": "span",
          "h1": "h2"}
# Column markup only sets widths, and the Nu checker rejects it when it disagrees with the cells.
DROP = {"col", "colgroup"}
ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href"}, "img": {"src", "alt", "width", "height"}, "ol": {"start", "type", "reversed"},
    "li": {"value"}, "td": {"colspan", "rowspan", "style"}, "th": {"colspan", "rowspan", "style", "scope"},
    "time": {"datetime"}, "code": {"data-lang"},
}
_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_INTEGER = re.compile(r"^-?\d{1,9}$")
_POSITIVE = re.compile(r"^[1-9]\d{0,3}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$")
_STYLE = re.compile(r"^\s*text-align\s*:\s*(left|right|center|justify)\s*;?\s*$")
_ALIGN = {"left", "right", "center", "justify"}


@dataclass
class ChapterBody:
    """One article's body as XHTML elements, ready to be placed into a chapter page."""

    prefix: str                                  # e.g. "c3": every id starts with "c3-"
    root: Any                                    # an XHTML <div> holding the body
    notes: list[Any] = field(default_factory=list)   # <aside epub:type="footnote"> elements
    ids: dict[str, str] = field(default_factory=dict)  # id in the article's HTML -> id in the book
    has_math: bool = False

    def book_id(self, source_id: str) -> str | None:
        return self.ids.get(source_id)

    def sections(self) -> list[tuple[str, str]]:
        """(id, text) of each h2 of the body, in reading order: the chapter's entries in the TOC."""
        found = []
        for heading in self.root.iter(X + "h2"):
            text = " ".join("".join(heading.itertext()).split()) or heading.get("aria-label", "")
            if heading.get("id") and text:
                found.append((heading.get("id"), text))
        return found


@dataclass
class Chapter:
    """An article's chapter being made: where it goes in the book and its body."""

    article: Article
    prefix: str                        # id prefix: "c3"
    href: str                          # inside the book: "text/<slug>.xhtml"
    body: ChapterBody
    language: str                      # a well-formed language tag (OPF-092 and Nu reject others)
    cover: tuple[str, int, int, str] | None = None   # (src, width, height, alt)

    def book_id(self, source_id: str) -> str | None:
        return self.body.book_id(source_id)


ImageResolver = Callable[[str, str], "tuple[str, int, int, str] | None"]   # (src, alt) -> (src, w, h, alt)
LinkResolver = Callable[[str], "str | None"]                               # href -> new href or None


def parse_chapter(html: str, prefix: str) -> ChapterBody:
    """Parse `html` and rebuild it as valid XHTML (links and images untouched yet)."""
    source = bodytree.parse(html)
    if not (source.text or "").strip():
        source.text = None                 # blank lines before the first element carry nothing in a page
    root = etree.Element(X + "div", nsmap={None: XHTML, "epub": EPUB_OPS})
    _copy_children(source, root)
    body = ChapterBody(prefix=prefix, root=root)
    _take_footnotes(body)                 # before repairs, which could flatten the notes' list
    for part in (root, *body.notes):
        repair(part)
    fix_heading_levels(root)
    _assign_ids(body)
    _mark_noterefs(body)
    body.has_math = root.find(f".//{M}math") is not None or any(n.find(f".//{M}math") is not None
                                                                  for n in body.notes)
    return body


def rewrite_links(body: ChapterBody, resolve: LinkResolver) -> None:
    """Set every href to `resolve(href)`; a link resolved to None keeps its text but not its href."""
    for element in _elements(body, X + "a"):
        href = element.get("href")
        if href is None:
            continue
        new = resolve(href)
        if new is not None and _has_name(element):
            element.set("href", new)
        else:
            _unlink(element)


def _has_name(link: Any) -> bool:
    """A link needs words (or an image's alt text) for a screen reader to announce."""
    return bool("".join(link.itertext()).strip()) or any(i.get("alt", "").strip() for i in link.iter(X + "img"))


def _unlink(link: Any) -> None:
    """Keep the words of a link that cannot be followed; without href it is no longer a link."""
    for name in ("href", "role", EPUB_TYPE):
        link.attrib.pop(name, None)


def rewrite_images(body: ChapterBody, resolve: ImageResolver) -> None:
    """Point each image at the book's copy; an image the book cannot hold becomes its alt text."""
    for element in list(_elements(body, X + "img")):
        found = resolve(element.get("src", ""), element.get("alt", ""))
        if found is None:
            if element.get("id"):                          # keep the anchor a link may point at
                element.tag, element.text = X + "span", element.get("alt", "")
                for name in [n for n in element.attrib if n != "id"]:
                    del element.attrib[name]
            else:
                replace_with_text(element, element.get("alt", ""))
            continue
        src, _, _, alt = found
        anchor = element.get("id")
        element.attrib.clear()
        if anchor:
            element.set("id", anchor)
        element.set("src", src)
        element.set("alt", alt)
        # No width/height: Calibre turns them into fixed sizes that beat the CSS and stretch the picture.


def open_empty_elements(root: Any) -> None:
    """`<td></td>`, not `<td/>`: a reading system that parses the page as HTML would misread the latter."""
    for element in root.iter(X + "*"):
        if element.text is None and len(element) == 0 and local(element) not in VOID | {"meta", "link"}:
            element.text = ""


def _elements(body: ChapterBody, tag: str) -> list[Any]:
    found = list(body.root.iter(tag))
    for note in body.notes:
        found.extend(note.iter(tag))
    return found


# --- rebuilding the tree -------------------------------------------------------------------------

def _copy_children(source: Any, target: Any) -> None:
    """Copy `source`'s text and children into `target`, converting each element."""
    append_text(target, source.text)
    for child in source:
        if isinstance(child.tag, str):
            _copy_element(child, target)
        append_text(target, child.tail)


def _copy_element(source: Any, parent: Any) -> None:
    tag = source.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()
    if tag == "math":
        epub_mathml.copy_math(source, parent, nested=False)
        epub_mathml.repair(parent[-1])
        return
    tag = RENAME.get(tag, tag)
    if tag in DROP:
        return
    if tag not in KEEP:
        _copy_children(source, parent)      # unknown element: keep what it says
        return
    element = etree.SubElement(parent, X + tag)
    _copy_attributes(source, element, tag)
    if tag not in VOID:
        _copy_children(source, element)


def _copy_attributes(source: Any, element: Any, tag: str) -> None:
    allowed = GLOBAL | ATTRIBUTES.get(tag, set())
    for name, raw in sorted(source.attrib.items()):
        value = strip_forbidden(raw)
        if name == "align" and tag in ("td", "th") and value.lower() in _ALIGN:
            element.set("style", f"text-align: {value.lower()}")   # obsolete attribute -> CSS
        if name not in allowed:
            continue
        clean = _attribute(tag, name, value)
        if clean is not None:
            element.set(name, clean)
    if tag == "bdo" and element.get("dir") not in ("ltr", "rtl"):
        element.tag = X + "span"
    if tag == "time" and element.get("datetime") is None and not _DATETIME.match((source.text_content() or "").strip()):
        element.tag = X + "span"


def _attribute(tag: str, name: str, value: str) -> str | None:
    """The value XHTML accepts for this attribute, or None to drop it."""
    value = value.strip() if name not in ("title", "alt") else value
    if name == "id":
        return value or None
    if name == "class":
        return " ".join(value.split()) or None
    if name == "lang":
        return value if _LANG.match(value) else None
    if name == "dir":
        return value if value in ("ltr", "rtl", "auto") else None
    if name in ("width", "height", "colspan", "rowspan"):
        return value if _POSITIVE.match(value) else None
    if name in ("start", "value"):
        return value if _INTEGER.match(value) else None
    if name == "type":
        return value if value in ("1", "a", "A", "i", "I") else None
    if name == "reversed":
        return "reversed"
    if name == "scope":
        return value if value in ("row", "col") else None
    if name == "datetime":
        return value if _DATETIME.match(value) else None
    if name == "style":
        return value if _STYLE.match(value) else None
    return value


# --- ids and footnotes ----------------------------------------------------------------------------

def _assign_ids(body: ChapterBody) -> None:
    """Every id becomes "<prefix>-<ascii slug>", unique in the book; the first of duplicates wins."""
    used: set[str] = set()
    elements = [e for part in (body.root, *body.notes) for e in part.iter()]
    for element in elements:
        if not isinstance(element.tag, str):
            continue
        source = element.get("id")
        if source is None and local(element) == "h2":
            source = f"h{len(used) + 1}"                   # so the table of contents can link to it
        if source is None:
            continue
        base = f"{body.prefix}-{slugify(source) or 'x'}"
        new, n = base, 1
        while new in used:
            n += 1
            new = f"{base}-{n}"
        used.add(new)
        body.ids.setdefault(source, new)
        element.set("id", new)


def _take_footnotes(body: ChapterBody) -> None:
    """Pandoc's footnote list -> EPUB footnotes (`<aside epub:type="footnote">`), out of the body."""
    found = footnotes.find(body.root)
    for item in found.items:
        body.notes.append(_footnote(item, len(body.notes) + 1))
    found.take()


def _mark_noterefs(body: ChapterBody) -> None:
    """A link to a footnote is a noteref, so reading systems open the note in a pop-up."""
    note_ids = {note.get("id") for note in body.notes if note.get("id")}
    for link in body.root.iter(X + "a"):
        href = link.get("href") or ""
        if href.startswith("#") and body.ids.get(href[1:]) in note_ids:
            link.set(EPUB_TYPE, "noteref")
            link.set("role", "doc-noteref")
    for aside in body.root.iter(X + "aside"):
        aside.set("role", "note")                          # an author's aside is not a landmark here


def _footnote(item: Any, number: int) -> Any:
    aside = etree.Element(X + "aside", nsmap={None: XHTML})
    aside.set(EPUB_TYPE, "footnote")
    aside.set("role", "doc-footnote")
    aside.set("class", "footnote")
    if item.get("id"):
        aside.set("id", item.get("id"))
    back_target = None
    for back in list(item.iter(X + "a")):
        if footnotes.is_back_link(back):
            back_target = back_target or back.get("href")
            replace_with_text(back, "")
    aside.text = item.text
    for child in list(item):
        aside.append(child)
    _number_note(aside, number, back_target)
    return aside


def _number_note(aside: Any, number: int, back_target: str | None) -> None:
    """Start the note with its number, linking back to where it was referenced."""
    first = aside[0] if len(aside) and local(aside[0]) == "p" and blank(aside.text) else None
    if first is None:
        first = etree.Element(X + "p")
        first.text = aside.text
        aside.text = None
        aside.insert(0, first)
    marker = etree.Element(X + "a" if back_target else X + "span")
    marker.set("class", "note-number")
    if back_target:
        marker.set("href", back_target)
        marker.set("role", "doc-backlink")
    marker.text = str(number)
    marker.tail = ". " + (first.text or "").lstrip()
    first.text = None
    first.insert(0, marker)
    # Whitespace left by the removed back link at the end of the last paragraph.
    last = aside[-1]
    if len(last):
        last[-1].tail = (last[-1].tail or "").rstrip() or None
    elif last.text:
        last.text = last.text.rstrip()
