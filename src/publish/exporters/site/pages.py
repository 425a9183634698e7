"""What the landing page and the tag pages show, as plain data for the theme's templates.

Every link between files of output/ is relative to the page that holds it; links to the blog are
the articles' absolute URLs. What other formats wrote is found through `ctx.downloads` (kind ->
path pattern, declared by the exporter that writes the files): a kind no installed exporter
declares is simply not linked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from publish.errors import PublishError
from publish.exporters.base import BuildContext, Notice
from publish.i18n import PageLabels, direction, labels_for, long_date, page_labels_for, primary
from publish.model import Article, Tag

INDEX = "index.html"
THUMBNAIL_WIDTH = 640          # shown at most 320 CSS pixels wide: sharp on high-density screens
ICON_WIDTH = 64                # the feeds' favicon: the same shared copy
EAGER_IMAGES = 4               # covers of the first articles load at once; the others when scrolled to
# (download kind, the feed's name, its media type), for the site and, with "tag-", for each tag
FEEDS = (("rss", "RSS", "application/rss+xml"), ("atom", "Atom", "application/atom+xml"),
         ("json-feed", "JSON Feed", "application/feed+json"))


@dataclass(frozen=True)
class Feed:
    name: str              # "RSS"
    media_type: str        # "application/rss+xml"
    href: str              # relative to the page
    url: str               # absolute: what a subscriber copies into a feed reader
    title: str             # of the autodiscovery link: "Field Notes (RSS)"


@dataclass(frozen=True)
class Link:
    kind: str              # "blog", "pdf", "epub", "email", "digest"
    label: str
    href: str


@dataclass(frozen=True)
class Picture:
    src: str
    width: int
    height: int
    alt: str
    eager: bool            # load at once (near the top of the page), not when scrolled to


@dataclass(frozen=True)
class TagLink:
    name: str
    slug: str
    href: str              # the tag's page
    count: int             # articles with the tag


@dataclass(frozen=True)
class Entry:
    slug: str
    id: str                # of the title element: other links to the article say which article they are for
    title: str
    url: str               # the article on the blog
    date: str              # "22 April 2025", in the page's language
    iso_date: str          # "2025-04-22"
    reading: str           # "5 min read"
    excerpt: str
    lang: str              # the article's language where it differs from the page's, else ""
    dir: str               # "rtl" or "ltr" where it differs from the page's, else ""
    tags: tuple[TagLink, ...]
    cover: Picture | None
    links: tuple[Link, ...]    # "Read on the blog", PDF, EPUB, email


def index_page(ctx: BuildContext[Any, Any], page: str, warnings: list[Notice]) -> dict[str, Any]:
    """The landing page: the site's feeds, newsletter and book, every article, every tag."""
    collection = ctx.collection
    context = _frame(ctx, page, _feeds(ctx, page, "", _site_title(ctx)))
    labels: PageLabels = context["labels"]
    newest = collection.articles[0]
    digest = _path(ctx, "digest", newest=newest.published.date().isoformat())
    epub = _path(ctx, "epub")
    counts = {tag.slug: sum(1 for a in collection if any(t.slug == tag.slug for t in a.tags))
              for tag in collection.tags}
    context.update(
        page_title=_site_title(ctx),
        digest=Link("digest", labels.latest_digest, _relative(digest, page)) if digest else None,
        digest_date=long_date(newest.published, context["lang"]),
        epub=Link("epub", labels.download_epub, _relative(epub, page)) if epub else None,
        articles=_entries(ctx, page, collection.articles, context, warnings),
        tags=tuple(_tag_link(ctx, tag, page, counts[tag.slug]) for tag in collection.tags))
    return context


def tag_page(ctx: BuildContext[Any, Any], page: str, slug: str, warnings: list[Notice]) -> dict[str, Any]:
    """A tag's page: its feeds and its articles."""
    tag = next(t for t in ctx.collection.tags if t.slug == slug)
    articles = tuple(a for a in ctx.collection if any(t.slug == slug for t in a.tags))
    context = _frame(ctx, page, _feeds(ctx, page, "tag-", f"{_site_title(ctx)}: {tag.name}", tag=slug))
    labels: PageLabels = context["labels"]
    heading = labels.tagged.format(tag=tag.name)
    context.update(page_title=f"{heading} – {_site_title(ctx)}", heading=heading,
                   tag=_tag_link(ctx, tag, page, len(articles)),
                   articles=_entries(ctx, page, articles, context, warnings))
    return context


