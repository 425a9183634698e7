"""Rendering on a Dask cluster: real schedulers and worker processes on 127.0.0.1.

The workers are started as `dask worker` processes in their own empty folders: a build there
writes the same bytes as a local build, every render task runs on the cluster, the workers write
nothing in their folders and never open a file of the site root (what a task reads travels with
it). A worker killed mid-build, an unreachable scheduler and a worker running another version of
publish are each what the issue asks them to be.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from publish import pipeline
from tests.conftest import copy_sample, load_config, run_publish

distributed = pytest.importorskip("distributed", reason="Dask distributed is not installed (pip install 'publish[dask]')")

BUILT_INS = ("feed", "pdf", "epub", "email", "landing")
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _outputs(site: Path) -> dict[str, str]:
    output = site / "output"
    return {path.relative_to(output).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(output.rglob("*")) if path.is_file() and ".publish" not in path.parts}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A scheduler in this process's LocalCluster and `dask worker` processes, each in its own folder."""

    def __init__(self, root: Path, workers: int) -> None:
        self.local = distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=":0",
                                              scheduler_port=_free_port(), host="127.0.0.1")
        self.address = self.local.scheduler_address
        self.folders = [root / f"worker-{n}" for n in range(workers)]
        self.scratch = root / "scratch"
        self.processes = []
        for folder in self.folders:
            folder.mkdir(parents=True)
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", self.address, "--nworkers", "1",
                 "--nthreads", "1", "--no-dashboard", "--local-directory", str(self.scratch)],
                cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self.client = distributed.Client(self.address)
        self.client.wait_for_workers(workers, timeout=120)

    def worker_pids(self) -> set[int]:
        return set(self.client.run(os.getpid).values())

    def close(self) -> None:
        self.client.close()
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.local.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    made = Cluster(tmp_path_factory.mktemp("cluster"), workers=2)
    yield made
    made.close()


def _watch_site_opens(root: str) -> None:
    """Runs on each worker: remember every file opened under the site root (there must be none)."""
    import builtins

    found: list[str] = []
    builtins.__dict__["_publish_site_opens"] = found

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            path = os.fsdecode(args[0])
            if path.startswith(root):
                found.append(path)
            elif "publish-site-" in path:
                found.append("(the worker's copy)")          # the hook sees the files the tasks do read

    sys.addaudithook(hook)


def _site_opens() -> list[str]:
    import builtins

    return list(builtins.__dict__.get("_publish_site_opens", []))


def test_a_cluster_build_is_the_local_build(cluster: Cluster, tmp_path: Path) -> None:
    import cloudpickle

    local = copy_sample(tmp_path / "local")
    remote = copy_sample(tmp_path / "remote")
    expected = pipeline.build(load_config(cwd=local), dict.fromkeys(BUILT_INS), jobs=2)
    assert expected.exit_code == 0, expected.problems
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        cluster.client.run(_watch_site_opens, str(remote))
        report = pipeline.build(load_config(cwd=remote), dict.fromkeys(BUILT_INS), scheduler=cluster.address)
        opened = [path for paths in cluster.client.run(_site_opens).values() for path in paths]
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert report.exit_code == 0, report.problems
    assert _outputs(remote) == _outputs(local) and len(_outputs(remote)) > 60
    assert report.processes and report.processes <= cluster.worker_pids()        # every task on the cluster
    assert sorted(report.written) == sorted(expected.written)
    assert opened and set(opened) == {"(the worker's copy)"}                      # nothing read from the site root
    assert all(list(folder.iterdir()) == [] for folder in cluster.folders)       # nothing written where they run
    again = pipeline.build(load_config(cwd=remote), dict.fromkeys(BUILT_INS), scheduler=cluster.address)
    assert again.exit_code == 0 and again.written == [] and again.up_to_date
    # A cold build on the same, now warm, workers: every image copy is delivered again.
    shutil.rmtree(remote / "output")
    cold = pipeline.build(load_config(cwd=remote), dict.fromkeys(BUILT_INS), scheduler=cluster.address)
    assert cold.exit_code == 0, cold.problems
    assert _outputs(remote) == _outputs(local)


