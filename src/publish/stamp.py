"""The site's stamp: `publish all` with nothing changed answers without loading anything.

After a `publish all` that reported no error, the stamp (`output/.publish/stamp.json`) records
what that run left: the size and modification time of every file under the site root, in theme
folders outside it and in output/, the installed software, the options, and the summary a run
finding everything up to date prints (noop.py). The next `publish all` with the same options compares sizes
and times first, as make and git's index do: if nothing differs, and no article's date or expiry
has come since, it prints the same summary without reading an article or importing an exporter.
Any difference, and the build checks every task as before. A file whose time is less than two
seconds before the recording run started is not trusted (it may have changed while being read):
no stamp is written then.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from publish import __version__
from publish.lock import LOCK_FILE, held
from publish.paths import RACY_NS, write_atomic

STAMP = ".publish/stamp.json"
FORMAT = 1
MAX_FILES = 50_000          # an input folder holding more (a checkout with its dependencies): no stamp
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})
# The environment that changes outputs (never stored: only its digest).
SETTINGS_VARIABLES = ("PYPANDOC_PANDOC", "SOURCE_DATE_EPOCH", "TZ")
QUIET_VARIABLES = frozenset({"PUBLISH_SMTP_PASSWORD", "PUBLISH_JOBS", "PUBLISH_QUIET", "PUBLISH_VERBOSE",
                             "PUBLISH_SCHEDULER", "PUBLISH_LOCK_TIMEOUT", "PUBLISH_START_METHOD"})

Files = dict[str, tuple[int, int]]          # relative path -> (mtime_ns, size)


@dataclass(frozen=True)
class Summary:
    """What a no-op `publish all` prints."""

    articles: int
    left_out: dict[str, int]                    # "draft" | "future" | "expired" -> count
    up_to_date: int
    problems: list[tuple[str, str, str]]        # (severity, file or "", message)
    feeds: str                                  # the "feeds: …" line, or ""


def options_key(config_file: Path | None, overrides: Mapping[str, Any]) -> str:
    """What, besides files, decides the outputs: publish's version, this Python, the options and
    the environment variables that change outputs."""
    env = sorted((name, value) for name, value in os.environ.items()
                 if (name.startswith("PUBLISH_") and name not in QUIET_VARIABLES) or name in SETTINGS_VARIABLES)
    data = [FORMAT, __version__, sys.executable, str(config_file.resolve()) if config_file else "",
            json.dumps(overrides, sort_keys=True, default=str), env]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def answer(root: Path, output_dir: Path, key: str) -> Summary | None:
    """The recorded summary if nothing that decides the outputs has changed since it was recorded."""
    try:
        stamp = json.loads((output_dir / STAMP).read_text(encoding="utf-8"))
        if stamp.get("format") != FORMAT or stamp.get("key") != key or stamp.get("root") != str(root):
            return None
        if stamp["until"] is not None and time.time_ns() >= stamp["until"]:
            return None                                       # an article's date or expiry has come
        if held(output_dir):
            return None                                       # a build is writing: let it finish first
        if software_files() != stamp["software"]:
            return None
        trees = [Path(folder) for folder in stamp["trees"]]
        for folder, recorded in zip(trees, stamp["inputs"], strict=True):
            if _files(folder, skip=output_dir) != _decoded(recorded):
                return None
        if _files(output_dir, skip=None, limit=None) != _decoded(stamp["outputs"]):
            return None
        return Summary(**stamp["summary"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(root: Path, output_dir: Path, key: str, readable: Iterable[Path], summary: Summary,
           started_ns: int, until_ns: int | None) -> bool:
    """Record the stamp of a run that reported no error; False (and no stamp) where
    it cannot be trusted or would cost more than it saves. `readable`: the other folders the run
    may read from (content, public and theme folders; those outside the root are walked too)."""
    trees = [root]
    for folder in sorted({f.resolve() for f in readable}):
        if not any(folder.is_relative_to(tree) for tree in trees):
            trees.append(folder)
    inputs = [_files(folder, skip=output_dir) for folder in trees]
    newest = max((mtime for files in inputs if files for mtime, _ in files.values()), default=0)
    if any(files is None for files in inputs) or newest >= started_ns - RACY_NS:
        forget(output_dir)
        return False
    outputs = _files(output_dir, skip=None, limit=None)       # publish's own: no limit
    stamp = {"format": FORMAT, "key": key, "root": str(root), "until": until_ns, "software": software_files(),
             "trees": [str(folder) for folder in trees], "inputs": [_encoded(files) for files in inputs],
             "outputs": _encoded(outputs), "summary": asdict(summary)}
    write_atomic(output_dir / STAMP, json.dumps(stamp, separators=(",", ":")).encode())
    return True


def forget(output_dir: Path) -> None:
    """Drop the stamp (a run that will change output/, or found a problem)."""
    try:
        (output_dir / STAMP).unlink(missing_ok=True)
    except OSError:
        pass


def _files(top: Path, skip: Path | None, limit: int | None = MAX_FILES) -> Files | None:
    """Every file under `top` with its modification time and size, leaving out hidden folders,
    dependency caches and `skip` (the output folder, when walking the site root); None past
    `limit` files. In the output folder itself (`skip` None) publish's own records under .publish/
    count, all but the lock and the stamp."""
    found: Files = {}
    start = str(top)
    cut = len(os.path.join(start, ""))            # scandir's paths start with top's own spelling
    records = os.path.join(start, ".publish") if skip is None else ""
    skipped = str(skip) if skip is not None else ""
    unwatched = (Path(STAMP).name, Path(LOCK_FILE).name)
    pending = [start]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):      # a linked folder counts as its link
                hidden = entry.name.startswith(".") or entry.name in SKIPPED_DIRS
                if (hidden and entry.path != records) or entry.path == skipped:
                    continue
                pending.append(entry.path)
                continue
            if folder == records and entry.name in unwatched:
                continue
            try:
                info = entry.stat(follow_symlinks=not entry.is_dir())
            except OSError:
                continue
            found[entry.path[cut:]] = (info.st_mtime_ns, info.st_size)
            if limit is not None and len(found) > limit:
                return None
    return found


def _encoded(files: Files | None) -> dict[str, list[int]]:
    return {rel: list(value) for rel, value in (files or {}).items()}


def _decoded(recorded: dict[str, list[int]]) -> Files:
    return {rel: (value[0], value[1]) for rel, value in recorded.items()}


def software_files() -> list[Any]:
    """The installed software as files: each folder on sys.path but the first (installing or
    removing a package changes its listing, so its time) and every file of publish itself (an
    editable install)."""
    folders = []
    for entry in sys.path[1:]:          # [0] is the script's folder, or the current one with -m
        try:
            folders.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            continue
    package = Path(__file__).parent
    return [folders, _encoded(_files(package, skip=None))]

