"""`publish theme …`: start a site theme that holds only the files it changes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from publish.cli_help import PlainCommand, PlainGroup
from publish.errors import PublishError

theme_app = typer.Typer(cls=PlainGroup, no_args_is_help=True,
                        help="Site themes: a theme holds only the files it changes and extends another.")


@theme_app.command("new", cls=PlainCommand)
def theme_new_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The theme's name: it is created as themes/NAME.")],
    files: Annotated[list[str] | None, typer.Argument(
        metavar="FILE…", show_default=False,
        help="Files to copy from the theme it extends, to edit: email/article.html, pdf/style.css, pdf…")] = None,
    extends: Annotated[str, typer.Option("--extends", metavar="THEME", help="The theme it extends.")] = "default",
) -> None:
    """Start a site theme in themes/NAME that extends the default theme, with copies of FILEs."""
    from rich.console import Console

    from publish.config import find_root
    from publish.console import out, shown
    from publish.listing import display_path
    from publish.themes import new_theme

    config_file: Path | None = getattr(ctx.find_root().obj, "config", None)
    root = config_file.resolve().parent if config_file else find_root(Path.cwd())[0]
    try:
        written = new_theme(root, name, files or (), extends)
    except PublishError as exc:
        Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {shown(exc.describe())}", soft_wrap=True)
        raise typer.Exit(2) from None
    for path in written:
        out.print(f"wrote {shown(display_path(path))}")
    out.print(shown(f"Use it with `publish --theme {name} all`, or set theme = \"{name}\" under [paths] in "
                    "publish.toml."))
    raise typer.Exit(0)
