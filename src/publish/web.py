"""Article HTML for the open web (feeds and emails): absolute URLs, hosted images, no MathML.

Feed readers and mail clients resolve nothing relative and show neither WebP everywhere nor
MathML, so both formats take the same transformation of the loaded (already sanitized) body,
done on its parsed tree (bodytree): feeds serialize it (`web_body`), emails reshape it further
(`web_tree`). Where the hosted image copies come from is the caller's business (`ImageUrl`).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from publish import bodytree, math
from publish.bodytree import Element
from publish.model import Article, Image

WEB_IMAGE_WIDTH = 1200          # 600 px email column at 2x; plenty for feed readers


# (image, max width) -> absolute URL of a hosted JPEG/PNG copy, its width and height
ImageUrl = Callable[[Image, int], tuple[str, int, int]]


def math_as_tex(root: Element) -> None:
    """Each formula replaced by its TeX source in <code> (PRODUCT.md: MathML is not safe in feeds/email)."""
    for formula in list(math.formulas(root)):
        bodytree.replace(formula, bodytree.new("code", {"class": math.code_class(formula)}, math.tex_of(formula)))


def web_tree(article: Article, image_url: ImageUrl, *, max_image_width: int = WEB_IMAGE_WIDTH) -> Element:
    """The article body, parsed, with every href/src absolute, local images hosted as JPEG/PNG copies
    (with their real width and height), and math as TeX."""
    root = bodytree.parse(article.body_html)
    math_as_tex(root)
    for element, attribute in list(bodytree.url_attributes(root)):
        value = element.get(attribute)
        if element.tag != "img" or attribute != "src":
            element.set(attribute, urljoin(article.url, value))
            continue
        image = article.images.get(value)
        if image is None:
            if urlsplit(value).scheme not in ("http", "https"):
                del element.attrib[attribute]
            continue
        url, width, height = image_url(image, max_image_width)
        element.set("src", url)
        for name in ("width", "height"):            # the copy's size, last, whatever the source said
            element.attrib.pop(name, None)
        element.set("width", str(width))
        element.set("height", str(height))
    return root


def web_body(article: Article, image_url: ImageUrl, *, max_image_width: int = WEB_IMAGE_WIDTH) -> str:
    """`web_tree` as HTML."""
    return bodytree.to_html(web_tree(article, image_url, max_image_width=max_image_width))
