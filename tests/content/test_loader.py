"""The loader on real files: every bad-input case of the Foundation issue, dialect basics, safety."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from publish.content.loader import Loaded, load
from tests.conftest import load_config, write_article

GOOD = """---
title: A good article
excerpt: Fine.
publishDate: 'Feb 18 2024'
tags: [Alpha, Beta]
---
Body text.
"""


def _load(site: Path, **kwargs: object) -> Loaded:
    return load(load_config(cwd=site), **kwargs)  # type: ignore[arg-type]


def _problems(loaded: Loaded, name: str) -> list[str]:
    return [p.message for p in loaded.problems if p.path is not None and p.path.name == name]


def test_sample_site_loads_cleanly(sample_site: Path) -> None:
    loaded = _load(sample_site)
    assert loaded.problems == []
    slugs = {a.slug for a in loaded.collection}
    assert "the-measure-of-a-line" in slugs and len(slugs) >= 6
    assert [why for _, why in loaded.skipped] == ["draft"]
    dates = [a.published for a in loaded.collection]
    assert dates == sorted(dates, reverse=True)
    for article in loaded.collection:
        assert article.published.tzinfo is not None
        assert article.cover is not None and article.cover.alt
        assert article.url.startswith("https://fieldnotes.example/blog/")
        assert "<h1" not in article.body_html
        assert article.word_count > 300 and article.reading_minutes >= 1
    assert any(a.featured for a in loaded.collection)
    assert loaded.collection.get("le-carnet-du-cafe").language == "fr"  # type: ignore[union-attr]
    shared = [t for t in loaded.collection.tags
              if sum(t in a.tags for a in loaded.collection) >= 2]
    assert len(shared) >= 3


def test_seed_article(seed_site: Path) -> None:
    loaded = _load(seed_site)
    assert [p for p in loaded.problems if p.path is not None] == []      # site-wide facts aside (no sender)
    (article,) = loaded.collection.articles
    assert article.slug == "generative-ai"
    assert article.published == datetime(2024, 2, 18, tzinfo=UTC)
    assert article.featured
    assert [t.slug for t in article.tags] == ["generative-ai", "artificial-intelligence"]
    assert article.cover is not None and article.cover.format == "WEBP"
    assert article.cover.alt == "An image of a generated lightbulb with an office background"
    # The seed jumps from its title to ###: body headings now start at h2 and never skip a level.
    levels = [h.level for h in article.headings]
    assert levels[0] == 2
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    assert article.headings[0].text == "Key Takeaways" and article.headings[0].id == "key-takeaways"
    # The hero image repeated as the body's first line is dropped: every format shows the cover.
    assert not article.body_html.lstrip().startswith("<p><img")


def test_footnotes_heading_does_not_collide(sample_site: Path) -> None:
    article = _load(sample_site).collection.get("footnotes-sidenotes-and-asides")
    assert article is not None
    ids = [h.id for h in article.headings]
    assert "footnotes" not in ids and "footnotes-section" in ids
    assert article.body_html.count('id="footnotes"') == 1


def test_links_between_articles_are_canonical(sample_site: Path) -> None:
    collection = _load(sample_site).collection
    article = collection.get("the-measure-of-a-line")
    assert article is not None
    assert set(article.links) == {"footnotes-sidenotes-and-asides", "unicode-in-print"}
    # written as ./unicode-in-print.md: now the article's own URL, which works in every format
    assert 'href="https://fieldnotes.example/blog/unicode-in-print/"' in article.body_html
    assert ".md\"" not in article.body_html


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("malformed.md", "---\ntitle: x\ntags: [a, b\npublishDate: 'Feb 18 2024'\n---\nBody\n", "line "),
    ("no-title.md", "---\npublishDate: 'Feb 18 2024'\n---\nBody\n", "missing title"),
    ("feb-30.md", "---\ntitle: T\npublishDate: 'Feb 30 2024'\n---\nBody\n", "not a real date"),
    ("iso-feb-30.md", "---\ntitle: T\npublishDate: 2024-02-30\n---\nBody\n", "not a real date"),
    ("empty.md", "", "empty"),
    ("whitespace.md", "  \n\n", "empty"),
    ("no-date.md", "---\ntitle: T\n---\nBody\n", "missing publish date"),
    ("unclosed.md", "---\ntitle: T\npublishDate: 'Feb 18 2024'\nBody\n", "never closed"),
    ("list.md", "---\n- a\n- b\n---\nBody\n", "must be a mapping"),
    ("bad-slug.md", "---\ntitle: T\npublishDate: 'Feb 18 2024'\nslug: ../../etc\n---\nBody\n", "safe path segment"),
    ("bad-draft.md", "---\ntitle: T\npublishDate: 'Feb 18 2024'\ndraft: maybe\n---\nBody\n", "true or false"),
    ("bad-toml.md", "+++\ntitle = \n+++\nBody\n", "not valid TOML"),
])
def test_bad_articles_are_named_and_others_still_load(sample_site: Path, name: str, text: str,
                                                      expected: str) -> None:
    write_article(sample_site, name, text)
    loaded = _load(sample_site)
    messages = _problems(loaded, name)
    assert len(messages) == 1 and expected in messages[0], messages
    assert all(p.severity == "error" for p in loaded.problems if p.path and p.path.name == name)
    assert len(loaded.collection) == 7                     # the sample articles are all still there


def test_yaml_error_has_the_file_line(sample_site: Path) -> None:
    write_article(sample_site, "broken.md", "---\ntitle: ok\nexcerpt: fine\ntags: [a, b\n---\nBody\n")
    (message,) = _problems(_load(sample_site), "broken.md")
    assert message.startswith("line ") and "not valid YAML" in message
    assert int(message.split()[1].rstrip(":")) in (4, 5)


def test_non_utf8_bytes(sample_site: Path) -> None:
    path = sample_site / "content" / "latin1.md"
    path.write_bytes("---\ntitle: Caf\xe9\npublishDate: 'Feb 18 2024'\n---\nBody\n".encode("latin-1"))
    (message,) = _problems(_load(sample_site), "latin1.md")
    assert "not UTF-8" in message and "line 2" in message and "save the file as UTF-8" in message


def test_duplicate_slug(sample_site: Path) -> None:
    write_article(sample_site, "sub/the-measure-of-a-line.md", GOOD)
    loaded = _load(sample_site)
    (message,) = _problems(loaded, "the-measure-of-a-line.md")
    assert "duplicate slug 'the-measure-of-a-line'" in message
    assert loaded.collection.get("the-measure-of-a-line").title == "The Measure of a Line"  # type: ignore[union-attr]


def test_slug_field_and_jekyll_names(tmp_path: Path) -> None:
    write_article(tmp_path, "whatever.md", GOOD.replace("tags:", "slug: chosen-slug\ntags:"))
    write_article(tmp_path, "_posts/2023-08-05-jekyll-post.md", "---\ntitle: J\nlayout: post\n---\nBody\n")
    write_article(tmp_path, "bundle/index.md", GOOD)
    collection = _load(tmp_path).collection
    assert {a.slug for a in collection} == {"chosen-slug", "jekyll-post", "bundle"}
    jekyll = collection.get("jekyll-post")
    assert jekyll is not None and jekyll.published.date().isoformat() == "2023-08-05"
    assert "layout" not in jekyll.extra


def test_extra_keeps_unknown_keys(tmp_path: Path) -> None:
    write_article(tmp_path, "a.md", GOOD.replace("tags:", "series: Deep dives\nrating: 5\ntags:"))
    article = _load(tmp_path).collection.articles[0]
    assert dict(article.extra) == {"series": "Deep dives", "rating": 5}
    with pytest.raises(TypeError):
        article.extra["x"] = 1  # type: ignore[index]


def test_drafts_and_future(tmp_path: Path) -> None:
    write_article(tmp_path, "draft.md", GOOD.replace("tags:", "draft: true\ntags:"))
    write_article(tmp_path, "future.md", GOOD.replace("Feb 18 2024", "Jan 1 2999"))
    write_article(tmp_path, "now.md", GOOD)
    assert [a.slug for a in _load(tmp_path).collection] == ["now"]
    assert {a.slug for a in _load(tmp_path, drafts=True).collection} == {"now", "draft"}
    assert {a.slug for a in _load(tmp_path, future=True).collection} == {"now", "future"}


def test_excerpt_falls_back_to_first_paragraph(tmp_path: Path) -> None:
    long_paragraph = "word " * 120
    write_article(tmp_path, "a.md", f"---\ntitle: T\ndate: 2024-01-02\n---\n## Heading\n\n{long_paragraph}\n\nSecond.\n")
    article = _load(tmp_path).collection.articles[0]
    assert article.excerpt.startswith("word word") and article.excerpt.endswith("…")
    assert len(article.excerpt) <= 281


def test_tags_get_display_names_and_slugs(tmp_path: Path) -> None:
    write_article(tmp_path, "a.md", GOOD.replace("[Alpha, Beta]", "[Café Culture, 'C++', café culture, 42]"))
    article = _load(tmp_path).collection.articles[0]
    assert [(t.name, t.slug) for t in article.tags] == [("Café Culture", "cafe-culture"), ("C++", "c"), ("42", "42")]


def test_images_outside_the_site_are_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    secret = tmp_path / "secret.png"
    from PIL import Image

    Image.new("RGB", (10, 10), "red").save(secret)
    write_article(site, "a.md", GOOD.replace("tags:", "image: ../../secret.png\ntags:") +
                  "\n![leak](../../secret.png)\n\n![abs](file:///etc/passwd)\n")
    loaded = _load(site)
    article = loaded.collection.articles[0]
    assert article.cover is None and not article.images
    messages = " ".join(_problems(loaded, "a.md"))
    assert "outside the site folders" in messages
    assert "secret" not in article.body_html and "passwd" not in article.body_html


def test_symlinked_article_outside_the_site_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(GOOD)
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    os.symlink(outside, site / "content" / "linked.md")
    loaded = _load(site)
    assert len(loaded.collection) == 0
    assert "outside the site folders" in _problems(loaded, "linked.md")[0]


def test_cover_resolution_public_and_relative(tmp_path: Path) -> None:
    from PIL import Image

    (tmp_path / "content" / "public").mkdir(parents=True)
    Image.new("RGB", (40, 20), "blue").save(tmp_path / "content" / "public" / "hero.webp")
    (tmp_path / "content" / "post").mkdir()
    Image.new("RGB", (20, 40), "green").save(tmp_path / "content" / "post" / "cover.png")
    write_article(tmp_path, "a.md", GOOD.replace("tags:", "seo:\n  image:\n    src: /hero.webp\n    alt: Blue\ntags:"))
    write_article(tmp_path, "post/index.md", GOOD.replace("tags:", "image: ./cover.png\ntags:"))
    collection = _load(tmp_path).collection
    a, post = collection.get("a"), collection.get("post")
    assert a is not None and a.cover is not None and (a.cover.width, a.cover.format, a.cover.alt) == (40, "WEBP", "Blue")
    assert post is not None and post.cover is not None and post.cover.height == 40


@pytest.mark.parametrize(("content", "expected"), [
    (b"not an image at all", "not a readable image"),
    (b"", "not a readable image"),
])
def test_bad_cover_is_a_warning_not_a_failure(tmp_path: Path, content: bytes, expected: str) -> None:
    (tmp_path / "content" / "public").mkdir(parents=True)
    (tmp_path / "content" / "public" / "fake.jpg").write_bytes(content)
    write_article(tmp_path, "a.md", GOOD.replace("tags:", "image: /fake.jpg\ntags:"))
    loaded = _load(tmp_path)
    assert len(loaded.collection) == 1 and loaded.collection.articles[0].cover is None
    (message,) = _problems(loaded, "a.md")
    assert expected in message and "without a cover" in message


def test_control_characters_are_removed(tmp_path: Path) -> None:
    write_article(tmp_path, "a.md", GOOD.replace("A good article", "Bell\x07 and \x1b[31mescape") + "\nText\x0b here.\n")
    loaded = _load(tmp_path)
    article = loaded.collection.articles[0]
    assert article.title == "Bell and [31mescape"
    assert "\x0b" not in article.body_html
    assert any("control character" in m for m in _problems(loaded, "a.md"))


HOSTILE_TEXT = r"""---
title: "T\e[31mitle\x9b\uFFFE\uFDD0"
excerpt: "Ex\e[0mcerpt\x85"
publishDate: 'Feb 18 2024'
tags: ["Ta\e[1mg", "Non\uFDD0char"]
seo:
  image:
    src: /hero.png
    alt: "Cover\e[5m alt\x9b"
