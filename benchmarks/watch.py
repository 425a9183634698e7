"""Benchmark: the author's loop (issue 15), against the Pandoc+WeasyPrint loop of the same run.

Usage: python benchmarks/watch.py [--articles N] [--edits E] [--idle SECONDS] [--watch-only] [--json FILE]

On one generated corpus (benchmarks/corpus.py; default 42 articles), side by side:
  baseline  `pandoc post.md --pdf-engine=weasyprint -o post.pdf` per article, two at a time (run.py)
  cold      `publish all` into an empty output folder
  noop      `publish all` again, nothing changed: the first run after the build and the median of
            three more (all answered from the stamp the build left; stamp.py)
  edit      `publish all` after one edited paragraph: three runs, each after editing another
            article, the median reported; then three more handed to the build server (buildserver.py)
            that a terminal run starts (PUBLISH_SERVER=1 here, as the runs have no terminal)
  watch     `publish serve --watch`: after saving a new title, how long until the served rss.xml
            holds it, and until that article's served PDF changes (HEAD, ETag); E edits, each of
            another article, the first one after start reported apart
  idle      what the watching server's whole process tree (server, watchers, workers, Pandoc) uses
            over 30 s with nothing to do and no connection open: clock ticks, the scheduler's
            nanoseconds and wake-ups, summed over every thread; and how long Ctrl-C takes to stop it
Times are printed as ratios of the baseline measured in this run (the machine is shared and
noisy); the watch latencies also in seconds, since the issue states them so. Bytecode is written
and used (PYTHONDONTWRITEBYTECODE is unset for the measured runs), as after a pip install.
Never used in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import build_corpus
from run import _machine, baseline, timed

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    """What a process tree has used so far, summed over every thread of every process in it."""

    ticks: int              # utime + stime, in clock ticks (1/SC_CLK_TCK s: the kernel's accounting)
    cpu_ns: int             # time on a CPU from the scheduler (schedstat): nanoseconds, not ticks
    wakeups: int            # voluntary context switches: how often a thread went to sleep and woke again
    processes: int
    threads: int


def tree_pids(root: int) -> set[int]:
    """A process and all its descendants (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
    members, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in members:
                members.add(pid)
                frontier.append(pid)
    return members


def tree_usage(root: int) -> Usage:
    """CPU used so far by a process tree, per thread: ticks, scheduler nanoseconds and wake-ups."""
    ticks = cpu_ns = wakeups = processes = threads = 0
    for pid in tree_pids(root):
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        processes += 1
        for task in tasks:
            base = f"/proc/{pid}/task/{task}"
            try:
                fields = Path(f"{base}/stat").read_text().rsplit(")", 1)[1].split()
                status = Path(f"{base}/status").read_text()
                scheduled = Path(f"{base}/schedstat").read_text().split()
            except OSError:
                continue
            threads += 1
            ticks += int(fields[11]) + int(fields[12])
            cpu_ns += int(scheduled[0])
            wakeups += next(int(line.split()[1]) for line in status.splitlines()
                            if line.startswith("voluntary_ctxt_switches"))
    return Usage(ticks, cpu_ns, wakeups, processes, threads)


def measure_idle(pid: int, seconds: float) -> dict[str, float]:
    """What the watching server's whole tree uses over `seconds` with nothing to do."""
    before, start = tree_usage(pid), time.perf_counter()
    time.sleep(seconds)
    after, wall = tree_usage(pid), time.perf_counter() - start
    return {"seconds": wall, "ticks": after.ticks - before.ticks, "tick_seconds": 1 / TICKS,
            "cpu_seconds": (after.cpu_ns - before.cpu_ns) / 1e9, "wakeups": after.wakeups - before.wakeups,
            "share": (after.cpu_ns - before.cpu_ns) / 1e9 / wall, "processes": after.processes,
            "threads": after.threads}


class Watching:
    """A `publish serve --watch` process on the corpus."""

    def __init__(self, site: Path, env: dict[str, str]) -> None:
        import httpx

        started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-m", "publish", "serve", "--watch", "--port", "0"],
                                        cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.log: list[str] = []
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line.rstrip())
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if found:
                self.url = found.group(1)
                break
        else:
            raise SystemExit("the watching server did not start:\n" + "\n".join(self.log))
        self.ready = time.perf_counter() - started
        threading.Thread(target=self._drain, daemon=True).start()
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line.rstrip())

    def until(self, check, timeout: float = 120.0) -> float:  # type: ignore[no-untyped-def]
        """Seconds until `check()` is true, polling every 20 ms."""
        start = time.perf_counter()
        while not check():
            if time.perf_counter() - start > timeout:
                raise SystemExit("timed out waiting for the watching server:\n" + "\n".join(self.log[-20:]))
            time.sleep(0.02)
        return time.perf_counter() - start

    def stop(self) -> float:
        """Ctrl-C; the seconds until the process (server, watchers, workers) has exited."""
        start = time.perf_counter()
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)
        return time.perf_counter() - start


