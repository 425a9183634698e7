"""`publish all` with nothing changed: answered from the site's stamp (stamp.py) before the
configuration, the articles or any exporter is loaded; and the stamp recorded after a run that
found everything up to date."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publish import siteroot, stamp

if TYPE_CHECKING:
    from publish.config import Config
    from publish.feed_changes import FeedChanges
    from publish.pipeline import Report


@dataclass(frozen=True)
class Start:
    """A `publish all` as it starts: its options, and the environment before the run changes it."""

    config_file: Path | None
    overrides: Mapping[str, Any]
    key: str
    started_ns: int

    @classmethod
    def now(cls, config_file: Path | None, overrides: Mapping[str, Any]) -> Start:
        return cls(config_file, overrides, stamp.options_key(config_file, overrides), time.time_ns())

    def locate(self) -> tuple[Path, Path] | None:
        return siteroot.locate(self.config_file, self.overrides.get("paths", {}).get("output"))


# Stamps this process found not to answer (key, site root and output folder): the launcher checks
# a plain `publish all` before the command line loads, and the command need not walk the site again.
_DECLINED: set[tuple[str, tuple[Path, Path] | None]] = set()


def answer(start: Start, *, quiet: bool) -> bool:
    """Print what a no-op run prints and return True, if the stamp says nothing changed."""
    started = time.perf_counter()
    found = start.locate()
    if (start.key, found) in _DECLINED:
        return False
    summary = stamp.answer(found[0], found[1], start.key) if found is not None else None
    if found is None or summary is None:
        _DECLINED.add((start.key, found))
        return False
    from publish.console import out, print_problems, print_summary
    from publish.problems import Problem

    shown = print_problems([Problem(severity, Path(path) if path else None, message)  # type: ignore[arg-type]
                            for severity, path, message in summary.problems], quiet=quiet)
    if summary.feeds:
        out.print(summary.feeds, markup=False)
    print_summary(summary.articles, summary.left_out, written=0, removed=0, up_to_date=summary.up_to_date,
                  warnings=sum(1 for p in shown if p.severity == "warning"), errors=0,
                  seconds=time.perf_counter() - started, output_dir=found[1])
    return True


def remember(start: Start, report: Report, config: Config, feeds: FeedChanges | None) -> None:
    """Record the stamp after a `publish all` that reported no error, with what the next run, finding
    everything up to date, prints; drop it after any other run."""
    if (report.errors or report.stuck or ("feed" in report.planned and feeds is None)
            or start.locate() != (config.root, config.output_dir)):
        stamp.forget(config.output_dir)
        return
    # After a run that wrote files, the next one finds every task up to date: it says again what
    # each task said (recorded with it), not what exporters' prepare() said, and no feed changes.
    passing = set(report.said_by_prepare)
    summary = stamp.Summary(
        articles=report.articles, left_out=report.left_out_counts, up_to_date=report.tasks,
        problems=[(p.severity, str(p.path) if p.path else "", p.message) for p in report.problems
                  if p not in passing],
        feeds=replace(feeds, new=0, updated=0, removed=0, first=False).describe() if feeds is not None else "")
    until = int(report.changes_at.timestamp() * 1_000_000_000) if report.changes_at else None
    readable = [config.content_dir, config.public_dir, *config.themes.folders]
    stamp.record(config.root, config.output_dir, start.key, readable, summary, start.started_ns, until)
