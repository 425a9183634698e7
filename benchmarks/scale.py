"""Benchmark: how a cold `publish all` grows with the archive, and a Dask cluster against the local pool.

Usage:
  python benchmarks/scale.py [--sizes 200,1000,2000] [--rounds R] [--jobs J] [--corpus DIR] [--json FILE]
  python benchmarks/scale.py --cluster [--articles 200] [--rounds R] [--corpus DIR] [--json FILE]

Scale run: generated corpora (benchmarks/corpus.py; the smaller ones are the first articles of the
largest) each get a cold build (empty output folder) in a subprocess (benchmarks/one_build.py, the
pipeline as `publish all` runs it), measured from outside:
  wall          seconds until the build's process exits
  CPU           user + system seconds of the whole process tree: the build, its worker processes and
                Pandoc (getrusage(RUSAGE_CHILDREN) before and after; it counts every descendant that
                was waited for, so it is checked against the CPU seen in /proc while the build ran)
  own CPU       the build's own process alone (getrusage(RUSAGE_SELF) in it): what stays on the
                client when the tasks run on a cluster
  peak memory   the highest summed RSS of that tree, sampled every 50 ms (benchmarks/proctree.py),
                and the processes it was made of; forked workers share pages, which are counted
                once per process
  longest task  the CPU seconds of the slowest single task (in its worker), as a share of the build's wall
                time and of its CPU seconds spread over the worker processes (the build on idle cores; a
                loaded machine stretches the wall time and would flatter the first share)
  sent          the pickled size of each task's outcome: what a worker sends back (its files, once tasks
                deliver them) and what a cluster moves per task
and prints CPU per article and peak memory of each size against the smallest, with the targets of
issue 16 (CPU per article <= 1.15x and peak memory <= 2x from 200 to 2,000 articles; no task over
10 % of the build).

Cluster run (--cluster; needs `pip install 'publish[dask]'`): a Dask scheduler and two workers
(`--nworkers 1 --nthreads 1`), each its own process started in its own empty folder (scratch space
elsewhere). On one corpus, each round (every build by benchmarks/one_build.py, `publish all` as
the pipeline runs it, so the CPU of each task in its worker is known): a cold `publish all` with
the local pool; a cold `publish --scheduler tcp://127.0.0.1:PORT all` on freshly restarted
workers (they import and prepare everything, as on a new cluster; the worker plugin an earlier
build registered is removed first, so they are set up only when the build connects); and one more
cold build on the same, now warm, workers (as on a cluster that has built before; a worker keeps
what it cached in its private temporary folder). Reports the wall-time ratios cluster/local
(target <= 1.3x, for the fresh workers), whether every output file except output/.publish/ is the
same bytes, whether anything appeared in the workers' folders (target: nothing), how many tasks
the cluster ran (Dask's task stream) against the tasks the build recorded, the CPU of the client
and of the workers (the idle workers also run beside the local build: what their heartbeats cost
is printed too), and the CPU seconds of the tasks by exporter, local against cluster.

Shared machines are noisy: only figures from one run mean anything together, and the load
(`uptime`) is printed with them. Never used in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import build_corpus
from proctree import TreeMemory, tree_cpu
from run import _children_cpu, _machine

HERE = Path(__file__).resolve().parent
ONE_BUILD = HERE / "one_build.py"
TARGETS = {"cpu_per_article": 1.15, "peak_rss": 2.0, "longest_share": 0.10, "cluster_wall": 1.3}
MiB = 2**20


# ---------------------------------------------------------------------------------------------
# Corpora and measured subprocesses

def corpora(folder: Path, sizes: list[int]) -> dict[int, Path]:
    """A site per size: the largest generated once, each smaller one its first articles and covers.
    A site already in `folder` with the right articles is used again."""
    largest = max(sizes)
    source = folder / f"site-{largest}"
    if len(list((source / "content").glob("article-*.md"))) != largest:
        print(f"generating {largest} articles in {source}", flush=True)
        build_corpus(source, largest)
    sites = {largest: source}
    for n in sizes:
        if n == largest:
            continue
        site = sites[n] = folder / f"site-{n}"
        if len(list((site / "content").glob("article-*.md"))) == n:
            continue
        shutil.rmtree(site, ignore_errors=True)
        public = site / "content" / "public"
        public.mkdir(parents=True)
        shutil.copy(source / "publish.toml", site / "publish.toml")
        for image in (source / "content" / "public").iterdir():
            if not image.name.startswith("cover-") or int(image.stem.split("-")[1]) < n:
                shutil.copy(image, public / image.name)
        for i in range(n):
            shutil.copy(source / "content" / f"article-{i:04d}.md", site / "content" / f"article-{i:04d}.md")
    return sites


def measured(cmd: list[str], cwd: Path, env: dict[str, str], *also: int) -> dict[str, Any]:
    """Run `cmd` and measure its process tree; `also`: other process trees to sample alongside
    (cluster workers), whose memory counts in the peak and whose CPU counts in `seen_cpu`."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tree = TreeMemory(proc.pid, *also)
    out, err = proc.communicate()
    peak = tree.stop()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        print(err[-3000:], file=sys.stderr)
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    parts = [(("build" if pid == proc.pid else name), rss) for pid, name, rss in tree.at_peak]
    return {"wall": wall, "cpu": _children_cpu() - cpu, "seen_cpu": tree.seen_cpu, "peak_rss": peak,
            "at_peak": parts, "stdout": out, "stderr": err}


