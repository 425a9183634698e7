"""load -> validate -> plan -> run exporters on an executor -> record what was written -> prune.

Every article is loaded before any exporter runs (feeds and the EPUB need the whole collection).
Tasks that are up to date are skipped; the rest run in long-lived worker processes (workers.py),
after each exporter's `prepare()` so heavy imports, fonts and stylesheets are loaded once. The
manifest of what publish wrote is saved before tasks run; afterwards, what the content no longer
makes is removed (prune.py).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from contextlib import closing, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from publish import early, manifest, patches, prune, registry, state, workers
from publish.config import Config
from publish.content.loader import HasProblems, Loaded, Problem, load
from publish.delivery import DeliveryError, deliver
from publish.errors import ConfigError, PublishError
from publish.exporters.base import BuildContext, Exporter, Options, Task
from publish.lock import output_lock
from publish.manifest import Owned
from publish.model import Collection, FrozenDict
from publish.precompress import twins, twins_present, without_twins
from publish.workers import Outcome, notice_of, source_of

Contexts = dict[str, BuildContext[Any, Any]]


class Progress(Protocol):
    def message(self, text: str) -> None: ...
    def start(self, total: int, description: str) -> None: ...
    def advance(self, label: str) -> None: ...
    def stop(self) -> None: ...


class Quiet:
    def message(self, text: str) -> None: ...
    def start(self, total: int, description: str) -> None: ...
    def advance(self, label: str) -> None: ...
    def stop(self) -> None: ...


@dataclass
class Report(HasProblems):
    articles: int = 0
    left_out: list[tuple[str, str]] = field(default_factory=list)     # (slug, "draft" | "future")
    written: list[str] = field(default_factory=list)                  # output files
    removed: list[str] = field(default_factory=list)                  # files the content no longer makes
    up_to_date: list[str] = field(default_factory=list)               # task labels
    problems: list[Problem] = field(default_factory=list)
    planned: dict[str, list[str]] = field(default_factory=dict)      # exporter -> every output it owns
    cpu: dict[str, float] = field(default_factory=dict)              # exporter -> CPU seconds in its tasks
    task_seconds: dict[str, float] = field(default_factory=dict)     # task key -> CPU seconds in its worker
    task_bytes: dict[str, int] = field(default_factory=dict)         # task key -> bytes it sent back
    processes: set[int] = field(default_factory=set)                 # ids of the processes that rendered tasks
    notes: list[str] = field(default_factory=list)                  # for -v only (third-party patches)
    seconds: float = 0.0
    collection: Collection | None = None                            # what was published (watch mode's previews)
    changes_at: datetime | None = None                              # when an article's date or expiry comes
    tasks: int = 0                                                  # tasks planned (run or up to date)
    said_by_prepare: list[Problem] = field(default_factory=list)     # said only when that exporter has work
    stuck: int = 0                                                  # files to remove that could not be

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    @property
    def left_out_counts(self) -> dict[str, int]:
        """How many articles were left out, by why ("draft", "future", "expired")."""
        return {why: sum(1 for _, w in self.left_out if w == why) for why in ("draft", "future", "expired")}


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def build(config: Config, selection: Mapping[str, Options | None], *, drafts: bool = False,
          future: bool = False, jobs: int | None = None, force: bool = False,
          progress: Progress | None = None, warm: workers.WarmPool | None = None, scheduler: str = "") -> Report:
    """Run the selected exporters ({name: the command's options, or None for their defaults, which
    ask for everything}); see Report for what happened. `warm`: workers kept alive between builds
    (watch mode), whose exporters are prepared once. `scheduler`: a Dask scheduler's address to
    render on (cluster.py), connected before anything is read or written."""
    if scheduler:
        from publish import cluster

        client = cluster.connect(scheduler)
        try:
            return _build(config, selection, drafts, future, jobs, force, progress, None, client)
        finally:
            client.close()
    return _build(config, selection, drafts, future, jobs, force, progress, warm, None)


def _build(config: Config, selection: Mapping[str, Options | None], drafts: bool, future: bool, jobs: int | None,
           force: bool, progress: Progress | None, warm: workers.WarmPool | None, client: Any) -> Report:
    progress = progress or Quiet()
    jobs = jobs or default_jobs()
    method = workers.start_method()
    started = time.perf_counter()
    exporters = _instantiate(selection)
    output_dir = config.output_dir
    output_dir.mkdir(parents=True, exist_ok=True)
    report = Report()
    report.problems.extend(Problem("warning", None, message) for message in registry.conflicts())
    wait = float(os.environ.get("PUBLISH_LOCK_TIMEOUT", "600"))
    downloads = declared_downloads(config)
    started_early = _early(exporters, selection, config, downloads, warm is not None or client is not None)
    stopping = closing(started_early) if started_early is not None else nullcontext()
    with output_lock(output_dir, wait=wait, on_wait=progress.message), stopping:
        loaded = load(config, drafts=drafts, future=future, jobs=jobs)
        _take_load(report, loaded)
        report.collection = loaded.collection
        report.changes_at = loaded.changes_at
        present = _copies_present(output_dir)
        contexts: Contexts = {name: replace(exporter.context(config, loaded.collection, options=selection[name],
                                                             downloads=downloads), present=present)
                              for name, exporter in exporters.items()}
        tasks, unplanned = _plan(exporters, contexts, report)
        report.tasks = len(tasks)
        for task in tasks:
            report.planned.setdefault(task.exporter, []).extend(task.outputs)
        todo, uses = _split(tasks, output_dir, force, report, contexts)
        whole = frozenset(name for name in exporters if name not in unplanned and contexts[name].options.everything())
        owned = manifest.load(output_dir)
        made = _made(tasks, uses, owned, loaded, config, whole, preview=drafts or future)
        claimed = manifest.save(output_dir, prune.claim(owned, made))
        failed: set[str] = set()
        if todo:
            finished = _run(todo, tasks, exporters, contexts, jobs, method, report, progress, warm, client,
                            started_early)
            failed = {t.key for t in todo if finished.get(t.key) is None}
            made.update({key: replace(made[key], uses=used) for key, used in finished.items() if used is not None})
        run = prune.Run(whole=whole, part=frozenset(exporters) - whole - unplanned,
                        published=frozenset(a.slug for a in loaded.collection),
                        failed_sources=frozenset(_relative(p.path, config.root) for p in loaded.errors if p.path),
                        preview=drafts or future)
        if loaded.collection or loaded.skipped or loaded.problems:
            _prune(output_dir, claimed, made, failed, run, report)
        elif claimed.tasks:            # a wrong --content must not empty the host
            report.problems.append(Problem("warning", config.content_dir, "no article found here: nothing was "
                                                                          "removed from the output folder"))
    if warm is not None and not warm.started:
        # Every exporter is prepared and the warm workers fork now: in this (the main) thread, before the
        # watcher's threads exist, and once the lock is released (a forked worker would hold it forever).
        prepare(exporters, contexts, exporters, Report(), warm)
        warm.start(tuple(sorted(warm.prepared)))
    report.seconds = time.perf_counter() - started
    return report


def _early(exporters: dict[str, Exporter[Any, Any]], selection: Mapping[str, Options | None], config: Config,
           downloads: FrozenDict, elsewhere: bool) -> early.Early | None:
    """The worker started before this build (early.py), told to prepare its exporter now; None
    (and stopped) when the build renders elsewhere (watch mode, a cluster) or without it."""
    found = early.take()
    if found is None or elsewhere or found.name not in exporters:
        if found is not None:
            found.close()
        return None
    name = found.name
    from publish.content.site import site_of

    found.prepare(exporters[name].context(config, Collection(site_of(config), ()), options=selection[name],
                                          downloads=downloads))
    return found


def _copies_present(output_dir: Path) -> frozenset[str]:
    """The image copies output/ holds now (tasks make only the others)."""
    from publish.images import IMAGES_DIR

    try:
        return frozenset(f"{IMAGES_DIR}/{entry.name}" for entry in os.scandir(output_dir / IMAGES_DIR)
                         if entry.is_file(follow_symlinks=False))
    except OSError:
        return frozenset()


def declared_downloads(config: Config) -> FrozenDict:
    """What the installed exporters let other formats link to ({"pdf": "pdf/{slug}.pdf", …}),
    with the site's slug filled in."""
    from publish.text import site_slug

    found: dict[str, str] = {}
    for _, entry in sorted(registry.discover().items()):
        if entry.exporter is not None:
            for kind, path in entry.exporter.downloads.items():
                found.setdefault(kind, path.replace("{site}", site_slug(config.site_title)))
    return FrozenDict(found)


