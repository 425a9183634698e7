"""The feed exporter on the sample site, run as users run it (`publish feed`), checked with feedparser,
lxml and the project's validator kit: validity, content, per-tag membership, stability, hostile text."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from publish import registry
from publish.content.loader import load
from publish.html import text_of
from publish.model import Collection
from tests.conftest import REPO, copy_sample, load_config, needs_judge, run_publish, write_article

BASE = "https://fieldnotes.example"
FILES = ("rss.xml", "atom.xml", "feed.json")
ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
JUDGE = REPO.parent / "shared" / "tools" / "judge.py"


def _feed(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_publish(site, "-v", "feed", *args, env={"COLUMNS": "1000"})
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _snapshot(output: Path) -> dict[str, str]:
    return {p.relative_to(output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(output.rglob("*"))
            if p.is_file() and ".publish" not in p.parts and p.suffix not in (".gz", ".br")}   # twins: test_precompress


def _feed_files(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*") if p.name in FILES)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = copy_sample(tmp_path_factory.mktemp("feeds") / "site")
    _feed(built)
    return built


@pytest.fixture(scope="module")
def collection(site: Path) -> Collection:
    return load(load_config(cwd=site), write_cache=False).collection


@pytest.fixture(scope="module")
def output(site: Path) -> Path:
    return site / "output"


def _parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)
    assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
    return parsed


def _json(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.read_text(encoding="utf-8"))


# --- validity ---------------------------------------------------------------------------------

def test_site_and_every_tag_have_three_feeds(output: Path, collection: Collection) -> None:
    expected = set(FILES) | {f"tags/{t.slug}/{f}" for t in collection.tags for f in FILES}
    assert {p.relative_to(output).as_posix() for p in _feed_files(output)} == expected
    assert len(collection.tags) >= 5


def test_every_xml_feed_parses_cleanly(output: Path) -> None:
    for path in _feed_files(output):
        if path.suffix != ".xml":
            continue
        parsed = _parse(path)
        assert parsed.version == ("rss20" if path.name == "rss.xml" else "atom10"), path
        etree.fromstring(path.read_bytes())                  # strict XML parser, no recovery


def test_every_json_feed_has_the_required_fields(output: Path) -> None:
    for path in _feed_files(output):
        if path.suffix != ".json":
            continue
        feed = _json(path)
        assert list(feed)[:2] == ["version", "title"]
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["title"] and isinstance(feed["items"], list) and feed["items"]
        assert feed["feed_url"] == f"{BASE}/{path.relative_to(output).as_posix()}"
        assert feed["home_page_url"] == f"{BASE}/"
        assert feed["authors"] == [{"name": "Ada Writer", "url": f"{BASE}/"}]
        assert feed["language"] == "en"
        for item in feed["items"]:
            assert isinstance(item["id"], str) and item["id"].startswith("urn:uuid:")
            assert item["content_html"].startswith("<")
            assert item["url"].startswith(f"{BASE}/blog/")
            assert RFC3339.match(item["date_published"]) and RFC3339.match(item["date_modified"])


@needs_judge
def test_validator_kit_passes_strict(output: Path) -> None:
    result = subprocess.run([sys.executable, str(JUDGE), str(output), "--strict"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout


# --- content against the sample articles --------------------------------------------------------

def test_entries_match_the_articles_newest_first(output: Path, collection: Collection) -> None:
    articles = collection.articles
    assert "newsletters-without-the-noise" not in {a.slug for a in articles}     # a draft
    rss, atom, jf = _parse(output / "rss.xml"), _parse(output / "atom.xml"), _json(output / "feed.json")
    assert len(rss.entries) == len(atom.entries) == len(jf["items"]) == len(articles) == 7
    for article, r, a, j in zip(articles, rss.entries, atom.entries, jf["items"], strict=True):
        assert r.title == a.title == j["title"] == article.title
        assert r.link == a.link == j["url"] == f"{BASE}/blog/{article.slug}/" == article.url
        assert r.id == a.id == j["id"]
        published = article.published.astimezone(UTC).timetuple()[:6]
        assert r.published_parsed[:6] == a.published_parsed[:6] == published
        assert a.updated_parsed[:6] == article.modified.astimezone(UTC).timetuple()[:6]
        assert datetime.fromisoformat(j["date_published"]) == article.published.replace(microsecond=0)
        assert datetime.fromisoformat(j["date_modified"]) == article.modified.replace(microsecond=0)
        names = [t.name for t in article.tags]
        assert [t.label for t in a.tags] == [t.term for t in r.tags] == j["tags"] == names
        assert [t.term for t in a.tags] == [t.slug for t in article.tags]
        assert a.summary == r.summary == j["summary"] == article.excerpt
        assert a.author_detail == {"name": "Ada Writer", "email": "ada@fieldnotes.example"}
        assert r.author == "ada@fieldnotes.example (Ada Writer)"
    published = [datetime.fromisoformat(i["date_published"]) for i in jf["items"]]
    assert published == sorted(published, reverse=True)


def test_unicode_titles_and_entry_language(output: Path) -> None:
    atom = etree.fromstring((output / "atom.xml").read_bytes())
    entry = next(e for e in atom.iter(f"{ATOM}entry") if "carnet" in e.findtext(f"{ATOM}title"))
    assert entry.findtext(f"{ATOM}title") == "Le carnet du café : écrire avant d'ouvrir l'ordinateur"
    assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    item = next(i for i in _json(output / "feed.json")["items"] if "carnet" in i["url"])
    assert item["language"] == "fr" and item["tags"] == ["Café Culture", "Writing"]


def test_per_tag_feeds_hold_exactly_the_tagged_articles(output: Path, collection: Collection) -> None:
    for tag in collection.tags:
        expected = [a.url for a in collection.articles if tag in a.tags]
        folder = output / "tags" / tag.slug
        for name in ("rss.xml", "atom.xml"):
            parsed = _parse(folder / name)
            assert [e.link for e in parsed.entries] == expected, (tag, name)
            assert tag.name in parsed.feed.title
        jf = _json(folder / "feed.json")
        assert [i["url"] for i in jf["items"]] == expected
        assert tag.name in jf["title"]
    cafe = _json(output / "tags" / "cafe-culture" / "feed.json")
    assert [i["url"] for i in cafe["items"]] == [f"{BASE}/blog/le-carnet-du-cafe/"]


def test_same_entry_has_the_same_id_everywhere(output: Path) -> None:
    ids: dict[str, set[str]] = {}
    for path in _feed_files(output):
        if path.suffix == ".json":
            pairs = [(i["url"], i["id"]) for i in _json(path)["items"]]
        else:
            pairs = [(e.link, e.id) for e in _parse(path).entries]
        for url, entry_id in pairs:
            ids.setdefault(url, set()).add(entry_id)
    assert all(len(v) == 1 for v in ids.values()), ids
    assert len({next(iter(v)) for v in ids.values()}) == len(ids)


def test_feed_level_links_and_dates(output: Path, collection: Collection) -> None:
    newest_update = max(a.modified for a in collection.articles).astimezone(UTC).timetuple()[:6]
    rss = etree.fromstring((output / "rss.xml").read_bytes()).find("channel")
    assert rss is not None
    assert rss.findtext("link") == f"{BASE}/"
    assert rss.findtext("title") == "Field Notes" and rss.findtext("language") == "en"
    assert rss.findtext("description").startswith("Essays on writing")
    self_link = rss.find(f"{ATOM}link")
    assert self_link is not None and self_link.get("rel") == "self" and self_link.get("href") == f"{BASE}/rss.xml"
    assert feedparser.parse(output / "rss.xml").feed.updated_parsed[:6] == newest_update   # lastBuildDate
    atom = _parse(output / "atom.xml").feed
    assert atom.updated_parsed[:6] == newest_update
    links = {(link.rel, link.get("type")): link.href for link in atom.links}
    assert links[("self", "application/atom+xml")] == f"{BASE}/atom.xml"
    assert links[("alternate", "text/html")] == f"{BASE}/"
    tag_atom = _parse(output / "tags" / "web" / "atom.xml").feed
    assert {link.href for link in tag_atom.links if link.rel == "self"} == {f"{BASE}/tags/web/atom.xml"}


def test_bodies_are_complete_absolute_and_use_hosted_jpeg_or_png(output: Path, collection: Collection) -> None:
    items = {i["url"]: i for i in _json(output / "feed.json")["items"]}
    for article in collection.articles:
        body = lxml_html.fragment_fromstring(items[article.url]["content_html"], create_parent="div")
        assert len(body.text_content().split()) >= 0.9 * len(text_of(article.body_html).split()), article.slug
        for element in body.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None:
                    assert value.startswith(("https://", "http://", "mailto:")), (article.slug, value)
            assert element.get("role") is None
            if element.tag == "img":
                src = element.get("src")
                assert src.startswith(f"{BASE}/images/") and src.endswith((".jpg", ".png"))
                assert (output / src.removeprefix(f"{BASE}/")).is_file()
                assert element.get("width") and element.get("height")
        assert "<math" not in items[article.url]["content_html"]
    maths = items[f"{BASE}/blog/a-little-math-on-the-page/"]["content_html"]
    assert '<code class="math display">\\int_0^1 x^2\\,dx = \\frac{1}{3}</code>' in maths
    footnotes = items[f"{BASE}/blog/footnotes-sidenotes-and-asides/"]["content_html"]
    assert f'href="{BASE}/blog/footnotes-sidenotes-and-asides/#fn1"' in footnotes


def test_cover_image_as_enclosure_media_and_json_image(output: Path, collection: Collection) -> None:
    rss = {e.link: e for e in _parse(output / "rss.xml").entries}
    atom = {e.link: e for e in _parse(output / "atom.xml").entries}
    items = {i["url"]: i for i in _json(output / "feed.json")["items"]}
    with_cover = [a for a in collection.articles if a.cover is not None]
    assert len(with_cover) == len(collection.articles)
    for article in with_cover:
        (enclosure,) = rss[article.url].enclosures
        url = enclosure.href
        assert url.startswith(f"{BASE}/images/") and url.endswith((".jpg", ".png"))
        hosted = output / url.removeprefix(f"{BASE}/")
        assert int(enclosure.length) == hosted.stat().st_size > 0
        assert enclosure.type == ("image/png" if url.endswith(".png") else "image/jpeg")
        assert hosted.read_bytes()[:3] in (b"\xff\xd8\xff", b"\x89PN")
        (atom_enclosure,) = [link for link in atom[article.url].links if link.rel == "enclosure"]
        assert atom_enclosure.href == url and int(atom_enclosure.length) == hosted.stat().st_size
        assert items[article.url]["image"] == url
        assert rss[article.url].media_content[0]["url"] == url
    webp_cover = next(a for a in collection.articles if a.cover and a.cover.format == "WEBP")
    assert rss[webp_cover.url].enclosures[0].href.endswith(".jpg")


def test_other_formats_are_linked_when_their_exporters_are_installed(output: Path, collection: Collection) -> None:
    found = registry.discover()
    pdf = "pdf" in found and found["pdf"].exporter is not None
    epub = "epub" in found and found["epub"].exporter is not None
    atom = _parse(output / "atom.xml")
    items = _json(output / "feed.json")["items"]
    for article, entry, item in zip(collection.articles, atom.entries, items, strict=True):
        pdf_links = [link.href for link in entry.links if link.get("type") == "application/pdf"]
        attachments = {a["mime_type"]: a["url"] for a in item.get("attachments", [])}
        if pdf:
            assert pdf_links == [f"{BASE}/pdf/{article.slug}.pdf"]
            assert attachments["application/pdf"] == f"{BASE}/pdf/{article.slug}.pdf"
        else:
            assert pdf_links == [] and "application/pdf" not in attachments
        assert ("application/epub+zip" in attachments) == epub
        assert entry.link == article.url                     # the web page stays the main link
    feed_epub = [link for link in atom.feed.links if link.get("type") == "application/epub+zip"]
    assert (feed_epub != []) == epub


# --- stability and incremental builds -----------------------------------------------------------

def test_rebuilding_gives_identical_bytes(site: Path, output: Path, tmp_path: Path) -> None:
    before = _snapshot(output)
    _feed(site, "--force")
    assert _snapshot(output) == before
    elsewhere = copy_sample(tmp_path / "other-place")
    _feed(elsewhere)
    assert _snapshot(elsewhere / "output") == before


def test_editing_one_article_rebuilds_only_the_feeds_holding_it(tmp_path: Path, output: Path) -> None:
    site = copy_sample(tmp_path / "site")
    shutil.copytree(output, site / "output")
    before = _snapshot(site / "output")
    source = site / "content" / "le-carnet-du-cafe.md"
    text, count = re.subn(r"(?m)^title: .*$", 'title: "Le carnet du café, revu"', source.read_text(encoding="utf-8"))
    assert count == 1
    source.write_text(text, encoding="utf-8")
    result = _feed(site)
    written = {line.split("/output/", 1)[1] for line in result.stdout.splitlines()
               if line.strip().startswith("wrote ")}
    holding = {"", "tags/cafe-culture/", "tags/writing/"}
    assert written == {f"{folder}{name}" for folder in holding for name in FILES}
    after = _snapshot(site / "output")
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == written

    old, new = _json(output / "feed.json"), _json(site / "output" / "feed.json")
    edited = f"{BASE}/blog/le-carnet-du-cafe/"
    for old_item, new_item in zip(old["items"], new["items"], strict=True):
        if new_item["url"] == edited:
            assert new_item["title"] == "Le carnet du café, revu" and new_item["id"] == old_item["id"]
        else:
            assert new_item == old_item
    assert {k: v for k, v in new.items() if k != "items"} == {k: v for k, v in old.items() if k != "items"}


def test_editing_the_date_keeps_the_entry_id(tmp_path: Path, output: Path) -> None:
    site = copy_sample(tmp_path / "site")
    source = site / "content" / "the-measure-of-a-line.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(re.sub(r"publishDate: .*", "publishDate: 2023-01-05", text, count=1), encoding="utf-8")
    _feed(site)
    url = f"{BASE}/blog/the-measure-of-a-line/"
    old = next(i for i in _json(output / "feed.json")["items"] if i["url"] == url)
    new = next(i for i in _json(site / "output" / "feed.json")["items"] if i["url"] == url)
    assert new["date_published"].startswith("2023-01-05") and old["date_published"] != new["date_published"]
    assert new["id"] == old["id"]


def test_a_tag_no_article_uses_any_more_loses_its_feeds(tmp_path: Path, output: Path) -> None:
    site = copy_sample(tmp_path / "site")
    shutil.copytree(output, site / "output")
    (site / "output" / "tags" / "cafe-culture" / "notes.txt").write_text("not ours", encoding="utf-8")
    source = site / "content" / "le-carnet-du-cafe.md"
    text, count = re.subn(r"(?m)^  - Café Culture\n", "", source.read_text(encoding="utf-8"))
    assert count == 1
    source.write_text(text, encoding="utf-8")
    result = _feed(site)
    assert "removed 3 file(s)" in result.stdout
    for name in FILES:
        assert f"removed {site / 'output' / 'tags' / 'cafe-culture' / name}" in result.stdout
    assert sorted(p.name for p in (site / "output" / "tags" / "cafe-culture").iterdir()) == ["notes.txt"]
    assert (site / "output" / "tags" / "writing" / "rss.xml").is_file()
    item = next(i for i in _json(site / "output" / "feed.json")["items"] if "carnet" in i["url"])
    assert item["tags"] == ["Writing"]


# --- configuration ------------------------------------------------------------------------------

def _configured(tmp_path: Path, extra: str) -> Path:
    site = copy_sample(tmp_path / "site")
    with (site / "publish.toml").open("a", encoding="utf-8") as handle:
        handle.write(extra)
    return site


def test_limit_and_excerpt_only(tmp_path: Path) -> None:
    site = _configured(tmp_path, "\n[feed]\nlimit = 2\nfull_content = false\n")
    _feed(site)
    out = site / "output"
    rss_bytes = (out / "rss.xml").read_bytes()
    assert b"content:encoded" not in rss_bytes
    atom = _parse(out / "atom.xml")
    assert [e.link for e in atom.entries] == [f"{BASE}/blog/a-little-math-on-the-page/",
                                              f"{BASE}/blog/le-carnet-du-cafe/"]
    assert b"<content" not in (out / "atom.xml").read_bytes()
    jf = _json(out / "feed.json")
    assert len(jf["items"]) == 2
    for item in jf["items"]:
        assert "content_html" not in item and item["content_text"] == item["summary"]
    for path in _feed_files(out):
        count = len(_json(path)["items"]) if path.suffix == ".json" else len(_parse(path).entries)
        archive_page = "archive" in path.relative_to(out).parts        # the newest page may be empty
        assert (0 if archive_page else 1) <= count <= 2, path


def test_icon_and_logo_from_the_public_folder_or_a_url(tmp_path: Path) -> None:
    site = _configured(tmp_path, "")
    toml = (site / "publish.toml").read_text(encoding="utf-8")
    toml = toml.replace('article_url = "/blog/{slug}/"',
                        'article_url = "/blog/{slug}/"\nicon = "/unicode-in-print.png"\n'
                        'logo = "https://cdn.example/logo.png"')
    (site / "publish.toml").write_text(toml, encoding="utf-8")
    _feed(site)
    out = site / "output"
    atom = etree.fromstring((out / "atom.xml").read_bytes())
    icon = atom.findtext(f"{ATOM}icon")
    assert icon.startswith(f"{BASE}/images/unicode-in-print-") and icon.endswith(".png")
    assert (out / icon.removeprefix(f"{BASE}/")).is_file()
    assert atom.findtext(f"{ATOM}logo") == "https://cdn.example/logo.png"
    channel = etree.fromstring((out / "rss.xml").read_bytes()).find("channel")
    assert channel is not None and channel.findtext("image/url") == "https://cdn.example/logo.png"
    assert channel.findtext("image/link") == channel.findtext("link")
    jf = _json(out / "feed.json")
    assert jf["icon"] == icon and jf["favicon"].endswith("-64.png")
    assert (out / jf["favicon"].removeprefix(f"{BASE}/")).is_file()


def test_a_missing_icon_is_a_configuration_error(tmp_path: Path) -> None:
    site = _configured(tmp_path, "")
    toml = (site / "publish.toml").read_text(encoding="utf-8")
    (site / "publish.toml").write_text(toml.replace('article_url = "/blog/{slug}/"',
                                                    'article_url = "/blog/{slug}/"\nicon = "/nope.png"'))
    result = run_publish(site, "feed")
    assert result.returncode == 2
    assert "site.icon" in result.stderr and "nope.png" in result.stderr


# --- hostile text -------------------------------------------------------------------------------

HOSTILE = """---
title: "Evil \\e title \\v with ]]> & <script>alert(1)</script>"
excerpt: "Excerpt \\e with ]]> and <script>alert(2)</script> & more"
publishDate: 2024-01-02
tags:
  - "<b>Bold</b> & ]]>"
  - "Tab\\ttag \\e"
