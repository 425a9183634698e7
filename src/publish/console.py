"""What the user sees: progress on long runs, problems, tables and the closing summary."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from publish.config import Config
    from publish.content.loader import Loaded, Problem
    from publish.pipeline import Report

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False)


class RichProgress:
    """A progress bar on a terminal for runs of more than a few tasks; silent otherwise."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def message(self, text: str) -> None:
        if not self.quiet:
            err.print(escape(text))

    def start(self, total: int, description: str) -> None:
        if self.quiet or total < 4 or not err.is_terminal:
            return
        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[label]}"), TimeElapsedColumn(),
                                  console=err, transient=True)
        self._progress.start()
        self._task = self._progress.add_task(description, total=total, label="")

    def advance(self, label: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, label=label)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def print_problems(problems: Iterable[Problem], *, quiet: bool) -> None:
    for problem in problems:
        if problem.severity == "warning" and quiet:
            continue
        style = "bold red" if problem.severity == "error" else "yellow"
        err.print(f"[{style}]{problem.severity}:[/] {escape(str(problem))}")


def print_report(report: Report, config: Config, *, verbose: bool, quiet: bool) -> None:
    print_problems(report.problems, quiet=quiet)
    if verbose:
        for rel in report.written:
            out.print(f"  wrote {escape(str(config.output_dir / rel))}")
        for rel in report.removed:
            out.print(f"  removed {escape(str(config.output_dir / rel))}")
        for label in report.up_to_date:
            out.print(f"  up to date: {escape(label)}")
        if report.cpu:
            spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(report.cpu.items()))
            out.print(f"  CPU time in workers: {spent}")
    left_out = ""
    if report.left_out:
        counts = {why: sum(1 for _, w in report.left_out if w == why) for why in ("draft", "future")}
        parts = [f"{n} {why}{'s' if n != 1 and why == 'draft' else ''}" for why, n in counts.items() if n]
        left_out = f" ({', '.join(parts)} left out; --drafts/--future include them)"
    summary = (f"{report.articles} article(s){left_out}: wrote {len(report.written)} file(s), "
               f"removed {len(report.removed)} file(s), {len(report.up_to_date)} output(s) up to date, "
               f"{len(report.warnings)} warning(s), "
               f"{len(report.errors)} error(s) in {report.seconds:.1f} s -> {config.output_dir}")
    colour = "red" if report.errors else "green"
    out.print(f"[{colour}]{escape(summary)}[/]")


def print_articles(loaded: Loaded, config: Config) -> None:
    table = Table(title=escape(config.site_title), title_justify="left")
    for column in ("slug", "date", "title", "tags", "featured", "status"):
        table.add_column(column, overflow="fold")
    from datetime import datetime

    now = datetime.now().astimezone()
    articles = [*loaded.collection, *(a for a, _ in loaded.skipped)]
    rows = [(a, "draft" if a.draft else "future" if a.published > now else "published") for a in articles]
    rows.sort(key=lambda r: r[0].published, reverse=True)
    for article, status in rows:
        table.add_row(escape(article.slug), article.published.date().isoformat(), escape(article.title),
                      escape(", ".join(t.name for t in article.tags)), "★" if article.featured else "",
                      status if status == "published" else f"[dim]{status}[/]")
    out.print(table)


def print_exporters() -> None:
    from publish import registry

    table = Table(title="Installed exporters (entry-point group publish.exporters)", title_justify="left")
    for column in ("name", "description", "provided by", "status"):
        table.add_column(column)
    for name, entry in sorted(registry.discover().items()):
        if entry.exporter is None:
            table.add_row(name, "", escape(entry.distribution), f"[red]{escape(entry.error or '')}[/]")
        else:
            kind = "built-in" if entry.builtin else "plugin"
            table.add_row(name, escape(entry.exporter.description), escape(entry.distribution), kind)
    out.print(table)
    if not sys.stdout.isatty():
        out.file.flush()
