"""Benchmark: the author's loop (issue 15), against the Pandoc+WeasyPrint loop of the same run.

Usage: python benchmarks/watch.py [--articles N] [--edits E] [--idle SECONDS] [--json FILE]

On one generated corpus (benchmarks/corpus.py; default 42 articles), side by side:
  baseline  `pandoc post.md --pdf-engine=weasyprint -o post.pdf` per article, two at a time (run.py)
  cold      `publish all` into an empty output folder
  noop      `publish all` again, nothing changed
  edit      `publish all` after one edited paragraph
  watch     `publish serve --watch`: after saving a new title, how long until the served rss.xml
            holds it, and until that article's served PDF changes (HEAD, ETag); E edits, each of
            another article, the first one after start reported apart
  idle      CPU used by the watching server and its workers while nothing changes
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import build_corpus
from run import _machine, baseline, timed

TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by a process and all its descendants (from /proc)."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / TICKS
    members, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in members:
                members.add(pid)
                frontier.append(pid)
    return sum(cpu.get(pid, 0.0) for pid in members)


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

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)


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
        time.sleep(2.0)
        cpu_before, start = tree_cpu(server.process.pid), time.perf_counter()
        time.sleep(idle)
        idle_cpu = (tree_cpu(server.process.pid) - cpu_before) / (time.perf_counter() - start)
    finally:
        server.stop()
    later = feed[1:] or feed
    return {"ready": server.ready, "feed": feed, "pdf": pdf, "feed_median": statistics.median(later),
            "pdf_median": statistics.median(pdf[1:] or pdf), "first_feed": feed[0], "first_pdf": pdf[0],
            "idle_cpu": idle_cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=42)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU measurement")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="publish-bench-watch-"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    publish = [sys.executable, "-m", "publish", "-q"]
    results: dict[str, object] = {"articles": args.articles, "machine": _machine()}
    try:
        site = build_corpus(work / "site", args.articles)
        print(f"corpus: {args.articles} articles in {site}", flush=True)
        base = baseline(site, env)
        print(f"baseline (pandoc+weasyprint, PDFs only): {base['wall']:.1f} s wall", flush=True)
        cold = timed([*publish, "all"], site, env)
        noop = timed([*publish, "all"], site, env)
        edited = sorted((site / "content").glob("*.md"))[args.articles // 2]
        edited.write_text(edited.read_text().replace("\n\n", "\n\nAn edited paragraph.\n\n", 1))
        edit = timed([*publish, "all"], site, env)
        print(f"publish all: cold {cold['wall']:.2f} s, no-op {noop['wall']:.2f} s, one edit {edit['wall']:.2f} s",
              flush=True)
        watch = measure_watch(site, env, args.edits, args.idle)
        per_pdf = base["wall"] / args.articles
        ratios = {"cold / baseline": cold["wall"] / base["wall"], "noop / baseline": noop["wall"] / base["wall"],
                  "edit / baseline": edit["wall"] / base["wall"],
                  "watch: title -> rss.xml / baseline per PDF": watch["feed_median"] / per_pdf,  # type: ignore[operator]
                  "watch: title -> PDF / baseline per PDF": watch["pdf_median"] / per_pdf}  # type: ignore[operator]
        results.update(baseline=base, cold=cold, noop=noop, edit=edit, watch=watch, ratios=ratios)
        print("\nratios (lower is better):")
        for name, value in ratios.items():
            print(f"  {name:45} {value:6.3f}")
        print(f"watch, seconds in this run: title -> rss.xml {watch['feed_median']:.2f} s (median), "
              f"-> PDF {watch['pdf_median']:.2f} s; first edit after start {watch['first_feed']:.2f} / "
              f"{watch['first_pdf']:.2f} s; server ready after {watch['ready']:.1f} s")
        print(f"idle: {100 * watch['idle_cpu']:.2f} % of one core (server and workers)")  # type: ignore[operator]
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
