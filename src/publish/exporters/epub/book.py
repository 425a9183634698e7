"""One EPUB 3 book assembled from its chapters: entries, images, cover, navigation, package.

Chapter tasks hand the book finished pages (entries.py) and a cover task its cover; the book
reuses every entry made for the key it expects and makes the rest itself (a chapter task that
failed, an entry lost or stale), so it is always the book a cold build makes. Then it adds the
images the chapters show, renders the navigation and cover page from the theme's templates, hands
everything to EbookLib for the package and the NCX, and re-packs the archive deterministically.
Imported only when a book is rendered.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ebooklib import epub
from lxml import etree

from publish.exporters.base import BuildContext, Notice
from publish.exporters.epub import cover as epub_cover
from publish.exporters.epub import entries as epub_entries
from publish.exporters.epub import pack as epub_pack
from publish.exporters.epub.convert import Images, make
from publish.exporters.epub.entries import CachedBody, Entry
from publish.exporters.epub.meta import BookFacts, accessibility, identifier, when
from publish.exporters.epub.pages import Pages
from publish.exporters.epub.places import COVER_IMAGE, STYLESHEET, by_path, cover_path, entry_path, language_tag, places
from publish.exporters.epub.xhtml import Chapter, parse_chapter
from publish.html import strip_forbidden
from publish.i18n import labels_for
from publish.model import Article, Site
from publish.namespaces import XML, qualified

MEDIA_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Selection:
    """Which articles go into a book, in reading order, and what the book is called."""

    name: str                          # file stem: "field-notes-typography"
    key: str                           # stable words for the identifier: "all", "tag:typography"
    title: str
    subtitle: str                      # a tag name or date range for the cover; may be empty
    articles: tuple[Article, ...]
    chapters: tuple[str, ...]          # the key each chapter's entry must have been made for, in order
    cover: epub_cover.CoverText        # the words on a composed cover
    cover_key: str                     # the key the cover's entry must have been made for
    theme: str                         # the digest of the theme chain's epub/ files


def build(ctx: BuildContext, selection: Selection) -> tuple[bytes, list[Notice]]:
    """The EPUB's bytes and the warnings for the user. The chapter and cover tasks' entries are in
    `ctx.inputs` (those of a task that failed are missing)."""
    language = language_tag(ctx.site.language, "en")
    images = Images(ctx, keep=True)
    chapters, found = _chapters(selection, language, ctx.inputs)
    prefixes = {chapter.prefix: chapter for chapter in chapters}
    linked = {path: prefixes[place.prefix] for path, place in by_path(places(selection.articles, language)).items()}
    pages = Pages(ctx, selection.theme)
    made: dict[str, bytes] = {}                                  # prefix -> the page of a chapter made here
    for chapter, entry in zip(chapters, found, strict=True):     # after reading all: links need every chapter's ids
        if entry is not None and _reuse(chapter, entry, images):
            made[chapter.prefix] = entry.page
            continue
        if entry is not None:                                    # an image it showed cannot be used now
            chapter.body = parse_chapter(chapter.article.body_html, chapter.prefix)
        body = chapter.body
        new = make(ctx, chapter, linked, images, pages)
        made[chapter.prefix] = new.page
        chapter.body = CachedBody(prefix=body.prefix, root=None, notes=body.notes, ids=body.ids,
                                  has_math=body.has_math, cached_sections=new.sections)   # its page took the elements
    facts = BookFacts.of(selection.articles, chapters_with_math=sum(c.body.has_math for c in chapters),
                         has_notes=any(c.body.notes for c in chapters))
    book = epub.EpubBook()
    _describe(book, ctx, selection, facts, language, chapters)
    cover = epub_entries.load_cover(ctx.inputs.get(cover_path(selection.name)), selection.cover_key)
    if cover is None:                                            # the cover task failed or its entry is gone
        cover = epub_cover.book_cover(ctx, selection.title, selection.cover, selection.articles)
    _add_pages(book, selection, language, chapters, images, cover, made, pages)
    files = _files(book, {"mtime": facts.modified, "epub2_guide": True, "epub3_landmark": False,
                          "epub3_pages": False, "raise_exceptions": True, "compresslevel": 0})

    def add_lang(name: str, raw: bytes) -> bytes:
        return _package_lang(raw, language) if name.endswith(".opf") else raw

    return epub_pack.pack(files, timestamp=facts.modified, transform=add_lang), images.warnings


def _chapters(selection: Selection, language: str, inputs: Mapping[str, bytes],
              ) -> tuple[list[Chapter], list[Entry | None]]:
    """Every chapter in reading order, and its entry (None: missing or stale, so parsed now)."""
    chapters, found = [], []
    book = places(selection.articles, language)
    for article, place, key in zip(selection.articles, book, selection.chapters, strict=True):
        entry = epub_entries.load(inputs.get(entry_path(selection.name, article.slug)), key, place.prefix)
        body = entry.body if entry is not None else parse_chapter(article.body_html, place.prefix)
        chapters.append(Chapter(article, place.prefix, place.href, body, place.language))
        found.append(entry)
    return chapters, found


def _reuse(chapter: Chapter, entry: Entry, images: Images) -> bool:
    """Add a chapter's images to the book and say its warnings again; False if an image it showed
    cannot be used any more (the chapter is then made again)."""
    article, said = chapter.article, len(images.warnings)
    wanted = [article.images.get(src) for src in entry.images] + ([article.cover] if entry.cover else [])
    if any(image is None or images.add(image, article) is None for image in wanted):
        del images.warnings[said:]
        return False
    images.warnings.extend(Notice(message, article.source) for message in entry.warnings)
    return True


class _Files:
    """Stands in for the zip EbookLib writes into: its entries, by name (the archive is packed once, by pack)."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def writestr(self, name: str, data: str | bytes, compress_type: int | None = None) -> None:
        self.entries[name] = data.encode("utf-8") if isinstance(data, str) else data


