"""Exporters found through the `publish.exporters` entry-point group.

Built-in exporters are registered in pyproject.toml the same way a third-party package would
register its own. Entry points are read when first asked for, never at import, so `publish
--help` stays instant. A plugin that fails to load is a warning naming its package, not a crash.
When two packages register the same name, the built-in one wins (a plugin cannot replace a
built-in format behind the user's back); between two plugins, the package whose name sorts first.
The other is not used, and `conflicts()` says so.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from publish.exporters.base import Exporter, Options

GROUP = "publish.exporters"
PACKAGE = "publish"                 # the distribution that provides the built-in exporters


@dataclass(frozen=True)
class Registered:
    name: str
    value: str                      # "package.module:Class"
    distribution: str               # the package that provides it
    exporter: type[Exporter[Any, Any]] | None
    error: str | None = None
    shadowed: tuple[str, ...] = ()  # other packages registering the same name, not used

    @property
    def builtin(self) -> bool:
        return self.distribution == PACKAGE


@lru_cache(maxsize=1)
def _points() -> tuple[tuple[str, tuple[EntryPoint, ...]], ...]:
    """Every entry point of the group by name, the one used first (metadata only: nothing imported)."""
    by_name: dict[str, dict[tuple[str, str], EntryPoint]] = {}
    for point in entry_points(group=GROUP):
        # the same package found twice on sys.path is one registration, not a conflict
        by_name.setdefault(point.name, {}).setdefault((_distribution(point), point.value), point)
    return tuple((name, tuple(sorted(found.values(), key=_precedence))) for name, found in sorted(by_name.items()))


def _precedence(point: EntryPoint) -> tuple[int, str, str]:
    dist = _distribution(point)
    return (0 if dist == PACKAGE else 1, dist, point.value)


def _distribution(point: EntryPoint) -> str:
    return point.dist.name if point.dist is not None else "unknown package"


@cache
def find(name: str) -> Registered | None:
    """The exporter registered as `name` (only its own module is imported), or None."""
    points = dict(_points()).get(name)
    if not points:
        return None
    winner, *others = points
    entry = _load(winner)
    return dataclasses.replace(entry, shadowed=tuple(dict.fromkeys(_distribution(p) for p in others)))


def discover() -> dict[str, Registered]:
    """Every exporter registered under the entry-point group, by name (each loaded once per process)."""
    found = {}
    for name, _ in _points():
        entry = find(name)
        if entry is not None:
            found[name] = entry
    return found


def settings_classes() -> dict[str, type | None]:
    """Each loaded exporter's name and the settings dataclass it declares (None: none), for
    `load_config(..., exporters=...)`."""
    return {name: entry.exporter.settings for name, entry in discover().items() if entry.exporter is not None}


def conflicts() -> list[str]:
    """One sentence per name that several packages register: which one is used, and why."""
    messages = []
    for name, entry in sorted(discover().items()):
        for other in entry.shadowed:
            why = "built-in exporters always win" if entry.builtin else "the package whose name sorts first wins"
            messages.append(f"{other} registers an exporter named {name!r}, which {entry.distribution} already "
                            f"provides: publish uses the one from {entry.distribution} ({why}); rename the other "
                            f"in its entry point to use it")
    return messages


def forget() -> None:
    """Read the entry points again on the next call (after sys.path changed)."""
    _points.cache_clear()
    find.cache_clear()


def _load(point: EntryPoint) -> Registered:
    dist = _distribution(point)
    try:
        cls = point.load()
    except Exception as exc:  # noqa: BLE001 - any failure in third-party code is reported, not raised
        return Registered(point.name, point.value, dist, None, f"cannot be loaded: {type(exc).__name__}: {exc}")
    if not (isinstance(cls, type) and issubclass(cls, Exporter)):
        return Registered(point.name, point.value, dist, None, "is not a publish Exporter subclass")
    problem = _declaration_problem(cls)
    if problem:
        return Registered(point.name, point.value, dist, None, problem)
    return Registered(point.name, point.value, dist, cls)


def _declaration_problem(cls: type[Exporter[Any, Any]]) -> str | None:
    """What is wrong with the settings or options an exporter declares, or None."""
    if cls.settings is not None and not (isinstance(cls.settings, type) and dataclasses.is_dataclass(cls.settings)):
        return "declares settings that are not a dataclass"
    if not (isinstance(cls.options, type) and issubclass(cls.options, Options)
            and dataclasses.is_dataclass(cls.options)):
        return "declares options that are not a dataclass subclass of publish.exporters.base.Options"
    return None
