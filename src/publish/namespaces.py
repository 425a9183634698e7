"""XML namespaces the outputs use, named once, and the two ways to write an element's name.

A tag is `"{namespace}name"` in lxml and ElementTree alike; HTML parsed by lxml.html has no
namespace at all, WeasyPrint's parser puts MathML in its own. `local()` reads either.
"""

from __future__ import annotations

XHTML = "http://www.w3.org/1999/xhtml"
MATHML = "http://www.w3.org/1998/Math/MathML"
SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"       # xml:lang, xml:space
EPUB_OPS = "http://www.idpf.org/2007/ops"          # epub:type and the other EPUB 3 attributes
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"    # dc:creator in RSS
MEDIA_RSS = "http://search.yahoo.com/mrss/"         # media:content in RSS
ATOM = "http://www.w3.org/2005/Atom"                # atom:link in RSS
FEED_HISTORY = "http://purl.org/syndication/history/1.0"   # RFC 5005: fh:archive


def qualified(namespace: str, name: str) -> str:
    """`{namespace}name`, the form lxml and ElementTree use for a namespaced tag or attribute."""
    return f"{{{namespace}}}{name}"


def local(tag: object) -> str:
    """An element's name without its namespace; "" for comments and processing instructions."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""

