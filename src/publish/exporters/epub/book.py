"""One EPUB 3 book from a selection of articles: chapters, images, cover, navigation, package.

The recipe: parse every chapter first (so links know which ids exist in which chapter), then
rewrite links and images, render the pages from the theme's templates, compose the cover, hand
everything to EbookLib for the package and the NCX, and re-pack the archive deterministically.
Imported only when a book is rendered.
"""

from __future__ import annotations

import io
import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ebooklib import epub
from lxml import etree

from publish.errors import ExportError, PublishError
from publish.exporters.base import BuildContext, Notice
from publish.exporters.epub import chapters as epub_chapters
from publish.exporters.epub import cover as epub_cover
from publish.exporters.epub import pack as epub_pack
from publish.exporters.epub.meta import BookFacts, accessibility, identifier, when
from publish.exporters.epub.xhtml import ChapterBody, open_empty_elements, parse_chapter, rewrite_images, rewrite_links
from publish.html import strip_forbidden
from publish.i18n import labels_for
from publish.model import Article, Image, Site
from publish.namespaces import XML, qualified

THEME_FOLDER = "epub"          # what the book reads of each theme of the chain: templates, book.css, fonts/
IMAGE_WIDTH = 1200             # the same copies the feeds and emails use: converted once
COVER_WIDTH = 1600
STYLESHEET = "styles/book.css"
COVER_IMAGE = "images/cover.jpg"
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
MEDIA_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Selection:
    """Which articles go into a book, in reading order, and what the book is called."""

    name: str                          # file stem: "field-notes-typography"
    key: str                           # stable words for the identifier: "all", "tag:typography"
    title: str
    subtitle: str                      # a tag name or date range for the cover; may be empty
    articles: tuple[Article, ...]


@dataclass
class Chapter:
    article: Article
    prefix: str                        # id prefix: "c3"
    href: str                          # inside the book: "text/<slug>.xhtml"
    body: ChapterBody
    language: str                      # a well-formed language tag (OPF-092 and Nu reject others)
    cover: tuple[str, int, int, str] | None = None   # (src, width, height, alt)


@dataclass
class Images:
    """The book's images: converted copies read from output/images, added once each."""

    ctx: BuildContext
    files: dict[str, bytes] = field(default_factory=dict)      # name in the book -> bytes
    warnings: list[Notice] = field(default_factory=list)

    def add(self, image: Image, article: Article) -> tuple[str, int, int] | None:
        """The image's name in the book and its size; None (with a warning) if it cannot be used.
        An SVG goes in as vectors (its sanitized bytes, a core media type); others as JPEG/PNG copies."""
        try:
            if image.format == "SVG":
                from publish.images import vector_copy

                svg_name, data, width, height = vector_copy(image, IMAGE_WIDTH)
                self.files.setdefault("images/" + svg_name, data)
                return "images/" + svg_name, width, height
            relative, width, height = self.ctx.web_image(image, IMAGE_WIDTH)
            name = "images/" + posixpath.basename(relative)
            if name not in self.files:
                self.files[name] = self.ctx.shared(relative)
        except (PublishError, OSError) as exc:
            self.warnings.append(Notice(f"image {image.source or image.path.name!r} left out of the EPUB: {exc}",
                                        article.source))
            return None
        return name, width, height


