"""Property-based tests (Hypothesis) over front matter, dates, slugs and the HTML sanitizer."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from publish.config import Config
from publish.content.dates import DateProblem, parse_date
from publish.content.frontmatter import split
from publish.content.reader import read_front
from publish.content.slugs import is_safe_segment, slugify
from publish.errors import ContentError
from publish.html import sanitize, strip_forbidden
from publish.paths import inside

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.text())
def test_slugify_is_safe_and_stable(text: str) -> None:
    slug = slugify(text)
    assert slug == "" or is_safe_segment(slug)
    assert slugify(slug) == slug
    assert slug.isascii()


@SETTINGS
@given(st.text(min_size=1, max_size=80))
def test_a_safe_segment_never_leaves_its_folder(segment: str) -> None:
    base = Path("/srv/site/output")
    if is_safe_segment(segment):
        assert inside(base / segment, [base])
        assert "/" not in segment and segment not in (".", "..")


@SETTINGS
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
       st.sampled_from(["%b %d %Y", "%B %d, %Y", "%d %b %Y", "%Y-%m-%d", "%Y/%m/%d"]))
def test_written_dates_read_back(moment: datetime, fmt: str) -> None:
    parsed = parse_date(moment.strftime(fmt), UTC)
    assert parsed.date() == moment.date() and parsed.tzinfo is not None


@SETTINGS
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
       st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_iso_with_offsets_read_back(moment: datetime, minutes: int) -> None:
    aware = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=minutes)))
    assert parse_date(aware.isoformat(), UTC) == aware


@SETTINGS
@given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.text(), max_size=2)))
def test_parse_date_fails_only_with_a_date_problem(value: object) -> None:
    try:
        result = parse_date(value, UTC)
    except DateProblem as exc:
        assert str(exc)
    else:
        assert result.tzinfo is not None


@SETTINGS
@given(st.text(max_size=400))
def test_split_never_crashes(text: str) -> None:
    try:
        parsed = split(text, Path("x.md"))
    except ContentError as exc:
        assert exc.path == Path("x.md")
    else:
        assert isinstance(parsed.meta, dict)


FRONT_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30),
              st.sampled_from(["Feb 18 2024", "2024-02-30", "yesterday", "2024-05-12T09:30:00+02:00"])),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=8), children,
                                               max_size=3)),
    max_leaves=8)
KEYS = st.sampled_from(["title", "excerpt", "publishDate", "pubDate", "date", "updatedDate", "tags", "categories",
                        "draft", "isFeatured", "slug", "lang", "seo", "image", "heroImage", "cover", "published"])


@SETTINGS
@given(st.dictionaries(KEYS, FRONT_VALUES, max_size=8))
@example(meta={"title": "T", "publishDate": "Feb 18 2024", "tags": ["A", "b"], "slug": "../x"})
@example(meta={"title": "T", "date": "2024-05-12T09:30:00+02:00", "draft": True, "tags": "a, b"})
def test_any_front_matter_loads_or_names_its_problem(tmp_path_factory, meta: dict) -> None:  # type: ignore[no-untyped-def]
    site = tmp_path_factory.mktemp("site")
    content = site / "content"
    content.mkdir()
    path = content / "post.md"
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\nBody text.\n", encoding="utf-8")
    config = Config(root=site)
    try:
        draft = read_front(path, content, config, UTC)
    except ContentError as exc:
        assert exc.path == path and exc.message
    else:
        assert draft.title and is_safe_segment(draft.slug)
        assert draft.published.tzinfo is not None
        assert all(is_safe_segment(tag.slug) for tag in draft.tags)


HOSTILE_BITS = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">j</a>',
    "<iframe src=//evil.example></iframe>", "<form><input></form>", "<style>*{}</style>", "<svg onload=alert(1)>",
    '<a href="data:text/html,x">d</a>', "<object data=x></object>", "<embed src=x>", '<p style="x:url(y)">',
    "<!-- comment -->", "<![CDATA[x]]>", "]]>", "&", "<", ">", '"', "\x1b", "\x0b", "<math><mi>x</mi></math>",
    "<p>", "</p>", "<div>", "</div>", "<b>", "<table><tr><td>", "<meta http-equiv=refresh content=0>",
    '<link rel=stylesheet href=x>', "<base href=//evil.example/>", "<ScRiPt>alert(1)</sCrIpT>",
])


@SETTINGS
@given(st.lists(st.one_of(HOSTILE_BITS, st.text(max_size=20)), max_size=25))
def test_sanitizer_removes_everything_active(parts: list[str]) -> None:
    cleaned = sanitize("".join(parts))
    lowered = cleaned.lower()
    for bad in ("<script", "onerror", "onload", "javascript:", "<iframe", "<form", "<input", "<style", "<svg",
                "data:", "<object", "<embed", "url(", "<meta", "<link", "<base", "<!--"):
        assert bad not in lowered
    assert strip_forbidden(cleaned) == cleaned
    assert sanitize(cleaned) == cleaned