class _KillOnce:
    """A progress display that kills one worker process when the first task has finished."""

    def __init__(self, pid: int) -> None:
        self.pid, self.killed = pid, False

    def message(self, text: str) -> None: ...
    def start(self, total: int, description: str) -> None: ...
    def stop(self) -> None: ...

    def advance(self, label: str) -> None:
        if not self.killed:
            self.killed = True
            os.kill(self.pid, signal.SIGKILL)


def test_a_worker_killed_mid_build_costs_only_its_tasks(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  host="127.0.0.1", local_directory=str(tmp_path / "scratch")) as local, \
            distributed.Client(local) as client:
        victim = sorted(client.run(os.getpid).values())[0]
        killer = _KillOnce(victim)
        report = pipeline.build(load_config(cwd=site), dict.fromkeys(BUILT_INS), scheduler=local.scheduler_address,
                                progress=killer)
        assert killer.killed and victim not in client.run(os.getpid).values()
        # Dask runs the lost worker's task again elsewhere; a task lost too often is that task's error.
        assert all("worker failed" in p.message for p in report.errors), report.errors
        assert report.written
        # Only what came back is recorded as done: the next build runs exactly the rest.
        again = pipeline.build(load_config(cwd=site), dict.fromkeys(BUILT_INS), scheduler=local.scheduler_address)
        assert again.exit_code == 0, again.problems
        assert set(again.written).isdisjoint(report.written)
        assert len(report.written) + len(again.written) == len(set(report.written) | set(again.written))
    local_site = copy_sample(tmp_path / "local")
    assert pipeline.build(load_config(cwd=local_site), dict.fromkeys(BUILT_INS), jobs=2).exit_code == 0
    assert _outputs(site) == _outputs(local_site)