mood: ["ext\e[7mra", {nested: "val\x9bue"}]
---
Body @ESC@[2J with C1 @CSI@ and @FFFE@ @FDD0@ @PLANE@, CR@CR@LF and references &#27;[0m &#x9b; &#xFFFE; &#xD800;.

## Head&#27;ing @ESC@[1m

![Alt @ESC@ and &#x9b; text](/hero.png)
"""


def test_control_characters_never_leave_the_loader(tmp_path: Path) -> None:
    from dataclasses import fields

    from PIL import Image

    from publish.html import CONTROLS

    (tmp_path / "content" / "public").mkdir(parents=True)
    Image.new("RGB", (20, 20), "red").save(tmp_path / "content" / "public" / "hero.png")
    text = HOSTILE_TEXT
    for marker, char in (("@ESC@", "\x1b"), ("@CSI@", "\x9b"), ("@FFFE@", "\ufffe"), ("@FDD0@", "\ufdd0"),
                         ("@PLANE@", "\U0010ffff"), ("@CR@", "\r")):
        text = text.replace(marker, char)
    write_article(tmp_path, "a.md", text)
    loaded = _load(tmp_path)
    (article,) = loaded.collection.articles

    def texts(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [t for k, v in value.items() for t in texts(k) + texts(v)]
        if isinstance(value, (list, tuple)):
            return [t for v in value for t in texts(v)]
        if hasattr(value, "__dataclass_fields__"):
            return [t for f in fields(value) for t in texts(getattr(value, f.name))]  # type: ignore[arg-type]
        return []

    everything = texts(article)
    assert [t for t in everything if CONTROLS.search(t)] == []
    assert article.title == "T[31mitle" and article.excerpt == "Ex[0mcerpt"
    assert [t.name for t in article.tags] == ["Ta[1mg", "Nonchar"]
    assert article.cover is not None and article.cover.alt == "Cover[5m alt"
    assert article.extra["mood"] == ["ext[7mra", {"nested": "value"}]
    assert article.headings[0].text == "Heading [1m"
    assert 'alt="Alt and  text"' in article.body_html
    assert "Body [2J with C1 and" in article.body_html and "CR LF and references" in article.body_html
    (warning,) = [m for m in _problems(loaded, "a.md") if "control character" in m]
    assert warning.startswith("removed ")


def test_line_ends_are_normalised_without_a_warning(tmp_path: Path) -> None:
    write_article(tmp_path, "a.md", GOOD.replace("\n", "\r\n"))
    loaded = _load(tmp_path)
    about_the_article = [p for p in loaded.problems if p.path is not None]      # not the site-wide facts
    assert about_the_article == [] and loaded.collection.articles[0].title == "A good article"


def test_raw_html_is_sanitized(tmp_path: Path) -> None:
    write_article(tmp_path, "a.md", GOOD + '\n<script>alert(1)</script>\n\n<p onclick="x()">Hi <a href="javascript:alert(1)">'
                  'j</a></p>\n\n<iframe src="https://evil.example"></iframe>\n\n<form><input name=a></form>\n\n'
                  '<style>body{}</style>\n\n<link rel="stylesheet" href="https://evil.example/x.css">\n')
    html = _load(tmp_path).collection.articles[0].body_html
    for bad in ("<script", "onclick", "javascript:", "<iframe", "<form", "<input", "<style", "<link", "alert"):
        assert bad not in html
    assert "Hi" in html


def test_missing_content_folder_is_an_error(tmp_path: Path) -> None:
    from publish.errors import ContentError

    with pytest.raises(ContentError, match="content folder not found"):
        _load(tmp_path)


def test_pandoc_runs_once_per_article_and_is_cached(sample_site: Path) -> None:
    config = load_config(cwd=sample_site)
    load(config)
    cache = sorted((config.output_dir / ".publish" / "html").iterdir())
    assert len(cache) == 8
    stamps = [p.stat().st_mtime_ns for p in cache]
    load(config)
    assert [p.stat().st_mtime_ns for p in sorted((config.output_dir / ".publish" / "html").iterdir())] == stamps


def test_a_second_load_reads_again_only_what_changed(tmp_path: Path) -> None:
    """Watch mode's rebuilds: unchanged files' front matter is taken from the last load in this
    process; an edit (even keeping the size), a new file or a configuration change reads again."""
    from publish.content import loader

    site = tmp_path
    for name in ("one.md", "two.md"):
        write_article(site, name, f"---\ntitle: {name}\npublishDate: 2024-01-02\n---\n\nText.\n")
    old = datetime.now(UTC).timestamp() - 3600
    for path in (site / "content").iterdir():
        os.utime(path, (old, old))
    config = load_config(cwd=site)
    first = {a.slug: a for a in load(config, write_cache=False).collection}
    assert set(loader._DRAFTS) and all(d.title in ("one.md", "two.md") for d in loader._DRAFTS.values())
    kept = {key[0]: draft for key, draft in loader._DRAFTS.items()}

    path = site / "content" / "one.md"
    path.write_text(path.read_text(encoding="utf-8").replace("one.md", "ONE.md"), encoding="utf-8")
    os.utime(path, (old + 1, old + 1))
    second = {a.slug: a for a in load(config, write_cache=False).collection}
    assert second["one"].title == "ONE.md" and second["two"].title == "two.md"
    again = {key[0]: draft for key, draft in loader._DRAFTS.items()}
    assert again[str(site / "content" / "two.md")] is kept[str(site / "content" / "two.md")]
    assert again[str(path)] is not kept[str(path)]

    path.write_text(path.read_text(encoding="utf-8").replace("ONE.md", "Uno.md"), encoding="utf-8")
    third = {a.slug: a for a in load(config, write_cache=False).collection}   # just written: read, not kept
    assert third["one"].title == "Uno.md" and str(path) not in {key[0] for key in loader._DRAFTS}
    assert first.keys() == second.keys() == third.keys()
