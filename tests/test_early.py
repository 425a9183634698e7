"""early.py: the PDF worker a `publish all` starts before reading the articles, on an output folder
an earlier build made: it makes the few PDFs an edit needs, with the same bytes, says what the
exporter's prepare() said, and is stopped unused when it would not pay."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from publish import early, pipeline, registry
from publish.manifest import MANIFEST
from publish.stamp import STAMP
from tests.conftest import NOTE, REPO, edit_note, load_config, run_publish, write_article


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("early") / "site"
    (site / "content").mkdir(parents=True)
    shutil.copy(REPO / "publish.toml", site / "publish.toml")
    for n in range(1, 7):
        write_article(site, f"note-{n}.md", NOTE.format(title=f"Note {n}", date=f"2024-01-0{n}"))
    old = time.time() - 3600                # older than the run's start: the build may leave its stamp
    for path in site.rglob("*"):
        os.utime(path, (old, old))
    result = run_publish(site, "all")
    assert result.returncode == 0, result.stderr
    assert (site / "output" / STAMP).is_file()
    return site


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def _everything() -> dict[str, None]:
    return {name: None for name, entry in registry.discover().items() if entry.exporter is not None}


def _build_with_early(site: Path) -> tuple[pipeline.Report, int]:
    config = load_config(cwd=site)
    early.start((config.root, config.output_dir), jobs=2)
    started = early._started        # the worker the build will take
    assert started is not None
    pid = started.pid()
    return pipeline.build(config, _everything(), jobs=2), pid


def test_the_pdfs_of_an_edit_are_made_by_the_early_worker_with_the_same_bytes(site: Path, tmp_path: Path) -> None:
    edit_note(site, "note-3.md", "edited, and long enough")
    edit_note(site, "note-5.md", "edited too, and long enough")
    twin = tmp_path / "twin"
    shutil.copytree(site, twin, symlinks=True)
    report, pid = _build_with_early(site)
    assert not report.errors, report.problems
    assert pid in report.processes
    assert {"pdf/note-3.pdf", "pdf/note-5.pdf"} <= set(report.written)
    plain = pipeline.build(load_config(cwd=twin), _everything(), jobs=2)      # no early worker
    assert pid not in plain.processes and set(plain.written) == set(report.written)
    for name in report.written:
        assert (site / "output" / name).read_bytes() == (twin / "output" / name).read_bytes(), name


def test_what_prepare_says_comes_back_once_from_the_early_worker(site: Path) -> None:
    theme = site / "themes" / "mine" / "pdf"
    theme.mkdir(parents=True)
    css = (REPO / "themes" / "default" / "pdf" / "style.css").read_text(encoding="utf-8")
    (theme / "style.css").write_text(css + '\n@font-face { font-family: "Nowhere"; src: url(nowhere.woff2) }\n',
                                     encoding="utf-8")
    with (site / "publish.toml").open("a", encoding="utf-8") as config:
        config.write('\n[paths]\ntheme = "mine"\n')
    (site / "content" / "note-5.md").unlink()           # a new theme makes every PDF: FEW of them
    (site / "content" / "note-6.md").unlink()
    report, pid = _build_with_early(site)
    assert sum(name.startswith("pdf/") for name in report.written) == early.FEW
    assert pid in report.processes
    said = [p for p in report.said_by_prepare if "Font-face" in p.message]
    assert len(said) == 1 and said[0].message.startswith("pdf: ")
    assert [p for p in report.problems if "Font-face" in p.message] == said


def test_an_early_worker_that_would_not_pay_is_stopped_unused(site: Path) -> None:
    for n in range(1, 7):                                   # six PDFs: more than FEW
        edit_note(site, f"note-{n}.md", "edited, and long enough")
    report, pid = _build_with_early(site)
    assert not report.errors and pid not in report.processes
    assert sum(name.startswith("pdf/") for name in report.written) == 6
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_no_early_worker_without_an_earlier_build_or_with_one_job(site: Path) -> None:
    found = (site, site / "output")
    early.start(found, jobs=1)
    early.start(found, force=True)
    assert early.take() is None
    (site / "output" / MANIFEST).unlink()
    early.start(found)
    assert early.take() is None


def test_publish_all_after_an_edit_end_to_end(site: Path) -> None:
    """From the command line: the patches' notes (-v) come back from the worker that imported
    WeasyPrint, and the run leaves the stamp that answers the next one."""
    edit_note(site, "note-2.md", "edited, and long enough")
    verbose = run_publish(site, "-v", "all")
    assert verbose.returncode == 0, verbose.stderr
    assert "pdf/note-2.pdf" in verbose.stdout and "patch for weasyprint" in verbose.stdout + verbose.stderr
    edit_note(site, "note-4.md", "edited, and long enough")
    plain = run_publish(site, "all")
    assert plain.returncode == 0 and "error" not in plain.stderr, plain.stderr
    assert "wrote 0 file(s)" not in plain.stdout
    old = time.time() - 3600
    os.utime(site / "content" / "note-4.md", (old, old))
    assert "wrote 0 file(s)" in run_publish(site, "all").stdout