def edit_title(path: Path, title: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: .*$", f"title: '{title}'", text, count=1, flags=re.M), encoding="utf-8")


def measure_watch(site: Path, env: dict[str, str], edits: int, idle: float) -> dict[str, object]:
    server = Watching(site, env)
    articles = sorted((site / "content").glob("*.md"))
    feed, pdf = [], []
    try:
        for n in range(edits):
            article = articles[-1 - (n * 3) % min(15, len(articles))]   # among the newest: rss.xml lists them
            pdf_path = f"/pdf/{article.stem}.pdf"
            before = server.client.head(pdf_path).headers.get("etag")
            title = f"Edited while watching {n}"
            start = time.perf_counter()
            edit_title(article, title)
            server.until(lambda t=title: t in server.client.get("/rss.xml").text)
            feed.append(time.perf_counter() - start)
            server.until(lambda p=pdf_path, b=before: server.client.head(p).headers.get("etag") != b)
            pdf.append(time.perf_counter() - start)
            print(f"  edit {n + 1}: rss.xml {feed[-1]:.2f} s, PDF {pdf[-1]:.2f} s", flush=True)
            time.sleep(1.0)                      # let the build finish (landing pages, EPUB) before the next save
        server.client.close()                    # no open connection: nothing at all to do
        time.sleep(3.0)                          # the last build's EPUB and pages, then nothing
        idle_use = measure_idle(server.process.pid, idle)
    finally:
        stopped = server.stop()
    later = feed[1:] or feed
    return {"ready": server.ready, "feed": feed, "pdf": pdf, "feed_median": statistics.median(later),
            "pdf_median": statistics.median(pdf[1:] or pdf), "first_feed": feed[0], "first_pdf": pdf[0],
            "idle": idle_use, "stopped": stopped}


def report_watch(watch: dict[str, Any]) -> None:
    print(f"watch, seconds in this run: title -> rss.xml {watch['feed_median']:.2f} s (median), "
          f"-> PDF {watch['pdf_median']:.2f} s; first edit after start {watch['first_feed']:.2f} / "
          f"{watch['first_pdf']:.2f} s; server ready after {watch['ready']:.1f} s; "
          f"stopped {watch['stopped']:.2f} s after Ctrl-C")
    idle = watch["idle"]
    print(f"idle, {idle['seconds']:.1f} s with nothing to do ({idle['processes']} processes, "
          f"{idle['threads']} threads): "
          f"{idle['ticks']} clock ticks of {1000 * idle['tick_seconds']:.0f} ms, {1000 * idle['cpu_seconds']:.2f} ms "
          f"of CPU by the scheduler ({100 * idle['share']:.3f} % of one core), {idle['wakeups']} wake-ups")


def edit_and_run(article: Path, publish: list[str], site: Path, env: dict[str, str]) -> dict[str, Any]:
    """Add a paragraph to the article's body (after its front matter), then `publish all`."""
    text = article.read_text(encoding="utf-8")
    fence = text[:3] if text[:3] in ("---", "+++") else ""
    end = text.find("\n" + fence, 3) + len(fence) + 1 if fence else 0
    body = text[end:]
    if "\n\n" in body:
        edited = body.replace("\n\n", "\n\nAn edited paragraph.\n\n", 1)
    else:
        edited = body + "\n\nAn edited paragraph.\n"
    article.write_text(text[:end] + edited, encoding="utf-8")
    return timed([*publish, "all"], site, env)


def real_articles(site: Path, env: dict[str, str]) -> list[Path]:
    """The Markdown files of the articles `publish list` finds in a real site."""
    listed = subprocess.run([sys.executable, "-m", "publish", "list", "--json"], cwd=site, env=env,
                            capture_output=True, text=True, check=True)
    return [site / entry["source"] for entry in json.loads(listed.stdout) if entry.get("status") == "published"]


def wait_for_server(site: Path, timeout: float = 120.0) -> int:
    """The pid of the site's build server, once it listens (it warms up first)."""
    info = site / "output" / ".publish" / "server.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return int(json.loads(info.read_text())["pid"])
        except (OSError, ValueError, KeyError):
            time.sleep(0.2)
    raise SystemExit("the build server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=42)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of idle CPU measurement")
    parser.add_argument("--watch-only", action="store_true",
                        help="only `publish serve --watch` (the site is built first, untimed): no baseline, no ratios")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--site", type=Path, default=None,
                        help="a real site's folder (a blog export) instead of the generated corpus: copied, "
                             "measured without the watch part")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="publish-bench-watch-"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    publish = [sys.executable, "-m", "publish", "-q"]
    results: dict[str, object] = {"articles": args.articles, "machine": _machine()}
    try:
        if args.site is not None:
            site = work / "site"
            shutil.copytree(args.site, site, symlinks=True,
                            ignore=shutil.ignore_patterns("output", ".git", "node_modules", "_site", "resources"))
            articles = real_articles(site, env)
            args.articles = len(articles)
            print(f"site: {args.site} ({len(articles)} articles)", flush=True)
        else:
            site = build_corpus(work / "site", args.articles)
            articles = sorted((site / "content").glob("*.md"))
            print(f"corpus: {args.articles} articles in {site}", flush=True)
        if args.watch_only:
            timed([*publish, "all"], site, env)
            watch = measure_watch(site, env, args.edits, args.idle)
            results.update(watch=watch)
            report_watch(watch)
            if args.json:
                args.json.write_text(json.dumps(results, indent=2, default=str))
            return
        base = baseline(site, env, articles)
        print(f"baseline (pandoc+weasyprint, PDFs only): {base['wall']:.1f} s wall", flush=True)
        cold = timed([*publish, "all"], site, env)
        # The build leaves the stamp (its inputs are older than 2 s: the baseline wrote beside the
        # site); "no-op" is the median of three runs after the first.
        first_noop = timed([*publish, "all"], site, env)
        stamped = [timed([*publish, "all"], site, env) for _ in range(3)]
        noop = sorted(stamped, key=lambda run: run["wall"])[1]
        # Three edits, each of another article, each saved just before its run; the median is reported.
        # First in a fresh process each (no build server), then as an author's terminal gets them:
        # handed to the build server that the first of those runs starts (buildserver.py).
        pick = [articles[(args.articles // 2 + n) % len(articles)] for n in range(7)]
        alone = {**env, "PUBLISH_SERVER": "0"}
        edits = [edit_and_run(pick[n], publish, site, alone) for n in range(3)]
        edit = sorted(edits, key=lambda run: run["wall"])[1]
        served_env = {**env, "PUBLISH_SERVER": "1"}
        edit_and_run(pick[3], publish, site, served_env)      # starts the server
        server = wait_for_server(site)
        served_runs = [edit_and_run(pick[4 + n], publish, site, served_env) for n in range(3)]
        os.kill(server, signal.SIGTERM)
        served = sorted(served_runs, key=lambda run: run["wall"])[1]
        walls = ", ".join(f"{run['wall']:.2f}" for run in edits)
        served_walls = ", ".join(f"{run['wall']:.2f}" for run in served_runs)
        print(f"publish all: cold {cold['wall']:.2f} s, first no-op {first_noop['wall']:.2f} s, no-op "
              f"{noop['wall']:.2f} s, one edit {edit['wall']:.2f} s (median of {walls}); on the build server "
              f"{served['wall']:.2f} s (median of {served_walls})", flush=True)
        if args.site is not None:
            ratios = {"cold / baseline": cold["wall"] / base["wall"],
                      "first no-op after a build / baseline": first_noop["wall"] / base["wall"],
                      "noop / baseline": noop["wall"] / base["wall"], "edit / baseline": edit["wall"] / base["wall"],
                      "edit on the build server / baseline": served["wall"] / base["wall"]}
            results.update(baseline=base, cold=cold, noop=noop, edit=edit, served_edit=served, ratios=ratios)
            print("\nratios (lower is better):")
            for name, value in ratios.items():
                print(f"  {name:45} {value:6.3f}")
            if args.json:
                args.json.write_text(json.dumps(results, indent=2, default=str))
            return
        watch = measure_watch(site, env, args.edits, args.idle)
        per_pdf = base["wall"] / args.articles
        ratios = {"cold / baseline": cold["wall"] / base["wall"],
                  "first no-op after a build / baseline": first_noop["wall"] / base["wall"],
                  "noop / baseline": noop["wall"] / base["wall"],
                  "edit / baseline": edit["wall"] / base["wall"],
                  "edit on the build server / baseline": served["wall"] / base["wall"],
                  "watch: title -> rss.xml / baseline per PDF": watch["feed_median"] / per_pdf,  # type: ignore[operator]
                  "watch: title -> PDF / baseline per PDF": watch["pdf_median"] / per_pdf}  # type: ignore[operator]
        results.update(baseline=base, cold=cold, first_noop=first_noop, noop=noop, edit=edit, edits=edits,
                       served_edit=served, served_edits=served_runs, watch=watch,
                       ratios=ratios)
        print("\nratios (lower is better):")
        for name, value in ratios.items():
            print(f"  {name:45} {value:6.3f}")
        report_watch(watch)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
