"""What a feed says, independent of its format: the feed and its entries (written out by
atom_rss.py and json_feed.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from publish.model import Author, Tag


@dataclass(frozen=True)
class Picture:
    url: str
    media_type: str
    length: int                  # bytes of the hosted file
    width: int
    height: int
    alt: str = ""


@dataclass(frozen=True)
class Download:
    """Another format of an entry or of the feed (PDF, EPUB)."""
    url: str
    media_type: str
    title: str


@dataclass(frozen=True)
class Entry:
    id: str                      # never changes when the title or a date is edited
    url: str
    title: str
    summary: str                 # plain text
    content_html: str | None     # None when feed.full_content is false
    published: datetime
    updated: datetime
    tags: tuple[Tag, ...]
    language: str
    cover: Picture | None
    downloads: tuple[Download, ...]
    authors: tuple[Author, ...] = ()


@dataclass(frozen=True)
class History:
    """RFC 5005 links of one feed document, as absolute URLs of the folders holding the three files
    ("" when there is none): `current` and `next_archive` on archive pages only."""
    archive: bool = False        # an archive page (fh:archive), not the current feed
    current: str = ""
    prev_archive: str = ""       # the next older archive page
    next_archive: str = ""       # the next newer archive page


@dataclass(frozen=True)
class Feed:
    title: str
    description: str
    language: str
    home_url: str
    urls: Mapping[str, str]      # file name in FILES -> absolute URL of that feed
    updated: datetime            # the newest entry's update, never the clock
    published: datetime          # the newest entry's publication
    author: str
    email: str
    icon: str                    # absolute URLs, "" when not configured
    favicon: str
    logo: str
    downloads: tuple[Download, ...]
    entries: tuple[Entry, ...]   # newest first
    id: str = ""                 # the Atom feed id (the same on every page of the feed)
    history: History = History()
    hubs: tuple[str, ...] = ()   # WebSub hubs (current feeds only)