def build(ctx: BuildContext, selection: Selection) -> tuple[bytes, list[Notice]]:
    """The EPUB's bytes and the warnings for the user. Chapters whose inputs did not change since
    the last build come from the chapter cache (epub_chapters), as the very bytes they had."""
    language = language_tag(ctx.site.language, "en")
    images = Images(ctx)
    cache = epub_chapters.ChapterCache.for_book(ctx.output_dir, selection.name)
    chapters, entries, keys = _chapters(ctx, selection, language, cache)
    by_path = _chapters_by_path(ctx, chapters)
    made: dict[str, tuple[list[str], bool, list[str], list[tuple[str, str]]]] = {}   # prefix -> a new chapter's
    for chapter, entry in zip(chapters, entries, strict=True):  # after parsing all: links need every chapter's ids
        if entry is not None and _reuse(chapter, entry, images):
            continue
        if entry is not None:                                    # an image it showed cannot be used now
            chapter.body = parse_chapter(chapter.article.body_html, chapter.prefix)
        said = len(images.warnings)
        shown, cover = _resolve(ctx, chapter, by_path, images)
        made[chapter.prefix] = (shown, cover, [n.message for n in images.warnings[said:]], chapter.body.sections())
    facts = BookFacts.of(selection.articles, chapters_with_math=sum(c.body.has_math for c in chapters),
                         has_notes=any(c.body.notes for c in chapters))
    book = epub.EpubBook()
    _describe(book, ctx, selection, facts, language, chapters)
    cached = {c.prefix: e.page for c, e in zip(chapters, entries, strict=True)
              if e is not None and c.prefix not in made}
    pages = _add_pages(book, ctx, selection, facts, language, chapters, images, cached, cache)
    for chapter, key in zip(chapters, keys, strict=True):
        if chapter.prefix in made:
            shown, cover, warnings, sections = made[chapter.prefix]
            cache.put(key, pages[chapter.prefix], chapter.body, sections, shown, cover, warnings)
    cache.prune()
    buffer = io.BytesIO()
    # compresslevel 0: this archive is only read back by epub_pack.repack, which compresses once.
    epub.write_epub(buffer, book, {"mtime": facts.modified, "epub2_guide": True, "epub3_landmark": False,
                                   "epub3_pages": False, "raise_exceptions": True, "compresslevel": 0})

    def add_lang(name: str, raw: bytes) -> bytes:
        return _package_lang(raw, language) if name.endswith(".opf") else raw

    return epub_pack.repack(buffer.getvalue(), timestamp=facts.modified, transform=add_lang), images.warnings


def _chapters(ctx: BuildContext, selection: Selection, language: str, cache: epub_chapters.ChapterCache,
              ) -> tuple[list[Chapter], list[epub_chapters.Entry | None], list[str]]:
    """Every chapter in reading order, its cache entry (None: parsed now) and its cache key."""
    places = [(article, f"c{n}", f"text/{article.slug}.xhtml", language_tag(article.language, language))
              for n, article in enumerate(selection.articles, start=1)]
    where: dict[str, tuple[str, str, str]] = {}                 # URL path -> (prefix, href, digest)
    for article, prefix, href, _ in places:
        where.setdefault(_norm(urlsplit(article.url).path), (prefix, href, article.digest))
    book_map = repr(sorted((path, prefix, href) for path, (prefix, href, _) in where.items()))
    theme = ctx.themes.digest(THEME_FOLDER)
    chapters, entries, keys = [], [], []
    for article, prefix, href, chapter_language in places:
        targets = sorted({where[path] for path in epub_chapters.linked_paths(article) if path in where})
        key = epub_chapters.chapter_key(article, prefix, href, chapter_language, language, theme,
                                        ctx.site.base_url, book_map, targets)
        entry = cache.get(key, prefix)
        body = entry.body if entry is not None else parse_chapter(article.body_html, prefix)
        chapters.append(Chapter(article, prefix, href, body, chapter_language))
        entries.append(entry)
        keys.append(key)
    return chapters, entries, keys


def _reuse(chapter: Chapter, entry: epub_chapters.Entry, images: Images) -> bool:
    """Add a cached chapter's images to the book and say its warnings again; False if an image
    it showed cannot be used any more (the chapter is then made again)."""
    article, said = chapter.article, len(images.warnings)
    wanted = [article.images.get(src) for src in entry.images] + ([article.cover] if entry.cover else [])
    if any(image is None or images.add(image, article) is None for image in wanted):
        del images.warnings[said:]
        return False
    images.warnings.extend(Notice(message, article.source) for message in entry.warnings)
    return True


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


