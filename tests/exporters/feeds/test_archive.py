"""RFC 5005 archived feeds on the sample site, built as users build it (`publish feed`) with a small
`[feed] limit`: the current feeds hold `limit` entries, the `prev-archive` chain (JSON Feed: `next_url`)
holds every other article exactly once, complete pages never change when articles are added, and
pages the content no longer makes are removed."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from publish.content.loader import load
from publish.feed_files import archive_number, newer_page
from publish.model import Collection
from tests.conftest import JUDGE, copy_sample, load_config, needs_judge, run_publish, write_article

BASE = "https://fieldnotes.example"
FILES = ("rss.xml", "atom.xml", "feed.json")
ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
LIMIT = 3

NEW_ARTICLE = """---
title: "A Note Written Later"
excerpt: "One more article, published after all the others."
publishDate: 2026-01-02
tags:
  - Writing
---

A short article that arrives after the archive pages were made.
"""


def _feed(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_publish(site, "-v", "feed", *args, env={"COLUMNS": "1000"})
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _site(path: Path, limit: int = LIMIT) -> Path:
    site = copy_sample(path)
    with (site / "publish.toml").open("a", encoding="utf-8") as handle:
        handle.write(f"\n[feed]\nlimit = {limit}\n")
    return site


def _local(output: Path, url: str) -> Path:
    assert url.startswith(f"{BASE}/"), url
    return output / url.removeprefix(f"{BASE}/")


def _xml_chain(output: Path, current: str) -> list[tuple[Path, etree._Element]]:
    """The documents from the current feed down the prev-archive links, checking the links both ways."""
    chain = []
    path: Path | None = output / current
    while path is not None:
        raw = path.read_bytes()
        parsed = feedparser.parse(raw)
        assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
        root = etree.fromstring(raw)                          # strict XML, no recovery
        chain.append((path, root))
        assert len(chain) < 50, "the prev-archive links loop"
        prev = _links(root).get("prev-archive")
        path = _local(output, prev) if prev else None
    return chain


def _links(root: etree._Element) -> dict[str, str]:
    channel = root.find("channel")
    parent = channel if channel is not None else root
    return {link.get("rel"): link.get("href") for link in parent.findall(f"{ATOM}link")}


def _ids(root: etree._Element) -> list[str]:
    if root.tag == "rss":
        return [item.findtext("guid") for item in root.iter("item")]
    return [entry.findtext(f"{ATOM}id") for entry in root.iter(f"{ATOM}entry")]


def _json_chain(output: Path, current: str) -> list[dict]:  # type: ignore[type-arg]
    pages, path = [], output / current
    while True:
        page = json.loads(path.read_text(encoding="utf-8"))
        pages.append(page)
        assert len(pages) < 50, "the next_url links loop"
        if "next_url" not in page:
            return pages
        assert page["next_url"] != page["feed_url"]
        path = _local(output, page["next_url"])


def _snapshot(output: Path) -> dict[str, str]:
    return {p.relative_to(output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(output.rglob("*"))
            if p.is_file() and ".publish" not in p.parts and p.suffix not in (".gz", ".br")}   # twins: test_precompress


def _expected_ids(collection: Collection, tag: str | None = None) -> list[str]:
    """Every published article's id, newest first, as the unlimited site feed (limit 20) gives them."""
    from publish.feed_ids import entry_id

    return [entry_id(a, BASE) for a in collection.articles if tag is None or any(t.slug == tag for t in a.tags)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = _site(tmp_path_factory.mktemp("archive") / "site")
    _feed(built)
    return built


@pytest.fixture(scope="module")
def output(site: Path) -> Path:
    return site / "output"


@pytest.fixture(scope="module")
def collection(site: Path) -> Collection:
    return load(load_config(cwd=site), write_cache=False).collection


# --- the chain ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_current_feed_holds_limit_and_the_chain_holds_every_other_article_once(
        output: Path, collection: Collection, name: str) -> None:
    chain = _xml_chain(output, name)
    current, *archive = chain
    assert len(_ids(current[1])) == LIMIT
    assert archive, "7 articles with limit 3 need archive pages"
    assert current[1].find(f".//{FH}archive") is None
    every = [i for _, root in chain for i in _ids(root)]
    assert every == _expected_ids(collection)                 # each article once, newest first
    for path, root in archive:
        assert root.find(f".//{FH}archive") is not None, path
        links = _links(root)
        assert links["current"] == f"{BASE}/{name}"
        assert links["self"] == f"{BASE}/{path.relative_to(output).as_posix()}"
        assert len(_ids(root)) <= LIMIT
    assert "hub" not in _links(current[1])                    # no websub_hub configured
    assert [p.relative_to(output).as_posix() for p, _ in archive] == [f"archive/2/{name}", f"archive/1/{name}"]


def test_pages_are_counted_from_the_oldest_article(output: Path, collection: Collection) -> None:
    oldest_first = list(reversed(_expected_ids(collection)))
    page1 = etree.fromstring((output / "archive/1/atom.xml").read_bytes())
    assert list(reversed(_ids(page1))) == oldest_first[:LIMIT]
    page2 = etree.fromstring((output / "archive/2/atom.xml").read_bytes())
    assert _ids(page2) == [oldest_first[LIMIT]]


def test_next_archive_links_run_the_other_way(output: Path) -> None:
    for name in ("atom.xml", "rss.xml"):
        page1 = _links(etree.fromstring((output / "archive/1" / name).read_bytes()))
        page2 = _links(etree.fromstring((output / "archive/2" / name).read_bytes()))
        assert page1["next-archive"] == page2["self"] and page2["prev-archive"] == page1["self"]
        assert "prev-archive" not in page1 and "next-archive" not in page2      # the oldest; the newest


