"""One `publish all` build in this process, as the CLI runs it, and its figures as JSON on stdout.

Usage (from the site's folder): python benchmarks/one_build.py [--jobs N] [--scheduler tcp://HOST:PORT]

Used by benchmarks/scale.py, which runs it in a subprocess and measures the process tree from
outside. The CLI prints no per-task figures, so this reads them from the pipeline's Report
(task_seconds: task key -> CPU seconds in its worker; task_bytes: the bytes of the files it sent
back) and, by wrapping the function that hands the tasks out (`publish.workers.run`, or
`publish.cluster.run` on a cluster; observing only, everything is passed on), what goes the other
way: each exporter's pickled build context and all of them in one pickle ("all": what a cluster
build sends every worker once), and each pickled task.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import sys
import time
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--scheduler", default=None, help="a Dask scheduler, as `publish --scheduler`")
    args = parser.parse_args()

    started = time.perf_counter()
    from publish import pipeline, registry, workers
    from publish.config import load_config
    from publish.feed_changes import update

    sent_back: dict[str, int] = {}
    seconds: dict[str, float] = {}
    contexts: dict[str, int] = {}
    tasks: dict[str, int] = {}

    def observed(original: Any, todo_at: int) -> Any:
        def run(*args: Any, **options: Any) -> Any:
            todo, ctxs = args[todo_at], args[todo_at + 2]
            names = sorted({task.exporter for task in todo})
            for name in names:
                contexts[name] = len(pickle.dumps(ctxs[name], protocol=pickle.HIGHEST_PROTOCOL))
            # all of them in one pickle, the collection they share once: what a cluster build sends each worker
            contexts["all"] = len(pickle.dumps({name: ctxs[name] for name in names}, protocol=pickle.HIGHEST_PROTOCOL))
            tasks.update((task.key, len(pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL))) for task in todo)
            for outcome in original(*args, **options):
                sent_back[outcome.key] = getattr(outcome, "size", None) or len(pickle.dumps(outcome))
                seconds[outcome.key] = outcome.seconds
                yield outcome
        return run

    workers.run = observed(workers.run, 0)  # type: ignore[assignment]
    scheduler = ""
    config = load_config(None, overrides={}, exporters=registry.settings_classes())
    try:
        from publish import cluster
    except ImportError:                                     # before the Dask executor
        if args.scheduler:
            raise SystemExit("this publish cannot render on a Dask cluster") from None
    else:
        cluster.run = observed(cluster.run, 1)  # type: ignore[assignment]
        scheduler = cluster.scheduler_address(args.scheduler, config.build.scheduler)
    names = [name for name, entry in registry.discover().items() if entry.exporter is not None]
    on = {"scheduler": scheduler} if scheduler else {}
    report = pipeline.build(config, dict.fromkeys(names), jobs=args.jobs, **on)
    if "feed" in report.planned:
        update(config.output_dir, remember=True)          # as `publish all` does after the build
    json.dump({
        "articles": report.articles,
        "tasks": len(seconds),
        "written": len(report.written),
        "errors": [str(problem) for problem in report.errors],
        "build_seconds": report.seconds,
        "process_seconds": time.perf_counter() - started,
        "cpu_by_exporter": report.cpu,
        "task_seconds": getattr(report, "task_seconds", None) or seconds,
        "sent_back": getattr(report, "task_bytes", None) or sent_back,
        "task_pickled": tasks,
        "contexts": contexts,
        "worker_processes": len(report.processes),
        "rendered_here": os.getpid() in report.processes,
        "scheduler": scheduler,
        "self_cpu": _cpu(resource.RUSAGE_SELF),        # this process alone: the client's own share
        "children_cpu": _cpu(resource.RUSAGE_CHILDREN),  # Pandoc and the worker processes, once reaped
    }, sys.stdout)
    sys.stdout.write("\n")


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