def _add_pages(book: Any, ctx: BuildContext, selection: Selection, facts: BookFacts, language: str,
               chapters: list[Chapter], images: Images, cached: dict[str, bytes],
               cache: epub_chapters.ChapterCache) -> dict[str, bytes]:
    """Stylesheet, images, cover, navigation and chapters, in reading order; returns each chapter's
    page (`cached`: the pages of chapters taken from the cache, by id prefix)."""
    pages = Pages(ctx)
    book.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css", content=pages.read("book.css")))
    cover_bytes, cover_alt = _cover(ctx, selection, facts, cache)
    cover_image = epub.EpubCover(uid="cover-image", file_name=COVER_IMAGE)
    cover_image.media_type = "image/jpeg"
    cover_image.content = cover_bytes
    book.add_item(cover_image)
    for n, name in enumerate(sorted(images.files), start=1):
        book.add_item(epub.EpubImage(uid=f"image-{n}", file_name=name,
                                     media_type=MEDIA_TYPES[posixpath.splitext(name)[1]],
                                     content=images.files[name]))
    labels = labels_for(language)
    cover_page = _page("cover", "cover.xhtml", pages.cover(selection, language, cover_alt))
    nav_page = _page("nav", "nav.xhtml", pages.nav(chapters, labels, language), ["nav"])
    made = {c.prefix: cached[c.prefix] if c.prefix in cached else pages.chapter(c) for c in chapters}
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
    return made


def language_tag(value: str, fallback: str) -> str:
    """`value` as a well-formed BCP 47 tag ("pt_BR" -> "pt-BR"), or `fallback`."""
    tag = value.strip().replace("_", "-")
    return tag if _LANGUAGE.match(tag) else fallback


def description(ctx: BuildContext, selection: Selection) -> str:
    articles = selection.articles
    first = min(a.published for a in articles).date().isoformat()
    last = max(a.published for a in articles).date().isoformat()
    count = f"{len(articles)} article{'s' if len(articles) != 1 else ''}"
    scope = f" ({selection.subtitle})" if selection.subtitle else ""
    about = ctx.site.description.strip()
    return f"{count} from {ctx.config.site_title}{scope}, published {first} to {last}." + (f" {about}" if about else "")


# --- links and images -----------------------------------------------------------------------------

def _chapters_by_path(ctx: BuildContext, chapters: list[Chapter]) -> dict[str, Chapter]:
    found: dict[str, Chapter] = {}
    for chapter in chapters:
        found.setdefault(_norm(urlsplit(chapter.article.url).path), chapter)
    return found


def _norm(path: str) -> str:
    return unquote(path).rstrip("/") or "/"


def _resolve(ctx: BuildContext, chapter: Chapter, by_path: dict[str, Chapter],
             images: Images) -> tuple[list[str], bool]:
    """Links inside the book point at chapters; everything else at the web; images into the book.
    Returns the srcs of the images the body shows, in order, and whether the cover was added after them."""
    from urllib.parse import urljoin

    article = chapter.article
    site_host = urlsplit(ctx.site.base_url).netloc

    def link(href: str) -> str | None:
        href = href.strip()
        if not href:
            return None
        if href.startswith("#"):
            local = chapter.body.book_id(unquote(href[1:]))
            return f"#{local}" if local else None
        parts = urlsplit(href)
        if parts.scheme == "mailto":
            return href
        absolute = urljoin(article.url, href)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https"):
            return None
        target = by_path.get(_norm(parts.path)) if parts.netloc == site_host else None
        if target is not None:
            fragment = target.body.book_id(unquote(parts.fragment)) if parts.fragment else None
            file = posixpath.relpath(target.href, posixpath.dirname(chapter.href))
            if target is chapter:
                return f"#{fragment}" if fragment else f"#{chapter.prefix}_chapter"
            return f"{file}#{fragment}" if fragment else file
        return absolute

    shown: set[str] = set()                               # digests of the images the body shows
    sources: list[str] = []

    def image(src: str, alt: str) -> tuple[str, int, int, str] | None:
        found = article.images.get(src)
        if found is None:
            if urlsplit(src).scheme in ("http", "https"):
                images.warnings.append(Notice(f"remote image {src!r} is not in the EPUB; its alt text stands in",
                                              article.source))
            return None
        added = images.add(found, article)
        if added is None:
            return None
        name, width, height = added
        shown.add(found.digest)
        sources.append(src)
        text = (alt or found.alt).strip() or _fallback_alt(article)
        return posixpath.relpath(name, posixpath.dirname(chapter.href)), width, height, strip_forbidden(text)

    rewrite_links(chapter.body, link)
    rewrite_images(chapter.body, image)
    cover = article.cover
    if cover is not None and cover.digest not in shown:
        added = images.add(cover, article)
        if added is not None:
            name, width, height = added
            alt = strip_forbidden(cover.alt.strip() or _fallback_alt(article))
            chapter.cover = (posixpath.relpath(name, posixpath.dirname(chapter.href)), width, height, alt)
            return sources, True
    return sources, False


