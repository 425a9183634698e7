"""One article file -> front matter mapped onto the model (phase 1) -> a finished Article (phase 2)."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from publish.config import Config
from publish.content import dialects
from publish.content.cleanup import clean
from publish.content.dates import DateProblem, parse_date
from publish.content.frontmatter import split
from publish.content.slugs import is_safe_segment, slug_from_filename, slugify
from publish.content.urls import article_path
from publish.engines import Engine, author_of
from publish.engines.permalinks import PageFacts
from publish.errors import ContentError
from publish.html import strip_controls
from publish.model import Author, FrozenDict, Image, Tag

_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_LEADING_H1 = re.compile(r"\A\s*#\s+(.+?)\s*#*\s*\n")


@dataclass
class Draft:
    """What phase 1 learns from one file: enough to know every slug before bodies are converted."""

    source: Path
    relative: str                        # posix path relative to the content folder
    raw: bytes
    slug: str
    title: str
    excerpt: str
    published: datetime
    updated: datetime | None
    draft: bool
    featured: bool
    tags: tuple[Tag, ...]
    language: str
    image_source: str | None
    image_alt: str
    extra: dict[str, Any]
    body: str
    warnings: list[str] = field(default_factory=list)
    path: str = ""                       # site-relative web path, as the blog's engine publishes it
    authors: tuple[Author, ...] = ()
    image_field: str = ""                # the front matter field that names the cover ("" if none)
    section: str = ""                    # the first folder under the content folder
    expires: datetime | None = None      # Hugo's expiryDate: not published from then on
    controls: int = 0                    # control characters and noncharacters removed so far
    aliases: tuple[str, ...] = ()        # earlier web paths (`aliases`, `redirect_from`)
    feed_id: str = ""                    # `id`: the feed id to keep


def read_front(source: Path, content_dir: Path, config: Config, zone: tzinfo) -> Draft:
    """Phase 1: decode, split and map the front matter. Raises ContentError naming the problem."""
    raw = source.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line})", path=source,
                           line=line, hint="save the file as UTF-8") from None
    warnings = []
    text, controls = strip_controls(text)          # raw ones: YAML and TOML refuse them
    parsed = split(text, source)
    meta, escaped = without_controls(parsed.meta)  # written as escapes: "\e", "\u009b"
    controls += escaped
    meta = _with_defaults(meta, config, source)
    cleaned = clean(parsed.body, mdx=source.suffix.lower() == ".mdx", site=config.engine.variables, page=meta)
    body = cleaned.markdown
    if (leftover := cleaned.warning()) is not None:
        warnings.append(leftover)
    extra_names = config.fields.__dict__

    def pick(name: str) -> tuple[str | None, Any]:
        return dialects.first(meta, name, extra_names.get(name, ()))

    relative = source.relative_to(content_dir).as_posix() if source.is_relative_to(content_dir) else source.name
    engine = config.engine
    stem, variant = _language_variant(source.stem, engine.languages)
    place = _place(source, content_dir, config, stem)
    variant = variant or place.language
    bundle = stem == "index" and source.parent != content_dir
    if bundle:                                                # Hugo page bundle: the folder names it
        stem = source.parent.name
    file_slug, file_date = slug_from_filename(stem)
    # Hugo keeps a date at the start of a file name in the URL; Jekyll's posts never show it.
    filename = stem[len(file_date) + 1:] if file_date and engine.name != "hugo" else stem
    default_language = (engine.default_language or config.site.language).lower()
    suffix = ""
    if variant and variant.lower() not in (default_language, config.site.language.lower()):
        suffix = f"-{variant.lower()}"                          # index.zh.md beside index.md

    if _is_page(meta, engine.name):
        raise NotAnArticle(f"{source.name} is a page, not an article")
    _, title_value = pick("title")
    if isinstance(title_value, (int, float)) and not isinstance(title_value, bool):
        title_value = str(title_value)
    if not isinstance(title_value, str) or not title_value.strip():
        title_value = _untitled(body, filename, engine.name, warnings)
    if not isinstance(title_value, str) or not title_value.strip():
        raise ContentError("missing title", path=source, field="title", hint="add `title: ...` to the front matter")
    title = " ".join(title_value.split())
    leading = _LEADING_H1.match(body)
    if leading and " ".join(leading.group(1).split()) == title:
        body = body[leading.end():]      # the title is rendered by every format already

    _, slug_value = pick("slug")
    if slug_value is not None:
        slug = str(slug_value).strip()
        if engine.name in ("hugo", "jekyll") and not is_safe_segment(slug):
            slug = slugify(slug)          # the engine makes its URL from it; publish needs a file name
        if not is_safe_segment(slug):
            raise ContentError(f"slug {slug!r} is not a single safe path segment", path=source, field="slug",
                               hint="use lowercase letters, digits and hyphens, e.g. 'my-first-post'")
        slug += suffix                    # language variants may share their slug
    else:
        slug = file_slug + suffix
        if not slug or not is_safe_segment(slug):
            raise ContentError(f"cannot make a slug from the file name {source.name!r}", path=source,
                               hint="rename the file or add `slug: my-post` to the front matter")

    published_name, published_value = pick("published")
    draft = False
    if isinstance(published_value, bool):           # Jekyll: `published: false` means unpublished
        draft = not published_value
        published_name, published_value = _first_non_bool(meta, "published", extra_names.get("published", ()))
    if published_value is None and file_date is not None:
        published_name, published_value = "file name", file_date
    if published_value is None and "_drafts" in source.parts:
        published_name, published_value = "file time", datetime.fromtimestamp(source.stat().st_mtime, zone)
    if published_value is None and _has_page_layout(meta):
        raise NotAnArticle(f"{source.name} is a page (layout: {meta.get('layout')}), not an article")
    if published_value is None:
        field_name = "publishDate" if engine.name not in ("hugo", "jekyll") else "date"
        raise ContentError("missing publish date", path=source, field=field_name,
                           hint=f"add `{field_name}: 2024-02-18` to the front matter")
    try:
        published = _date(published_value, zone, source, published_name or "date")
    except ContentError as exc:
        if file_date is None or published_name == "file name":
            raise
        # Jekyll reads the file name's date when the front matter's is odd; so does publish, saying so.
        warnings.append(f"{exc.field}: {exc.message}; using the date in the file name, {file_date}")
        published = _date(file_date, zone, source, "file name")
    expires_name, expires_value = pick("expires")
    expires = _date(expires_value, zone, source, expires_name or "expiryDate") if expires_value is not None else None
    updated_name, updated_value = pick("updated")
    updated = _date(updated_value, zone, source, updated_name or "updatedDate") if updated_value is not None else None

    _, excerpt_value = pick("excerpt")
    excerpt = " ".join(str(excerpt_value).split()) if excerpt_value is not None else ""

    draft_name, draft_value = pick("draft")
    if draft_value is not None:
        draft = draft or _bool(draft_value, source, draft_name or "draft")
    if "_drafts" in source.parts:
        draft = True
    featured_name, featured_value = pick("featured")
    featured = _bool(featured_value, source, featured_name or "featured") if featured_value is not None else False

    tags = _tags(meta, extra_names.get("tags", ()), warnings, split_words=engine.name == "jekyll")

    lang_name, lang_value = pick("language")
    known = engine.language_of(variant)
    language = known.tag if known else variant or config.site.language
    if lang_value is not None:
        if isinstance(lang_value, str) and _LANG.match(lang_value.strip()):
            language = lang_value.strip().replace("_", "-")
        else:
            warnings.append(f"{lang_name}: {lang_value!r} is not a language tag such as 'en' or 'pt-BR'; "
                            f"using {language!r}")

    image_field, image_source, image_alt = _image(meta, extra_names.get("image", ()))
    aliases, feed_id = _identity(meta, warnings)
    extra = {k: v for k, v in meta.items() if k not in dialects.consumed_keys(meta, extra_names)}
    _, front_slug = pick("slug")
    facts = PageFacts(slug=slug, title=title, date=_url_date(meta, engine, published, zone),
                      sections=place.sections, filename=filename,
                      front_slug=str(front_slug).strip() if front_slug is not None else "",
                      categories=_categories(meta, place.categories) if engine.name == "jekyll" else (),
                      path=relative.rsplit(".", 1)[0])
    path = article_path(config, facts, meta, variant)
    return Draft(source=source, relative=relative, raw=raw, slug=slug, title=title, excerpt=excerpt,
                 published=published, updated=updated, draft=draft, featured=featured, tags=tags,
                 language=language, image_source=image_source, image_alt=image_alt, extra=extra,
                 body=body, warnings=warnings, path=path, authors=_authors(meta, engine),
                 image_field=image_field, section=place.sections[0] if place.sections else "", expires=expires,
                 controls=controls, aliases=aliases, feed_id=feed_id)


POST_LAYOUTS = {"post", "posts", "single", "article", "blog", "default"}
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
# Jekyll's `Utils.titleize_slug`: every hyphen-separated word capitalized.
_JEKYLL_WORD = re.compile(r"[^-]+")


class NotAnArticle(ContentError):
    """A page of the site (about, archives, search) rather than a dated article: skipped quietly."""


@dataclass(frozen=True)
class _Place:
    sections: tuple[str, ...]            # folders under the content folder (a bundle's own folder excluded)
    language: str | None = None          # Hugo: the language whose content folder holds the file
    categories: tuple[str, ...] = ()     # Jekyll: folders above _posts


def _place(source: Path, content_dir: Path, config: Config, stem: str) -> _Place:
    engine = config.engine
    try:
        parts = source.relative_to(content_dir).parts[:-1]
    except ValueError:
        parts = ()
    language = None
    for code, known in engine.languages.items():
        folder = (config.root / known.content_dir).resolve() if known.content_dir else None
        if folder is not None and folder != content_dir and source.is_relative_to(folder):
            language, parts = code, source.relative_to(folder).parts[:-1]
            break
    if stem == "index" and parts:
        parts = parts[:-1]
    categories: tuple[str, ...] = ()
    if engine.name == "jekyll" and "_posts" in source.parts:
        above = source.relative_to(config.root).parts if source.is_relative_to(config.root) else ()
        categories = tuple(above[:above.index("_posts")]) if "_posts" in above else ()
    return _Place(tuple(parts), language, categories)


def _is_page(meta: dict[str, Any], engine: str) -> bool:
    """A Hugo page rather than an article: `type: page`, `layout: page`, `headless: true` and pages
    that are never rendered. (Everything in Jekyll's _posts is a post, whatever its layout.)"""
    if engine == "hugo":
        kinds = {str(meta.get(key) or "").strip().lower() for key in ("type", "layout")}
        if "page" in kinds or meta.get("headless") is True:
            return True
        for key in ("_build", "build"):
            options = meta.get(key)
            if isinstance(options, dict) and str(options.get("render", "")).lower() in ("never", "false"):
                return True
    return False


def _with_defaults(meta: dict[str, Any], config: Config, source: Path) -> dict[str, Any]:
    """Jekyll's front matter `defaults:` for posts, under what the post sets itself."""
    if not config.engine.defaults or not source.is_relative_to(config.root):
        return meta
    relative = source.relative_to(config.root).as_posix()
    merged: dict[str, Any] = {}
    for entry in config.engine.defaults:
        scope = entry["path"]
        if not scope or relative == scope or relative.startswith(scope.rstrip("/") + "/"):
            merged.update(entry["values"])
    return {**merged, **meta}


def _has_page_layout(meta: dict[str, Any]) -> bool:
    layout = meta.get("layout")
    return isinstance(layout, str) and layout.strip().lower() not in POST_LAYOUTS


def _untitled(body: str, filename: str, engine: str, warnings: list[str]) -> str | None:
    """A title the way the blog's engine finds one: Jekyll from the file name, Hugo from the first
    heading (else the file name, with one warning); elsewhere only a leading `# Title`."""
    if engine == "jekyll":
        return " ".join(word.capitalize() for word in _JEKYLL_WORD.findall(filename))
    if engine == "hugo":
        heading = _first_heading(body)
        if heading:
            warnings.append(f"no title in the front matter; using the first heading {heading!r} "
                            "(add `title = \"…\"` to the front matter)")
            return heading
        title = " ".join(word.capitalize() for word in _JEKYLL_WORD.findall(filename.replace("_", "-")))
        warnings.append(f"no title in the front matter; using the file name {title!r} "
                        "(add `title = \"…\"` to the front matter)")
        return title
    match = _LEADING_H1.match(body)
    return match.group(1) if match else None


def _first_heading(body: str) -> str | None:
    fence = None
    for line in body.splitlines():
        marker = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if marker:
            fence = None if fence and marker.group(1)[0] == fence else (fence or marker.group(1)[0])
            continue
        if fence is None:
            match = _HEADING.match(line)
            if match:
                return " ".join(match.group(1).split())
    return None


def _url_date(meta: dict[str, Any], engine: Engine, published: datetime, zone: tzinfo) -> datetime:
    """The date a permalink is made from: Hugo's `.Date` is the `date` field when there is one, in
    its own offset; Jekyll with a `timezone` formats every date in that zone."""
    value = meta.get("date")
    if engine.name == "hugo" and value is not None and not isinstance(value, bool):
        try:
            return parse_date(value, zone)
        except DateProblem:
            return published
    if engine.name == "jekyll" and "timezone" in engine.site:
        return published.astimezone(zone)
    return published


def _categories(meta: dict[str, Any], folders: tuple[str, ...]) -> tuple[str, ...]:
    """Jekyll's categories: the folders above _posts, then `category`/`categories` (a list, or words)."""
    found = list(folders)
    for name in ("category", "categories"):
        value = meta.get(name)
        if isinstance(value, str):
            found.extend(value.split() if name == "categories" else [value])
        elif isinstance(value, list):
            found.extend(str(v) for v in value if isinstance(v, (str, int, float)) and not isinstance(v, bool))
    return tuple(dict.fromkeys(c.strip() for c in found if c.strip()))


def _authors(meta: dict[str, Any], engine: Engine) -> tuple[Author, ...]:
    """`author`/`authors` (text, list, or tables with a name); a Jekyll key names an entry of
    `_data/authors.yml`; Hugo themes also write `params.author`."""
    values: list[Any] = []
    for name in ("authors", "author"):
        value = dialects.lookup(meta, name)
        if value is None and engine.name == "hugo":
            value = dialects.lookup(meta, f"params.{name}")
        if value is not None and value != "":
            values.extend(value if isinstance(value, list) else [value])
            break
    found: dict[str, Author] = {}
    for value in values:
        if isinstance(value, str) and value.strip() in engine.authors:
            author: Author | None = engine.authors[value.strip()]
        else:
            author = author_of(value)
        if author is not None:
            found.setdefault(author.name.casefold(), Author(" ".join(author.name.split()), author.email, author.url))
    return tuple(found.values())


_VARIANT = re.compile(r"^(.+)\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)$")


def _language_variant(stem: str, known: Mapping[str, Any]) -> tuple[str, str | None]:
    """Hugo's `post.fr.md` / `index.zh-cn.md`: the stem and the language it is written in."""
    match = _VARIANT.match(stem)
    if match is None or (known and match.group(2).lower() not in known):
        return stem, None                    # a site with languages names them all
    return match.group(1), match.group(2)


def _first_non_bool(meta: dict[str, Any], field_name: str, extra: Any) -> tuple[str | None, Any]:
    for name, value in dialects.all_values(meta, field_name, extra):
        if not isinstance(value, bool):
            return name, value
    return None, None


def _date(value: Any, zone: tzinfo, source: Path, name: str) -> datetime:
    try:
        return parse_date(value, zone)
    except DateProblem as exc:
        raise ContentError(str(exc), path=source, field=name) from None


def _bool(value: Any, source: Path, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
        return value.strip().lower() in ("true", "yes")
    raise ContentError(f"expected true or false, got {value!r}", path=source, field=name)


def _tags(meta: dict[str, Any], extra: Any, warnings: list[str], *, split_words: bool = False) -> tuple[Tag, ...]:
    """Tags from every tag-like field; Jekyll splits `categories: jekyll update` on spaces."""
    found: dict[str, Tag] = {}
    for name, value in dialects.all_values(meta, "tags", extra):
        if isinstance(value, str):
            separator = None if split_words and "," not in value and name in ("tags", "categories") else ","
            items = [v.strip() for v in value.split(separator)]
        else:
            items = value
        if not isinstance(items, list):
            warnings.append(f"{name}: expected a list of tags, got {type(value).__name__}; ignored")
            continue
        for item in items:
            if isinstance(item, (dict, list)) or item is None:
                warnings.append(f"{name}: {item!r} is not a tag name; ignored")
                continue
            display = " ".join(str(item).split())
            slug = slugify(display)
            if not slug:
                warnings.append(f"{name}: cannot make a URL from the tag {display!r}; ignored")
                continue
            found.setdefault(slug, Tag(display, slug))
    return tuple(found.values())


def _identity(meta: dict[str, Any], warnings: list[str]) -> tuple[tuple[str, ...], str]:
    """Earlier web paths (`aliases`, `redirect_from`: one path or a list) and `id`, which keep the
    article's feed id. A number as `id` (a database id left by an import) is not a feed id: ignored."""
    name, value = dialects.first(meta, "aliases")
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    if value is not None and not isinstance(value, (str, list)):
        warnings.append(f"{name}: expected a web path or a list of them, got {type(value).__name__}; ignored")
    aliases = []
    for item in items:
        if isinstance(item, str) and item.strip():
            aliases.append(item.strip())
        else:
            warnings.append(f"{name}: {item!r} is not a web path; ignored")
    _, feed_id = dialects.first(meta, "feed_id")
    return tuple(aliases), " ".join(feed_id.split()) if isinstance(feed_id, str) else ""


def _image(meta: dict[str, Any], extra: Any) -> tuple[str, str | None, str]:
    """(the field that names the cover, its path, its alt text)."""
    name, value = dialects.first(meta, "image", extra)
    if isinstance(value, list):                  # Hugo: images: [a.png, b.png]
        value = value[0] if value else None
    alt = ""
    if isinstance(value, dict):
        alt = str(value.get("alt") or "")
        value = value.get("src") or value.get("url") or value.get("image") or value.get("path")
    if not isinstance(value, str) or not value.strip():
        return name or "", None, alt
    if not alt:
        _, alt_value = dialects.first(meta, "image_alt")
        alt = str(alt_value) if isinstance(alt_value, (str, int, float)) else ""
    return name or "", value.strip(), " ".join(alt.split())


_T = TypeVar("_T")


def without_controls(value: _T) -> tuple[_T, int]:
    """`value` (a string, or a model object, mapping or sequence holding strings) with every control
    character and noncharacter removed from its text, and how many were removed."""
    if isinstance(value, str):
        return strip_controls(value)  # type: ignore[return-value]
    if isinstance(value, Mapping):
        items = [(without_controls(k), without_controls(v)) for k, v in value.items()]
        removed = sum(k[1] + v[1] for k, v in items)
        if not removed:
            return value, 0
        cleaned = {k[0]: v[0] for k, v in items}
        return (FrozenDict(cleaned) if isinstance(value, FrozenDict) else cleaned), removed  # type: ignore[return-value]
    if isinstance(value, (list, tuple)):
        parts = [without_controls(v) for v in value]
        removed = sum(n for _, n in parts)
        return (type(value)(v for v, _ in parts) if removed else value), removed  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes, removed = {}, 0
        for f in dataclasses.fields(value):
            cleaned, n = without_controls(getattr(value, f.name))
            if n:
                changes[f.name], removed = cleaned, removed + n
        return (dataclasses.replace(value, **changes) if changes else value), removed  # type: ignore[type-var]
    return value, 0


def controls_warning(removed: int) -> str:
    return (f"removed {removed} control character(s) or Unicode noncharacter(s) from the article's text "
            "(terminal escapes, C1 controls, U+FFFE and the like are not text)")


def digest_of(draft: Draft, images: list[Image], converter: str) -> str:
    h = hashlib.sha256(converter.encode())
    h.update(draft.raw)
    for image in images:
        h.update(image.digest.encode())
    return h.hexdigest()
