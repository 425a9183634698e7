"""Split an article into front matter and body; parse YAML (`---`) or TOML (`+++`)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from publish.errors import ContentError

# libyaml's parser when PyYAML has it (several times faster), the pure-Python one otherwise.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """SafeLoader that leaves dates as text: publish reads them itself (and reports Feb 30 clearly)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Parsed:
    meta: dict[str, Any]
    body: str
    body_line: int       # 1-based line of the file where the body starts


def split(text: str, path: Path) -> Parsed:
    """Front matter and body of `text`. An article without front matter has empty `meta`."""
    if not text.strip():
        raise ContentError("the file is empty", path=path, hint="add front matter with at least a title")
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    fence = lines[0].rstrip()
    if fence not in ("---", "+++"):
        return Parsed({}, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() == fence or (fence == "---" and lines[index].rstrip() == "..."):
            raw = "".join(lines[1:index])
            body = "".join(lines[index + 1:])
            meta = _parse_yaml(raw, path) if fence == "---" else _parse_toml(raw, path)
            return Parsed(meta, body, index + 2)
    raise ContentError(f"the front matter opened with '{fence}' on line 1 is never closed", path=path, line=1,
                       hint=f"add a line with '{fence}' after the front matter")


def _parse_yaml(raw: str, path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(raw, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else None      # +1 for 1-based, +1 for the '---' line
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContentError(f"front matter is not valid YAML: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise ContentError(f"front matter is not valid YAML: {exc}", path=path) from None
    return _as_mapping(data, path)


def _parse_toml(raw: str, path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        line = None
        message = str(exc)
        if "(at line " in message:
            try:
                line = int(message.split("(at line ")[1].split(",")[0]) + 1
            except ValueError:
                line = None
        raise ContentError(f"front matter is not valid TOML: {message}", path=path, line=line) from None
    return _as_mapping(data, path)


def _as_mapping(data: Any, path: Path) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(f"front matter must be a mapping of keys to values, not {type(data).__name__}",
                           path=path, line=2)
    return {str(k): v for k, v in data.items()}
