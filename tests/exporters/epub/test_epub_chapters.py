"""The EPUB as parallel tasks: one per chapter, one for the cover, and the book assembled from their
entries. An edit re-runs the chapters it changes; the book is always the bytes a cold build writes
(compared with a build from nothing, and checked by EPUBCheck), whatever entries it finds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from publish.content.loader import load
from publish.exporters.epub import EpubExporter
from publish.pipeline import Report, build, declared_downloads
from tests.conftest import copy_sample, load_config, write_article
from tests.validators import epub_problems

BOOK = "epub/field-notes.epub"
ENTRIES = ".publish/epub/field-notes/chapters"
COVER = ".publish/epub/field-notes/cover.json"
LINKER = """---
title: Links Into the Book
excerpt: An article that links to other chapters, with and without a fragment.
publishDate: 2025-07-01
tags: [Typography]
---

See [what the eye does](/blog/the-measure-of-a-line/#what-the-eye-is-actually-doing) and
[why feeds matter](/blog/why-feeds-still-matter/).

![A picture kept on another server](https://remote.example/picture.png)
"""
REMOTE = "remote image 'https://remote.example/picture.png' is not in the EPUB; its alt text stands in"


def _build(site: Path, output: str = "output", *, force: bool = False, jobs: int = 1) -> Report:
    config = load_config(cwd=site, overrides={"paths": {"output": output}})
    report = build(config, {"epub": None}, jobs=jobs, force=force)
    assert not report.errors, report.errors
    return report


def _entry(slug: str) -> str:
    return f"{ENTRIES}/{slug}.json"


def _append(site: Path, slug: str, text: str) -> None:
    path = site / "content" / f"{slug}.md"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _same_as_cold(site: Path) -> None:
    cold = site / "cold"
    _build(site, "cold", force=True)
    assert (site / "output" / BOOK).read_bytes() == (cold / BOOK).read_bytes()
    assert not epub_problems(site / "output" / BOOK)


def test_one_edited_article_runs_its_chapter_and_the_book(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    first = _build(site)
    slugs = sorted(p.name.removesuffix(".json") for p in (site / "output" / ENTRIES).glob("*.json"))
    assert len(slugs) >= 7 and _entry(slugs[0]) in first.written and COVER in first.written
    assert _build(site).written == []
    _append(site, "a-little-math-on-the-page", "\nA paragraph added while writing.\n")   # no chapter links to it

    edited = _build(site)
    assert sorted(edited.written) == [_entry("a-little-math-on-the-page"), BOOK]
    assert sorted(edited.up_to_date) == sorted([f"{BOOK}: {slug}" for slug in slugs
                                                if slug != "a-little-math-on-the-page"] + [f"{BOOK}: cover"])
    _same_as_cold(site)


def test_an_edit_runs_again_the_chapters_that_name_its_ids(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    write_article(site, "links-into-the-book.md", LINKER)
    _build(site, jobs=2)
    assert _links_inside(site)
    # A link names one of its ids: the linking chapter is made again with it.
    _append(site, "the-measure-of-a-line", "\n## A new section at the end\n\nMore words.\n")
    assert sorted(_build(site).written) == [_entry("links-into-the-book"), _entry("the-measure-of-a-line"), BOOK]
    # Links to it name no id: only its own chapter.
    _append(site, "why-feeds-still-matter", "\nOne more sentence.\n")
    assert sorted(_build(site).written) == [_entry("why-feeds-still-matter"), BOOK]
    _same_as_cold(site)


def _links_inside(site: Path) -> bool:
    import zipfile

    with zipfile.ZipFile(site / "output" / BOOK) as book:
        page = book.read("EPUB/text/links-into-the-book.xhtml").decode("utf-8")
    return 'href="the-measure-of-a-line.xhtml#c' in page and 'href="why-feeds-still-matter.xhtml"' in page


def test_a_new_article_adds_its_chapter_and_the_book(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    _build(site)
    # The newest, the last chapter: the others keep their places; no cover picture, no new year on the cover.
    write_article(site, "links-into-the-book.md", LINKER)
    assert sorted(_build(site).written) == [_entry("links-into-the-book"), BOOK]
    assert _links_inside(site)
    _same_as_cold(site)


def test_a_removed_article_takes_its_entry_with_it(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    write_article(site, "links-into-the-book.md", LINKER)
    _build(site)
    assert (site / "output" / _entry("links-into-the-book")).is_file()
    (site / "content" / "links-into-the-book.md").unlink()
    report = _build(site)
    assert _entry("links-into-the-book") in report.removed
    assert not (site / "output" / _entry("links-into-the-book")).exists()
    assert report.written == [BOOK]
    _same_as_cold(site)


def _about_the_book(report: Report) -> list[str]:
    return [p.message for p in report.warnings if "EPUB" in p.message]


def _parts(site: Path) -> tuple[dict[str, bytes], Callable[[dict[str, bytes]], tuple[bytes, list[str]]]]:
    """The files of every chapter and cover task, made by the real exporter, and a book renderer
    that takes the inputs it finds."""
    config = load_config(cwd=site)
    exporter = EpubExporter()
    ctx = exporter.context(config, load(config, jobs=1).collection, downloads=declared_downloads(config))
    *parts, book = exporter.plan(ctx)
    assert book.needs == tuple(t.key for t in parts)
    files: dict[str, bytes] = {}
    for task in parts:
        made = ctx.for_task()
        assert exporter.render(made, task) == []                  # a chapter's warnings are the book's to say
        files.update(made.files)

    def render_book(inputs: dict[str, bytes]) -> tuple[bytes, list[str]]:
        made = ctx.for_task(inputs)
        said = exporter.render(made, book)
        return made.files[BOOK], [n.message for n in said]

    return files, render_book


def test_the_book_makes_itself_what_its_entries_lack(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    write_article(site, "links-into-the-book.md", LINKER)
    report = _build(site)
    assert _about_the_book(report) == [REMOTE]                        # said once, by the book
    assert _about_the_book(_build(site)) == [REMOTE]                  # and again when all is up to date
    old = {rel: (site / "output" / rel).read_bytes() for rel in report.written if rel != BOOK}
    # The link target changes; the linking chapter's entry and the target's are now stale.
    _append(site, "the-measure-of-a-line", "\n## A new section at the end\n\nMore words.\n")
    cold = _build(site, "cold", force=True)
    expected = (site / "cold" / BOOK).read_bytes()
    assert _about_the_book(cold) == [REMOTE]

    files, render_book = _parts(site)
    assert render_book(files) == (expected, [REMOTE])                 # every entry current
    assert render_book({}) == (expected, [REMOTE])                    # every chapter task and the cover failed
    linker, measure = _entry("links-into-the-book"), _entry("the-measure-of-a-line")
    assert old[linker] != files[linker] and old[measure] != files[measure]
    stale = {**files, linker: old[linker], measure: old[measure]}    # their tasks failed after the edit
    assert render_book(stale) == (expected, [REMOTE])
    damaged = {**files, linker: b"{not json", measure: files[measure][:100]}
    damaged.pop(".publish/epub/field-notes/cover.json")
    assert render_book(damaged) == (expected, [REMOTE])
