"""Finish Pandoc's HTML: sanitize, resolve images and links between articles, collect headings."""

from __future__ import annotations

import html as stdlib_html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from posixpath import normpath
from urllib.parse import unquote, urlsplit

from publish.errors import PublishError
from publish.html import sanitize, text_of
from publish.model import Heading, Image

_HEADING = re.compile(r"<h([2-6])\b([^>]*)>(.*?)</h\1>", re.S)
_ID = re.compile(r'\bid="([^"]*)"')
_IMG_WITHOUT_SRC = re.compile(r"<img\b(?![^>]*\ssrc=)([^>]*)>")
_ALT = re.compile(r'\balt="([^"]*)"')
_FIRST_P = re.compile(r"<p>(.*?)</p>", re.S)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
ARTICLE_SUFFIXES = (".md", ".markdown", ".mdx")
WORDS_PER_MINUTE = 230


@dataclass
class Body:
    html: str
    headings: tuple[Heading, ...]
    images: dict[str, Image]
    links: tuple[str, ...]
    word_count: int
    warnings: list[str] = field(default_factory=list)


ImageResolver = Callable[[str], Image]            # raises PublishError when the image cannot be used
LinkResolver = Callable[[str], "str | None"]      # markdown file path (site-relative) -> slug


def finish(raw_html: str, *, article_dir: str, article_path: Callable[[str], str],
           slug_for_file: LinkResolver, slug_for_path: LinkResolver, resolve_image: ImageResolver,
           cover: Image | None, fetch_remote: bool = False) -> Body:
    """Sanitized, link-resolved HTML plus what exporters need to know about it.

    `article_dir` is the article's folder relative to the content folder (posix), used to resolve
    links written as `./other.md`; `article_path(slug)` gives an article's URL, which replaces every
    link to that article (written as its file or as its web path).
    """
    images: dict[str, Image] = {}
    links: list[str] = []
    warnings: list[str] = []

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        value = value.strip()
        if attribute == "src" and tag == "img":
            return _image_src(value)
        if attribute == "href" and tag == "a":
            return _href(value)
        return value

    def _image_src(value: str) -> str | None:
        parts = urlsplit(value)
        if parts.scheme in ("http", "https"):
            if fetch_remote and value not in images:        # a local copy lets the PDF and EPUB show it
                try:
                    images[value] = resolve_image(value)
                except PublishError as exc:
                    warnings.append(exc.message)
            return value
        if parts.scheme or value.startswith("//"):
            warnings.append(f"image {value!r} is not a local file or an http(s) URL; left out")
            return None
        if value in images:
            return value
        try:
            images[value] = resolve_image(unquote(parts.path))
        except PublishError as exc:
            warnings.append(exc.message + (f" ({exc.hint})" if exc.hint else ""))
            return None
        return value

    def _href(value: str) -> str | None:
        parts = urlsplit(value)
        if parts.scheme or value.startswith(("#", "//")) or not parts.path:
            return value
        path = unquote(parts.path)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if path.endswith(ARTICLE_SUFFIXES):
            target = path.lstrip("/") if path.startswith("/") else normpath(f"{article_dir}/{path}")
            slug = slug_for_file(target)
            if slug is None:
                warnings.append(f"link to {value!r}: no article at that path")
                return value
            links.append(slug)
            return article_path(slug) + fragment
        slug = slug_for_path(path)
        if slug is not None:
            links.append(slug)
            return article_path(slug) + fragment   # the article's own URL, sub-path included
        return value

    html = sanitize(raw_html, rewrite)
    html = _IMG_WITHOUT_SRC.sub(_alt_text, html)
    if cover is not None:
        html = _drop_leading_cover(html, images, cover)
    headings = tuple(
        Heading(level=int(level), text=text_of(inner), id=stdlib_html.unescape(m.group(1)))
        for level, attrs, inner in _HEADING.findall(html)
        if (m := _ID.search(attrs))
    )
    text = text_of(html)
    words = len(_WORD.findall(text)) + len(_CJK.findall(text))
    return Body(html, headings, images, tuple(dict.fromkeys(links)), words, warnings)


def excerpt_from(html: str, limit: int = 280) -> str:
    """The first paragraph's text, cut at a word boundary."""
    for match in _FIRST_P.finditer(html):
        text = text_of(match.group(1))
        if text:
            if len(text) <= limit:
                return text
            cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
            return cut + "…"
    return ""


def summary_before_more(raw_html: str) -> str:
    """Hugo's and Jekyll's summary divider: the text before `<!--more-->`, if the article has one."""
    before, marker, _ = raw_html.partition("<!--more-->")
    return text_of(sanitize(before)) if marker else ""


def reading_minutes(words: int) -> int:
    return max(1, round(words / WORDS_PER_MINUTE))


def _alt_text(match: re.Match[str]) -> str:
    alt = _ALT.search(match.group(1))
    return f'<span class="image-missing">{alt.group(1)}</span>' if alt and alt.group(1) else ""


def _drop_leading_cover(html: str, images: dict[str, Image], cover: Image) -> str:
    """Many themes repeat the hero image as the body's first line; every format shows the cover already."""
    match = re.match(r'\s*<p><img\b[^>]*\bsrc="([^"]*)"[^>]*>\s*', html)
    if not match:
        return html
    image = images.get(stdlib_html.unescape(match.group(1)))
    if image is None or image.digest != cover.digest:
        return html
    rest = html[match.end():]
    if rest.startswith("</p>"):
        return rest[4:].lstrip("\n")
    return "<p>" + rest
