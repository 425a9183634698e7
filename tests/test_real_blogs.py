"""Real blogs as they are: each theme fixture under tests/sites published in every format, with
every output passing the validators, and no syntax of the original engine in any output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_publish
from tests.validators import files_containing, output_problems

SITES = sorted(p.name for p in (Path(__file__).parent / "sites").iterdir() if p.is_dir())


@pytest.mark.parametrize("name", SITES)
def test_theme_publishes_in_every_format(name: str, tmp_path: Path) -> None:
    site = tmp_path / name
    shutil.copytree(Path(__file__).parent / "sites" / name, site)
    result = run_publish(site, "all", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stdout + result.stderr
    output = site / "output"
    assert list((output / "pdf").glob("*.pdf")) and list((output / "epub").glob("*.epub"))
    assert (output / "rss.xml").exists() and list((output / "email").glob("*.eml"))
    problems = {rel: found for rel, found in output_problems(output).items() if found}
    assert problems == {}
    for garbage in (b"{{<", b"{{%", b"{% ", b"import Callout", b"<YouTube", b"{: .", b"[!WARNING]"):
        assert files_containing(output, garbage) == [], garbage