def _frame(ctx: BuildContext[Any, Any], page: str, feeds: tuple[Feed, ...]) -> dict[str, Any]:
    """What every page's layout needs: languages, words, the site, its feeds, the way home."""
    site = ctx.site
    labels = page_labels_for(site.language or "en")
    # English words stand in for a language publish has none for: the page is then English, the site's
    # own text keeps its language.
    language = labels.lang or site.language or "en"
    site_lang = site.language if site.language and primary(site.language) != primary(language) else ""
    return {"lang": language, "dir": direction(language), "site_lang": site_lang, "labels": labels,
            "site_title": _site_title(ctx), "site_description": site.description, "blog_url": site.url("/"),
            "home": _relative(INDEX, page), "feeds": feeds, "icon": _icon(ctx, page)}


def _entries(ctx: BuildContext[Any, Any], page: str, articles: tuple[Article, ...], frame: dict[str, Any],
             warnings: list[Notice]) -> tuple[Entry, ...]:
    language: str = frame["lang"]
    labels: PageLabels = frame["labels"]
    minutes = labels_for(language).minutes
    epub = _path(ctx, "epub")
    all_tags = {tag.slug: tag for tag in ctx.collection.tags}
    entries = []
    for index, article in enumerate(articles):
        own = article.language or ctx.site.language or language
        differs = primary(own) != primary(language)
        links = [Link("blog", labels.read_on_blog, article.url)]
        for kind, label, path in (("pdf", labels.pdf, _path(ctx, "pdf", slug=article.slug)),
                                  ("epub", labels.in_epub, epub),
                                  ("email", labels.email_version, _path(ctx, "email", slug=article.slug))):
            if path:
                links.append(Link(kind, label, _relative(path, page)))
        entries.append(Entry(
            slug=article.slug, id=f"article-{article.slug}", title=article.title or article.slug, url=article.url,
            date=long_date(article.published, language), iso_date=article.published.date().isoformat(),
            reading=minutes.format(n=article.reading_minutes) if article.reading_minutes else "",
            excerpt=article.excerpt, lang=own if differs else "",
            dir=direction(own) if direction(own) != direction(language) else "",
            tags=tuple(_tag_link(ctx, all_tags.get(t.slug, t), page, 0) for t in article.tags),
            cover=_cover(ctx, article, page, eager=index < EAGER_IMAGES, warnings=warnings),
            links=tuple(links)))
    return tuple(entries)


def _cover(ctx: BuildContext[Any, Any], article: Article, page: str, *, eager: bool,
           warnings: list[Notice]) -> Picture | None:
    """The article's cover as a thumbnail from the shared image copies, or None (said in a warning
    when the image cannot be copied)."""
    if article.cover is None:
        return None
    try:
        relative, width, height = ctx.web_image(article.cover, THUMBNAIL_WIDTH)
    except PublishError as exc:
        warnings.append(Notice(f"the landing page shows no cover for this article: {exc.describe()}",
                               article.source))
        return None
    return Picture(_relative(relative, page), width, height, article.cover.alt, eager)


def _icon(ctx: BuildContext[Any, Any], page: str) -> str:
    """The site's icon for the browser tab; without one an empty data URL, so browsers ask for no
    /favicon.ico that is not there."""
    icon = ctx.site.icon
    if isinstance(icon, str):
        return icon
    if icon is not None:
        try:
            return _relative(ctx.web_image(icon, ICON_WIDTH)[0], page)
        except PublishError:            # the feeds' build says what is wrong with it
            pass
    return "data:,"


def _feeds(ctx: BuildContext[Any, Any], page: str, prefix: str, title: str, **values: str) -> tuple[Feed, ...]:
    feeds = []
    for kind, name, media_type in FEEDS:
        path = _path(ctx, prefix + kind, **values)
        if path:
            feeds.append(Feed(name, media_type, _relative(path, page), ctx.site.url(path), f"{title} ({name})"))
    return tuple(feeds)


def tag_page_path(slug: str) -> str:
    return f"tags/{slug}/index.html"


def _tag_link(ctx: BuildContext[Any, Any], tag: Tag, page: str, count: int) -> TagLink:
    return TagLink(tag.name, tag.slug, _relative(tag_page_path(tag.slug), page), count)


def _site_title(ctx: BuildContext[Any, Any]) -> str:
    return ctx.site.title or ctx.config.site_title


def _path(ctx: BuildContext[Any, Any], kind: str, **values: str) -> str | None:
    """The output-relative path another exporter declared for `kind`, its placeholders filled; None when
    no exporter declares it, or its pattern needs a value this page does not have or leaves output/."""
    pattern = ctx.downloads.get(kind)
    if not pattern:
        return None
    try:
        path = pattern.format_map(values)
    except (KeyError, IndexError, ValueError):
        return None
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or ".." in parts or "\\" in path:
        return None
    return path


def _relative(path: str, page: str) -> str:
    """`path` (relative to output/) as a link from `page` (relative to output/ too)."""
    return "../" * page.count("/") + quote(path)
