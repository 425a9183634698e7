"""One chapter made: the article's body parsed, its links and images resolved, its page rendered.

A chapter task does this for one article and hands the book an entry (entries.py); the book does
the same for a chapter whose entry is missing or stale. Links into other chapters need those
chapters' ids, so a chapter task parses the chapters its links point into (only when a link names
a fragment in one), never the whole book. Imported only when a chapter or a book is made.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import unquote, urljoin, urlsplit

from publish.errors import PublishError
from publish.exporters.base import BuildContext, Notice
from publish.exporters.epub import entries
from publish.exporters.epub.pages import Pages
from publish.exporters.epub.places import IMAGE_WIDTH, Place, Target, norm
from publish.exporters.epub.xhtml import Chapter, ChapterBody, parse_chapter, rewrite_images, rewrite_links
from publish.html import strip_forbidden
from publish.model import Article, Image


class Linked(Protocol):
    """What a link needs of the chapter it points into."""

    href: str

    def book_id(self, source_id: str) -> str | None: ...


@dataclass
class Parsed:
    """A chapter another one links into, parsed only if a link names one of its ids."""

    article: Article
    prefix: str
    href: str
    _body: ChapterBody | None = None

    def book_id(self, source_id: str) -> str | None:
        if self._body is None:
            self._body = parse_chapter(self.article.body_html, self.prefix)
        return self._body.book_id(source_id)


@dataclass
class Images:
    """The images chapters show: their names in the book and sizes, converted once each. `keep`: the
    book also needs their bytes (`files`); a chapter task needs only the names."""

    ctx: BuildContext
    keep: bool = False
    files: dict[str, bytes] = field(default_factory=dict)      # name in the book -> bytes
    warnings: list[Notice] = field(default_factory=list)

    def add(self, image: Image, article: Article) -> tuple[str, int, int] | None:
        """The image's name in the book and its size; None (with a warning) if it cannot be used.
        An SVG goes in as vectors (its sanitized bytes, a core media type); others as JPEG/PNG copies."""
        try:
            if image.format == "SVG":
                from publish.images import vector_copy

                svg_name, data, width, height = vector_copy(image, IMAGE_WIDTH)
                if self.keep:
                    self.files.setdefault("images/" + svg_name, data)
                return "images/" + svg_name, width, height
            relative, width, height = self.ctx.web_image(image, IMAGE_WIDTH)
            name = "images/" + posixpath.basename(relative)
            if self.keep and name not in self.files:
                self.files[name] = self.ctx.shared(relative)
        except (PublishError, OSError) as exc:
            self.warnings.append(Notice(f"image {image.source or image.path.name!r} left out of the EPUB: {exc}",
                                        article.source))
            return None
        return name, width, height


@dataclass(frozen=True)
class Made:
    """A chapter made now: its page and what its entry records."""

    page: bytes
    sections: list[tuple[str, str]]
    shown: list[str]
    cover: bool
    warnings: list[str]


def make(ctx: BuildContext, chapter: Chapter, by_path: Mapping[str, Linked], images: Images, pages: Pages) -> Made:
    """Resolve the chapter's links and images, then render its page (which takes the body's elements)."""
    said = len(images.warnings)
    shown, cover = resolve(ctx, chapter, by_path, images)
    sections = chapter.body.sections()
    page = pages.chapter(chapter)
    return Made(page, sections, shown, cover, [n.message for n in images.warnings[said:]])


def chapter_entry(ctx: BuildContext, article: Article, place: Place, linked: tuple[Target, ...], key: str,
                  theme: str) -> bytes:
    """The entry of one chapter, made by its own task: it parses this article, and the articles its
    links point into only for their ids. `theme`: the digest of the theme chain's epub/ files."""
    chapter = Chapter(article, place.prefix, place.href, parse_chapter(article.body_html, place.prefix),
                      place.language)
    by_path: dict[str, Linked] = {}
    for target in linked:
        if target.href == chapter.href:
            by_path[target.path] = chapter
            continue
        other = ctx.collection.get(target.slug)
        if other is not None:
            by_path[target.path] = Parsed(other, target.prefix, target.href)
    made = make(ctx, chapter, by_path, Images(ctx), Pages(ctx, theme))
    return entries.dump(key, made.page, chapter.body, made.sections, made.shown, made.cover, made.warnings)


def resolve(ctx: BuildContext, chapter: Chapter, by_path: Mapping[str, Linked],
            images: Images) -> tuple[list[str], bool]:
    """Links inside the book point at chapters; everything else at the web; images into the book.
    Returns the srcs of the images the body shows, in order, and whether the cover was added after them."""
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
        target = by_path.get(norm(parts.path)) if parts.netloc == site_host else None
        if target is not None:
            fragment = target.book_id(unquote(parts.fragment)) if parts.fragment else None
            if target.href == chapter.href:
                return f"#{fragment}" if fragment else f"#{chapter.prefix}_chapter"
            file = posixpath.relpath(target.href, posixpath.dirname(chapter.href))
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
