"""What each task last wrote, so an unchanged site costs almost nothing.

One small JSON record per task under `output/.publish/state/`, written atomically as soon as the
task finishes: an interrupted run keeps everything it finished. A record counts only if the
task's digest matches and every output still has the bytes it was written with; a missing,
corrupt or stale record just means the task runs again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from publish.exporters.base import Task
from publish.paths import write_atomic

STATE_DIR = ".publish/state"


def _record_path(output_dir: Path, key: str) -> Path:
    return output_dir / STATE_DIR / (hashlib.sha256(key.encode()).hexdigest() + ".state")


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def up_to_date(output_dir: Path, task: Task) -> bool:
    return current_uses(output_dir, task) is not None


def current_uses(output_dir: Path, task: Task) -> tuple[str, ...] | None:
    """The shared files (image copies) an up-to-date task's outputs link to; None if it must run."""
    found = current(output_dir, task)
    return found[0] if found is not None else None


# A warning as recorded: the file it is about (relative to the site root; "" for the whole site)
# and its message.
Said = tuple[str, str]


def current(output_dir: Path, task: Task) -> tuple[tuple[str, ...], tuple[Said, ...]] | None:
    """For an up-to-date task: the image copies its outputs link to, and the warnings it gave when
    it ran (said again, so every run reports the same); None if it must run."""
    try:
        record = json.loads(_record_path(output_dir, task.key).read_text(encoding="utf-8"))
        uses = _uses_if_current(output_dir, task, record)
        if uses is None:
            return None
        said = record.get("warnings", [])
        if not all(isinstance(w, list) and len(w) == 2 and all(isinstance(x, str) for x in w) for w in said):
            return None                   # warnings recorded without their file (an older version)
        return uses, tuple((path, message) for path, message in said)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _uses_if_current(output_dir: Path, task: Task, record: dict[str, Any]) -> tuple[str, ...] | None:
    try:
        if record.get("key") != task.key or record.get("digest") != task.digest:
            return None
        files = record["outputs"]
        if sorted(files) != sorted(task.outputs):
            return None
        uses = tuple(str(rel) for rel in record.get("uses", []))
        if not all((output_dir / rel).is_file() for rel in uses):
            return None                   # an image copy the outputs link to has gone
        if all(file_digest(output_dir / rel) == digest for rel, digest in files.items()):
            return uses
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def every_record(output_dir: Path) -> Iterator[dict[str, Any]]:
    """Every readable record (for a manifest made from the state of an older version)."""
    folder = output_dir / STATE_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.state")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("key"), str) and isinstance(data.get("outputs"), dict):
            yield data


def record(output_dir: Path, task: Task, uses: tuple[str, ...] = (), warnings: tuple[Said, ...] = (),
           digests: Mapping[str, str] | None = None) -> None:
    """Remember what the task wrote; `digests`: its outputs' sha256 when known (else read back)."""
    outputs = dict(digests) if digests is not None else {rel: file_digest(output_dir / rel) for rel in task.outputs}
    data = {"key": task.key, "digest": task.digest, "outputs": outputs, "uses": list(uses),
            "warnings": [list(w) for w in warnings]}
    write_atomic(_record_path(output_dir, task.key), json.dumps(data, sort_keys=True))


def forget(output_dir: Path, task: Task | str) -> None:
    """Drop the record of a task (or of a task key no longer planned)."""
    _record_path(output_dir, task if isinstance(task, str) else task.key).unlink(missing_ok=True)