def test_an_unreachable_scheduler_is_a_usage_error_within_seconds(sample_site: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    result = run_publish(sample_site, "--scheduler", address, "all")
    assert result.returncode == 2, result.stderr
    assert time.monotonic() - started < 60                                          # generous: a loaded machine
    assert address in result.stderr and "dask scheduler" in result.stderr
    assert not (sample_site / "output").exists()


def test_the_scheduler_can_come_from_the_environment_and_publish_toml(sample_site: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = run_publish(sample_site, "feed", env={"PUBLISH_SCHEDULER": address})
    assert result.returncode == 2 and address in result.stderr
    toml = sample_site / "publish.toml"
    toml.write_text(toml.read_text() + f'\n[build]\nscheduler = "{address}"\n')
    result = run_publish(sample_site, "feed")
    assert result.returncode == 2 and address in result.stderr


def test_without_dask_the_scheduler_option_says_what_to_install(sample_site: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['distributed'] = None\n")
    result = run_publish(sample_site, "--scheduler", "tcp://127.0.0.1:1", "all",
                         env={"PYTHONPATH": os.pathsep.join(filter(None, [str(blocker), os.environ.get("PYTHONPATH")]))})
    assert result.returncode == 2
    assert "publish[dask]" in result.stderr


def test_a_scheduler_without_publish_is_a_usage_error(sample_site: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['publish'] = None\n")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(blocker), os.environ.get("PYTHONPATH")]))}
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--no-dashboard"], cwd=tmp_path, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        result = run_publish(sample_site, "--scheduler", address, "feed")
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=30)
    assert result.returncode == 2, result.stderr
    assert f"the Dask scheduler at {address} cannot load publish" in result.stderr
    assert "where the scheduler runs" in result.stderr
    assert not (sample_site / "output").exists()


def _wait_for_port(port: int) -> None:
    for _ in range(600):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def _profiler_and_warm_up(dask_worker: Any) -> tuple[list[str], bool]:
    """On a worker: the profiler's periodic callbacks it still has, and whether publish's warm-up
    (waited for) loaded WeasyPrint."""
    import threading

    for thread in threading.enumerate():
        if thread.name == "publish-warm-up":
            thread.join()
    left = [name for name in ("profile", "profile-cycle") if name in dask_worker.periodic_callbacks]
    return left, "weasyprint" in sys.modules


def test_connecting_sets_every_worker_up(cluster: Cluster) -> None:
    import cloudpickle

    from publish import cluster as publish_cluster

    client = publish_cluster.connect(cluster.address)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        found = client.run(_profiler_and_warm_up)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
        client.close()
    # Dask's profiler is off and the renderers' libraries are loaded before the first task arrives.
    assert found and all(value == ([], True) for value in found.values()), found


def _pretend_version(version: str) -> None:
    import publish

    publish.__version__ = version


def _pretend_other_theme(other: bool) -> None:
    from publish import cluster

    if other:
        cluster.__dict__.setdefault("_real_theme_digest", cluster._theme_digest)
        cluster._theme_digest = lambda exporter, ctx: "f" * 64 if exporter.theme_folder else ""
    elif "_real_theme_digest" in cluster.__dict__:
        cluster._theme_digest = cluster.__dict__.pop("_real_theme_digest")


def test_a_worker_with_other_theme_files_refuses_their_tasks(cluster: Cluster, sample_site: Path) -> None:
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        cluster.client.run(_pretend_other_theme, True)
        result = run_publish(sample_site, "--scheduler", cluster.address, "build", "email")
    finally:
        cluster.client.run(_pretend_other_theme, False)
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert result.returncode == 1
    assert "theme files differ" in result.stderr and "install the same publish and theme" in result.stderr
    assert not list((sample_site / "output").glob("email/*.html"))


def test_a_worker_with_another_publish_version_is_refused(cluster: Cluster, sample_site: Path) -> None:
    import cloudpickle

    import publish

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    one = [sorted(cluster.client.scheduler_info()["workers"])[0]]
    try:
        cluster.client.run(_pretend_version, "0.0.1-other", workers=one)
        result = run_publish(sample_site, "--scheduler", cluster.address, "feed")
    finally:
        cluster.client.run(_pretend_version, publish.__version__, workers=one)
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert result.returncode == 2, result.stderr
    assert "0.0.1-other" in result.stderr and publish.__version__ in result.stderr
    assert not (sample_site / "output").exists()


def test_a_task_reaching_a_worker_of_another_version_is_that_tasks_error() -> None:
    from publish import cluster as publish_cluster
    from publish.exporters.base import Task

    shipment = publish_cluster.Shipment("b", "9.9.9", {}, "/site", b"")
    outcome = publish_cluster._render_on_worker(shipment, {}, Task("feed", "feed/all", ("rss.xml",), "d"), {})
    assert outcome.error and "9.9.9" in outcome.error and "install the same version" in outcome.error


def test_no_machine_paths_leave_in_the_shipment(tmp_path: Path) -> None:
    import io
    import pickle

    from publish import cluster as publish_cluster

    site = copy_sample(tmp_path / "site")
    config = load_config(cwd=site)
    blob = io.BytesIO()
    publish_cluster._Outbound(blob, publish_cluster.places(config.root, config.themes.folders)).dump(config)
    assert str(site).encode() not in blob.getvalue()            # every path under the root travels relative
    publish_cluster._SITE = tmp_path / "elsewhere"
    try:
        moved = pickle.loads(blob.getvalue())
    finally:
        publish_cluster._SITE = None
    assert moved.root == tmp_path / "elsewhere" and moved.content_dir == tmp_path / "elsewhere" / "content"


def test_a_theme_outside_the_site_root_travels_too(tmp_path: Path) -> None:
    from publish import cluster as publish_cluster

    root, theme = tmp_path / "site", tmp_path / "themes" / "mine"
    where = publish_cluster.places(root, [theme, publish_cluster.PACKAGE / "themes" / "default"])
    assert publish_cluster.placed(root / "content" / "a.png", where) == "content/a.png"
    assert publish_cluster.placed(theme / "pdf" / "article.css", where) == ".themes/0/pdf/article.css"
    assert publish_cluster.placed(theme, where) == ".themes/0"
    assert publish_cluster.placed(root, where) == "."
    assert publish_cluster.placed(tmp_path / "elsewhere.txt", where) is None
