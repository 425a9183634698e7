"""Jekyll's _config.yml as real sites write it: url + baseurl, name or title, author as text or
a table, time zone, language, permalink styles and patterns, defaults and _data/authors.yml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from publish.engines import jekyll
from tests.conftest import load_config

SITES = Path(__file__).parents[1] / "sites"


def test_the_weekly_site(tmp_path: Path) -> None:
    site = tmp_path / "weekly"
    shutil.copytree(SITES / "jekyll-weekly", site)
    engine = jekyll.read(site)
    assert engine is not None and engine.name == "jekyll"
    assert engine.site["base_url"].value == "https://bench-press.example/weekly"
    assert engine.site["title"].value == "Bench Press Weekly"              # `name:` when there is no title
    assert (engine.site["author"].value, engine.site["email"].value) == ("Mara Lind", "mara@bench-press.example")
    assert engine.site["timezone"].value == "America/New_York"
    assert engine.site["language"].value == "en-US"
    assert dict(engine.permalinks) == {"": "/news/:year/:month/:day/:title/"}
    assert engine.variables["version"] == "4.2.1" and engine.variables["baseurl"] == "/weekly"
    assert engine.authors["tomas"].name == "Tomás Berg"
    assert engine.authors["tomas"].url == "https://bench-press.example/people/tomas/"
    assert [d["path"] for d in engine.defaults] == ["", "_posts/releases"]
    assert engine.files == ("_config.yml", "_data/authors.yml")


@pytest.mark.parametrize(("value", "pattern"), [
    ("date", "/:categories/:year/:month/:day/:title:output_ext"),
    ("pretty", "/:categories/:year/:month/:day/:title/"),
    ("ordinal", "/:categories/:year/:y_day/:title:output_ext"),
    ("none", "/:categories/:title:output_ext"),
    ("/blog/:slug", "/blog/:slug"),
])
def test_permalink_styles(tmp_path: Path, value: str, pattern: str) -> None:
    (tmp_path / "_config.yml").write_text(f"permalink: {value}\n")
    engine = jekyll.read(tmp_path)
    assert engine is not None and engine.permalinks[""] == pattern


def test_the_posts_collection_permalink_wins(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("permalink: pretty\ncollections:\n  posts:\n    permalink: /p/:title/\n")
    engine = jekyll.read(tmp_path)
    assert engine is not None and engine.permalinks[""] == "/p/:title/"


def test_defaults_without_a_config_are_jekylls(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: Plain\n")
    config = load_config(cwd=tmp_path)
    assert config.engine.permalinks[""] == jekyll.STYLES["date"]
    assert config.site.base_url == "" and config.site.title == "Plain"


def test_author_as_text_and_a_bad_url(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("author: Sam Roe\nurl: bench-press.example\ntimezone: Nowhere/Place\n")
    config = load_config(cwd=tmp_path)
    assert config.site.author == "Sam Roe"
    assert config.site.base_url == "" and config.site.timezone == "UTC"
    assert any("url" in note for note in config.engine.notes)
    assert any("Nowhere/Place" in note for note in config.engine.notes)
