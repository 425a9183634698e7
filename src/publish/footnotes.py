"""Pandoc's footnotes, found once: the notes section of a body and the links that call its notes.

Pandoc writes a call as `<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref">` and
the notes at the end as `<section class="footnotes" role="doc-endnotes"><hr><ol><li id="fn1">…
<a href="#fnref1" class="footnote-back">↩︎</a></li></ol></section>`. Each format renders them its
own way from what `find` returns: notes at the foot of the page in the PDF, pop-up notes in the
EPUB, a numbered list after the text in feeds and emails (which only lose the back links).
Works on lxml and ElementTree trees alike (see bodytree).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from publish.bodytree import Element, has_class, remove
from publish.namespaces import local

SECTION = "footnotes"           # class of the notes section
REFERENCE = "footnote-ref"      # class of a link that calls a note
BACK = "footnote-back"          # class of a note's link back to its call


@dataclass
class Footnotes:
    sections: list[tuple[Element, Element]] = field(default_factory=list)   # (parent, section), in order
    items: list[Element] = field(default_factory=list)                     # each note's <li>, in order

    def by_id(self) -> dict[str, Element]:
        """Notes by the id a call points at (the first, if raw HTML repeats one)."""
        notes: dict[str, Element] = {}
        for item in self.items:
            if item.get("id"):
                notes.setdefault(item.get("id"), item)
        return notes

    def take(self) -> None:
        """Remove the notes sections from the tree (the notes stay in `items`); text after them stays."""
        for parent, section in self.sections:
            remove(section, parent)


def find(root: Element) -> Footnotes:
    """The notes sections (outermost ones: a section inside notes is part of a note) and their notes:
    the list items of a section that are not inside another item."""
    found = Footnotes()

    def walk(parent: Element) -> None:
        for child in parent:
            if not isinstance(child.tag, str) or local(child.tag) == "math":
                continue
            if has_class(child, SECTION):
                found.sections.append((parent, child))
                found.items.extend(_items(child))
            else:
                walk(child)

    walk(root)
    return found


def is_reference(link: Element) -> bool:
    """A link calling a note (Pandoc's footnote-ref)."""
    return local(link.tag) == "a" and has_class(link, REFERENCE)


def is_back_link(link: Element) -> bool:
    """A note's link back to where it was called: useful on a web page only."""
    return local(link.tag) == "a" and has_class(link, BACK)


def target(link: Element) -> str | None:
    """The id a same-page link points at (`#fn1` -> `fn1`), None for other links."""
    href = link.get("href") or ""
    return href[1:] if href.startswith("#") else None


def _items(section: Element) -> list[Element]:
    items: list[Element] = []

    def walk(parent: Element) -> None:
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            if local(child.tag) == "li":
                items.append(child)              # a list inside a note belongs to the note
            else:
                walk(child)

    walk(section)
    return items
