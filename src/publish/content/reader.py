"""One article file -> front matter mapped onto the model (phase 1) -> a finished Article (phase 2)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from publish.config import Config
from publish.content import dialects
from publish.content.cleanup import clean
from publish.content.dates import DateProblem, parse_date
from publish.content.frontmatter import split
from publish.content.slugs import is_safe_segment, slug_from_filename, slugify
from publish.errors import ContentError
from publish.html import count_forbidden, strip_forbidden
from publish.model import Image, Tag

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
    forbidden = count_forbidden(text)
    if forbidden:
        text = strip_forbidden(text)
        warnings.append(f"removed {forbidden} control character(s) that XML forbids")
    parsed = split(text, source)
    meta = parsed.meta
    cleaned = clean(parsed.body, mdx=source.suffix.lower() == ".mdx", page=meta)
    body = cleaned.markdown
    if (leftover := cleaned.warning()) is not None:
        warnings.append(leftover)
    extra_names = config.fields.__dict__

    def pick(name: str) -> tuple[str | None, Any]:
        return dialects.first(meta, name, extra_names.get(name, ()))

    relative = source.relative_to(content_dir).as_posix() if source.is_relative_to(content_dir) else source.name
    stem, variant = _language_variant(source.stem)
    if stem == "index" and source.parent != content_dir:      # Hugo page bundle: the folder names it
        stem = source.parent.name
    file_slug, file_date = slug_from_filename(stem)
    if variant and variant.lower() != config.site.language.lower():
        file_slug = f"{file_slug}-{variant.lower()}"          # index.zh.md beside index.md

    _, title_value = pick("title")
    if title_value is None:
        match = _LEADING_H1.match(body)
        if match:
            title_value = match.group(1)
    if isinstance(title_value, (int, float)) and not isinstance(title_value, bool):
        title_value = str(title_value)
    if not isinstance(title_value, str) or not title_value.strip():
        raise ContentError("missing title", path=source, field="title", hint="add `title: ...` to the front matter")
    title = " ".join(title_value.split())
    leading = _LEADING_H1.match(body)
    if leading and " ".join(leading.group(1).split()) == title:
        body = body[leading.end():]      # the title is rendered by every format already

    _, slug_value = pick("slug")
    if slug_value is not None:
        slug = str(slug_value).strip()
        if not is_safe_segment(slug):
            raise ContentError(f"slug {slug!r} is not a single safe path segment", path=source, field="slug",
                               hint="use lowercase letters, digits and hyphens, e.g. 'my-first-post'")
    else:
        slug = file_slug
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
    if published_value is None and _is_page(meta):
        raise NotAnArticle(f"{source.name} is a page (layout: {meta.get('layout')}), not an article")
    if published_value is None:
        raise ContentError("missing publish date", path=source, field="publishDate",
                           hint="add `publishDate: 'Feb 18 2024'` (or date: 2024-02-18)")
    published = _date(published_value, zone, source, published_name or "publishDate")
    updated_name, updated_value = pick("updated")
    updated = _date(updated_value, zone, source, updated_name or "updatedDate") if updated_value is not None else None

    _, excerpt_value = pick("excerpt")
    excerpt = " ".join(str(excerpt_value).split()) if excerpt_value is not None else ""

    draft_name, draft_value = pick("draft")
    if draft_value is not None:
        draft = draft or _bool(draft_value, source, draft_name or "draft")
    if "_drafts" in source.parts:
        draft = True
    _, featured_value = pick("featured")
    featured = _bool(featured_value, source, "isFeatured") if featured_value is not None else False

    jekyll = (config.root / "_config.yml").exists()
    tags = _tags(meta, extra_names.get("tags", ()), warnings, split_words=jekyll)

    lang_name, lang_value = pick("language")
    language = variant or config.site.language
    if lang_value is not None:
        if isinstance(lang_value, str) and _LANG.match(lang_value.strip()):
            language = lang_value.strip().replace("_", "-")
        else:
            warnings.append(f"{lang_name}: {lang_value!r} is not a language tag such as 'en' or 'pt-BR'; "
                            f"using {language!r}")

    image_source, image_alt = _image(meta, extra_names.get("image", ()))
    extra = {k: v for k, v in meta.items() if k not in dialects.consumed_keys(meta, extra_names)}
    return Draft(source=source, relative=relative, raw=raw, slug=slug, title=title, excerpt=excerpt,
                 published=published, updated=updated, draft=draft, featured=featured, tags=tags,
                 language=language, image_source=image_source, image_alt=image_alt, extra=extra,
                 body=body, warnings=warnings)


POST_LAYOUTS = {"post", "posts", "single", "article", "blog", "default"}


class NotAnArticle(ContentError):
    """A page of the site (about, archives, search) rather than a dated article: skipped quietly."""


def _is_page(meta: dict[str, Any]) -> bool:
    layout = meta.get("layout")
    return isinstance(layout, str) and layout.strip().lower() not in POST_LAYOUTS


_VARIANT = re.compile(r"^(.+)\.([a-z]{2}(?:-[A-Za-z]{2,4})?)$")


def _language_variant(stem: str) -> tuple[str, str | None]:
    """Hugo's `post.fr.md` / `index.zh-cn.md`: the stem and the language it is written in."""
    match = _VARIANT.match(stem)
    return (match.group(1), match.group(2)) if match else (stem, None)


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


def _image(meta: dict[str, Any], extra: Any) -> tuple[str | None, str]:
    _, value = dialects.first(meta, "image", extra)
    if isinstance(value, list):                  # Hugo: images: [a.png, b.png]
        value = value[0] if value else None
    alt = ""
    if isinstance(value, dict):
        alt = str(value.get("alt") or "")
        value = value.get("src") or value.get("url") or value.get("image") or value.get("path")
    if not isinstance(value, str) or not value.strip():
        return None, alt
    if not alt:
        _, alt_value = dialects.first(meta, "image_alt")
        alt = str(alt_value) if isinstance(alt_value, (str, int, float)) else ""
    return value.strip(), " ".join(alt.split())


def digest_of(draft: Draft, images: list[Image], converter: str) -> str:
    h = hashlib.sha256(converter.encode())
    h.update(draft.raw)
    for image in images:
        h.update(image.digest.encode())
    return h.hexdigest()
