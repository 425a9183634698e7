"""The PDF worker of an incremental `publish all`, started before the articles are read.

After an author edits one article, `publish all` has one PDF to make and a dozen small files. In
a fresh process that PDF waited for WeasyPrint to be imported, and the import waited for the
articles to be read and the build planned: one after the other on one core, while the second
core had nothing to do. So when a `publish all` starts on an output folder an earlier build made
(its manifest is there) and the no-op stamp does not answer, one worker process is forked at once
and imports the PDF exporter's modules (`Exporter.imports`) while the main process reads and plans.

Once the configuration is read, the worker prepares the exporter (WeasyPrint's fonts, the theme's
stylesheet: they depend on the configuration alone). If the plan then has between 1 and `FEW`
PDFs to make, they go to that worker with the build's contexts (pickled once), and what the
exporter's prepare() said comes back with the first PDF. The other tasks go to a pool of the
remaining jobs, forked as usual. In any other case (no PDF or more than a few, one job, a
cluster, watch mode, another start method) the worker is stopped unused: its import cost CPU
time on the other core, no wall time. The PDFs are the same bytes either way.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from publish import workers
from publish.exporters.base import BuildContext, Notice, Task
from publish.workers import Inputs, Outcome

EXPORTER = "pdf"            # the exporter whose import is worth starting early (WeasyPrint: about 0.5 s)
FEW = 4                     # up to this many of its tasks due, the early worker makes them


class Early:
    """One forked worker process that preloaded an exporter's modules; see the module docstring."""

    def __init__(self, name: str, imports: tuple[str, ...]) -> None:
        self.name = name
        self._pool: ProcessPoolExecutor | None = workers.pool_of(1, "fork", _preload, (imports,))
        self._forked = self._pool.submit(os.getpid)

    def pid(self) -> int:
        """The worker's process id."""
        return self._forked.result()

    def prepare(self, ctx: BuildContext[Any, Any]) -> None:
        """Have the worker prepare the exporter as soon as its modules are loaded, with `ctx`: the
        build's context before any article is read (see `_prepare`)."""
        if self._pool is not None:
            self._pool.submit(_prepare, self.name, pickle.dumps(replace(ctx, due=1), protocol=pickle.HIGHEST_PROTOCOL))

    def takes(self, due: int) -> bool:
        """Whether this worker makes a run's `due` tasks of its exporter."""
        return self._pool is not None and 1 <= due <= FEW

    def close(self) -> None:
        """Stop the worker: at once if it is still importing (nothing of it is needed any more),
        else once its running task has returned (killed while sending a result, it would leave the
        pool waiting for the rest of the message)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if not self._forked.done():
            # concurrent.futures cannot stop a worker in its initializer but through its process table.
            for process in dict(getattr(pool, "_processes", None) or {}).values():
                if process.is_alive():
                    process.kill()
        pool.shutdown(wait=True, cancel_futures=True)

    def run(self, todo: list[Task], contexts: dict[str, BuildContext[Any, Any]], *, jobs: int, method: str,
            started: Callable[[], None], inputs: Callable[[Task], Inputs]) -> Iterator[Outcome]:
        """Like `workers.run`: this worker makes its exporter's tasks (`contexts` has their `due`
        set), a pool of `jobs - 1` forked workers the others; stops this worker at the end."""
        if self._pool is None:
            raise RuntimeError("the early worker was stopped")
        mine = self._pool
        blob = pickle.dumps({self.name: contexts[self.name]}, protocol=pickle.HIGHEST_PROTOCOL)
        rest = [task for task in todo if task.exporter != self.name]
        try:
            with workers.one_shot_pool(min(max(1, jobs - 1), len(rest)), method, rest, contexts) as pool:

                def submit(task: Task, given: Inputs) -> Future[Outcome]:
                    if task.exporter == self.name:
                        return mine.submit(_render, task, given, blob)
                    assert pool is not None
                    return pool.submit(workers.render_in_worker, task, given)

                yield from workers.dispatch(todo, submit, started, inputs)
        finally:
            self.close()


_started: Early | None = None
_disabled = False


def disable() -> None:
    """Never start an early worker in this process (a build server's child is already warm)."""
    global _disabled
    _disabled = True


def start(found: tuple[Path, Path] | None, *, jobs: int | None = None, scheduler: str | None = None,
          force: bool = False) -> None:
    """Start the early worker for a `publish all` whose stamp did not answer, where it may pay:
    `found` (the site root and output folder) has the manifest of an earlier build; Linux,
    forked workers, more than one job, no Dask scheduler named (one named in publish.toml stops it
    later, unused), not --force (which makes every PDF)."""
    global _started
    if (_disabled or _started is not None or found is None or force or jobs == 1 or scheduler
            or not sys.platform.startswith("linux") or os.environ.get("PUBLISH_SCHEDULER", "").strip()
            or os.environ.get("PUBLISH_JOBS", "").strip() == "1"
            or os.environ.get(workers.START_METHOD_VARIABLE, "").strip() not in ("", "fork")):
        return
    from publish import registry
    from publish.manifest import MANIFEST

    if not (found[1] / MANIFEST).is_file():
        return
    entry = registry.find(EXPORTER)
    if entry is not None and entry.builtin and entry.exporter is not None:
        _started = Early(EXPORTER, entry.exporter.imports)


class CommandLine(Protocol):
    """The command line's global options (cli.Options) that `start_for` reads."""

    config: Path | None
    overrides: dict[str, dict[str, Any]]
    jobs: int | None
    scheduler: str | None


def start_for(options: CommandLine, *, force: bool = False) -> None:
    """`start` for a command (`publish all`, `publish pdf SLUG…`) with these options."""
    from publish import siteroot

    output = options.overrides.get("paths", {}).get("output")
    start(siteroot.locate(options.config, output if isinstance(output, str) else None), jobs=options.jobs,
          scheduler=options.scheduler, force=force)


def take() -> Early | None:
    """The early worker this process started, for the build that uses or stops it."""
    global _started
    found, _started = _started, None
    return found


# --- in the early worker ------------------------------------------------------------------------

_sent = b""
_contexts: dict[str, BuildContext[Any, Any]] = {}


@dataclass
class _Started:
    exporter: Any = None                  # prepared, or None if it could not start
    said: tuple[Notice, ...] = ()         # what its prepare() said: sent back with its first task
    notes: tuple[str, ...] = ()           # the third-party patches' notes (-v)
    error: str = ""
    told: bool = False


_started_here: dict[str, _Started] = {}


def _preload(imports: tuple[str, ...]) -> None:
    """Import the exporter's modules; not its warm-up, which pays only for many tasks."""
    import importlib

    workers.quiet_on_interrupt()
    for module in imports:
        importlib.import_module(module)


def _start(ctx: BuildContext[Any, Any], name: str) -> _Started:
    from publish import patches, registry

    found = _started_here.get(name)
    if found is not None:
        return found
    entry = registry.find(name)
    if entry is None or entry.exporter is None:
        found = _Started(error=f"the {name} exporter cannot be loaded in a worker")
    else:
        exporter = entry.exporter()
        try:
            said = tuple(workers.notice_of(item, None) for item in exporter.prepare(ctx) or ())
            found = _Started(exporter, said, tuple(patches.apply_all()))
        except Exception as exc:  # noqa: BLE001
            found = _Started(error=f"the {name} exporter could not start: {exc}")
    _started_here[name] = found
    return found


def _prepare(name: str, blob: bytes) -> None:
    """Prepare the exporter before the build's contexts exist, with one of no article (its due
    count set to 1, so no warm-up): what the built-in PDF exporter prepares depends on the
    configuration alone (the engine: fonts, the theme's stylesheet, templates)."""
    _start(pickle.loads(blob), name)  # noqa: S301 - pickled by our own main process


def _render(task: Task, inputs: Inputs, blob: bytes) -> Outcome:
    global _contexts, _sent
    if blob != _sent:
        _contexts, _sent = pickle.loads(blob), blob  # noqa: S301 - pickled by our own main process
    ctx = _contexts[task.exporter]
    started = _start(ctx, task.exporter)
    if started.exporter is None:
        return Outcome(task.key, error=f"{task.label}: {started.error}", pid=os.getpid())
    outcome = workers.render(started.exporter, ctx, task, inputs)
    if started.told:
        return outcome
    started.told = True
    return replace(outcome, prepared=started.said, notes=started.notes)
