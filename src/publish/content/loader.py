"""Load every article of a site into the model, collecting problems instead of stopping at the first.

Phase 1 reads all front matter (cheap) so every slug is known; phase 2 converts bodies with
Pandoc in parallel threads (Pandoc is a separate process, so threads suffice) and resolves
images and links between articles.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from publish import images as image_store
from publish.config import Config
from publish.content import markdown, remote
from publish.content.article_cache import ArticleCache, Entry, Lookup
from publish.content.body import ARTICLE_SUFFIXES, finish, reading_minutes, summary_before_more
from publish.content.dates import zone_named
from publish.content.reader import Draft, NotAnArticle, controls_warning, digest_of, read_front, without_controls
from publish.content.site import ALT_FIELD, cover_fact, site_of, site_problems
from publish.errors import ContentError, ImageError, PublishError, UnsafePathError
from publish.html import is_remote
from publish.model import Article, Author, Collection, FrozenDict, Image, Site
from publish.paths import RACY_NS, inside, resolve_inside
from publish.problems import HasProblems, Problem

CACHE_DIR = ".publish"
SKIPPED_NAMES = {"readme.md", "license.md", "changelog.md", "contributing.md"}


@dataclass
class Loaded(HasProblems):
    """Everything found: published articles, the ones left out, and every problem."""

    collection: Collection
    skipped: list[tuple[Article, str]] = field(default_factory=list)   # (article, "draft" | "future" | "expired")
    problems: list[Problem] = field(default_factory=list)
    reused: int = 0                     # articles taken unchanged from the previous run's cache
    changes_at: datetime | None = None  # the next time an article comes or goes by its date or expiry


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


def article_paths(config: Config) -> list[Path]:
    """Every file that may hold an article (Jekyll's _drafts/ beside _posts/ included)."""
    content_dir, public_dir = config.content_dir, config.public_dir
    paths = list(discover(content_dir, public_dir))
    if config.engine.name == "hugo":
        paths = _in_main_sections(paths, content_dir, config)
    jekyll_drafts = config.root / "_drafts"
    if content_dir.name == "_posts" and jekyll_drafts.is_dir():
        paths += list(discover(jekyll_drafts, public_dir))
    return paths


def load(config: Config, *, drafts: bool = False, future: bool = False, jobs: int = 4,
         write_cache: bool = True, now: datetime | None = None) -> Loaded:
    content_dir = config.content_dir
    site = site_of(config)
    if not content_dir.is_dir():
        raise ContentError("content folder not found", path=content_dir,
                           hint="pass --content DIR or set [paths] content in publish.toml")
    roots = _readable_roots(config)
    zone = zone_named(config.site.timezone)
    problems: list[Problem] = site_problems(config)

    drafts_found: list[Draft] = []
    kept: dict[tuple[object, ...], Draft] = {}
    for path in article_paths(config):
        try:
            resolve_inside(path, roots, what="article file", article=path)
            drafts_found.append(_read_front(path, config, zone, kept))
        except NotAnArticle:
            continue
        except PublishError as exc:
            problems.append(Problem("error", path, _without_path(exc)))
        except OSError as exc:
            problems.append(Problem("error", path, f"cannot read the file: {exc.strerror}"))

    _DRAFTS.clear()
    _DRAFTS.update(kept)
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
    base_path = urlsplit(site.base_url).path.rstrip("/")
    by_path: dict[str, str] = {}
    for d in unique:
        for candidate in (d.path, base_path + d.path):
            by_path.setdefault(_path_key(candidate), d.slug)

    def slug_for_path(path: str) -> str | None:
        """The slug of a link written as the article's web path, e.g. /blog/other/ (with or
        without the base URL's sub-path)."""
        return by_path.get(_path_key(path))

    converted = markdown.convert_many({d.slug: d.body for d in unique}, sources={d.slug: d.source for d in unique},
                                      jobs=jobs, cache_dir=config.output_dir / CACHE_DIR / "html",
                                      write_cache=write_cache)
    shared = json.dumps([config.digest(), markdown.converter_digest(), sorted(files.files.items()),
                         [str(root) for root in roots]])
    cache = ArticleCache(config.output_dir / CACHE_DIR / "articles", write=write_cache,
                         base=hashlib.sha256(shared.encode()).hexdigest())
    urls = {d.slug: site.url(d.path) for d in unique}
    finish_one = _Finisher(config, site, roots, files, slug_for_path, urls, converted, cache)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(finish_one, unique))
    cache.prune()

    now = now or datetime.now(zone)
    published: list[Article] = []
    skipped: list[tuple[Article, str]] = []
    changes_at: datetime | None = None
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
        elif draft.expires is not None and draft.expires <= now:
            skipped.append((article, "expired"))
        else:
            published.append(article)
        coming = [article.published] if article.published > now and not article.draft else []
        if draft.expires is not None and draft.expires > now:
            coming.append(draft.expires)
        changes_at = min([changes_at, *coming] if changes_at else coming, default=None)
    problems.extend(cover_fact(published, unique, config))
    return Loaded(Collection(site, tuple(published)), skipped, problems, reused=len(finish_one.reused_slugs),
                  changes_at=changes_at)


# The front matter of the files read by the last load in this process, by what they were read
# from (watch mode's rebuilds read again only the files whose size, time or inode changed, or all
# of them when the configuration did): 2-4 ms a file, most of a warm rebuild's loading.
_DRAFTS: dict[tuple[object, ...], Draft] = {}