---

Body with ESC \x1b and VT \x0b and FF \x0c and ]]> and <script>alert(3)</script>
<img src="https://h.example/x.png" onerror="alert(4)"> [js](javascript:alert(5))
<iframe src="https://x.example"></iframe> <style>p{color:red}</style> <b onclick="alert(6)">bold</b>
<form action="https://x.example"><input name="q"></form> A footnote[^1] & more.

[^1]: A note with ]]> in it.
"""


def test_hostile_text_gives_valid_feeds_without_script(tmp_path: Path) -> None:
    site = tmp_path / "hostile"
    (site / "content").mkdir(parents=True)
    (site / "publish.toml").write_text('[site]\ntitle = "Hostile \\u001b Site \\u000b ]]>"\n'
                                       'base_url = "https://h.example"\nauthor = "Ada \\u001b"\n'
                                       'email = "ada@h.example"\n', encoding="utf-8")
    write_article(site, "evil.md", HOSTILE)
    _feed(site)
    out = site / "output"
    feeds = _feed_files(out)
    assert len(feeds) == 9
    for path in feeds:
        raw = path.read_bytes()
        for forbidden in (b"\x1b", b"\x0b", b"\x0c"):
            assert forbidden not in raw, path
        assert b"<script" not in raw.lower() and b"javascript:" not in raw.lower(), path
        if path.suffix == ".xml":
            etree.fromstring(raw)
            parsed = _parse(path)
            assert parsed.feed.title.startswith("Hostile Site ]]>")
            (entry,) = parsed.entries
            assert entry.title == "Evil title with ]]> & <script>alert(1)</script>"
            assert {t.get("label") or t.term for t in entry.tags} == {"<b>Bold</b> & ]]>", "Tab tag"}
            assert entry.summary == "Excerpt with ]]&gt; and &lt;script&gt;alert(2)&lt;/script&gt; &amp; more"
            body = entry.content[0].value
        else:
            feed = _json(path)
            (item,) = feed["items"]
            assert item["title"] == "Evil title with ]]> & <script>alert(1)</script>"
            assert item["tags"] == ["<b>Bold</b> & ]]>", "Tab tag"]
            body = item["content_html"]
        assert "]]>" in lxml_html.fragment_fromstring(body, create_parent="div").text_content()
        tree = lxml_html.fragment_fromstring(body, create_parent="div")
        assert not tree.xpath("//script|//iframe|//form|//style|//input|//object|//embed")
        for element in tree.iter():
            assert not [a for a in element.attrib if a.startswith("on") or a == "style"], element.attrib
            assert not element.get("href", "").startswith("javascript")
    assert (out / "tags" / "tab-tag" / "atom.xml").is_file()
