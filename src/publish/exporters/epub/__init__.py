"""The EPUB exporter: one EPUB 3 book of all articles, or of a selection (tag, date range).

`publish all` and `publish epub` write `epub/<site-slug>.epub`; `--tag T` writes
`epub/<site-slug>-<tag-slug>.epub`; a date range alone writes
`epub/<site-slug>-<since>-<until>.epub`. Each chapter is made by its own task (convert.py), the
cover by another (cover.py), and the book is assembled from them at the end (book.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace
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
    imports = ("publish.exporters.epub.book", "publish.exporters.epub.convert")

    def plan(self, ctx: Context) -> list[Task]:
        """Per book: one task per chapter (its entry under .publish/epub/<book>/), one for the cover,
        and the book, which needs them all and is assembled last."""
        from urllib.parse import urlsplit

        from publish.exporters.epub import places as epub_places
        from publish.exporters.epub.cover import CoverText
        from publish.exporters.epub.meta import BookFacts
        from publish.html import strip_forbidden

        articles, tag_name, tag_slug = select(ctx)
        if not articles:
            if _is_selection(ctx) or ctx.options.required:
                raise ConfigError(_empty_message(ctx, tag_name), hint="see `publish list` for dates and tags")
            return []                                    # `publish all` on a site with no articles
        name = book_name(ctx, tag_slug)
        language = epub_places.language_tag(ctx.site.language, "en")
        book = epub_places.places(articles, language)
        where = epub_places.by_path(book)
        site_host = urlsplit(ctx.site.base_url).netloc
        theme = ctx.themes.digest(epub_places.THEME_FOLDER)
        digests = {a.slug: a.digest for a in articles}
        chapters, keys = [], []
        for article, place in zip(articles, book, strict=True):
            linked = epub_places.targets(article, site_host, where)
            key = epub_places.chapter_key(article, place, language, theme, ctx.site.base_url, linked, digests)
            keys.append(key)
            chapters.append(self.task(ctx, f"epub/{name}/chapter/{article.slug}",
                                      [epub_places.entry_path(name, article.slug)], [article],
                                      label=f"epub/{name}.epub: {article.slug}", cost=_chapter_cost(article),
                                      part="chapter", slug=article.slug, place=place, targets=linked, chapter=key,
                                      theme=theme))
        subtitle = tag_name or _range_words(ctx)
        text = CoverText(title=ctx.settings.title.strip() or ctx.config.site_title, subtitle=strip_forbidden(subtitle),
                         dates=BookFacts.of(articles, chapters_with_math=0, has_notes=False).date_range,
                         author=strip_forbidden(ctx.site.author))
        cover_key = epub_places.cover_key(repr(text), _cover_digest(ctx), theme,
                                          repr([a.cover.digest for a in articles if a.cover is not None]))
        cover = self.task(ctx, f"epub/{name}/cover", [epub_places.cover_path(name)], label=f"epub/{name}.epub: cover",
                          cost=COVER_COST, part="cover", text=text, cover=cover_key)
        cover = replace(cover, articles=tuple(a.slug for a in articles))    # kept and pruned with its book
        book_task = self.task(ctx, f"epub/{name}", [f"epub/{name}.epub"], articles, label=f"epub/{name}.epub",
                              needs=(*(t.key for t in chapters), cover.key), cost=_book_cost(articles),
                              part="book", name=name, tag=tag_slug or "", since=_iso(ctx.options.since),
                              until=_iso(ctx.options.until), chapters=tuple(keys), text=text, cover=cover_key,
                              theme=theme)
        return [*chapters, cover, book_task]

    def render(self, ctx: Context, task: Task) -> list[Notice]:
        part = task.params.get("part")
        if part == "chapter":
            return _render_chapter(ctx, task)
        if part == "cover":
            return _render_cover(ctx, task)
        return _render_book(ctx, task)


def _render_chapter(ctx: Context, task: Task) -> list[Notice]:
    from publish.exporters.epub import convert

    article = ctx.collection.get(task.params["slug"])
    if article is None:
        raise ExportError(f"the article {task.params['slug']!r} is not in the collection")
    ctx.write(task.outputs[0], convert.chapter_entry(ctx, article, task.params["place"], task.params["targets"],
                                                     task.params["chapter"], task.params["theme"]))
    return []                            # its warnings are in the entry: the book says them, once


def _render_cover(ctx: Context, task: Task) -> list[Notice]:
    from publish.exporters.epub import cover as epub_cover
    from publish.exporters.epub import entries

    articles, tag_name, _ = select(ctx)
    image, alt = epub_cover.book_cover(ctx, _book_title(ctx, tag_name), task.params["text"], articles)
    ctx.write(task.outputs[0], entries.dump_cover(task.params["cover"], image, alt))
    return []


def _render_book(ctx: Context, task: Task) -> list[Notice]:
    from publish.exporters.epub import book as epub_book

    articles, tag_name, _ = select(ctx)
    if not articles:
        raise ExportError("the selection has no articles")
    if len(articles) != len(task.params["chapters"]):
        raise ExportError("the selection changed between planning and rendering the book")
    subtitle = tag_name or _range_words(ctx)
    selection = epub_book.Selection(
        name=task.params["name"], key=_selection_key(ctx, task.params["tag"]), title=_book_title(ctx, tag_name),
        subtitle=subtitle, articles=tuple(articles), chapters=task.params["chapters"], cover=task.params["text"],
        cover_key=task.params["cover"], theme=task.params["theme"])
    data, warnings = epub_book.build(ctx, selection)
    ctx.write(task.outputs[0], data)
    return warnings


def _book_title(ctx: Context, tag_name: str) -> str:
    title = ctx.settings.title.strip() or ctx.config.site_title
    subtitle = tag_name or _range_words(ctx)
    return f"{title}: {subtitle}" if subtitle else title


# Estimated milliseconds of CPU, measured on the 200-article benchmark corpus (the pipeline starts
# the slowest tasks first): a chapter is mostly parsing and its images' first conversion, the cover
# decodes up to nine pictures and encodes 1600 x 2400 pixels, the book reads, re-zips and deflates.
COVER_COST = 250.0


def _chapter_cost(article: Article) -> float:
    return 10 + 0.01 * article.word_count + 35 * (len(article.images) + (article.cover is not None))


def _book_cost(articles: list[Article]) -> float:
    return 50 + 2 * len(articles)


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
