"""The landing page and the tag pages: what they show, where they link, and when they are rebuilt.

Pages are parsed strictly by html5lib (a parse error fails the test) and, where the validator kit is
installed, checked by the Nu HTML checker. The browser test is test_site_browser.py.
"""

from __future__ import annotations

import hashlib
import posixpath
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from html5lib import HTMLParser, getTreeBuilder
from PIL import Image

from publish.content.loader import load
from publish.exporters.site import SiteExporter
from publish.i18n import PAGE_LABELS
from publish.model import Collection
from publish.pipeline import build
from tests.conftest import JUDGE, copy_sample, load_config, needs_judge, run_publish, write_article

BASE = "https://fieldnotes.example"
FEEDS = {"application/rss+xml": "rss.xml", "application/atom+xml": "atom.xml", "application/feed+json": "feed.json"}
EN = PAGE_LABELS["en"]


def _parse(path: Path):  # type: ignore[no-untyped-def]
    """The page as an lxml tree; html5lib in strict mode raises on any parse error."""
    parser = HTMLParser(strict=True, tree=getTreeBuilder("lxml"), namespaceHTMLElements=False)
    return parser.parse(path.read_bytes())


def _pages(output: Path) -> list[Path]:
    return [output / "index.html", *sorted(output.glob("tags/*/index.html"))]


def _text(element) -> str:  # type: ignore[no-untyped-def]
    return " ".join("".join(element.itertext()).split())


