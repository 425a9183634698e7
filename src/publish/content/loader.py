"""Load every article of a site into the model, collecting problems instead of stopping at the first.

Phase 1 reads all front matter (cheap) so every slug is known; phase 2 converts bodies with
Pandoc in parallel threads (Pandoc is a separate process, so threads suffice) and resolves
images and links between articles.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Literal

from publish import images as image_store
from publish.config import Config
from publish.content import markdown, remote
from publish.content.article_cache import ArticleCache, Entry, Lookup
from publish.content.body import ARTICLE_SUFFIXES, excerpt_from, finish, reading_minutes, summary_before_more
from publish.content.dates import zone_named
from publish.content.reader import Draft, NotAnArticle, digest_of, read_front
from publish.errors import ContentError, ImageError, PublishError, UnsafePathError
from publish.html import is_remote
from publish.model import Article, Collection, FrozenDict, Image, Site
from publish.paths import inside, resolve_inside

CACHE_DIR = ".publish"
SKIPPED_NAMES = {"readme.md", "license.md", "changelog.md", "contributing.md"}


@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    path: Path | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class HasProblems:
    """Errors and warnings of anything that collects Problems."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass
class Loaded(HasProblems):
    """Everything found: published articles, the ones left out, and every problem."""

    collection: Collection
    skipped: list[tuple[Article, str]] = field(default_factory=list)   # (article, "draft" | "future")
    problems: list[Problem] = field(default_factory=list)
    reused: int = 0                     # articles taken unchanged from the previous run's cache


def site_of(config: Config) -> Site:
    s = config.site
    return Site(title=config.site_title, description=s.description, base_url=s.base_url.rstrip("/"),
                author=s.author, email=s.email, language=s.language, timezone=s.timezone,
                article_url=s.article_url, icon=s.icon, logo=s.logo)


def discover(content_dir: Path, public_dir: Path) -> Iterator[Path]:
    """Article files under the content folder, in a stable order (shallow first, then by name)."""
    for path in sorted(content_dir.rglob("*"), key=lambda p: (len(p.parts), p.as_posix())):
        rel = path.relative_to(content_dir)
        if path.suffix.lower() not in ARTICLE_SUFFIXES or not (path.is_file() or path.is_symlink()):
            continue
        if any(part.startswith(".") for part in rel.parts) or path.name.lower() in SKIPPED_NAMES:
            continue
        if path.stem.startswith("_index") or (public_dir.exists() and path.is_relative_to(public_dir)):
            continue
        if any(part in ("node_modules",) for part in rel.parts):
            continue
        yield path


def load(config: Config, *, drafts: bool = False, future: bool = False, jobs: int = 4,
         write_cache: bool = True, now: datetime | None = None) -> Loaded:
    content_dir, public_dir = config.content_dir, config.public_dir
    site = site_of(config)
    if not content_dir.is_dir():
        raise ContentError("content folder not found", path=content_dir,
                           hint="pass --content DIR or set [paths] content in publish.toml")
    roots = _readable_roots(config)
    zone = zone_named(config.site.timezone)
    problems: list[Problem] = []

    drafts_found: list[Draft] = []
    paths = list(discover(content_dir, public_dir))
    jekyll_drafts = config.root / "_drafts"
    if content_dir.name == "_posts" and jekyll_drafts.is_dir():
        paths += list(discover(jekyll_drafts, public_dir))
    for path in paths:
        try:
            resolve_inside(path, roots, what="article file", article=path)
            drafts_found.append(read_front(path, content_dir, config, zone))
        except NotAnArticle:
            continue
        except PublishError as exc:
            problems.append(Problem("error", path, _without_path(exc)))
        except OSError as exc:
            problems.append(Problem("error", path, f"cannot read the file: {exc.strerror}"))

    by_slug: dict[str, Draft] = {}
    unique: list[Draft] = []
    for draft in drafts_found:
        if draft.slug in by_slug:
            first = by_slug[draft.slug].source
            problems.append(Problem("error", draft.source,
                                    f"duplicate slug {draft.slug!r}: {first} already uses it "
                                    "(rename one file or set a different `slug:`)"))
            continue
        by_slug[draft.slug] = draft
        unique.append(draft)

    files = _FileIndex({d.relative: d.slug for d in unique})
    path_pattern = re.compile("^" + re.escape(config.site.article_url).replace(r"\{slug\}", "([^/]+)") + "$")

    def slug_for_path(path: str) -> str | None:
        """The slug of a link written as the article's web path, e.g. /blog/other/."""
        for candidate in (path, path.rstrip("/") + "/", path.rstrip("/")):
            match = path_pattern.match(candidate)
            if match and match.group(1) in by_slug:
                return match.group(1)
        return None

    converted = markdown.convert_many({d.slug: d.body for d in unique}, sources={d.slug: d.source for d in unique},
                                      jobs=jobs, cache_dir=config.output_dir / CACHE_DIR / "html",
                                      write_cache=write_cache)
    shared = json.dumps([config.digest(), markdown.converter_digest(), sorted(files.files.items()),
                         [str(root) for root in roots]])
    cache = ArticleCache(config.output_dir / CACHE_DIR / "articles", write=write_cache,
                         base=hashlib.sha256(shared.encode()).hexdigest())
    finish_one = _Finisher(config, site, roots, files, slug_for_path, converted, cache)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(finish_one, unique))
    cache.prune()

    now = now or datetime.now(zone)
    published: list[Article] = []
    skipped: list[tuple[Article, str]] = []
    for draft, result in zip(unique, results, strict=True):
        if isinstance(result, PublishError):
            problems.append(Problem("error", draft.source, _without_path(result)))
            continue
        article, warnings = result
        problems.extend(Problem("warning", draft.source, w) for w in warnings)
        if article.draft and not drafts:
            skipped.append((article, "draft"))
        elif article.published > now and not future:
            skipped.append((article, "future"))
        else:
            published.append(article)
    return Loaded(Collection(site, tuple(published)), skipped, problems, reused=len(finish_one.reused_slugs))