def environment() -> dict[str, str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)      # bytecode written and used, as after a pip install
    return env


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---------------------------------------------------------------------------------------------
# Scale run

def cold_build(site: Path, env: dict[str, str], jobs: int) -> dict[str, Any]:
    shutil.rmtree(site / "output", ignore_errors=True)
    load = load_average()
    run = measured([sys.executable, str(ONE_BUILD), "--jobs", str(jobs)], site, env)
    report = json.loads(run.pop("stdout").strip().splitlines()[-1])
    run.pop("stderr")
    if report["errors"]:
        raise SystemExit(f"the build of {site} reported errors: {report['errors'][:5]}")
    corpus = len(list((site / "content").glob("*.md")))
    if report["articles"] != corpus:
        raise SystemExit(f"the build of {site} published {report['articles']} of its {corpus} articles")
    tasks: dict[str, float] = report.pop("task_seconds")
    sent: dict[str, int] = report.pop("sent_back")
    pickled: dict[str, int] = report.pop("task_pickled")
    longest = max(tasks, key=tasks.__getitem__) if tasks else ""
    by_exporter: dict[str, dict[str, float]] = {}
    for key, seconds in tasks.items():
        entry = by_exporter.setdefault(key.split("/", 1)[0], {"tasks": 0, "cpu": 0.0, "max": 0.0, "sent": 0})
        entry["tasks"] += 1
        entry["cpu"] += seconds
        entry["max"] = max(entry["max"], seconds)
        entry["sent"] += sent.get(key, 0)
    return {**run, **report, "load_before": load, "load_after": load_average(),
            "cpu_per_article": run["cpu"] / report["articles"],
            "longest_task": longest, "longest_seconds": tasks.get(longest, 0.0),
            "longest_share": tasks.get(longest, 0.0) / run["wall"],
            # against the build as it would last on `jobs` idle cores (its CPU spread evenly over them):
            # the wall time of a loaded machine flatters the share, this does not
            "longest_share_cpu": tasks.get(longest, 0.0) * jobs / run["cpu"],
            "slowest_tasks": sorted(tasks.items(), key=lambda item: -item[1])[:5],
            "by_exporter": by_exporter, "tasks_cpu": sum(tasks.values()),
            "sent_total": sum(sent.values()), "sent_max": max(sent.values(), default=0),
            "task_pickled_mean": sum(pickled.values()) / max(1, len(pickled))}