def _split(tasks: list[Task], output_dir: Path, force: bool, report: Report,
           contexts: Contexts) -> tuple[list[Task], dict[str, tuple[str, ...]]]:
    """The tasks to run, slowest first, and the image copies each up-to-date task links to. An
    up-to-date task's warnings are said again: the same warnings on every run."""
    todo, uses = [], {}
    for task in tasks:
        recorded = None if force else state.current(output_dir, task)
        if recorded is not None and not twins_present(output_dir, task.outputs):
            recorded = None
        if recorded is None:
            todo.append(task)
        else:
            report.up_to_date.append(task.label)
            uses[task.key], said = recorded
            root = contexts[task.exporter].config.root
            report.problems.extend(Problem("warning", root / path if path else None, message) for path, message in said)
    todo.sort(key=lambda t: -t.cost)
    return todo, uses


def _made(tasks: list[Task], uses: dict[str, tuple[str, ...]], owned: manifest.Manifest, loaded: Loaded,
          config: Config, whole: frozenset[str], *, preview: bool) -> dict[str, Owned]:
    """The manifest entry of every planned task (the image copies of those about to run come later)."""
    now = datetime.now(UTC)
    sources = {a.slug: _relative(a.source, config.root) for a in loaded.collection}
    unpublished = {a.slug for a in loaded.collection if a.draft or a.published > now} if preview else set()
    made = {}
    for task in tasks:
        before = owned.tasks.get(task.key)
        selected = task.exporter not in whole and (before.selected if before is not None else True)
        outputs = task.outputs + tuple(twin for rel in task.outputs for twin in twins(rel))
        made[task.key] = Owned(task.exporter, outputs, uses.get(task.key, ()),
                               tuple((slug, sources[slug]) for slug in task.articles if slug in sources), selected,
                               any(slug in unpublished for slug in task.articles))
    return made


