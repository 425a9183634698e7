"""Rendering tasks: in this process, or in a pool of long-lived worker processes.

Each worker is set up once by the pool's initializer, which receives the exporters' names and
their (picklable) build contexts: it finds the exporters through the registry and prepares them,
so the pool works with every start method. `fork` stays the default on Linux: a forked worker
inherits what `prepare()` already loaded in the main process (WeasyPrint, fonts, stylesheets)
and shares those pages with it, so it skips its own `prepare()`. `PUBLISH_START_METHOD=spawn` (or
`forkserver`) chooses another; macOS and Windows default to `spawn`.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publish import heap
from publish.errors import ConfigError, PublishError
from publish.exporters.base import BuildContext, Exporter, Notice, Task
from publish.model import EMPTY
from publish.precompress import twins

START_METHOD_VARIABLE = "PUBLISH_START_METHOD"


@dataclass(frozen=True)
class Outcome:
    key: str
    notices: tuple[Notice, ...] = ()
    error: str | None = None
    used: tuple[str, ...] = ()          # shared files the outputs link to (image copies)
    seconds: float = 0.0                # CPU time the task took in its worker
    pid: int = 0                        # the process that rendered it
    # What the main process writes: the task's files with their twins, and the image copies it made
    # that output/ did not hold (relative path, bytes); nothing is written where the task ran.
    files: tuple[tuple[str, bytes], ...] = ()
    copies: tuple[tuple[str, bytes], ...] = ()
    # From a worker that prepared the exporter itself (early.py): what prepare() said, and the
    # third-party patches' notes (-v), which the main process did not see.
    prepared: tuple[Notice, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        """Bytes the task sent back (what crosses the network on a cluster)."""
        return sum(len(data) for _, data in self.files) + sum(len(data) for _, data in self.copies)


# What a task reads of the tasks it needs (relative path -> bytes), given by the main process.
Inputs = Mapping[str, bytes]


def start_method() -> str:
    """How worker processes start: $PUBLISH_START_METHOD, else `fork` on Linux, else the platform's default."""
    available = multiprocessing.get_all_start_methods()
    chosen = os.environ.get(START_METHOD_VARIABLE, "").strip()
    if chosen:
        if chosen not in available:
            raise ConfigError(f"{START_METHOD_VARIABLE}={chosen!r} is not a start method of this system",
                              hint=f"use one of {', '.join(available)}")
        return chosen
    if sys.platform.startswith("linux") and "fork" in available:
        return "fork"
    return multiprocessing.get_start_method()


def render(exporter: Exporter[Any, Any], ctx: BuildContext[Any, Any], task: Task, inputs: Inputs = EMPTY) -> Outcome:
    """Render one task and say what happened, with the files it made; never raises."""
    ctx = ctx.for_task(inputs)
    started = time.process_time()
    try:
        said = exporter.render(ctx, task)
        notices = tuple(notice_of(item, source_of(task, ctx)) for item in said or ())
        missing = [rel for rel in task.outputs if rel not in ctx.files]
        if missing:
            return Outcome(task.key, notices, f"{task.label}: the exporter did not write {', '.join(missing)}",
                           pid=os.getpid())
        listed = set(task.outputs).union(*(twins(rel) for rel in task.outputs))
        extra = sorted(set(ctx.files) - listed)
        if extra:
            return Outcome(task.key, notices, f"{task.label}: the exporter wrote {', '.join(extra)}, which its task "
                                              f"does not list among its outputs (this is a bug in the "
                                              f"{task.exporter} exporter)", pid=os.getpid())
        return Outcome(task.key, notices, used=tuple(sorted(ctx.used_files)),
                       seconds=time.process_time() - started, pid=os.getpid(),
                       files=tuple(sorted(ctx.files.items())), copies=tuple(sorted(ctx.copies.items())))
    except PublishError as exc:
        return Outcome(task.key, error=f"{task.label}: {exc.describe()}", pid=os.getpid())
    except Exception as exc:  # noqa: BLE001 - reported with where it happened; other tasks go on
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        return Outcome(task.key, error=f"{task.label}: {type(exc).__name__}: {exc} (in {where}; "
                                       f"this is a bug in the {task.exporter} exporter)", pid=os.getpid())


