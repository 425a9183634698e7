"""How a configuration value is checked against the type its settings dataclass declares, with
messages that name what was expected and what was found."""

from __future__ import annotations

import difflib
from typing import Any, Literal, get_args, get_origin


def converted(expected: Any, value: Any) -> Any:
    """A TOML value as the field's type holds it: an array for a tuple field, an integer for a float."""
    if get_origin(expected) is tuple:
        return tuple(value)
    if expected is float:
        return float(value)
    return value


def type_problem(expected: Any, value: Any) -> str | None:
    origin = get_origin(expected)
    if origin is Literal:
        choices = get_args(expected)
        if value not in choices:
            return f"expected one of {', '.join(repr(c) for c in choices)}, got {value!r}"
        return None
    if origin is list or origin is tuple:
        item = get_args(expected)[0]
        if not isinstance(value, list) or not all(type_problem(item, v) is None for v in value):
            return f"expected a list of {name(item)}s, got {kind(value)}"
        return None
    if expected is float and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"expected a number, got {kind(value)}"
    if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
        return f"expected an integer, got {kind(value)}"
    if expected is bool and not isinstance(value, bool):
        return f"expected true or false, got {kind(value)}"
    if expected is str and not isinstance(value, str):
        return f"expected a string, got {kind(value)}"
    return None


def suggest(key: str, known: Any) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def name(tp: Any) -> str:
    return {str: "string", int: "integer", bool: "boolean", float: "number"}.get(tp, getattr(tp, "__name__", str(tp)))
