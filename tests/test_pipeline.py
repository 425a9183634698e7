"""The pipeline with a real (test) plugin: parallel workers, incremental state, atomic writes, the lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publish import pipeline, state
from publish.lock import output_lock
from tests.conftest import load_config, run_publish

SELECTION = {"wordcount": None}


def _build(site: Path, **kwargs: object) -> pipeline.Report:
    return pipeline.build(load_config(cwd=site), SELECTION, **kwargs)  # type: ignore[arg-type]


def test_parallel_build_uses_worker_processes(sample_site: Path, plugin_path: Path) -> None:
    report = _build(sample_site, jobs=2)
    assert report.exit_code == 0 and report.errors == []
    assert len(report.written) == 8
    assert report.processes and os.getpid() not in report.processes


def test_a_serial_build_renders_in_this_process(sample_site: Path, plugin_path: Path) -> None:
    assert _build(sample_site, jobs=1).processes == {os.getpid()}


def test_incremental_skip_and_rebuild(sample_site: Path, plugin_path: Path) -> None:
    first = _build(sample_site, jobs=1)
    assert len(first.written) == 8 and not first.up_to_date
    again = _build(sample_site, jobs=1)
    assert again.written == [] and len(again.up_to_date) == 8

    article = sample_site / "content" / "why-feeds-still-matter.md"
    article.write_text(article.read_text().replace("Why Feeds Still Matter", "Why Feeds Matter"))
    edited = _build(sample_site, jobs=1)
    assert sorted(edited.written) == ["wordcount/index.txt", "wordcount/why-feeds-still-matter.txt"]

    forced = _build(sample_site, jobs=1, force=True)
    assert len(forced.written) == 8


def test_config_change_rebuilds(sample_site: Path, plugin_path: Path) -> None:
    _build(sample_site, jobs=1)
    toml = sample_site / "publish.toml"
    toml.write_text(toml.read_text().replace('title = "Field Notes"', 'title = "Other Notes"'))
    assert len(_build(sample_site, jobs=1).written) == 8


def test_damaged_output_or_corrupt_state_causes_a_rebuild(sample_site: Path, plugin_path: Path) -> None:
    _build(sample_site, jobs=1)
    out = sample_site / "output"
    (out / "wordcount" / "unicode-in-print.txt").write_text("tampered")
    (out / "wordcount" / "index.txt").unlink()
    records = sorted((out / ".publish" / "state").iterdir())
    records[0].write_text("{not json")
    report = _build(sample_site, jobs=1)
    assert {"wordcount/unicode-in-print.txt", "wordcount/index.txt"} <= set(report.written)
    assert "tampered" not in (out / "wordcount" / "unicode-in-print.txt").read_text()
    for record in (out / ".publish" / "state").iterdir():
        json.loads(record.read_text())


def test_failed_task_keeps_the_previous_output(sample_site: Path, plugin_path: Path) -> None:
    out = sample_site / "output"
    out.mkdir()
    (out / "broken.txt").write_text("published yesterday")
    report = pipeline.build(load_config(cwd=sample_site), {"broken": None, "wordcount": None}, jobs=2)
    assert report.exit_code == 1 and len(report.errors) == 1
    assert (out / "broken.txt").read_text() == "published yesterday"
    assert len(report.written) == 8


def test_no_temporary_files_left_behind(sample_site: Path, plugin_path: Path) -> None:
    _build(sample_site, jobs=2)
    leftovers = [p for p in (sample_site / "output").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_second_run_waits_then_refuses(sample_site: Path, plugin_path: Path) -> None:
    out = sample_site / "output"
    with output_lock(out):
        started = time.monotonic()
        result = run_publish(sample_site, "all", env={"PUBLISH_LOCK_TIMEOUT": "1"})
        assert time.monotonic() - started >= 1
    assert result.returncode == 1
    assert "waiting for another publish run" in result.stderr
    assert "lock" in result.stderr and "still writing" in result.stderr


def test_lock_of_a_killed_run_is_taken_over(sample_site: Path, plugin_path: Path) -> None:
    out = sample_site / "output"
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys, time; from pathlib import Path; from publish.lock import output_lock\n"
                               f"with output_lock(Path({str(out)!r})):\n    print('locked', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    result = run_publish(sample_site, "all", env={"PUBLISH_LOCK_TIMEOUT": "5"})
    assert "still writing" not in result.stderr
    assert (out / "wordcount" / "index.txt").exists()


def test_state_record_requires_matching_files(tmp_path: Path) -> None:
    from publish.exporters.base import Task

    task = Task("x", "x/a", ("a.txt",), "digest")
    (tmp_path / "a.txt").write_text("one")
    state.record(tmp_path, task)
    assert state.up_to_date(tmp_path, task)
    assert not state.up_to_date(tmp_path, Task("x", "x/a", ("a.txt",), "other"))
    (tmp_path / "a.txt").write_text("two")
    assert not state.up_to_date(tmp_path, task)


@pytest.mark.parametrize("relative", ["../escape.txt", "/etc/x", "a/../../b", ""])
def test_outputs_never_leave_the_output_folder(tmp_path: Path, relative: str) -> None:
    from publish.errors import UnsafePathError
    from publish.paths import output_path

    with pytest.raises(UnsafePathError):
        output_path(tmp_path, relative)


def test_a_missing_shared_image_makes_its_users_stale(tmp_path: Path) -> None:
    from publish.exporters.base import Task

    task = Task("x", "x/a", ("a.txt",), "digest")
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "c.jpg").write_bytes(b"jpeg")
    state.record(tmp_path, task, ("images/c.jpg",))
    assert state.up_to_date(tmp_path, task)
    (tmp_path / "images" / "c.jpg").unlink()
    assert not state.up_to_date(tmp_path, task)


def test_warnings_name_their_file_and_are_said_again_when_up_to_date(sample_site: Path, plugin_path: Path) -> None:
    toml = sample_site / "publish.toml"
    toml.write_text(toml.read_text() + "\n[wordcount]\nshort = 100000\nlabel = \"mots\"\n")
    first = _build(sample_site, jobs=2)
    by_path = {w.path: w.message for w in first.problems if w.severity == "warning"}
    article = sample_site.resolve() / "content" / "why-feeds-still-matter.md"
    assert by_path[article] == "fewer than 100000 mots"                  # about the article's own file
    assert by_path[None] == "the index counts 7 short articles"           # about the whole site
    again = _build(sample_site, jobs=2)
    assert again.written == [] and sorted(map(str, again.problems)) == sorted(map(str, first.problems))


def test_the_used_image_copies_are_recorded_per_task(sample_site: Path) -> None:
    from publish.content.loader import load
    from publish.exporters.feeds import FeedExporter

    config = load_config(cwd=sample_site)
    collection = load(config, write_cache=False).collection
    article = next(a for a in collection if a.cover is not None)
    ctx = FeedExporter().context(config, collection)
    first, second = ctx.for_task(), ctx.for_task()
    relative, _, _ = first.web_image(article.cover, 320)  # type: ignore[arg-type]
    assert first.used_files == {relative} and second.used_files == set() and ctx.used_files == set()


def test_warnings_recorded_without_their_file_make_the_task_run_again(tmp_path: Path) -> None:
    from publish.exporters.base import Task

    task = Task("x", "x/a", ("a.txt",), "digest")
    (tmp_path / "a.txt").write_text("one")
    state.record(tmp_path, task, (), (("content/a.md", "fewer than 50 words"), ("", "about the site")))
    assert state.current(tmp_path, task) == ((), (("content/a.md", "fewer than 50 words"), ("", "about the site")))
    record = next((tmp_path / state.STATE_DIR).iterdir())
    data = json.loads(record.read_text())
    record.write_text(json.dumps({**data, "warnings": ["a: fewer than 50 words"]}))     # an older version's record
    assert state.current(tmp_path, task) is None
    record.write_text(json.dumps({**data, "warnings": []}))                             # nothing said: still current
    assert state.current(tmp_path, task) == ((), ())
