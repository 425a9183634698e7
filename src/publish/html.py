"""HTML safety and URL rewriting, shared by the loader and every exporter.

One allow-list (nh3, the Python binding of the Rust `ammonia` sanitizer) decides what markup
may appear in any output: Pandoc's own structure, MathML, and nothing that runs, submits,
embeds or restyles. The loader rewrites URLs while sanitizing; exporters work on the parsed
result (bodytree), never with regular expressions over markup.
"""

from __future__ import annotations

import html as stdlib_html
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import nh3

# Characters XML 1.0 forbids (all C0 controls but tab, LF, CR; lone surrogates; U+FFFE/FFFF).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What no text of an article may hold: C0 controls but tab and newline, DEL, C1 controls, lone
# surrogates and the noncharacters (U+FDD0-U+FDEF and the last two code points of every plane).
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(chr(plane + 0xFFFE) + chr(plane + 0xFFFF)
                                            for plane in range(0, 0x110000, 0x10000))
CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")

MATHML_TAGS = {
    "math", "semantics", "annotation", "annotation-xml", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom",
    "mfenced", "menclose", "munder", "mover", "munderover", "mmultiscripts", "mprescripts", "none",
    "mtable", "mtr", "mtd", "mlabeledtr",
}
MATHML_ATTRIBUTES = {
    "display", "xmlns", "encoding", "mathvariant", "stretchy", "fence", "separator", "form", "accent",
    "accentunder", "lspace", "rspace", "largeop", "movablelimits", "symmetric", "columnalign", "rowalign",
    "columnspacing", "rowspacing", "linethickness", "width", "height", "depth", "scriptlevel",
    "displaystyle", "minsize", "maxsize", "open", "close", "separators", "notation",
}
TAGS = (set(nh3.ALLOWED_TAGS) - {"h1", "center", "strike", "tt", "acronym", "map", "area"}) | {
    "section", "figure", "figcaption", "div", "span", "sup", "sub", "hr", "pre", "code", "aside",
} | MATHML_TAGS
GLOBAL_ATTRIBUTES = {"id", "class", "title", "lang", "dir", "role"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": GLOBAL_ATTRIBUTES,
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "td": {"style", "colspan", "rowspan", "align"},
    "th": {"style", "colspan", "rowspan", "align", "scope"},
    "col": {"style", "span", "width"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "code": {"data-lang"},
    **{tag: MATHML_ATTRIBUTES for tag in MATHML_TAGS},
}
URL_SCHEMES = {"http", "https", "mailto"}
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template",
                     "textarea", "select", "option", "form", "applet", "frameset", "frame", "svg",
                     "link", "meta", "base", "title", "head"}
_SAFE_STYLE = re.compile(r"^\s*(text-align\s*:\s*(left|right|center|justify)\s*;?\s*|width\s*:\s*[\d.]+%\s*;?\s*)+$")

UrlRewriter = Callable[[str, str, str], "str | None"]   # (tag, attribute, value) -> new value or None


def strip_forbidden(text: str) -> str:
    """Remove characters that XML 1.0 forbids; they break feeds and EPUBs."""
    return _XML_FORBIDDEN.sub("", text)


def count_forbidden(text: str) -> int:
    return len(_XML_FORBIDDEN.findall(text))


def strip_controls(text: str) -> tuple[str, int]:
    """`text` with line ends made `\\n` and every CONTROLS character removed, and how many were."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROLS.subn("", text)


def sanitize(html: str, rewrite: UrlRewriter | None = None) -> str:
    """The allow-listed subset of `html`; `rewrite` may change or drop any href/src value."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "style":
            return value if _SAFE_STYLE.match(value) else None
        if attribute == "id" or attribute == "class":
            return value if len(value) < 200 else None
        if rewrite is not None and attribute in ("href", "src"):
            return rewrite(tag, attribute, value)
        return value

    return nh3.clean(
        strip_forbidden(html).replace("\ufeff", ""),     # a stray byte-order mark is never content
        tags=TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
        link_rel=None,
    )


def text_of(html: str) -> str:
    """Plain text of an HTML fragment (for excerpts, word counts, headings)."""
    stripped = nh3.clean(html, tags=set(), clean_content_tags={"script", "style", "annotation"})
    return " ".join(stdlib_html.unescape(stripped).split())


def is_remote(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")
