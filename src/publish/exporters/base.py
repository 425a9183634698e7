"""The exporter interface: one small typed base class.

An exporter turns the Collection into files under the output folder in two steps:

* `plan(ctx)` lists Tasks: independent units of work (one PDF, all feeds, one EPUB), each naming
  the files it writes and a digest of everything it is made from. Cheap; runs in the main process.
* `render(ctx, task)` gives the task's files to `ctx.write` and returns Notices (warnings naming
  the file they are about). It may run in a worker process or on another machine, so it gets
  everything from `ctx` and `task`, and never reads or writes under the output folder: the main
  process writes what the task returns. A task that reads another task's files names it in
  `needs` and finds them in `ctx.inputs`.

An exporter may declare two frozen dataclasses: `settings`, read from `[<name>]` of publish.toml
with the same checks as publish's own sections (`ctx.settings`), and `options`, what a command
asks of it (`ctx.options`; the defaults ask for everything, as `publish all` does).

The pipeline skips a task whose digest and files are unchanged, runs the rest in parallel, and
records what it wrote. A third-party exporter is a subclass registered under the
`publish.exporters` entry-point group, exactly like the built-in ones.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from publish.config import Config
from publish.model import EMPTY, Article, Collection, FrozenDict, Image
from publish.paths import output_path
from publish.precompress import twin_files
from publish.themes import ThemeChain


@dataclass(frozen=True)
class Options:
    """What a command asks of an exporter. An exporter with command options declares a frozen
    dataclass subclass; its defaults ask for everything the exporter makes (`publish all`)."""

    def everything(self) -> bool:
        """Whether these options ask for everything the exporter makes: the run may then remove the
        exporter's earlier files that the content no longer makes."""
        return self == type(self)()


@dataclass(frozen=True)
class Notice:
    """A warning for the user about one file (usually an article's source), or the whole site."""

    message: str
    path: Path | None = None


S = TypeVar("S")                          # the exporter's settings dataclass (None: it declares none)
Opt = TypeVar("Opt", bound=Options)       # the exporter's command options


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
    needs: tuple[str, ...] = ()      # keys of tasks whose files it reads (ctx.inputs); it runs after them


