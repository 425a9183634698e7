"""A Hugo and a Jekyll blog published from their own root with no publish.toml: every link in
every output goes where the engine itself publishes the article, with the blog's own title and
authors, and no placeholder anywhere."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pytest

from tests.conftest import run_publish
from tests.validators import files_containing

SITES = Path(__file__).parents[1] / "sites"
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"

HARBOUR = "https://harbour-notes.example/field"
HUGO_URLS = {
    "tide-tables": f"{HARBOUR}/p/2024/03/tide-tables/",
    "tabelas-de-mares": f"{HARBOUR}/pt/p/2024/03/tabelas-de-mares/",       # the pt language's prefix
    "morning-fog": f"{HARBOUR}/p/2024/02/morning-fog/",
    "lighthouse": f"{HARBOUR}/p/2023/12/the-lighthouse-keepers-log/",      # :slug falls back to the title
    "harbour-map": f"{HARBOUR}/special/harbour-map/",                      # `url:` front matter
    "knots": f"{HARBOUR}/n/notes/knots/",
    "style": f"{HARBOUR}/n/notes/style/",
}
WEEKLY = "https://bench-press.example/weekly"
JEKYLL_URLS = {
    "release-notes": f"{WEEKLY}/news/2024/03/05/release-notes/",
    "welcome-to-the-weekly": f"{WEEKLY}/news/2024/02/10/welcome-to-the-weekly/",
    "bench-setup": f"{WEEKLY}/news/2024/01/20/Bench-Setup/",               # :title keeps the file name's case
    "year-in-review": f"{WEEKLY}/archive/2023/year-in-review.html",        # the post's own permalink
    "first-release": f"{WEEKLY}/news/2023/11/02/first-release/",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    found = {}
    for name in ("hugo-harbour", "jekyll-weekly"):
        site = tmp_path_factory.mktemp("blogs") / name
        shutil.copytree(SITES / name, site)
        result = run_publish(site, "all", env={"COLUMNS": "200"})
        assert result.returncode == 0, result.stdout + result.stderr
        found[name] = (site / "output", result.stdout + result.stderr)
    return found


def _feed(output: Path) -> dict:
    return json.loads((output / "feed.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "expected", "title"), [
    ("hugo-harbour", HUGO_URLS, "Harbour Notes"), ("jekyll-weekly", JEKYLL_URLS, "Bench Press Weekly")])
def test_every_feed_links_where_the_engine_publishes(built: dict, name: str, expected: dict, title: str) -> None:
    output, _ = built[name]
    feed = _feed(output)
    assert feed["title"] == title
    assert sorted(item["url"] for item in feed["items"]) == sorted(expected.values())
    rss = ElementTree.parse(output / "rss.xml").getroot()
    assert rss.findtext("channel/title") == title
    assert sorted(item.findtext("link") for item in rss.iter("item")) == sorted(expected.values())
    atom = ElementTree.parse(output / "atom.xml").getroot()
    assert atom.findtext(f"{ATOM}title") == title
    links = [link.get("href") for entry in atom.iter(f"{ATOM}entry") for link in entry.iter(f"{ATOM}link")
             if link.get("type") == "text/html"]
    assert sorted(links) == sorted(expected.values())


@pytest.mark.parametrize(("name", "expected"), [("hugo-harbour", HUGO_URLS), ("jekyll-weekly", JEKYLL_URLS)])
def test_emails_link_where_the_engine_publishes(built: dict, name: str, expected: dict) -> None:
    output, _ = built[name]
    for text in (output / "email").glob("*.txt"):
        if text.name.startswith("digest-"):
            continue
        read_online = next(line for line in text.read_text().splitlines() if line.startswith("Read online: "))
        assert read_online.removeprefix("Read online: ") in expected.values()
        html = text.with_suffix(".html").read_text()
        assert f'href="{read_online.removeprefix("Read online: ")}"' in html


@pytest.mark.parametrize("name", ["hugo-harbour", "jekyll-weekly"])
def test_no_placeholder_anywhere(built: dict, name: str) -> None:
    output, log = built[name]
    assert files_containing(output, b"example.com") == []
    assert "example.com" not in log and "no base URL" not in log


def test_pages_are_not_articles_and_untitled_posts_get_the_engines_title(built: dict) -> None:
    hugo, hugo_log = built["hugo-harbour"]
    assert not (hugo / "pdf" / "about.pdf").exists()
    titles = {item["url"]: item["title"] for item in _feed(hugo)["items"]}
    assert titles[HUGO_URLS["morning-fog"]] == "Morning fog"
    assert hugo_log.count("no title in the front matter; using the first heading 'Morning fog'") == 1
    jekyll, _ = built["jekyll-weekly"]
    titles = {item["url"]: item["title"] for item in _feed(jekyll)["items"]}
    assert titles[JEKYLL_URLS["welcome-to-the-weekly"]] == "Welcome To The Weekly"     # Jekyll's titleize
    assert not (jekyll / "pdf" / "about.pdf").exists()


def test_authors_reach_every_format(built: dict) -> None:
    output, _ = built["hugo-harbour"]
    by_url = {item["url"]: item for item in _feed(output)["items"]}
    assert by_url[HUGO_URLS["knots"]]["authors"] == [{"name": "Rui Costa"}, {"name": "Inês Matos"}]
    assert by_url[HUGO_URLS["tide-tables"]]["authors"] == [{"name": "Inês Matos"}]
    assert by_url[HUGO_URLS["style"]]["authors"] == [{"name": "Rui Costa"}]          # the site's author
    rss = ElementTree.parse(output / "rss.xml").getroot()
    items = {item.findtext("link"): item for item in rss.iter("item")}
    assert [c.text for c in items[HUGO_URLS["knots"]].iter(f"{DC}creator")] == ["Rui Costa", "Inês Matos"]
    assert items[HUGO_URLS["style"]].findtext("author") == "rui@harbour-notes.example (Rui Costa)"
    atom = ElementTree.parse(output / "atom.xml").getroot()
    names = {next(link.get("href") for link in e.iter(f"{ATOM}link") if link.get("type") == "text/html"):
             [a.findtext(f"{ATOM}name") for a in e.findall(f"{ATOM}author")] for e in atom.iter(f"{ATOM}entry")}
    assert names[HUGO_URLS["knots"]] == ["Rui Costa", "Inês Matos"]
    with pikepdf.open(output / "pdf" / "knots.pdf") as pdf:
        assert str(pdf.docinfo["/Author"]) == "Rui Costa, Inês Matos"
    assert "Rui Costa, Inês Matos" in (output / "email" / "knots.html").read_text()
    assert "Inês Matos" in (output / "email" / "tide-tables.txt").read_text()
    (book,) = (output / "epub").glob("*.epub")
    with zipfile.ZipFile(book) as archive:
        opf = next(n for n in archive.namelist() if n.endswith(".opf"))
        package = archive.read(opf).decode()
        chapters = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml"))
    assert "<dc:creator" in package and "Rui Costa" in package and "Inês Matos" in package
    assert '<span class="author">Rui Costa, Inês Matos</span>' in chapters


def test_jekyll_authors_come_from_data_authors_and_defaults(built: dict) -> None:
    output, _ = built["jekyll-weekly"]
    by_url = {item["url"]: item for item in _feed(output)["items"]}
    tomas = [{"name": "Tomás Berg", "url": "https://bench-press.example/people/tomas/"}]
    assert by_url[JEKYLL_URLS["release-notes"]]["authors"] == tomas              # author: tomas
    assert by_url[JEKYLL_URLS["first-release"]]["authors"] == tomas              # defaults for _posts/releases
    assert by_url[JEKYLL_URLS["bench-setup"]]["authors"] == [{"name": "Mara Lind"}]   # the site's author


def test_jekyll_dates_without_an_offset_are_in_the_configured_zone(built: dict) -> None:
    output, _ = built["jekyll-weekly"]
    by_url = {item["url"]: item for item in _feed(output)["items"]}
    assert by_url[JEKYLL_URLS["bench-setup"]]["date_published"] == "2024-01-20T22:30:00-05:00"


def test_check_verbose_says_where_each_setting_came_from(tmp_path: Path) -> None:
    site = tmp_path / "harbour"
    shutil.copytree(SITES / "hugo-harbour", site)
    (site / "publish.toml").write_text('[site]\ndescription = "Overridden here."\n')
    result = run_publish(site, "-v", "check", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  site.base_url = 'https://harbour-notes.example/field/'  (config/production/hugo.toml)" in lines
    assert "  site.title = 'Harbour Notes'  (config/_default/hugo.toml)" in lines
    assert "  site.description = 'Overridden here.'  (publish.toml)" in lines
    assert "  site.logo = (not set)  (default)" in lines
    assert any(line.startswith("  article URLs: notes: /n/:section/:filename/, posts: /p/:year/:month/:slug/")
               for line in lines)
    assert "  language pt: /pt, title 'Notas do Porto'" in lines


def test_a_site_without_a_base_url_is_told_once_where_to_set_it(tmp_path: Path) -> None:
    site = tmp_path / "plain"
    for day in (1, 2, 3):
        path = site / "content" / f"post-{day}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: Post {day}\ndate: 2024-01-0{day}\n---\nText {day}.\n")
    result = run_publish(site, "all", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("no base URL is set") == 1
    assert "set base_url in [site] of publish.toml" in result.stderr
    assert result.stderr.count("articles have no cover image") == 1
    check = run_publish(site, "check", env={"COLUMNS": "200"})
    assert "no base URL is set" in check.stderr
    (site / "_config.yml").write_text("title: Plain\n")
    jekyll_check = run_publish(site, "check", env={"COLUMNS": "200"})
    assert "or url (and baseurl) in _config.yml" in jekyll_check.stderr


def test_liquid_takes_the_values_of_config_yml_and_keeps_raw_text(built: dict) -> None:
    output, _ = built["jekyll-weekly"]
    text = (output / "email" / "release-notes.txt").read_text()
    assert "Version 4.2.1 of Bench Press Weekly is out." in " ".join(text.split())
    assert "{{ clamp.width }}" in text                                  # {% raw %} kept as typed
    html = (output / "email" / "release-notes.html").read_text()
    assert f'href="{JEKYLL_URLS["welcome-to-the-weekly"]}"' in html     # {% post_url %}