def _files(book: Any, options: dict[str, Any]) -> dict[str, bytes]:
    """The files of the book as EbookLib writes them, without `mimetype` (pack writes it first)."""
    writer = epub.EpubWriter("", book, options)
    steps = ("_write_container", "_write_opf", "_write_items")
    if not all(callable(getattr(writer, step, None)) for step in steps):     # another EbookLib: its own zip
        buffer = io.BytesIO()
        epub.write_epub(buffer, book, options)
        with zipfile.ZipFile(buffer) as archive:
            found = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    else:
        # write_epub would deflate every file into a zip that pack reads back at once (a third of the
        # book task's time): the writer's own steps write into _Files instead.
        writer.process()
        writer.out = _Files()
        for step in steps:
            getattr(writer, step)()
        found = writer.out.entries
    found.pop("mimetype", None)
    return found


def _describe(book: Any, ctx: BuildContext, selection: Selection, facts: BookFacts, language: str,
              chapters: list[Chapter]) -> None:
    """The package metadata: identity, people, dates, subjects and what the book offers readers."""
    site = ctx.site
    book.set_identifier(identifier(site.base_url, selection.key))
    book.set_title(strip_forbidden(selection.title))
    book.set_language(language)
    for other in sorted({c.language for c in chapters} - {language}):
        book.add_metadata("DC", "language", other)
    for number, author in enumerate(creators(site, chapters), start=1):
        book.add_author(strip_forbidden(author), uid=f"creator{number}")     # one id per creator
    book.add_metadata("DC", "publisher", strip_forbidden(ctx.config.site_title))
    book.add_metadata("DC", "date", when(facts.newest_published))
    book.add_metadata("DC", "description", strip_forbidden(description(ctx, selection)))
    for subject in facts.subjects:
        book.add_metadata("DC", "subject", strip_forbidden(subject))
    for prop, value in accessibility(facts, strip_forbidden(site.author or ctx.config.site_title)):
        book.add_metadata(None, "meta", value, {"property": prop})
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})


