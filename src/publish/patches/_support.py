"""What every patch module shares: the installed version, the range check, the wrapper shape."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

_RELEASE = re.compile(r"\d+(?:\.\d+)*")


@dataclass(frozen=True)
class Outcome:
    applied: bool              # the patch is in place (now or from an earlier call)
    note: str                  # what it does, or why it was left out


@cache
def installed(distribution: str) -> str | None:
    """The installed version of a distribution, or None (read once per process: images call often)."""
    import importlib.metadata

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def release(version: str) -> tuple[int, ...]:
    """'70.0' -> (70,), '0.13.0' -> (0, 13), '71.0b1' -> (71,): a pre-release counts as its release."""
    found = _RELEASE.match(version.strip())
    numbers = [int(part) for part in found.group().split(".")] if found else [0]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def unsupported(distribution: str, lowest: str, below: str) -> str | None:
    """Why the installed version is outside [lowest, below), or None if it is inside."""
    version = installed(distribution)
    if version is None:
        return f"{distribution} is not installed"
    if not release(lowest) <= release(version) < release(below):
        return f"{distribution} {version} is not a version it was written for (>={lowest}, <{below})"
    return None


class Wrapper:
    """A stand-in for a module or object a library uses, overriding one method."""

    def __init__(self, wrapped: Any) -> None:
        self._wrapped = wrapped

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


def wrap(owner: Any, attribute: str, wrapper: type[Wrapper]) -> bool:
    """Put `wrapper` around `owner.attribute`, once; False if the library has no such attribute."""
    current = getattr(owner, attribute, None)
    if current is None:
        return False
    if not isinstance(current, wrapper):
        setattr(owner, attribute, wrapper(current))
    return True
