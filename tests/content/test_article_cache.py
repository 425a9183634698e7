"""article_cache.py through the loader: what is reused, what is processed again, and safety."""

from __future__ import annotations

import pickle
from pathlib import Path

from PIL import Image as PILImage

from publish.content.loader import Loaded, load
from tests.conftest import load_config, write_article

LINKING = """---
title: Linking
excerpt: Links to a sibling that may not exist yet.
publishDate: 2024-03-01
seo:
  image:
    src: /cover.png
    alt: A square
---
See [the other one](other.md) and ![a figure](/figure.png).
"""

OTHER = """---
title: The Other One
excerpt: Now it exists.
publishDate: 2024-03-02
---
Hello.
"""


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "content" / "public").mkdir(parents=True)
    (site / "publish.toml").write_text('[site]\ntitle = "T"\nbase_url = "https://t.example"\n')
    PILImage.new("RGB", (40, 40), "teal").save(site / "content" / "public" / "cover.png")
    write_article(site, "linking.md", LINKING)
    return site


def _load(site: Path) -> Loaded:
    return load(load_config(cwd=site), jobs=2)


def _entries(site: Path) -> list[Path]:
    return sorted((site / "output" / ".publish" / "articles").glob("*.pickle"))


def test_an_unchanged_site_is_taken_from_the_cache_and_is_identical(sample_site: Path) -> None:
    first = _load(sample_site)
    assert first.reused == 0 and _entries(sample_site)
    second = _load(sample_site)
    assert second.reused == len(first.collection) + len(first.skipped)
    assert second.collection == first.collection
    assert second.skipped == first.skipped
    assert second.problems == first.problems
    for before, after in zip(first.collection, second.collection, strict=True):
        assert after.published.tzinfo == before.published.tzinfo       # the zone itself, not an offset


def test_warnings_are_reported_again_from_the_cache(tmp_path: Path) -> None:
    site = _site(tmp_path)
    first = _load(site)
    second = _load(site)
    assert second.reused == 1
    assert [p.message for p in second.problems] == [p.message for p in first.problems]
    assert any("figure.png" in p.message for p in second.problems)


def test_a_changed_image_an_image_that_appears_and_a_new_sibling_are_seen(tmp_path: Path) -> None:
    site = _site(tmp_path)
    first = _load(site).collection.get("linking")
    assert first is not None and first.links == () and "figure.png" not in first.images

    PILImage.new("RGB", (40, 40), "orange").save(site / "content" / "public" / "cover.png")
    recolored = _load(site)
    article = recolored.collection.get("linking")
    assert recolored.reused == 0 and article is not None
    assert article.cover is not None and first.cover is not None
    assert article.cover.digest != first.cover.digest and article.digest != first.digest

    PILImage.new("RGB", (80, 20), "navy").save(site / "content" / "public" / "figure.png")
    with_figure = _load(site)
    assert with_figure.reused == 0
    assert "/figure.png" in with_figure.collection.get("linking").images  # type: ignore[union-attr]

    write_article(site, "other.md", OTHER)
    with_sibling = _load(site)
    assert with_sibling.reused == 0
    assert with_sibling.collection.get("linking").links == ("other",)  # type: ignore[union-attr]


def test_a_configuration_change_processes_every_article_again(tmp_path: Path) -> None:
    site = _site(tmp_path)
    _load(site)
    config = site / "publish.toml"
    config.write_text(config.read_text().replace("https://t.example", "https://other.example"))
    again = _load(site)
    assert again.reused == 0
    assert again.collection.get("linking").url.startswith("https://other.example/")  # type: ignore[union-attr]


def test_corrupt_entries_are_misses_and_stale_ones_are_pruned(tmp_path: Path) -> None:
    site = _site(tmp_path)
    expected = _load(site).collection
    (entry,) = _entries(site)
    entry.write_bytes(entry.read_bytes()[:50])
    again = _load(site)
    assert again.reused == 0 and again.collection == expected
    assert _load(site).reused == 1                                   # rewritten whole

    write_article(site, "linking.md", LINKING.replace("Links to", "Still links to"))
    _load(site)
    assert len(_entries(site)) == 1                                  # the old entry is gone


class _Planted:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("PLANTED-CODE-RAN",))


def test_a_planted_pickle_cannot_run_code(tmp_path: Path, capsys: object) -> None:
    site = _site(tmp_path)
    expected = _load(site).collection
    (entry,) = _entries(site)
    entry.write_bytes(pickle.dumps(_Planted()))
    again = _load(site)
    assert "PLANTED-CODE-RAN" not in capsys.readouterr().out  # type: ignore[attr-defined]
    assert again.reused == 0 and again.collection == expected


def test_check_does_not_write_the_cache(tmp_path: Path) -> None:
    site = _site(tmp_path)
    load(load_config(cwd=site), write_cache=False)
    assert _entries(site) == []