def source_of(task: Task, ctx: BuildContext[Any, Any]) -> Path | None:
    """The article file a task is made from alone, if any."""
    slug = task.params.get("slug") if task.params else None
    article = ctx.collection.get(slug) if isinstance(slug, str) else None
    return article.source if article else None


def notice_of(item: object, about: Path | None) -> Notice:
    """What an exporter said, as a Notice: a plain string (an older plugin's) is about `about`."""
    return item if isinstance(item, Notice) else Notice(str(item), about)


def run(todo: list[Task], exporters: dict[str, Exporter[Any, Any]], contexts: dict[str, BuildContext[Any, Any]],
        *, jobs: int, method: str, started: Callable[[], None],
        inputs: Callable[[Task], Inputs] = lambda task: EMPTY) -> Iterator[Outcome]:
    """Every task's Outcome as it finishes; `started()` once the first tasks are handed out (the
    progress display starts its thread only then, after every worker has started). A task that
    needs others starts once they have finished, with `inputs(task)`: what they wrote."""
    workers = min(jobs, len(todo))
    if workers <= 1:
        yield from in_order(todo, exporters, contexts, started, inputs)
        return
    with one_shot_pool(workers, method, todo, contexts) as pool:
        assert pool is not None
        yield from dispatch(todo, lambda task, given: pool.submit(render_in_worker, task, given), started, inputs)


