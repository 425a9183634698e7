"""The EPUB's chapter cache: one edited article re-renders one chapter, and the book is the same
bytes a cold build writes (checked against a build with no cache at all, and by EPUBCheck)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import copy_sample, run_publish
from tests.validators import epub_problems

CACHE = Path(".publish") / "epub"


def _epub(site: Path, output: str, *args: str) -> bytes:
    result = run_publish(site, "--output", output, "epub", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return next((site / output / "epub").glob("*.epub")).read_bytes()


def _entries(site: Path, output: str) -> set[str]:
    return {p.name for p in (site / output / CACHE).rglob("*") if p.is_file()}


def test_one_edited_article_is_one_new_chapter_and_the_same_bytes_as_a_cold_build(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    _epub(site, "output")
    before = _entries(site, "output")
    assert len([n for n in before if n.endswith(".json")]) >= 5
    article = site / "content" / "a-little-math-on-the-page.md"      # no other article links to it
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n\n", "\n\nA paragraph added while writing.\n\n", 1), encoding="utf-8")

    cached = _epub(site, "output")
    after = _entries(site, "output")
    assert len(after - before) == 1 and len(before - after) == 1        # that chapter alone was made again
    assert any((site / "output" / CACHE).rglob("*.jpg"))                # the composed cover is kept too
    cold = _epub(site, "cold", "--force")
    assert cached == cold
    assert not epub_problems(next((site / "output" / "epub").glob("*.epub")))


def test_a_lost_or_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    first = _epub(site, "output")
    for path in (site / "output" / CACHE).rglob("*.json"):
        path.write_text("{not json", encoding="utf-8")
    assert _epub(site, "output", "--force") == first
    shutil.rmtree(site / "output" / CACHE)
    assert _epub(site, "output", "--force") == first


def test_an_edit_makes_again_the_chapters_that_link_to_it(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    _epub(site, "output")
    before = _entries(site, "output")
    target = site / "content" / "why-feeds-still-matter.md"           # one-source-many-formats links to it
    assert "why-feeds-still-matter" in (site / "content" / "one-source-many-formats.md").read_text(encoding="utf-8")
    text = target.read_text(encoding="utf-8")
    target.write_text(text + "\n## A new section at the end\n\nMore words.\n", encoding="utf-8")
    cached = _epub(site, "output")
    assert len(_entries(site, "output") - before) == 2
    assert cached == _epub(site, "cold", "--force")