def scale(args: argparse.Namespace, work: Path, env: dict[str, str]) -> dict[str, Any]:
    sizes = sorted(args.sizes)
    sites = corpora(work, sizes)
    rounds: list[dict[int, dict[str, Any]]] = []
    for number in range(1, args.rounds + 1):
        this: dict[int, dict[str, Any]] = {}
        for n in sizes:
            row = this[n] = cold_build(sites[n], env, args.jobs or len(os.sched_getaffinity(0)))
            covered = "" if row["cpu"] >= 0.95 * row["seen_cpu"] else "  (getrusage saw LESS than /proc: check!)"
            print(f"round {number}, {n} articles: {row['wall']:.1f} s wall, {row['cpu']:.1f} s CPU "
                  f"(/proc saw {row['seen_cpu']:.1f} s, the tasks in workers {row['tasks_cpu']:.1f} s, the build's "
                  f"own process {row['self_cpu']:.1f} s){covered}, "
                  f"peak {row['peak_rss'] / MiB:.0f} MiB ({_parts(row['at_peak'])}), "
                  f"longest task {row['longest_task']} {row['longest_seconds']:.2f} s; load {row['load_before']}",
                  flush=True)
        rounds.append(this)
    summary = {n: _median_row([r[n] for r in rounds]) for n in sizes}
    smallest = summary[sizes[0]]
    ratios = {n: {"cpu_per_article": row["cpu_per_article"] / smallest["cpu_per_article"],
                  "peak_rss": row["peak_rss"] / smallest["peak_rss"],
                  "wall": row["wall"] / smallest["wall"]} for n, row in summary.items()}
    _print_scale(summary, ratios, sizes)
    return {"sizes": sizes, "rounds": [{str(n): row for n, row in r.items()} for r in rounds],
            "summary": {str(n): row for n, row in summary.items()},
            "ratios": {str(n): row for n, row in ratios.items()}}


def _parts(at_peak: list[tuple[str, int]]) -> str:
    """The processes of a peak: `build 700 + python 400 + …` (MiB; the build's own process named so)."""
    shown = [f"{name} {rss / MiB:.0f}" for name, rss in at_peak if rss >= 5 * MiB]
    return " + ".join(shown) + (" + small ones" if len(shown) < len(at_peak) else "")


