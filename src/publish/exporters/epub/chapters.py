"""Finished chapter pages remembered between builds: one edited article re-renders one chapter.

A chapter page is made from its article, its place in the book (id prefix, file name), the book's
language, the theme's epub/ files, this package's code, and, for links into other chapters, where
those chapters are and which ids they hold. The key is a digest of all of that, so a hit is the
very bytes a cold build would write (the book is re-packed around them exactly as before).

An entry keeps the page's bytes and what the rest of the book needs from the chapter without
parsing it again: its ids (for links from other chapters), its sections (for the navigation),
whether it has math and notes, the images it shows and the warnings it gave. Entries are JSON
files in `output/.publish/epub/<book>/`; anything unreadable is a miss, and each build keeps
only the entries it used.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from publish.exporters.epub.xhtml import ChapterBody
from publish.model import Article
from publish.paths import write_atomic

FORMAT = "1"
FOLDER = ".publish/epub"
_HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""")
# The modules whose code decides a chapter page's bytes (any change makes every entry stale).
_CODE = ("exporters/epub", "bodytree.py", "footnotes.py", "html.py", "i18n.py", "namespaces.py", "text.py",
         "math.py", "images.py")


@dataclass
class CachedBody(ChapterBody):
    """A chapter body known from the cache: its ids, sections and flags, without its elements."""

    cached_sections: list[tuple[str, str]] = field(default_factory=list)

    def sections(self) -> list[tuple[str, str]]:
        return self.cached_sections


@dataclass(frozen=True)
class Entry:
    page: bytes
    body: CachedBody
    images: tuple[str, ...]             # the srcs of article.images the page shows, in order
    cover: bool                         # the article's cover was added after the body's images
    warnings: tuple[str, ...]           # what resolving the chapter said


@dataclass
class ChapterCache:
    folder: Path
    used: set[str] = field(default_factory=set)

    @classmethod
    def for_book(cls, output_dir: Path, book: str) -> ChapterCache:
        return cls(output_dir / FOLDER / book)

    def get(self, key: str, prefix: str) -> Entry | None:
        self.used.add(key)
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("key") != key:
                return None
            body = CachedBody(prefix=prefix, root=None, notes=[None] * int(data["notes"]),
                              ids={str(k): str(v) for k, v in data["ids"].items()}, has_math=bool(data["math"]),
                              cached_sections=[(str(i), str(t)) for i, t in data["sections"]])
            return Entry(str(data["page"]).encode("utf-8"), body, tuple(str(s) for s in data["images"]),
                         bool(data["cover"]), tuple(str(w) for w in data["warnings"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, page: bytes, body: ChapterBody, sections: list[tuple[str, str]], images: list[str],
            cover: bool, warnings: list[str]) -> None:
        """Remember a chapter made now; `sections` as the body gave them before its page took its elements."""
        data = {"format": FORMAT, "key": key, "page": page.decode("utf-8"), "notes": len(body.notes),
                "ids": body.ids, "math": body.has_math, "sections": sections, "images": images,
                "cover": cover, "warnings": warnings}
        try:
            write_atomic(self.folder / f"{key}.json", json.dumps(data, ensure_ascii=False, sort_keys=True))
        except OSError:
            pass                          # a cache that cannot be written only costs time

    def cover(self, key: str, compose: Callable[[], bytes]) -> bytes:
        """The composed cover image for `key` (a digest of what it is made from), composed once."""
        self.used.add(key)
        path = self.folder / f"{key}.jpg"
        try:
            return path.read_bytes()
        except OSError:
            data = compose()
        try:
            write_atomic(path, data)
        except OSError:
            pass
        return data

    def prune(self) -> None:
        """Remove the entries this build did not use (edited articles' old pages, an older cover)."""
        if not self.folder.is_dir():
            return
        for path in [*self.folder.glob("*.json"), *self.folder.glob("*.jpg")]:
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def cover_key(*parts: str) -> str:
    h = hashlib.sha256()
    for part in (FORMAT, code_digest(), *parts):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def chapter_key(article: Article, prefix: str, href: str, language: str, book_language: str, theme: str,
                site_url: str, book_map: str, targets: list[tuple[str, str, str]]) -> str:
    """The digest of everything a chapter page is made from; `targets`: (prefix, href, article
    digest) of every other chapter its links may point into."""
    h = hashlib.sha256()
    for part in (FORMAT, code_digest(), article.slug, article.digest, article.url, prefix, href, language,
                 book_language, theme, site_url, book_map, json.dumps(sorted(targets))):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def linked_paths(article: Article) -> set[str]:
    """The URL paths (normalised as the book does) that the article's body links to, on any host."""
    found = set()
    for href in _HREF.findall(article.body_html):
        href = href.strip()
        if href and not href.startswith("#"):
            found.add(unquote(urlsplit(urljoin(article.url, href)).path).rstrip("/") or "/")
    return found


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
