"""The HTML document one PDF is printed from: cover, body and metadata, through the theme's template.

The theme's `pdf/document.html` (Jinja2, autoescaped) decides the markup; this module decides
what goes in: page size, the cover image at the resolution the page needs, dates in the
article's language, and the fitted sizes a 300-character title needs to stay on the cover.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from publish import i18n
from publish.errors import ConfigError, PublishError
from publish.model import Article, Image, Site

if TYPE_CHECKING:
    from jinja2 import Environment

    from publish.exporters.pdf.body import ImageSource
    from publish.themes import ThemeChain

TEMPLATE = "document.html"
PAGE_SIZES = {"a3": (297.0, 420.0), "a4": (210.0, 297.0), "a5": (148.0, 210.0), "b5": (176.0, 250.0),
              "letter": (215.9, 279.4), "legal": (215.9, 355.6)}
COVER_DPI = 200               # a full-bleed photo looks sharp in print from about 200 dpi
TITLE_SIZES = ((40, "xl"), (75, "l"), (120, "m"), (190, "s"), (260, "xs"), (420, "xxs"))   # (up to N chars, class)
COVER_EXCERPT = 360           # characters; longer excerpts are shortened on the cover only
HEADER_TITLE = 60             # characters of the title in the running header
PALETTES = 6                  # colour schemes of the typographic cover, chosen by slug
@dataclass(frozen=True)
class PageSize:
    width: float               # mm
    height: float

    @property
    def css(self) -> str:
        return f"{self.width:g}mm {self.height:g}mm"


@dataclass(frozen=True)
class Cover:
    url: str
    alt: str
    width: int
    height: int


def page_size(value: str) -> PageSize:
    """`[pdf] page_size`: "A4", "Letter", "A5 landscape"…; ConfigError for anything else."""
    words = value.lower().split()
    size = PAGE_SIZES.get(words[0]) if words else None
    orientation = words[1] if len(words) > 1 else "portrait"
    if size is None or len(words) > 2 or orientation not in ("portrait", "landscape"):
        names = ", ".join(name.upper() if name[0] in "ab" else name.title() for name in PAGE_SIZES)
        raise ConfigError(f"unknown page size {value!r}", field="pdf.page_size",
                          hint=f"use one of {names}, optionally followed by 'landscape'")
    width, height = size
    return PageSize(height, width) if orientation == "landscape" else PageSize(width, height)


def cover_width(image: Image, page: PageSize) -> int:
    """Pixels wide the cover image must be to fill the page at COVER_DPI once cropped."""
    needed_mm = max(page.width, page.height * image.aspect)
    return max(1, math.ceil(needed_mm / 25.4 * COVER_DPI))


def cover_of(article: Article, page: PageSize, image_source: ImageSource) -> tuple[Cover | None, list[str]]:
    """The cover image, or None: the PDF then gets a typographic cover (the loader says once, for
    the whole site, which articles have none)."""
    image = article.cover
    if image is None:
        return None, []
    try:
        url, width, height = image_source(image, cover_width(image, page))
    except Exception as exc:  # noqa: BLE001 - whatever Pillow raises, the PDF still gets a (typographic) cover
        reason = exc.message if isinstance(exc, PublishError) else f"{type(exc).__name__}: {exc}"
        return None, [f"cover image {image.source or image.path.name!r} cannot be read ({reason}); "
                      "the PDF has a typographic cover"]
    return Cover(url, image.alt or article.title, width, height), []


def language_of(article: Article, site: Site) -> str:
    return article.language or site.language or "en"


def w3c_date(value: datetime) -> str:
    """The form WeasyPrint reads from <meta name=dcterms.created> (seconds, with the offset)."""
    return value.isoformat(timespec="seconds")


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


def title_size(title: str) -> str:
    length = len(title)
    return next((name for limit, name in TITLE_SIZES if length <= limit), "xxxs")


def palette(slug: str) -> int:
    return int(hashlib.sha256(slug.encode()).hexdigest()[:8], 16) % PALETTES + 1


def environment(themes: ThemeChain) -> Environment:
    """The Jinja2 environment of the themes' pdf/ templates: autoescaped, strict about undefined names."""
    from jinja2 import Environment, StrictUndefined, select_autoescape

    env = Environment(loader=themes.jinja_loader("pdf"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["long_date"] = i18n.long_date
    env.filters["w3c_date"] = w3c_date
    return env


def document_html(env: Environment, *, article: Article, site: Site, body_html: str,
                  cover: Cover | None, page: PageSize, stylesheet_urls: list[str] | None = None,
                  justify: bool = False) -> str:
    """The full HTML document for one article's PDF."""
    from markupsafe import Markup

    language = language_of(article, site)
    template = env.get_template(TEMPLATE)
    return template.render(
        article=article, site=site, language=language, direction=i18n.direction(language),
        labels=i18n.labels_for(language),
        primary_language=language.split("-")[0].lower(),
        author=", ".join(a.name for a in article.authors) or site.author,
        keywords=", ".join(tag.name for tag in article.tags),
        cover=cover, title_size=title_size(article.title), palette=palette(article.slug),
        cover_excerpt=shorten(article.excerpt, COVER_EXCERPT),
        header_title=shorten(article.title, HEADER_TITLE),
        body=Markup(body_html),  # noqa: S704 - sanitized by the loader, rebuilt by pdf_body
        page=page, stylesheets=stylesheet_urls or [], justify=justify,
    )
