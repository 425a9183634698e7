"""The `publish` command: a thin Typer layer over the pipeline.

Parses options, calls the pipeline, prints the summary and maps outcomes to exit codes:
0 all published, 1 some articles or outputs failed, 2 usage or configuration error.
Heavy imports live inside the commands so `publish --help` is instant.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from publish import __version__
from publish.errors import ConfigError, PublishError

if TYPE_CHECKING:
    from publish.config import Config
    from publish.content.loader import Loaded
    from publish.pipeline import Report

app = typer.Typer(
    name="publish",
    help="Turn Markdown articles into feeds, PDFs, an EPUB and newsletter emails.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


@dataclass
class Options:
    config: Path | None = None
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: int | None = None
    drafts: bool = False
    future: bool = False
    verbose: bool = False
    quiet: bool = False


def _version(value: bool) -> None:
    if value:
        typer.echo(f"publish {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", envvar="PUBLISH_CONFIG", metavar="FILE",
                      help="Configuration file; its folder becomes the site root.")] = None,
    content: Annotated[Path | None, typer.Option("--content", envvar="PUBLISH_CONTENT", metavar="DIR",
                       help="Folder of Markdown articles (default: content).")] = None,
    output: Annotated[Path | None, typer.Option("--output", envvar="PUBLISH_OUTPUT", metavar="DIR",
                      help="Folder to write into (default: output).")] = None,
    public: Annotated[Path | None, typer.Option("--public", envvar="PUBLISH_PUBLIC", metavar="DIR",
                      help="Where '/image.webp' paths resolve (default: public/ or content/public).")] = None,
    theme: Annotated[str | None, typer.Option("--theme", envvar="PUBLISH_THEME", metavar="NAME|DIR",
                     help="Theme name under themes/, or a folder.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", envvar="PUBLISH_JOBS", min=1,
                    help="Worker processes (default: the machine's cores).")] = None,
    drafts: Annotated[bool, typer.Option("--drafts", envvar="PUBLISH_DRAFTS", help="Include drafts.")] = False,
    future: Annotated[bool, typer.Option("--future", envvar="PUBLISH_FUTURE",
                      help="Include articles dated in the future.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", envvar="PUBLISH_VERBOSE",
                       help="List every file written.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", envvar="PUBLISH_QUIET",
                     help="Only errors and the summary line.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                       help="Show the version and exit.")] = False,
) -> None:
    paths: dict[str, Any] = {}
    for key, value in (("content", content), ("output", output), ("public", public)):
        if value is not None:
            paths[key] = str(value.expanduser().resolve())      # command-line paths: relative to cwd
    if theme is not None:
        as_dir = Path(theme).expanduser()
        paths["theme"] = str(as_dir.resolve()) if ("/" in theme or as_dir.is_dir()) else theme
    ctx.obj = Options(config=config, overrides={"paths": paths} if paths else {}, jobs=jobs,
                      drafts=drafts, future=future, verbose=verbose, quiet=quiet)


# ---------------------------------------------------------------------------------------------
# Helpers shared by the commands

def _options(ctx: typer.Context) -> Options:
    return ctx.obj if isinstance(ctx.obj, Options) else Options()


def _config(opts: Options) -> Config:
    from publish.config import load_config

    try:
        return load_config(opts.config, overrides=opts.overrides)
    except ConfigError as exc:
        _fail(exc, 2)
        raise  # unreachable


def _fail(exc: PublishError, code: int) -> NoReturn:
    from rich.console import Console

    Console(stderr=True).print(f"[bold red]error:[/] {exc.describe()}", highlight=False, markup=True,
                               soft_wrap=True)
    raise typer.Exit(code)


def _build(ctx: typer.Context, selection: dict[str, dict[str, Any]], force: bool) -> tuple[Report, Config]:
    from publish import pipeline
    from publish.console import RichProgress

    opts = _options(ctx)
    config = _config(opts)
    progress = RichProgress(quiet=opts.quiet)
    try:
        report = pipeline.build(config, selection, drafts=opts.drafts, future=opts.future, jobs=opts.jobs,
                                force=force, progress=progress)
    except ConfigError as exc:
        progress.stop()
        _fail(exc, 2)
        raise
    except PublishError as exc:
        progress.stop()
        _fail(exc, 1)
        raise
    return report, config


def _finish(ctx: typer.Context, report: Report, config: Config) -> NoReturn:
    from publish.console import print_report

    opts = _options(ctx)
    print_report(report, config, verbose=opts.verbose, quiet=opts.quiet)
    raise typer.Exit(report.exit_code)


def _require(name: str) -> None:
    from publish import registry

    entry = registry.discover().get(name)
    if entry is None or entry.exporter is None:
        reason = entry.error if entry else "is not available yet in this version"
        typer.echo(f"error: the {name} exporter {reason}", err=True)
        raise typer.Exit(2)


def _date_option(config: Config, value: str | None, option: str):  # type: ignore[no-untyped-def]
    if value is None:
        return None
    from publish.content.dates import DateProblem, parse_date, zone_named

    try:
        return parse_date(value, zone_named(config.site.timezone))
    except DateProblem as exc:
        _fail(ConfigError(str(exc), field=option), 2)


Force = Annotated[bool, typer.Option("--force", help="Rebuild even what is up to date.")]


# ---------------------------------------------------------------------------------------------
# Commands

@app.command("all")
def all_command(ctx: typer.Context, force: Force = False) -> None:
    """Every exporter, incrementally: the command to run before a release."""
    from publish import registry

    found = registry.discover()
    for name, entry in found.items():
        if entry.exporter is None and not _options(ctx).quiet:
            typer.echo(f"warning: skipping the {name} exporter from {entry.distribution}: it {entry.error}", err=True)
    names = [name for name, entry in found.items() if entry.exporter is not None]
    report, config = _build(ctx, {name: {} for name in names}, force)
    _finish(ctx, report, config)


@app.command("pdf")
def pdf_command(
    ctx: typer.Context,
    slugs: Annotated[list[str] | None, typer.Argument(help="Articles to export, by slug.")] = None,
    all_articles: Annotated[bool, typer.Option("--all", help="Every published article.")] = False,
    force: Force = False,
) -> None:
    """PDFs with a styled cover, written to output/pdf/<slug>.pdf."""
    if not slugs and not all_articles:
        typer.echo("error: name one or more article slugs, or pass --all (see `publish list`)", err=True)
        raise typer.Exit(2)
    _require("pdf")
    report, config = _build(ctx, {"pdf": {"slugs": tuple(slugs or ())}}, force)
    _finish(ctx, report, config)


@app.command("epub")
def epub_command(
    ctx: typer.Context,
    tag: Annotated[str | None, typer.Option("--tag", help="Only articles with this tag (name or slug).")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE",
                     help="Only articles published on or after DATE.")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="DATE",
                     help="Only articles published on or before DATE.")] = None,
    out: Annotated[Path | None, typer.Option("--output-file", "-o", metavar="FILE",
                   help="Also copy the book to FILE.")] = None,
    force: Force = False,
) -> None:
    """An EPUB 3 book of all articles, or of a selection."""
    _require("epub")
    config = _config(_options(ctx))
    options = {"tag": tag, "since": _date_option(config, since, "--since"),
               "until": _date_option(config, until, "--until")}
    report, config = _build(ctx, {"epub": options}, force)
    if out is not None and report.exit_code == 0:
        _copy_out(report, config, "epub", ".epub", out)
    _finish(ctx, report, config)


@app.command("feed")
def feed_command(ctx: typer.Context, force: Force = False) -> None:
    """RSS, Atom and JSON feeds, site-wide and per tag."""
    _require("feed")
    report, config = _build(ctx, {"feed": {}}, force)
    _finish(ctx, report, config)


@app.command("email")
def email_command(
    ctx: typer.Context,
    slugs: Annotated[list[str] | None, typer.Argument(help="Articles to turn into emails, by slug.")] = None,
    digest: Annotated[bool, typer.Option("--digest", help="A digest of the latest articles.")] = False,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="Digest: articles since DATE.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Digest: at most N articles.")] = None,
    send_test: Annotated[str | None, typer.Option("--send-test", metavar="ADDR",
                         help="Send the result to ADDR through the configured SMTP server.")] = None,
    force: Force = False,
) -> None:
    """Newsletter-ready HTML, plain text and .eml, per article or as a digest."""
    if not slugs and not digest:
        typer.echo("error: name one or more article slugs, or pass --digest (see `publish list`)", err=True)
        raise typer.Exit(2)
    _require("email")
    config = _config(_options(ctx))
    options = {"slugs": tuple(slugs or ()), "digest": digest, "per_article": bool(slugs),
               "since": _date_option(config, since, "--since"), "limit": limit}
    report, config = _build(ctx, {"email": options}, force)
    if not send_test or report.exit_code != 0:
        _finish(ctx, report, config)
    from publish.console import print_report
    from publish.sending import send_files

    opts = _options(ctx)
    print_report(report, config, verbose=opts.verbose, quiet=opts.quiet)
    emls = [config.output_dir / rel for rel in report.planned.get("email", []) if rel.endswith(".eml")]
    try:
        for line in send_files(config, emls, send_test):
            typer.echo(line)
    except PublishError as exc:
        _fail(exc, 1)
    raise typer.Exit(0)


def _load_everything(ctx: typer.Context) -> tuple[Loaded, Config]:
    """Every article, drafts and future ones included, without writing anything."""
    from publish.content.loader import load

    opts = _options(ctx)
    config = _config(opts)
    try:
        return load(config, drafts=True, future=True, jobs=opts.jobs or 4, write_cache=False), config
    except PublishError as exc:
        _fail(exc, 2)


@app.command("check")
def check_command(ctx: typer.Context) -> None:
    """Validate the content and list every problem; writes nothing."""
    from publish.console import print_problems

    loaded, _ = _load_everything(ctx)
    print_problems(loaded.problems, quiet=False)
    total = len(loaded.collection) + len(loaded.skipped)
    typer.echo(f"Checked {total + len({p.path for p in loaded.errors})} article file(s): "
               f"{len(loaded.errors)} error(s), {len(loaded.warnings)} warning(s).")
    raise typer.Exit(1 if loaded.errors else 0)


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """A table of the articles: slug, date, title, tags, featured, status."""
    from publish.console import print_articles, print_problems

    loaded, config = _load_everything(ctx)
    print_articles(loaded, config)
    print_problems(loaded.errors, quiet=True)
    raise typer.Exit(1 if loaded.errors else 0)


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Host output/ for subscribers (feeds, PDFs, EPUBs, images)."""
    config = _config(_options(ctx))
    try:
        from publish.serve import serve
    except ImportError:
        typer.echo("error: `publish serve` is not available yet in this version", err=True)
        raise typer.Exit(2) from None
    try:
        serve(config.output_dir, host=host, port=port, title=config.site_title, language=config.site.language)
    except PublishError as exc:
        _fail(exc, 1)


@app.command("exporters")
def exporters_command() -> None:
    """The installed exporters, built-in and third-party."""
    from publish.console import print_exporters

    print_exporters()


def _copy_out(report: Report, config: Config, exporter: str, suffix: str, target: Path) -> None:
    from publish.paths import write_atomic

    files = [rel for rel in report.planned.get(exporter, []) if rel.endswith(suffix)]
    if files:
        write_atomic(target.expanduser().resolve(), (config.output_dir / files[0]).read_bytes())
        typer.echo(f"Copied {files[0]} to {target}")


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted: files already written are complete; run again to finish", err=True)
        sys.exit(130)
