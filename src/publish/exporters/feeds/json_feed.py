"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written by hand in the specification's key order."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from publish.exporters.feeds.model import Entry, Feed

VERSION = "https://jsonfeed.org/version/1.1"
_HTML_SAFE = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"))


def json_feed(feed: Feed) -> bytes:
    authors = [{"name": feed.author, "url": feed.home_url}]
    history = feed.history
    document: dict[str, Any] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        # The feed's identity: an archive page names the current feed (a reader subscribes to that).
        "feed_url": history.current + "feed.json" if history.archive else feed.urls["feed.json"],
        "description": feed.description,
    }
    if history.prev_archive:                 # JSON Feed's pagination: the next page holds older items
        document["next_url"] = history.prev_archive + "feed.json"
    if feed.icon:
        document["icon"] = feed.icon
        document["favicon"] = feed.favicon
    document["authors"] = authors
    document["author"] = authors[0]          # JSON Feed 1.0 readers know only the singular (allowed by 1.1)
    document["language"] = feed.language
    if feed.hubs:
        document["hubs"] = [{"type": "WebSub", "url": hub} for hub in feed.hubs]
    document["items"] = [_item(feed, entry) for entry in feed.entries]
    written = json.dumps(document, ensure_ascii=False, indent=2)
    # <, > and & occur only inside strings here: escaped, no markup appears raw even to a careless consumer.
    for character, escape in _HTML_SAFE:
        written = written.replace(character, escape)
    return (written + "\n").encode("utf-8")


def _item(feed: Feed, entry: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.id, "url": entry.url, "title": entry.title}
    if entry.content_html:
        item["content_html"] = entry.content_html
    else:                                    # JSON Feed requires one of the two, even for an empty body
        item["content_text"] = entry.summary or entry.title
    item["summary"] = entry.summary
    if entry.cover is not None:
        item["image"] = entry.cover.url
    if entry.authors:
        item["authors"] = [{"name": a.name, **({"url": a.url} if a.url else {})} for a in entry.authors]
    item["date_published"] = _date(entry.published)
    item["date_modified"] = _date(entry.updated)
    if entry.tags:
        item["tags"] = [tag.name for tag in entry.tags]
    if entry.language != feed.language:
        item["language"] = entry.language
    attachments = [{"url": d.url, "mime_type": d.media_type, "title": d.title}
                   for d in (*entry.downloads, *feed.downloads)]
    if attachments:
        item["attachments"] = attachments
    return item


def _date(value: datetime) -> str:
    """RFC 3339 with the article's own offset ("Z" for UTC)."""
    written = value.isoformat()
    return written[:-6] + "Z" if written.endswith("+00:00") else written
