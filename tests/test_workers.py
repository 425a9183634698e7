"""Worker processes: a build runs in parallel with any start method (macOS and Windows use `spawn`),
and writes the same bytes as the `fork` build Linux uses by default."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from publish import pipeline
from tests.conftest import copy_sample, load_config, run_publish

BUILT_INS = ("feed", "pdf", "epub", "email")


def _outputs(site: Path) -> dict[str, str]:
    """sha256 of every file under output/ but publish's own records."""
    output = site / "output"
    return {path.relative_to(output).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(output.rglob("*")) if path.is_file() and ".publish" not in path.parts}


def _build(site: Path, method: str, monkeypatch: pytest.MonkeyPatch) -> pipeline.Report:
    monkeypatch.setenv("PUBLISH_START_METHOD", method)
    report = pipeline.build(load_config(cwd=site), dict.fromkeys(BUILT_INS), jobs=2)
    assert report.exit_code == 0, report.problems
    return report


@pytest.mark.slow
def test_a_spawn_build_runs_in_parallel_and_writes_the_same_bytes_as_fork(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forked = _build(copy_sample(tmp_path / "fork"), "fork", monkeypatch)
    spawned = _build(copy_sample(tmp_path / "spawn"), "spawn", monkeypatch)
    assert len(spawned.processes) >= 2 and os.getpid() not in spawned.processes
    assert len(forked.processes) >= 2 and os.getpid() not in forked.processes
    assert sorted(spawned.written) == sorted(forked.written) and len(spawned.written) > 40
    assert _outputs(tmp_path / "spawn") == _outputs(tmp_path / "fork")


def test_spawned_workers_find_a_plugin_and_its_settings(sample_site: Path, plugin_path: Path) -> None:
    toml = sample_site / "publish.toml"
    toml.write_text(toml.read_text() + '\n[wordcount]\nlabel = "mots"\n')
    result = run_publish(sample_site, "--jobs", "2", "-v", "build", "wordcount",
                         env={"PUBLISH_START_METHOD": "spawn"})
    assert result.returncode == 0, result.stderr
    counts = [f.read_text().splitlines()[1] for f in (sample_site / "output" / "wordcount").glob("*-*.txt")]
    assert len(counts) == 7 and all(line.endswith(" mots") for line in counts)


def test_an_unknown_start_method_is_a_usage_error(sample_site: Path) -> None:
    result = run_publish(sample_site, "feed", env={"PUBLISH_START_METHOD": "teleport"})
    assert result.returncode == 2
    assert "PUBLISH_START_METHOD='teleport'" in result.stderr and "spawn" in result.stderr
