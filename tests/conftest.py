"""Shared fixtures: real sample sites copied into a temporary folder, and the CLI as users run it."""

from __future__ import annotations

import contextlib
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

from publish import config as publish_config

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "000_d4a76e38d05d7777.txt"
PLUGINS = Path(__file__).parent / "plugins"
JUDGE = REPO.parent / "shared" / "tools" / "judge.py"
VALIDATORS = Path(os.environ.get("VALIDATORS_HOME")
                  or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "publish-validators")
# The workplace's validator kit (Nu checker, Ace, caniemail...) is an extra on top of the project's own
# validators; tests that use it run where it is installed (bash ../shared/tools/setup-validators.sh).
needs_judge = pytest.mark.skipif(
    not (JUDGE.exists() and (VALIDATORS / "venv" / "bin" / "python").exists()
         and (VALIDATORS / "node" / "node_modules" / "vnu-jar").exists()),
    reason="the validator kit is not installed (bash ../shared/tools/setup-validators.sh)")


def load_config(*args: Any, **kwargs: Any) -> publish_config.Config:
    """`publish.config.load_config` as the CLI calls it: with the settings every installed exporter
    declares ([feed], [pdf], [epub], [email] and the plugins' sections)."""
    from publish import registry

    kwargs.setdefault("exporters", registry.settings_classes())
    return publish_config.load_config(*args, **kwargs)


def copy_sample(target: Path) -> Path:
    """A copy of the bundled sample site (content/ + publish.toml) at `target`."""
    shutil.copytree(REPO / "content", target / "content")
    shutil.copy(REPO / "publish.toml", target / "publish.toml")
    return target


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "site")


@pytest.fixture
def seed_site(tmp_path: Path) -> Path:
    """A site holding only the seed article, loaded from ../shared/seeds as the product's reference."""
    if not SEED.exists():
        pytest.skip("the seed article (../shared/seeds) is not beside this checkout")
    site = tmp_path / "seed"
    (site / "content" / "public").mkdir(parents=True)
    shutil.copy(SEED, site / "content" / "generative-ai.md")
    shutil.copy(REPO / "content" / "public" / "generativeai.webp", site / "content" / "public")
    (site / "publish.toml").write_text('[site]\ntitle = "Seed"\nbase_url = "https://seed.example"\n')
    return site


def write_article(site: Path, name: str, text: str) -> Path:
    path = site / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# A short article with one tag: `NOTE.format(title=..., date=...)`; its paragraph says "long enough",
# which `edit_note` replaces.
NOTE = """---
title: {title}
excerpt: A short note.
publishDate: {date}
tags: [Notes]
---

A paragraph about {title}, long enough to be a paragraph.
"""


def edit_note(site: Path, name: str, text: str) -> None:
    """Edit the paragraph of a NOTE article (content/<name>): "long enough" becomes `text`."""
    path = site / "content" / name
    path.write_text(path.read_text(encoding="utf-8").replace("long enough", text), encoding="utf-8")


def run_publish(site: Path, *args: str, env: dict[str, str] | None = None,
                timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`publish ...` as a real subprocess, in `site`, like a user in a terminal."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "publish", *args], cwd=site, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def plugin_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Puts tests/plugins (a dummy exporter package with its dist-info) on sys.path and PYTHONPATH."""
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(PLUGINS), os.environ.get("PYTHONPATH")])))
    import importlib

    from publish import registry

    importlib.invalidate_caches()
    registry.forget()
    yield PLUGINS
    registry.forget()


@contextlib.contextmanager
def serving(site: Path, *args: str, options: tuple[str, ...] = ()) -> Iterator[tuple[str, Path]]:
    """`publish [options] serve [args]` as a real subprocess on a free port of 127.0.0.1, until the
    block ends; yields its base URL and its log file."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    log = site / f"serve-{port}.log"
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen([sys.executable, "-m", "publish", *options, "serve", "--port", str(port), *args],
                                   cwd=site, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"publish serve did not start: {log.read_text()}") from None
                time.sleep(0.1)
        yield url, log
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