def test_json_feed_pages_are_chained_with_next_url(output: Path, collection: Collection) -> None:
    pages = _json_chain(output, "feed.json")
    assert len(pages[0]["items"]) == LIMIT and len(pages) == 3
    assert [item["id"] for page in pages for item in page["items"]] == _expected_ids(collection)
    for page in pages:
        assert page["feed_url"] == f"{BASE}/feed.json"       # the feed a reader subscribes to
        assert page["version"] == "https://jsonfeed.org/version/1.1" and "hubs" not in page
    assert pages[0]["next_url"] == f"{BASE}/archive/2/feed.json"


def test_tag_feeds_are_archived_the_same_way(output: Path, collection: Collection) -> None:
    archived_tags = 0
    for tag in collection.tags:
        expected = _expected_ids(collection, tag.slug)
        folder = f"tags/{tag.slug}/"
        for name in ("atom.xml", "rss.xml"):
            chain = _xml_chain(output, folder + name)
            assert len(_ids(chain[0][1])) == min(LIMIT, len(expected))
            assert [i for _, root in chain for i in _ids(root)] == expected, (tag, name)
            for path, root in chain[1:]:
                assert root.find(f".//{FH}archive") is not None, path
                assert _links(root)["current"] == f"{BASE}/{folder}{name}"
        pages = _json_chain(output, folder + "feed.json")
        assert [item["id"] for page in pages for item in page["items"]] == expected
        archived_tags += len(chain) > 1
    assert archived_tags >= 2


def test_every_page_is_a_feed_file_with_the_feed_media_type_name(output: Path) -> None:
    pages = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if archive_number(
        p.relative_to(output).as_posix()) is not None)
    assert pages and all(p.rsplit("/", 1)[1] in FILES for p in pages)
    assert {p for p in pages if p.startswith("archive/")} == {f"archive/{n}/{f}" for n in (1, 2) for f in FILES}


@needs_judge
def test_validator_kit_passes_strict_on_every_page(output: Path) -> None:
    result = subprocess.run([sys.executable, str(JUDGE), str(output), "--strict"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "archive/1/atom.xml" in result.stdout and "0 failed" in result.stdout


# --- complete pages never change ----------------------------------------------------------------

def test_a_new_article_leaves_complete_pages_byte_identical(tmp_path: Path, output: Path) -> None:
    site = _site(tmp_path / "site")
    shutil.copytree(output, site / "output")
    before = _snapshot(site / "output")
    write_article(site, "a-note-written-later.md", NEW_ARTICLE)
    result = _feed(site)
    after = _snapshot(site / "output")
    written = {line.split("/output/", 1)[1] for line in result.stdout.splitlines() if line.strip().startswith("wrote ")}
    # 8 articles: current 3, page 1 (complete, untouched), page 2 (now 2 entries): the site's current feeds,
    # its newest page, and the Writing tag's feeds and pages are all that changed.
    assert all(after[f"archive/1/{name}"] == before[f"archive/1/{name}"] for name in FILES)
    assert {f"archive/1/{name}" for name in FILES}.isdisjoint(written)
    site_written = {w for w in written if not w.startswith("tags/")}
    assert site_written == {*FILES, *(f"archive/2/{name}" for name in FILES)}
    assert {w.split("/")[1] for w in written if w.startswith("tags/")} == {"writing"}
    for rel, digest in before.items():
        if after.get(rel) != digest:
            assert rel in written, rel
    complete = [rel for rel in before if archive_number(rel) is not None and newer_page(rel) in before]
    assert complete and all(after[rel] == before[rel] for rel in complete)


def test_a_full_newest_page_is_followed_by_an_empty_one(tmp_path: Path, collection: Collection) -> None:
    """limit 1: six archived articles fill six pages; a seventh, empty page keeps page 6 complete, so adding an
    article later changes no full page."""
    site = _site(tmp_path / "site", limit=1)
    _feed(site)
    out = site / "output"
    chain = _xml_chain(out, "atom.xml")
    assert [len(_ids(root)) for _, root in chain] == [1, 0, 1, 1, 1, 1, 1, 1]
    assert [i for _, root in chain for i in _ids(root)] == _expected_ids(collection)
    empty = etree.fromstring((out / "archive/7/atom.xml").read_bytes())
    assert empty.findtext(f"{ATOM}updated") == etree.fromstring(
        (out / "archive/6/atom.xml").read_bytes()).findtext(f"{ATOM}updated")
    assert _json_chain(out, "feed.json")[1]["items"] == []
    before = _snapshot(out)
    write_article(site, "a-note-written-later.md", NEW_ARTICLE)
    _feed(site)
    after = _snapshot(out)
    changed = {rel for rel in before if after.get(rel) != before[rel] and not rel.startswith(("tags/", "images/"))}
    assert changed == {*FILES, *(f"archive/7/{name}" for name in FILES)}
    assert all(f"archive/8/{name}" in after for name in FILES)


def test_pages_the_content_no_longer_makes_are_removed(tmp_path: Path, output: Path) -> None:
    site = copy_sample(tmp_path / "site")            # limit back to the default, 20: no archive any more
    shutil.copytree(output, site / "output")
    result = _feed(site)
    assert not list((site / "output").rglob("archive"))
    assert f"removed {site / 'output' / 'archive' / '1' / 'atom.xml'}" in result.stdout
    atom = etree.fromstring((site / "output" / "atom.xml").read_bytes())
    assert "prev-archive" not in _links(atom) and len(_ids(atom)) == 7
