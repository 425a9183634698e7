"""An article's sanitized HTML turned into a valid XHTML chapter body for an EPUB.

The body is parsed with a real HTML parser (lxml.html), then rebuilt element by element in the
XHTML and MathML namespaces: unknown markup is unwrapped, attributes are checked against what
XHTML allows, misplaced structure (a list inside a paragraph, a stray table cell) is repaired,
ids get a per-chapter prefix so they are unique across the book, and Pandoc's footnotes become
EPUB footnotes (noteref links and `<aside epub:type="footnote">`) that reading systems pop up.
Links and images are left to callbacks, because only the book knows what it contains.
Imported only when a book is rendered, so lxml is imported at the top.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from lxml import etree

from publish.content.slugs import slugify
from publish.exporters import epub_mathml
from publish.html import strip_forbidden

XHTML_NS = "http://www.w3.org/1999/xhtml"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
EPUB_NS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
X = f"{{{XHTML_NS}}}"
M = f"{{{MATHML_NS}}}"

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
PHRASING = {
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "img", "ins", "kbd",
    "mark", "q", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
}
# Elements whose content may only be phrasing content.
PHRASING_ONLY = {
    "p", "h2", "h3", "h4", "h5", "h6", "pre", "span", "em", "strong", "b", "i", "u", "s", "small", "mark",
    "abbr", "cite", "code", "dfn", "kbd", "samp", "var", "sub", "sup", "q", "time", "bdi", "bdo", "rt",
    "rp", "ruby", "summary",
}
TRANSPARENT = {"a", "ins", "del"}
# Structure that only makes sense under particular parents.
PARENTS = {
    "li": {"ul", "ol"}, "dt": {"dl"}, "dd": {"dl"}, "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"}, "th": {"tr"}, "thead": {"table"}, "tbody": {"table"}, "tfoot": {"table"},
    "caption": {"table"}, "figcaption": {"figure"},
    "summary": {"details"}, "rt": {"ruby"}, "rp": {"ruby"},
}
# What a container accepts as element children, and what it wraps anything else in.
CHILDREN = {
    "ul": ({"li"}, "li"), "ol": ({"li"}, "li"), "dl": ({"dt", "dd"}, "dd"),
    "tr": ({"td", "th"}, "td"), "table": ({"caption", "thead", "tbody", "tfoot", "tr"}, None),
    "thead": ({"tr"}, None), "tbody": ({"tr"}, None), "tfoot": ({"tr"}, None),
}
NO_SELF_NESTING = {"dfn", "a", "figcaption"}
VOID = {"br", "hr", "img", "wbr"}
# Column markup only sets widths, and the Nu checker rejects it when it disagrees with the cells.
DROP = {"col", "colgroup"}
GLOBAL = {"id", "class", "title", "lang", "dir"}
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


ImageResolver = Callable[[str, str], "tuple[str, int, int, str] | None"]   # (src, alt) -> (src, w, h, alt)
LinkResolver = Callable[[str], "str | None"]                               # href -> new href or None


def parse_chapter(html: str, prefix: str) -> ChapterBody:
    """Parse `html` and rebuild it as valid XHTML (links and images untouched yet)."""
    source = lxml.html.fragment_fromstring(strip_forbidden(html) or "", create_parent="div")
    root = etree.Element(X + "div", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    _copy_children(source, root)
    body = ChapterBody(prefix=prefix, root=root)
    _take_footnotes(body)                 # before repairs, which could flatten the notes' list
    for part in (root, *body.notes):
        _repair(part)
        for table in list(part.iter(X + "table")):
            _tidy_table(table)
    _fix_heading_levels(root)
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
            _replace_with_text(element, element.get("alt", ""))
            continue
        src, width, height, alt = found
        element.attrib.clear()
        element.set("src", src)
        element.set("alt", alt)
        element.set("width", str(width))
        element.set("height", str(height))


def serialize(element: Any) -> str:
    return etree.tostring(element, encoding="unicode", method="xml")


def open_empty_elements(root: Any) -> None:
    """`<td></td>`, not `<td/>`: a reading system that parses the page as HTML would misread the latter."""
    for element in root.iter(f"{{{XHTML_NS}}}*"):
        if element.text is None and len(element) == 0 and _local(element) not in VOID | {"meta", "link"}:
            element.text = ""


def _elements(body: ChapterBody, tag: str) -> list[Any]:
    found = list(body.root.iter(tag))
    for note in body.notes:
        found.extend(note.iter(tag))
    return found


# --- rebuilding the tree -------------------------------------------------------------------------

def _copy_children(source: Any, target: Any) -> None:
    """Copy `source`'s text and children into `target`, converting each element."""
    _append_text(target, source.text)
    for child in source:
        if isinstance(child.tag, str):
            _copy_element(child, target)
        _append_text(target, child.tail)


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


