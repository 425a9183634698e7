"""`publish serve --watch`: build, serve, and build again on every save, in one warm process.

The first build runs in the main thread: it prepares every exporter (WeasyPrint, fonts,
stylesheets) and starts the worker processes once (`workers.WarmPool`), before any other thread
exists. Then one watchdog observer reports changes from the kernel (inotify, FSEvents,
ReadDirectoryChangesW): recursively in the content and public folders, the theme chain and the
blog engine's configuration folders, and at the site root alone, for publish.toml, pyproject.toml
and the engine's files there. Nothing under the output folder counts, nor editor swap and backup
files. A builder thread takes a batch of changes (a burst of saves is one batch: it ends after
QUIET seconds without a change; changes that came during a build are taken together) and runs the
incremental pipeline again: only the tasks whose inputs changed render.

Nothing wakes while nothing changes: the observer's threads and the builder block on the kernel
and on a queue, and the server (`serve.quiet_server`) waits for a signal instead of ticking. An
idle preview costs no CPU at all (docs/performance.md).

A build that fails (a broken article, a broken configuration, even a bug) is reported in the
terminal and in a banner on the watched pages; the server keeps serving the last good files, and
the next good save clears it. The server (`serve.create_app` behind `livereload.LiveReload`) runs
in the main thread; uvicorn's one process serves everything (no --workers in watch mode). Ctrl-C
and SIGTERM both stop it, its watchers, workers and Pandoc processes.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from publish.errors import ConfigError, PublishError

if TYPE_CHECKING:
    from publish.config import Config
    from publish.livereload import Broadcast
    from publish.pipeline import Report
    from publish.preview import Previews
    from publish.problems import Problem
    from publish.workers import WarmPool

CONFIG_NAMES = ("publish.toml", "pyproject.toml")
QUIET = 0.05            # seconds without a change that end a batch: one save is several events
LONGEST = 1.6           # seconds after its first change that a batch is built anyway (a long copy)
# Saved often, never read by a build: version control, editor swap, backup, lock and test files.
NOISE_FOLDERS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__"})
NOISE_NAMES = re.compile(r"(~|\.sw[a-z]|\.tmp|___jb_\w+___)$|^(\.#|#.*#$|\.DS_Store$|4913$)")

Change = tuple[float, str]      # when (time.monotonic()) and where a change was seen


@dataclass(frozen=True)
class Watched:
    """What the watchers look at: folders (recursively), and files at the site root."""

    folders: tuple[Path, ...]
    root: Path
    root_files: frozenset[str]
    output_dir: Path


def watched(config: Config) -> Watched:
    """The content and public folders, every theme of the chain, and the configuration files."""
    from publish.engines import astro, hugo, jekyll

    root = config.root
    folders = [config.content_dir, config.public_dir, *config.themes.folders]
    names = set(CONFIG_NAMES) | set(hugo.ROOT_FILES) | set(jekyll.CONFIG_FILES) | set(astro.CONFIG_FILES)
    for relative in config.engine.files:
        parent = (root / relative).parent
        if parent == root:
            names.add(Path(relative).name)
        else:
            folders.append(parent)
    if config.source is not None and config.source.parent != root:
        folders.append(config.source.parent)
    for extra in ("config", "_data"):               # Hugo's config/_default/…, Jekyll's authors
        if (root / extra).is_dir():
            folders.append(root / extra)
    kept: list[Path] = []
    for folder in sorted({f.resolve() for f in folders if f.is_dir()}, key=lambda p: len(p.parts)):
        if not any(folder.is_relative_to(k) for k in kept):
            kept.append(folder)                     # a folder inside another is already watched
    return Watched(tuple(kept), root.resolve(), frozenset(names), config.output_dir.resolve())


def relevant(spot: Watched, path: str) -> bool:
    """Whether a change at `path` can change what is built: never one inside the output folder, nor
    an editor's swap or backup file."""
    changed = Path(path)
    if changed.is_relative_to(spot.output_dir) or noise(changed):
        return False
    if changed.parent == spot.root and not any(changed.is_relative_to(f) for f in spot.folders):
        return changed.name in spot.root_files
    return True


def noise(path: Path) -> bool:
    """Files that editors and version control write beside the author's own (`post.md~`, `.post.md.swp`)."""
    return bool(NOISE_NAMES.search(path.name)) or not NOISE_FOLDERS.isdisjoint(path.parts)


