"""The Dask worker plugin of a cluster build (cluster.connect registers it; Dask sets it up on every
worker, those that join later included, and tears it down when the build ends).

- It stops Dask's statistical profiler on the worker while publish uses it. The profiler samples the
  running task's stack every 10 ms from the worker's event loop; WeasyPrint's stacks are deep and
  pure Python, and the sampling cost a cluster build a large share of its CPU (docs/scaling.md).
  Its periodic callbacks are internals of distributed (written against 2026.8): when they are not
  where expected nothing is changed, and Dask's own setting `distributed.worker.profile.enabled`
  (`DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False`) still turns it off.
- It loads the renderers' heavy libraries at once, in a thread, so a fresh worker does it while the
  client still reads the articles instead of on its first task.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

PROFILER = ("profile", "profile-cycle")      # distributed's names for the profiler's periodic callbacks


class WorkerSetup(WorkerPlugin):
    """`warm_up`: what loads the renderers' libraries (cluster.warm_up, pickled by name)."""

    name = "publish"

    def __init__(self, warm_up: Callable[[], None]) -> None:
        self.warm_up = warm_up
        self.stopped: dict[str, Any] = {}

    def setup(self, worker: Any) -> None:
        callbacks = getattr(worker, "periodic_callbacks", None)
        if isinstance(callbacks, dict):
            for name in PROFILER:
                # Taken out before the worker starts its callbacks (a new worker sets plugins up first).
                callback = callbacks.pop(name, None)
                if callback is not None:
                    with contextlib.suppress(Exception):
                        callback.stop()
                    self.stopped[name] = callback
        threading.Thread(target=self.warm_up, name="publish-warm-up", daemon=True).start()

    def teardown(self, worker: Any) -> None:
        callbacks = getattr(worker, "periodic_callbacks", None)
        running = getattr(getattr(worker, "status", None), "name", "") == "running"
        if isinstance(callbacks, dict) and running:
            for name, callback in self.stopped.items():
                callbacks.setdefault(name, callback)
                with contextlib.suppress(Exception):
                    if not callback.is_running():
                        callback.start()
        self.stopped.clear()
