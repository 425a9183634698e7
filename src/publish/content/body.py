"""Finish Pandoc's HTML: sanitize, resolve images and links between articles, collect headings.

The sanitized HTML is parsed once (bodytree) for the rest: images without a source, a cover
repeated as the first line, headings, words and the excerpt. The body is stored as that tree
serializes, the form every exporter parses back to the same tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from posixpath import normpath
from urllib.parse import unquote, urlsplit

from publish import bodytree
from publish.bodytree import Element
from publish.errors import PublishError
from publish.html import sanitize, text_of
from publish.model import Heading, Image

# White space as a regular expression over the old markup saw it: U+00A0 was written &nbsp; there.
_LEADING_SPACE = re.compile(r"^[^\S\u00a0]*")
WORDLESS = ("math", "annotation", "script", "style")     # no words to count, outline or quote in there
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
    excerpt: str = ""                  # the first paragraph's text (excerpt_of)


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

    root = bodytree.parse(sanitize(raw_html, rewrite))
    _alt_text(root)
    if cover is not None:
        _drop_leading_cover(root, images, cover)
    text = _words_of(root)
    words = len(_WORD.findall(text)) + len(_CJK.findall(text))
    return Body(bodytree.to_html(root), _headings(root), images, tuple(dict.fromkeys(links)), words, warnings,
                excerpt_of(root))


def _headings(root: Element) -> tuple[Heading, ...]:
    """h2-h6 with an id, in order (not one inside another: the outer one is the outline entry)."""
    found: list[Heading] = []

    def walk(parent: Element) -> None:
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            level = child.tag[1:] if child.tag in bodytree.HEADINGS[1:] else ""
            if not level:
                walk(child)
            elif child.get("id") is not None:
                found.append(Heading(level=int(level), text=_words_of(child),
                                     id=child.get("id")))

    walk(root)
    return tuple(found)


def excerpt_of(root: Element, limit: int = 280) -> str:
    """The first paragraph's text (a plain <p>, not one a theme's class made special), cut at a word
    boundary."""
    for paragraph in bodytree.elements(root, "p"):
        if paragraph.attrib:
            continue
        text = _words_of(paragraph)
        if text:
            if len(text) <= limit:
                return text
            cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
            return cut + "…"
    return ""


def summary_before_more(raw_html: str) -> str:
    """Hugo's and Jekyll's summary divider: the text before `<!--more-->`, if the article has one."""
    # A text split: the sanitizer removes the comment, and "before it" cuts through elements.
    before, marker, _ = raw_html.partition("<!--more-->")
    return text_of(sanitize(before)) if marker else ""


def reading_minutes(words: int) -> int:
    return max(1, round(words / WORDS_PER_MINUTE))


def _words_of(element: Element) -> str:
    return bodytree.squash(bodytree.text_content(element, skip=WORDLESS))


def _alt_text(root: Element) -> None:
    """An image whose source was left out becomes its alt text (or nothing)."""
    for img in list(bodytree.elements(root, "img")):
        if img.get("src") is not None:
            continue
        alt = img.get("alt")
        if alt:
            bodytree.replace(img, bodytree.new("span", {"class": "image-missing"}, alt))
        else:
            bodytree.remove(img)


def _drop_leading_cover(root: Element, images: dict[str, Image], cover: Image) -> None:
    """Many themes repeat the hero image as the body's first line; every format shows the cover already."""
    first = root[0] if len(root) else None
    if (first is None or first.tag != "p" or first.attrib or first.text or not len(first)
            or first[0].tag != "img" or _LEADING_SPACE.sub("", root.text or "")):
        return
    img = first[0]
    image = images.get(img.get("src", ""))
    if image is None or image.digest != cover.digest:
        return
    rest = _LEADING_SPACE.sub("", img.tail or "")
    root.text = None
    if len(first) == 1 and not rest:                 # the paragraph holds only the image: it goes
        root.text = (first.tail or "").lstrip("\n")
        root.remove(first)
    else:
        first.text = rest or None
        first.remove(img)