def worth_naming(changed: Iterable[str]) -> list[str]:
    """The changed paths to name in the terminal: a name that is gone and has no suffix was an
    editor's or sed's temporary file (`sedX1b2c3`, vim's `4913`); the build runs all the same."""
    every = sorted(changed)
    return [p for p in every if Path(p).suffix or Path(p).exists()] or every


class Session:
    """The watch loop's state: the last good configuration and build, the warm workers, the pages."""

    def __init__(self, load: Callable[[], Config], config: Config, *, drafts: bool, future: bool,
                 jobs: int | None, broadcast: Broadcast, previews: Previews, warm: WarmPool,
                 say: Callable[[str], None]) -> None:
        self.load, self.config = load, config
        self.drafts, self.future, self.jobs = drafts, future, jobs
        self.broadcast, self.previews, self.warm, self.say = broadcast, previews, warm, say
        self.builds = 0
        self._said: set[str] = set()

    def build(self, changed: Iterable[str] = ()) -> list[str]:
        """One build; returns its errors as shown (empty: all published). Never raises."""
        started = time.perf_counter()
        changed = worth_naming(changed)
        if changed:
            self.say(f"changed: {', '.join(self._shown(p) for p in changed[:5])}"
                     + (f" and {len(changed) - 5} more" if len(changed) > 5 else ""))
        errors: list[str] = []
        report = None
        try:
            config = self.load()
            if config.output_dir.resolve() != self.config.output_dir.resolve():
                raise ConfigError("the output folder changed while watching",
                                  hint="stop the server (Ctrl-C) and start it again to serve the new folder")
            report = self._build(config)
            self.config = config
        except PublishError as exc:
            errors.append(exc.describe())
        except Exception as exc:  # noqa: BLE001 - the server outlives any build; the terminal says what broke
            errors.append(f"the build stopped: {type(exc).__name__}: {exc} (this is a bug in publish; "
                          "the server keeps the last good files)")
        warnings: list[str] = []
        if report is not None:
            errors.extend(self._shown_problem(p) for p in report.errors)
            warnings.extend(self._shown_problem(p) for p in report.warnings if self._about_content(p.path))
            self._publish(report)
        self.builds += 1
        self._tell(report, errors, time.perf_counter() - started)
        self.broadcast.finished(errors, warnings)
        return errors

    def _build(self, config: Config) -> Report:
        from publish import pipeline, registry

        names = [name for name, entry in registry.discover().items() if entry.exporter is not None]
        return pipeline.build(config, dict.fromkeys(names), drafts=self.drafts, future=self.future,
                              jobs=self.jobs, warm=self.warm)

    def _publish(self, report: Report) -> None:
        from publish.pipeline import declared_downloads
        from publish.preview import Published

        if report.collection is not None:
            self.previews.published = Published(
                self.config.output_dir, self.config.themes, report.collection, declared_downloads(self.config),
                self.config.site.language or "en", self.config.site_title, report.collection.site.base_url)

    def _tell(self, report: Report | None, errors: list[str], seconds: float) -> None:
        for line in errors:
            self.say(f"error: {line}")
        if report is not None:
            for warning in map(self._shown_problem, report.warnings):
                if warning not in self._said:            # each warning once, not on every save
                    self._said.add(warning)
                    self.say(f"warning: {warning}")
        written = len(report.written) if report is not None else 0
        state = f"{len(errors)} error{'s' * (len(errors) != 1)}, serving the last good files" if errors else "ok"
        self.say(f"build {self.builds}: {written} file{'s' * (written != 1)} written in {seconds:.2f} s ({state})")

    def _about_content(self, path: Path | None) -> bool:
        """Whether a warning is about the author's own files (not, say, fonts this machine lacks)."""
        if path is None:
            return False
        return any(path.resolve().is_relative_to(folder) for folder in
                   (self.config.content_dir.resolve(), self.config.public_dir.resolve(), self.config.root.resolve()))

    def _shown_problem(self, problem: Problem) -> str:
        return f"{self._shown(str(problem.path))}: {problem.message}" if problem.path else problem.message

    def _shown(self, path: str) -> str:
        changed = Path(path)
        return changed.relative_to(self.config.root).as_posix() if changed.is_relative_to(self.config.root) else path