class _FileIndex:
    """Article files by their path in the content folder, for links written as files."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.by_name: dict[str, list[str]] = {}
        for relative, slug in files.items():
            path = PurePosixPath(relative)
            name = path.parent.name if path.stem.split(".")[0] == "index" else path.stem
            self.by_name.setdefault(name, []).append(slug)

    def slug_for(self, target: str) -> str | None:
        """`other.md`, a bundle written as `other.md` for `other/index.md`, or (as Hugo's ref and
        Jekyll's post_url do) a unique file or bundle name anywhere in the content folder."""
        if target in self.files:
            return self.files[target]
        stem = target.rsplit(".", 1)[0]
        for candidate in (f"{stem}/index.md", f"{stem}/index.markdown", f"{stem}/index.mdx"):
            if candidate in self.files:
                return self.files[candidate]
        matches = self.by_name.get(PurePosixPath(stem).name, [])
        return matches[0] if len(matches) == 1 else None


class _Finisher:
    """Phase 2 for one article (images, links, headings), run in a thread."""

    def __init__(self, config: Config, site: Site, roots: tuple[Path, ...], files: _FileIndex,
                 slug_for_path, converted: dict[str, str | ContentError],  # type: ignore[no-untyped-def]
                 cache: ArticleCache) -> None:
        self.config, self.site, self.roots, self.files = config, site, roots, files
        self.slug_for_path, self.converted, self.cache = slug_for_path, converted, cache
        self.reused_slugs: list[str] = []             # appended from several threads

    def __call__(self, draft: Draft) -> tuple[Article, list[str]] | PublishError:
        try:
            return self._reuse_or_finish(draft)
        except PublishError as exc:
            return exc

    def _reuse_or_finish(self, draft: Draft) -> tuple[Article, list[str]]:
        html = self.converted[draft.slug]
        if isinstance(html, ContentError):
            raise html
        key = self.cache.key(draft, html)
        entry = self.cache.get(key)
        if entry is not None and all(self._same(lookup, draft) for lookup in entry.lookups):
            self.reused_slugs.append(draft.slug)
            return entry.article, list(entry.warnings)
        lookups: list[Lookup] = []
        article, warnings = self._finish(draft, html, self._recorder(draft, lookups))
        if not any(is_remote(lookup.source) for lookup in lookups):    # remote files are not re-checked
            self.cache.put(key, Entry(article, tuple(warnings), tuple(lookups)))
        return article, warnings

    def _recorder(self, draft: Draft, lookups: list[Lookup]) -> Callable[[str, str], Image]:
        def look(src: str, alt: str) -> Image:
            try:
                image = self._image(src, draft, alt)
            except PublishError as exc:
                lookups.append(Lookup(src, alt, exc.describe()))
                raise
            lookups.append(Lookup(src, alt, image))
            return image
        return look

    def _same(self, lookup: Lookup, draft: Draft) -> bool:
        """Whether an image lookup still finds what it found (the same bytes, or the same problem)."""
        try:
            return self._image(lookup.source, draft, lookup.alt) == lookup.found
        except PublishError as exc:
            return exc.describe() == lookup.found

    def _finish(self, draft: Draft, html: str, image: Callable[[str, str], Image]) -> tuple[Article, list[str]]:
        warnings = list(draft.warnings)
        cover = None
        if draft.image_source:
            try:
                cover = image(draft.image_source, draft.image_alt)
            except PublishError as exc:
                warnings.append(f"cover image: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")
                                + "; publishing without a cover")
        if cover is not None and not cover.alt:
            warnings.append("cover image has no alt text; using the title "
                            "(add it as seo.image.alt, heroImageAlt or image: {src, alt})")
            cover = _with_alt(cover, draft.title)
        article_dir = str(Path(draft.relative).parent.as_posix())
        body = finish(html, article_dir=article_dir, article_path=self.site.article_path,
                      slug_for_file=self.files.slug_for, slug_for_path=self.slug_for_path,
                      resolve_image=lambda src: image(src, ""), cover=cover,
                      fetch_remote=self.config.network.remote_images)
        warnings.extend(body.warnings)
        used_images = [cover] if cover else []
        used_images += [body.images[k] for k in sorted(body.images)]
        warnings.extend(dict.fromkeys(note for used in used_images for note in image_store.notes(used)))
        article = Article(
            slug=draft.slug, title=draft.title,
            excerpt=draft.excerpt or summary_before_more(html) or excerpt_from(body.html),
            published=draft.published, updated=draft.updated, featured=draft.featured, draft=draft.draft,
            tags=draft.tags, cover=cover, body_html=body.html, headings=body.headings,
            images=FrozenDict(body.images), links=body.links, word_count=body.word_count,
            reading_minutes=reading_minutes(body.word_count), language=draft.language, source=draft.source,
            digest=digest_of(draft, used_images, markdown.converter_digest()),
            url=self.site.url(self.site.article_path(draft.slug)), extra=FrozenDict(draft.extra))
        return article, warnings

    def _locate(self, src: str, draft: Draft) -> Path:
        """Where an image path points: `/x` in the public folder (or a Jekyll site's root),
        Astro's `~/` and `@/` aliases in src/, anything else relative to the article."""
        root = self.config.root
        if src.startswith(("~/", "@/")):
            return root / "src" / src[2:]
        if src.startswith("/"):
            public = self.config.public_dir / src.lstrip("/")
            if not public.exists() and (root / "_config.yml").exists():
                return root / src.lstrip("/")
            return public
        return draft.source.parent / src

    def _image(self, src: str, draft: Draft, alt: str) -> Image:
        if is_remote(src):
            if not self.config.network.remote_images:
                raise ImageError(f"remote image {src!r} was not fetched",
                                 hint="put the file in the public folder, or set [network] remote_images = true")
            return _probe(remote.fetch(src, self.config.output_dir), alt, src)
        if src.startswith("file:") or "://" in src:
            raise UnsafePathError(f"image {src!r} is not a local path; left out")
        candidate = self._locate(src, draft)
        if not inside(candidate, self.roots):
            raise UnsafePathError(f"image {src!r} resolves outside the site folders and was not read",
                                  hint="keep images inside the site root")
        return _probe(candidate.resolve(), alt, src)


@lru_cache(maxsize=1024)
def _probe_cached(path: Path, mtime: int, size: int, source: str) -> Image:
    return image_store.probe(path, source=source)


def _probe(path: Path, alt: str, source: str) -> Image:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ImageError(f"image {source!r} not found", hint=f"looked for {path}") from None
    image = _probe_cached(path, stat.st_mtime_ns, stat.st_size, source)
    return _with_alt(image, alt) if alt else image


def _with_alt(image: Image, alt: str) -> Image:
    from dataclasses import replace

    return replace(image, alt=alt)


def _readable_roots(config: Config) -> tuple[Path, ...]:
    roots = [config.root, config.content_dir, config.public_dir, config.theme_dir]
    return tuple(dict.fromkeys(p.resolve() for p in roots))


def _without_path(exc: PublishError) -> str:
    """The error's text without the file name (Problem prints it)."""
    field = f"{exc.field}: " if exc.field else ""
    line = f"line {exc.line}: " if exc.line else ""
    hint = f" ({exc.hint})" if exc.hint else ""
    return f"{line}{field}{exc.message}{hint}"
