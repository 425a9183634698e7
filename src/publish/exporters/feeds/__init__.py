"""RSS 2.0, Atom 1.0 and JSON Feed 1.1, for the whole site and for every tag, with RFC 5005 archive pages.

One task per group of feeds (the site, each tag) and one per archive page (archive.py), each
covering exactly the articles it holds, so editing an article rebuilds only the feeds holding it.
Every date comes from the articles, never from the clock: an unchanged site gives byte-identical
feeds and stable ETags.
This module gathers the data (`model.Feed`, `model.Entry`); atom_rss.py and json_feed.py write it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin

from publish.config import FeedSettings
from publish.errors import PublishError
from publish.exporters.base import BuildContext, Exporter, Notice, Options, Task
from publish.exporters.feeds.model import Download, Entry, Feed, Picture
from publish.feed_files import FEED_FILES, archive_folder
from publish.feed_ids import entry_id, id_base, shared_ids
from publish.html import strip_forbidden
from publish.model import Article, Author, FrozenDict, Image, Site, Tag

FILES = FEED_FILES                       # per group and per archive page, in this order
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif"}
ICON_WIDTH = 512                 # JSON Feed asks for a 512x512 icon
FAVICON_WIDTH = 64
LOGO_WIDTH = 1200
_C1_CONTROLS = re.compile("[\x80-\x9f]")


Context = BuildContext[FeedSettings, Options]


class FeedExporter(Exporter[FeedSettings, Options]):
    name = "feed"
    description = "RSS 2.0, Atom 1.0 and JSON Feed 1.1, site-wide and per tag"
    version = "2"                        # 2: RFC 5005 archive pages, WebSub hubs, ids kept through aliases
    settings: ClassVar[type[Any] | None] = FeedSettings
    # What other formats link to: the site's feeds and each tag's ({tag}: the tag's slug).
    downloads = FrozenDict({"rss": "rss.xml", "atom": "atom.xml", "json-feed": "feed.json",
                            "tag-rss": "tags/{tag}/rss.xml", "tag-atom": "tags/{tag}/atom.xml",
                            "tag-json-feed": "tags/{tag}/feed.json"})
    imports = ("feedgen.feed", "lxml.etree", "nh3", "publish.exporters.feeds.atom_rss",
               "publish.exporters.feeds.json_feed")

    def plan(self, ctx: Context) -> list[Task]:
        articles = ctx.collection.articles
        if not articles:
            return []
        shared: dict[str, Any] = {"downloads": dict(ctx.downloads),
                                  "brand": _brand_digest(ctx.site)}
        base = id_base(ctx.site.base_url, ctx.settings.id_base)
        tasks = self._group_tasks(ctx, "", "", articles, shared, shared_ids=tuple(shared_ids(articles, base)))
        for tag in ctx.collection.tags:
            tagged = tuple(a for a in articles if any(t.slug == tag.slug for t in a.tags))
            tasks += self._group_tasks(ctx, tag.slug, tag.name, tagged, shared)
        return tasks

    def _group_tasks(self, ctx: Context, scope: str, tag_name: str, articles: tuple[Article, ...],
                     shared: dict[str, Any], **current_only: Any) -> list[Task]:
        """The current feeds of the site or a tag, and one task per archive page: a complete page's digest
        covers only its own articles, so a new article rewrites the current feeds and the newest page only."""
        from publish.exporters.feeds import archive

        limit = ctx.settings.limit
        prefix, key = (f"tags/{scope}/", f"feed/tags/{scope}") if scope else ("", "feed/site")
        label = f"feeds for tag {tag_name}" if scope else "feeds"
        naming = {"scope": scope, **({"tag_name": tag_name} if scope else {})}
        current, pages = archive.paginate(articles, limit)
        tasks = [self.task(ctx, key, (prefix + f for f in FILES), current, label=label,
                           cost=20 + 15 * len(current), slugs=tuple(a.slug for a in current), pages=len(pages),
                           **naming, **shared, **current_only)]
        for number, page in enumerate(pages, 1):
            folder = archive_folder(prefix, number)
            dated = page or pages[number - 2]        # an empty newest page takes the dates of the page before
            tasks.append(self.task(
                ctx, f"{key}/archive/{number}", (folder + f for f in FILES), page,
                label=f"{label}, archive page {number}", cost=20 + 15 * len(page),
                slugs=tuple(a.slug for a in page), **archive.page_params(number, len(pages)),
                dates=(max(feed_date(a.published) for a in dated).isoformat(),
                       max(max(feed_date(a.published), feed_date(a.modified)) for a in dated).isoformat()),
                **naming, **shared))
        return tasks

    def render(self, ctx: Context, task: Task) -> list[Notice]:
        from publish.exporters.feeds.atom_rss import atom_feed, rss_feed
        from publish.exporters.feeds.json_feed import json_feed

        warnings: list[Notice] = [Notice(w) for w in task.params.get("shared_ids", ())]
        feed = build_feed(ctx, task.params, warnings)
        writers = {"rss.xml": rss_feed, "atom.xml": atom_feed, "feed.json": json_feed}
        for relative in task.outputs:
            ctx.write(relative, writers[relative.rsplit("/", 1)[-1]](feed))
        return warnings


def build_feed(ctx: Context, params: Mapping[str, Any], warnings: list[Notice]) -> Feed:
    """Everything one group of feeds (or one of its archive pages) says, from the task's parameters and
    the collection."""
    from publish.exporters.feeds import archive

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
    by_slug = {a.slug: a for a in ctx.collection.articles}     # archive pages look up many articles
    for slug in params["slugs"]:
        article = by_slug.get(slug)
        if article is None:                     # planned from this same collection: cannot happen
            raise PublishError(f"article {slug!r} disappeared between planning and rendering")
        entries.append(_entry(ctx, article, downloads, warnings))
    icon, favicon, logo = (_brand_url(ctx, site.icon, ICON_WIDTH), _brand_url(ctx, site.icon, FAVICON_WIDTH),
                           _brand_url(ctx, site.logo, LOGO_WIDTH))
    epub = downloads.get("epub")
    history = archive.history(params, prefix, site.url)
    folder = archive.folder(params, prefix)
    published, updated = _feed_dates(entries, params)
    return Feed(
        title=title, description=description, language=site.language, home_url=site.url("/"),
        urls={name: site.url(folder + name) for name in FILES},
        updated=updated, published=published,
        author=text(site.author) or site_title, email=text(site.email),
        icon=icon, favicon=favicon, logo=logo,
        downloads=(Download(site.url(epub), "application/epub+zip", f"{site_title} (EPUB)"),) if epub else (),
        entries=tuple(entries), id=_feed_id(ctx, prefix), history=history,
        hubs=(ctx.settings.websub_hub,) if ctx.settings.websub_hub and not history.archive else ())


def _feed_dates(entries: list[Entry], params: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """The newest publication and update among the entries; an empty archive page has the dates of
    the page before it (never the clock)."""
    if entries:
        return max(e.published for e in entries), max(e.updated for e in entries)
    published, updated = params["dates"]
    return datetime.fromisoformat(published), datetime.fromisoformat(updated)


def _feed_id(ctx: BuildContext, prefix: str) -> str:
    """The Atom feed id: the current Atom feed's URL, on [feed] id_base when that is set."""
    return urljoin(id_base(ctx.site.base_url, ctx.settings.id_base) + "/", prefix + "atom.xml")


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
        id=entry_id(article, id_base(ctx.site.base_url, ctx.settings.id_base)), url=article.url,
        title=text(article.title) or article.slug,
        summary=text(article.excerpt), content_html=content, published=published,
        updated=max(published, feed_date(article.modified)),
        tags=tuple(Tag(text(t.name) or t.slug, t.slug) for t in article.tags),
        language=article.language or ctx.site.language, cover=cover, downloads=tuple(files),
        authors=tuple(Author(text(a.name), text(a.email), a.url) for a in article.authors if text(a.name)))


def _picture(ctx: Context, image: Image, max_width: int) -> Picture:
    relative, width, height = ctx.web_image(image, max_width)
    length = len(ctx.shared(relative))
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

