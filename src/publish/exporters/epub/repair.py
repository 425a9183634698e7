"""Make an XHTML chapter follow HTML's content model, so EPUBCheck and the Nu checker accept it.

Raw HTML in Markdown survives the sanitizer with its structure as the author typed it: a list
inside a paragraph, a cell outside a table, a heading that skips levels. Each rule here fixes
one such case the way a browser would show it (wrap, move before the table, or rename to a
neutral div/span), top-down, so a fix is seen by the children processed after it.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from publish import math
from publish.bodytree import squash
from publish.exporters.epub.tree import (
    VOID,
    M,
    X,
    blank,
    is_html,
    local,
    replace_with_text,
    retag,
    visible_text,
)

# Phrasing content: what may sit inside a paragraph.
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

# Elements whose content model is their parent's.
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

# Elements that may hold no heading or sectioning element, and those elements.
NO_SECTIONING = {"th", "dt"}
SECTIONING = {"section", "article", "aside", "h2", "h3", "h4", "h5", "h6"}
# Elements that may not contain another of their kind.
NO_SELF_NESTING = {"dfn", "a", "figcaption"}


def repair(root: Any) -> None:
    """Make the tree follow XHTML's content model, top-down, so a fix is seen by its children;
    then give every table a grid the Nu checker accepts."""
    _repair_element(root, phrasing=False, in_link=False)
    for table in list(root.iter(X + "table")):
        _tidy_table(table)


def fix_heading_levels(root: Any) -> None:
    """No empty headings and no skipped levels: the chapter title is the h1, so the body starts at
    h2 and steps down by one."""
    previous = 1
    for heading in list(root.iter(*(X + f"h{n}" for n in range(2, 7)))):
        if not visible_text(heading) and not any(i.get("alt", "").strip() for i in heading.iter(X + "img")):
            spoken = " ".join(_math_words(m) for m in heading.iter(M + "math")).strip()
            if not spoken:
                retag(heading, "p")                       # an empty heading announces nothing
                continue
            heading.set("aria-label", spoken)              # a heading that is only a formula
        level = max(2, min(int(local(heading)[1]), previous + 1))
        heading.tag = X + f"h{level}"
        previous = level


def _repair_element(element: Any, *, phrasing: bool, in_link: bool) -> None:
    tag = local(element)
    if tag in NO_SELF_NESTING and any(local(a) == tag for a in element.iterancestors()):
        retag(element, "span")                            # a definition inside a definition
        tag = "span"
    if tag in SECTIONING and any(local(a) in NO_SECTIONING for a in element.iterancestors()):
        retag(element, "div")                             # no headings or sections in a header cell
        tag = "div"
    if tag in CHILDREN:
        _fix_children(element, tag, in_link)
    if tag == "table":
        _fix_table(element, in_link)
    if tag == "dl" and len(element) and (local(element[0]) != "dt" or local(element[-1]) != "dd"):
        retag(element, "div")                             # terms and definitions out of order
        tag = "div"
    if tag == "figure":
        kept = False
        for caption in [c for c in element if local(c) == "figcaption"]:
            first = caption is element[0] and blank(element.text)
            last = caption is element[-1] and blank(caption.tail)
            if kept or not (first or last):
                retag(caption, "div")                     # one caption, first or last
            kept = kept or local(caption) == "figcaption"
    if tag == "th" and not "".join(element.itertext()).strip() and element.find(f".//{X}img") is None:
        element.tag = X + "td"                             # an empty header cell names nothing
        element.attrib.pop("scope", None)
    if tag == "details":
        summary = element.find(X + "summary")
        if summary is None or not visible_text(summary):
            if summary is not None:
                retag(summary, "div")
            retag(element, "div")                         # a disclosure needs a named summary
            tag = "div"
        else:
            for extra in element.findall(X + "summary")[1:]:
                retag(extra, "div")                        # one summary per disclosure
            if summary is not element[0] or not blank(element.text):
                _move_first(element, summary)
    if tag == "ruby" and element.find(X + "rt") is None:
        retag(element, "span")
        tag = "span"
    if not phrasing and tag in PHRASING and tag not in TRANSPARENT and tag not in VOID and _holds_blocks(element):
        retag(element, "div")                             # <em> left open around paragraphs
        tag = "div"
    child_phrasing = phrasing if tag in TRANSPARENT else (phrasing or tag in PHRASING_ONLY)
    child_in_link = in_link or tag == "a"
    for child in list(element):
        if not is_html(child):
            continue                                       # MathML keeps its own structure
        name = local(child)
        if name in PARENTS and tag not in PARENTS[name]:
            retag(child, "span" if child_phrasing else "div")
        elif child_phrasing and name not in PHRASING and not (tag == "ruby" and name in ("rt", "rp")):
            if name == "hr":
                replace_with_text(child, "")
                continue
            retag(child, "span")
        if local(child) in ("a", "details") and child_in_link:
            retag(child, "span" if child_phrasing else "div")     # no link inside a link
        _repair_element(child, phrasing=child_phrasing, in_link=child_in_link)


def _math_words(formula: Any) -> str:
    """A formula as words for a label: its TeX source if Pandoc kept it, else its symbols."""
    return squash(math.tex_of(formula))


def _holds_blocks(element: Any) -> bool:
    return any(is_html(d) and local(d) not in PHRASING | {"rt", "rp"} for d in element.iterdescendants())


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
            if not (is_html(child) and local(child) in allowed):
                _foster(element, child, in_link)
        return
    if not blank(element.text):
        item = etree.Element(X + wrapper)
        item.text, element.text = element.text, None
        element.insert(0, item)
    for child in list(element):
        if is_html(child) and local(child) in allowed:
            if not blank(child.tail):
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
        name = local(child)
        if name in ("caption", "thead", "tfoot") and name in seen:
            if name == "caption":
                _foster(table, child, in_link)
                continue
            child.tag = X + "tbody"
        seen.add(name)
    children = sorted(table, key=lambda c: rank.get(local(c), 3))
    for child in children:
        table.append(child)
    if any(local(c) == "tr" for c in table) and any(local(c) == "tbody" for c in table):
        group = None
        for child in list(table):
            if local(child) == "tr":
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
        if not any(local(c) in ("td", "th") for c in row):
            replace_with_text(row, "")
    for group in [g for g in table if local(g) in ("thead", "tbody", "tfoot")]:
        if group.find(X + "tr") is None:
            replace_with_text(group, "")
    rows = list(table.iter(X + "tr"))
    if not rows:
        for child in table:
            retag(child, "div")
        retag(table, "div")
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
    groups = [[r for r in g if local(r) == "tr"] for g in table if local(g) in ("thead", "tbody", "tfoot")]
    direct = [r for r in table if local(r) == "tr"]
    if direct:
        groups.append(direct)
    widths: list[int] = []
    starts: set[int] = set()
    for rows in groups:
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(rows):
            column = 0
            for cell in [c for c in row if local(c) in ("td", "th")]:
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
    while element is not None and local(element) != "table":
        element = element.getparent()
    return element


def _foster(container: Any, child: Any, in_link: bool) -> None:
    """Move what a table cannot hold to just before the table, as browsers do."""
    table = _enclosing_table(container)
    child.tail = None                                     # words around it were fostered already
    if table is None or table.getparent() is None:
        replace_with_text(child, "")
        return
    table.addprevious(child)
    if is_html(child):
        if local(child) in PARENTS:
            retag(child, "div")                           # a caption or cell away from its table
        _repair_element(child, phrasing=False, in_link=in_link)


def _foster_text(container: Any, in_link: bool) -> None:
    """Words typed straight into a table (outside any cell) become a paragraph before it."""
    pieces = [container.text or ""] + [c.tail or "" for c in container]
    words = "" if all(blank(p) for p in pieces) else " ".join(" ".join(pieces).split()) or "\u00a0"
    container.text = None
    for child in container:
        child.tail = None
    table = _enclosing_table(container)
    if words and table is not None and table.getparent() is not None:
        paragraph = etree.Element(X + "p")
        paragraph.text = words
        table.addprevious(paragraph)
