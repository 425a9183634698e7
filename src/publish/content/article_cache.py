"""Finished articles remembered between runs, so that an unchanged article is not processed again.

An entry is the Article the loader made, its warnings, and every image it looked up. Its key is a
digest of everything the article is made from: this package's code, the configuration, the
Markdown converter, the file's path and bytes, what its front matter became, Pandoc's HTML, and
the site's file index (which decides where links between articles point). Images are looked up
again on every use; an entry whose images changed, appeared or went away is not used.

Entries live in `output/.publish/articles/`. They are read with an unpickler that builds nothing
but the model's own types, so a file planted there cannot run code; anything unreadable, or
written by other code, is a miss and the article is processed as if new.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from publish.content.reader import Draft
from publish.model import Article, Image
from publish.paths import write_atomic

# The modules whose code decides what an Article holds (any change makes every entry stale).
_CODE = ("content", "html.py", "images.py", "model.py", "paths.py", "config.py", "errors.py")


@dataclass(frozen=True)
class Lookup:
    """One image the article asked for, and what came back: the image, or the problem's text."""

    source: str
    alt: str
    found: Image | str


@dataclass(frozen=True)
class Entry:
    article: Article
    warnings: tuple[str, ...]
    lookups: tuple[Lookup, ...]


class ArticleCache:
    def __init__(self, folder: Path, *, base: str, write: bool) -> None:
        """`base`: a digest of what every article shares (configuration, converter, file index)."""
        self.folder, self.write = folder, write
        self.base = hashlib.sha256(f"{code_digest()}\0{base}".encode()).digest()
        self.used: set[str] = set()

    def key(self, draft: Draft, html: str) -> str:
        h = hashlib.sha256(self.base)
        h.update(draft.raw)
        h.update(b"\0")
        h.update(html.encode())
        h.update(b"\0")
        # What phase 1 made of the file, which also depends on its path and (Jekyll drafts) its date.
        h.update(repr([(f.name, getattr(draft, f.name)) for f in dataclasses.fields(draft)
                       if f.name not in ("raw", "body")]).encode())
        return h.hexdigest()

    def get(self, key: str) -> Entry | None:
        self.used.add(key)
        try:
            data = (self.folder / f"{key}.pickle").read_bytes()
            entry = _ModelUnpickler(io.BytesIO(data)).load()
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - corrupt, truncated or foreign: a miss, never an error
            return None
        return entry if isinstance(entry, Entry) and isinstance(entry.article, Article) else None

    def put(self, key: str, entry: Entry) -> None:
        self.used.add(key)
        if self.write:
            write_atomic(self.folder / f"{key}.pickle", pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))

    def prune(self) -> None:
        """Remove the entries this run did not use (articles edited, renamed or deleted)."""
        if not self.write or not self.folder.is_dir():
            return
        for path in self.folder.glob("*.pickle"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


@lru_cache(maxsize=1)
def code_digest() -> str:
    package = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for name in _CODE:
        path = package / name
        files = sorted(p for p in path.rglob("*") if p.suffix in (".py", ".lua")) if path.is_dir() else [path]
        for file in files:
            h.update(os.fsencode(file.relative_to(package)))
            h.update(file.read_bytes())
    return h.hexdigest()


_ALLOWED = {
    ("publish.model", "Article"), ("publish.model", "Image"), ("publish.model", "Tag"), ("publish.model", "Author"),
    ("publish.model", "Heading"), ("publish.model", "FrozenDict"),
    ("publish.content.article_cache", "Entry"), ("publish.content.article_cache", "Lookup"),
    ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"), ("pathlib", "PurePosixPath"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "timezone"), ("datetime", "timedelta"),
    ("zoneinfo", "ZoneInfo"),
}


def _zoneinfo_getattr(obj: Any, name: str) -> Any:
    """A ZoneInfo pickles as getattr(ZoneInfo, "_unpickle"): the only getattr allowed."""
    if obj is ZoneInfo and name == "_unpickle":
        return ZoneInfo._unpickle  # type: ignore[attr-defined]
    raise pickle.UnpicklingError(f"refused getattr({obj!r}, {name!r})")


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("builtins", "getattr"):
            return _zoneinfo_getattr
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused {module}.{name}")
