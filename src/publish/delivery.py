"""Writing what a task returned: the main process is the only writer of the output folder.

A task renders wherever its executor runs it (a worker process here, a worker of a Dask cluster
elsewhere) and returns its files as bytes, with their precompressed twins and the image copies it
had to make. Here they are written atomically: the copies first (a file never links to a copy
that is not there yet), then each file followed by its twins (a twin is never older than its file;
a file too small for twins loses the ones it had).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from publish.exporters.base import Task
from publish.images import IMAGES_DIR
from publish.paths import output_path, write_atomic
from publish.precompress import twins
from publish.workers import Outcome


class DeliveryError(Exception):
    """What a task returned cannot be written (a name outside its place, a full disk)."""


def deliver(output_dir: Path, task: Task, outcome: Outcome) -> dict[str, str]:
    """Write the outcome's copies and files; returns the sha256 of each of the task's outputs."""
    for relative, data in outcome.copies:
        if not relative.startswith(IMAGES_DIR + "/") or "/" in relative[len(IMAGES_DIR) + 1:]:
            raise DeliveryError(f"{task.label}: an image copy named {relative!r} is not under {IMAGES_DIR}/")
        target = output_path(output_dir, relative)
        if not target.exists():                     # named by what it is made from: the same bytes
            write_atomic(target, data)
    files = dict(outcome.files)
    digests = {}
    for relative in task.outputs:
        data = files[relative]
        write_atomic(output_path(output_dir, relative), data)
        digests[relative] = hashlib.sha256(data).hexdigest()
        for twin in twins(relative):
            if twin in files:
                write_atomic(output_path(output_dir, twin), files[twin])
            else:
                (output_dir / twin).unlink(missing_ok=True)
    return digests