def _read_front(path: Path, config: Config, zone: tzinfo, kept: dict[tuple[object, ...], Draft]) -> Draft:
    info = path.stat()
    key = (str(path), info.st_mtime_ns, info.st_size, info.st_ino, str(config.content_dir), config.digest(),
           str(zone))
    draft = _DRAFTS.get(key) or read_front(path, config.content_dir, config, zone)
    if time.time_ns() - info.st_mtime_ns > RACY_NS:
        kept[key] = draft
    return draft


def _path_key(path: str) -> str:
    return unquote(path).rstrip("/").removesuffix("/index.html") or "/"


_HUGO_CONTENT = "content"


def _in_main_sections(paths: list[Path], content_dir: Path, config: Config) -> list[Path]:
    """Hugo: only pages in the site's main sections are articles (`mainSections`, else the section
    with the most pages). Top-level pages such as content/about.md are not."""
    language_dirs = [(config.root / lang.content_dir).resolve() for lang in config.engine.languages.values()
                     if lang.content_dir]

    def section(path: Path) -> str:
        for folder in language_dirs:
            if folder != content_dir and path.is_relative_to(folder):
                parts = path.relative_to(folder).parts
                return parts[0].lower() if len(parts) > 1 else ""
        parts = path.relative_to(content_dir).parts
        return parts[0].lower() if len(parts) > 1 else ""

    own = config.engine.paths.get("content")
    if content_dir != (config.root / (own.value if own else _HUGO_CONTENT)).resolve():
        return paths                         # publish.toml names another folder: every file in it counts
    sections = {path: section(path) for path in paths}
    main = set(config.engine.main_sections) & set(sections.values())
    if not main:
        counts: dict[str, int] = {}
        for name in sections.values():
            if name:
                counts[name] = counts.get(name, 0) + 1
        if not counts:
            return paths                     # no sections at all: every dated page is an article
        most = max(counts.values())
        main = {min(name for name, n in counts.items() if n == most)}
    return [path for path in paths if sections[path] in main]


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
                 slug_for_path, urls: dict[str, str],  # type: ignore[no-untyped-def]
                 converted: dict[str, str | ContentError], cache: ArticleCache) -> None:
        self.config, self.site, self.roots, self.files = config, site, roots, files
        self.slug_for_path, self.urls, self.converted, self.cache = slug_for_path, urls, converted, cache
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
                                + "; publishing without a cover (the PDF gets a typographic cover)")
        if cover is not None and not cover.alt:
            alt_field = ALT_FIELD.get(draft.image_field, "imageAlt")
            warnings.append(f"cover image has no alt text; using the title (add `{alt_field}:` to the front matter)")
            cover = _with_alt(cover, draft.title)
        article_dir = str(Path(draft.relative).parent.as_posix())
        body = finish(html, article_dir=article_dir, article_path=self.urls.__getitem__,
                      slug_for_file=self.files.slug_for, slug_for_path=self.slug_for_path,
                      resolve_image=lambda src: image(src, ""), cover=cover,
                      fetch_remote=self.config.network.remote_images)
        warnings.extend(body.warnings)
        used_images = [cover] if cover else []
        used_images += [body.images[k] for k in sorted(body.images)]
        warnings.extend(dict.fromkeys(note for used in used_images for note in image_store.notes(used)))
        article = Article(
            slug=draft.slug, title=draft.title,
            excerpt=draft.excerpt or summary_before_more(html) or body.excerpt,
            published=draft.published, updated=draft.updated, featured=draft.featured, draft=draft.draft,
            tags=draft.tags, cover=cover, body_html=body.html, headings=body.headings,
            images=FrozenDict(body.images), links=body.links, word_count=body.word_count,
            reading_minutes=reading_minutes(body.word_count), language=draft.language, source=draft.source,
            digest=digest_of(draft, used_images, markdown.converter_digest()),
            url=self.urls[draft.slug], authors=draft.authors or self._site_authors(),
            extra=FrozenDict(draft.extra), aliases=draft.aliases, feed_id=draft.feed_id)
        article, in_html = without_controls(article)      # character references Pandoc decoded
        if draft.controls + in_html:
            warnings.append(controls_warning(draft.controls + in_html))
        return article, warnings

    def _site_authors(self) -> tuple[Author, ...]:
        return (Author(self.site.author, self.site.email),) if self.site.author else ()

    def _locate(self, src: str, draft: Draft) -> Path:
        """Where an image path points: `/x` in the public folder (or a Jekyll site's root),
        Astro's `~/` and `@/` aliases in src/, anything else relative to the article."""
        root = self.config.root
        if src.startswith(("~/", "@/")):
            return root / "src" / src[2:]
        if src.startswith("/"):
            public = self.config.public_dir / src.lstrip("/")
            if not public.exists() and self.config.engine.name == "jekyll":
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
    roots = [config.root, config.content_dir, config.public_dir, *config.themes.folders]
    return tuple(dict.fromkeys(p.resolve() for p in roots))


def _without_path(exc: PublishError) -> str:
    """The error's text without the file name (Problem prints it)."""
    field = f"{exc.field}: " if exc.field else ""
    line = f"line {exc.line}: " if exc.line else ""
    hint = f" ({exc.hint})" if exc.hint else ""
    return f"{line}{field}{exc.message}{hint}"