def _fallback_alt(article: Article) -> str:
    return f"Illustration for “{article.title}”"


# --- pages ------------------------------------------------------------------------------------------

class Pages:
    """The themes' templates (Jinja2, autoescaped) rendered and checked as XML."""

    def __init__(self, ctx: BuildContext) -> None:
        from jinja2 import Environment, StrictUndefined

        self.themes = ctx.themes
        self.env = Environment(loader=self.themes.jinja_loader(THEME_FOLDER), autoescape=True,
                               undefined=StrictUndefined, keep_trailing_newline=True)

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
        from jinja2 import TemplateError

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

    def cover(self, selection: Selection, language: str, alt: str) -> bytes:
        return _serialize(self.render("cover.xhtml", lang=language, title=strip_forbidden(selection.title),
                                      image={"src": COVER_IMAGE, "alt": alt}, stylesheet=STYLESHEET))


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


# --- the cover ----------------------------------------------------------------------------------------

def _cover(ctx: BuildContext, selection: Selection, facts: BookFacts,
           cache: epub_chapters.ChapterCache) -> tuple[bytes, str]:
    """The configured cover image, or one composed from the articles; with its alt text."""
    title = strip_forbidden(selection.title)
    image = ctx.site.book_cover
    if image is not None:
        from publish.images import convert

        width = COVER_WIDTH if image.format == "SVG" else min(image.width, COVER_WIDTH)   # vectors scale up
        height = max(1, round(image.height * width / image.width))
        data = convert(image, width, height)
        if data[:4] == b"\x89PNG":
            data = epub_cover.as_jpeg(data)
        return data, f"Cover of {title}"
    names = []
    for article in selection.articles:
        if article.cover is not None:
            try:
                relative, _, _ = ctx.web_image(article.cover, IMAGE_WIDTH)
                names.append(relative)
            except PublishError:
                continue
    text = epub_cover.CoverText(title=ctx.config.epub.title.strip() or ctx.config.site_title,
                                subtitle=strip_forbidden(selection.subtitle), dates=facts.date_range,
                                author=strip_forbidden(ctx.site.author))
    fonts = {relative.removeprefix("fonts/"): path for relative, path in ctx.themes.files(THEME_FOLDER).items()
             if relative.startswith("fonts/")}
    # Composed once for the same pictures (content-addressed names), words and theme fonts.
    # The copies' names say what they are made from.
    key = epub_chapters.cover_key(repr(text), repr(names), ctx.themes.digest(THEME_FOLDER))
    data = cache.cover(key, lambda: epub_cover.compose(
        text, [ctx.shared(name) for name in names[:epub_cover.MAX_TILES]], fonts))
    pictures = ", over a mosaic of the articles' images" if names else ""
    subtitle = f", {text.subtitle}" if text.subtitle else ""
    alt = f"Cover of {text.title}{subtitle}, {facts.date_range}{pictures}."
    return data, strip_forbidden(alt)


def creators(site: Site, chapters: list[Chapter]) -> list[str]:
    """The book's creators: its articles' authors, most chapters first, else the site's author."""
    count: dict[str, int] = {}
    for chapter in chapters:
        for author in chapter.article.authors:
            count[author.name] = count.get(author.name, 0) + 1
    if not count:
        return [site.author] if site.author else []
    return sorted(count, key=lambda name: (-count[name], name))
