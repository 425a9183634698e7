"""What each task last wrote, so an unchanged site costs almost nothing.

One small JSON record per task under `output/.publish/state/`, written atomically as soon as the
task finishes: an interrupted run keeps everything it finished. A record counts only if the
task's digest matches and every output still has the bytes it was written with; a missing,
corrupt or stale record just means the task runs again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

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
    try:
        record = json.loads(_record_path(output_dir, task.key).read_text(encoding="utf-8"))
        if record.get("key") != task.key or record.get("digest") != task.digest:
            return False
        files = record["outputs"]
        if sorted(files) != sorted(task.outputs):
            return False
        if not all((output_dir / rel).is_file() for rel in record.get("uses", [])):
            return False                  # an image copy the outputs link to has gone
        return all(file_digest(output_dir / rel) == digest for rel, digest in files.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def record(output_dir: Path, task: Task, uses: tuple[str, ...] = ()) -> None:
    outputs = {rel: file_digest(output_dir / rel) for rel in task.outputs}
    data = {"key": task.key, "digest": task.digest, "outputs": outputs, "uses": list(uses)}
    write_atomic(_record_path(output_dir, task.key), json.dumps(data, sort_keys=True))


def forget(output_dir: Path, task: Task) -> None:
    _record_path(output_dir, task.key).unlink(missing_ok=True)
