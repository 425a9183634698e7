"""The EPUB exporter on the sample site, run as users run it (`publish epub`), checked with EPUBCheck
(errors AND warnings fail), lxml and the project's validator kit: package metadata, chapters, links,
footnotes, images, selections, determinism, incremental builds and hostile markup."""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from datetime import UTC
from pathlib import Path, PurePosixPath

import pytest
from lxml import etree
from PIL import Image

from publish.content.loader import load
from publish.exporters.epub import EpubOptions
from publish.exporters.epub.xhtml import X, parse_chapter, rewrite_links
from publish.model import Collection
from publish.pipeline import build
from tests.conftest import REPO, copy_sample, load_config, needs_judge, run_publish, write_article
from tests.validators import epub_problems

BASE = "https://fieldnotes.example"
BOOK = "epub/field-notes.epub"
TAG_BOOK = "epub/field-notes-typography.epub"
JUDGE = REPO.parent / "shared" / "tools" / "judge.py"
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "m": "http://www.w3.org/1998/Math/MathML", "ncx": "http://www.daisy.org/z3986/2005/ncx/"}


def serialize(element: object) -> str:
    return etree.tostring(element, encoding="unicode", method="xml")
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _publish(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_publish(site, "epub", *args, env={"COLUMNS": "1000"})
    assert result.returncode == 0, result.stdout + result.stderr
    return result


class Book:
    """An EPUB opened for reading: its package file, its XHTML documents parsed as XML."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = path.read_bytes()
        self.zip = zipfile.ZipFile(io.BytesIO(self.data))
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//{*}rootfile").get("full-path")
        self.opf = etree.fromstring(self.zip.read(self.opf_path))
        self.folder = PurePosixPath(self.opf_path).parent

    def item(self, item_id: str) -> etree._Element:
        return self.opf.find(f"opf:manifest/opf:item[@id='{item_id}']", NS)

    def file(self, href: str) -> bytes:
        return self.zip.read(str(self.folder / href))

    def xhtml(self, href: str) -> etree._Element:
        return etree.fromstring(self.file(href))

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.findall(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.findall(f"opf:metadata/dc:{name}", NS)]

    @property
    def spine(self) -> list[str]:
        ids = [i.get("idref") for i in self.opf.findall("opf:spine/opf:itemref", NS)]
        return [self.item(i).get("href") for i in ids]

    @property
    def chapters(self) -> list[str]:
        return [href for href in self.spine if href.startswith("text/")]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = copy_sample(tmp_path_factory.mktemp("epub") / "site")
    _publish(built)
    _publish(built, "--tag", "typography", "-o", str(built / "copy.epub"))
    return built


@pytest.fixture(scope="module")
def collection(site: Path) -> Collection:
    return load(load_config(cwd=site)).collection


@pytest.fixture(scope="module")
def book(site: Path) -> Book:
    return Book(site / "output" / BOOK)


@pytest.fixture(scope="module")
def tag_book(site: Path) -> Book:
    return Book(site / "output" / TAG_BOOK)


# --- validity ------------------------------------------------------------------------------------

def test_epubcheck_finds_no_error_and_no_warning_in_the_collection(book: Book) -> None:
    assert epub_problems(book.path) == []


def test_epubcheck_finds_no_error_and_no_warning_in_a_tag_selection(tag_book: Book) -> None:
    assert epub_problems(tag_book.path) == []


@pytest.mark.slow
@needs_judge
def test_validator_kit_passes_strict(site: Path, tmp_path: Path) -> None:
    """EPUBCheck, the Nu checker on every XHTML file and DAISY Ace, with warnings counted as failures."""
    shutil.copy(site / "output" / BOOK, tmp_path / "field-notes.epub")
    result = subprocess.run([sys.executable, str(JUDGE), str(tmp_path), "--strict", "--verbose"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 0 failed" in result.stdout


# --- the archive ---------------------------------------------------------------------------------

def test_mimetype_first_stored_and_fixed_timestamps(book: Book) -> None:
    infos = book.zip.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert book.zip.read("mimetype") == b"application/epub+zip"
    assert book.data[30:38] == b"mimetype"              # right after the first local header, as OCF wants
    assert len({i.date_time for i in infos}) == 1
    names = [i.filename for i in infos[1:]]
    assert names[0] == "META-INF/container.xml" and names[1] == book.opf_path
    assert names[2:] == sorted(names[2:])
    # Text is deflated; images (already compressed) are stored rather than deflated a second time.
    methods = {i.filename.rsplit(".", 1)[-1]: i.compress_type for i in infos[1:]}
    assert methods["xhtml"] == methods["opf"] == zipfile.ZIP_DEFLATED
    assert methods["jpg"] == zipfile.ZIP_STORED


def test_rebuilding_gives_identical_bytes(site: Path, book: Book) -> None:
    _publish(site, "--force")
    assert (site / "output" / BOOK).read_bytes() == book.data


def test_same_content_elsewhere_gives_identical_bytes(book: Book, tmp_path: Path) -> None:
    other = copy_sample(tmp_path / "elsewhere")
    _publish(other)
    assert (other / "output" / BOOK).read_bytes() == book.data


# --- package metadata ----------------------------------------------------------------------------

def test_identity_title_language_and_people(book: Book, tag_book: Book) -> None:
    identifier = book.dc("identifier")[0]
    assert identifier == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, BASE + '/epub/all')}"
    assert tag_book.dc("identifier")[0] not in (identifier, None)
    assert book.opf.get("unique-identifier") == book.opf.find("opf:metadata/dc:identifier", NS).get("id")
    assert book.dc("title") == ["Field Notes"]
    assert tag_book.dc("title") == ["Field Notes: Typography"]
    assert book.dc("language")[0] == "en" and "fr" in book.dc("language")
    assert book.opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert book.dc("creator") == ["Ada Writer"]
    assert "7 articles" in book.dc("description")[0]


def test_dates_come_from_the_articles_not_the_clock(book: Book, collection: Collection) -> None:
    newest_modified = max(a.modified for a in collection).astimezone(UTC)
    assert book.meta("dcterms:modified") == [newest_modified.strftime("%Y-%m-%dT%H:%M:%SZ")]
    newest_published = max(a.published for a in collection).astimezone(UTC)
    assert book.dc("date") == [newest_published.strftime("%Y-%m-%dT%H:%M:%SZ")]
    stamp = book.zip.infolist()[0].date_time
    assert stamp[:3] == (newest_modified.year, newest_modified.month, newest_modified.day)


def test_subjects_are_the_tags(book: Book, tag_book: Book, collection: Collection) -> None:
    assert sorted(book.dc("subject")) == sorted(t.name for t in collection.tags)
    typography = collection.tagged("typography")
    assert sorted(tag_book.dc("subject")) == sorted({t.name for a in typography for t in a.tags})


def test_accessibility_metadata_matches_the_book(book: Book, tag_book: Book) -> None:
    assert set(book.meta("schema:accessMode")) == {"textual", "visual"}
    assert "textual" in book.meta("schema:accessModeSufficient")
    features = set(book.meta("schema:accessibilityFeature"))
    assert {"tableOfContents", "structuralNavigation", "alternativeText", "MathML"} <= features
    assert book.meta("schema:accessibilityHazard") == ["none"]
    assert "MathML" in book.meta("schema:accessibilitySummary")[0]
    assert book.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert book.meta("a11y:certifiedBy") == ["Ada Writer"]
    assert "MathML" in set(tag_book.meta("schema:accessibilityFeature"))     # the math article is Typography


def test_manifest_properties_cover_nav_and_mathml(book: Book) -> None:
    items = book.opf.findall("opf:manifest/opf:item", NS)
    cover = [i for i in items if "cover-image" in (i.get("properties") or "")]
    assert len(cover) == 1 and cover[0].get("media-type") == "image/jpeg"
    assert [i.get("href") for i in items if "nav" in (i.get("properties") or "").split()] == ["nav.xhtml"]
    for href in book.chapters:
        root = book.xhtml(href)
        has_math = root.find(".//m:math", NS) is not None
        item = next(i for i in items if i.get("href") == href)
        assert ("mathml" in (item.get("properties") or "")) == has_math, href
    assert any("mathml" in (i.get("properties") or "") for i in items)


def test_no_webp_and_every_image_is_a_real_jpeg_or_png(book: Book) -> None:
    items = [i for i in book.opf.findall("opf:manifest/opf:item", NS) if i.get("media-type").startswith("image/")]
    assert {i.get("media-type") for i in items} <= {"image/jpeg", "image/png"}
    for item in items:
        data = book.file(item.get("href"))
        with Image.open(io.BytesIO(data)) as opened:
            assert opened.format == {"image/jpeg": "JPEG", "image/png": "PNG"}[item.get("media-type")]
    assert not [n for n in book.zip.namelist() if n.lower().endswith(".webp")]


# --- reading order, navigation, cover --------------------------------------------------------------

def test_one_chapter_per_article_oldest_first(book: Book, collection: Collection) -> None:
    oldest_first = sorted(collection, key=lambda a: a.published)
    assert book.chapters == [f"text/{a.slug}.xhtml" for a in oldest_first]
    assert book.spine[:2] == ["cover.xhtml", "nav.xhtml"]


def test_newest_first_when_configured(tmp_path: Path, collection: Collection) -> None:
    site = copy_sample(tmp_path / "newest")
    with (site / "publish.toml").open("a") as handle:
        handle.write('\n[epub]\norder = "newest"\ntitle = "Notes, Collected"\n')
    config = load_config(cwd=site)
    report = build(config, {"epub": None}, jobs=1)        # what `publish all` asks of the exporter
    assert report.exit_code == 0, report.problems
    newest = Book(site / "output" / BOOK)
    assert newest.chapters == [f"text/{a.slug}.xhtml" for a in collection.articles]
    assert newest.dc("title") == ["Notes, Collected"]


def test_nav_has_articles_nested_headings_and_landmarks(book: Book, collection: Collection) -> None:
    nav = book.xhtml("nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    entries = toc.findall("x:ol/x:li", NS)
    assert [e.find("x:a", NS).text for e in entries] == [a.title for a in sorted(collection, key=lambda a: a.published)]
    footnotes = next(e for e in entries if "footnotes-sidenotes" in e.find("x:a", NS).get("href"))
    sections = [a.text for a in footnotes.findall("x:ol/x:li/x:a", NS)]
    assert sections[:3] == ["Footnotes", "Sidenotes", "Endnotes"]
    french = next(e for e in entries if "le-carnet" in e.find("x:a", NS).get("href"))
    assert french.get("lang") == "fr"
    landmarks = {a.get(EPUB_TYPE) for a in nav.findall(".//x:nav[@epub:type='landmarks']//x:a", NS)}
    assert landmarks == {"cover", "toc", "bodymatter"}
    ncx = etree.fromstring(book.file("toc.ncx"))
    assert len(ncx.findall(".//ncx:navPoint", NS)) == len(collection)
    assert ncx.find(".//ncx:meta[@name='dtb:uid']", NS).get("content") == book.dc("identifier")[0]


def test_composed_cover_and_cover_page(book: Book) -> None:
    with Image.open(io.BytesIO(book.file("images/cover.jpg"))) as cover:
        assert cover.format == "JPEG" and cover.size == (1600, 2400)
        # The mosaic of the articles' images is colourful; the band under it, white paper.
        top = cover.crop((0, 0, 1600, 1400)).convert("RGB").resize((16, 16)).getcolors(256)
        assert top is not None and len(top) > 50
        assert cover.getpixel((20, 1500)) == (255, 255, 255)
    page = book.xhtml("cover.xhtml")
    img = page.find(".//x:img", NS)
    assert img.get("src") == "images/cover.jpg" and "Field Notes" in img.get("alt")
    assert page.find("x:body", NS).get(EPUB_TYPE) == "cover"


def test_configured_cover_is_used(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "covered")
    with (site / "publish.toml").open("a") as handle:
        handle.write('\n[epub]\ncover = "content/public/line-length.png"\n')
    _publish(site)
    covered = Book(site / "output" / BOOK)
    with Image.open(io.BytesIO(covered.file("images/cover.jpg"))) as cover, \
            Image.open(site / "content" / "public" / "line-length.png") as source:
        assert cover.format == "JPEG"
        assert abs(cover.width / cover.height - source.width / source.height) < 0.01


def test_a_cover_outside_the_site_is_refused(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "escape")
    with (site / "publish.toml").open("a") as handle:
        handle.write('\n[epub]\ncover = "../../etc/passwd"\n')
    result = run_publish(site, "epub")
    assert result.returncode == 2
    assert "epub.cover" in result.stdout + result.stderr


# --- chapters ----------------------------------------------------------------------------------------

def test_chapter_head_has_title_date_tags_and_cover(book: Book, collection: Collection) -> None:
    for article in collection:
        root = book.xhtml(f"text/{article.slug}.xhtml")
        assert root.get("lang") == article.language
        assert [h.text for h in root.iter(f"{X}h1")] == [article.title]
        time = root.find(".//x:header//x:time", NS)
        assert time.get("datetime") == article.published.date().isoformat()
        tags = "".join(root.find(".//x:p[@class='tags']", NS).itertext())
        assert all(t.name in tags for t in article.tags)
        if article.cover is not None:
            assert root.find(".//x:figure[@class='cover']/x:img", NS) is not None, article.slug


def test_every_image_has_alt_text_and_is_in_the_book(book: Book) -> None:
    names = set(book.zip.namelist())
    for href in book.chapters:
        for img in book.xhtml(href).iter(f"{X}img"):
            assert img.get("alt", "").strip(), href
            target = PurePosixPath(href).parent / img.get("src")
            assert str(book.folder / PurePosixPath(*_normalize(target))) in names


def _normalize(path: PurePosixPath) -> list[str]:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts.pop()
        else:
            parts.append(part)
    return parts


def test_ids_are_unique_across_the_book(book: Book) -> None:
    seen: dict[str, str] = {}
    for href in ["cover.xhtml", "nav.xhtml", *book.chapters]:
        for element in book.xhtml(href).iter():
            if isinstance(element.tag, str) and element.get("id"):
                assert element.get("id") not in seen, (href, seen.get(element.get("id")))
                seen[element.get("id")] = href


def test_footnotes_are_epub_footnotes(book: Book) -> None:
    root = book.xhtml("text/footnotes-sidenotes-and-asides.xhtml")
    notes = root.findall(".//x:aside[@epub:type='footnote']", NS)
    refs = root.findall(".//x:a[@epub:type='noteref']", NS)
    assert len(notes) == len(refs) == 5
    note_ids = {n.get("id") for n in notes}
    assert {r.get("href")[1:] for r in refs} == note_ids
    ref_ids = {r.get("id") for r in refs}
    backlinks = {a.get("href")[1:] for n in notes for a in n.findall(".//x:a[@role='doc-backlink']", NS)}
    assert backlinks == ref_ids
    assert root.find(".//x:section[@role='doc-endnotes']", NS) is None     # Pandoc's list is gone
    assert "footnotes-section" in " ".join(h.get("id") for h in root.iter(f"{X}h2"))


def test_links_between_articles_stay_inside_the_book(book: Book, tag_book: Book, collection: Collection) -> None:
    root = book.xhtml("text/footnotes-sidenotes-and-asides.xhtml")
    hrefs = [a.get("href") for a in root.iter(f"{X}a") if a.get("href")]
    assert "the-measure-of-a-line.xhtml" in hrefs and "le-carnet-du-cafe.xhtml" in hrefs
    assert "https://pandoc.org/MANUAL.html#footnotes" in hrefs       # the web stays the web
    for href in book.chapters + tag_book.chapters:
        owner = book if href in book.chapters else tag_book
        for a in owner.xhtml(href).iter(f"{X}a"):
            target = a.get("href") or ""
            assert not target.startswith("/"), (href, target)
            assert target.startswith(("#", "https://", "http://", "mailto:")) or target.split("#")[0] in \
                [PurePosixPath(c).name for c in owner.chapters], (href, target)
    # In the Typography book the café article is absent: the link goes to the web site.
    if "text/footnotes-sidenotes-and-asides.xhtml" in tag_book.chapters:
        tag_root = tag_book.xhtml("text/footnotes-sidenotes-and-asides.xhtml")
        tag_hrefs = [a.get("href") for a in tag_root.iter(f"{X}a")]
        cafe = collection.get("le-carnet-du-cafe")
        assert cafe is not None and cafe.url in tag_hrefs


def test_code_is_highlighted_and_math_is_mathml(book: Book) -> None:
    root = book.xhtml("text/a-little-math-on-the-page.xhtml")
    assert root.find(".//x:pre[@class='sourceCode bash']//x:span[@class='ex']", NS) is not None
    maths = root.findall(".//m:math", NS)
    assert len(maths) > 5 and any(m.get("display") == "block" for m in maths)
    css = book.file("styles/book.css").decode()
    assert "code span.kw" in css and "background:" not in css and "background-color" not in css


# --- selections ----------------------------------------------------------------------------------------

def test_tag_selection_holds_exactly_the_tagged_articles(tag_book: Book, collection: Collection) -> None:
    tagged = sorted(collection.tagged("Typography"), key=lambda a: a.published)
    assert tag_book.chapters == [f"text/{a.slug}.xhtml" for a in tagged]


def test_output_file_option_copies_the_book(site: Path, tag_book: Book) -> None:
    assert (site / "copy.epub").read_bytes() == tag_book.data


def test_tag_matches_name_or_slug_case_insensitively(site: Path) -> None:
    _publish(site, "--tag", "CAFÉ culture")
    by_name = (site / "output" / "epub" / "field-notes-cafe-culture.epub").read_bytes()
    _publish(site, "--tag", "cafe-culture", "--force")
    assert (site / "output" / "epub" / "field-notes-cafe-culture.epub").read_bytes() == by_name
    cafe = Book(site / "output" / "epub" / "field-notes-cafe-culture.epub")
    assert cafe.chapters == ["text/le-carnet-du-cafe.xhtml"]
    assert "MathML" not in cafe.meta("schema:accessibilityFeature")          # claims only what is true
    assert "MathML" not in cafe.meta("schema:accessibilitySummary")[0]


def test_unknown_tag_is_a_usage_error_listing_known_tags(site: Path) -> None:
    result = run_publish(site, "epub", "--tag", "typograpy")
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "typograpy" in out and "Typography" in out and "Café Culture" in out


def test_date_range_selection(site: Path, collection: Collection) -> None:
    _publish(site, "--since", "2024-05-01", "--until", "2024-12-31")
    path = site / "output" / "epub" / "field-notes-2024-05-01-2024-12-31.epub"
    selected = Book(path)
    expected = sorted((a for a in collection if "2024-05-01" <= a.published.date().isoformat() <= "2024-12-31"),
                      key=lambda a: a.published)
    assert selected.chapters == [f"text/{a.slug}.xhtml" for a in expected] and expected


def test_empty_selection_is_a_clear_error(site: Path) -> None:
    result = run_publish(site, "epub", "--since", "2030-01-01")
    assert result.returncode == 2
    assert "no published article" in result.stdout + result.stderr


# --- incremental builds -----------------------------------------------------------------------------

WEB_BOOK = EpubOptions(tag="web")       # `publish epub --tag web`


def test_a_member_change_rebuilds_its_chapter_and_the_book(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "incremental")
    config = load_config(cwd=site)
    entries = ".publish/epub/field-notes-web/chapters/"
    web = ["a-little-math-on-the-page", "one-source-many-formats", "the-measure-of-a-line", "why-feeds-still-matter"]
    first = build(config, {"epub": WEB_BOOK}, jobs=1)
    assert sorted(first.written) == sorted([".publish/epub/field-notes-web/cover.json", "epub/field-notes-web.epub",
                                            *(f"{entries}{slug}.json" for slug in web)])
    assert build(config, {"epub": WEB_BOOK}, jobs=1).written == []
    # Not tagged Web: the Web book stays up to date.
    cafe = site / "content" / "le-carnet-du-cafe.md"
    cafe.write_text(cafe.read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8")
    assert build(config, {"epub": WEB_BOOK}, jobs=1).written == []
    # A member changed: its chapter and the book are made again, and the new text is in the book.
    math = site / "content" / "a-little-math-on-the-page.md"
    math.write_text(math.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    again = build(config, {"epub": WEB_BOOK}, jobs=1)
    assert sorted(again.written) == [f"{entries}a-little-math-on-the-page.json", "epub/field-notes-web.epub"]
    rebuilt = Book(site / "output" / "epub" / "field-notes-web.epub")
    assert b"One more sentence." in rebuilt.file("text/a-little-math-on-the-page.xhtml")


# --- hostile content ----------------------------------------------------------------------------------

HOSTILE = """---
title: "Hostile \\u001b markup & <b>title</b>"
excerpt: Raw HTML everywhere.
publishDate: 2025-06-01
tags: [Typography]
---

Forbidden characters: ESC \x1b VT \x0b FF \x0c end.

# A level one heading

## Footnotes

<div id="1 bad id" lang="??" dir="sideways"><p>Para in div<ul><p>para in list</p>loose text<li>item</li></ul></p></div>
<p>Before <div>block in p</div> after <hr> and <table><tr><td align="center">cell</td></tr></table></p>
<table><caption>first</caption><colgroup><col><col></colgroup><tr><td>1</td></tr>junk<caption>late</caption>
<thead><tr><th></th><th colspan="5">H</th></tr></thead></table>
<ul><li>ok</li><div>div in ul</div>text</ul><li>orphan item</li>
<dl><dd>definition first</dd><dt>term</dt></dl>
<figure><img src="/diagram.png"><figcaption>middle</figcaption><p>after</p><figcaption>second</figcaption></figure>
<a href="/blog/the-measure-of-a-line/#missing">link <a href="https://example.com/x">nested</a></a>
<a href="/blog/not-in-book/">not in book</a> <a href="#nowhere">nowhere</a> <a href="https://example.com/"></a>
<a href="javascript:alert(1)">js</a> <img src="https://remote.example/x.png" alt="remote picture">
<span><mi>x</mi> stray</span> <time>not a date</time> <data>d</data> <bdo>no dir</bdo> <rtc>x</rtc>
<details><p>p</p><summary>late summary</summary></details> <details><summary></summary>empty</details>
<hgroup><h2>hg</h2></hgroup> <nav>nav</nav> <aside>an aside</aside> <h3></h3> <h6>skipped</h6>
<ol start="abc" type="z"><li value="x">v</li></ol> <dfn>a <dfn>b</dfn></dfn>
<script>alert(1)</script><style>body{}</style><iframe src="x"></iframe><svg><circle/></svg>
<p id="dup">one</p><p id="dup">two</p> &bogus; &#0; &#x1b;
<p>Unclosed <em>emphasis <strong>strong</p>
<math><mi>y</mi><foo>bad</foo><msup><mi>a</mi></msup>text<semantics><annotation>t</annotation></semantics></math>
<math display="block"><math><mi>z</mi></math></math>
<section class="footnotes"><ol><li id="fake">an author's own notes list</li></ol></section>

Real note.[^n]

[^n]: The note, with a [link](/blog/footnotes-sidenotes-and-asides/) and math $x^2$.
"""


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    site = copy_sample(tmp_path_factory.mktemp("hostile") / "site")
    write_article(site, "hostile.md", HOSTILE)
    _publish(site, "--tag", "typography")
    return Book(site / "output" / TAG_BOOK)


def test_hostile_markup_still_gives_a_valid_book(hostile_book: Book) -> None:
    assert epub_problems(hostile_book.path) == []


def test_hostile_markup_is_repaired_or_dropped(hostile_book: Book) -> None:
    raw = hostile_book.file("text/hostile.xhtml")
    assert not FORBIDDEN.search(raw.decode("utf-8"))
    root = etree.fromstring(raw)
    assert root.find(".//x:script", NS) is None and root.find(".//x:iframe", NS) is None
    assert root.find(".//{http://www.w3.org/2000/svg}svg") is None
    assert [h.text for h in root.iter(f"{X}h1")] == ["Hostile markup & <b>title</b>"]
    levels = [int(h.tag[-1]) for h in root.iter(*(f"{X}h{n}" for n in range(1, 7)))]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))    # no skipped level
    for li in root.iter(f"{X}li"):
        assert li.getparent().tag in (f"{X}ul", f"{X}ol")
    for a in root.iter(f"{X}a"):
        assert not (a.get("href") or "").startswith("javascript")
        if a.get("href"):
            assert "".join(a.itertext()).strip()                          # every link has a name
    notes = root.findall(".//x:aside[@epub:type='footnote']", NS)
    assert len(notes) == 2 and root.find(".//x:a[@epub:type='noteref']", NS) is not None
    assert root.find(".//m:math", NS) is not None


SOUP_TAGS = ("a abbr article aside b bdi bdo blockquote br caption cite code col colgroup data dd del details dfn "
             "div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr i img ins kbd li mark nav "
             "ol p pre q rp rt rtc ruby s samp section small span strong sub summary sup table tbody td th thead "
             "time tr u ul var wbr math mi mo mn mrow msup mfrac msubsup mtable mtr mtd semantics annotation "
             "script iframe svg form").split()
SOUP_ATTRIBUTES = ('id="x"', 'id="1 2"', 'id="fn1"', 'class="footnotes"', 'href="#fn1"', 'href="#x"',
                   'href="/blog/the-measure-of-a-line/#what-the-eye-is-actually-doing"', 'href="mailto:a@b.example"',
                   'src="/diagram.png"', 'src="https://remote.example/i.png"', 'alt="alt"', 'lang="fr"',
                   'lang="x y"', 'dir="up"', 'start="3"', 'colspan="2"', 'rowspan="3"', 'align="right"',
                   'scope="row"', 'datetime="2024-01-01"', 'display="block"', 'onclick="x()"')
SOUP_TEXT = ("words", "x & y", "<", "é", "\x1b", "\x0b", "\u200b", "&nbsp;", "&#12;", "\n", "😀", "漢", "ا")


def _tag_soup(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        if depth > 5 or rng.random() < 0.3:
            parts.append(rng.choice(SOUP_TEXT))
            continue
        tag = rng.choice(SOUP_TAGS)
        attributes = " ".join(rng.sample(SOUP_ATTRIBUTES, rng.randint(0, 3)))
        closing = f"</{tag}>" if rng.random() < 0.85 else ""
        parts.append(f"<{tag} {attributes}>{_tag_soup(rng, depth + 1)}{closing}")
    return "".join(parts)


def test_random_tag_soup_still_gives_a_valid_book(tmp_path: Path) -> None:
    """Twenty-four articles of seeded random raw HTML (unclosed, misnested, misplaced, with forbidden
    characters): the book must still pass EPUBCheck with no error and no warning."""
    rng = random.Random(20261128)
    site = copy_sample(tmp_path / "soup")
    for n in range(24):
        body = "\n\n".join(_tag_soup(rng) for _ in range(5))
        write_article(site, f"soup-{n}.md", f"---\ntitle: Soup {n}\npublishDate: 2023-01-{n % 28 + 1:02d}\n"
                                            f"tags: [Soup]\n---\n\n{body}\n\nNote.[^1]\n\n[^1]: <div>A</div> note.\n")
    _publish(site, "--tag", "soup")
    assert epub_problems(site / "output" / "epub" / "field-notes-soup.epub") == []


# --- the XHTML converter on its own -----------------------------------------------------------------------

def test_parse_chapter_prefixes_ids_and_maps_fragments() -> None:
    body = parse_chapter('<h2 id="Intro">Intro</h2><p><a href="#Intro">up</a> <a href="#gone">gone</a></p>', "c9")
    assert body.book_id("Intro") == "c9-intro"
    rewrite_links(body, lambda href: f"#{body.book_id(href[1:])}" if body.book_id(href[1:]) else None)
    out = serialize(body.root)
    assert 'id="c9-intro"' in out and 'href="#c9-intro"' in out and ">gone</a>" in out
    assert 'href="#gone"' not in out


def test_parse_chapter_output_is_well_formed_xml_for_tag_soup() -> None:
    soup = "<p><b>bold <i>both</b> italic</i><table><td>x</table><ul><li>a<li>b</ul>\x0c&#x1b;"
    body = parse_chapter(soup, "c1")
    etree.fromstring(serialize(body.root))                     # raises if not well-formed
    assert "\x0c" not in serialize(body.root)


def test_language_tags_are_made_well_formed() -> None:
    from publish.exporters.epub.places import language_tag

    assert language_tag("pt_BR", "en") == "pt-BR"
    assert language_tag("fr", "en") == "fr"
    assert language_tag("english please", "en") == "en"
