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
from publish.cli_help import PlainCommand as _Command
from publish.cli_help import PlainGroup as _Group
from publish.cli_help import at_least, positive
from publish.cli_theme import theme_app
from publish.errors import ConfigError, PublishError

if TYPE_CHECKING:
    from publish import noop
    from publish.config import Config
    from publish.content.loader import Loaded
    from publish.exporters.base import Options as ExporterOptions
    from publish.pipeline import Report


app = typer.Typer(
    name="publish", cls=_Group, help="Turn Markdown articles into feeds, PDFs, an EPUB and newsletter emails.",
    no_args_is_help=True, rich_markup_mode="rich", context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def command(name: str):  # type: ignore[no-untyped-def]
    """`app.command` with the plain help above."""
    return app.command(name, cls=_Command)


@dataclass
class Options:
    config: Path | None = None
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: int | None = None
    drafts: bool = False
    future: bool = False
    verbose: bool = False
    quiet: bool = False
    scheduler: str | None = None


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
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", envvar="PUBLISH_JOBS", metavar="N",
                    callback=at_least(1),
                    help="Worker processes, 1 or more (default: the machine's cores).")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", envvar="PUBLISH_SCHEDULER", metavar="ADDRESS",
                         help="Render on this Dask cluster (tcp://HOST:8786); needs publish[dask].")] = None,
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
                      drafts=drafts, future=future, verbose=verbose, quiet=quiet, scheduler=scheduler)


# ---------------------------------------------------------------------------------------------
# Helpers shared by the commands

def _options(ctx: typer.Context) -> Options:
    return ctx.obj if isinstance(ctx.obj, Options) else Options()


def _config(opts: Options, *, content: bool = False) -> Config:
    """The configuration; with `content`, also a content folder that exists (checked before
    anything is created, so a mistyped --content leaves no output folder and no lock behind)."""
    from publish import registry
    from publish.config import load_config

    try:
        config = load_config(opts.config, overrides=opts.overrides, exporters=registry.settings_classes())
    except ConfigError as exc:
        _fail(exc, 2)
    if content and not config.content_dir.is_dir():
        from publish.listing import display_path
        from publish.paths import nearest_folder

        nearest = nearest_folder(config.content_dir)
        guess = f"did you mean {display_path(nearest)}? " if nearest else ""
        _fail(ConfigError("content folder not found", path=display_path(config.content_dir),
                          hint=f"{guess}pass --content DIR or set \"content\" under [paths] in publish.toml"), 2)
    return config


def _fail(exc: PublishError, code: int) -> NoReturn:
    _error(exc.describe())
    raise typer.Exit(code)


def _error(text: str) -> None:
    from publish.console import err, shown

    err.print(f"[bold red]error:[/] {shown(text)}")


def _build(ctx: typer.Context, selection: dict[str, ExporterOptions | None], force: bool) -> tuple[Report, Config]:
    from publish import pipeline
    from publish.cluster import scheduler_address
    from publish.console import RichProgress

    opts = _options(ctx)
    config = _config(opts, content=True)
    progress = RichProgress(quiet=opts.quiet)
    try:
        report = pipeline.build(config, selection, drafts=opts.drafts, future=opts.future, jobs=opts.jobs,
                                force=force, progress=progress,
                                scheduler=scheduler_address(opts.scheduler, config.build.scheduler))
    except ConfigError as exc:
        progress.stop()
        _fail(exc, 2)
    except PublishError as exc:
        progress.stop()
        _fail(exc, 1)
    return report, config


def _finish(ctx: typer.Context, report: Report, config: Config, *, files_of: str | None = None,
            stamp: noop.Start | None = None) -> NoReturn:
    """Print the problems and the summary, and exit. `files_of`: a command that names articles
    names each file it wrote (or found up to date) for that exporter. `stamp`: `publish all`
    records the no-op stamp (noop.py)."""
    from publish.console import print_files_of, print_report

    opts = _options(ctx)
    if files_of and not opts.verbose and not opts.quiet:
        print_files_of(report, config, files_of)
    feeds = None
    if "feed" in report.planned:       # what feed readers will see (remembered unless this run made previews)
        from publish.feed_changes import update

        feeds = update(config.output_dir, remember=not (opts.drafts or opts.future))
    print_report(report, config, verbose=opts.verbose, quiet=opts.quiet, feeds=feeds)
    if stamp is not None:
        from publish import noop

        noop.remember(stamp, report, config, feeds)
    raise typer.Exit(report.exit_code)


def _require(name: str) -> None:
    from publish import registry

    entry = registry.find(name)
    if entry is None or entry.exporter is None:
        reason = entry.error if entry else "is not installed (`publish exporters` lists the installed ones)"
        _error(f"the {name} exporter {reason}")
        raise typer.Exit(2)