@contextmanager
def one_shot_pool(workers: int, method: str, todo: list[Task],
                  contexts: dict[str, BuildContext[Any, Any]]) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of `workers` processes for the exporters of `todo` (None for no task), set up for one
    build and shut down after it, its pending tasks cancelled (Ctrl-C)."""
    names = tuple(sorted({task.exporter for task in todo}))
    forked = method == "fork"
    if forked:
        # What the main process loaded lives as long as the workers do. Frozen, the garbage collector
        # never walks it again (about 11 ms of collection per PDF saved) and never writes to it, so
        # forked workers keep sharing those pages with this process.
        gc.freeze()
    heap.trim()              # what reading the articles freed: each forked worker would count it again
    pool = None
    try:
        if todo:
            pool = pool_of(workers, method, start_worker, (names, {name: contexts[name] for name in names}, not forked))
        yield pool
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if forked:
            gc.unfreeze()


def in_order(todo: list[Task], exporters: dict[str, Exporter[Any, Any]], contexts: dict[str, BuildContext[Any, Any]],
             started: Callable[[], None], inputs: Callable[[Task], Inputs]) -> Iterator[Outcome]:
    """Render in this process, one task at a time, each after the tasks it needs."""
    started()
    planned = {task.key for task in todo}
    done: set[str] = set()
    pending = list(todo)
    while pending:
        task = next((t for t in pending if all(n not in planned or n in done for n in t.needs)), pending[0])
        pending.remove(task)
        yield render(exporters[task.exporter], contexts[task.exporter], task, inputs(task))
        done.add(task.key)


def dispatch(todo: list[Task], submit: Callable[[Task, Inputs], Future[Outcome]], started: Callable[[], None],
             inputs: Callable[[Task], Inputs], window: int | None = None) -> Iterator[Outcome]:
    """Hand the tasks to an executor (`submit`), slowest first as `todo` lists them, each task that
    needs others once they have finished and their files are written (the caller writes a task's
    files before asking for the next Outcome); yields every Outcome as it finishes. A task whose
    worker failed (died, out of memory, lost on a cluster) is that task's error: the others go on.
    `window`: at most that many tasks handed out at once (a cluster: a task handed out later gets
    the image copies earlier ones made, instead of making them again)."""
    planned = {task.key for task in todo}
    done: set[str] = set()
    ready = [task for task in todo if not any(n in planned for n in task.needs)]
    waiting = [task for task in todo if any(n in planned for n in task.needs)]
    running: dict[Future[Outcome], Task] = {}

    def hand_out() -> None:
        while ready and (window is None or len(running) < window):
            task = ready.pop(0)
            running[submit(task, inputs(task))] = task

    hand_out()
    started()
    while running:
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            task = running.pop(future)
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker died (out of memory, signal)
                outcome = Outcome(task.key, error=f"{task.label}: worker failed: {type(exc).__name__}: {exc}")
            yield outcome
            done.add(task.key)
        for task in [t for t in waiting if all(n not in planned or n in done for n in t.needs)]:
            waiting.remove(task)
            ready.insert(0, task)             # the book waited for its chapters: it goes first
        hand_out()
    for task in waiting:                  # needs that can never finish (tasks needing each other)
        yield Outcome(task.key, error=f"{task.label}: it needs tasks that need it ({', '.join(task.needs)})")


@dataclass(frozen=True)
class _Worker:
    exporters: dict[str, Exporter[Any, Any]]
    contexts: dict[str, BuildContext[Any, Any]]
    broken: dict[str, str]              # exporter name -> why it cannot render in this worker
    trimmer: heap.Trimmer = field(default_factory=heap.Trimmer)


# This worker process's exporters and contexts, set once by the pool's initializer (in the main
# process it stays None): concurrent.futures hands a task to a function, not to an object.
_worker: _Worker | None = None


def pool_of(workers: int, method: str, initializer: Callable[..., None],
            initargs: tuple[Any, ...]) -> ProcessPoolExecutor:
    """A pool whose processes exist on return. Forked ones start with Ctrl-C held back until their
    initializer has set how they take it (`quiet_on_interrupt`; else a Ctrl-C at that moment
    printed a traceback)."""
    import signal

    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if method == "fork" else None
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                   initializer=initializer, initargs=initargs)
        pool.submit(os.getpid)            # forks every process now (spawned ones start as they are needed)
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return pool


def quiet_on_interrupt() -> None:
    """In a worker of a one-shot build: Ctrl-C is ignored, and no longer held back. The main process
    stops the build once the running tasks have returned: a worker that died while sending its
    result back would leave the pool waiting forever for the rest of the message."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def start_worker(names: tuple[str, ...], contexts: dict[str, BuildContext[Any, Any]], prepare: bool) -> None:
    from publish import registry

    global _worker
    quiet_on_interrupt()
    exporters: dict[str, Exporter[Any, Any]] = {}
    broken: dict[str, str] = {}
    for name in names:
        entry = registry.find(name)
        if entry is None or entry.exporter is None:
            broken[name] = f"the {name} exporter cannot be loaded in a worker process"
            continue
        exporter = entry.exporter()
        try:
            if prepare:
                exporter.prepare(contexts[name])       # its warnings were said by the main process
        except Exception as exc:  # noqa: BLE001
            broken[name] = f"the {name} exporter could not start in a worker process: {exc}"
            continue
        exporters[name] = exporter
    if prepare:
        from publish import patches

        patches.apply_all()                            # as the main process did before the workers started
    _worker = _Worker(exporters, contexts, broken)


def render_in_worker(task: Task, inputs: Inputs) -> Outcome:
    if _worker is None:
        raise RuntimeError("a render task reached a process the pool did not set up")
    if task.exporter in _worker.broken:
        return Outcome(task.key, error=f"{task.label}: {_worker.broken[task.exporter]}", pid=os.getpid())
    outcome = render(_worker.exporters[task.exporter], _worker.contexts[task.exporter], task, inputs)
    _worker.trimmer.after_task()
    return outcome


