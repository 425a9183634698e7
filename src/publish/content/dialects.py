"""Front matter field names of the blogs people already have, mapped onto the model.

Adding a dialect is adding names to this table; `[fields]` in the configuration puts a site's
own names in front of these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Model field -> front matter names, tried in order. Dotted names reach into objects.
FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "seo.title", "name"),
    "published": ("publishDate", "pubDate", "pubDatetime", "date", "published", "publishedAt",
                  "created", "createdAt"),
    "updated": ("updatedDate", "updateDate", "updated", "modDatetime", "lastmod", "last_modified_at", "updatedAt",
                "modified", "lastModified", "updatedDatetime"),
    "excerpt": ("excerpt", "description", "summary", "seo.description", "subtitle", "abstract"),
    "image": ("seo.image", "heroImage", "image", "cover.image", "coverImage", "cover", "ogImage",
              "featured_image", "featuredImage", "thumbnail", "banner", "img", "header.image",
              "header.teaser", "seo.og.image", "images"),
    "image_alt": ("seo.image.alt", "heroImageAlt", "imageAlt", "cover.alt", "coverImage.alt",
                  "image.alt", "ogImageAlt", "header.alt"),
    "tags": ("tags", "categories", "category", "keywords", "topics"),
    "draft": ("draft", "unpublished"),
    "expires": ("expiryDate", "expirydate", "expiry_date", "expires", "unpublishDate"),
    "featured": ("isFeatured", "featured", "pinned", "sticky"),
    "language": ("lang", "language", "locale"),
    "slug": ("slug",),
    "author": ("author", "authors"),
    "aliases": ("aliases", "redirect_from"),
    "feed_id": ("id",),
}
# Fields whose values from several names are merged rather than the first one winning.
MERGED = {"tags"}


def lookup(meta: Mapping[str, Any], name: str) -> Any:
    """`meta["a"]["b"]` for "a.b"; None where any step is missing."""
    value: Any = meta
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def first(meta: Mapping[str, Any], field: str, extra_names: Sequence[str] = ()) -> tuple[str | None, Any]:
    """(name, value) of the first name for `field` present with a value."""
    for name in (*extra_names, *FIELDS[field]):
        value = lookup(meta, name)
        if value is not None and value != "":
            return name, value
    return None, None


def all_values(meta: Mapping[str, Any], field: str, extra_names: Sequence[str] = ()) -> list[tuple[str, Any]]:
    return [(name, value) for name in (*extra_names, *FIELDS[field])
            if (value := lookup(meta, name)) is not None and value != ""]


def consumed_keys(meta: Mapping[str, Any], extra: Mapping[str, Sequence[str]]) -> set[str]:
    """Top-level keys the model understands; the rest go to Article.extra."""
    keys = {"seo", "layout"}
    for field, names in FIELDS.items():
        for name in (*extra.get(field, ()), *names):
            keys.add(name.split(".")[0])
    return keys & set(meta)
