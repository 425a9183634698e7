"""RSS 2.0, Atom 1.0 and JSON Feed 1.1, for the whole site and for every tag.

One task per group of feeds (the site, each tag), covering exactly the articles those feeds
hold, so editing an article rebuilds only the feeds that contain it. Every date comes from the
articles, never from the clock: an unchanged site gives byte-identical feeds and stable ETags.
This module gathers the data (`model.Feed`, `model.Entry`); atom_rss.py and json_feed.py write it.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from publish.config import FeedSettings
from publish.errors import PublishError
from publish.exporters.base import BuildContext, Exporter, Notice, Options, Task
from publish.exporters.feeds.model import Download, Entry, Feed, Picture
from publish.html import strip_forbidden
from publish.model import Article, Author, Image, Site, Tag

FILES = ("rss.xml", "atom.xml", "feed.json")            # per group, in this order
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif"}
ICON_WIDTH = 512                 # JSON Feed asks for a 512x512 icon
FAVICON_WIDTH = 64
LOGO_WIDTH = 1200
_C1_CONTROLS = re.compile("[\x80-\x9f]")


Context = BuildContext[FeedSettings, Options]


class FeedExporter(Exporter[FeedSettings, Options]):
    name = "feed"
    description = "RSS 2.0, Atom 1.0 and JSON Feed 1.1, site-wide and per tag"
    version = "1"
    settings: ClassVar[type[Any] | None] = FeedSettings

    def plan(self, ctx: Context) -> list[Task]:
        articles = ctx.collection.articles
        if not articles:
            return []
        limit = ctx.settings.limit
        shared: dict[str, Any] = {"downloads": dict(ctx.downloads),
                                  "brand": _brand_digest(ctx.site)}
        tasks = [self.task(ctx, "feed/site", FILES, articles[:limit], label="feeds", cost=20 + 15 * limit, scope="",
                           slugs=tuple(a.slug for a in articles[:limit]), **shared)]
        for tag in ctx.collection.tags:
            tagged = tuple(a for a in articles if any(t.slug == tag.slug for t in a.tags))[:limit]
            tasks.append(self.task(ctx, f"feed/tags/{tag.slug}", (f"tags/{tag.slug}/{f}" for f in FILES), tagged,
                                   label=f"feeds for tag {tag.name}", cost=20 + 15 * min(limit, len(tagged)),
                                   scope=tag.slug, tag_name=tag.name,
                                   slugs=tuple(a.slug for a in tagged), **shared))
        return tasks

    def prepare(self, ctx: Context) -> None:
        """Import the writers once, before the workers fork."""
        import importlib

        for module in ("feedgen.feed", "lxml.etree", "nh3", "publish.exporters.feeds.atom_rss",
                       "publish.exporters.feeds.json_feed"):
            importlib.import_module(module)

    def render(self, ctx: Context, task: Task) -> list[Notice]:
        from publish.exporters.feeds.atom_rss import atom_feed, rss_feed
        from publish.exporters.feeds.json_feed import json_feed

        warnings: list[Notice] = []
        feed = build_feed(ctx, task.params, warnings)
        writers = {"rss.xml": rss_feed, "atom.xml": atom_feed, "feed.json": json_feed}
        for relative in task.outputs:
            ctx.write(relative, writers[relative.rsplit("/", 1)[-1]](feed))
        return warnings


def build_feed(ctx: Context, params: Mapping[str, Any], warnings: list[Notice]) -> Feed:
    """Everything one group of feeds says, from the task's parameters and the collection."""
    site, config = ctx.site, ctx.config
    scope: str = params["scope"]
    prefix = f"tags/{scope}/" if scope else ""
    site_title = text(site.title or config.site_title)
    title = f"{site_title}: {text(params['tag_name'])}" if scope else site_title
    description = text(site.description) or site_title
    if scope:
        description = f"{description} (articles tagged {text(params['tag_name'])})"
    downloads = params["downloads"]
    entries = []
    for slug in params["slugs"]:
        article = ctx.collection.get(slug)
        if article is None:                     # planned from this same collection: cannot happen
            raise PublishError(f"article {slug!r} disappeared between planning and rendering")
        entries.append(_entry(ctx, article, downloads, warnings))
    icon, favicon, logo = (_brand_url(ctx, site.icon, ICON_WIDTH), _brand_url(ctx, site.icon, FAVICON_WIDTH),
                           _brand_url(ctx, site.logo, LOGO_WIDTH))
    epub = downloads.get("epub")
    return Feed(
        title=title, description=description, language=site.language, home_url=site.url("/"),
        urls={name: site.url(prefix + name) for name in FILES},
        updated=max(e.updated for e in entries), published=max(e.published for e in entries),
        author=text(site.author) or site_title, email=text(site.email),
        icon=icon, favicon=favicon, logo=logo,
        downloads=(Download(site.url(epub), "application/epub+zip", f"{site_title} (EPUB)"),) if epub else (),
        entries=tuple(entries))