def _check_slugs(ctx: typer.Context, config: Config, command_name: str, slugs: list[str]) -> None:
    """Slugs that this run would not publish are usage errors, found before anything is written."""
    from publish.listing import slug_problems

    opts = _options(ctx)
    problems = slug_problems(config, command_name, slugs, drafts=opts.drafts, future=opts.future)
    for problem in problems:
        _error(problem)
    if problems:
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

@command("all")
def all_command(ctx: typer.Context, force: Force = False) -> None:
    """Every exporter, incrementally: the command to run before a release."""
    from publish import noop

    opts = _options(ctx)
    start, preview = noop.Start.now(opts.config, opts.overrides), opts.drafts or opts.future
    if not (force or opts.verbose or preview) and noop.answer(start, quiet=opts.quiet):
        raise typer.Exit(0)
    from publish import early, registry

    early.start_for(opts, force=force)          # a PDF worker importing WeasyPrint while the articles are read
    found = registry.discover()
    for name, entry in found.items():
        if entry.exporter is None and not opts.quiet:
            typer.echo(f"warning: skipping the {name} exporter from {entry.distribution}: it {entry.error}", err=True)
    names = [name for name, entry in found.items() if entry.exporter is not None]
    report, config = _build(ctx, dict.fromkeys(names), force)
    whole = len(names) == len(found) and not preview
    _finish(ctx, report, config, stamp=start if whole else None)


@command("pdf")
def pdf_command(
    ctx: typer.Context,
    slugs: Annotated[list[str] | None, typer.Argument(metavar="SLUG…", help="Articles to export, by slug.",
                                                       show_default=False)] = None,
    all_articles: Annotated[bool, typer.Option("--all", help="Every published article.")] = False,
    force: Force = False,
) -> None:
    """PDFs with a styled cover, written to output/pdf/<slug>.pdf."""
    if not slugs and not all_articles:
        _error("name one or more article slugs, or pass --all (see `publish list`)")
        raise typer.Exit(2)
    _require("pdf")
    from publish import early
    from publish.exporters.pdf import PdfOptions

    early.start_for(_options(ctx), force=force or not slugs)
    if slugs:
        _check_slugs(ctx, _config(_options(ctx), content=True), "pdf", slugs)
    report, config = _build(ctx, {"pdf": PdfOptions(slugs=tuple(slugs or ()))}, force)
    _finish(ctx, report, config, files_of="pdf" if slugs else None)


@command("epub")
def epub_command(
    ctx: typer.Context,
    tag: Annotated[str | None, typer.Option("--tag", metavar="TAG",
                   help="Only articles with this tag (name or slug).")] = None,
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
    config = _config(_options(ctx), content=True)
    from publish.exporters.epub import EpubOptions

    options = EpubOptions(tag=tag, since=_date_option(config, since, "--since"),
                          until=_date_option(config, until, "--until"), required=True)
    report, config = _build(ctx, {"epub": options}, force)
    if out is not None and report.exit_code == 0:
        _copy_out(report, config, "epub", ".epub", out)
    _finish(ctx, report, config)


@command("feed")
def feed_command(ctx: typer.Context, force: Force = False) -> None:
    """RSS, Atom and JSON feeds, site-wide and per tag."""
    _require("feed")
    report, config = _build(ctx, {"feed": None}, force)
    _finish(ctx, report, config)


@command("email")
def email_command(
    ctx: typer.Context,
    slugs: Annotated[list[str] | None, typer.Argument(metavar="SLUG…", help="Articles to turn into emails, by slug.",
                                                       show_default=False)] = None,
    digest: Annotated[bool, typer.Option("--digest", help="A digest of the latest articles.")] = False,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="Digest: articles since DATE.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", metavar="N", callback=at_least(1),
                     help="Digest: at most N articles (1 or more).")] = None,
    send_test: Annotated[str | None, typer.Option("--send-test", metavar="ADDR",
                         help="Send the result to ADDR through the configured SMTP server.")] = None,
    force: Force = False,
) -> None:
    """Newsletter-ready HTML, plain text and .eml, per article or as a digest."""
    if not slugs and not digest:
        _error("name one or more article slugs, or pass --digest (see `publish list`)")
        raise typer.Exit(2)
    _require("email")
    config = _config(_options(ctx), content=True)
    if slugs:
        _check_slugs(ctx, config, "email", slugs)
    from publish.exporters.email import EmailOptions

    options = EmailOptions(slugs=tuple(slugs or ()), digest=digest, per_article=bool(slugs),
                           since=_date_option(config, since, "--since"), limit=limit)
    report, config = _build(ctx, {"email": options}, force)
    if not send_test or report.exit_code != 0:
        _finish(ctx, report, config, files_of="email" if slugs else None)
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


