"""What subscribers will see: the site feed's entries compared with the previous build's, and
articles that look renamed (for `publish check`).

The site feed is read from output/ as readers get it: `atom.xml`, then every archive page down
the `prev-archive` chain. What it held is remembered in `output/.publish/feed-entries.json`
(each entry's id, update date, title and link, per file with the file's size and time, so an
unchanged page is not read again). Builds with --drafts or --future compare without remembering.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from publish.errors import LockedError
from publish.feed_ids import entry_id, id_base
from publish.model import Article
from publish.paths import write_atomic
from publish.problems import Problem

RECORD = ".publish/feed-entries.json"
VERSION = 1
CURRENT = "atom.xml"
_ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class Seen:
    """One entry as the site feed shows it."""

    updated: str
    title: str
    url: str


@dataclass(frozen=True)
class FeedChanges:
    new: int
    updated: int
    removed: int
    total: int
    first: bool = False               # no earlier build to compare with

    def describe(self) -> str:
        if self.first:
            return f"feeds: {_entries(self.total)} (no earlier build to compare with)"
        new = f"{self.new} new {_entries(self.new, number=False)}"
        return f"feeds: {new}, {self.updated} updated, {self.removed} removed"


def _entries(count: int, *, number: bool = True) -> str:
    word = "entry" if count == 1 else "entries"
    return f"{count} {word}" if number else word


@dataclass
class _File:
    stamp: tuple[int, int]                       # size, modification time (ns)
    prev: str                                    # the older page, relative to output/ ("" at the end)
    entries: dict[str, Seen] = field(default_factory=dict)


def update(output_dir: Path, *, remember: bool = True) -> FeedChanges | None:
    """The site feed now against the last remembered build (None when there is no site feed, or when
    another run holds the output folder)."""
    from publish.lock import output_lock

    try:
        with output_lock(output_dir, wait=10):
            record = _load(output_dir)
            files = _read_chain(output_dir, record or {})
            if files is None:
                return None
            if remember and files != record:
                _save(output_dir, files)
    except LockedError:
        return None
    now = _all_entries(files)
    if record is None:
        return FeedChanges(0, 0, 0, len(now), first=True)
    before = _all_entries(record)
    return FeedChanges(new=len(now.keys() - before.keys()), removed=len(before.keys() - now.keys()),
                       updated=sum(1 for key in now.keys() & before.keys() if now[key].updated != before[key].updated),
                       total=len(now))


def renamed(output_dir: Path, articles: Iterable[Article], base_url: str, configured_id_base: str,
            *, syntax: str = "aliases") -> list[Problem]:
    """A warning for each article whose feed id the last build did not publish while an entry with its
    title disappeared: a likely rename, which readers would see as a new entry. Reads only the record."""
    record = _load(output_dir)
    if not record:
        return []
    articles = tuple(articles)
    base = id_base(base_url, configured_id_base)
    published = _all_entries(record)
    ids = {entry_id(article, base): article for article in articles}
    vanished: dict[str, Seen] = {}
    for key, seen in published.items():
        if key not in ids:
            vanished.setdefault(_title_key(seen.title), seen)
    base_path = urlsplit(base_url).path.rstrip("/")
    found = []
    for key, article in ids.items():
        old = vanished.get(_title_key(article.title))
        if key in published or old is None:
            continue
        path = urlsplit(old.url).path
        if base_path and path.startswith(base_path + "/"):
            path = path[len(base_path):]
        line = _alias_line(article, syntax, path)
        found.append(Problem("warning", article.source,
                             f"looks renamed from {path} (same title): feed readers will show it again as a new "
                             f"entry; to keep its feed id, add `{line}` to its front matter"))
    return found


def _alias_line(article: Article, syntax: str, path: str) -> str:
    quoted = json.dumps([path], ensure_ascii=False)
    try:
        toml = article.source.read_text(encoding="utf-8").lstrip("\ufeff").startswith("+++")
    except OSError:
        toml = False
    return f"{syntax} = {quoted}" if toml else f"{syntax}: {quoted}"


def _title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def _all_entries(files: Mapping[str, _File]) -> dict[str, Seen]:
    found: dict[str, Seen] = {}
    for item in files.values():
        for key, seen in item.entries.items():
            found.setdefault(key, seen)
    return found


def _read_chain(output_dir: Path, known: Mapping[str, _File]) -> dict[str, _File] | None:
    """Every file of the site's Atom feed, from the current one down the prev-archive links."""
    files: dict[str, _File] = {}
    relative = CURRENT
    while relative and relative not in files:
        path = output_dir / relative
        try:
            stat = path.stat()
        except OSError:
            break
        stamp = (stat.st_size, stat.st_mtime_ns)
        cached = known.get(relative)
        files[relative] = cached if cached is not None and cached.stamp == stamp else _parse(path, relative, stamp)
        relative = files[relative].prev
    return files or None


def _parse(path: Path, relative: str, stamp: tuple[int, int]) -> _File:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError):
        return _File(stamp, "")
    links = {link.get("rel"): link.get("href", "") for link in root.findall(f"{_ATOM}link")}
    own = links.get("self", "")
    base = own[: -len(relative)] if own.endswith("/" + relative) else ""     # the site's URL, with its "/"
    prev = links.get("prev-archive", "")
    entries: dict[str, Seen] = {}
    for entry in root.iter(f"{_ATOM}entry"):
        key = (entry.findtext(f"{_ATOM}id") or "").strip()
        alternate = [link.get("href", "") for link in entry.findall(f"{_ATOM}link")
                     if link.get("rel", "alternate") == "alternate" and link.get("type") in (None, "text/html")]
        if key:
            entries.setdefault(key, Seen((entry.findtext(f"{_ATOM}updated") or "").strip(),
                                         " ".join((entry.findtext(f"{_ATOM}title") or "").split()),
                                         alternate[-1] if alternate else ""))
    older = prev[len(base):] if base and prev.startswith(base) else ""
    return _File(stamp, older, entries)


def _load(output_dir: Path) -> dict[str, _File] | None:
    try:
        data = json.loads((output_dir / RECORD).read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return None
        return {str(name): _File((int(item["stamp"][0]), int(item["stamp"][1])), str(item["prev"]),
                                 {str(key): Seen(*map(str, seen)) for key, seen in item["entries"].items()})
                for name, item in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def _save(output_dir: Path, files: Mapping[str, _File]) -> None:
    data: dict[str, Any] = {"version": VERSION, "files": {
        name: {"stamp": list(item.stamp), "prev": item.prev,
               "entries": {key: [seen.updated, seen.title, seen.url] for key, seen in item.entries.items()}}
        for name, item in sorted(files.items())}}
    write_atomic(output_dir / RECORD, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