def entry_id(site: Site, slug: str) -> str:
    """A name-based UUID of the site's host and path and the slug: titles, dates and the article URL
    pattern can change without readers seeing the entry as new."""
    parts = urlsplit(site.base_url)
    name = parts.netloc.lower() + parts.path.rstrip("/") + "/" + slug
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def text(value: str) -> str:
    """One line of plain text that XML 1.0 can carry."""
    return " ".join(_C1_CONTROLS.sub("", strip_forbidden(value)).split())


def feed_html(body: str) -> str:
    """Sanitized article HTML minus what the W3C feed validator calls a risk: `role` attributes
    (Pandoc's footnotes carry them) and C1 control characters (mis-decoded Windows-1252)."""
    import nh3

    from publish import html as allowed

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        return None if attribute == "role" else value

    return nh3.clean(_C1_CONTROLS.sub("", strip_forbidden(body)), tags=allowed.TAGS,
                     clean_content_tags=allowed.DROP_WITH_CONTENT, attributes=allowed.ATTRIBUTES,
                     attribute_filter=attribute_filter, url_schemes=allowed.URL_SCHEMES,
                     strip_comments=True, link_rel=None)


def feed_date(value: datetime) -> datetime:
    """Whole seconds, and a time zone whose offset RFC 3339 and RFC 822 can write."""
    value = value.replace(microsecond=0)
    offset = value.utcoffset()
    return value.astimezone(UTC) if offset is None or offset.seconds % 60 else value


def _entry(ctx: Context, article: Article, downloads: Mapping[str, str], warnings: list[Notice]) -> Entry:
    from publish.web import WEB_IMAGE_WIDTH, web_body

    content = None
    if ctx.settings.full_content:
        try:
            content = feed_html(web_body(article, ctx.image_url))
        except PublishError as exc:
            warnings.append(Notice(f"feeds carry only the excerpt: {exc.describe()}", article.source))
        if content is not None and not content.strip():     # an empty body: readers still get a text
            content = f"<p>{html.escape(text(article.excerpt) or text(article.title) or article.slug)}</p>"
    cover = None
    if article.cover is not None:
        try:
            cover = _picture(ctx, article.cover, WEB_IMAGE_WIDTH)
        except PublishError as exc:
            warnings.append(Notice(f"feeds have no cover image: {exc.describe()}", article.source))
    files = []
    if downloads.get("pdf"):
        files.append(Download(ctx.site.url(downloads["pdf"].format(slug=article.slug)), "application/pdf",
                              f"{text(article.title)} (PDF)"))
    published = feed_date(article.published)
    return Entry(
        id=entry_id(ctx.site, article.slug), url=article.url, title=text(article.title) or article.slug,
        summary=text(article.excerpt), content_html=content, published=published,
        updated=max(published, feed_date(article.modified)),
        tags=tuple(Tag(text(t.name) or t.slug, t.slug) for t in article.tags),
        language=article.language or ctx.site.language, cover=cover, downloads=tuple(files),
        authors=tuple(Author(text(a.name), text(a.email), a.url) for a in article.authors if text(a.name)))


def _picture(ctx: Context, image: Image, max_width: int) -> Picture:
    relative, width, height = ctx.web_image(image, max_width)
    length = (ctx.output_dir / relative).stat().st_size
    media_type = IMAGE_TYPES.get(Path(relative).suffix.lower(), "image/jpeg")
    return Picture(ctx.site.url(relative), media_type, length, width, height, text(image.alt))


def _brand_digest(site: Site) -> tuple[str, ...]:
    """What the icon and logo are made from, so replacing the file rebuilds the feeds."""
    return tuple(v.digest if isinstance(v, Image) else (v or "") for v in (site.icon, site.logo))


def _brand_url(ctx: Context, value: Image | str | None, max_width: int) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    relative, _, _ = ctx.web_image(value, max_width)
    return ctx.site.url(relative)