def _median_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median CPU per article (its figures belong together), with the median
    wall, CPU, peak and longest share of all rounds beside them when there are several."""
    chosen = sorted(rows, key=lambda row: row["cpu_per_article"])[len(rows) // 2]
    if len(rows) == 1:
        return chosen
    medians = {key: statistics.median(row[key] for row in rows)
               for key in ("wall", "cpu", "cpu_per_article", "peak_rss", "longest_share", "longest_share_cpu")}
    return {**chosen, **medians}


def _print_scale(summary: dict[int, dict[str, Any]], ratios: dict[int, dict[str, float]], sizes: list[int]) -> None:
    print(f"\n{'articles':>8} {'wall s':>8} {'CPU s':>8} {'CPU/art s':>10} {'peak MiB':>9} {'longest task':>29} "
          f"{'share':>13} {'tasks':>6} {'sent/task KiB':>13} {'own ms/art':>10}")
    for n in sizes:
        row = summary[n]
        print(f"{n:>8} {row['wall']:>8.1f} {row['cpu']:>8.1f} {row['cpu_per_article']:>10.3f} "
              f"{row['peak_rss'] / MiB:>9.0f} {row['longest_task'][:20]:>20} {row['longest_seconds']:>6.2f} s "
              f"{100 * row['longest_share']:>5.1f}%/{100 * row['longest_share_cpu']:>5.1f}% {row['tasks']:>6} "
              f"{row['sent_total'] / max(1, row['tasks']) / 1024:>13.1f} "
              f"{1000 * row.get('self_cpu', 0.0) / row['articles']:>10.1f}")
    print("(own ms/art: CPU of the build's own process per article: what stays on the client of a cluster)")
    print("\nCPU seconds per task, by exporter (largest corpus): tasks, mean, max")
    for name, entry in sorted(summary[sizes[-1]]["by_exporter"].items()):
        print(f"  {name:8} {entry['tasks']:>6} {entry['cpu'] / entry['tasks']:>8.3f} {entry['max']:>8.3f}   "
              f"sent {entry['sent'] / entry['tasks'] / 1024:.1f} KiB a task")
    print("\nbuild contexts in one pickle (a cluster build sends it to every worker once), a pickled task:")
    for n in sizes:
        row = summary[n]
        shipped = row["contexts"].get("all", 0)
        print(f"  {n:>5} articles: {shipped / MiB:7.2f} MiB ({shipped / n / 1024:.1f} KiB an article); "
              f"a task {row['task_pickled_mean'] / 1024:.1f} KiB")
    print(f"\nagainst {sizes[0]} articles (targets of issue 16 at the largest size):")
    for n in sizes[1:]:
        r = ratios[n]
        print(f"  {n:>5} articles: CPU per article {r['cpu_per_article']:.3f}x, peak memory {r['peak_rss']:.2f}x, "
              f"wall {r['wall']:.2f}x for {n / sizes[0]:.0f}x the articles")
    last = ratios[sizes[-1]]
    for name, value in (("CPU per article", last["cpu_per_article"]), ("peak memory", last["peak_rss"])):
        target = TARGETS["cpu_per_article" if name.startswith("CPU") else "peak_rss"]
        print(f"  {name:16} {value:6.3f}x  {'OK' if value <= target else 'MISSES'} (target <= {target}x)")
    worst = max(max(summary[n]["longest_share"], summary[n]["longest_share_cpu"]) for n in sizes)
    print(f"  longest task     {100 * worst:5.1f} %   {'OK' if worst <= TARGETS['longest_share'] else 'MISSES'} "
          f"(target <= {100 * TARGETS['longest_share']:.0f} % of the build at every size)")
    print("  (share: the longest task's CPU seconds against the build's wall time / against its CPU seconds "
          "spread over the\n  worker processes, i.e. the build on idle cores; the larger counts)")


# ---------------------------------------------------------------------------------------------
# Cluster run

class Cluster:
    """A Dask scheduler and `workers` single-threaded workers on this machine, each its own process
    started in its own empty folder under `folder`, with Dask's scratch space and logs elsewhere."""

    def __init__(self, folder: Path, env: dict[str, str], workers: int = 2) -> None:
        from distributed import Client

        names = ("scheduler", *(f"worker-{i + 1}" for i in range(workers)))
        self.folders = {name: folder / "cwd" / name for name in names}
        scratch = folder / "scratch"
        for path in (*self.folders.values(), scratch):
            path.mkdir(parents=True, exist_ok=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.logs = {name: scratch / f"{name}.log" for name in self.folders}
        for name, cwd in self.folders.items():
            if name == "scheduler":
                cmd = ["-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
                       "--no-dashboard"]
            else:
                cmd = ["-m", "distributed.cli.dask_worker", self.address, "--nworkers", "1", "--nthreads", "1",
                       "--name", name, "--no-dashboard", "--local-directory", str(scratch / name)]
            with self.logs[name].open("wb") as log:
                self.processes[name] = subprocess.Popen([sys.executable, *cmd], cwd=cwd, env=env, stdout=log,
                                                        stderr=subprocess.STDOUT)
            if name == "scheduler":
                time.sleep(1.0)
        self.client = Client(self.address, timeout=60)
        self.client.wait_for_workers(workers, timeout=120)
        seen = self.client.run(lambda: (os.getpid(), os.getcwd()))
        self.worker_cwds = sorted(cwd for _, cwd in seen.values())
        self.client.get_task_stream()        # the scheduler records tasks from now on

    @property
    def worker_pids(self) -> list[int]:
        return [p.pid for name, p in self.processes.items() if name != "scheduler"]

    def restart(self) -> None:
        """New worker processes (their nannies stay): nothing left from an earlier build, not even
        the worker plugin publish registers (it would set the new workers up before a build connects)."""
        if "publish" in self.client.run_on_scheduler(_worker_plugins):
            self.client.unregister_worker_plugin("publish")
        self.client.restart(wait_for_workers=True)
        self.client.wait_for_workers(len(self.worker_pids), timeout=120)

    def tasks_since(self, start: float) -> list[dict[str, Any]]:
        return list(self.client.get_task_stream(start=start))

    def close(self) -> None:
        self.client.close()
        for process in reversed(list(self.processes.values())):
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _worker_plugins(dask_scheduler: Any) -> list[str]:
    return list(dask_scheduler.worker_plugins)


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `folder`, hidden ones included: path -> (size, mtime in ns)."""
    found = {}
    for path in folder.rglob("*"):
        stat = path.lstat()
        found[path.relative_to(folder).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def differing(one: Path, other: Path) -> tuple[int, list[str]]:
    """How many files `one` holds, and those that are not the same bytes in `other` (or are in only
    one of them); publish's own records (.publish/) are left out."""
    def files(folder: Path) -> set[str]:
        return {path.relative_to(folder).as_posix() for path in folder.rglob("*")
                if path.is_file() and path.relative_to(folder).parts[0] != ".publish"}

    mine, theirs = files(one), files(other)
    differ = sorted(mine ^ theirs) + sorted(name for name in mine & theirs
                                            if (one / name).read_bytes() != (other / name).read_bytes())
    return len(mine), differ


def one_build(cmd: list[str], site: Path, env: dict[str, str], *also: int) -> dict[str, Any]:
    """A cold build by benchmarks/one_build.py (`publish all` as the pipeline runs it), measured, with
    the CPU seconds of its tasks (in their workers) summed by exporter."""
    shutil.rmtree(site / "output", ignore_errors=True)
    run = measured(cmd, site, env, *also)
    report = json.loads(run.pop("stdout").strip().splitlines()[-1])
    run.pop("stderr")
    if report["errors"]:
        raise SystemExit(f"the build of {site} reported errors: {report['errors'][:5]}")
    by_exporter: dict[str, list[float]] = {}
    for key, seconds in report["task_seconds"].items():
        by_exporter.setdefault(key.split("/", 1)[0], []).append(seconds)
    run["tasks_cpu"] = {name: sum(values) for name, values in sorted(by_exporter.items())}
    run["task_seconds"] = report["task_seconds"]
    run["self_cpu"] = report["self_cpu"]
    return run


def cluster_build(dask: Cluster, build: list[str], site: Path, env: dict[str, str]) -> dict[str, Any]:
    """A cold `publish --scheduler … all` (empty output folder), with what the cluster did."""
    started, workers_cpu = time.time(), tree_cpu(*dask.worker_pids)
    run = one_build([*build, "--scheduler", dask.address], site, env, *dask.worker_pids)
    run["workers_cpu"] = tree_cpu(*dask.worker_pids) - workers_cpu
    stream = dask.tasks_since(started)
    run["cluster_tasks"] = len(stream)
    run["cluster_tasks_by_worker"] = _count(str(t.get("worker")) for t in stream)
    run["cluster_compute"] = sum(s["stop"] - s["start"] for t in stream for s in t.get("startstops", ())
                                 if s.get("action") == "compute")
    run["recorded_tasks"] = len(list((site / "output" / ".publish" / "state").glob("*.state")))
    run["load_after"] = load_average()
    return run


def cluster(args: argparse.Namespace, work: Path, env: dict[str, str]) -> dict[str, Any]:
    """Each round: a cold local build, a cold build on freshly restarted workers, and a cold build
    again on the same (now warm) workers."""
    site = corpora(work, [args.articles])[args.articles]
    build = [sys.executable, str(ONE_BUILD), *(["--jobs", str(args.jobs)] if args.jobs else [])]
    shutil.rmtree(work / "cluster", ignore_errors=True)
    dask = Cluster(work / "cluster", env)
    rounds, differ, files = [], {}, 0
    try:
        print(f"cluster: scheduler at {dask.address}, workers in {', '.join(dask.worker_cwds)}", flush=True)
        before = {name: listing(path) for name, path in dask.folders.items()}
        for number in range(1, args.rounds + 1):
            idle = tree_cpu(*dask.worker_pids)
            local = one_build(build, site, env)
            local["idle_workers_cpu"] = tree_cpu(*dask.worker_pids) - idle
            shutil.rmtree(site / "output-local", ignore_errors=True)
            (site / "output").rename(site / "output-local")
            dask.restart()
            fresh = cluster_build(dask, build, site, env)
            files, differ["fresh"] = differing(site / "output-local", site / "output")
            warm = cluster_build(dask, build, site, env)
            _, differ["warm"] = differing(site / "output-local", site / "output")
            this = {"local": local, "fresh": fresh, "warm": warm,
                    "ratio": fresh["wall"] / local["wall"], "ratio_warm": warm["wall"] / local["wall"]}
            rounds.append(this)
            print(f"round {number}: local pool {local['wall']:.1f} s; cluster, fresh workers {fresh['wall']:.1f} s "
                  f"({this['ratio']:.3f}x), warm workers {warm['wall']:.1f} s ({this['ratio_warm']:.3f}x); "
                  f"load {load_average()}", flush=True)
            for name, run in (("fresh", fresh), ("warm", warm)):
                print(f"  {name}: the cluster ran {run['cluster_tasks']} tasks ({run['cluster_compute']:.1f} s "
                      f"computing) of {run['recorded_tasks']} recorded; CPU {run['cpu']:.1f} s here + "
                      f"{run['workers_cpu']:.1f} s in the workers (local: {local['cpu']:.1f} s, and "
                      f"{local['idle_workers_cpu']:.1f} s in the idle workers meanwhile); peak memory "
                      f"{run['peak_rss'] / MiB:.0f} MiB with the workers (local: {local['peak_rss'] / MiB:.0f} MiB)",
                      flush=True)
            print("  CPU seconds of the tasks in their workers, by exporter: local / fresh / warm", flush=True)
            for name, seconds in local["tasks_cpu"].items():
                there = [run["tasks_cpu"].get(name, 0.0) for run in (fresh, warm)]
                print(f"    {name:8} {seconds:7.1f} / " + " / ".join(f"{cpu:7.1f} ({cpu / max(seconds, 1e-9):.2f}x)"
                                                             for cpu in there), flush=True)
        after = {name: listing(path) for name, path in dask.folders.items()}
        written = {name: sorted(set(after[name].items()) - set(before[name].items())) for name in after}
    finally:
        dask.close()
    ratio = statistics.median(r["ratio"] for r in rounds)
    ratio_warm = statistics.median(r["ratio_warm"] for r in rounds)
    everywhere = all(r[kind]["cluster_tasks"] >= r[kind]["recorded_tasks"]
                     for r in rounds for kind in ("fresh", "warm"))
    worker_writes = {name: entries for name, entries in written.items() if name != "scheduler" and entries}
    print(f"\ncluster / local pool, wall: fresh workers {ratio:.3f}x, warm workers {ratio_warm:.3f}x "
          f"(median of {len(rounds)}; target <= {TARGETS['cluster_wall']}x) "
          f"{'OK' if ratio <= TARGETS['cluster_wall'] else 'MISSES'}")
    print("every task ran on the cluster: "
          + ("yes" if everywhere else "NO (fewer tasks in Dask's stream than recorded)"))
    for kind, names in differ.items():
        print(f"outputs ({kind} workers): {files} files; "
              + ("byte-identical to the local build" if not names else f"{len(names)} DIFFER: {', '.join(names[:10])}"))
    print("workers' folders: " + ("nothing written" if not worker_writes else f"WRITTEN: {worker_writes}"))
    if written["scheduler"]:
        print(f"(the scheduler's folder got {[name for name, _ in written['scheduler']]})")
    return {"articles": args.articles, "rounds": rounds, "ratio": ratio, "ratio_warm": ratio_warm,
            "every_task_on_the_cluster": everywhere, "outputs": files, "differ": differ,
            "written_in_worker_folders": worker_writes, "written_in_scheduler_folder": written["scheduler"]}


def _count(items: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=lambda text: [int(n) for n in text.split(",")], default=[200, 1000, 2000],
                        help="corpus sizes, comma-separated (default 200,1000,2000)")
    parser.add_argument("--cluster", action="store_true", help="the cluster run instead of the scale run")
    parser.add_argument("--articles", type=int, default=200, help="corpus size of the cluster run")
    parser.add_argument("--rounds", type=int, default=1, help="measurements of each build (medians are shown)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes of local builds (publish's default)")
    parser.add_argument("--corpus", type=Path, default=None, help="generate (or reuse) the corpora here and keep them")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args()

    work = args.corpus or Path(tempfile.mkdtemp(prefix="publish-bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    env = environment()
    results: dict[str, Any] = {"machine": _machine(), "load_at_start": load_average(),
                               "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    print(f"{results['machine']}; load {results['load_at_start']}", flush=True)
    try:
        if args.cluster:
            results["cluster"] = cluster(args, work, env)
        else:
            results["scale"] = scale(args, work, env)
        results["load_at_end"] = load_average()
        print(f"load average at the end: {results['load_at_end']}")
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))
    finally:
        if args.corpus is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
