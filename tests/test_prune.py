"""output/ is the truth: what the content no longer makes is removed, and only what publish wrote.

Through the real CLI (subprocesses) on copies of the sample site, plus the pruning rules on their own.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import feedparser
import pytest

from publish import manifest, prune
from publish.manifest import Manifest, Owned
from publish.precompress import without_twins
from tests.conftest import copy_sample, run_publish

USER_FILES = {"CNAME": "fieldnotes.example\n", "robots.txt": "User-agent: *\nAllow: /\n",
              "_headers": "/*\n  X-Frame-Options: DENY\n"}
GONE = ("the-measure-of-a-line", "why-feeds-still-matter", "newsletters-without-the-noise")


def _site(target: Path, *slugs: str) -> Path:
    """The sample site with only these articles (fewer PDFs to typeset)."""
    site = copy_sample(target)
    for path in (site / "content").glob("*.md"):
        if path.stem not in slugs:
            path.unlink()
    return site


def _published(output: Path) -> dict[str, bytes]:
    """What publish wrote: every file but its own records, except the EPUB's chapter and cover
    entries, which are task outputs like the others."""
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*"))
            if p.is_file() and (".publish" not in p.parts or p.relative_to(output).parts[:2] == (".publish", "epub"))}


def _ok(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_publish(site, *args, env={"COLUMNS": "1000"})
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _removed(result: subprocess.CompletedProcess[str], output: Path) -> list[str]:
    """The files `-v` lists as removed, relative to the output folder."""
    prefix = f"  removed {output}/"
    return [line.removeprefix(prefix) for line in result.stdout.splitlines() if line.startswith(prefix)]


@pytest.fixture(scope="module")
def pruned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str], dict[str, bytes]]:
    """The sample site built; then an article renamed, one deleted and a draft previewed as a PDF;
    then `publish -v all`. Returns the site, that last run and output/ before it."""
    site = _site(tmp_path_factory.mktemp("prune") / "site", *GONE, "unicode-in-print", "le-carnet-du-cafe")
    _ok(site, "all")
    output = site / "output"
    for name, text in USER_FILES.items():
        (output / name).write_text(text, encoding="utf-8")
    (output / "pdf" / "README.txt").write_text("the user's own file in a folder publish uses", encoding="utf-8")
    content = site / "content"
    (content / "the-measure-of-a-line.md").rename(content / "the-measure.md")
    (content / "why-feeds-still-matter.md").unlink()
    _ok(site, "--drafts", "pdf", "newsletters-without-the-noise")
    assert (output / "pdf" / "newsletters-without-the-noise.pdf").is_file()
    before = _published(output)
    return site, _ok(site, "-v", "all"), before


def test_nothing_of_renamed_deleted_or_draft_articles_is_left(pruned) -> None:  # type: ignore[no-untyped-def]
    site, _, _ = pruned
    output = site / "output"
    files = _published(output)
    assert "pdf/the-measure.pdf" in files and "email/the-measure.eml" in files
    for slug in GONE:
        assert not [rel for rel in files if slug in rel], slug
    feeds = [rel for rel in files if rel.rsplit("/", 1)[-1] in ("rss.xml", "atom.xml", "feed.json")]
    assert not [rel for rel in files if rel.startswith("tags/publishing/")]       # only the deleted article had it
    assert len(feeds) == 3 * 6                    # the site and five tags (Email is the draft's only)
    for rel in feeds:
        # What each entry points to; a body may still link to an old address, as its author wrote it.
        if rel.endswith(".json"):
            items = json.loads(files[rel])["items"]
            named = [item["url"] for item in items] + [a["url"] for item in items for a in item.get("attachments", [])]
        else:
            items = feedparser.parse(files[rel]).entries
            named = [link["href"] for entry in items for link in entry.get("links", [])]
        assert items and not [url for url in named if any(slug in url for slug in GONE)], rel
    with zipfile.ZipFile(output / "epub" / "field-notes.epub") as book:
        assert not [name for name in book.namelist() if any(slug in name for slug in GONE)]
    # Image copies only they used are gone; the renamed article still has its cover.
    images = [rel for rel in files if rel.startswith("images/")]
    assert not [rel for rel in images if rel.startswith(("images/why-feeds", "images/newsletter-without-noise"))]
    assert [rel for rel in images if rel.startswith("images/measure-of-a-line")]


def test_the_users_files_are_never_touched(pruned) -> None:  # type: ignore[no-untyped-def]
    site, _, _ = pruned
    output = site / "output"
    for name, text in USER_FILES.items():
        assert (output / name).read_text(encoding="utf-8") == text
    assert (output / "pdf" / "README.txt").is_file()


def test_the_summary_counts_and_verbose_lists_what_was_removed(pruned) -> None:  # type: ignore[no-untyped-def]
    site, result, before = pruned
    output = site / "output"
    removed = _removed(result, output)
    assert f"removed {len(removed)} file(s)" in result.stdout
    # The precompressed twins of a removed file go with it, unlisted: the user counts files (and
    # publish's own records, the EPUB's chapter entries, are removed without being listed).
    gone = set(before) - set(_published(output))
    assert any(rel.startswith(".publish/epub/") for rel in gone)
    assert sorted(removed) == sorted(without_twins(sorted(g for g in gone if not g.startswith(".publish/"))))
    assert {"email/why-feeds-still-matter.html.gz", "email/why-feeds-still-matter.html.br"} <= gone
    assert {"pdf/the-measure-of-a-line.pdf", "pdf/why-feeds-still-matter.pdf", "pdf/newsletters-without-the-noise.pdf",
            "email/the-measure-of-a-line.eml", "email/why-feeds-still-matter.html"} <= set(removed)


def test_output_holds_what_a_fresh_build_makes(pruned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site, _, _ = pruned
    _ok(site, "--output", str(tmp_path / "fresh"), "all")
    kept = set(_published(site / "output")) - set(USER_FILES) - {"pdf/README.txt"}
    assert kept == set(_published(tmp_path / "fresh"))


def test_caches_keep_only_what_the_content_uses(pruned) -> None:  # type: ignore[no-untyped-def]
    site, _, _ = pruned
    articles = len(list((site / "content").glob("*.md")))           # the draft included: it is converted too
    state = site / "output" / ".publish"
    assert len(list((state / "html").glob("*.fragment"))) == articles
    assert len(list((state / "articles").glob("*.pickle"))) == articles


def test_manifest_lists_exactly_what_publish_wrote(pruned) -> None:  # type: ignore[no-untyped-def]
    site, _, _ = pruned
    output = site / "output"
    owned = manifest.load(output)
    assert owned.files() == set(_published(output)) - set(USER_FILES) - {"pdf/README.txt"}
    assert owned.previews() == set()


def test_a_no_op_build_writes_and_removes_nothing(pruned) -> None:  # type: ignore[no-untyped-def]
    site, _, _ = pruned
    output = site / "output"
    before = _published(output)
    record = (output / manifest.MANIFEST).stat().st_mtime_ns
    result = _ok(site, "all")
    assert "wrote 0 file(s), removed 0 file(s)" in result.stdout
    assert _published(output) == before
    assert (output / manifest.MANIFEST).stat().st_mtime_ns == record


def test_tags_no_longer_used_and_part_builds(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", "le-carnet-du-cafe", "unicode-in-print", "the-measure-of-a-line")
    output = site / "output"
    _ok(site, "feed")
    _ok(site, "pdf", "le-carnet-du-cafe", "unicode-in-print")
    pdfs = {"pdf/le-carnet-du-cafe.pdf", "pdf/unicode-in-print.pdf"}
    assert (output / "tags" / "cafe-culture" / "rss.xml").is_file()
    # The only article tagged Café Culture loses the tag, and another article is deleted.
    carnet = site / "content" / "le-carnet-du-cafe.md"
    text, count = re.subn(r"(?m)^  - Café Culture\n", "", carnet.read_text(encoding="utf-8"))
    assert count == 1
    carnet.write_text(text, encoding="utf-8")
    (site / "content" / "unicode-in-print.md").unlink()

    result = _ok(site, "-v", "feed")                      # feeds only: PDFs are not its business
    removed = _removed(result, output)
    tag_feeds = [f"tags/{tag}/{name}" for tag in ("cafe-culture", "tooling")        # Tooling: the deleted one's
                 for name in ("atom.xml", "feed.json", "rss.xml")]
    assert sorted(rel for rel in removed if not rel.startswith("images/")) == tag_feeds
    assert "images/unicode-in-print-e6a6948e9bb9-1200.png" in removed     # only the deleted article's entry used it
    assert not (output / "tags" / "cafe-culture").exists() and (output / "tags" / "writing" / "rss.xml").exists()
    assert pdfs <= set(_published(output))

    result = _ok(site, "-v", "pdf", "the-measure-of-a-line")   # one article: other PDFs stay
    assert _removed(result, output) == [] and pdfs <= set(_published(output))

    result = _ok(site, "-v", "pdf", "--all")                   # every article: the deleted one's PDF goes
    assert "pdf/unicode-in-print.pdf" in _removed(result, output)
    assert {"pdf/le-carnet-du-cafe.pdf", "pdf/the-measure-of-a-line.pdf"} <= set(_published(output))


def test_a_preview_is_never_kept_by_a_normal_build(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    output = site / "output"
    _ok(site, "--drafts", "email", "newsletters-without-the-noise")
    _ok(site, "--drafts", "feed")
    previews = manifest.previews(output)
    assert "email/newsletters-without-the-noise.html" in previews and "rss.xml" in previews
    assert "tags/email/rss.xml" in previews                   # a tag only the draft has
    _ok(site, "email", "the-measure-of-a-line")               # email, not previewing: the email preview goes
    assert not (output / "email" / "newsletters-without-the-noise.html").exists()
    assert "rss.xml" in manifest.previews(output)             # feeds did not run: still a preview, not served
    _ok(site, "feed")
    assert not (output / "tags" / "email").exists()
    assert manifest.previews(output) == set()
    assert "newsletters-without-the-noise" not in (output / "rss.xml").read_text(encoding="utf-8")


# --- the wordcount plugin: fast builds for the rules around failures ---------------------------------

def _count_words(site: Path):  # type: ignore[no-untyped-def]
    from publish import pipeline
    from tests.conftest import load_config

    return pipeline.build(load_config(cwd=site), {"wordcount": None}, jobs=1)


def test_an_article_that_fails_to_load_keeps_its_outputs(sample_site: Path, plugin_path: Path) -> None:
    output = sample_site / "output" / "wordcount"
    _count_words(sample_site)
    source = sample_site / "content" / "unicode-in-print.md"
    source.write_text(source.read_text(encoding="utf-8").replace("title:", "title: [unclosed", 1), encoding="utf-8")
    report = _count_words(sample_site)
    assert [str(e.path) for e in report.errors] == [str(source)]
    assert report.removed == [] and (output / "unicode-in-print.txt").is_file()
    source.unlink()
    assert _count_words(sample_site).removed == ["wordcount/unicode-in-print.txt"]


def test_a_content_folder_without_articles_removes_nothing(sample_site: Path, plugin_path: Path) -> None:
    _count_words(sample_site)
    records = len(list((sample_site / "output" / ".publish" / "state").iterdir()))
    for path in (sample_site / "content").glob("*.md"):
        path.rename(path.with_suffix(".txt"))              # as if --content named the wrong folder
    report = _count_words(sample_site)
    assert report.removed == [] and (sample_site / "output" / "wordcount" / "index.txt").is_file()
    assert [str(w) for w in report.warnings] == [f"{sample_site / 'content'}: no article found here: nothing was "
                                                 "removed from the output folder"]
    (sample_site / "content" / "unicode-in-print.txt").rename(sample_site / "content" / "unicode-in-print.md")
    report = _count_words(sample_site)
    assert sorted(report.removed) == sorted(f"wordcount/{p.stem}.txt" for p in (sample_site / "content").glob("*.txt")
                                            if p.stem != "newsletters-without-the-noise")
    assert len(list((sample_site / "output" / ".publish" / "state").iterdir())) == 2 < records


def test_a_run_that_dies_before_pruning_loses_track_of_nothing(sample_site: Path, plugin_path: Path) -> None:
    output = sample_site / "output"
    build = ("import os, sys\nfrom publish import pipeline, prune, registry\nfrom publish.config import load_config\n"
             "if sys.argv[1] == 'die':\n    prune.settle = lambda *a: os._exit(9)\n"
             "report = pipeline.build(load_config(exporters=registry.settings_classes()), {'wordcount': None}, jobs=1)\n"
             "print('removed', *report.removed)\n")
    run = [sys.executable, "-c", build]
    assert subprocess.run([*run, "live"], cwd=sample_site, check=False).returncode == 0
    content = sample_site / "content"
    (content / "unicode-in-print.md").rename(content / "print.md")
    assert subprocess.run([*run, "die"], cwd=sample_site, check=False).returncode == 9
    assert (output / "wordcount" / "print.txt").is_file() and (output / "wordcount" / "unicode-in-print.txt").is_file()
    assert "wordcount/print.txt" in manifest.load(output).files()
    done = subprocess.run([*run, "live"], cwd=sample_site, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.split() == ["removed", "wordcount/unicode-in-print.txt"]


# --- the rules on their own ----------------------------------------------------------------------------

def _run(**changes: object) -> prune.Run:
    base = {"whole": frozenset({"pdf"}), "part": frozenset(), "published": frozenset({"a"}),
            "failed_sources": frozenset(), "preview": False}
    return prune.Run(**{**base, **changes})  # type: ignore[arg-type]


def _owned(outputs: tuple[str, ...], *slugs: str, **extra: object) -> Owned:
    return Owned("pdf", outputs, articles=tuple((s, f"content/{s}.md") for s in slugs), **extra)  # type: ignore[arg-type]


def test_a_failed_task_keeps_what_it_wrote_before() -> None:
    before = Manifest({"pdf/digest": _owned(("old.pdf",), "a")})
    made = {"pdf/digest": _owned(("new.pdf",), "a")}
    claimed = prune.claim(before, made)
    assert claimed.tasks["pdf/digest"].outputs == ("new.pdf", "old.pdf")
    kept, doomed = prune.settle(claimed, made, {"pdf/digest"}, _run())
    assert doomed == set() and kept.tasks["pdf/digest"].outputs == ("new.pdf", "old.pdf")
    settled, doomed = prune.settle(claimed, made, set(), _run())
    assert doomed == {"old.pdf"} and settled.tasks["pdf/digest"].outputs == ("new.pdf",)


def test_chosen_outputs_stay_while_their_articles_are_published() -> None:
    chosen = _owned(("book.epub",), "a", selected=True)
    owned = Manifest({"epub/book": chosen, "pdf/b": _owned(("b.pdf",), "b")})
    _, doomed = prune.settle(owned, {}, set(), _run())
    assert doomed == {"b.pdf"}
    _, doomed = prune.settle(owned, {}, set(), _run(published=frozenset()))
    assert doomed == {"book.epub", "b.pdf"}
    _, doomed = prune.settle(owned, {}, set(), _run(failed_sources=frozenset({"content/b.md"})))
    assert doomed == set()


def test_untouched_exporters_and_images_still_linked_stay() -> None:
    owned = Manifest({"feed/site": Owned("feed", ("rss.xml",), uses=("images/x.jpg",)),
                      "pdf/a": Owned("pdf", ("pdf/a.pdf",), uses=("images/y.jpg",))},
                     images={"images/x.jpg", "images/y.jpg", "images/z.jpg"})
    settled, doomed = prune.settle(owned, {}, set(), _run())
    assert doomed == {"pdf/a.pdf", "images/y.jpg", "images/z.jpg"}
    assert settled.images == {"images/x.jpg"}


def test_removal_never_goes_through_a_symlinked_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.pdf").write_text("not publish's")
    output = tmp_path / "output"
    output.mkdir()
    (output / "pdf").symlink_to(outside, target_is_directory=True)
    removed, stuck = prune.remove(output, {"pdf/keep.pdf", "../outside/keep.pdf"})
    assert removed == [] and stuck == {} and (outside / "keep.pdf").exists()


def test_an_older_output_folder_is_taken_over_from_its_state(sample_site: Path, plugin_path: Path) -> None:
    output = sample_site / "output"
    _count_words(sample_site)
    (output / manifest.MANIFEST).unlink()
    (output / "images").mkdir()
    (output / "images" / "stray-0123456789ab-1200.jpg").write_bytes(b"an old copy nothing links to")
    (output / "images" / "mine.jpg").write_bytes(b"the user's")
    owned = manifest.load(output)
    assert "wordcount/index.txt" in owned.files() and owned.images == {"images/stray-0123456789ab-1200.jpg"}
    assert _count_words(sample_site).removed == ["images/stray-0123456789ab-1200.jpg"]
    assert (output / "images" / "mine.jpg").exists()
    assert json.loads((output / manifest.MANIFEST).read_text())["version"] == manifest.VERSION
