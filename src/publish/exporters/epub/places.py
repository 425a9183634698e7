"""Where each article sits in a book, and the keys that say when a chapter or the cover is current.

Light on purpose (no lxml, no EbookLib): `plan()` uses it in the main process for every chapter.

A chapter page is made from its article, its place in the book (id prefix, file name), its and
the book's language, the site's address, the theme's epub/ files, this package's code and, for
links into other chapters, where those chapters are and which ids they hold (their articles'
digests, for the chapters a link names an id of). `chapter_key` digests all of that, so an entry
made for the same key is the very page a cold build makes.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from publish.model import Article

FORMAT = "2"                     # of the entries and their keys: bump when either changes shape
FOLDER = ".publish/epub"         # under the output folder: one folder of entries per book
THEME_FOLDER = "epub"            # what a book reads of each theme of the chain: templates, book.css, fonts/
IMAGE_WIDTH = 1200               # the same copies the feeds and emails use: converted once
COVER_WIDTH = 1600
STYLESHEET = "styles/book.css"
COVER_IMAGE = "images/cover.jpg"
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
# The sanitizer writes every attribute as name="value" (a value may hold "'"); a few extra matches
# (data-href, text that looks like markup) only add paths, which is safe.
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# The modules whose code decides a chapter page's bytes (any change makes every entry stale).
_CODE = ("exporters/epub", "bodytree.py", "footnotes.py", "html.py", "i18n.py", "namespaces.py", "text.py",
         "math.py", "images.py")


@dataclass(frozen=True)
class Place:
    """An article's chapter in one book."""

    slug: str
    prefix: str                  # id prefix: "c3"
    href: str                    # inside the book: "text/<slug>.xhtml"
    language: str                # a well-formed language tag (OPF-092 and Nu reject others)
    path: str                    # the article's URL path, normalised as links are


@dataclass(frozen=True)
class Target:
    """A chapter that another chapter's links point into (by URL path)."""

    path: str
    slug: str
    prefix: str
    href: str
    ids: bool                    # a link names a fragment: the target's ids (its body) matter too


def language_tag(value: str, fallback: str) -> str:
    """`value` as a well-formed BCP 47 tag ("pt_BR" -> "pt-BR"), or `fallback`."""
    tag = value.strip().replace("_", "-")
    return tag if _LANGUAGE.match(tag) else fallback


def norm(path: str) -> str:
    """A URL path as links are matched to chapters: unquoted, without a trailing slash."""
    return unquote(path).rstrip("/") or "/"


def places(articles: Sequence[Article], language: str) -> list[Place]:
    """Every article's place, in reading order (`language`: the book's)."""
    return [Place(a.slug, f"c{n}", f"text/{a.slug}.xhtml", language_tag(a.language, language),
                  norm(urlsplit(a.url).path))
            for n, a in enumerate(articles, start=1)]


def by_path(book: Iterable[Place]) -> dict[str, Place]:
    """The chapter each URL path leads to (the first in reading order when two share one)."""
    found: dict[str, Place] = {}
    for place in book:
        found.setdefault(place.path, place)
    return found


def targets(article: Article, site_host: str, where: dict[str, Place]) -> tuple[Target, ...]:
    """The chapters of the book that the article's links may point into."""
    linked = linked_paths(article, site_host)
    return tuple(Target(path, where[path].slug, where[path].prefix, where[path].href, linked[path])
                 for path in sorted(linked) if path in where)


def linked_paths(article: Article, site_host: str) -> dict[str, bool]:
    """The URL paths (normalised as the book does) that the article's body links to on the site's
    host, each with whether a link to it names a fragment: every href a chapter could resolve into
    the book, and perhaps a few more."""
    return dict(_linked(article.body_html, article.url, site_host))


@lru_cache(maxsize=4096)          # plan() runs on every build: watch mode asks again for the same bodies
def _linked(body_html: str, url: str, site_host: str) -> tuple[tuple[str, bool], ...]:
    found: dict[str, bool] = {}
    for quoted in _HREF.findall(body_html):
        href = html.unescape(quoted[0] or quoted[1]).strip()
        if not href or href.startswith("#"):
            continue
        parts = urlsplit(urljoin(url, href))
        if parts.netloc == site_host:
            path = norm(parts.path)
            found[path] = found.get(path, False) or bool(parts.fragment)
    return tuple(found.items())


def chapter_key(article: Article, place: Place, book_language: str, theme: str, site_url: str,
                linked: Iterable[Target], digests: dict[str, str]) -> str:
    """The digest of everything a chapter page is made from; `digests`: article digest by slug, for
    the chapters whose ids its links name (a link without a fragment needs only the file name)."""
    into = sorted((t.path, t.slug, t.prefix, t.href, digests[t.slug] if t.ids else "") for t in linked)
    return _digest(article.slug, article.digest, article.url, place.prefix, place.href, place.language,
                   book_language, theme, site_url, json.dumps(into))


def cover_key(*parts: str) -> str:
    return _digest(*parts)


def entry_path(book: str, slug: str) -> str:
    """Where a chapter's entry lives, relative to the output folder."""
    return f"{FOLDER}/{book}/chapters/{slug}.json"


def cover_path(book: str) -> str:
    return f"{FOLDER}/{book}/cover.json"


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in (FORMAT, code_digest(), *parts):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    root = Path(__file__).resolve().parents[2]           # src/publish
    h = hashlib.sha256()
    for name in _CODE:
        path = root / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            h.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes())
    return h.hexdigest()
