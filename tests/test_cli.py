"""The CLI through Typer's runner and as a real subprocess, as users run it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from publish import __version__
from publish.cli import app
from tests.conftest import run_publish, write_article

COMMANDS = ("all", "pdf", "epub", "feed", "email", "check", "list", "serve", "exporters")
runner = CliRunner()


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
    for option in ("--config", "--content", "--output", "--public", "--theme", "--jobs", "--drafts", "--future",
                   "--verbose", "--quiet", "--version"):
        assert option in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_list_shows_the_sample_articles(sample_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(sample_site)
    result = runner.invoke(app, ["list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "the-measure-of-a-line" in result.output and "The Measure of a Line" in result.output
    assert "2024-03-03" in result.output
    draft_line = next(line for line in result.output.splitlines() if "newsletters-without-the-noise" in line)
    assert "draft" in draft_line


def test_check_is_clean_and_writes_nothing(sample_site: Path) -> None:
    result = run_publish(sample_site, "check")
    assert result.returncode == 0, result.stderr
    assert "0 error(s)" in result.stdout
    assert not (sample_site / "output").exists()


def test_check_lists_every_problem(sample_site: Path) -> None:
    write_article(sample_site, "no-title.md", "---\npublishDate: 'Feb 18 2024'\n---\nBody\n")
    write_article(sample_site, "feb-30.md", "---\ntitle: T\npublishDate: 'Feb 30 2024'\n---\nBody\n")
    (sample_site / "content" / "empty.md").write_text("")
    result = run_publish(sample_site, "check")
    assert result.returncode == 1
    for name, problem in (("no-title.md", "missing title"), ("feb-30.md", "not a real date"), ("empty.md", "empty")):
        line = next(line for line in result.stderr.splitlines() if name in line)
        assert problem in line
    assert "3 error(s)" in result.stdout
    assert not (sample_site / "output").exists()


def test_configuration_error_exits_2_naming_the_key(sample_site: Path) -> None:
    (sample_site / "publish.toml").write_text('[site]\ntitel = "x"\n')
    for command in ("all", "check", "list"):
        result = run_publish(sample_site, command)
        assert result.returncode == 2, (command, result.stderr)
        assert "site.titel" in result.stderr and "did you mean 'title'" in result.stderr


def test_usage_errors_exit_2(sample_site: Path) -> None:
    assert run_publish(sample_site, "pdf").returncode == 2
    assert run_publish(sample_site, "email").returncode == 2
    assert run_publish(sample_site, "--jobs", "0", "all").returncode == 2
    assert run_publish(sample_site, "nonsense").returncode == 2


def test_global_options_and_environment(sample_site: Path, tmp_path: Path) -> None:
    moved = tmp_path / "posts"
    (sample_site / "content").rename(moved)
    result = run_publish(sample_site, "--content", str(moved), "--drafts", "list", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "the-measure-of-a-line" in result.stdout
    env_result = run_publish(sample_site, "list", env={"PUBLISH_CONTENT": str(moved), "COLUMNS": "200"})
    assert env_result.returncode == 0 and "the-measure-of-a-line" in env_result.stdout
    missing = run_publish(sample_site, "list")
    assert missing.returncode == 2 and "content folder not found" in missing.stderr


def test_bad_article_exit_1_and_the_rest_published(sample_site: Path, plugin_path: Path) -> None:
    write_article(sample_site, "broken.md", "---\ntitle: [unclosed\n---\nBody\n")
    result = run_publish(sample_site, "--output", "out", "all")
    assert result.returncode == 1
    assert "broken.md" in result.stderr and "not valid YAML" in result.stderr
    assert (sample_site / "out" / "wordcount" / "the-measure-of-a-line.txt").exists()
    assert "7 article(s)" in result.stdout and "error(s)" in result.stdout