class WarmPool:
    """Worker processes kept alive from one build to the next (`publish serve --watch`).

    Started once, from the main thread, after the exporters' `prepare()` ran there (forked workers
    inherit WeasyPrint, fonts and stylesheets; spawned ones prepare on their first task). Each build
    pickles its contexts once into a file of a private folder; a worker loads them when it meets a
    newer build's task, so one edit costs one pickle, not one per task.
    """

    def __init__(self, jobs: int, method: str) -> None:
        import tempfile

        self.jobs, self.method = jobs, method
        self.prepared: dict[str, tuple[Notice, ...]] = {}   # exporter -> what its prepare() said, once
        self._folder = Path(tempfile.mkdtemp(prefix="publish-watch-"))
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False
        self._generation = 0
        self.started = False

    def start(self, names: tuple[str, ...]) -> None:
        """Start every worker now (call from the main thread, before other threads exist)."""
        if self.started:
            return
        self.started = True
        if self.jobs <= 1:
            return
        forked = self.method == "fork"
        if forked:
            gc.freeze()              # as in `run`: the workers never walk (nor copy) what prepare() loaded
        heap.trim()
        try:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_start_warm_worker,
                                             mp_context=multiprocessing.get_context(self.method),
                                             initargs=(names, forked))
            for future in [self._pool.submit(os.getpid) for _ in range(self.jobs)]:
                future.result()      # the processes exist now: no fork happens later, from another thread
        finally:
            if forked:
                gc.unfreeze()

    def run(self, todo: list[Task], exporters: dict[str, Exporter[Any, Any]],
            contexts: dict[str, BuildContext[Any, Any]], started: Callable[[], None],
            inputs: Callable[[Task], Inputs] = lambda task: EMPTY) -> Iterator[Outcome]:
        """Like `run`: in this process for one task (or if the pool broke), else on the warm workers."""
        if self._pool is None or self._broken or len(todo) <= 1:
            yield from in_order(todo, exporters, contexts, started, inputs)
            return
        import pickle

        self._generation += 1
        path = self._folder / f"contexts-{self._generation}.pickle"
        path.write_bytes(pickle.dumps({name: contexts[name] for name in {t.exporter for t in todo}},
                                      protocol=pickle.HIGHEST_PROTOCOL))
        pool, generation = self._pool, self._generation
        try:
            for outcome in dispatch(todo, lambda task, given: pool.submit(_render_warm, task, given, generation,
                                                                          str(path)), started, inputs):
                if outcome.error and "BrokenProcessPool" in outcome.error:
                    self._broken = True          # a worker died: later builds render in this process
                yield outcome
        finally:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        import shutil

        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        shutil.rmtree(self._folder, ignore_errors=True)


@dataclass
class _WarmWorker:
    names: tuple[str, ...]
    prepared: set[str]
    generation: int = -1
    contexts: dict[str, BuildContext[Any, Any]] | None = None
    exporters: dict[str, Exporter[Any, Any]] | None = None
    trimmer: heap.Trimmer = field(default_factory=heap.Trimmer)


_warm: _WarmWorker | None = None


def _start_warm_worker(names: tuple[str, ...], forked: bool) -> None:
    import signal

    global _warm
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C stops the server, which then stops the workers
    _warm = _WarmWorker(names, set(names) if forked else set())


def _render_warm(task: Task, inputs: Inputs, generation: int, path: str) -> Outcome:
    import pickle

    from publish import registry

    if _warm is None:
        raise RuntimeError("a render task reached a process the warm pool did not set up")
    if _warm.generation != generation:
        _warm.contexts = pickle.loads(Path(path).read_bytes())  # noqa: S301 - written by our own main process
        _warm.generation = generation
    if _warm.exporters is None:
        _warm.exporters = {}
    contexts = _warm.contexts or {}
    exporter = _warm.exporters.get(task.exporter)
    if exporter is None:
        entry = registry.find(task.exporter)
        if entry is None or entry.exporter is None:
            return Outcome(task.key, error=f"{task.label}: the {task.exporter} exporter cannot be loaded in a worker",
                           pid=os.getpid())
        exporter = _warm.exporters[task.exporter] = entry.exporter()
    if task.exporter not in _warm.prepared:
        try:
            exporter.prepare(contexts[task.exporter])
        except Exception as exc:  # noqa: BLE001
            return Outcome(task.key, error=f"{task.label}: the {task.exporter} exporter could not start: {exc}",
                           pid=os.getpid())
        from publish import patches

        patches.apply_all()
        _warm.prepared.add(task.exporter)
    outcome = render(exporter, contexts[task.exporter], task, inputs)
    _warm.trimmer.after_task()
    return outcome
