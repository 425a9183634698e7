"""The theme's EPUB templates (Jinja2, autoescaped) rendered and checked as XML: chapter pages,
the navigation document and the cover page. Imported only when a chapter or a book is made."""

from __future__ import annotations

import posixpath
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, TemplateError
from lxml import etree

from publish.errors import ExportError
from publish.exporters.base import BuildContext
from publish.exporters.epub.places import COVER_IMAGE, STYLESHEET, THEME_FOLDER
from publish.exporters.epub.xhtml import Chapter, open_empty_elements
from publish.html import strip_forbidden
from publish.i18n import labels_for
from publish.themes import ThemeChain


class Pages:
    """The theme chain's epub/ templates."""

    def __init__(self, ctx: BuildContext, theme: str) -> None:
        """`theme`: the digest of the chain's epub/ files, as plan() saw them."""
        self.themes = ctx.themes
        self.env = _environment(self.themes, theme)

    def path(self, name: str) -> Path:
        """Where the template or file `name` comes from (for messages)."""
        return self.themes.find(f"{THEME_FOLDER}/{name}") or self.themes.site_theme / THEME_FOLDER / name

    def read(self, name: str) -> bytes:
        path = self.themes.find(f"{THEME_FOLDER}/{name}")
        if path is None:
            raise ExportError(f"no theme of the chain has {THEME_FOLDER}/{name}", path=self.themes.site_theme,
                              hint="the bundled default theme has it: is the installation complete?")
        return path.read_bytes()

    def render(self, name: str, **values: Any) -> Any:
        """The template's output parsed as XML (a template that is not well-formed is an error)."""
        try:
            text = self.env.get_template(name).render(**values)
        except TemplateError as exc:
            raise ExportError(f"EPUB template failed: {exc}", path=self.path(name)) from None
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        try:
            return etree.fromstring(strip_forbidden(text).encode("utf-8"), parser)
        except etree.XMLSyntaxError as exc:
            raise ExportError(f"EPUB template does not give well-formed XHTML: {exc}",
                              path=self.path(name)) from None

    def chapter(self, chapter: Chapter) -> bytes:
        article = chapter.article
        labels = labels_for(chapter.language)
        cover = None
        if chapter.cover is not None:
            src, width, height, alt = chapter.cover
            cover = {"src": src, "width": width, "height": height, "alt": alt}
        root = self.render(
            "chapter.xhtml", lang=chapter.language, title=strip_forbidden(article.title), prefix=chapter.prefix,
            stylesheet=posixpath.relpath(STYLESHEET, posixpath.dirname(chapter.href)),
            published=_date(article.published, chapter.language),
            updated=_date(article.updated, chapter.language) if article.updated else None,
            tags=[strip_forbidden(t.name) for t in article.tags], cover=cover, labels=labels,
            authors=[strip_forbidden(a.name) for a in article.authors], has_notes=bool(chapter.body.notes))
        _fill(root, "body", chapter.body.root)
        _fill(root, "notes", None, chapter.body.notes)
        return _serialize(root)

    def nav(self, chapters: list[Chapter], labels: Any, language: str) -> bytes:
        entries = []
        for chapter in chapters:
            children = [{"href": f"{chapter.href}#{section_id}", "title": text}
                        for section_id, text in chapter.body.sections()]
            entries.append({"href": chapter.href, "title": strip_forbidden(chapter.article.title),
                            "lang": chapter.language if chapter.language != language else "",
                            "children": children})
        landmarks = [{"type": "cover", "href": "cover.xhtml", "title": labels.cover},
                     {"type": "toc", "href": "nav.xhtml#toc", "title": labels.contents},
                     {"type": "bodymatter", "href": chapters[0].href, "title": labels.start}]
        return _serialize(self.render("nav.xhtml", lang=language, labels=labels, entries=entries,
                                      landmarks=landmarks, stylesheet=STYLESHEET))

    def cover(self, title: str, language: str, alt: str) -> bytes:
        return _serialize(self.render("cover.xhtml", lang=language, title=strip_forbidden(title),
                                      image={"src": COVER_IMAGE, "alt": alt}, stylesheet=STYLESHEET))


@lru_cache(maxsize=8)
def _environment(themes: ThemeChain, theme: str) -> Environment:
    """One Jinja environment per theme chain and process, while its files stay the same (`theme`, their
    digest: a template added to a theme earlier in the chain is found): compiling chapter.xhtml again
    for every chapter task cost more than the rest of a chapter."""
    return Environment(loader=themes.jinja_loader(THEME_FOLDER), autoescape=True, undefined=StrictUndefined,
                       keep_trailing_newline=True)


def _fill(root: Any, slot: str, source: Any, elements: list[Any] | None = None) -> None:
    """Move `source`'s content (or `elements`) into the template's data-publish="slot" element."""
    target = next(iter(root.xpath(f"//*[@data-publish='{slot}']")), None)
    if target is None:
        if source is not None or elements:
            raise ExportError(f'the EPUB template has no element with data-publish="{slot}"')
        return
    del target.attrib["data-publish"]
    if source is not None:
        target.text = source.text
        target.extend(list(source))
    for element in elements or ():
        target.append(element)


def _serialize(root: Any) -> bytes:
    etree.cleanup_namespaces(root)
    open_empty_elements(root)
    return etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True)


def _date(moment: datetime | None, language: str) -> dict[str, str] | None:
    if moment is None:
        return None
    from publish.exporters.epub.meta import date_text

    return {"iso": moment.date().isoformat(), "text": date_text(moment, language)}
