"""Exporters are found through the publish.exporters entry-point group, third-party ones included."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def test_builtins_preload_without_a_build() -> None:
    """What a cluster worker loads as it joins: each built-in's `imports`, all importable, with
    no build's context; the PDF exporter's includes WeasyPrint."""
    import subprocess
    import sys

    code = ("import sys; from publish import registry\n"
            "for name, entry in sorted(registry.discover().items()):\n"
            "    if entry.builtin: entry.exporter.preload()\n"
            "print(sorted(m for m in ('weasyprint', 'feedgen.feed', 'publish.exporters.epub.book',"
            " 'publish.exporters.email.html', 'publish.exporters.site.render') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == str(sorted(("weasyprint", "feedgen.feed", "publish.exporters.epub.book",
                                                "publish.exporters.email.html", "publish.exporters.site.render")))
    for name in ("feed", "pdf", "epub", "email", "landing"):
        exporter = registry.find(name).exporter  # type: ignore[union-attr]
        assert exporter is not None and exporter.imports, name


def test_publish_exporters_lists_plugins(sample_site: Path, plugin_path: Path) -> None:
    result = run_publish(sample_site, "exporters")
    assert result.returncode == 0, result.stderr
    assert "wordcount" in result.stdout and "publish-wordcount" in result.stdout
    assert "missing" in result.stdout and "cannot be loaded" in result.stdout


def test_plugin_runs_in_publish_all(sample_site: Path, plugin_path: Path) -> None:
    result = run_publish(sample_site, "--jobs", "2", "all")
    out = sample_site / "output" / "wordcount"
    assert (out / "index.txt").read_text().count("\n") == 7
    from publish.content.loader import load
    from tests.conftest import load_config

    article = load(load_config(cwd=sample_site)).collection.get("the-measure-of-a-line")
    assert article is not None
    assert f"{article.word_count} words" in (out / "the-measure-of-a-line.txt").read_text()
    # the failing plugin is an error naming it; everything else was still written
    assert result.returncode == 1
    assert "broken" in result.stderr and "this exporter always fails" in result.stderr
    assert "skipping the missing exporter from publish-wordcount" in result.stderr


def test_publish_build_runs_a_plugin_with_its_settings(sample_site: Path, plugin_path: Path) -> None:
    toml = sample_site / "publish.toml"
    toml.write_text(toml.read_text() + '\n[wordcount]\nlabel = "mots"\n')
    result = run_publish(sample_site, "--jobs", "2", "build", "wordcount")
    assert result.returncode == 0, result.stderr
    text = (sample_site / "output" / "wordcount" / "the-measure-of-a-line.txt").read_text()
    assert text.splitlines()[1].endswith(" mots")
    assert not (sample_site / "output" / "pdf").exists()          # only the exporter it was asked for


@pytest.mark.parametrize(("table", "expected"), [
    ('lable = "mots"', "unknown key 'wordcount.lable' (did you mean 'label'?)"),
    ("short = 'many'", "wordcount.short: expected an integer, got a string"),
    ("short = -1", "wordcount.short: must not be negative"),
])
def test_a_plugin_setting_is_checked_like_publishs_own(sample_site: Path, plugin_path: Path, table: str,
                                                       expected: str) -> None:
    toml = sample_site / "publish.toml"
    toml.write_text(toml.read_text() + f"\n[wordcount]\n{table}\n")
    for command in (("build", "wordcount"), ("all",), ("list",)):
        result = run_publish(sample_site, *command)
        assert result.returncode == 2, (command, result.stderr)
        assert expected in result.stderr and "publish.toml" in result.stderr
    assert not (sample_site / "output").exists()


def test_a_section_of_an_exporter_not_installed_is_an_error(sample_site: Path) -> None:
    toml = sample_site / "publish.toml"
    toml.write_text(toml.read_text() + '\n[wordcount]\nlabel = "mots"\n')
    result = run_publish(sample_site, "all")
    assert result.returncode == 2 and "unknown section 'wordcount'" in result.stderr


# --- a plugin that takes a built-in's name -----------------------------------------------------------

SHADOW = """
from dataclasses import dataclass

from publish.exporters.base import Exporter


class ShadowPdf(Exporter):
    name = "pdf"
    description = "would replace the built-in PDFs"

    def plan(self, ctx):
        raise AssertionError("never used: the built-in pdf exporter wins")

    def render(self, ctx, task):
        return []


class NotADataclass:
    pass


class OddSettings(Exporter):
    name = "odd"
    description = "declares settings that are not a dataclass"
    settings = NotADataclass

    def plan(self, ctx):
        return []

    def render(self, ctx, task):
        return []
"""


@pytest.fixture
def shadow_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A package 'publish-shadow' registering 'pdf' (a built-in's name) and a badly declared exporter."""
    folder = tmp_path / "shadow"
    (folder / "publish_shadow").mkdir(parents=True)
    (folder / "publish_shadow" / "__init__.py").write_text(SHADOW)
    info = folder / "publish_shadow-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: publish-shadow\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[publish.exporters]\npdf = publish_shadow:ShadowPdf\n"
                                           "odd = publish_shadow:OddSettings\n")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])))
    registry.forget()
    yield folder
    registry.forget()


def test_the_built_in_wins_over_a_plugin_of_the_same_name(shadow_path: Path) -> None:
    entry = registry.find("pdf")
    assert entry is not None and entry.builtin and entry.shadowed == ("publish-shadow",)
    from publish.exporters.pdf import PdfExporter

    assert entry.exporter is PdfExporter
    (message,) = registry.conflicts()
    assert "publish-shadow registers an exporter named 'pdf'" in message and "the one from publish" in message


def test_the_shadowing_plugin_is_named_once_in_a_build(sample_site: Path, shadow_path: Path) -> None:
    result = run_publish(sample_site, "build", "feed")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "publish-shadow" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning:") and "built-in exporters always win" in warnings[0]


def test_publish_exporters_names_the_plugin_that_is_not_used(sample_site: Path, shadow_path: Path) -> None:
    result = run_publish(sample_site, "exporters", env={"COLUMNS": "250"})
    assert result.returncode == 0 and "publish-shadow registers an exporter named 'pdf'" in result.stderr
    assert "declares settings that are not a dataclass" in result.stdout


def test_settings_that_are_not_a_dataclass_are_a_broken_plugin(shadow_path: Path) -> None:
    entry = registry.find("odd")
    assert entry is not None and entry.exporter is None
    assert entry.error == "declares settings that are not a dataclass"