@command("build")
def build_command(
    ctx: typer.Context,
    names: Annotated[list[str], typer.Argument(metavar="NAME…", show_default=False,
                     help="Exporters to run, by name: built-in or plugins (`publish exporters` lists them).")],
    force: Force = False,
) -> None:
    """Run the named exporters over every article, as `publish all` does for all of them."""
    import difflib

    from publish import registry

    found = registry.discover()
    for name in dict.fromkeys(names):
        if name not in found:
            close = difflib.get_close_matches(name, list(found), n=1, cutoff=0.5)
            guess = f"did you mean {close[0]!r}? " if close else ""
            _error(f"no exporter named {name!r} is installed ({guess}installed: {', '.join(sorted(found))})")
            raise typer.Exit(2)
        _require(name)
    report, config = _build(ctx, dict.fromkeys(names), force)
    _finish(ctx, report, config)


def _load_everything(ctx: typer.Context) -> tuple[Loaded, Config]:
    """Every article, drafts and future ones included, without writing anything."""
    from publish.content.loader import load

    opts = _options(ctx)
    config = _config(opts, content=True)
    try:
        return load(config, drafts=True, future=True, jobs=opts.jobs or 4, write_cache=False), config
    except PublishError as exc:
        _fail(exc, 2)


@command("check")
def check_command(ctx: typer.Context) -> None:
    """Validate the content and list every problem; writes nothing."""
    from publish.console import print_problems, print_settings
    from publish.feed_changes import renamed

    loaded, config = _load_everything(ctx)
    if _options(ctx).verbose:
        print_settings(config)
    loaded.problems.extend(renamed(config.output_dir, loaded.collection, loaded.collection.site.base_url,
                                   config.feed.id_base,
                                   syntax="redirect_from" if config.engine.name == "jekyll" else "aliases"))
    print_problems(loaded.problems, quiet=False)
    total = len(loaded.collection) + len(loaded.skipped)
    typer.echo(f"Checked {total + len({p.path for p in loaded.errors})} article file(s): "
               f"{len(loaded.errors)} error(s), {len(loaded.warnings)} warning(s).")
    raise typer.Exit(1 if loaded.errors else 0)


@command("list")
def list_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of objects, for scripts.")] = False,
) -> None:
    """The articles, newest first: slug, date, title, tags, featured, status.

    A table on a terminal; in a pipe, one tab-separated line per article (slug, date, title, tags,
    status); with --json, a list of objects with the article's source file and output files."""
    from datetime import datetime

    from publish.console import print_articles, print_json, print_problems
    from publish.listing import as_json as json_of
    from publish.listing import status_of

    loaded, config = _load_everything(ctx)
    now = datetime.now().astimezone()
    expired = tuple(a for a, why in loaded.skipped if why == "expired")      # drafts and future ones are in
    if as_json:
        print_json(json_of(config, loaded.collection, now, expired))
    else:
        rows = [(a, status_of(a.draft, a.published, now)) for a in loaded.collection]
        rows += [(a, "expired") for a in expired]
        print_articles(config, sorted(rows, key=lambda row: row[0].published, reverse=True))
    print_problems(loaded.errors, quiet=True)
    raise typer.Exit(1 if loaded.errors else 0)


@command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", metavar="HOST", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT", callback=at_least(0, 65535),
                    help="Port to listen on; 0 picks a free port.")] = 8000,
    workers: Annotated[int | None, typer.Option("--workers", metavar="N", callback=at_least(1, 256),
                       help="Server processes sharing the port (default: one per core).")] = None,
    watch: Annotated[bool, typer.Option("--watch", help="Build first, rebuild on every save, reload the pages "
                                                        "(the author's preview; see /.preview/).")] = False,
) -> None:
    """Host output/ for subscribers (feeds, PDFs, EPUBs, images); -v logs every request."""
    options = _options(ctx)
    if watch:                                      # a broken configuration at the start is a usage error
        from publish.watch import command as watch_command

        _config(options, content=True)
        raise typer.Exit(watch_command(options, host=host, port=port, workers=workers))
    config = _config(options)
    from publish.serve import serve

    try:
        serve(config.output_dir, host=host, port=port, title=config.site_title, language=config.site.language,
              workers=workers, verbose=options.verbose)
    except PublishError as exc:
        _fail(exc, 1)


@command("ping")
def ping_command(
    ctx: typer.Context,
    timeout: Annotated[float, typer.Option("--timeout", metavar="SECONDS", callback=positive,
                       help="How long to wait for the hub's answer, per try.")] = 10.0,
) -> None:
    """Tell the WebSub hub which feeds changed since the last ping (run after uploading output/)."""
    from publish.ping import ping

    config = _config(_options(ctx))
    try:
        ping(config, timeout=timeout, say=typer.echo)
    except ConfigError as exc:
        _fail(exc, 2)
    except PublishError as exc:
        _fail(exc, 1)


@command("exporters")
def exporters_command() -> None:
    """The installed exporters, built-in and third-party."""
    from publish.console import print_exporters

    print_exporters()


# `publish theme …`: site themes that hold only the files they change
app.add_typer(theme_app, name="theme")


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
