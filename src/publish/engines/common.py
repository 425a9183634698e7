"""What the blog-engine readers share: the `Engine` they return and helpers to read the
engine's configuration files without ever failing on them."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from publish.model import EMPTY, Author, FrozenDict

EngineName = Literal["hugo", "jekyll", "astro", ""]
_MARKDOWN_LINK = re.compile(r"^\[([^\]]+)\]\((https?://[^)\s]+)\)$")


@dataclass(frozen=True)
class Found:
    """A site setting read from the blog's configuration, and the file that set it."""

    value: str
    origin: str                          # e.g. "hugo.toml", "config/_default/params.toml", "_config.yml"


@dataclass(frozen=True)
class Language:
    """One of a multilingual Hugo site's languages."""

    code: str                            # the key in `languages`: "zh", "pt-br"
    tag: str                             # BCP 47 tag for outputs: "zh-CN"
    prefix: str                          # URL prefix: "" for the default language, else "/zh"
    title: str = ""
    content_dir: str = ""                # relative to the site root, when the language has its own


@dataclass(frozen=True)
class Engine:
    """Everything publish uses from one blog engine's configuration."""

    name: EngineName = ""
    files: tuple[str, ...] = ()          # configuration files read, relative to the site root
    site: Mapping[str, Found] = EMPTY    # [site] keys (title, base_url, …) -> value and origin
    base_path: str = ""                  # "/minima" when the blog names a path but no host (Jekyll baseurl)
    paths: Mapping[str, Found] = EMPTY   # [paths] keys (content, public)
    # Hugo: section -> pattern ("" applies to every section); Jekyll: "" -> the posts' pattern.
    permalinks: Mapping[str, str] = EMPTY
    permalink_origin: str = ""
    languages: Mapping[str, Language] = EMPTY
    default_language: str = ""
    main_sections: tuple[str, ...] = ()  # Hugo; empty: the section with the most pages
    ugly_urls: bool = False              # Hugo: /posts/x.html instead of /posts/x/
    variables: Mapping[str, Any] = EMPTY  # Jekyll: `site.*` for Liquid
    authors: Mapping[str, Author] = EMPTY  # Jekyll `_data/authors.yml`: key -> author
    defaults: tuple[Mapping[str, Any], ...] = ()   # Jekyll front matter defaults for posts
    notes: tuple[str, ...] = ()          # settings that could not be used, for `publish check -v`

    def digest_data(self) -> dict[str, Any]:
        """What changes outputs (URLs, titles, authors, Liquid values), for the configuration digest."""
        return {
            "name": self.name, "site": {k: v.value for k, v in sorted(self.site.items())},
            "base_path": self.base_path,
            "permalinks": dict(sorted(self.permalinks.items())),
            "languages": {k: vars(v) for k, v in sorted(self.languages.items())},
            "default_language": self.default_language, "main_sections": list(self.main_sections),
            "ugly_urls": self.ugly_urls, "variables": _plain(self.variables),
            "authors": {k: [v.name, v.email, v.url] for k, v in sorted(self.authors.items())},
            "defaults": _plain(list(self.defaults)),
        }

    def language_of(self, code: str | None) -> Language | None:
        if not code or not self.languages:
            return None
        return self.languages.get(code.lower())


NO_ENGINE = Engine()


# Helpers shared by the readers --------------------------------------------------------------

@dataclass
class Notes:
    """Notes collected while reading, each naming its file."""

    items: list[str] = field(default_factory=list)

    def add(self, origin: str, text: str) -> None:
        self.items.append(f"{origin}: {text}")


def load_data_file(path: Path) -> Any:
    """A TOML, YAML or JSON file's data. Raises ValueError with a short reason."""
    import yaml

    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            return tomllib.loads(text)
        if suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text) or {}
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(first) from None


def read_data(root: Path, relative: str, notes: Notes) -> dict[str, Any] | None:
    """A configuration file's top-level mapping, or None (with a note) if it cannot be read."""
    path = root / relative
    try:
        data = load_data_file(path)
    except (OSError, UnicodeDecodeError) as exc:
        notes.add(relative, f"not read ({type(exc).__name__})")
        return None
    except ValueError as exc:
        notes.add(relative, f"not read: {exc}")
        return None
    if not isinstance(data, dict):
        notes.add(relative, "not read: expected a mapping at the top level")
        return None
    return data


def text(value: Any) -> str | None:
    """A setting as text: strings and numbers are accepted, anything else is not a usable value."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        result = str(value).strip()
        return result or None
    return None


def author_of(value: Any) -> Author | None:
    """`author: "Ada"`, `author: {name: Ada, email: …}` or a list of either (the first one)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        name = text(value.get("name") or value.get("displayname") or value.get("title"))
        if name is None:
            return None
        return Author(name, text(value.get("email")) or "", text(value.get("url") or value.get("uri")) or "")
    name = text(value)
    if name is None:
        return None
    link = _MARKDOWN_LINK.match(name)           # some themes write `author: "[Name](https://…)"`
    if link:
        return Author(link.group(1).strip(), "", link.group(2))
    return Author(name)


def frozen(value: Any) -> Any:
    """Mappings and lists made immutable (and picklable) for the frozen configuration."""
    if isinstance(value, dict):
        return FrozenDict({str(k): frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
