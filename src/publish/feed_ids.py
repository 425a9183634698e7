"""Feed entry ids that survive edits, renames and domain moves (for the feed exporter and `publish check`).

An entry's id is a name-based UUID of the site's host and path and a name. The name is the
article's slug, unless the front matter says otherwise:

* `id: …` wins: an IRI (`urn:uuid:…`, `tag:…`, `https://…`) is the id as written; any other
  text is a name, so `id: old-slug` gives the id the article had as `old-slug`;
* else the first old web path in `aliases` (Hugo) or `redirect_from` (Jekyll) names the old slug:
  its last path segment, without `index.html` or an `.html` suffix (`/blog/old-slug/`,
  `/2019/08/08/old-slug.html` and `old-slug` all give `old-slug`).

`[feed] id_base` takes the place of the site's base URL, so a domain move changes no id.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from publish.model import Article

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".php", ".md")


def id_base(base_url: str, configured: str) -> str:
    """The URL ids are made from: `[feed] id_base` when set, else the site's base URL."""
    return (configured or base_url).rstrip("/")


def entry_id(article: Article, base: str) -> str:
    """The id of the article's entry in every feed (Atom id, RSS guid, JSON Feed id)."""
    name = identity(article)
    if _IRI.fullmatch(name):
        return name
    return name_id(base, name)


def name_id(base: str, name: str) -> str:
    parts = urlsplit(base)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, parts.netloc.lower() + parts.path.rstrip('/') + '/' + name)}"


def identity(article: Article) -> str:
    """What the id is made from: `id`, else the old slug of the first usable alias, else the slug."""
    if article.feed_id:
        return article.feed_id
    return next((slug for slug in map(old_slug, article.aliases) if slug), article.slug)


def old_slug(path: str) -> str:
    """The slug an old web path was made from: its last segment ("" when it has none)."""
    parts = urlsplit(path.strip())
    segments = [unquote(s) for s in parts.path.split("/") if s and s != "."]
    if segments and segments[-1].lower() in ("index.html", "index.htm"):
        segments.pop()
    if not segments:
        return ""
    last = segments[-1]
    for suffix in _PAGE_SUFFIXES:
        if last.lower().endswith(suffix) and len(last) > len(suffix):
            return last[: -len(suffix)]
    return last


def shared_ids(articles: Iterable[Article], base: str) -> list[str]:
    """One message per id that several articles would share (readers would keep only one entry)."""
    owners: dict[str, list[str]] = {}
    for article in articles:
        owners.setdefault(entry_id(article, base), []).append(article.slug)
    return [f"articles {', '.join(repr(s) for s in sorted(slugs))} share the feed id {key} (from `slug`, `id`, "
            "`aliases` or `redirect_from`): feed readers will show only one of them; give each its own"
            for key, slugs in sorted(owners.items()) if len(slugs) > 1]
