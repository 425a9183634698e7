"""One `publish all` build in this process, as the CLI runs it, and its figures as JSON on stdout.

Usage (from the site's folder): python benchmarks/one_build.py [--jobs N]

Used by benchmarks/scale.py, which runs it in a subprocess and measures the process tree from
outside; the CLI prints no per-task figures, so this reads them from the pipeline's Report:
  task_seconds   task key -> CPU seconds it took in its worker
  sent           task key -> bytes of its pickled outcome (what a worker sends back: its files, once
                 tasks deliver them) ; contexts: exporter -> bytes of its pickled build context
The last two are read by wrapping `publish.workers.run` (observing only: what it yields is passed on).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()

    started = time.perf_counter()
    from publish import pipeline, registry, workers
    from publish.config import load_config
    from publish.feed_changes import update

    sent: dict[str, int] = {}
    seconds: dict[str, float] = {}
    contexts: dict[str, int] = {}
    original = workers.run

    def observed(todo: Any, exporters: Any, ctxs: Any, *rest: Any, **options: Any) -> Any:
        for name in {task.exporter for task in todo}:
            contexts[name] = len(pickle.dumps(ctxs[name], protocol=pickle.HIGHEST_PROTOCOL))
        for outcome in original(todo, exporters, ctxs, *rest, **options):
            sent[outcome.key] = len(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
            seconds[outcome.key] = outcome.seconds
            yield outcome

    workers.run = observed  # type: ignore[assignment]
    config = load_config(None, overrides={}, exporters=registry.settings_classes())
    names = [name for name, entry in registry.discover().items() if entry.exporter is not None]
    report = pipeline.build(config, dict.fromkeys(names), jobs=args.jobs)
    if "feed" in report.planned:
        update(config.output_dir, remember=True)          # as `publish all` does after the build
    task_seconds = getattr(report, "task_seconds", None) or seconds   # the Report's own, once it has them
    json.dump({
        "articles": report.articles,
        "tasks": len(task_seconds),
        "written": len(report.written),
        "errors": [str(problem) for problem in report.errors],
        "build_seconds": report.seconds,
        "process_seconds": time.perf_counter() - started,
        "cpu_by_exporter": report.cpu,
        "task_seconds": task_seconds,
        "sent": sent,
        "contexts": contexts,
        "worker_processes": len(report.processes),
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
