"""The EPUB exporter: one EPUB 3 book of all articles, or of a selection (tag, date range).

`publish all` and `publish epub` write `epub/<site-slug>.epub`; `--tag T` writes
`epub/<site-slug>-<tag-slug>.epub`; a date range alone writes
`epub/<site-slug>-<since>-<until>.epub`. The book itself is assembled in epub_book.py.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from publish.config import Config, EpubSettings
from publish.errors import ConfigError, ExportError
from publish.exporters.base import BuildContext, Exporter, Notice, Options, Task
from publish.model import Article, Collection, FrozenDict
from publish.text import site_slug


@dataclass(frozen=True)
class EpubOptions(Options):
    tag: str | None = None               # `--tag`: only articles with this tag (name or slug)
    since: datetime | None = None        # `--since`: only articles published on or after
    until: datetime | None = None        # `--until`: only articles published on or before
    required: bool = False               # `publish epub`: no article to put in the book is an error

    def everything(self) -> bool:
        return not (self.tag or self.since is not None or self.until is not None)


Context = BuildContext[EpubSettings, EpubOptions]


class EpubExporter(Exporter[EpubSettings, EpubOptions]):
    name: ClassVar[str] = "epub"
    description: ClassVar[str] = "EPUB 3 book of the articles, or of a tag or date range"
    version: ClassVar[str] = "1"
    theme_folder: ClassVar[str | None] = "epub"
    downloads: ClassVar[Mapping[str, str]] = FrozenDict({"epub": "epub/{site}.epub"})    # the whole site's book
    settings: ClassVar[type[Any] | None] = EpubSettings
    options: ClassVar[type[Options]] = EpubOptions

    def plan(self, ctx: Context) -> list[Task]:
        articles, tag_name, tag_slug = select(ctx)
        if not articles:
            if _is_selection(ctx) or ctx.options.required:
                raise ConfigError(_empty_message(ctx, tag_name), hint="see `publish list` for dates and tags")
            return []                                    # `publish all` on a site with no articles
        name = book_name(ctx, tag_slug)
        cover_digest = _cover_digest(ctx)
        return [self.task(ctx, f"epub/{name}", [f"epub/{name}.epub"], articles, label=f"epub/{name}.epub",
                          cost=100 + 0.0125 * sum(a.word_count for a in articles), name=name, tag=tag_slug or "",
                          since=_iso(ctx.options.since), until=_iso(ctx.options.until),
                          cover=cover_digest)]

    def prepare(self, ctx: Context) -> None:
        # Heavy imports once, before workers fork.
        from publish.exporters.epub import book as epub_book  # noqa: F401

    def render(self, ctx: Context, task: Task) -> list[Notice]:
        from publish.exporters.epub import book as epub_book

        articles, tag_name, _ = select(ctx)
        if not articles:
            raise ExportError("the selection has no articles")
        title = ctx.settings.title.strip() or ctx.config.site_title
        subtitle = tag_name or _range_words(ctx)
        selection = epub_book.Selection(
            name=task.params["name"], key=_selection_key(ctx, task.params["tag"]),
            title=f"{title}: {subtitle}" if subtitle else title, subtitle=subtitle, articles=tuple(articles))
        data, warnings = epub_book.build(ctx, selection)
        ctx.write(task.outputs[0], data)
        return warnings


def select(ctx: Context) -> tuple[list[Article], str, str]:
    """The selected articles in reading order, and the tag's display name and slug (or empty)."""
    collection: Collection = ctx.collection
    tag_query = (ctx.options.tag or "").strip()
    tag_name = tag_slug = ""
    if tag_query:
        tag = collection.find_tag(tag_query)
        if tag is None:
            raise ConfigError(f"no article has the tag {tag_query!r}", field="--tag",
                              hint=_known_tags(collection, tag_query))
        collection = collection.tagged(tag.slug)
        tag_name, tag_slug = tag.name, tag.slug
    since, until = ctx.options.since, ctx.options.until
    if since is not None or until is not None:
        collection = collection.between(since, until)
    articles = list(collection.articles)                  # newest first
    if ctx.settings.order == "oldest":
        articles.reverse()
    return articles, tag_name, tag_slug


def _site_slug(config: Config) -> str:
    return site_slug(config.site_title)


def site_book(config: Config) -> str:
    """The book of every article that `publish all` writes (feeds and emails link to it)."""
    return EpubExporter.downloads["epub"].format(site=_site_slug(config))


def book_name(ctx: Context, tag_slug: str) -> str:
    """`<site-slug>`, `<site-slug>-<tag-slug>`, plus the dates of a date selection."""
    parts = [_site_slug(ctx.config)]
    if tag_slug:
        parts.append(tag_slug)
    since, until = ctx.options.since, ctx.options.until
    if since is not None and until is not None:
        parts.append(f"{since.date().isoformat()}-{until.date().isoformat()}")
    elif since is not None:
        parts.append(f"since-{since.date().isoformat()}")
    elif until is not None:
        parts.append(f"until-{until.date().isoformat()}")
    return "-".join(parts)


def _is_selection(ctx: Context) -> bool:
    return not ctx.options.everything()


def _selection_key(ctx: Context, tag_slug: str) -> str:
    words = [f"tag:{tag_slug}"] if tag_slug else []
    for key, moment in (("since", ctx.options.since), ("until", ctx.options.until)):
        if moment is not None:
            words.append(f"{key}:{moment.date().isoformat()}")
    return "|".join(words) or "all"


def _range_words(ctx: Context) -> str:
    since, until = ctx.options.since, ctx.options.until
    if since is not None and until is not None:
        return f"{since.date().isoformat()} – {until.date().isoformat()}"
    if since is not None:
        return f"since {since.date().isoformat()}"
    if until is not None:
        return f"until {until.date().isoformat()}"
    return ""


def _known_tags(collection: Collection, query: str) -> str:
    names = [t.name for t in collection.tags]
    if not names:
        return "no article has any tags"
    close = difflib.get_close_matches(query, names + [t.slug for t in collection.tags], n=3, cutoff=0.5)
    known = f"known tags: {', '.join(names)}"
    return f"did you mean {', '.join(repr(c) for c in close)}? {known}" if close else known


def _empty_message(ctx: Context, tag_name: str) -> str:
    what = f"tagged {tag_name!r}" if tag_name else ""
    since, until = ctx.options.since, ctx.options.until
    if since is not None:
        what += f" published on or after {since.date().isoformat()}"
    if until is not None:
        what += f" published on or before {until.date().isoformat()}"
    return f"no published article {what.strip() or 'to put in the book'}; the EPUB would be empty"


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def _cover_digest(ctx: Context) -> str:
    """The configured cover's bytes belong in the task digest (its path alone is in the config's)."""
    return ctx.site.book_cover.digest if ctx.site.book_cover is not None else ""
