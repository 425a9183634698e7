"""Help that reads like a command line tool's (used by every `publish` command): a flag takes no
value, so no type is shown for it (Typer shows `--force <bool>`); an argument with a metavar shows
only that (`SLUG…`, not `slugs... <list[str]>`)."""

from __future__ import annotations

import copy
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup


class _Argument(TyperArgument):
    """An argument shown in help by its metavar alone: `SLUG…`, not `slugs... <list[str]>`."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.metavar or ""
        return name if self.required else f"[{name}]"


def _plain_help(params: list[Any]) -> list[Any]:
    """Help that reads like a command line tool's: a flag takes no value, so no type is shown for
    it (Typer shows `--force <bool>`); an argument with a metavar shows only that."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
        elif isinstance(param, TyperArgument) and param.metavar and not isinstance(param, _Argument):
            param.__class__ = _Argument
            shown = copy.copy(param.type)          # Typer < 0.29 shows the type's metavar (`<str>`)
            shown.get_metavar = lambda *args, **kwargs: ""  # type: ignore[method-assign]
            param.type = shown
    return params


class PlainCommand(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_help(super().get_params(ctx))


class PlainGroup(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_help(super().get_params(ctx))


def at_least(minimum: int, maximum: int | None = None):  # type: ignore[no-untyped-def]
    """A callback refusing numbers out of range (Typer's min/max would print `<int range>` in help)."""

    def check(value: int | None) -> int | None:
        if value is not None and (value < minimum or (maximum is not None and value > maximum)):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise typer.BadParameter(f"{value} is not allowed: use at least {minimum}{upper}")
        return value

    return check


def positive(value: float) -> float:
    if value <= 0:
        raise typer.BadParameter(f"{value:g} is not allowed: use more than 0")
    return value
