"""What the command line tells about articles: their status, their files, and why a slug given
to `publish pdf` or `publish email` cannot be used (checked before anything is written)."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from publish.config import Config
from publish.model import Article, Collection

Status = Literal["published", "draft", "future", "expired"]


def status_of(draft: bool, published: datetime, now: datetime) -> Status:
    """The loader's rule: a draft is left out first, then an article dated after `now`."""
    if draft:
        return "draft"
    return "future" if published > now else "published"


@dataclass(frozen=True)
class Known:
    slug: str
    draft: bool
    published: datetime
    source: Path


def known_slugs(config: Config) -> tuple[dict[str, Known], dict[str, str]]:
    """Every article's slug, draft flag and date from its front matter alone (no Pandoc, nothing
    written); and, by the slug its file name suggests, why each unreadable file could not be read."""
    from publish.content.dates import zone_named
    from publish.content.loader import article_paths
    from publish.content.reader import NotAnArticle, read_front
    from publish.content.slugs import slug_from_filename
    from publish.errors import PublishError

    zone = zone_named(config.site.timezone)
    found: dict[str, Known] = {}
    broken: dict[str, str] = {}
    for path in article_paths(config):
        try:
            draft = read_front(path, config.content_dir, config, zone)
        except NotAnArticle:
            continue
        except (PublishError, OSError) as exc:
            stem = path.parent.name if path.stem == "index" else path.stem
            reason = exc.describe() if isinstance(exc, PublishError) else f"{path}: {exc.strerror}"
            broken.setdefault(slug_from_filename(stem)[0], reason)
            continue
        found.setdefault(draft.slug, Known(draft.slug, draft.draft, draft.published, path))
    return found, broken


def slug_problems(config: Config, command: str, slugs: list[str], *, drafts: bool, future: bool) -> list[str]:
    """Why each of `slugs` would not be published by `publish <command>`, and what to type instead."""
    from publish.content.dates import zone_named

    known, broken = known_slugs(config)
    now = datetime.now(zone_named(config.site.timezone))
    problems = []
    for slug in dict.fromkeys(slugs):
        article = known.get(slug)
        if article is None and slug in broken:
            problems.append(f"the article {slug!r} cannot be read: {broken[slug]}")
            continue
        if article is None:
            close = difflib.get_close_matches(slug, list(known), n=3, cutoff=0.5)
            guess = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            problems.append(f"no article has the slug {slug!r} ({guess}`publish list` shows every slug)")
            continue
        needed = [flag for flag, missing in (("--drafts", article.draft and not drafts),
                                             ("--future", article.published > now and not future)) if missing]
        if not needed:
            continue
        what = " and ".join(
            (["a draft"] if "--drafts" in needed else [])
            + ([f"dated {article.published.date().isoformat()}, in the future"] if "--future" in needed else []))
        problems.append(f"{slug!r} ({display_path(article.source)}) is {what}; to include it: "
                        f"publish {' '.join(needed)} {command} {slug}")
    return problems


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def article_outputs(config: Config, collection: Collection) -> dict[str, list[str]]:
    """The files under the output folder that belong to one article alone, by slug: what the
    installed exporters plan for it (e.g. pdf/<slug>.pdf, email/<slug>.html) and that exist."""
    from publish import registry

    found: dict[str, list[str]] = {article.slug: [] for article in collection}
    for entry in registry.discover().values():
        if entry.exporter is None:
            continue
        try:
            exporter = entry.exporter()
            tasks = exporter.plan(exporter.context(config, collection))
        except Exception:  # noqa: BLE001 - a broken exporter only means fewer files listed
            tasks = []
        for task in tasks:
            slug = task.params.get("slug")
            if isinstance(slug, str) and slug in found:
                found[slug] += [rel for rel in task.outputs if (config.output_dir / rel).is_file()]
    return {slug: sorted(files) for slug, files in found.items()}


def as_json(config: Config, collection: Collection, now: datetime,
            expired: tuple[Article, ...] = ()) -> str:
    """`publish list --json`: one object per article, newest first (expired ones included)."""
    outputs = article_outputs(config, collection)
    records = [_record(config, article, now, outputs[article.slug]) for article in collection]
    records += [{**_record(config, article, now, []), "status": "expired"} for article in expired]
    records.sort(key=lambda r: r["date"], reverse=True)
    return json.dumps(records, ensure_ascii=False, indent=2)


def _record(config: Config, article: Article, now: datetime, outputs: list[str]) -> dict[str, Any]:
    try:
        source = article.source.relative_to(config.root.resolve()).as_posix()
    except ValueError:
        source = str(article.source)
    return {
        "slug": article.slug,
        "title": article.title,
        "date": article.published.isoformat(),
        "updated": article.updated.isoformat() if article.updated else None,
        "tags": [{"name": tag.name, "slug": tag.slug} for tag in article.tags],
        "featured": article.featured,
        "status": status_of(article.draft, article.published, now),
        "source": source,
        "outputs": outputs,
    }
