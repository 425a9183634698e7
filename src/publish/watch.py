"""`publish serve --watch`: build, serve, and build again on every save, in one warm process.

The first build runs in the main thread: it prepares every exporter (WeasyPrint, fonts,
stylesheets) and starts the worker processes once (`workers.WarmPool`), before any other thread
exists. Then two watchfiles watchers (native events, no polling) report changes: one recursive,
over the content and public folders, the theme chain and the blog engine's configuration folders;
one over the site root alone, for publish.toml, pyproject.toml and the engine's files there.
Nothing under the output folder counts. A builder thread takes a batch of changes (watchfiles
groups a burst of saves; batches that came during a build are taken together) and runs the
incremental pipeline again: only the tasks whose inputs changed render.

A build that fails (a broken article, a broken configuration, even a bug) is reported in the
terminal and in a banner on the watched pages; the server keeps serving the last good files, and
the next good save clears it. The server (`serve.create_app` behind `livereload.LiveReload`) runs
in the main thread; uvicorn's one process serves everything (no --workers in watch mode).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
    """Whether a change at `path` can change what is built: never one inside the output folder."""
    changed = Path(path)
    if changed.is_relative_to(spot.output_dir):
        return False
    if changed.parent == spot.root and not any(changed.is_relative_to(f) for f in spot.folders):
        return changed.name in spot.root_files
    return True


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
        changed = sorted(changed)
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
    """Two watchfiles watchers feeding one queue of change batches, restartable when the paths change."""

    def __init__(self, batches: queue.Queue[set[str]]) -> None:
        self.batches = batches
        self.spot: Watched | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def watch(self, spot: Watched) -> None:
        if spot == self.spot:
            return
        self.stop()
        self.spot, self._stop = spot, threading.Event()
        jobs: list[tuple[tuple[Path, ...], bool]] = [(spot.folders, True), ((spot.root,), False)]
        for paths, recursive in jobs:
            thread = threading.Thread(target=self._run, args=(paths, recursive, spot, self._stop),
                                      name="publish-watch", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _run(self, paths: tuple[Path, ...], recursive: bool, spot: Watched, stop: threading.Event) -> None:
        from watchfiles import DefaultFilter, watch

        default = DefaultFilter()

        def wanted(change: Any, path: str) -> bool:
            return default(change, path) and relevant(spot, path)

        # `step`: the quiet time that ends a batch, and how often the watcher wakes to check `stop`;
        # the site root holds only configuration files, saved rarely, so it is checked less often.
        for changes in watch(*paths, watch_filter=wanted, recursive=recursive, stop_event=stop,
                             raise_interrupt=False, debounce=1600, step=50 if recursive else 200):
            self.batches.put({path for _, path in changes})

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []


def builder(session: Session, watchers: Watchers, batches: queue.Queue[set[str]], stop: threading.Event) -> None:
    """Build after each batch of changes; batches that arrived during a build make one more build."""
    while not stop.is_set():
        changed = batches.get()
        if stop.is_set():
            return
        while True:
            try:
                changed |= batches.get_nowait()
            except queue.Empty:
                break
        session.build(changed)
        try:
            watchers.watch(watched(session.config))     # a new content folder or theme: watch it instead
        except (OSError, PublishError) as exc:
            session.say(f"error: cannot watch the new folders: {exc}")


class GlobalOptions(Protocol):
    """The command line's global options (cli.Options) that watch mode uses."""

    config: Path | None
    overrides: dict[str, dict[str, Any]]
    drafts: bool
    future: bool
    jobs: int | None
    verbose: bool


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
                        verbose=options.verbose, say=say)
    except PublishError as exc:
        err.print(f"[bold red]error:[/] {shown(exc.describe())}")
        return 2 if isinstance(exc, ConfigError) else 1
    return 0


def watch_and_serve(load: Callable[[], Config], *, host: str, port: int, drafts: bool, future: bool,
                    jobs: int | None, verbose: bool, say: Callable[[str], None] = print) -> None:
    """`publish serve --watch`: build, serve output/ with live reload, rebuild on every save."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount, Route

    from publish import pipeline, serve, workers
    from publish.content import pandoc_server
    from publish.livereload import PREFIX, Broadcast, LiveReload
    from publish.preview import Previews

    config = load()
    pandoc_server.keep_alive()
    broadcast, previews = Broadcast(), Previews()
    warm = workers.WarmPool(jobs or pipeline.default_jobs(), workers.start_method())
    session = Session(load, config, drafts=drafts, future=future, jobs=jobs, broadcast=broadcast,
                      previews=previews, warm=warm, say=lambda text: say(text))
    stop = threading.Event()
    batches: queue.Queue[set[str]] = queue.Queue()
    watchers = Watchers(batches)
    thread: threading.Thread | None = None
    try:
        session.build()                     # in the main thread: prepares the exporters and forks the workers
        if not warm.started:                # that build stopped early: fork now all the same, never from a thread
            warm.start(())
        sock = serve._listen(host, port)    # after the fork: the workers do not hold the port
        watchers.watch(watched(session.config))
        thread = threading.Thread(target=builder, args=(session, watchers, batches, stop),
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
            _quiet_server(uvicorn.Server)(server).run(sockets=[sock])
        except KeyboardInterrupt:     # uvicorn re-raises Ctrl-C after its clean shutdown: stopping is success
            pass
        finally:
            sock.close()
    finally:
        stop.set()
        batches.put(set())
        watchers.stop()
        if thread is not None:
            thread.join(timeout=60)                 # a build under way finishes its files
        warm.close()
        pandoc_server.close()
    say("Stopped.")


def _quiet_server(base: type) -> type:
    """uvicorn's server, waking twice a second instead of ten times to see whether it should stop
    (an idle preview server then costs next to no CPU). Its own loop if uvicorn changed shape."""
    import asyncio

    if not hasattr(base, "on_tick") or not hasattr(base, "main_loop"):
        return base

    class QuietServer(base):  # type: ignore[valid-type, misc]
        async def main_loop(self) -> None:
            while not await self.on_tick(0):        # tick 0 also refreshes the Date header
                await asyncio.sleep(0.5)

    return QuietServer


def _shown(folder: Path, root: Path) -> str:
    return (folder.relative_to(root).as_posix() or ".") if folder.is_relative_to(root) else str(folder)
