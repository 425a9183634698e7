"""What the user sees: progress on long runs, problems, tables and the closing summary."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from publish.html import CONTROLS

if TYPE_CHECKING:
    from pathlib import Path

    from rich.progress import Progress, TaskID

    from publish.config import Config
    from publish.content.loader import Problem
    from publish.feed_changes import FeedChanges
    from publish.model import Article
    from publish.pipeline import Report


class _Console(Console):
    """A console that wraps long lines on a terminal only: a pipe or a log gets whole lines."""

    def print(self, *objects: Any, soft_wrap: bool | None = None, **kwargs: Any) -> None:
        if soft_wrap is None and not self.is_terminal:
            soft_wrap = True
        super().print(*objects, soft_wrap=soft_wrap, **kwargs)


err = _Console(stderr=True, highlight=False, soft_wrap=True)
out = _Console(highlight=False)


def safe(text: str) -> str:
    """Text that came from content, made harmless for a terminal: the loader already removed
    control characters, and any left are shown as escapes (`\\x1b`) instead of being obeyed."""
    return CONTROLS.sub(lambda match: ascii(match.group())[1:-1], text)


def shown(text: str) -> str:
    """Content text for Rich's markup: escaped as markup and as control characters."""
    return escape(safe(text))


class RichProgress:
    """A progress bar on a terminal for runs of more than a few tasks; silent otherwise."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def message(self, text: str) -> None:
        if not self.quiet:
            err.print(shown(text))

    def start(self, total: int, description: str) -> None:
        if self.quiet or total < 4 or not err.is_terminal:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[label]}"), TimeElapsedColumn(),
                                  console=err, transient=True)
        self._progress.start()
        self._task = self._progress.add_task(description, total=total, label="")

    def advance(self, label: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, label=shown(label))

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def print_problems(problems: Iterable[Problem], *, quiet: bool) -> list[Problem]:
    """Print the problems as the user sees them (grouped; warnings left out when `quiet`); returns
    them all, grouped."""
    from publish.problems import grouped

    every = grouped(list(problems))
    for problem in every:
        if problem.severity == "warning" and quiet:
            continue
        style = "bold red" if problem.severity == "error" else "yellow"
        err.print(f"[{style}]{problem.severity}:[/] {shown(str(problem))}")
    return every


def print_report(report: Report, config: Config, *, verbose: bool, quiet: bool,
                 feeds: FeedChanges | None = None) -> None:
    """The problems, what was written (-v), what feed readers will see, and the summary line."""
    print_problems(report.problems, quiet=quiet)
    # The files a host serves: publish's own records under output/.publish/ (the EPUB's chapter
    # entries) are not counted, as compressed twins are not.
    written = [rel for rel in report.written if not rel.startswith(".publish/")]
    removed = [rel for rel in report.removed if not rel.startswith(".publish/")]
    if verbose:
        for rel in written:
            out.print(f"  wrote {escape(str(config.output_dir / rel))}")
        for rel in removed:
            out.print(f"  removed {escape(str(config.output_dir / rel))}")
        for label in report.up_to_date:
            out.print(f"  up to date: {escape(label)}")
        for note in report.notes:
            out.print(f"  note: {escape(note)}")
        if report.cpu:
            spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(report.cpu.items()))
            out.print(f"  CPU time in workers: {spent}")
    if feeds is not None:
        out.print(escape(feeds.describe()), style="yellow" if feeds.removed else None)
    print_summary(report.articles, report.left_out_counts, written=len(written), removed=len(removed),
                  up_to_date=len(report.up_to_date), warnings=len(report.warnings), errors=len(report.errors),
                  seconds=report.seconds, output_dir=config.output_dir)


def print_summary(articles: int, left_out: dict[str, int], *, written: int, removed: int, up_to_date: int,
                  warnings: int, errors: int, seconds: float, output_dir: Path) -> None:
    """The line every run ends with."""
    parts = [f"{n} {why}{'s' if n != 1 and why == 'draft' else ''}" for why, n in left_out.items() if n]
    left = f" ({', '.join(parts)} left out; --drafts/--future include them)" if parts else ""
    summary = (f"{articles} article(s){left}: wrote {written} file(s), removed {removed} file(s), "
               f"{up_to_date} output(s) up to date, {warnings} warning(s), {errors} error(s) in {seconds:.1f} s "
               f"-> {output_dir}")
    out.print(f"[{'red' if errors else 'green'}]{escape(summary)}[/]")


def print_articles(config: Config, articles: Sequence[tuple[Article, str]]) -> None:
    """The articles as a table on a terminal; in a pipe, one tab-separated line each (slug, date,
    title, tags, status), never wrapped, for grep, cut and awk."""
    from rich.table import Table

    if not out.is_terminal:
        lines = ("\t".join((article.slug, article.published.date().isoformat(), article.title,
                            ", ".join(t.name for t in article.tags), status))
                 for article, status in articles)
        sys.stdout.write("".join(safe(line) + "\n" for line in lines))
        sys.stdout.flush()
        return
    table = Table(title=shown(config.site_title), title_justify="left")
    for column in ("slug", "date", "title", "tags", "featured", "status"):
        table.add_column(column, overflow="fold")
    for article, status in articles:
        table.add_row(shown(article.slug), article.published.date().isoformat(), shown(article.title),
                      shown(", ".join(t.name for t in article.tags)), "★" if article.featured else "",
                      status if status == "published" else f"[dim]{status}[/]")
    out.print(table)


def print_json(text: str) -> None:
    """JSON for scripts: any control character left in a string becomes a JSON escape."""
    sys.stdout.write(CONTROLS.sub(lambda match: _json_escape(match.group()), text) + "\n")
    sys.stdout.flush()


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000                       # beyond the BMP: a UTF-16 surrogate pair, as JSON spells it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def print_exporters() -> None:
    from rich.table import Table

    from publish import registry

    table = Table(title="Installed exporters (entry-point group publish.exporters)", title_justify="left")
    for column in ("name", "description", "provided by", "status"):
        table.add_column(column)
    for name, entry in sorted(registry.discover().items()):
        if entry.exporter is None:
            table.add_row(name, "", shown(entry.distribution), f"[red]{shown(entry.error or '')}[/]")
        else:
            kind = "built-in" if entry.builtin else "plugin"
            table.add_row(name, shown(entry.exporter.description), shown(entry.distribution), kind)
    out.print(table)
    if not sys.stdout.isatty():
        out.file.flush()
    for message in registry.conflicts():
        err.print(f"[yellow]warning:[/] {shown(message)}")


def print_settings(config: Config) -> None:
    """Each site setting and where it came from (`publish check -v`)."""
    from dataclasses import fields

    engine = config.engine
    if engine.name:
        out.print(f"Blog engine: {engine.name} ({escape(', '.join(engine.files) or 'no configuration file')})")
    engine_urls = engine.name in ("hugo", "jekyll") and not config.article_url_is_set
    for item in fields(config.site):
        key = f"site.{item.name}"
        if item.name == "article_url" and engine_urls:
            continue
        value = getattr(config.site, item.name)
        shown = value if value else ("(placeholder) " + config.base_url if item.name == "base_url" else "(not set)")
        out.print(f"  {key} = {escape(repr(shown) if value else shown)}  [dim]({escape(config.origin(key))})[/]")
    if engine_urls:
        patterns = ", ".join(f"{section or 'posts'}: {pattern}"
                             for section, pattern in sorted(engine.permalinks.items()))
        rule = patterns or "the file's path under the content folder"
        origin = engine.permalink_origin or f"{engine.name} default"
        out.print(f"  article URLs: {escape(rule)}  [dim]({escape(origin)})[/]")
    if engine.languages:
        for language in engine.languages.values():
            prefix = language.prefix or "(no prefix)"
            out.print(f"  language {escape(language.code)}: {escape(prefix)}"
                      + (f", title {escape(repr(language.title))}" if language.title else ""))
    if engine.main_sections:
        out.print(f"  article sections: {escape(', '.join(engine.main_sections))}")
    for note in engine.notes:
        out.print(f"  [yellow]note:[/] {escape(note)}")


def print_files_of(report: Report, config: Config, exporter: str) -> None:
    """The files a single-article command wrote (or found up to date), as the user would type them."""
    from publish.listing import display_path

    written = set(report.written)
    for rel in report.planned.get(exporter, []):
        path = display_path(config.output_dir / rel)
        if rel in written:
            out.print(f"wrote {shown(path)}")
        elif report.exit_code == 0:
            out.print(f"{shown(path)} is up to date")