class Watchers:
    """One watchdog observer over every watched folder and the site root, feeding one queue of changes.

    Its threads block on the kernel's events: nothing wakes while nothing changes (watchfiles,
    used before, slept and woke every 50 ms to look for changes and for a stop)."""

    def __init__(self, changes: queue.Queue[Change | None]) -> None:
        self.changes = changes
        self.spot: Watched | None = None
        self._observer: Any = None

    def watch(self, spot: Watched, *, again: bool = False) -> list[str]:
        """Watch `spot` (again: a watched folder was deleted or re-created). Returns what could not be
        watched (a folder gone, the system's limit of watches reached), each as a sentence."""
        if spot == self.spot and not again:
            return []
        from watchdog.observers import Observer

        if self._observer is None:
            self._observer = Observer()
            self._observer.start()
        else:
            self._observer.unschedule_all()
        handler, kinds = _handler_class()(spot, self.changes), _event_kinds()
        problems = []
        for path, recursive in [*((folder, True) for folder in spot.folders), (spot.root, False)]:
            try:
                self._observer.schedule(handler, str(path), recursive=recursive, event_filter=kinds)
            except OSError as exc:
                problems.append(f"cannot watch {path}: {exc.strerror or exc}")
        self.spot = spot
        return problems

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
        self.spot = None


@lru_cache(maxsize=1)
def _event_kinds() -> tuple[type, ...]:
    """The events that can change a build: not opening or reading a file (every build does that)."""
    from watchdog import events

    kinds = ("FileCreatedEvent", "FileModifiedEvent", "FileClosedEvent", "FileDeletedEvent", "FileMovedEvent",
             "FileAttribEvent", "DirCreatedEvent", "DirDeletedEvent", "DirMovedEvent")
    return tuple(getattr(events, name) for name in kinds if hasattr(events, name))


@lru_cache(maxsize=1)
def _handler_class() -> type:
    """The observer's event handler: every relevant path of an event goes into the queue, with its time
    (built on first use, so only watch mode imports watchdog)."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler

    class Changes(FileSystemEventHandler):
        def __init__(self, spot: Watched, changes: queue.Queue[Change | None]) -> None:
            self.spot, self.changes = spot, changes

        def on_any_event(self, event: FileSystemEvent) -> None:
            seen = time.monotonic()
            for path in (event.src_path, event.dest_path):
                if path and relevant(self.spot, os.fsdecode(path)):
                    self.changes.put((seen, os.fsdecode(path)))

    return Changes


def next_batch(changes: queue.Queue[Change | None]) -> set[str] | None:
    """The next batch of changed paths; None once watching stops. Waits without waking for the first
    change, then takes every change until none came for QUIET seconds, or LONGEST after the first."""
    item = changes.get()
    if item is None:
        return None
    first, path = item
    batch, last = {path}, first
    while True:
        wait = min(last + QUIET, first + LONGEST) - time.monotonic()
        try:
            item = changes.get(timeout=wait) if wait > 0 else changes.get_nowait()
        except queue.Empty:
            return batch
        if item is None:
            return None
        last, path = max(last, item[0]), item[1]
        batch.add(path)


def builder(session: Session, watchers: Watchers, changes: queue.Queue[Change | None]) -> None:
    """Build after each batch of changes, until a None in `changes` says to stop."""
    while (changed := next_batch(changes)) is not None:
        session.build(changed)
        spot = watchers.spot
        again = spot is not None and any(Path(path) in spot.folders for path in changed)
        try:                        # a new content folder or theme: watch it instead
            problems = watchers.watch(watched(session.config), again=again)
        except (OSError, PublishError) as exc:
            problems = [f"cannot watch the new folders: {exc}"]
        for problem in problems:
            session.say(f"error: {problem}")


class GlobalOptions(Protocol):
    """The command line's global options (cli.Options) that watch mode uses."""

    config: Path | None
    overrides: dict[str, dict[str, Any]]
    drafts: bool
    future: bool
    jobs: int | None
    verbose: bool
    scheduler: str | None


def command(options: GlobalOptions, *, host: str, port: int, workers: int | None) -> int:
    """`publish serve --watch` from the command line; returns the exit status."""
    import typer

    from publish import registry
    from publish.config import load_config
    from publish.console import err, shown

    def load() -> Config:
        return load_config(options.config, overrides=options.overrides, exporters=registry.settings_classes())

    def say(text: str) -> None:
        typer.echo(text, err=text.startswith(("error:", "warning:")))

    try:
        if workers not in (None, 1):
            raise ConfigError("--watch serves from one process", field="--workers", hint="leave --workers out")
        watch_and_serve(load, host=host, port=port, drafts=options.drafts, future=options.future, jobs=options.jobs,
                        verbose=options.verbose, say=say, scheduler=options.scheduler)
    except PublishError as exc:
        err.print(f"[bold red]error:[/] {shown(exc.describe())}")
        return 2 if isinstance(exc, ConfigError) else 1
    return 0


