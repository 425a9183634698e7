"""RFC 5005 archived feeds: which articles each archive page holds, and the links between pages.

The current feed of a group holds the newest `limit` articles. The rest are cut into pages of
`limit` counted from the oldest article, so page 1 holds the oldest ones and a page, once
complete, keeps exactly its articles whatever is published later. The newest page is the only
partial one; when the others fill it exactly, it is empty. That way a complete page always has a
newer page to link to (`next-archive`) and never changes when an article is added: it can be
cached forever. Layout of the files: feed_files.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from publish.exporters.feeds.model import History
from publish.feed_files import archive_folder

_T = TypeVar("_T")


def paginate(articles: Sequence[_T], limit: int) -> tuple[tuple[_T, ...], list[tuple[_T, ...]]]:
    """(the current feed's articles, the archive pages oldest first); newest first in each."""
    current = tuple(articles[:limit])
    archived = list(reversed(articles[limit:]))                     # oldest first
    if not archived:
        return current, []
    pages = [archived[start:start + limit] for start in range(0, len(archived), limit)]
    if len(archived) % limit == 0:
        pages.append([])                 # the newest page is never full: every full page links to a newer one
    return current, [tuple(reversed(page)) for page in pages]


def page_params(number: int, pages: int) -> dict[str, Any]:
    """What an archive page's task records about its place: only what never changes once complete."""
    return {"page": number, "complete": number < pages}


def history(params: Mapping[str, Any], prefix: str, url: Callable[[str], str]) -> History:
    """The RFC 5005 links of the current feed (page 0) or of an archive page, as folder URLs."""
    number = int(params.get("page", 0))
    if number == 0:
        pages = int(params.get("pages", 0))
        return History(prev_archive=url(archive_folder(prefix, pages)) if pages else "")
    return History(archive=True, current=url(prefix),
                   prev_archive=url(archive_folder(prefix, number - 1)) if number > 1 else "",
                   next_archive=url(archive_folder(prefix, number + 1)) if params.get("complete") else "")


def folder(params: Mapping[str, Any], prefix: str) -> str:
    """Where the task's three files go: the group's folder, or its archive page's."""
    number = int(params.get("page", 0))
    return archive_folder(prefix, number) if number else prefix
