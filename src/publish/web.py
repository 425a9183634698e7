"""Article HTML for the open web (feeds and emails): absolute URLs, hosted images, no MathML.

Feed readers and mail clients resolve nothing relative and show neither WebP everywhere nor
MathML, so both formats take the same transformation of the loaded (already sanitized) body.
Where the hosted image copies come from is the caller's business (`ImageUrl`).
"""

from __future__ import annotations

import html as stdlib_html
import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from publish.html import rewrite_urls
from publish.model import Article, Image

_MATH = re.compile(r"<math\b([^>]*)>(.*?)</math>", re.S)
_TEX = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
_DISPLAY = re.compile(r'\bdisplay="block"')
_IMG = re.compile(r"<img\b[^>]*>")

WEB_IMAGE_WIDTH = 1200          # 600 px email column at 2x; plenty for feed readers


# (image, max width) -> absolute URL of a hosted JPEG/PNG copy, its width and height
ImageUrl = Callable[[Image, int], tuple[str, int, int]]


def math_as_tex(html: str) -> str:
    """MathML replaced by its TeX source in <code> (PRODUCT.md: MathML is not safe in feeds/email)."""

    def replace(match: re.Match[str]) -> str:
        tex = _TEX.search(match.group(2))
        source = tex.group(1).strip() if tex else ""
        if _DISPLAY.search(match.group(1)):
            return f'<code class="math display">{source}</code>'
        return f'<code class="math inline">{source}</code>'

    return _MATH.sub(replace, html)


def web_body(article: Article, image_url: ImageUrl, *, max_image_width: int = WEB_IMAGE_WIDTH) -> str:
    """The article body with every href/src absolute, local images hosted as JPEG/PNG copies
    (with their real width and height), and math as TeX."""
    sizes: dict[str, tuple[int, int]] = {}

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            image = article.images.get(value)
            if image is not None:
                url, width, height = image_url(image, max_image_width)
                sizes[url] = (width, height)
                return url
            return value if urlsplit(value).scheme in ("http", "https") else None
        return urljoin(article.url, value)

    html = rewrite_urls(math_as_tex(article.body_html), rewrite)
    if sizes:
        html = _IMG.sub(lambda m: _with_size(m.group(0), sizes), html)
    return html


def _with_size(tag: str, sizes: dict[str, tuple[int, int]]) -> str:
    src = re.search(r'\bsrc="([^"]*)"', tag)
    if not src:
        return tag
    size = sizes.get(stdlib_html.unescape(src.group(1)))
    if size is None:
        return tag
    cleaned = re.sub(r'\s(width|height)="[^"]*"', "", tag)
    return cleaned[:-1].rstrip("/ ") + f' width="{size[0]}" height="{size[1]}">'