def watch_and_serve(load: Callable[[], Config], *, host: str, port: int, drafts: bool, future: bool,
                    jobs: int | None, verbose: bool, say: Callable[[str], None] = print,
                    scheduler: str | None = None) -> None:
    """`publish serve --watch`: build, serve output/ with live reload, rebuild on every save.
    A Dask scheduler (`scheduler`, else the environment's or the configuration's) is not used:
    rebuilds run on warm local workers, and the user is told so."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount, Route

    from publish import pipeline, serve, workers
    from publish.content import pandoc_server
    from publish.livereload import PREFIX, Broadcast, LiveReload
    from publish.preview import Previews

    config = load()
    from publish.cluster import scheduler_address

    if scheduler_address(scheduler, config.build.scheduler):
        say("note: while watching, rebuilds run on this machine's warm workers, not on the Dask scheduler "
            "(one-shot commands such as `publish all` use it)")
    pandoc_server.keep_alive()
    broadcast, previews = Broadcast(), Previews()
    warm = workers.WarmPool(jobs or pipeline.default_jobs(), workers.start_method())
    session = Session(load, config, drafts=drafts, future=future, jobs=jobs, broadcast=broadcast,
                      previews=previews, warm=warm, say=lambda text: say(text))
    changes: queue.Queue[Change | None] = queue.Queue()
    watchers = Watchers(changes)
    thread: threading.Thread | None = None
    terminate = _stop_on_sigterm()
    try:
        session.build()                     # in the main thread: prepares the exporters and forks the workers
        if not warm.started:                # that build stopped early: fork now all the same, never from a thread
            warm.start(())
        sock = serve._listen(host, port)    # after the fork: the workers do not hold the port
        for problem in watchers.watch(watched(session.config)):
            say(f"error: {problem}")
        thread = threading.Thread(target=builder, args=(session, watchers, changes),
                                  name="publish-build", daemon=True)
        thread.start()
        output_dir = session.config.output_dir
        app = LiveReload(Starlette(routes=[
            Route(PREFIX + "{rest:path}", previews.respond),
            Mount("/", app=serve.create_app(output_dir, title=session.config.site_title,
                                            language=session.config.site.language,
                                            previews=session.drafts or session.future)),
        ]), broadcast)
        local, *others = serve.addresses(host, sock.getsockname()[1])
        spot = watchers.spot
        folders = ", ".join(_shown(f, session.config.root) for f in spot.folders) if spot else ""
        say(f"Serving {output_dir} at {local} with live reload (press Ctrl-C to stop)")
        say(f"Watching {folders} and the configuration; previews at {local.rstrip('/')}{PREFIX}")
        if others:
            say(f"Other machines may use {', '.join(others)}")
        server = uvicorn.Config(app, log_level="info" if verbose else "warning", access_log=verbose,
                                server_header=False, proxy_headers=False, lifespan="off",
                                timeout_graceful_shutdown=1)
        try:
            serve.quiet_server(server, on_stop=broadcast.close).run(sockets=[sock])
        except KeyboardInterrupt:     # uvicorn re-raises Ctrl-C (and SIGTERM) after its clean shutdown: success
            pass
        finally:
            sock.close()
    finally:
        changes.put(None)
        if thread is not None:
            thread.join(timeout=60)                 # a build under way finishes its files
        watchers.stop()                             # after the builder, which may be re-watching
        warm.close()
        pandoc_server.close()
        if terminate is not None:
            signal.signal(signal.SIGTERM, terminate)
    say("Stopped.")


def _stop_on_sigterm() -> Any:
    """SIGTERM stops like Ctrl-C (a KeyboardInterrupt), so every `finally` runs: by default it killed the
    process where it stood, leaving the workers and Pandoc processes behind. Returns the handler it replaced."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _shown(folder: Path, root: Path) -> str:
    return (folder.relative_to(root).as_posix() or ".") if folder.is_relative_to(root) else str(folder)