@dataclass(frozen=True)
class BuildContext(Generic[S, Opt]):
    config: Config
    collection: Collection
    output_dir: Path
    theme_dir: Path                     # the site theme's folder; read theme files through `themes`
    settings: S                         # the exporter's own settings, from [<name>] of publish.toml
    options: Opt                        # what the command asked of this exporter
    # What other formats may link to, from every installed exporter's `downloads`, e.g.
    # {"pdf": "pdf/{slug}.pdf", "epub": "epub/field-notes.epub"} ({slug}: the article's).
    downloads: Mapping[str, str] = field(default=EMPTY)
    # How many of this exporter's tasks the run renders, when prepare() is called (None: not known,
    # e.g. workers kept for many builds): prepare() may skip a warm-up that pays only for many tasks.
    due: int | None = None
    # The image copies output/images/ holds when the build starts: a task makes only the others.
    present: frozenset[str] = frozenset()
    # The files of the tasks this one `needs`, as output/ holds them when it starts (relative path ->
    # bytes); a file a failed task did not make is missing.
    inputs: Mapping[str, bytes] = field(default=EMPTY)
    # What the task being rendered made; fresh for each task (`for_task`). Nothing is written by the
    # task itself: the main process writes `files` and `copies` once the task has returned them, so a
    # task may run in another process or on another machine.
    used_files: set[str] = field(default_factory=set, init=False, compare=False, repr=False)
    files: dict[str, bytes] = field(default_factory=dict, init=False, compare=False, repr=False)
    copies: dict[str, bytes] = field(default_factory=dict, init=False, compare=False, repr=False)
    _images: dict[str, tuple[Image, int, int]] = field(default_factory=dict, init=False, compare=False, repr=False)

    def for_task(self, inputs: Mapping[str, bytes] = EMPTY) -> BuildContext[S, Opt]:
        """This context with nothing recorded yet and the task's inputs: one per rendered task."""
        return replace(self, inputs=inputs)

    @property
    def site(self):  # type: ignore[no-untyped-def]
        return self.collection.site

    def write(self, relative: str, data: bytes | str) -> str:
        """Give one of the task's files (a path under the output folder, never outside it), and for
        text files their precompressed twins (`.br`, `.gz`) that hosts send instead of compressing
        per request. The main process writes them atomically when the task returns."""
        output_path(self.output_dir, relative)                 # refuses paths that leave the folder
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        self.files[relative] = raw
        self.files.update(twin_files(relative, raw))
        return relative

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
        if it disappears, the task is no longer up to date. Its name says what it is made from, so a
        copy output/ already holds is not made again; `shared` gives its bytes."""
        from publish.images import copy_bytes, web_copy_name

        relative, width, height = web_copy_name(image, max_width)
        self.used_files.add(relative)
        self._images[relative] = (image, width, height)
        if relative not in self.present and relative not in self.copies \
                and not (self.output_dir / relative).is_file():     # written since the build began
            self.copies[relative] = copy_bytes(image, relative, width, height, self.output_dir)
        return relative, width, height

    def shared(self, relative: str) -> bytes:
        """The bytes of an image copy this task got from `web_image` (KeyError for any other file)."""
        from publish.images import copy_bytes

        if relative in self.copies:
            return self.copies[relative]
        image, width, height = self._images[relative]
        return copy_bytes(image, relative, width, height, self.output_dir)

    def image_url(self, image: Image, max_width: int) -> tuple[str, int, int]:
        """The absolute URL of a web copy (see `web_image`), its width and height."""
        relative, width, height = self.web_image(image, max_width)
        return self.site.url(relative), width, height


class Exporter(ABC, Generic[S, Opt]):
    """Base class of every output format."""

    name: ClassVar[str]              # command-line, entry-point and settings-section name: "pdf"
    description: ClassVar[str]       # one line for `publish exporters`
    version: ClassVar[str] = "1"     # bump when output changes for the same input
    theme_folder: ClassVar[str | None] = None   # e.g. "pdf": its files through the theme chain feed every
                                                # task's digest, and nothing else of the theme does
    # Files other formats may link to: kind -> path under the output folder, where {slug} is an
    # article's slug and {site} the site's (e.g. {"pdf": "pdf/{slug}.pdf"}). Collected by the
    # pipeline into BuildContext.downloads, so no exporter imports another.
    downloads: ClassVar[Mapping[str, str]] = EMPTY
    # A frozen dataclass with a default for every field, read from [<name>] (ctx.settings); None: no settings.
    settings: ClassVar[type[Any] | None] = None
    # A frozen dataclass subclass of Options that the commands fill (ctx.options).
    options: ClassVar[type[Options]] = Options
    # Modules its tasks import that need no build's context (heavy libraries, its own renderers):
    # loaded by `preload()`, in prepare() before workers fork and on cluster workers as they join.
    imports: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def plan(self, ctx: BuildContext[S, Opt]) -> list[Task]:
        """The tasks for this run (ctx.options holds the command's selection)."""

    @abstractmethod
    def render(self, ctx: BuildContext[S, Opt], task: Task) -> list[Notice]:
        """Write `task.outputs` with `ctx.write`; return warnings for the user, each naming its file."""

    def prepare(self, ctx: BuildContext[S, Opt]) -> list[Notice] | None:
        """Called once in the main process before workers start, and once in each worker that
        is not forked from it: import heavy libraries, parse stylesheets and fonts here. May return
        warnings about the whole run (e.g. fonts this machine lacks), reported once."""
        self.preload()
        return None

    @classmethod
    def preload(cls) -> None:
        """Load what the tasks need that no build's context decides: `imports` (a module that is
        missing raises ImportError; the caller decides whether that matters)."""
        import importlib

        for module in cls.imports:
            importlib.import_module(module)

    def context(self, config: Config, collection: Collection, *, options: Opt | None = None,
                downloads: Mapping[str, str] = EMPTY) -> BuildContext[S, Opt]:
        """The context this exporter plans and renders with: its settings from the configuration
        and the command's options (their defaults when none are given)."""
        settings = config.settings_for(self.name, self.settings) if self.settings is not None else None
        if options is not None and not isinstance(options, self.options):
            raise TypeError(f"the {self.name} exporter takes {self.options.__name__}, not {type(options).__name__}")
        chosen = options if options is not None else self.options()
        return BuildContext(config, collection, config.output_dir, config.theme_dir, settings, chosen,  # type: ignore[arg-type]
                            downloads)

    # Helpers for subclasses ------------------------------------------------------------------
    def task(self, ctx: BuildContext[Any, Any], key: str, outputs: Iterable[str], articles: Iterable[Article] = (),
             *, label: str = "", cost: float = 1.0, needs: Iterable[str] = (), **params: Any) -> Task:
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
                    tuple(a.slug for a in articles), tuple(needs))

    def _theme_digest(self, ctx: BuildContext[Any, Any]) -> str:
        if not self.theme_folder:
            return ""
        # Once per context, not per task: 2,000 EPUB chapter tasks would walk the theme 2,000 times.
        known: dict[str, str] = ctx.__dict__.setdefault("_theme_digests", {})
        if self.theme_folder not in known:
            known[self.theme_folder] = ctx.themes.digest(self.theme_folder)
        return known[self.theme_folder]