def _prune(output_dir: Path, claimed: manifest.Manifest, made: dict[str, Owned], failed: set[str], run: prune.Run,
           report: Report) -> None:
    settled, doomed = prune.settle(claimed, made, failed, run)
    removed, stuck = prune.remove(output_dir, doomed)
    report.removed = without_twins(removed)     # the user counts files, not their compressed twins
    report.problems.extend(Problem("warning", None, message) for message in stuck.values())
    report.stuck = len(stuck)
    kept = manifest.save(output_dir, prune.still_owned(settled, claimed, stuck))
    for key in claimed.tasks.keys() - kept.tasks.keys():
        state.forget(output_dir, key)


def _relative(path: Path, root: Path) -> str:
    """An article file as the manifest names it: relative to the site root when inside it."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def _instantiate(selection: Mapping[str, Options | None]) -> dict[str, Exporter[Any, Any]]:
    exporters = {}
    for name in selection:
        entry = registry.find(name)
        if entry is None:
            raise ConfigError(f"no exporter named {name!r} is installed",
                              hint=f"installed: {', '.join(sorted(registry.discover())) or 'none'}")
        if entry.exporter is None:
            raise ConfigError(f"the exporter {name!r} from {entry.distribution} {entry.error}")
        exporters[name] = entry.exporter()
    return exporters


def _take_load(report: Report, loaded: Loaded) -> None:
    report.articles = len(loaded.collection)
    report.left_out = [(a.slug, why) for a, why in loaded.skipped]
    report.problems.extend(loaded.problems)


def _plan(exporters: dict[str, Exporter[Any, Any]], contexts: Contexts,
          report: Report) -> tuple[list[Task], frozenset[str]]:
    """Every task, and the exporters that failed to plan (nothing of theirs is pruned)."""
    tasks: list[Task] = []
    unplanned = set()
    for name, exporter in exporters.items():
        try:
            tasks.extend(exporter.plan(contexts[name]))
        except ConfigError:
            raise
        except PublishError as exc:
            unplanned.add(name)
            report.problems.append(Problem("error", exc.path, f"{name}: {exc.describe()}"))
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the other formats
            unplanned.add(name)
            report.problems.append(Problem("error", None, f"exporter {name!r} failed while planning: "
                                                          f"{type(exc).__name__}: {exc}"))
    return tasks, frozenset(unplanned)


def prepare(exporters: dict[str, Exporter[Any, Any]], contexts: Contexts, names: Iterable[str], report: Report,
            warm: workers.WarmPool | None = None, due: Mapping[str, int] = FrozenDict()) -> set[str]:
    """Run each named exporter's prepare() (once for the life of `warm`), telling it how many of its
    tasks are `due` when known; returns the exporters that could not start."""
    failed = set()
    for name in sorted(names):
        if warm is not None and name in warm.prepared:
            notices = list(warm.prepared[name])           # said again: every build reports the same
        else:
            ctx = replace(contexts[name], due=due.get(name))
            try:
                notices = [notice_of(item, None) for item in exporters[name].prepare(ctx) or ()]
            except Exception as exc:  # noqa: BLE001
                report.problems.append(Problem("error", None, f"exporter {name!r} could not start: {exc}"))
                failed.add(name)
                continue
            if warm is not None:
                warm.prepared[name] = tuple(notices)
        said = [Problem("warning", n.path, f"{name}: {n.message}") for n in notices]
        report.problems.extend(said)
        report.said_by_prepare.extend(said)
    return failed


def _run(todo: list[Task], tasks: list[Task], exporters: dict[str, Exporter[Any, Any]], contexts: Contexts,
         jobs: int, method: str, report: Report, progress: Progress,
         warm: workers.WarmPool | None, client: Any,
         started_early: early.Early | None) -> dict[str, tuple[str, ...] | None]:
    """Run the tasks and write what they return; returns, per task that succeeded, the image copies
    its outputs link to."""
    due = Counter(t.exporter for t in todo)
    if started_early is not None and not (jobs > 1 and method == "fork"
                                          and started_early.takes(due[started_early.name])):
        started_early.close()
        started_early = None
    # prepare() loads what forked workers inherit (the PDF warm-up render): a cluster's workers
    # prepare themselves, so the client, which renders nothing, is told that none of its tasks is due;
    # the early worker prepares its exporter itself.
    told = {} if warm is not None else dict.fromkeys(due, 0) if client is not None else due
    failed = prepare(exporters, contexts, [name for name in due if started_early is None or name != started_early.name],
                     report, warm, told)
    todo = [t for t in todo if t.exporter not in failed]
    report.notes.extend(patches.apply_all())     # what prepare() loaded is patched before workers start
    by_key = {t.key: t for t in todo}
    done: dict[str, tuple[str, ...] | None] = {}

    def finished(outcome: Outcome) -> None:
        task = by_key[outcome.key]
        ctx = contexts[task.exporter]
        report.problems.extend(Problem("warning", n.path, n.message) for n in outcome.notices)
        if outcome.prepared or outcome.notes:            # a worker prepared the exporter (early.py)
            prepared = [Problem("warning", n.path, f"{task.exporter}: {n.message}") for n in outcome.prepared]
            report.problems.extend(prepared)
            report.said_by_prepare.extend(prepared)
            report.notes.extend(note for note in outcome.notes if note not in report.notes)
        report.cpu[task.exporter] = report.cpu.get(task.exporter, 0.0) + outcome.seconds
        if outcome.pid:
            report.processes.add(outcome.pid)
        error = outcome.error
        if not error:
            try:
                digests = deliver(ctx.output_dir, task, outcome)
            except (OSError, DeliveryError) as exc:
                error = f"{task.label}: its files could not be written: {exc}"
        if error:
            state.forget(ctx.output_dir, task)
            report.problems.append(Problem("error", source_of(task, ctx), error))
        else:
            said = tuple((_relative(n.path, ctx.config.root) if n.path else "", n.message) for n in outcome.notices)
            state.record(ctx.output_dir, task, outcome.used, said, digests)
            report.written.extend(task.outputs)
            report.task_seconds[task.key] = outcome.seconds
            report.task_bytes[task.key] = outcome.size
            done[task.key] = outcome.used
        progress.advance(task.label)

    outputs_of = {t.key: t.outputs for t in tasks}

    def inputs(task: Task) -> dict[str, bytes]:
        """The files of the tasks `task` needs, as output/ holds them now."""
        found = {}
        for key in task.needs:
            for relative in outputs_of.get(key, ()):
                try:
                    found[relative] = (contexts[task.exporter].output_dir / relative).read_bytes()
                except OSError:
                    continue                     # that task failed: the task makes do without it
        return found

    try:
        started = lambda: progress.start(len(todo), "Writing")  # noqa: E731
        if client is not None:
            from publish import cluster

            outcomes = cluster.run(client, todo, exporters, contexts, started, inputs)
        elif warm is not None and warm.started:
            outcomes = warm.run(todo, exporters, contexts, started, inputs)
        elif started_early is not None:
            name = started_early.name
            outcomes = started_early.run(todo, {**contexts, name: replace(contexts[name], due=due[name])}, jobs=jobs,
                                         method=method, started=started, inputs=inputs)
        else:
            outcomes = workers.run(todo, exporters, contexts, jobs=jobs, method=method, started=started, inputs=inputs)
        for outcome in outcomes:
            finished(outcome)
    finally:
        progress.stop()
    return done