def _append_text(element: Any, text: str | None) -> None:
    if not text:
        return
    text = strip_forbidden(text)
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def _replace_with_text(element: Any, text: str) -> None:
    """Remove `element`, leaving `text` (and its tail) in its place."""
    parent = element.getparent()
    previous = element.getprevious()
    joined = (text or "") + (element.tail or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(element)


# --- repairing the content model ------------------------------------------------------------------

def _local(element: Any) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _is_html(element: Any) -> bool:
    return isinstance(element.tag, str) and element.tag.startswith(X)


def _repair(root: Any) -> None:
    """Make the tree follow XHTML's content model, top-down, so a fix is seen by its children."""
    _repair_element(root, phrasing=False, in_link=False)


def _fix_heading_levels(root: Any) -> None:
    """No empty headings and no skipped levels: the chapter title is the h1, so the body starts at
    h2 and steps down by one."""
    previous = 1
    for heading in list(root.iter(*(X + f"h{n}" for n in range(2, 7)))):
        if not visible_text(heading) and not any(i.get("alt", "").strip() for i in heading.iter(X + "img")):
            spoken = " ".join(_math_words(m) for m in heading.iter(M + "math")).strip()
            if not spoken:
                _retag(heading, "p")                       # an empty heading announces nothing
                continue
            heading.set("aria-label", spoken)              # a heading that is only a formula
        level = max(2, min(int(_local(heading)[1]), previous + 1))
        heading.tag = X + f"h{level}"
        previous = level


def _repair_element(element: Any, *, phrasing: bool, in_link: bool) -> None:
    tag = _local(element)
    if tag in NO_SELF_NESTING and any(_local(a) == tag for a in element.iterancestors()):
        _retag(element, "span")                            # a definition inside a definition
        tag = "span"
    if tag in CHILDREN:
        _fix_children(element, tag, in_link)
    if tag == "table":
        _fix_table(element, in_link)
    if tag == "dl" and len(element) and (_local(element[0]) != "dt" or _local(element[-1]) != "dd"):
        _retag(element, "div")                             # terms and definitions out of order
        tag = "div"
    if tag == "figure":
        kept = False
        for caption in [c for c in element if _local(c) == "figcaption"]:
            if kept or (caption is not element[0] and caption is not element[-1]):
                _retag(caption, "div")                     # one caption, first or last
            kept = kept or _local(caption) == "figcaption"
    if tag == "th" and not "".join(element.itertext()).strip() and element.find(f".//{X}img") is None:
        element.tag = X + "td"                             # an empty header cell names nothing
    if tag == "details":
        summary = element.find(X + "summary")
        if summary is None or not visible_text(summary):
            if summary is not None:
                _retag(summary, "div")
            _retag(element, "div")                         # a disclosure needs a named summary
            tag = "div"
        elif summary is not element[0] or not _blank(element.text):
            _move_first(element, summary)
    if tag == "ruby" and element.find(X + "rt") is None:
        _retag(element, "span")
        tag = "span"
    if not phrasing and tag in PHRASING and tag not in TRANSPARENT and tag not in VOID and _holds_blocks(element):
        _retag(element, "div")                             # <em> left open around paragraphs
        tag = "div"
    child_phrasing = phrasing if tag in TRANSPARENT else (phrasing or tag in PHRASING_ONLY)
    child_in_link = in_link or tag == "a"
    for child in list(element):
        if not _is_html(child):
            continue                                       # MathML keeps its own structure
        name = _local(child)
        if name in PARENTS and tag not in PARENTS[name]:
            _retag(child, "span" if child_phrasing else "div")
        elif child_phrasing and name not in PHRASING and not (tag == "ruby" and name in ("rt", "rp")):
            if name == "hr":
                _replace_with_text(child, "")
                continue
            _retag(child, "span")
        if _local(child) in ("a", "details") and child_in_link:
            _retag(child, "span" if child_phrasing else "div")     # no link inside a link
        _repair_element(child, phrasing=child_phrasing, in_link=child_in_link)


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


def _math_words(math: Any) -> str:
    """A formula as words for a label: its TeX source if Pandoc kept it, else its symbols."""
    annotation = math.find(f".//{M}annotation")
    if annotation is not None and (annotation.text or "").strip():
        return " ".join(annotation.text.split())
    return " ".join("".join(math.itertext()).split())


def _blank(text: str | None) -> bool:
    """Only XML white space (not NBSP or other Unicode spaces) may sit between list items or rows."""
    return not text or not text.strip(" \t\r\n")


def _holds_blocks(element: Any) -> bool:
    return any(_is_html(d) and _local(d) not in PHRASING | {"rt", "rp"} for d in element.iterdescendants())


def _move_first(parent: Any, child: Any) -> None:
    """Make `child` the first child of `parent`; the text around it stays where it was."""
    previous = child.getprevious()
    tail, child.tail = child.tail, None
    if previous is not None:
        previous.tail = (previous.tail or "") + (tail or "")
    else:
        parent.text = (parent.text or "") + (tail or "")
    parent.insert(0, child)
    child.tail, parent.text = parent.text, None


def _fix_children(element: Any, tag: str, in_link: bool) -> None:
    """Wrap (lists, rows) or move out (tables) children that this container cannot hold."""
    allowed, wrapper = CHILDREN[tag]
    if wrapper is None:
        _foster_text(element, in_link)
        for child in list(element):
            if not (_is_html(child) and _local(child) in allowed):
                _foster(element, child, in_link)
        return
    if not _blank(element.text):
        item = etree.Element(X + wrapper)
        item.text, element.text = element.text, None
        element.insert(0, item)
    for child in list(element):
        if _is_html(child) and _local(child) in allowed:
            if not _blank(child.tail):
                item = etree.Element(X + wrapper)
                item.text, child.tail = child.tail, None
                child.addnext(item)
            continue
        item = etree.Element(X + wrapper)
        child.addprevious(item)
        item.append(child)                                 # its tail moves along, inside the wrapper


def _fix_table(table: Any, in_link: bool) -> None:
    """Caption first, one thead, body rows in tbody, like the HTML content model wants."""
    rank = {"caption": 0, "thead": 2, "tbody": 3, "tr": 3, "tfoot": 4}
    seen: set[str] = set()
    for child in list(table):
        name = _local(child)
        if name in ("caption", "thead", "tfoot") and name in seen:
            if name == "caption":
                _foster(table, child, in_link)
                continue
            child.tag = X + "tbody"
        seen.add(name)
    children = sorted(table, key=lambda c: rank.get(_local(c), 3))
    for child in children:
        table.append(child)
    if any(_local(c) == "tr" for c in table) and any(_local(c) == "tbody" for c in table):
        group = None
        for child in list(table):
            if _local(child) == "tr":
                if group is None:
                    group = etree.Element(X + "tbody")
                    child.addprevious(group)
                group.append(child)
            else:
                group = None


def _tidy_table(table: Any) -> None:
    """No empty rows, spans that fit the grid, and rows padded to the same width: the table model
    the Nu checker verifies."""
    for row in list(table.iter(X + "tr")):
        if not any(_local(c) in ("td", "th") for c in row):
            _replace_with_text(row, "")
    for group in [g for g in table if _local(g) in ("thead", "tbody", "tfoot")]:
        if group.find(X + "tr") is None:
            _replace_with_text(group, "")
    rows = list(table.iter(X + "tr"))
    if not rows:
        for child in table:
            _retag(child, "div")
        _retag(table, "div")
        return
    widths = _grid_widths(table)
    if widths is None:
        for cell in table.iter(X + "td", X + "th"):
            cell.attrib.pop("colspan", None)
            cell.attrib.pop("rowspan", None)
        widths = _grid_widths(table) or [len(r) for r in rows]
    columns = max(widths)
    for row, width in zip(rows, widths, strict=True):
        for _ in range(columns - width):
            etree.SubElement(row, X + "td").text = ""


def _grid_widths(table: Any) -> list[int] | None:
    """Each row's width in the table grid, or None if spans leave a row or a column without a cell
    starting in it, or reach past their row group."""
    groups = [[r for r in g if _local(r) == "tr"] for g in table if _local(g) in ("thead", "tbody", "tfoot")]
    direct = [r for r in table if _local(r) == "tr"]
    if direct:
        groups.append(direct)
    widths: list[int] = []
    starts: set[int] = set()
    for rows in groups:
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(rows):
            column = 0
            for cell in [c for c in row if _local(c) in ("td", "th")]:
                while (r, column) in taken:
                    column += 1
                span, down = int(cell.get("colspan", "1")), int(cell.get("rowspan", "1"))
                if r + down > len(rows):
                    return None
                taken.update((r + i, column + j) for i in range(down) for j in range(span))
                starts.add(column)
                column += span
        for r in range(len(rows)):
            widths.append(max((c for (row, c) in taken if row == r), default=-1) + 1)
    if any(w == 0 for w in widths) or starts != set(range(max(widths))):
        return None
    return widths


def _enclosing_table(element: Any) -> Any:
    while element is not None and _local(element) != "table":
        element = element.getparent()
    return element


def _foster(container: Any, child: Any, in_link: bool) -> None:
    """Move what a table cannot hold to just before the table, as browsers do."""
    table = _enclosing_table(container)
    child.tail = None                                     # words around it were fostered already
    if table is None or table.getparent() is None:
        _replace_with_text(child, "")
        return
    table.addprevious(child)
    if _is_html(child):
        if _local(child) in PARENTS:
            _retag(child, "div")                           # a caption or cell away from its table
        _repair_element(child, phrasing=False, in_link=in_link)


def _foster_text(container: Any, in_link: bool) -> None:
    """Words typed straight into a table (outside any cell) become a paragraph before it."""
    pieces = [container.text or ""] + [c.tail or "" for c in container]
    words = "" if all(_blank(p) for p in pieces) else " ".join(" ".join(pieces).split()) or "\u00a0"
    container.text = None
    for child in container:
        child.tail = None
    table = _enclosing_table(container)
    if words and table is not None and table.getparent() is not None:
        paragraph = etree.Element(X + "p")
        paragraph.text = words
        table.addprevious(paragraph)


def _retag(element: Any, tag: str) -> None:
    """Rename an element, keeping only the attributes its new name accepts."""
    element.tag = X + tag
    for name in list(element.attrib):
        if name not in GLOBAL and not name.startswith("{"):
            del element.attrib[name]


# --- ids and footnotes ----------------------------------------------------------------------------

def _assign_ids(body: ChapterBody) -> None:
    """Every id becomes "<prefix>-<ascii slug>", unique in the book; the first of duplicates wins."""
    used: set[str] = set()
    elements = [e for part in (body.root, *body.notes) for e in part.iter()]
    for element in elements:
        if not isinstance(element.tag, str):
            continue
        source = element.get("id")
        if source is None and _local(element) == "h2":
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


def _has_class(element: Any, name: str) -> bool:
    return name in (element.get("class") or "").split()


def _take_footnotes(body: ChapterBody) -> None:
    """Pandoc's footnote list -> EPUB footnotes (`<aside epub:type="footnote">`), out of the body."""
    for section in [e for e in body.root.iter() if _is_html(e) and _has_class(e, "footnotes")]:
        if section.getparent() is None or _enclosing_footnotes(section.getparent()) is not None:
            continue
        items = [li for ol in section.iter(X + "ol") for li in ol if _local(li) == "li"]
        for item in items:
            body.notes.append(_footnote(item, len(body.notes) + 1))
        _replace_with_text(section, "")


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


def _enclosing_footnotes(element: Any) -> Any:
    while element is not None:
        if _is_html(element) and _has_class(element, "footnotes"):
            return element
        element = element.getparent()
    return None


def _footnote(item: Any, number: int) -> Any:
    aside = etree.Element(X + "aside", nsmap={None: XHTML_NS})
    aside.set(EPUB_TYPE, "footnote")
    aside.set("role", "doc-footnote")
    aside.set("class", "footnote")
    if item.get("id"):
        aside.set("id", item.get("id"))
    back_target = None
    for back in list(item.iter(X + "a")):
        if _has_class(back, "footnote-back"):
            back_target = back_target or back.get("href")
            _replace_with_text(back, "")
    aside.text = item.text
    for child in list(item):
        aside.append(child)
    _number_note(aside, number, back_target)
    return aside


def _number_note(aside: Any, number: int, back_target: str | None) -> None:
    """Start the note with its number, linking back to where it was referenced."""
    first = aside[0] if len(aside) and _local(aside[0]) == "p" and _blank(aside.text) else None
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
