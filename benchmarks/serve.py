"""Benchmark: `publish serve` against nginx, serving the same output/ in the same run.

Usage: python benchmarks/serve.py [--articles N] [--duration S] [--workers W] [--json FILE]

Builds the feeds of a generated corpus (benchmarks/corpus.py, default 42 articles: `publish feed`
writes the feeds and their precompressed siblings), then measures with `wrk` (2 threads,
50 connections, --duration seconds each), one server at a time on 127.0.0.1:
  gzip      GET /rss.xml with Accept-Encoding: gzip (a feed reader's poll)
  304       the same request with If-None-Match: the ETag the server sent (a poll with nothing new)
  crowd     the gzip request from 500 connections: any socket error or non-2xx/3xx answer counts
against nginx with one worker process, twice: compressing per request (`gzip on`, as most
hosts are configured) and sending the precompressed siblings publish writes (`gzip_static on`).
Ratios are nginx's requests/s over publish's (lower is better; targets from issue 17: 4× for
gzipped feeds, 25× for 304s, 0 errors at 500 connections). Never used in tests: the machines are
shared and noisy, so only ratios measured in one run mean anything. Needs `wrk`; without nginx
only publish's own figures are printed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import build_corpus

TARGETS = {"gzip": 4.0, "304": 25.0}
NGINX_CONF = """
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log error;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    types {{ application/rss+xml xml; }}
    client_body_temp_path {work}/tmp; proxy_temp_path {work}/tmp; fastcgi_temp_path {work}/tmp;
    uwsgi_temp_path {work}/tmp; scgi_temp_path {work}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        {compression}
    }}
}}
"""
COMPRESSION = {
    "gzip on": "gzip on; gzip_types application/rss+xml; gzip_min_length 500;",
    "gzip_static on": "gzip_static on; gzip_vary on;",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answered on port {port} within {timeout:.0f} s")


def etag(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    response.read()
    value = response.getheader("ETag") or ""
    encoding = response.getheader("Content-Encoding")
    connection.close()
    if response.status != 200 or encoding != "gzip" or not value:
        raise SystemExit(f"port {port}: GET {path} gave {response.status}, encoding {encoding}, ETag {value!r}")
    return value


def wrk(port: int, path: str, duration: int, connections: int, headers: dict[str, str]) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": rate, "median_ms": float(median.group(1)) * scale[median.group(2)] if median else 0.0,
            "errors": errors + (int(bad.group(1)) if bad else 0)}


def measure(name: str, port: int, path: str, duration: int) -> dict[str, dict[str, float]]:
    gzip = {"Accept-Encoding": "gzip"}
    tag = etag(port, path)
    runs = {
        "gzip": wrk(port, path, duration, 50, gzip),
        "304": wrk(port, path, duration, 50, {**gzip, "If-None-Match": tag}),
        "crowd": wrk(port, path, duration, 500, gzip),
    }
    for kind, run in runs.items():
        print(f"{name:28} {kind:6} {run['rate']:10.0f} req/s   median {run['median_ms']:7.2f} ms   "
              f"errors {run['errors']:.0f}", flush=True)
    return runs


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=42)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--workers", type=int, default=None, help="publish serve --workers (default: its own)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    work = Path(tempfile.mkdtemp(prefix="publish-serve-bench-"))
    work.chmod(0o755)                  # nginx started by root reads output/ as its unprivileged worker user
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    results: dict[str, object] = {"articles": args.articles, "duration": args.duration}
    try:
        site = build_corpus(work / "site", args.articles)
        subprocess.run([sys.executable, "-m", "publish", "-q", "feed"], cwd=site, env=env, check=True)
        feed = site / "output" / "rss.xml"
        print(f"rss.xml: {feed.stat().st_size / 1024:.0f} KiB, {args.articles} articles in the corpus", flush=True)

        port = free_port()
        workers = ["--workers", str(args.workers)] if args.workers else []
        server = subprocess.Popen([sys.executable, "-m", "publish", "serve", "--port", str(port), *workers],
                                  cwd=site, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(port)
            results["publish serve"] = measure("publish serve", port, "/rss.xml", args.duration)
        finally:
            stop(server)

        nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
        if nginx is None:
            print("nginx is not installed: no baseline (Debian: apt-get install nginx-light)")
        for label, compression in COMPRESSION.items() if nginx else ():
            port = free_port()
            conf = work / "nginx.conf"
            (work / "tmp").mkdir(exist_ok=True)
            conf.write_text(NGINX_CONF.format(work=work, port=port, root=site / "output", compression=compression))
            server = subprocess.Popen([nginx, "-p", str(work), "-c", str(conf), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_for(port)
                results[f"nginx, {label}"] = measure(f"nginx (1 worker), {label}", port, "/rss.xml", args.duration)
            finally:
                server.terminate()
                server.wait()

        ours = results["publish serve"]
        assert isinstance(ours, dict)
        print("\nnginx / publish serve, requests/s (lower is better):")
        for label in COMPRESSION:
            theirs = results.get(f"nginx, {label}")
            if not isinstance(theirs, dict):
                continue
            for kind in ("gzip", "304"):
                ratio = theirs[kind]["rate"] / ours[kind]["rate"]
                target = TARGETS[kind]
                verdict = "OK" if ratio <= target else f"MISSES target {target:g}x"
                print(f"  {kind:5} vs nginx {label:15} {ratio:6.2f}x  {verdict}")
        print(f"  errors at 500 connections: publish serve {ours['crowd']['errors']:.0f}")
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
