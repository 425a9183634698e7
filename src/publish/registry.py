"""Exporters found through the `publish.exporters` entry-point group.

Built-in exporters are registered in pyproject.toml the same way a third-party package would
register its own. A plugin that fails to load is a warning naming its package, not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points

from publish.exporters.base import Exporter

GROUP = "publish.exporters"


@dataclass(frozen=True)
class Registered:
    name: str
    value: str                      # "package.module:Class"
    distribution: str               # the package that provides it
    exporter: type[Exporter] | None
    error: str | None = None

    @property
    def builtin(self) -> bool:
        return self.value.startswith("publish.")


@lru_cache(maxsize=1)
def _discover() -> tuple[tuple[str, Registered], ...]:
    return tuple(_scan().items())


def discover() -> dict[str, Registered]:
    """Every exporter registered under the entry-point group, by name (found once per process)."""
    return dict(_discover())


def _scan() -> dict[str, Registered]:
    found: dict[str, Registered] = {}
    for point in sorted(entry_points(group=GROUP), key=_order):
        if point.name in found:
            continue
        found[point.name] = _load(point)
    return found


def _order(point: EntryPoint) -> tuple[int, str]:
    return (0 if point.value.startswith("publish.") else 1, point.name)


def _load(point: EntryPoint) -> Registered:
    dist = point.dist.name if point.dist is not None else "unknown package"
    try:
        cls = point.load()
    except Exception as exc:  # noqa: BLE001 - any failure in third-party code is reported, not raised
        return Registered(point.name, point.value, dist, None, f"cannot be loaded: {type(exc).__name__}: {exc}")
    if not (isinstance(cls, type) and issubclass(cls, Exporter)):
        return Registered(point.name, point.value, dist, None, "is not a publish Exporter subclass")
    return Registered(point.name, point.value, dist, cls)


def get(name: str) -> type[Exporter] | None:
    entry = discover().get(name)
    return entry.exporter if entry else None
