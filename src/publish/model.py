"""The typed, immutable intermediate model every exporter receives.

Exporters never see raw front matter: only a Collection of Articles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urljoin


class FrozenDict(dict):  # type: ignore[type-arg]
    """A read-only dict that still pickles (MappingProxyType does not), for worker processes."""

    def _readonly(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("the model is immutable")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=repr)))


EMPTY: Mapping[str, Any] = FrozenDict()


@dataclass(frozen=True, slots=True)
class Tag:
    name: str          # as the author wrote it: "Café Culture"
    slug: str          # URL-safe: "cafe-culture"

    def matches(self, query: str) -> bool:
        q = query.strip().casefold()
        return q in (self.name.casefold(), self.slug.casefold())


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    email: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    path: Path         # the resolved file, inside the site root
    alt: str
    width: int
    height: int
    format: str        # Pillow's name: "JPEG", "PNG", "WEBP", "GIF"
    digest: str        # sha256 of the file's bytes
    source: str = ""   # as written in the article

    @property
    def aspect(self) -> float:
        return self.width / self.height if self.height else 1.0


@dataclass(frozen=True, slots=True)
class Heading:
    level: int         # 2..6 after renumbering; the article title is the only h1
    text: str
    id: str


@dataclass(frozen=True, slots=True)
class Site:
    title: str
    description: str
    base_url: str      # no trailing slash
    author: str
    email: str
    language: str
    timezone: str
    article_url: str   # "/blog/{slug}/"
    icon: Image | str | None = None     # square icon for feeds: an image of the site, or an http(s) URL
    logo: Image | str | None = None     # wide logo for feeds, likewise
    book_cover: Image | None = None     # [epub] cover, when the site names one
    titles: Mapping[str, str] = field(default=EMPTY)   # language tag -> the site's title in it (Hugo)

    def url(self, path: str) -> str:
        """An absolute URL for a site path such as "/rss.xml" or "images/x.jpg"."""
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def title_for(self, language: str) -> str:
        """The site's title in an article's language, where the blog names one."""
        return self.titles.get(language, self.title) if language else self.title


@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    title: str
    excerpt: str
    published: datetime                  # time-zone aware
    updated: datetime | None
    featured: bool
    draft: bool
    tags: tuple[Tag, ...]
    cover: Image | None
    body_html: str                       # Pandoc's HTML: headings renumbered, links to articles canonical
    headings: tuple[Heading, ...]
    images: Mapping[str, Image]          # body <img src> value -> resolved local image
    links: tuple[str, ...]               # slugs of the articles this one links to
    word_count: int
    reading_minutes: int
    language: str
    source: Path
    digest: str                          # of every input that affects the outputs
    url: str                             # absolute web URL of the article
    authors: tuple[Author, ...] = ()     # from the front matter, else the site's author
    extra: Mapping[str, Any] = field(default=EMPTY)

    @property
    def modified(self) -> datetime:
        return self.updated or self.published

    @property
    def path(self) -> str:
        """The article's path on the web site, e.g. "/blog/slug/"."""
        from urllib.parse import urlsplit
        return urlsplit(self.url).path


@dataclass(frozen=True, slots=True)
class Collection:
    site: Site
    articles: tuple[Article, ...]        # newest first

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.articles, key=lambda a: (a.published, a.slug), reverse=True))
        object.__setattr__(self, "articles", ordered)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)

    def get(self, slug: str) -> Article | None:
        return next((a for a in self.articles if a.slug == slug), None)

    @property
    def tags(self) -> tuple[Tag, ...]:
        """Every tag used, in order of first appearance by slug."""
        seen: dict[str, Tag] = {}
        for article in sorted(self.articles, key=lambda a: a.slug):
            for tag in article.tags:
                seen.setdefault(tag.slug, tag)
        return tuple(sorted(seen.values(), key=lambda t: t.slug))

    def tagged(self, query: str) -> Collection:
        return Collection(self.site, tuple(a for a in self.articles if any(t.matches(query) for t in a.tags)))

    def between(self, since: datetime | None = None, until: datetime | None = None) -> Collection:
        return Collection(self.site, tuple(
            a for a in self.articles
            if (since is None or a.published >= since) and (until is None or a.published <= until)))

    def find_tag(self, query: str) -> Tag | None:
        return next((t for t in self.tags if t.matches(query)), None)
