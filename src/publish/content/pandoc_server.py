"""Pandoc batch processes kept alive between builds (`publish serve --watch`).

Starting Pandoc costs more than converting an edited article (about 55 ms against 20 ms), so the
watching server keeps its `pandoc lua batch.lua FILTER serve` processes: a batch is one line of
JSON in, one line of results out, converted exactly as a one-shot batch (same script, same
sandbox). Off unless `keep_alive()` was called; a process that fails is dropped, and the batch
runs the one-shot way.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Sequence

# The processes this program keeps (a pool: the loader converts several batches in parallel
# threads). A process-wide resource, like an open file, not a channel between caller and callee.
_idle: list[subprocess.Popen[str]] = []
_lock = threading.Lock()
_enabled = False


def keep_alive() -> None:
    global _enabled
    _enabled = True


def close() -> None:
    """Stop every kept process (and keep no more)."""
    global _enabled
    with _lock:
        _enabled = False
        processes, _idle[:] = list(_idle), []
    for process in processes:
        _stop(process)


def run(command: Sequence[str], texts: list[str]) -> list[str | tuple[str]] | None:
    """The batch's results from a kept process (`command` plus "serve"); None when not kept alive
    or when the process failed (it is then stopped, and the caller runs the batch itself)."""
    if not _enabled:
        return None
    with _lock:
        process = _idle.pop() if _idle else None
    try:
        if process is None or process.poll() is not None:
            process = subprocess.Popen([*command, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True, encoding="utf-8")
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(texts) + "\n")
        process.stdin.flush()
        results = json.loads(process.stdout.readline())
        if not isinstance(results, list) or len(results) != len(texts):
            raise ValueError("an answer that is not one result per text")
    except (OSError, ValueError, AssertionError):
        if process is not None:
            _stop(process)
        return None
    with _lock:
        if _enabled:
            _idle.append(process)
        else:
            _stop(process)
    return [r["html"] if "html" in r else (str(r.get("error", "unknown error")),) for r in results]


def _stop(process: subprocess.Popen[str]) -> None:
    try:
        if process.stdin is not None:
            process.stdin.close()
        process.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()
