"""Tasks deliver their files: a task returns what it made and the main process writes it, so a task
never needs the output folder (and may run on another machine). A task that `needs` others runs
after them and reads their files from `ctx.inputs`."""

from __future__ import annotations

from pathlib import Path

import pytest

from publish import pipeline
from publish.exporters.base import Task
from publish.model import EMPTY
from publish.workers import Outcome, dispatch
from tests.conftest import load_config


def _expected_index(site: Path) -> str:
    out = site / "output" / "wordcount"
    lines = []
    for path in sorted(out.glob("*.txt")):
        if path.name != "index.txt":
            lines.append((path.stem, path.read_text().splitlines()[1].split()[0]))
    return "".join(f"{slug} {count}\n" for slug, count in sorted(lines))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_task_that_needs_others_reads_their_files(sample_site: Path, plugin_path: Path, jobs: int) -> None:
    report = pipeline.build(load_config(cwd=sample_site), {"wordcount": None}, jobs=jobs)
    assert report.exit_code == 0, report.problems
    index = (sample_site / "output" / "wordcount" / "index.txt").read_text()
    assert "?" not in index                    # every article's count came from its task's file
    assert "".join(sorted(index.splitlines(keepends=True))) == _expected_index(sample_site)
    assert set(report.task_seconds) == {f"wordcount/{a}" for a in
                                        [p.stem for p in (sample_site / "output" / "wordcount").glob("*.txt")]}


def test_a_file_the_task_does_not_list_is_refused_and_nothing_is_written(sample_site: Path,
                                                                          plugin_path: Path) -> None:
    report = pipeline.build(load_config(cwd=sample_site), {"stray": None}, jobs=1)
    assert report.exit_code == 1
    assert any("stray/unlisted.txt" in p.message and "does not list" in p.message for p in report.errors)
    assert not (sample_site / "output" / "stray").exists()


def test_dependents_start_after_what_they_need_even_when_it_fails() -> None:
    from concurrent.futures import Future

    tasks = [Task("x", "a", ("a.txt",), "d"), Task("x", "b", ("b.txt",), "d"),
             Task("x", "book", ("book.txt",), "d", needs=("a", "b"))]
    order: list[str] = []

    def submit(task: Task, inputs: object) -> Future[Outcome]:
        order.append(task.key)
        future: Future[Outcome] = Future()
        if task.key == "b":
            future.set_exception(RuntimeError("worker lost"))
        else:
            future.set_result(Outcome(task.key))
        return future

    outcomes = list(dispatch(tasks, submit, lambda: None, lambda task: EMPTY))
    assert order[-1] == "book" and set(order) == {"a", "b", "book"}
    assert [o.key for o in outcomes if o.error] == ["b"] and "worker lost" in str(outcomes[[o.key for o in outcomes].index("b")].error)


def test_tasks_that_need_each_other_are_errors_not_a_hang() -> None:
    tasks = [Task("x", "a", ("a.txt",), "d", needs=("b",)), Task("x", "b", ("b.txt",), "d", needs=("a",))]
    outcomes = list(dispatch(tasks, lambda task, inputs: None, lambda: None, lambda task: EMPTY))  # type: ignore[arg-type,return-value]
    assert sorted(o.key for o in outcomes) == ["a", "b"] and all("need" in str(o.error) for o in outcomes)
