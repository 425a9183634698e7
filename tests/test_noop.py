"""`publish all` with nothing changed answers from the site's stamp (noop.py, stamp.py): without
loading an article or an exporter, with the summary a full check prints, and never once anything
that decides the outputs has changed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publish import stamp
from tests.conftest import NOTE, REPO, write_article

OLD = time.time() - 3600          # inputs written "an hour ago": older than any run's start


def _age(site: Path) -> None:
    for path in [*site.rglob("*")]:
        if "output" not in path.relative_to(site).parts:
            os.utime(path, (OLD, OLD), follow_symlinks=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("noop") / "site"
    (site / "content").mkdir(parents=True)
    shutil.copy(REPO / "publish.toml", site / "publish.toml")
    write_article(site, "first-note.md", NOTE.format(title="First note", date="2024-01-02"))
    write_article(site, "second-note.md", NOTE.format(title="Second note", date="2024-02-03"))
    _age(site)
    assert _run(site, "all").returncode == 0
    return site


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(built, copy, symlinks=True)
    return copy


class Run:
    def __init__(self, result: subprocess.CompletedProcess[str]) -> None:
        self.returncode = result.returncode
        self.stdout = result.stdout
        lines = result.stderr.splitlines()
        self.stderr = "\n".join(line for line in lines if not line.startswith("import time:"))
        # Answered from the stamp: the pipeline (articles, exporters) was never imported.
        self.answered = not any(line.endswith("publish.pipeline") for line in lines)
        # Answered before the command line library was imported (launch.py).
        self.early = self.answered and not any(re.search(r"\| +typer$", line) for line in lines)

    @property
    def summary(self) -> str:
        return re.sub(r" in [\d.]+ s ", " in _ s ", self.stdout.strip().splitlines()[-1])

    def wrote(self) -> int:
        return int(re.search(r"wrote (\d+) file", self.stdout).group(1))  # type: ignore[union-attr]


def _run(site: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "publish", *args], cwd=site,
                            env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300)
    return Run(result)


def _stamped(site: Path) -> Run:
    """A run that records the stamp by finding everything up to date (a full check)."""
    (site / "output" / stamp.STAMP).unlink(missing_ok=True)
    first = _run(site, "all")
    assert first.returncode == 0 and not first.answered and first.wrote() == 0, first.stdout + first.stderr
    assert (site / "output" / stamp.STAMP).is_file()
    return first


def test_nothing_changed_answers_from_the_stamp_with_the_same_summary(site: Path) -> None:
    full = _stamped(site)
    quick = _run(site, "all")
    assert quick.returncode == 0 and quick.answered, quick.stderr
    assert quick.stdout.splitlines()[:-1] == full.stdout.splitlines()[:-1]        # the feeds line
    assert quick.summary == full.summary and "wrote 0 file(s)" in quick.summary
    again = _run(site, "all")
    assert again.answered and again.summary == full.summary
    assert quick.early and again.early


def test_only_a_plain_command_line_is_answered_before_typer_starts(site: Path) -> None:
    full = _stamped(site)
    quiet = _run(site, "-q", "all")
    assert quiet.early and quiet.summary == full.summary
    # Any other option or environment variable takes the full command line, which answers the same.
    for args, env in ((("-q", "--jobs", "1", "all"), None), (("all",), {"PUBLISH_QUIET": "1"}),
                      (("--quiet", "all"), {"PUBLISH_JOBS": "1"})):
        run = _run(site, *args, env=env)
        assert run.answered and run.summary == full.summary, (args, env, run.stderr)
        assert run.early == (env is not None and "PUBLISH_JOBS" in env), (args, env)
    changed = _run(site, "all", env={"PUBLISH_DRAFTS": "1"})
    assert not changed.answered and changed.returncode == 0


def test_an_edited_article_is_built(site: Path) -> None:
    _stamped(site)
    write_article(site, "first-note.md", NOTE.format(title="First note, edited", date="2024-01-02"))
    after = _run(site, "all")
    assert not after.answered and after.wrote() > 0
    assert "First note, edited" in (site / "output" / "rss.xml").read_text(encoding="utf-8")


def test_an_edit_keeping_the_size_is_seen_by_its_time(site: Path) -> None:
    _stamped(site)
    path = site / "content" / "first-note.md"
    path.write_text(path.read_text(encoding="utf-8").replace("First note", "Frist note"), encoding="utf-8")
    after = _run(site, "all")
    assert not after.answered and after.wrote() > 0


def test_a_new_article_a_deleted_output_and_a_config_edit_are_seen(site: Path) -> None:
    _stamped(site)
    (site / "output" / "pdf" / "second-note.pdf").unlink()
    assert not (rebuilt := _run(site, "all")).answered and rebuilt.wrote() == 1
    assert (site / "output" / "pdf" / "second-note.pdf").is_file()

    _stamped(site)
    write_article(site, "third-note.md", NOTE.format(title="Third note", date="2024-03-04"))
    assert not (added := _run(site, "all")).answered and added.summary.startswith("3 article(s)")

    _age(site)
    _stamped(site)
    config = site / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert not _run(site, "all").answered


def test_options_and_environment_that_change_outputs_are_part_of_the_stamp(site: Path) -> None:
    _stamped(site)
    assert not _run(site, "all", env={"PUBLISH_NO_PATCHES": "1"}).answered    # changes outputs
    assert not _run(site, "--drafts", "all").answered
    assert not _run(site, "-v", "all").answered                               # lists every file
    assert not _run(site, "all", "--force").answered
    _stamped(site)
    assert _run(site, "-q", "--jobs", "1", "all").answered                    # they change no output


def test_an_article_whose_date_comes_is_published_then(site: Path) -> None:
    due = datetime.now(UTC) + timedelta(seconds=6)
    write_article(site, "soon.md", NOTE.format(title="Soon", date=due.strftime("%Y-%m-%dT%H:%M:%SZ")))
    _age(site)
    left_out = _run(site, "all")
    assert "1 future left out" in left_out.summary
    assert _run(site, "all").answered or _run(site, "all").answered      # stamped by one of the two
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.5)
    after = _run(site, "all")
    assert not after.answered and after.summary.startswith("3 article(s):") and after.wrote() > 0
    assert (site / "output" / "pdf" / "soon.pdf").is_file()


def test_warnings_are_said_again(site: Path) -> None:
    write_article(site, "no-excerpt.md", "---\ntitle: No excerpt\npublishDate: 2024-04-05\n"
                                         "seo:\n  image: /missing.webp\n---\n\nText.\n")
    _age(site)
    _run(site, "all")
    full = _stamped(site)
    quick = _run(site, "all")
    assert quick.answered and "warning" in full.stderr
    assert quick.stderr == full.stderr and quick.summary == full.summary


def test_a_build_leaves_the_stamp_a_full_check_would(site: Path) -> None:
    """After a run that wrote files, the next `publish all` is answered from the stamp, and says
    what a full check says: each task's warnings again, not what an exporter's prepare() said."""
    theme = site / "themes" / "mine" / "pdf"
    theme.mkdir(parents=True)
    css = (REPO / "themes" / "default" / "pdf" / "style.css").read_text(encoding="utf-8")
    (theme / "style.css").write_text(css + '\n@font-face { font-family: "Nowhere"; src: url(nowhere.woff2) }\n',
                                     encoding="utf-8")
    with (site / "publish.toml").open("a", encoding="utf-8") as config:
        config.write('\n[paths]\ntheme = "mine"\n')
    write_article(site, "no-excerpt.md", "---\ntitle: No excerpt\npublishDate: 2024-04-05\n"
                                         "seo:\n  image: /missing.webp\n---\n\nText.\n")
    _age(site)
    build = _run(site, "all")
    assert build.returncode == 0 and build.wrote() > 0 and "Font-face" in build.stderr, build.stderr
    quick = _run(site, "all")
    assert quick.early, quick.stderr
    full = _stamped(site)
    assert "Font-face" not in full.stderr and "missing.webp" in full.stderr     # prepare() had nothing to do
    assert quick.stdout.splitlines()[:-1] == full.stdout.splitlines()[:-1]
    assert quick.stderr == full.stderr and quick.summary == full.summary


def test_a_build_with_an_error_leaves_no_stamp(site: Path) -> None:
    write_article(site, "broken.md", "---\ntitle: [unclosed\n---\n\nText.\n")
    _age(site)
    assert _run(site, "all").returncode == 1
    assert not (site / "output" / stamp.STAMP).exists()
    assert not _run(site, "all").answered


def test_a_file_changed_while_the_run_read_it_is_not_trusted(tmp_path: Path) -> None:
    root, output = tmp_path / "site", tmp_path / "site" / "output"
    output.mkdir(parents=True)
    (root / "article.md").write_text("text", encoding="utf-8")          # written just now
    summary = stamp.Summary(articles=1, left_out={}, up_to_date=1, problems=[], feeds="")
    assert not stamp.record(root, output, "key", [], summary, time.time_ns(), None)
    assert not (output / stamp.STAMP).exists()
    os.utime(root / "article.md", (OLD, OLD))
    assert stamp.record(root, output, "key", [], summary, time.time_ns(), None)
    assert stamp.answer(root, output, "key") == summary
    assert stamp.answer(root, output, "another key") is None