def _add_pages(book: Any, selection: Selection, language: str, chapters: list[Chapter], images: Images,
               cover: tuple[bytes, str], made: dict[str, bytes], pages: Pages) -> None:
    """Stylesheet, cover, images, navigation and chapters (`made`: each one's page by id prefix), in reading order."""
    book.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css", content=pages.read("book.css")))
    cover_bytes, cover_alt = cover
    cover_image = epub.EpubCover(uid="cover-image", file_name=COVER_IMAGE)
    cover_image.media_type = "image/jpeg"
    cover_image.content = cover_bytes
    book.add_item(cover_image)
    for n, name in enumerate(sorted(images.files), start=1):
        book.add_item(epub.EpubImage(uid=f"image-{n}", file_name=name,
                                     media_type=MEDIA_TYPES[posixpath.splitext(name)[1]],
                                     content=images.files[name]))
    labels = labels_for(language)
    cover_page = _page("cover", "cover.xhtml", pages.cover(selection.title, language, cover_alt))
    nav_page = _page("nav", "nav.xhtml", pages.nav(chapters, labels, language), ["nav"])
    chapter_pages = [_page(chapter.prefix, chapter.href, made[chapter.prefix],
                           ["mathml"] if chapter.body.has_math else [], chapter.article.title)
                     for chapter in chapters]
    for page in (cover_page, nav_page, *chapter_pages):
        book.add_item(page)
    book.add_item(epub.EpubNcx())                          # EPUBCheck accepts it without a warning
    book.toc = [epub.Link(c.href, strip_forbidden(c.article.title), f"nav-{c.prefix}") for c in chapters]
    book.spine = [cover_page, nav_page, *chapter_pages]
    # The EPUB 2 guide is legacy, but Calibre and older readers find the cover page only there.
    book.guide = [{"type": "cover", "href": "cover.xhtml", "title": labels.cover},
                  {"type": "toc", "href": "nav.xhtml", "title": labels.contents},
                  {"type": "text", "href": chapter_pages[0].file_name, "title": labels.start}]


class _Page(epub.EpubHtml):  # type: ignore[misc]
    """An XHTML document written exactly as rendered (EbookLib would re-parse it as HTML)."""

    def get_content(self, default: bytes | None = None) -> bytes:
        return self.content  # type: ignore[no-any-return]


def _page(uid: str, file_name: str, content: bytes, properties: list[str] | None = None,
          title: str = "") -> _Page:
    page = _Page(uid=uid, file_name=file_name, media_type="application/xhtml+xml", title=title)
    page.content = content
    page.properties = list(properties or [])
    return page


def _package_lang(opf: bytes, language: str) -> bytes:
    """EbookLib leaves xml:lang off the package element; Ace reports that (epub-lang)."""
    root = etree.fromstring(opf, etree.XMLParser(resolve_entities=False, no_network=True))
    root.set(qualified(XML, "lang"), language)
    return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True)


def description(ctx: BuildContext, selection: Selection) -> str:
    articles = selection.articles
    first = min(a.published for a in articles).date().isoformat()
    last = max(a.published for a in articles).date().isoformat()
    count = f"{len(articles)} article{'s' if len(articles) != 1 else ''}"
    scope = f" ({selection.subtitle})" if selection.subtitle else ""
    about = ctx.site.description.strip()
    return f"{count} from {ctx.config.site_title}{scope}, published {first} to {last}." + (f" {about}" if about else "")


def creators(site: Site, chapters: list[Chapter]) -> list[str]:
    """The book's creators: its articles' authors, most chapters first, else the site's author."""
    count: dict[str, int] = {}
    for chapter in chapters:
        for author in chapter.article.authors:
            count[author.name] = count.get(author.name, 0) + 1
    if not count:
        return [site.author] if site.author else []
    return sorted(count, key=lambda name: (-count[name], name))
