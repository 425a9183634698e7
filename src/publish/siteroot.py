"""Where a site is: its root folder, its configuration file and its output folder, found without
loading the configuration (the no-op check in `publish all` needs them before anything else)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

CONFIG_FILE = "publish.toml"
DEFAULT_OUTPUT = "output"


def find_root(start: Path) -> tuple[Path, Path | None]:
    """The site root: the folder holding publish.toml or a pyproject.toml with [tool.publish]."""
    start = start.resolve()
    if (start / CONFIG_FILE).is_file():
        return start, start / CONFIG_FILE
    pyproject = start / "pyproject.toml"
    if pyproject.is_file():
        if "publish" in _toml(pyproject).get("tool", {}):
            return start, pyproject
    return start, None


def locate(config_file: Path | None, output: str | None, cwd: Path | None = None) -> tuple[Path, Path] | None:
    """(site root, output folder) as `load_config` will find them, or None where only loading the
    configuration can tell (an unreadable file, an output setting that is not a string)."""
    source: Path | None
    if config_file is not None:
        config_file = config_file.resolve()
        if not config_file.is_file():
            return None
        root, source = config_file.parent, config_file
    else:
        root, source = find_root(cwd or Path.cwd())
    if output is None:
        raw = _toml(source) if source is not None else {}
        if source is not None and source.name == "pyproject.toml":
            raw = raw.get("tool", {}).get("publish", {})
        paths = raw.get("paths", {})
        output = paths.get("output", DEFAULT_OUTPUT) if isinstance(paths, dict) else None
        if not isinstance(output, str):
            return None
    path = Path(output).expanduser()
    return root, (path if path.is_absolute() else root / path).resolve()


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
