"""What subscribers will see: the `feeds: …` line of the build summary across real builds, and the
`aliases:` line `publish check` suggests after a rename."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import copy_sample, run_publish, write_article

LATER = """---
title: "A Note Written Later"
excerpt: "One more article."
publishDate: 2026-01-02
tags: [Writing]
---

Published after the others.
"""


def _run(site: Path, *args: str) -> str:
    result = run_publish(site, *args, env={"COLUMNS": "1000"})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _check(site: Path) -> str:
    result = run_publish(site, "check", env={"COLUMNS": "1000"})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def _feeds_line(stdout: str) -> str:
    lines = [line for line in stdout.splitlines() if line.startswith("feeds: ")]
    assert len(lines) == 1, stdout
    return lines[0]


def _set_updated(source: Path, day: str) -> None:
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^updatedDate: .*\n", "", text)
    source.write_text(text.replace("---\n", f"---\nupdatedDate: {day}\n", 1), encoding="utf-8")


def test_the_summary_counts_new_updated_and_removed_entries_across_builds(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    first = _run(site, "all")
    assert _feeds_line(first) == "feeds: 7 entries (no earlier build to compare with)"
    assert _feeds_line(_run(site, "feed")) == "feeds: 0 new entries, 0 updated, 0 removed"

    write_article(site, "a-note-written-later.md", LATER)
    _set_updated(site / "content" / "unicode-in-print.md", "2026-02-01")
    _set_updated(site / "content" / "why-feeds-still-matter.md", "2026-02-02")
    title = site / "content" / "the-measure-of-a-line.md"            # a new title is not a new update date
    title.write_text(re.sub(r"(?m)^title: .*$", 'title: "The Measure of a Line, Revised"',
                            title.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    assert _feeds_line(_run(site, "feed")) == "feeds: 1 new entry, 2 updated, 0 removed"

    (site / "content" / "unicode-in-print.md").unlink()
    shutil.move(site / "content" / "le-carnet-du-cafe.md", site / "content" / "carnet.md")   # no alias
    assert _feeds_line(_run(site, "feed")) == "feeds: 1 new entry, 0 updated, 2 removed"

    # A preview shows the draft as new, and is not remembered: the next build compares with the last real one.
    assert _feeds_line(_run(site, "--drafts", "feed")) == "feeds: 1 new entry, 0 updated, 0 removed"
    assert _feeds_line(_run(site, "feed")) == "feeds: 0 new entries, 0 updated, 0 removed"

    # Entries moving into archive pages stay in the feed: nothing is "removed".
    with (site / "publish.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n[feed]\nlimit = 2\n")
    assert _feeds_line(_run(site, "feed")) == "feeds: 0 new entries, 0 updated, 0 removed"
    assert (site / "output" / "archive" / "1" / "atom.xml").is_file()
    _set_updated(site / "content" / "one-source-many-formats.md", "2026-03-01")    # an archived article
    assert _feeds_line(_run(site, "feed")) == "feeds: 0 new entries, 1 updated, 0 removed"


def test_commands_that_make_no_feed_say_nothing_about_feeds(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    _run(site, "feed")
    stdout = _run(site, "email", "--digest")
    assert "feeds:" not in stdout


def test_check_suggests_the_aliases_line_after_a_rename(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    _run(site, "feed")
    assert "looks renamed" not in _check(site)
    shutil.move(site / "content" / "le-carnet-du-cafe.md", site / "content" / "morning-notebook.md")
    said = _check(site)
    assert "morning-notebook.md: looks renamed from /blog/le-carnet-du-cafe/ (same title)" in said
    assert 'add `aliases: ["/blog/le-carnet-du-cafe/"]` to its front matter' in said
    # Following the advice keeps the id, and the warning goes.
    moved = site / "content" / "morning-notebook.md"
    moved.write_text(moved.read_text(encoding="utf-8").replace("---\n", '---\naliases: ["/blog/le-carnet-du-cafe/"]\n', 1),
                     encoding="utf-8")
    assert "looks renamed" not in _check(site)
    assert _feeds_line(_run(site, "feed")) == "feeds: 0 new entries, 0 updated, 0 removed"


@pytest.mark.parametrize(("engine_file", "expected"), [
    (None, 'aliases = ["/blog/old-toml/"]'),
    ("_config.yml", 'redirect_from = ["/blog/old-toml/"]'),
])
def test_the_suggestion_speaks_the_front_matter_and_the_engine(tmp_path: Path, engine_file: str | None,
                                                                expected: str) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "publish.toml").write_text('[site]\ntitle = "T"\nbase_url = "https://t.example"\n'
                                       'article_url = "/blog/{slug}/"\n', encoding="utf-8")
    if engine_file:
        (site / engine_file).write_text("title: T\n", encoding="utf-8")
    write_article(site, "old-toml.md", '+++\ntitle = "Plain Words"\ndate = 2024-01-02\n+++\n\nText.\n')
    _run(site, "feed")
    shutil.move(site / "content" / "old-toml.md", site / "content" / "new-toml.md")
    said = _check(site)
    assert f"add `{expected}` to its front matter" in said
