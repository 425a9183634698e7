"""Rendering on a Dask cluster: `publish --scheduler tcp://HOST:8786 all`.

The render tasks run on the cluster's workers through `distributed.Client(...).get_executor()`;
this process plans, hands the tasks out slowest first (`workers.dispatch`, as for the local pool)
and writes every file they return (delivery.py). Workers need publish and the fonts, and no shared
file system: what a task reads of the site (theme files under the site root, its articles' images,
the image copies output/ already holds) travels with it, and each worker keeps those files in a
private temporary folder (never its working folder). Paths in the build contexts are rewritten on
the way by a pickler hook: under the site root -> that folder, inside the publish package -> the
worker's own installation; so the exporters run unchanged.

On connecting, every worker is set up by a Dask worker plugin (cluster_setup.py: Dask's profiler
off, the renderers' libraries loaded at once); a worker freezes each build's unpacked contexts for
the garbage collector, as the local pool's forked workers do.

A scheduler or worker running another version of publish (or none), or a worker whose bundled
theme differs, is refused, naming both. A worker lost mid-task makes Dask run the task elsewhere
(and after repeated losses, that task fails alone); an unreachable scheduler is a usage error
within CONNECT_TIMEOUT seconds.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import io
import os
import pickle
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from publish import __version__, heap
from publish.errors import ConfigError
from publish.exporters.base import BuildContext, Exporter, Notice, Task
from publish.model import Image
from publish.workers import Inputs, Outcome, dispatch, render

SCHEDULER_VARIABLE = "PUBLISH_SCHEDULER"
CONNECT_TIMEOUT = 10               # seconds: an unreachable scheduler is said within this
RETRIES = 1                        # Dask retries of a task that raised (ours return their errors instead)
PACKAGE = Path(__file__).resolve().parent
INSTALL = "pip install 'publish[dask]'"


def scheduler_address(option: str | None, configured: str) -> str:
    """Where to render: --scheduler, else $PUBLISH_SCHEDULER, else [build] scheduler; "" for here."""
    for value in (option, os.environ.get(SCHEDULER_VARIABLE), configured):
        if value and value.strip():
            return value.strip()
    return ""


def connect(address: str) -> Any:
    """A Client of the scheduler at `address` with at least one worker that runs this publish;
    ConfigError (exit 2) saying what to do otherwise."""
    try:
        import distributed
    except ImportError:
        raise ConfigError(f"rendering on a Dask cluster ({address}) needs Dask distributed, which is not installed",
                          hint=f"{INSTALL} on this machine and on every worker") from None
    started = time.monotonic()
    _probe(address)
    client = distributed.Client.__new__(distributed.Client)
    try:
        left = max(1.0, CONNECT_TIMEOUT - (time.monotonic() - started))
        client.__init__(address, timeout=f"{left:.1f}s", set_as_default=False)  # type: ignore[misc]
    except Exception as exc:  # noqa: BLE001 - whatever answered there, it is not a scheduler we can use
        with contextlib.suppress(Exception):
            client.close(timeout=1)              # else its finalizer waits 20 s for a connection that never was
        why = f"{type(exc).__name__}: {exc}" if isinstance(exc, (OSError, TimeoutError)) else \
            f"what answered there is not a Dask scheduler: {type(exc).__name__}"
        raise _unreachable(address, why) from None
    try:
        _check_scheduler(client, address)
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            versions = client.run(_worker_version)
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"the Dask scheduler at {address} has no worker ({exc})",
                              hint="start workers with `dask worker " + address + " --nthreads 1`") from None
        other = {worker: version for worker, version in versions.items() if version != __version__}
        if other:
            listed = ", ".join(f"{worker} runs publish {version}" for worker, version in sorted(other.items()))
            raise ConfigError(f"this build runs publish {__version__}, but {listed}",
                              hint=f"install publish {__version__} on every worker, with the same fonts")
    except ConfigError:
        client.close()
        raise
    _set_up_workers(client)
    return client


def _check_scheduler(client: Any, address: str) -> None:
    """The scheduler unpickles the tasks, so it needs this publish too (else every task fails with
    Dask's "Error during deserialization of the task graph")."""
    hint = f"install publish {__version__} with its dask extra where the scheduler runs, as on the workers"
    try:
        version = client.run_on_scheduler(_worker_version)
    except (OSError, TimeoutError) as exc:
        raise _unreachable(address, f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - whatever it raised, it could not load publish
        raise ConfigError(f"the Dask scheduler at {address} cannot load publish ({type(exc).__name__}: {exc})",
                          hint=hint) from None
    if version != __version__:
        raise ConfigError(f"this build runs publish {__version__}, but the Dask scheduler at {address} runs "
                          f"publish {version}", hint=hint)


def _set_up_workers(client: Any) -> None:
    """Register cluster_setup.WorkerSetup: Dask's profiler off and the renderers' libraries loaded,
    on every worker, now and joining later."""
    from publish.cluster_setup import WorkerSetup

    try:
        client.register_plugin(WorkerSetup(warm_up))
    except Exception:  # noqa: BLE001, S110 - it only saves time: a worker without it renders the same
        pass


def _unreachable(address: str, why: str) -> ConfigError:
    return ConfigError(f"could not reach the Dask scheduler at {address} ({why})",
                       hint="start one with `dask scheduler` (and workers with `dask worker ADDRESS --nthreads 1`), "
                            "or check the address in --scheduler, PUBLISH_SCHEDULER or [build] scheduler")


def _probe(address: str) -> None:
    """Fail at once, naming the address, when nothing listens there (Dask would retry until its timeout)."""
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if parts.scheme not in ("tcp", "tls") or not host or not port:
        raise ConfigError(f"{address!r} is not a Dask scheduler address", hint="write it as tcp://HOST:8786")
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT / 2):
            pass
    except OSError as exc:
        raise _unreachable(address, exc.strerror or type(exc).__name__) from None


def _worker_version() -> str:
    import publish

    return str(getattr(publish, "__version__", "unknown"))


# --- what travels: contexts with their paths rewritten, and the site's files ------------------------

def places(root: Path, themes: Iterable[Path]) -> dict[Path, str]:
    """Where the site's files go in a worker's copy: the site root at its top, a theme folder
    outside the site root (and outside the package, which every worker has) under `.themes/N/`."""
    found = {root: ""}
    outside = [folder for folder in themes if not folder.is_relative_to(root) and not folder.is_relative_to(PACKAGE)]
    found.update({folder: f".themes/{n}/" for n, folder in enumerate(dict.fromkeys(outside))})
    return found


def placed(path: Path, where: Mapping[Path, str]) -> str | None:
    """`path` as it is named in a worker's copy of the site files (None: not a site file)."""
    for base, prefix in sorted(where.items(), key=lambda item: -len(item[0].parts)):
        if path.is_relative_to(base):
            relative = path.relative_to(base).as_posix()
            return (prefix + relative if relative != "." else prefix.rstrip("/")) or "."
    return None


class _Outbound(pickle.Pickler):
    """Pickles the build contexts with every path of a site file or of the package made relative."""

    def __init__(self, file: io.BytesIO, where: Mapping[Path, str]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.where = where

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, PurePath) and obj.is_absolute():
            path = Path(obj)
            if path.is_relative_to(PACKAGE):
                return _in_package, (path.relative_to(PACKAGE).as_posix(),)
            relative = placed(path, self.where)
            if relative is not None:
                return _in_site, (relative,)
        return NotImplemented


_SITE: Path | None = None               # this worker's copy of the site files of the build it unpickles


def _in_site(relative: str) -> Path:
    if _SITE is None:
        raise RuntimeError("a site path was unpickled outside a publish task")
    return _SITE / relative if relative != "." else _SITE


def _in_package(relative: str) -> Path:
    return PACKAGE / relative if relative != "." else PACKAGE


@dataclass(frozen=True)
class Shipment:
    """What every task of one build shares: its id, publish's version, each exporter's theme digest
    (what the worker's own files must match), the site root's name (for messages) and the pickled
    contexts."""

    build: str
    version: str
    themes: Mapping[str, str]
    root: str
    contexts: bytes


class SiteFiles:
    """The site files the tasks read, each read and sent to the cluster once, when a task needs it."""

    def __init__(self, client: Any, contexts: Mapping[str, BuildContext[Any, Any]], where: Mapping[Path, str]) -> None:
        ctx = next(iter(contexts.values()))
        self.client, self.where, self.output_dir = client, where, ctx.output_dir
        self.sent: dict[str, tuple[str, Any]] = {}            # relative path -> (sha256, future)
        self.theme = sorted({path for c in contexts.values() for folder in c.themes.folders
                             if placed(folder, where) is not None for path in folder.rglob("*") if path.is_file()})
        self.copies: dict[str, list[str]] = {}                # image digest[:12] -> present copies of it
        self.learn(ctx.present)
        self.site_images = [image for image in (ctx.site.icon, ctx.site.logo, ctx.site.book_cover)
                            if isinstance(image, Image)]

    def learn(self, names: Iterable[str]) -> None:
        """Image copies a task made (the client writes them): later tasks get them instead of making them."""
        for name in names:
            parts = name.rsplit("-", 2)
            if len(parts) == 3 and name not in self.copies.setdefault(parts[1], []):
                self.copies[parts[1]].append(name)

    def for_task(self, task: Task, ctx: BuildContext[Any, Any]) -> dict[str, tuple[str, Any]]:
        articles = [a for slug in task.articles if (a := ctx.collection.get(slug)) is not None]
        images = [*self.site_images, *(i for a in articles for i in (a.cover, *a.images.values()) if i is not None)]
        paths = [*self.theme, *(image.path for image in images)]
        paths += [self.output_dir / name for image in images for name in self.copies.get(image.digest[:12], ())]
        found = {rel: self._send(rel, path) for path in paths if (rel := self._relative(path)) is not None}
        return {rel: sent for rel, sent in found.items() if sent is not None}

    def _relative(self, path: Path) -> str | None:
        return None if path.is_relative_to(PACKAGE) else placed(path, self.where)

    def _send(self, relative: str, path: Path) -> tuple[str, Any] | None:
        found = self.sent.get(relative)
        if found is None:
            try:
                data = path.read_bytes()
            except OSError:
                return None                   # gone: the task says what it misses, as it would here
            future = _scatter(self.client, data)
            found = self.sent[relative] = (hashlib.sha256(data).hexdigest(), future)
        return found


def run(client: Any, todo: list[Task], exporters: dict[str, Exporter[Any, Any]],
        contexts: dict[str, BuildContext[Any, Any]], started: Callable[[], None],
        inputs: Callable[[Task], Inputs]) -> Iterator[Outcome]:
    """Like workers.run, on the Dask cluster of `client` (from `connect`)."""
    names = sorted({task.exporter for task in todo})
    root = next(iter(contexts.values())).config.root
    where = places(root, (folder for ctx in contexts.values() for folder in ctx.themes.folders))
    buffer = io.BytesIO()
    _Outbound(buffer, where).dump({name: contexts[name] for name in names})
    themes = {name: _theme_digest(exporters[name], contexts[name]) for name in names}
    shipment = client.scatter(Shipment(uuid.uuid4().hex, __version__, themes, str(root), buffer.getvalue()),
                              hash=False)
    files = SiteFiles(client, contexts, where)
    executor = client.get_executor(retries=RETRIES, pure=False)

    def submit(task: Task, given: Inputs) -> Any:
        sent = _scatter(client, dict(given)) if given else {}
        return executor.submit(_render_on_worker, shipment, files.for_task(task, contexts[task.exporter]),
                               task, sent)

    # Two tasks per worker thread in flight: enough to keep every worker busy, few enough that a
    # task handed out later finds the image copies earlier tasks made (SiteFiles.learn).
    window = 2 * max(1, sum(client.nthreads().values()))
    for outcome in dispatch(todo, submit, started, inputs, window):
        files.learn(name for name, _ in outcome.copies)
        yield outcome


def _scatter(client: Any, data: Any) -> Any:
    """Send data to the cluster through the scheduler; a worker lost meanwhile (its connection
    closes under the scatter) is retried on the others."""
    for attempt in range(4):
        try:
            return client.scatter(data, hash=False, direct=False)
        except OSError:                       # distributed's CommClosedError is one
            if attempt == 3:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def _theme_digest(exporter: Exporter[Any, Any], ctx: BuildContext[Any, Any]) -> str:
    """What the exporter's theme files hold (names and bytes; not where they are, which differs)."""
    h = hashlib.sha256()
    if exporter.theme_folder:
        for relative, path in sorted(ctx.themes.files(exporter.theme_folder).items()):
            h.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


# --- on the worker ------------------------------------------------------------------------------

@dataclass
class _Build:
    id: str
    contexts: dict[str, BuildContext[Any, Any]]
    exporters: dict[str, Exporter[Any, Any]]
    checked: dict[str, str | None]              # exporter -> why its theme is refused (None: it matches)


_LOCK = threading.Lock()        # one task at a time per process: the renderers keep module-level caches
_FOLDER: Path | None = None     # this worker's private copy of the site files (a temporary folder)
_WRITTEN: dict[str, str] = {}   # relative path -> sha256 of what that folder holds
_TRIMMER = heap.Trimmer()       # freed memory back to the system after a task that grew the worker
_BUILD: _Build | None = None


def _render_on_worker(shipment: Shipment, files: Mapping[str, tuple[str, bytes]], task: Task,
                      inputs: Inputs) -> Outcome:
    if shipment.version != __version__:
        return Outcome(task.key, error=f"{task.label}: refused by a worker that runs publish {__version__}: this build "
                                       f"runs publish {shipment.version} (install the same version on every worker)",
                       pid=os.getpid())
    with _LOCK:
        folder = _site_folder()
        if _BUILD is None or _BUILD.id != shipment.build:
            # A new build starts from an empty copy: image copies left by an earlier build must not
            # count as held by output/ (this build's output/ may not have them).
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
            _WRITTEN.clear()
        from publish.paths import output_path, write_atomic

        for relative, (digest, data) in files.items():
            if _WRITTEN.get(relative) != digest:
                write_atomic(output_path(folder, relative), data)
                _WRITTEN[relative] = digest
        build = _unpack(shipment, folder)
        refused = _theme_refused(build, task.exporter, shipment)
        if refused:
            return Outcome(task.key, error=f"{task.label}: {refused}", pid=os.getpid())
        outcome = render(build.exporters[task.exporter], build.contexts[task.exporter], task, inputs)
        _TRIMMER.after_task()            # as the local pool's workers do (heap.py)
    return _from_site(outcome, folder, Path(shipment.root))


def warm_up() -> None:
    """Load what every installed exporter's tasks need that no build decides (`Exporter.preload`:
    heavy libraries, the math font), before this worker's first task (which waits for it, holding
    the same lock). An exporter that cannot load is left to its own tasks to report."""
    from publish import registry

    with _LOCK:
        for _, entry in sorted(registry.discover().items()):
            if entry.exporter is not None:
                with contextlib.suppress(Exception):
                    entry.exporter.preload()


def _site_folder() -> Path:
    global _FOLDER
    if _FOLDER is None:
        _FOLDER = Path(tempfile.mkdtemp(prefix="publish-site-"))
        atexit.register(shutil.rmtree, _FOLDER, True)
    return _FOLDER


def _unpack(shipment: Shipment, folder: Path) -> _Build:
    """This build's contexts and prepared exporters (unpickled and prepared once per build)."""
    global _BUILD, _SITE
    if _BUILD is not None and _BUILD.id == shipment.build:
        return _BUILD
    from publish import patches, registry

    _BUILD = None
    gc.unfreeze()                     # the previous build's contexts can be collected again
    _SITE = folder
    contexts = pickle.loads(shipment.contexts)  # noqa: S301 - made by the publish client that handed out the task
    exporters = {}
    for name, ctx in contexts.items():
        entry = registry.find(name)
        if entry is None or entry.exporter is None:
            raise ConfigError(f"the {name} exporter is not installed on this worker")
        exporters[name] = entry.exporter()
        exporters[name].prepare(ctx)
    patches.apply_all()
    _BUILD = _Build(shipment.build, contexts, exporters, {})
    # As in the local pool's forked workers (workers.run): frozen, the contexts and what prepare()
    # loaded are not walked again by the garbage collector during every task of the build.
    gc.collect()
    gc.freeze()
    return _BUILD


def _theme_refused(build: _Build, name: str, shipment: Shipment) -> str | None:
    if name not in build.checked:
        here = _theme_digest(build.exporters[name], build.contexts[name])
        build.checked[name] = None if here == shipment.themes[name] else (
            f"refused by a worker whose {name} theme files differ from this build's (publish {__version__} on "
            f"both; theme digest {here[:12]} there, {shipment.themes[name][:12]} here): install the same publish "
            f"and theme on every worker")
    return build.checked[name]


def _from_site(outcome: Outcome, folder: Path, root: Path) -> Outcome:
    """Paths of the worker's copy of the site named as the site root's paths again."""
    def back(text: str) -> str:
        return text.replace(str(folder), str(root))

    def path(found: Path | None) -> Path | None:
        return root / found.relative_to(folder) if found is not None and found.is_relative_to(folder) else found

    notices = tuple(Notice(back(n.message), path(n.path)) for n in outcome.notices)
    return Outcome(outcome.key, notices, back(outcome.error) if outcome.error else None, outcome.used,
                   outcome.seconds, outcome.pid, outcome.files, outcome.copies)
