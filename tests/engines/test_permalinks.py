"""The permalink expanders: every placeholder the issue lists, checked against what Hugo and
Jekyll document, and properties that hold for any article."""

from __future__ import annotations

import string
from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publish.engines import permalinks
from publish.engines.permalinks import PageFacts, PatternError

LISBON = ZoneInfo("Europe/Lisbon")
PAGE = PageFacts(slug="tides", title="Reading the Tide Tables!", date=datetime(2024, 3, 5, 7, 30, tzinfo=LISBON),
                 sections=("posts", "2024"), filename="tides", front_slug="", categories=("Releases", "news"))


@pytest.mark.parametrize(("pattern", "expected"), [
    ("/:year/:month/:day/:slug/", "/2024/03/05/reading-the-tide-tables/"),
    ("/:section/:title/", "/posts/reading-the-tide-tables/"),
    ("/:sections/:filename/", "/posts/2024/tides/"),
    ("/:sections[last]/:contentbasename/", "/2024/tides/"),
    ("/:monthname/:weekdayname/:yearday/", "/March/Tuesday/65/"),
    ("/:2006/:01/:02/:slugorfilename/", "/2024/03/05/tides/"),
    ("/p/:slug/", "/p/reading-the-tide-tables/"),
    ("/literal\\:colon/:filename/", "/literal:colon/tides/"),
])
def test_hugo_placeholders(pattern: str, expected: str) -> None:
    assert permalinks.hugo(pattern, PAGE) == expected


def test_hugo_slug_front_matter_and_bundles() -> None:
    page = PageFacts(slug="x", title="Anything", date=PAGE.date, sections=("posts",), filename="lighthouse",
                     front_slug="Tide Tables")
    assert permalinks.hugo("/:slug/", page) == "/tide-tables/"
    assert permalinks.hugo("/:slugorcontentbasename/", page) == "/tide-tables/"
    assert permalinks.hugo_default(page) == "/posts/tide-tables/"
    assert permalinks.hugo_default(PageFacts(slug="x", title="t", date=PAGE.date, sections=("posts",),
                                             filename="My Post"), ugly=True) == "/posts/my-post.html"


def test_hugo_urlize_keeps_letters_of_every_script_and_escapes_them() -> None:
    page = PageFacts(slug="x", title="Ler as tabelas de marés: 潮汐", date=PAGE.date)
    path = permalinks.hugo("/:title/", page)
    assert unquote(path) == "/ler-as-tabelas-de-marés-潮汐/"
    assert path.isascii()


@pytest.mark.parametrize(("pattern", "expected"), [
    ("/:categories/:year/:month/:day/:title:output_ext", "/releases/news/2024/03/05/Bench-Setup.html"),
    ("/news/:year/:month/:day/:title/", "/news/2024/03/05/Bench-Setup/"),
    ("/:categories/:year/:y_day/:title:output_ext", "/releases/news/2024/065/Bench-Setup.html"),
    ("/:short_year/:i_month/:i_day/:slug/", "/24/3/5/bench-setup/"),
    ("/:categories/:title:output_ext", "/releases/news/Bench-Setup.html"),
    ("/:year/W:week/:short_day/:name/", "/2024/W10/Tue/bench-setup/"),
    ("/:long_month/:short_month/:hour:minute:second/", "/March/Mar/073000/"),
    ("/blog/index.html", "/blog/"),
])
def test_jekyll_placeholders(pattern: str, expected: str) -> None:
    page = PageFacts(slug="bench-setup", title="Setting Up", date=PAGE.date, filename="Bench-Setup",
                     categories=("Releases", "news"))
    assert permalinks.jekyll(pattern, page) == expected


def test_jekyll_without_categories_has_no_empty_segment() -> None:
    page = PageFacts(slug="a", title="A", date=PAGE.date, filename="welcome-to-jekyll")
    assert permalinks.jekyll("/:categories/:year/:title/", page) == "/2024/welcome-to-jekyll/"


def test_jekyll_slug_front_matter_overrides_the_file_name() -> None:
    page = PageFacts(slug="a", title="A", date=PAGE.date, filename="old-name", front_slug="New Name!")
    assert permalinks.jekyll("/:title/", page) == "/New-Name!/"
    assert permalinks.jekyll("/:slug/", page) == "/new-name/"


def test_publish_placeholders_and_unknown_ones() -> None:
    assert permalinks.publish("/blog/{year}/{month}/{day}/{slug}/", PAGE) == "/blog/2024/03/05/tides/"
    assert permalinks.publish("/{section}/{slug}.html", PAGE) == "/posts/tides.html"
    for expand, pattern in ((permalinks.publish, "/{nope}/"), (permalinks.hugo, "/:nope/"),
                            (permalinks.jekyll, "/:nope/")):
        with pytest.raises(PatternError):
            expand(pattern, PAGE)


words = st.text(alphabet=string.ascii_letters + string.digits + " -_'!?éü中", min_size=1, max_size=30)
facts = st.builds(
    PageFacts,
    slug=st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True),
    title=words, date=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                                   timezones=st.just(LISBON)),
    sections=st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), max_size=3).map(tuple),
    filename=words, front_slug=st.one_of(st.just(""), words),
    categories=st.lists(words, max_size=2).map(tuple))
hugo_patterns = st.lists(st.sampled_from([":year", ":month", ":day", ":slug", ":title", ":section", ":sections",
                                          ":filename", ":contentbasename", ":slugorfilename", "p", "x-y"]),
                         min_size=1, max_size=5).map(lambda parts: "/" + "/".join(parts) + "/")
jekyll_patterns = st.lists(st.sampled_from([":year", ":month", ":day", ":title", ":slug", ":categories",
                                            ":i_month", ":y_day", ":name", "news"]),
                           min_size=1, max_size=5).map(lambda parts: "/" + "/".join(parts) + "/")


def _well_formed(path: str) -> None:
    assert path.startswith("/") and "//" not in path
    assert path.isascii() and " " not in path and "?" not in path and "#" not in path.replace("%23", "")


@settings(max_examples=200, deadline=None)
@given(page=facts, pattern=hugo_patterns)
def test_hugo_paths_are_well_formed_and_stable(page: PageFacts, pattern: str) -> None:
    path = permalinks.hugo(pattern, page)
    _well_formed(path)
    assert path == permalinks.hugo(pattern, page)
    if ":year" in pattern:
        assert f"/{page.date.year}" in path


@settings(max_examples=200, deadline=None)
@given(page=facts, pattern=jekyll_patterns)
def test_jekyll_paths_are_well_formed_and_stable(page: PageFacts, pattern: str) -> None:
    path = permalinks.jekyll(pattern, page)
    _well_formed(path)
    assert path == permalinks.jekyll(pattern, page)


@settings(max_examples=100, deadline=None)
@given(page=facts)
def test_a_slug_pattern_always_names_the_slug(page: PageFacts) -> None:
    assert permalinks.publish("/blog/{slug}/", page) == f"/blog/{page.slug}/"
    assert permalinks.hugo_default(page).endswith("/")
