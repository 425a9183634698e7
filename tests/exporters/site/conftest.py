"""The sample site published once (`publish all`, as a user runs it) for the landing page's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_sample, run_publish


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample site after `publish all`: every format, so every link has its file."""
    site = copy_sample(tmp_path_factory.mktemp("landing") / "site")
    result = run_publish(site, "all")
    assert result.returncode == 0, result.stdout + result.stderr
    return site
