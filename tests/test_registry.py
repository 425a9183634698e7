"""Exporters are found through the publish.exporters entry-point group, third-party ones included."""

from __future__ import annotations

from pathlib import Path

from publish import registry
from tests.conftest import run_publish


def test_plugin_is_discovered_with_its_package(plugin_path: Path) -> None:
    found = registry.discover()
    entry = found["wordcount"]
    assert entry.exporter is not None and entry.exporter.name == "wordcount"
    assert entry.distribution == "publish-wordcount" and not entry.builtin


def test_broken_plugin_is_reported_not_raised(plugin_path: Path) -> None:
    entry = registry.discover()["missing"]
    assert entry.exporter is None
    assert entry.error is not None and "ModuleNotFoundError" in entry.error


def test_builtins_register_like_plugins() -> None:
    found = registry.discover()
    for name in ("feed", "pdf", "epub", "email"):
        assert name in found and found[name].builtin


def test_publish_exporters_lists_plugins(sample_site: Path, plugin_path: Path) -> None:
    result = run_publish(sample_site, "exporters")
    assert result.returncode == 0, result.stderr
    assert "wordcount" in result.stdout and "publish-wordcount" in result.stdout
    assert "missing" in result.stdout and "cannot be loaded" in result.stdout


def test_plugin_runs_in_publish_all(sample_site: Path, plugin_path: Path) -> None:
    result = run_publish(sample_site, "--jobs", "2", "all")
    out = sample_site / "output" / "wordcount"
    assert (out / "index.txt").read_text().count("\n") == 7
    from publish.config import load_config
    from publish.content.loader import load

    article = load(load_config(cwd=sample_site)).collection.get("the-measure-of-a-line")
    assert article is not None
    assert f"{article.word_count} words" in (out / "the-measure-of-a-line.txt").read_text()
    # the failing plugin is an error naming it; everything else was still written
    assert result.returncode == 1
    assert "broken" in result.stderr and "this exporter always fails" in result.stderr
    assert "skipping the missing exporter from publish-wordcount" in result.stderr
