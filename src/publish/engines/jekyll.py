"""Jekyll: `_config.yml` (its url, baseurl, title, author, time zone, language and permalink),
front matter defaults for posts, and `_data/authors.yml`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from publish.engines.common import Author, Engine, Found, Notes, author_of, frozen, read_data, text

CONFIG_FILES = ("_config.yml", "_config.yaml", "_config.toml")
AUTHOR_FILES = ("_data/authors.yml", "_data/authors.yaml", "_data/authors.json")
# Jekyll's built-in permalink styles (https://jekyllrb.com/docs/permalinks/#built-in-formats).
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


def is_jekyll(root: Path) -> bool:
    return any((root / name).is_file() for name in CONFIG_FILES)


def read(root: Path) -> Engine | None:
    name = next((n for n in CONFIG_FILES if (root / n).is_file()), None)
    if name is None:
        return None
    notes = Notes()
    config = read_data(root, name, notes) or {}
    files = [name]
    site: dict[str, Found] = {}

    url = (text(config.get("url")) or "").rstrip("/")
    baseurl = (text(config.get("baseurl")) or "").strip("/")
    base_path = ""
    if url.startswith(("http://", "https://")):
        site["base_url"] = Found(url + (f"/{baseurl}" if baseurl else ""), name)
    else:
        base_path = f"/{baseurl}" if baseurl else ""
        if url:
            notes.add(name, f"url {url!r} is not an absolute http(s) URL; not used")
    for key, names in (("title", ("title", "name")), ("description", ("description", "tagline"))):
        value = next((v for n in names if (v := text(config.get(n)))), None)
        if value:
            site[key] = Found(" ".join(value.split()), name)
    author = author_of(config.get("author"))
    if author is not None:
        site["author"] = Found(author.name, name)
        if author.email:
            site["email"] = Found(author.email, name)
    email = text(config.get("email"))
    if email and "email" not in site:
        site["email"] = Found(email, name)
    language = text(config.get("lang")) or text(config.get("locale"))
    if language:
        site["language"] = Found(language.replace("_", "-"), name)
    zone = text(config.get("timezone"))
    if zone:
        site["timezone"] = Found(zone, name)

    pattern, origin = _posts_permalink(config, name, notes)
    authors: dict[str, Author] = {}
    for candidate in AUTHOR_FILES:
        if (root / candidate).is_file():
            data = read_data(root, candidate, notes)
            if data is not None:
                files.append(candidate)
                authors = {str(key): found for key, value in data.items() if (found := author_of(value)) is not None}
            break
    variables = {k: v for k, v in config.items() if isinstance(k, str)}
    variables.setdefault("url", url)
    variables.setdefault("baseurl", f"/{baseurl}" if baseurl else "")
    return Engine(
        name="jekyll", files=tuple(files), site=frozen(site), base_path=base_path,
        permalinks=frozen({"": pattern}), permalink_origin=origin, variables=frozen(variables),
        authors=frozen(authors), defaults=frozen(_post_defaults(config.get("defaults"), notes, name)),
        notes=tuple(notes.items))


def _posts_permalink(config: dict[str, Any], origin: str, notes: Notes) -> tuple[str, str]:
    """The posts' pattern: `collections.posts.permalink`, else `permalink`, else the `date` style."""
    collections = config.get("collections")
    posts = collections.get("posts") if isinstance(collections, dict) else None
    value = posts.get("permalink") if isinstance(posts, dict) else None
    if value is None:
        value = config.get("permalink")
    if value is None:
        return STYLES["date"], "Jekyll's default"
    if not isinstance(value, str) or not value.strip():
        notes.add(origin, "permalink: expected a pattern or a style name; using Jekyll's default")
        return STYLES["date"], "Jekyll's default"
    return STYLES.get(value.strip(), value.strip()), origin


def _post_defaults(value: Any, notes: Notes, origin: str) -> list[dict[str, Any]]:
    """`defaults:` entries that apply to posts (type posts, or no type), in order."""
    if value is None:
        return []
    if not isinstance(value, list):
        notes.add(origin, "defaults: expected a list; ignored")
        return []
    kept = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
            continue
        scope: dict[str, Any] = entry["scope"] if isinstance(entry.get("scope"), dict) else {}
        if scope.get("type") not in (None, "", "posts"):
            continue
        kept.append({"path": str(scope.get("path") or "").strip("/"), "values": entry["values"]})
    return kept
