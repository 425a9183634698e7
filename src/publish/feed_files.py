"""Where the feeds and their RFC 5005 archive pages live under output/, for the feed exporter,
`publish serve`, `publish ping` and the build summary.

Every group of feeds (the site's at the top of output/, each tag's in `tags/<slug>/`) is three
files, `rss.xml`, `atom.xml` and `feed.json`, holding the newest `[feed] limit` entries. Older
entries are in archive pages, `archive/<n>/` beside them holding the same three files, numbered
from the oldest article (page 1 holds the oldest `limit` ones). Only the newest archive page is
ever partial, so every page before it is complete and never changes when articles are added.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

FEED_FILES = ("rss.xml", "atom.xml", "feed.json")
_ARCHIVE_PAGE = re.compile(r"(?:^|.*/)archive/([1-9][0-9]{0,8})/(?:rss\.xml|atom\.xml|feed\.json)")


def archive_folder(prefix: str, number: int) -> str:
    """The folder of archive page `number` of the group whose feeds are in `prefix` ("" or "tags/x/")."""
    return f"{prefix}archive/{number}/"


def is_feed(relative: str) -> bool:
    """A feed or an archive page, by name (as media types are decided)."""
    return PurePosixPath(relative).name in FEED_FILES


def archive_number(relative: str) -> int | None:
    """The page number of an archive page such as "tags/web/archive/3/atom.xml"; None for anything else."""
    match = _ARCHIVE_PAGE.fullmatch(relative)
    return int(match.group(1)) if match else None


def is_current_feed(relative: str) -> bool:
    """A feed readers subscribe to: not an archive page."""
    return is_feed(relative) and archive_number(relative) is None


def newer_page(relative: str) -> str | None:
    """The same file on the next newer archive page. A page is complete (its entries never change
    again) exactly when that page exists: the newest page, partial or empty, never has one."""
    number = archive_number(relative)
    if number is None:
        return None
    path = PurePosixPath(relative)
    return (path.parent.parent / str(number + 1) / path.name).as_posix()
