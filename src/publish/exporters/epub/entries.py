"""The files chapter and cover tasks hand to the book task, under `output/.publish/epub/<book>/`.

A chapter entry keeps the finished page and what the book needs from the chapter without parsing
it again: its ids (for links from chapters the book converts itself), its sections (for the
navigation), whether it has math and notes, the images it shows and the warnings it gave. A
cover entry keeps the cover image and its alt text. Each records the key it was made for
(places.chapter_key, places.cover_key): the book uses an entry only when that key is the one it
expects; anything unreadable, missing or made for another key, it makes itself.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from publish.exporters.epub.places import FORMAT
from publish.exporters.epub.xhtml import ChapterBody


@dataclass
class CachedBody(ChapterBody):
    """A chapter body known from its entry: its ids, sections and flags, without its elements."""

    cached_sections: list[tuple[str, str]] = field(default_factory=list)

    def sections(self) -> list[tuple[str, str]]:
        return self.cached_sections


@dataclass(frozen=True)
class Entry:
    page: bytes
    body: CachedBody
    images: tuple[str, ...]             # the srcs of article.images the page shows, in order
    cover: bool                         # the article's cover was added after the body's images
    warnings: tuple[str, ...]           # what converting the chapter said


def dump(key: str, page: bytes, body: ChapterBody, sections: list[tuple[str, str]], images: list[str],
         cover: bool, warnings: list[str]) -> bytes:
    """A chapter made now; `sections` as the body gave them before its page took its elements."""
    data = {"format": FORMAT, "key": key, "page": page.decode("utf-8"), "notes": len(body.notes),
            "ids": body.ids, "math": body.has_math, "sections": sections, "images": images,
            "cover": cover, "warnings": warnings}
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def load(raw: bytes | None, key: str, prefix: str) -> Entry | None:
    """The entry in `raw` if it was made for `key`; else None."""
    data = _made_for(raw, key)
    if data is None:
        return None
    try:
        body = CachedBody(prefix=prefix, root=None, notes=[None] * int(data["notes"]),
                          ids={str(k): str(v) for k, v in data["ids"].items()}, has_math=bool(data["math"]),
                          cached_sections=[(str(i), str(t)) for i, t in data["sections"]])
        return Entry(str(data["page"]).encode("utf-8"), body, tuple(str(s) for s in data["images"]),
                     bool(data["cover"]), tuple(str(w) for w in data["warnings"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def dump_cover(key: str, image: bytes, alt: str) -> bytes:
    data = {"format": FORMAT, "key": key, "alt": alt, "jpeg": base64.b64encode(image).decode("ascii")}
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def load_cover(raw: bytes | None, key: str) -> tuple[bytes, str] | None:
    """The cover image and its alt text in `raw` if they were made for `key`; else None."""
    data = _made_for(raw, key)
    if data is None:
        return None
    try:
        return base64.b64decode(data["jpeg"], validate=True), str(data["alt"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _made_for(raw: bytes | None, key: str) -> dict[str, Any] | None:
    """The JSON object in `raw` if it is of this format and was made for `key`; else None."""
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
        return None
    return data
