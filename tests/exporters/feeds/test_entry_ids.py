"""Entry ids that survive renames (`aliases`, `redirect_from`, `id`) and domain moves (`[feed] id_base`),
checked in the Atom id, the RSS guid and the JSON Feed id of feeds built with the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import pytest

from publish.feed_ids import old_slug
from tests.conftest import copy_sample, run_publish

BASE = "https://fieldnotes.example"
OLD = "le-carnet-du-cafe"
OLD_URL = f"{BASE}/blog/{OLD}/"


def _feed(site: Path) -> str:
    result = run_publish(site, "feed", env={"COLUMNS": "1000"})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def _ids(output: Path, url: str, folder: str = "") -> tuple[str, str, str]:
    """(Atom id, RSS guid, JSON Feed id) of the entry linking to `url`."""
    atom = next(e.id for e in feedparser.parse(output / folder / "atom.xml").entries if e.link == url)
    rss = next(e.id for e in feedparser.parse(output / folder / "rss.xml").entries if e.link == url)
    items = json.loads((output / folder / "feed.json").read_text(encoding="utf-8"))["items"]
    return atom, rss, next(i["id"] for i in items if i["url"] == url)


def _rename(site: Path, new_slug: str, front: str) -> None:
    """Move the article to a new file name (a new slug and URL), adding `front` to its front matter."""
    source = site / "content" / f"{OLD}.md"
    text = source.read_text(encoding="utf-8")
    source.unlink()
    (site / "content" / f"{new_slug}.md").write_text(text.replace("---\n", f"---\n{front}\n", 1), encoding="utf-8")


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    site = copy_sample(tmp_path_factory.mktemp("ids") / "site")
    _feed(site)
    ids = _ids(site / "output", OLD_URL)
    assert ids[0] == ids[1] == ids[2] and ids[0].startswith("urn:uuid:")
    assert _ids(site / "output", OLD_URL, "tags/writing") == ids
    return ids


@pytest.mark.parametrize("front", [
    f'aliases: ["/blog/{OLD}/"]',
    f"aliases:\n  - /blog/{OLD}/\n  - /notes/older-still/",
    f"redirect_from: /2025/02/14/{OLD}.html",
    f"redirect_from:\n  - {BASE}/blog/{OLD}/index.html",
    f"id: {OLD}",
])
def test_a_renamed_article_keeps_its_ids(tmp_path: Path, original: tuple[str, str, str], front: str) -> None:
    site = copy_sample(tmp_path / "site")
    _rename(site, "morning-notebook", front)
    _feed(site)
    moved = f"{BASE}/blog/morning-notebook/"
    assert _ids(site / "output", moved) == original
    assert _ids(site / "output", moved, "tags/writing") == original
    assert _ids(site / "output", moved, "tags/cafe-culture") == original


def test_without_an_alias_the_id_changes(tmp_path: Path, original: tuple[str, str, str]) -> None:
    site = copy_sample(tmp_path / "site")
    _rename(site, "morning-notebook", "")
    _feed(site)
    assert _ids(site / "output", f"{BASE}/blog/morning-notebook/")[0] != original[0]


def test_an_explicit_id_wins_and_an_iri_is_kept_as_written(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    _rename(site, "morning-notebook", 'id: "tag:fieldnotes.example,2025:carnet"\naliases: ["/blog/elsewhere/"]')
    _feed(site)
    assert set(_ids(site / "output", f"{BASE}/blog/morning-notebook/")) == {"tag:fieldnotes.example,2025:carnet"}


def test_a_number_as_id_is_not_a_feed_id(tmp_path: Path, original: tuple[str, str, str]) -> None:
    """Imports from databases leave `id: 1234` behind: that must not change the article's feed id."""
    site = copy_sample(tmp_path / "site")
    source = site / "content" / f"{OLD}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("---\n", "---\nid: 1234\n", 1), encoding="utf-8")
    _feed(site)
    assert _ids(site / "output", OLD_URL) == original


def test_id_base_keeps_every_id_across_a_domain_move(tmp_path: Path, original: tuple[str, str, str]) -> None:
    site = copy_sample(tmp_path / "site")
    config = site / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(BASE, "https://notes.example.org"), encoding="utf-8")
    _feed(site)
    moved_url = "https://notes.example.org/blog/le-carnet-du-cafe/"
    assert _ids(site / "output", moved_url)[0] != original[0]           # a new domain, new ids ...
    with config.open("a", encoding="utf-8") as handle:
        handle.write(f'\n[feed]\nid_base = "{BASE}"\n')
    _feed(site)
    assert _ids(site / "output", moved_url) == original                  # ... unless id_base keeps them
    atom = feedparser.parse(site / "output" / "atom.xml")
    assert atom.feed.id == f"{BASE}/atom.xml"                            # the feed's own id too
    assert {link.href for link in atom.feed.links if link.rel == "self"} == {"https://notes.example.org/atom.xml"}


def test_id_base_must_be_a_url(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    with (site / "publish.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[feed]\nid_base = "fieldnotes.example"\n')
    result = run_publish(site, "feed")
    assert result.returncode == 2
    assert "feed.id_base" in result.stderr and "https://" in result.stderr


def test_two_articles_claiming_one_id_are_reported(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    source = site / "content" / "unicode-in-print.md"
    source.write_text(source.read_text(encoding="utf-8").replace("---\n", f"---\naliases: [/blog/{OLD}/]\n", 1),
                      encoding="utf-8")
    output = _feed(site)
    assert re.search(r"articles 'le-carnet-du-cafe', 'unicode-in-print' share the feed id urn:uuid:\S+", output)


def test_aliases_that_are_not_paths_are_reported(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    source = site / "content" / f"{OLD}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("---\n", "---\naliases: [42, '']\n", 1),
                      encoding="utf-8")
    result = run_publish(site, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "aliases: 42 is not a web path; ignored" in result.stdout + result.stderr


@pytest.mark.parametrize(("path", "slug"), [
    ("/blog/old-slug/", "old-slug"),
    ("/blog/old-slug", "old-slug"),
    ("old-slug", "old-slug"),
    ("/2019/08/08/old-slug.html", "old-slug"),
    ("/posts/old-slug/index.html", "old-slug"),
    ("https://old.example/blog/old-slug/?utm=x#top", "old-slug"),
    ("/blog/caf%C3%A9/", "café"),
    ("/", ""),
    ("", ""),
])
def test_the_old_slug_is_the_last_segment_of_the_old_path(path: str, slug: str) -> None:
    assert old_slug(path) == slug
