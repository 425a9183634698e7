"""Benchmark: `publish all` against the obvious Pandoc+WeasyPrint loop, in the same run.

Usage: python benchmarks/run.py [--articles N] [--rounds R] [--jobs J] [--keep DIR] [--json FILE]

Measures, side by side on one generated corpus (benchmarks/corpus.py):
  baseline  `pandoc post.md --pdf-engine=weasyprint -o post.pdf`, one process per article, two at a time
  cold      `publish all` into an empty output folder (feeds + PDFs + EPUB + emails)
  noop      `publish all` again, nothing changed
  edit      `publish all` after editing one article
  memory    peak resident memory of the `publish all` process tree, at N/2 and N articles
and prints the ratios the project targets (docs/performance.md). Never used in tests: the machines
are shared and noisy, so only ratios measured in one run mean anything.

The speed of a shared machine drifts by 20-50 % over minutes, and a slow spell slows the cold
build (two workers with large heaps) more than the baseline (short processes). So the baseline and
the cold build are measured in alternating rounds (baseline, cold, baseline, cold, ...; --rounds,
default 3), and the cold ratio is the median of the rounds' ratios: one disturbed round does not
decide it. The ratio of the summed times and every round's own ratio are printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import build_corpus
from proctree import TreeMemory

TARGETS = {"cold / baseline": 0.35, "noop / cold": 0.03, "edit / cold": 0.15}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    out, err = proc.communicate()
    peak = memory.stop()
    wall = time.perf_counter() - start
    if proc.returncode not in (0,):
        print(err[-2000:], file=sys.stderr)
        raise SystemExit(f"{' '.join(cmd)} failed with {proc.returncode}")
    return {"wall": wall, "cpu": _children_cpu() - cpu, "peak_rss": peak, "summary": out.strip().splitlines()[-1:]}


def baseline(site: Path, env: dict[str, str], articles: list[Path] | None = None) -> dict[str, float]:
    """What a user would script: one pandoc+weasyprint process per article, two at a time
    (`articles`: the Markdown files of a real site, each with its own folder for images)."""
    import pypandoc

    from publish.content.markdown import pandoc_path

    pandoc_path()
    pandoc = os.environ.get("PYPANDOC_PANDOC") or pypandoc.get_pandoc_path()
    out = site.parent / f"{site.name}-baseline"     # beside the site: its files are not the site's
    out.mkdir(exist_ok=True)
    public = site / "content" / "public"
    listed = articles if articles is not None else sorted((site / "content").glob("*.md"))

    def one(article: Path) -> None:
        folders = os.pathsep.join(str(f) for f in (article.parent, public, site / "static", site / "public")
                                  if f.is_dir())
        name = "-".join(article.relative_to(site).with_suffix("").parts)
        subprocess.run([pandoc, str(article), "--pdf-engine=weasyprint", f"--resource-path={folders}",
                        "-o", str(out / (name + ".pdf"))], cwd=article.parent, env=env, check=True,
                       capture_output=True)

    cpu = _children_cpu()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, listed))
    return {"wall": time.perf_counter() - start, "cpu": _children_cpu() - cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=int(os.environ.get("BENCH_ARTICLES", "200")))
    parser.add_argument("--rounds", type=int, default=3, help="baseline/cold rounds, alternating")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="build the corpus here and keep it")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="publish-bench-"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    publish = [sys.executable, "-m", "publish", "-q"] + (["--jobs", str(args.jobs)] if args.jobs else [])
    results: dict[str, object] = {"articles": args.articles, "machine": _machine()}
    try:
        half = build_corpus(work / "half", max(1, args.articles // 2))
        site = build_corpus(work / "full", args.articles)
        print(f"corpus: {args.articles} articles in {site}", flush=True)

        rounds = []
        for number in range(1, args.rounds + 1):
            shutil.rmtree(site / "output", ignore_errors=True)
            shutil.rmtree(site.parent / f"{site.name}-baseline", ignore_errors=True)
            base = baseline(site, env)
            print(f"round {number}: baseline (pandoc+weasyprint, PDFs only) {base['wall']:.1f} s wall, "
                  f"{base['cpu']:.1f} s CPU", flush=True)
            cold = timed([*publish, "all"], site, env)
            print(f"round {number}: cold publish all {cold['wall']:.1f} s wall, {cold['cpu']:.1f} s CPU, "
                  f"peak {cold['peak_rss'] / 2**20:.0f} MiB  (ratio {cold['wall'] / base['wall']:.3f})", flush=True)
            rounds.append({"baseline": base, "cold": cold})
        results["rounds"] = rounds
        base = {key: sum(r["baseline"][key] for r in rounds) for key in ("wall", "cpu")}
        cold = {key: sum(r["cold"][key] for r in rounds) for key in ("wall", "cpu")}
        cold["peak_rss"] = max(r["cold"]["peak_rss"] for r in rounds)
        last_cold = rounds[-1]["cold"]["wall"]
        results["noop"] = noop = timed([*publish, "all"], site, env)
        print(f"no-op publish all: {noop['wall']:.2f} s wall", flush=True)
        edited = sorted((site / "content").glob("*.md"))[len(list((site / 'content').glob('*.md'))) // 2]
        edited.write_text(edited.read_text().replace("\n\n", "\n\nAn edited paragraph.\n\n", 1))
        results["edit"] = edit = timed([*publish, "all"], site, env)
        print(f"one edited article: {edit['wall']:.2f} s wall", flush=True)
        results["half_cold"] = half_cold = timed([*publish, "all"], half, env)

        per_round = sorted(r["cold"]["wall"] / r["baseline"]["wall"] for r in rounds)
        per_round_cpu = sorted(r["cold"]["cpu"] / r["baseline"]["cpu"] for r in rounds)
        ratios = {
            "cold / baseline": statistics.median(per_round),
            "cold / baseline (CPU)": statistics.median(per_round_cpu),
            "cold / baseline (summed)": cold["wall"] / base["wall"],
            "noop / cold": noop["wall"] / last_cold,
            "edit / cold": edit["wall"] / last_cold,
            "peak memory N / N/2": cold["peak_rss"] / max(1, half_cold["peak_rss"]),
        }
        results["ratios"] = ratios
        print(f"\ncold / baseline per round: {', '.join(f'{r:.3f}' for r in per_round)} (median is the ratio)")
        print("ratios (lower is better; targets from issue 8):")
        for name, value in ratios.items():
            target = TARGETS.get(name)
            verdict = "" if target is None else ("  OK" if value <= target else f"  MISSES target {target}")
            print(f"  {name:28} {value:6.3f}{verdict}")
        print(f"  peak memory at N={args.articles}: {cold['peak_rss'] / 2**20:.0f} MiB "
              f"(N/2: {half_cold['peak_rss'] / 2**20:.0f} MiB; target < 1024 MiB and growing slower than N)")
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{platform.machine()}, {cpus} cores, Python {platform.python_version()}, {platform.platform()}"


if __name__ == "__main__":
    main()
