"""The CLI through Typer's runner and as a real subprocess, as users run it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from publish import __version__
from publish.cli import app
from tests.conftest import run_publish, write_article

COMMANDS = ("all", "pdf", "epub", "feed", "email", "check", "list", "serve", "exporters", "ping")
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


# ---------------------------------------------------------------------------------------------
# Help that reads like a command line tool's

PYTHON_TYPES = ("<bool>", "<int", "<str>", "<path>", "<float", "list[", "[0<=x", "[x>=", "[x<=", "range]")


def _every_command() -> list[list[str]]:
    import typer.main

    group = typer.main.get_command(app)
    return [[]] + [[name] for name in group.commands]  # type: ignore[attr-defined]


@pytest.mark.parametrize("columns", ["200", "60"])
def test_help_shows_no_python_types(columns: str) -> None:
    for command in _every_command():
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": columns})
        assert result.exit_code == 0, command
        found = [t for t in PYTHON_TYPES if t in result.output]
        assert found == [], (command, found, result.output)


def test_help_names_values_plainly() -> None:
    def help_of(*command: str) -> str:
        return runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"}).output

    assert "[SLUG…]" in help_of("pdf") and "[SLUG…]" in help_of("email") and "NAME…" in help_of("build")
    serve = help_of("serve")
    assert re.search(r"--port\s+PORT\s", serve) and "0 picks a free port" in serve
    assert re.search(r"--jobs\s+-j\s+N\s", help_of())
    assert re.search(r"--limit\s+N\s", help_of("email"))
    assert re.search(r"--since\s+DATE\s", help_of("epub")) and re.search(r"-o\s+FILE\s", help_of("epub"))
    assert re.search(r"--force\s+Rebuild", help_of("all"))          # a flag: no value shown


def test_out_of_range_numbers_are_usage_errors(sample_site: Path) -> None:
    for args in (["--jobs", "0", "list"], ["serve", "--port", "70000"], ["email", "--digest", "--limit", "0"]):
        result = run_publish(sample_site, *args)
        assert result.returncode == 2 and "at least" in result.stderr, (args, result.stderr)
    assert not (sample_site / "output").exists()


# ---------------------------------------------------------------------------------------------
# Mistakes exit 2, name the thing, suggest the fix, and leave nothing behind

def _files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))


def _mistake(site: Path, *args: str) -> str:
    before = _files(site)
    result = run_publish(site, *args)
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert _files(site) == before, "the mistake created files"
    assert not (site / "output").exists()
    return " ".join(result.stderr.split())


def test_missing_content_folder_suggests_the_nearest(sample_site: Path) -> None:
    (sample_site / "content").rename(sample_site / "posts-folder")
    (sample_site / "site" / "content" / "posts").mkdir(parents=True)
    message = _mistake(sample_site, "--content", "site/content/post", "all")
    assert "site/content/post: content folder not found" in message
    assert "did you mean site/content/posts?" in message
    for command in (["pdf", "--all"], ["feed"], ["check"], ["list"], ["email", "--digest"], ["epub"]):
        assert "did you mean site/content/posts?" in _mistake(sample_site, "--content", "site/content/post", *command)
    assert "did you mean site/content/posts?" in _mistake(sample_site, "--content", "site/contnt/posts", "feed")


def test_unknown_section_is_named(sample_site: Path) -> None:
    (sample_site / "publish.toml").write_text('[path]\ncontent = "content"\n')
    assert "unknown section 'path' (did you mean 'paths'?)" in _mistake(sample_site, "all")


def test_unknown_exporter_suggests_the_installed_one(sample_site: Path) -> None:
    message = _mistake(sample_site, "build", "pfd")
    assert "no exporter named 'pfd' is installed" in message and "did you mean 'pdf'?" in message


def test_draft_future_and_unknown_slugs_say_what_to_do(sample_site: Path) -> None:
    write_article(sample_site, "next-year.md", "---\ntitle: Later\npublishDate: '2999-01-01'\n---\nSoon.\n")
    draft = _mistake(sample_site, "pdf", "newsletters-without-the-noise")
    assert "'newsletters-without-the-noise' (content/newsletters-without-the-noise.md) is a draft" in draft
    assert "publish --drafts pdf newsletters-without-the-noise" in draft
    future = _mistake(sample_site, "email", "next-year")
    assert "is dated 2999-01-01, in the future" in future and "publish --future email next-year" in future
    unknown = _mistake(sample_site, "email", "the-measure-of-a-lin", "why-feeds-still-matter")
    assert "no article has the slug 'the-measure-of-a-lin'" in unknown
    assert "did you mean 'the-measure-of-a-line'?" in unknown and "why-feeds-still-matter" not in unknown
    write_article(sample_site, "broken-one.md", "---\ntitle: [unclosed\n---\nBody\n")
    broken = _mistake(sample_site, "pdf", "broken-one")
    assert "the article 'broken-one' cannot be read" in broken and "not valid YAML" in broken


def test_single_article_command_names_its_files(sample_site: Path) -> None:
    first = run_publish(sample_site, "--drafts", "email", "newsletters-without-the-noise")
    assert first.returncode == 0, first.stderr
    for suffix in ("html", "txt", "eml"):
        assert f"wrote output/email/newsletters-without-the-noise.{suffix}\n" in first.stdout
    again = run_publish(sample_site, "--drafts", "email", "newsletters-without-the-noise")
    assert "output/email/newsletters-without-the-noise.eml is up to date" in again.stdout
    summary = [line for line in again.stdout.splitlines() if "article(s)" in line]
    assert len(summary) == 1 and len(summary[0]) > 80 and summary[0].endswith(str(sample_site / "output"))


# ---------------------------------------------------------------------------------------------
# `publish list` for people and scripts

LONG_SLUG = "a-very-long-slug-that-no-eighty-column-table-could-ever-hold-whole-on-one-line"


def test_list_in_a_pipe_is_one_tab_separated_line_per_article(sample_site: Path) -> None:
    write_article(sample_site, f"{LONG_SLUG}.md", "---\ntitle: A title that is also long enough to wrap in a "
                  "table of eighty columns\npublishDate: 'Jan 2 2024'\ntags: [Web, Long Tag Name]\n---\nBody.\n")
    result = run_publish(sample_site, "list", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 9
    rows = {line.split("\t")[0]: line.split("\t") for line in lines}
    assert all(len(row) == 5 for row in rows.values())
    assert rows[LONG_SLUG] == [LONG_SLUG, "2024-01-02", "A title that is also long enough to wrap in a table of "
                               "eighty columns", "Web, Long Tag Name", "published"]
    assert rows["newsletters-without-the-noise"][4] == "draft"
    assert not any(ch in result.stdout for ch in "┃│━─")


def test_list_json(sample_site: Path) -> None:
    assert run_publish(sample_site, "email", "the-measure-of-a-line").returncode == 0
    result = run_publish(sample_site, "list", "--json")
    assert result.returncode == 0, result.stderr
    import json

    articles = json.loads(result.stdout)
    assert len(articles) == 8
    by_slug = {a["slug"]: a for a in articles}
    line = by_slug["the-measure-of-a-line"]
    assert set(line) == {"slug", "title", "date", "updated", "tags", "featured", "status", "source", "outputs"}
    assert line["title"] == "The Measure of a Line" and line["date"].startswith("2024-03-03T")
    assert line["featured"] is True and line["status"] == "published"
    assert line["tags"][0] == {"name": "Typography", "slug": "typography"}
    assert line["source"] == "content/the-measure-of-a-line.md"
    assert line["outputs"] == ["email/the-measure-of-a-line.eml", "email/the-measure-of-a-line.html",
                               "email/the-measure-of-a-line.txt"]
    assert by_slug["newsletters-without-the-noise"]["status"] == "draft"
    assert by_slug["why-feeds-still-matter"]["outputs"] == []
    assert by_slug["a-little-math-on-the-page"]["updated"] is not None


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_output_that_cannot_be_written_is_one_line_not_a_traceback(sample_site: Path) -> None:
    import os
    import subprocess
    import sys

    with open("/dev/full", "w") as full:                        # every write fails: no space left
        result = subprocess.run([sys.executable, "-m", "publish", "list"], cwd=sample_site, stdout=full,
                                stderr=subprocess.PIPE, text=True, timeout=120, env={**os.environ, "COLUMNS": "100"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: No space left on device: the output could not be written"), result.stderr