def _snapshot(output: Path) -> dict[str, str]:
    return {p.relative_to(output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in _pages(output)}


@pytest.fixture(scope="module")
def output(published: Path) -> Path:
    return published / "output"


@pytest.fixture(scope="module")
def collection(published: Path) -> Collection:
    return load(load_config(cwd=published), write_cache=False).collection


@pytest.fixture(scope="module")
def index(output: Path):  # type: ignore[no-untyped-def]
    return _parse(output / "index.html")


# --- the landing page -----------------------------------------------------------------------------

def test_every_page_parses_strictly_and_has_a_language_and_title(output: Path, collection: Collection) -> None:
    pages = _pages(output)
    assert [p.relative_to(output).as_posix() for p in pages[1:]] == [
        f"tags/{tag.slug}/index.html" for tag in collection.tags]
    for page in pages:
        root = _parse(page).getroot()
        assert root.get("lang") == "en" and root.get("dir") == "ltr"
        assert root.findtext("head/title").strip()
        assert not root.xpath("//script"), "the pages need no JavaScript"


def test_the_site_title_and_description_head_the_page(index, collection: Collection) -> None:  # type: ignore[no-untyped-def]
    assert index.findtext("head/title") == "Field Notes"
    assert _text(index.xpath("//h1")[0]) == "Field Notes"
    description = "Essays on writing, typography, publishing and the tools between them."
    assert index.xpath("//meta[@name='description']/@content") == [description]
    assert _text(index.xpath("//header//p[@class='description']")[0]) == description


def test_subscribe_shows_each_feed_address_as_a_plain_link(index) -> None:  # type: ignore[no-untyped-def]
    block = index.xpath("//section[@class='subscribe']")[0]
    assert _text(block.xpath("h2")[0]) == EN.subscribe
    links = block.xpath(".//ul[@class='feeds']//a")
    # The visible text is the address a reader copies; the link itself is relative, so it works anywhere.
    assert [(a.get("type"), a.get("href"), _text(a)) for a in links] == [
        (kind, name, f"{BASE}/{name}") for kind, name in FEEDS.items()]
    assert [_text(s) for s in block.xpath(".//span[@class='feed-name']")] == ["RSS", "Atom", "JSON Feed"]


def test_subscribe_links_the_latest_digest_and_the_book(index, output: Path, collection: Collection) -> None:  # type: ignore[no-untyped-def]
    block = index.xpath("//section[@class='subscribe']")[0]
    newest = collection.articles[0].published.date().isoformat()
    digest = block.xpath(f".//a[text()='{EN.latest_digest}']")[0].get("href")
    assert digest == f"email/digest-{newest}.html"
    assert [p.name for p in (output / "email").glob("digest-*.html")] == [f"digest-{newest}.html"]
    assert block.xpath(f".//a[text()='{EN.download_epub}']")[0].get("href") == "epub/field-notes.epub"


def test_articles_newest_first_with_their_links(index, output: Path, collection: Collection) -> None:  # type: ignore[no-untyped-def]
    entries = index.xpath("//section[@class='articles']//article")
    assert len(entries) == len(collection.articles) == 7            # the draft is not listed
    for entry, article in zip(entries, collection.articles, strict=True):
        title = entry.xpath(".//h3")[0]
        assert _text(title) == article.title and title.xpath("a/@href") == [article.url]
        assert entry.get("aria-labelledby") == title.get("id") == f"article-{article.slug}"
        assert _text(entry.xpath(".//p[@class='excerpt']")[0]) == article.excerpt
        assert entry.xpath(".//time/@datetime") == [article.published.date().isoformat()]
        links = {a.get("class"): (a.get("href"), _text(a)) for a in entry.xpath(".//ul[@class='actions']//a")}
        assert links == {"blog": (article.url, EN.read_on_blog),
                         "pdf": (f"pdf/{article.slug}.pdf", EN.pdf),
                         "epub": ("epub/field-notes.epub", EN.in_epub),
                         "email": (f"email/{article.slug}.html", EN.email_version)}
        assert {a.get("aria-describedby") for a in entry.xpath(".//ul[@class='actions']//a")} == {title.get("id")}
        assert [(a.get("href"), _text(a)) for a in entry.xpath(".//ul[@class='entry-tags']//a")] == [
            (f"tags/{t.slug}/index.html", t.name) for t in article.tags]


def test_covers_are_shared_thumbnails_with_their_real_size(index, output: Path, collection: Collection) -> None:  # type: ignore[no-untyped-def]
    images = index.xpath("//article//img")
    assert len(images) == 7
    for img, article in zip(images, collection.articles, strict=True):
        src = img.get("src")
        assert src.startswith("images/") and src.endswith((".jpg", ".png"))      # never WebP
        with Image.open(output / src) as copy:
            assert copy.size == (int(img.get("width")), int(img.get("height")))
            assert copy.width <= 640
        assert article.cover is not None and img.get("alt") == article.cover.alt
    assert [img.get("loading") for img in images] == [None] * 4 + ["lazy"] * 3     # the first load at once


def test_an_article_in_another_language_says_so(index) -> None:  # type: ignore[no-untyped-def]
    entry = index.xpath("//article[@aria-labelledby='article-le-carnet-du-cafe']")[0]
    assert entry.xpath(".//h3/@lang") == ["fr"] and entry.xpath(".//p[@class='excerpt']/@lang") == ["fr"]
    assert entry.xpath(".//img/@lang") == ["fr"]
    assert entry.xpath(".//p[@class='meta']/@lang") == []          # the date is in the page's language
    assert index.xpath("//article[@aria-labelledby='article-unicode-in-print']//h3/@lang") == []


def test_every_tag_links_its_page_with_a_count(index, collection: Collection) -> None:  # type: ignore[no-untyped-def]
    items = index.xpath("//section[@class='tags']//li")
    expected = [(f"tags/{tag.slug}/index.html", tag.name, f"({len(collection.tagged(tag.slug))})")
                for tag in collection.tags]
    assert [(li.xpath("a/@href")[0], _text(li.xpath("a")[0]), _text(li.xpath("span")[0])) for li in items] == expected


# --- tag pages --------------------------------------------------------------------------------------

def test_a_tag_page_lists_its_articles_and_its_feeds(output: Path, collection: Collection) -> None:
    for tag in collection.tags:
        page = _parse(output / "tags" / tag.slug / "index.html")
        heading = EN.tagged.format(tag=tag.name)
        assert _text(page.xpath("//h1")[0]) == heading
        assert page.findtext("head/title") == f"{heading} – Field Notes"
        titles = [_text(h) for h in page.xpath("//section[@class='articles']//h3")]
        assert titles == [a.title for a in collection.tagged(tag.slug).articles]
        feeds = page.xpath("//ul[@class='feeds']//a")
        assert [(a.get("href"), _text(a)) for a in feeds] == [
            (f"../../tags/{tag.slug}/{name}", f"{BASE}/tags/{tag.slug}/{name}") for name in FEEDS.values()]
        assert page.xpath(f"//a[text()='{EN.all_articles}']/@href") == ["../../index.html"]
        assert page.xpath("//p[@class='site-name']/a/@href") == ["../../index.html"]
        assert page.xpath("//article//a[@class='pdf']/@href")[0].startswith("../../pdf/")


def test_autodiscovery_on_every_page(output: Path) -> None:
    for page in _pages(output):
        relative = page.relative_to(output).as_posix()
        scope = relative.removesuffix("index.html")
        links = _parse(page).xpath("//head/link[@rel='alternate']")
        found = [(link.get("type"), urljoin(relative, link.get("href"))) for link in links]
        assert found == [(kind, scope + name) for kind, name in FEEDS.items()], relative
        assert all(link.get("title", "").startswith("Field Notes") for link in links)
        for _, target in found:
            assert (output / target).is_file()


def test_every_link_between_files_resolves_inside_output(output: Path) -> None:
    checked = 0
    for page in _pages(output):
        relative = page.relative_to(output).as_posix()
        root = _parse(page)
        for value in root.xpath("//a/@href | //link/@href | //img/@src"):
            parts = urlsplit(value)
            if value == "data:,":          # the empty tab icon of a site without one
                continue
            if parts.scheme:
                assert value.startswith(f"{BASE}/"), f"{relative}: {value} leaves the site"
                continue
            assert not value.startswith("/"), f"{relative}: {value} is not relative"
            # normpath keeps a leading "..", which urljoin would silently drop
            target = PurePosixPath(posixpath.normpath(posixpath.join(posixpath.dirname(relative), unquote(parts.path))))
            assert ".." not in target.parts, f"{relative}: {value} climbs out of output/"
            assert (output / target).is_file(), f"{relative}: {value} -> {target} does not exist"
            checked += 1
    assert checked > 200


def test_titles_and_excerpts_are_text_not_markup(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    write_article(site, "markup.md", (
        "---\ntitle: 'Tags like <script>alert(1)</script> & <b>bold</b>'\n"
        "excerpt: 'An excerpt with <img src=x onerror=alert(1)> in it'\npublishDate: 2024-06-01\n"
        "tags: ['<i>Odd</i> tag']\n---\n\nBody.\n"))
    result = run_publish(site, "build", "landing")
    assert result.returncode == 0, result.stdout + result.stderr
    page = _parse(site / "output" / "index.html")
    assert not page.xpath("//script | //b | //i | //img[@onerror]")
    entry = page.xpath("//article[@aria-labelledby='article-markup']")[0]
    assert _text(entry.xpath(".//h3")[0]) == "Tags like <script>alert(1)</script> & <b>bold</b>"
    assert "<img src=x onerror=alert(1)>" in _text(entry.xpath(".//p[@class='excerpt']")[0])
    assert "&lt;script&gt;" in (site / "output" / "index.html").read_text(encoding="utf-8")


# --- what is linked comes from the other exporters' declarations ------------------------------------

def _render(site: Path, downloads: dict[str, str]) -> str:
    config = load_config(cwd=site)
    collection = load(config, write_cache=False).collection
    exporter = SiteExporter()
    ctx = exporter.context(config, collection, downloads=downloads)
    task = exporter.plan(ctx)[0]
    rendering = ctx.for_task()
    exporter.render(rendering, task)
    for relative, data in rendering.copies.items():          # as the main process writes them
        (site / "output" / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / "output" / relative).write_bytes(data)
    return rendering.files["index.html"].decode("utf-8")     # what the task gives the main process to write


def test_only_what_an_installed_exporter_declares_is_linked(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    html = _render(site, {"pdf": "pdf/{slug}.pdf", "rss": "rss.xml", "email": "mail/{unknown}.html",
                          "epub": "../outside.epub"})
    assert 'href="pdf/the-measure-of-a-line.pdf"' in html and 'href="rss.xml"' in html
    assert "atom.xml" not in html and "feed.json" not in html       # no exporter declares them here
    assert EN.latest_digest not in html and EN.newsletter not in html
    assert "mail/" not in html                         # a placeholder the page cannot fill: no link
    assert "outside.epub" not in html and EN.ebook not in html       # a path leaving output/: no link


def test_the_words_follow_the_site_language(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    toml = site / "publish.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('language = "en"', 'language = "de"'), encoding="utf-8")
    html = _render(site, {"pdf": "pdf/{slug}.pdf"})
    assert '<html lang="de" dir="ltr">' in html
    assert PAGE_LABELS["de"].read_on_blog in html and "22. April 2025" in html
    toml.write_text(toml.read_text(encoding="utf-8").replace('language = "de"', 'language = "ja"'), encoding="utf-8")
    html = _render(site, {"pdf": "pdf/{slug}.pdf"})
    # No Japanese words in publish: the page is in English, the site's own title keeps its language.
    assert '<html lang="en" dir="ltr">' in html and '<h1 lang="ja">Field Notes</h1>' in html
    assert EN.read_on_blog in html and "22 April 2025" in html


def test_under_a_sub_path_and_right_to_left(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    toml = site / "publish.toml"
    toml.write_text(toml.read_text(encoding="utf-8")
                    .replace('base_url = "https://fieldnotes.example"', 'base_url = "https://example.org/notes"')
                    .replace('language = "en"', 'language = "ar"'), encoding="utf-8")
    page = _parse_text(_render(site, {"rss": "rss.xml", "pdf": "pdf/{slug}.pdf"}))
    assert page.getroot().get("lang") == "ar" and page.getroot().get("dir") == "rtl"
    feed = page.xpath("//ul[@class='feeds']//a")[0]
    assert feed.get("href") == "rss.xml" and _text(feed) == "https://example.org/notes/rss.xml"
    assert page.xpath("//head/link[@rel='alternate']/@href") == ["rss.xml"]
    assert page.xpath("//article//a[@class='blog']/@href")[0].startswith("https://example.org/notes/blog/")
    french = page.xpath("//article[@aria-labelledby='article-le-carnet-du-cafe']//h3")[0]
    assert french.get("lang") == "fr" and french.get("dir") == "ltr"     # a left-to-right article on an rtl page


# --- bytes, themes and rebuilds ---------------------------------------------------------------------

def test_same_input_same_bytes(tmp_path: Path, output: Path) -> None:
    """Built again elsewhere (another folder, only this exporter, forced), the pages are byte-identical."""
    site = copy_sample(tmp_path / "elsewhere")
    for _ in range(2):
        result = run_publish(site, "build", "--force", "landing")
        assert result.returncode == 0, result.stdout + result.stderr
        assert _snapshot(site / "output") == _snapshot(output)


def test_a_site_theme_that_changes_only_index_html(tmp_path: Path, output: Path) -> None:
    site = copy_sample(tmp_path / "site")
    theme = site / "themes" / "mine"
    (theme / "site").mkdir(parents=True)
    (theme / "theme.toml").write_text('extends = "default"\n', encoding="utf-8")
    (theme / "site" / "index.html").write_text(
        '{% extends "layout.html" %}\n{% block body %}\n<main>\n<h1 id="mine">{{ site_title }}, my way</h1>\n'
        "<ul>\n{% for entry in articles %}\n<li>{% include \"entry.html\" %}</li>\n{% endfor %}\n</ul>\n</main>\n"
        "{% endblock %}\n", encoding="utf-8")
    result = run_publish(site, "--theme", "mine", "build", "landing")
    assert result.returncode == 0, result.stdout + result.stderr
    page = _parse(site / "output" / "index.html")
    assert _text(page.xpath("//h1[@id='mine']")[0]) == "Field Notes, my way"
    assert len(page.xpath("//article[@class='entry']")) == 7          # the default entry.html
    assert page.xpath("//head/style") and page.xpath("//footer")       # the default layout and CSS
    after = _snapshot(site / "output")
    before = _snapshot(output)
    assert after["index.html"] != before["index.html"]
    assert {k: v for k, v in after.items() if k != "index.html"} == {k: v for k, v in before.items()
                                                                    if k != "index.html"}


def test_editing_one_article_rebuilds_only_the_pages_showing_it(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    config = load_config(cwd=site)
    first = build(config, {"landing": None}, jobs=1)
    assert first.exit_code == 0 and len(first.written) == 7
    assert build(config, {"landing": None}, jobs=1).written == []
    article = site / "content" / "le-carnet-du-cafe.md"              # tagged Café Culture and Writing
    article.write_text(article.read_text(encoding="utf-8").replace("Petit éloge", "Court éloge"), encoding="utf-8")
    again = build(load_config(cwd=site), {"landing": None}, jobs=1)
    assert sorted(again.written) == ["index.html", "tags/cafe-culture/index.html", "tags/writing/index.html"]
    assert "Court éloge" in (site / "output" / "tags" / "writing" / "index.html").read_text(encoding="utf-8")


def test_a_site_without_articles_gets_no_pages(tmp_path: Path) -> None:
    site = tmp_path / "empty"
    (site / "content").mkdir(parents=True)
    (site / "publish.toml").write_text('[site]\ntitle = "Empty"\nbase_url = "https://empty.example"\n', encoding="utf-8")
    write_article(site, "draft.md", "---\ntitle: Draft\ndraft: true\npublishDate: 2024-01-01\n---\n\nText.\n")
    result = run_publish(site, "build", "landing")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (site / "output" / "index.html").exists()


@needs_judge
def test_the_nu_checker_finds_no_error(output: Path, tmp_path: Path) -> None:
    """The validator kit judges every .html file as an email too (caniemail): a web page uses CSS that mail
    clients lack (grid, custom properties), so only the Nu HTML checker's verdict applies here."""
    pages = tmp_path / "pages"
    for page in _pages(output):
        target = pages / page.relative_to(output)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, target)
    result = subprocess.run([sys.executable, str(JUDGE), str(pages), "--strict", "--verbose"], capture_output=True,
                            text=True, timeout=300)
    judged = [line for line in result.stdout.splitlines() if line.startswith(("PASS html", "FAIL html"))]
    assert len(judged) == len(_pages(output)), result.stdout + result.stderr
    nu = [line for line in result.stdout.splitlines() if line.strip().startswith("vnu")]
    assert nu == [], "\n".join(nu)


def test_the_site_icon_is_the_tab_icon(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    toml = site / "publish.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('[site]\n', '[site]\nicon = "/diagram.png"\n'),
                    encoding="utf-8")
    icon = _parse_text(_render(site, {})).xpath("//head/link[@rel='icon']/@href")
    assert len(icon) == 1 and icon[0].startswith("images/diagram-") and icon[0].endswith("-64.png")
    assert (site / "output" / icon[0]).is_file()
    # Without an icon, an empty one: no request for a /favicon.ico that is not there.
    assert _parse_text(_render(copy_sample(tmp_path / "plain"), {})).xpath("//head/link[@rel='icon']/@href") == [
        "data:,"]


def _parse_text(html: str):  # type: ignore[no-untyped-def]
    parser = HTMLParser(strict=True, tree=getTreeBuilder("lxml"), namespaceHTMLElements=False)
    return parser.parse(html)
