"""The exporter interface: one small typed base class.

An exporter turns the Collection into files under the output folder in two steps:

* `plan(ctx)` lists Tasks: independent units of work (one PDF, all feeds, one EPUB), each naming
  the files it writes and a digest of everything it is made from. Cheap; runs in the main process.
* `render(ctx, task)` writes the task's files through `ctx.write` and returns warnings. It may run
  in a worker process, so it gets everything from `ctx` and `task`.

The pipeline skips a task whose digest and files are unchanged, runs the rest in parallel, and
records what it wrote. A third-party exporter is a subclass registered under the
`publish.exporters` entry-point group, exactly like the built-in ones.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from publish.config import Config
from publish.model import EMPTY, Article, Collection, FrozenDict, Image
from publish.paths import output_path, write_atomic
from publish.themes import ThemeChain

# Shared files (image copies) that the task being rendered in this process links to.
USED_FILES: list[str] = []


@dataclass(frozen=True)
class Task:
    exporter: str
    key: str                         # unique and stable, e.g. "pdf/my-post"
    outputs: tuple[str, ...]         # files it writes, relative to the output folder
    digest: str                      # of every input; unchanged digest + intact files = up to date
    label: str = ""                  # for progress and messages
    cost: float = 1.0                # estimated milliseconds of work: the slowest tasks start first,
                                     # so no long task is left running alone at the end
    params: Mapping[str, Any] = field(default=EMPTY)
    articles: tuple[str, ...] = ()   # slugs of the articles it is made from (what output/ may keep)


@dataclass(frozen=True)
class BuildContext:
    config: Config
    collection: Collection
    output_dir: Path
    theme_dir: Path                  # the site theme's folder; read theme files through `themes`
    options: Mapping[str, Any] = field(default=EMPTY)   # the command's options for this exporter
    # What other formats may link to, from every installed exporter's `downloads`, e.g.
    # {"pdf": "pdf/{slug}.pdf", "epub": "epub/field-notes.epub"} ({slug}: the article's).
    downloads: Mapping[str, str] = field(default=EMPTY)

    @property
    def site(self):  # type: ignore[no-untyped-def]
        return self.collection.site

    def write(self, relative: str, data: bytes | str) -> Path:
        """Atomically write a file under the output folder (never outside it)."""
        target = output_path(self.output_dir, relative)
        write_atomic(target, data)
        return target

    @property
    def themes(self) -> ThemeChain:
        """The theme lookup chain starting at `theme_dir`: every theme file is read through it."""
        cached = self.__dict__.get("_themes")
        if cached is None:
            same = self.theme_dir.resolve() == self.config.theme_dir
            cached = self.config.themes if same else ThemeChain.from_folder(self.theme_dir, self.config.root)
            object.__setattr__(self, "_themes", cached)     # frozen: resolved once per context
        return cached

    def theme_file(self, *parts: str) -> Path:
        """A theme file through the chain ("email", "article.html"): the first theme's that has it, else
        where the site theme would hold it. Refuses paths that leave the theme folders."""
        relative = "/".join(parts)
        found = self.themes.find(relative)
        return found if found is not None else self.themes.guard(self.theme_dir / relative)

    def web_image(self, image: Image, max_width: int) -> tuple[str, int, int]:
        """A JPEG/PNG copy under output/images/ (converted once); returns (relative path, w, h).
        The copy is shared by every task that uses it, and recorded as one of this task's inputs:
        if it disappears, the task is no longer up to date."""
        from publish.images import web_copy

        relative, width, height = web_copy(image, self.output_dir, max_width)
        USED_FILES.append(relative)
        return relative, width, height

    def image_url(self, image: Image, max_width: int) -> tuple[str, int, int]:
        """The absolute URL of a web copy (see `web_image`), its width and height."""
        relative, width, height = self.web_image(image, max_width)
        return self.site.url(relative), width, height


class Exporter(ABC):
    """Base class of every output format."""

    name: ClassVar[str]              # command-line and entry-point name: "pdf"
    description: ClassVar[str]       # one line for `publish exporters`
    version: ClassVar[str] = "1"     # bump when output changes for the same input
    theme_folder: ClassVar[str | None] = None   # e.g. "pdf": its files through the theme chain feed every
                                                # task's digest, and nothing else of the theme does
    # Files other formats may link to: kind -> path under the output folder, where {slug} is an
    # article's slug and {site} the site's (e.g. {"pdf": "pdf/{slug}.pdf"}). Collected by the
    # pipeline into BuildContext.downloads, so no exporter imports another.
    downloads: ClassVar[Mapping[str, str]] = EMPTY

    @abstractmethod
    def plan(self, ctx: BuildContext) -> list[Task]:
        """The tasks for this run (ctx.options holds the command's selection)."""

    @abstractmethod
    def render(self, ctx: BuildContext, task: Task) -> list[str]:
        """Write `task.outputs` with `ctx.write`; return warnings for the user."""

    def prepare(self, ctx: BuildContext) -> list[str] | None:
        """Called once in the main process before workers start: import heavy libraries, parse
        stylesheets and fonts here so forked workers inherit them. May return warnings about the
        whole run (e.g. fonts this machine lacks), reported once."""
        return None

    # Helpers for subclasses ------------------------------------------------------------------
    def task(self, ctx: BuildContext, key: str, outputs: Iterable[str], articles: Iterable[Article] = (),
             *, label: str = "", cost: float = 1.0, **params: Any) -> Task:
        """A Task whose digest covers the articles, the configuration, the theme and the exporter."""
        h = hashlib.sha256()
        h.update(f"{self.name}\0{self.version}\0{key}\0".encode())
        h.update(ctx.config.digest().encode())
        h.update(self._theme_digest(ctx).encode())
        h.update(repr(sorted(params.items())).encode())
        articles = tuple(articles)
        for article in articles:
            h.update(article.slug.encode() + b"\0" + article.digest.encode())
        return Task(self.name, key, tuple(outputs), h.hexdigest(), label or key, cost, FrozenDict(params),
                    tuple(a.slug for a in articles))

    def _theme_digest(self, ctx: BuildContext) -> str:
        return ctx.themes.digest(self.theme_folder) if self.theme_folder else ""
