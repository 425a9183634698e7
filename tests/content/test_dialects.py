"""Real blogs as they are: the demo sites of eight public themes, loaded without configuration.

Each folder under tests/sites is a small, original reconstruction of a theme's starter (its layout
and front matter schema, not its text). The tests load a copy of each with the real loader and
check the mapping onto the model field by field, that blog-engine syntax never leaks into the
body, that what has a rendering is rendered, and that nothing is fetched from the network.
Expectations are written as the loader SHOULD behave; known loader bugs are strict xfails.
"""

from __future__ import annotations

import html
import http.server
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from publish.content.loader import Loaded, load
from publish.model import Article
from publish.text import slugify
from tests.conftest import load_config

SITES = Path(__file__).resolve().parents[1] / "sites"
LEFT_OUT = "left out syntax"
NO_ALT = "cover image has no alt text"
NO_COVER = ("no cover image", "no base URL is set", "no sender address is set")


def tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


def T(name: str, slug: str | None = None) -> tuple[str, str]:
    """A tag as (display name, slug); non-ASCII names take whatever slug the project's slugify gives."""
    return name, slug if slug is not None else slugify(name)


@dataclass(frozen=True)
class Expected:
    title: str
    published: datetime
    updated: datetime | None
    tags: tuple[tuple[str, str], ...]
    excerpt: str
    cover: tuple[str, str, tuple[int, int], str] | None = None  # (path from site root, alt, size, format)
    language: str = "en"
    featured: bool = False
    left_out: tuple[str, ...] = ()     # words the one "left out syntax" warning must name; () = no such warning
    no_alt: bool = False               # the cover has no alt text in the theme's schema: title used, one warning


EXPECTED: dict[str, dict[str, Expected]] = {
    "astro-dante": {
        "quiet-tools": Expected(
            "The Case for Quiet Tools", datetime(2024, 2, 18, tzinfo=UTC), datetime(2024, 3, 2, tzinfo=UTC),
            (T("Productivity", "productivity"), T("Tools", "tools")),
            "Software that stays out of the way leaves more room for the work itself. A few notes on "
            "choosing tools that ask for very little attention.",
            ("public/quiet-tools.webp", "A bare wooden desk with one notebook and a pencil", (64, 40), "WEBP"),
            featured=True),
        "window-light": Expected(
            "Photographing by Window Light", datetime(2023, 8, 5, tzinfo=UTC), None,
            (T("Photography", "photography"),),
            "A north-facing window is the cheapest soft box there is. How to use it for portraits and still life.",
            ("public/window-light.webp", "A pot of herbs lit from the side by a tall window", (48, 64), "WEBP")),
        "reading-slowly": Expected(
            "Reading Slowly, on Purpose", datetime(2023, 10, 5, tzinfo=UTC), None,
            (T("Reading", "reading"), T("Productivity", "productivity")),
            "Why a page a day can beat a book a week."),                    # from seo.description
    },
    "astropaper": {
        "posts-that-age-well": Expected(                                   # `slug:` wins over the file name
            "Writing Posts That Age Well", datetime(2024, 1, 10, 8, 20, tzinfo=UTC),
            datetime(2024, 3, 5, 14, 45, 30, 500000, tzinfo=UTC),
            (T("writing", "writing"), T("docs", "docs")),
            "How to shape a technical post so that it still reads well a year after it was written.",
            ("src/assets/images/forest-path.png", "Writing Posts That Age Well", (64, 40), "PNG"),
            featured=True, no_alt=True),
        "dark-mode-notes": Expected(
            "Notes on a Calm Dark Mode", datetime(2023, 11, 2, 9, 15, tzinfo=tz(5.5)), None,   # modDatetime: null
            (T("design", "design"), T("accessibility", "accessibility")),
            "Dark themes need more than inverted colours; a few rules that keep contrast comfortable."),
    },
    "astrowind": {
        "small-business-website": Expected(
            "Getting a Small Business Website Online in a Weekend", datetime(2023, 8, 12, tzinfo=UTC),
            datetime(2024, 1, 20, 16, 30, tzinfo=UTC),
            (T("website", "website"), T("small business", "small-business"), T("Tutorials", "tutorials")),
            "A practical checklist for owners who want a fast, honest website without hiring an agency.",
            ("src/assets/images/workbench.jpg", "Getting a Small Business Website Online in a Weekend", (64, 40),
             "JPEG"), no_alt=True),
        "components-in-markdown": Expected(
            "Using Components Inside Markdown", datetime(2024, 2, 3, 9, tzinfo=UTC), None,
            (T("mdx", "mdx"), T("astro", "astro"), T("Documentation", "documentation")),
            "MDX lets a post borrow a component from the site when plain Markdown is not enough.",
            ("src/assets/images/lighthouse.jpg", "Using Components Inside Markdown", (40, 64), "JPEG"),
            left_out=("MDX import",), no_alt=True),
    },
    "fuwari": {
        "guide": Expected(                                                  # a bundle: guide/index.md
            "A Short Guide to This Blog Template", datetime(2024, 4, 1, tzinfo=UTC), datetime(2024, 4, 20, tzinfo=UTC),
            (T("Blogging", "blogging"), T("Customization", "customization"), T("Guides", "guides")),
            "Where posts live, how covers work, and what the front matter fields mean.",
            ("src/content/posts/guide/cover.jpg", "A Short Guide to This Blog Template", (64, 36), "JPEG"),
            no_alt=True),
        "markdown-extended": Expected(                                      # image: '' is no cover
            "Extended Markdown Features", datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 2, tzinfo=UTC),
            (T("Markdown", "markdown"), T("Blogging", "blogging"), T("Examples", "examples")),
            "Admonitions and GitHub-style alerts, as this template renders them."),
        "japanese-notes": Expected(
            "日本語でブログを書く", datetime(2024, 3, 15, tzinfo=UTC), None,
            (T("日本語"), T("Writing", "writing"), T("Examples", "examples")),
            "日本語の記事の例です。A post written partly in Japanese.", language="ja"),
    },
    "astro-blog-template": {
        "first-post": Expected(
            "First post", datetime(2022, 7, 8, tzinfo=UTC), None, (),
            "Hello from a brand-new Astro blog: what this site is for.",
            ("src/assets/blog-placeholder-1.jpg", "First post", (64, 32), "JPEG"), no_alt=True),
        "second-post": Expected(
            "Second post", datetime(2022, 7, 15, tzinfo=UTC), datetime(2022, 7, 22, tzinfo=UTC), (),
            "A follow-up that was revised a week after it went out.",
            ("src/assets/blog-placeholder-2.jpg", "Second post", (64, 33), "JPEG"), no_alt=True),
        "markdown-style-guide": Expected(
            "Markdown Style Guide", datetime(2024, 6, 19, tzinfo=UTC), None, (),
            "The Markdown elements this template styles, in one place.",
            ("src/assets/blog-placeholder-1.jpg", "Markdown Style Guide", (64, 32), "JPEG"), no_alt=True),
    },
    "cactus": {
        "hello-world": Expected(                                            # ogImage only: the cover
            "Hello, World", datetime(2023, 2, 22, tzinfo=UTC), datetime(2024, 1, 14, tzinfo=UTC),
            (T("example", "example"), T("blog", "blog"), T("Astro", "astro")),
            "The first post on a minimal Astro theme, with a hand-made social card.",
            ("public/social-card.png", "Hello, World", (64, 34), "PNG"), no_alt=True),
        "cover-image": Expected(                                            # coverImage: {src: ./cover.png, alt}
            "A Post With a Cover Image", datetime(2023, 7, 4, tzinfo=UTC), None,
            (T("test", "test"), T("image", "image")),
            "A post whose cover image lives in its own folder.",
            ("src/content/post/cover-image/cover.png", "Rows of cactus seedlings in small clay pots", (60, 40), "PNG")),
    },
    "hugo-papermod": {
        "toml-front-matter": Expected(                                      # summary: the text before <!--more-->
            "Front Matter in TOML", datetime(2024, 1, 15, 9, 30, tzinfo=UTC), datetime(2024, 1, 16, 8, tzinfo=tz(1)),
            (T("Hugo", "hugo"), T("TOML", "toml"), T("Guides", "guides")),
            "Hugo reads front matter written in TOML between two lines of plus signs. Keys and dates look a little "
            "different from YAML, but they mean the same. Everything above the separator below is the summary "
            "shown in list pages."),
        "shortcodes-tour": Expected(
            "A Tour of Shortcodes", datetime(2024, 2, 20, 10, tzinfo=tz(8)), datetime(2024, 2, 22, 18, 45, tzinfo=tz(8)),
            (T("Hugo", "hugo"), T("Shortcodes", "shortcodes"), T("Guides", "guides"), T("Writing", "writing")),
            "Figures, videos, cross-references and notices, the Hugo way.",
            ("static/img/cover-shortcodes.png", "Curly braces drawn around a small house", (64, 40), "PNG")),
        "bundle-post": Expected(
            "A Page Bundle With Its Own Image", datetime(2023, 12, 1, 12, tzinfo=tz(1)), None,
            (T("Bundles", "bundles"), T("Guides", "guides")),
            "Keeping a post and its pictures in one folder.",
            ("content/posts/bundle-post/harbour.jpg", "Small boats moored in a harbour", (64, 42), "JPEG")),
        "bundle-post-zh": Expected(                                         # index.zh.md beside index.md
            "自带图片的页面包", datetime(2023, 12, 1, 12, tzinfo=tz(1)), None,
            (T("页面包"), T("指南")),
            "把文章和图片放在同一个文件夹里。",
            ("content/posts/bundle-post/harbour.jpg", "停泊在港口里的小船", (64, 42), "JPEG"), language="zh"),
    },
    "jekyll-minima": {
        "welcome-to-jekyll": Expected(                                      # categories: "jekyll update"
            "Welcome to the Workshop Log", datetime(2019, 8, 8, 11, 33, tzinfo=tz(8)), None,
            (T("jekyll", "jekyll"), T("update", "update")),
            "Posts live in the _posts folder, named with the date first and the title after it. Jekyll builds "
            "the site every time a file changes.",
            left_out=("kramdown",)),                                       # {{ site.baseurl }}/path is the path
        "second": Expected(                                                 # the date comes from the file name
            "Second Entry: Clamps", datetime(2019, 8, 9, tzinfo=UTC), None,
            (T("tools", "tools"), T("clamps", "clamps"), T("workshop", "workshop")),
            "One can never have enough clamps. This entry has no date in its front matter: the file name gives it."),
    },
}

# Drafts each theme marks its own way: site -> (slug, published).
DRAFTS: dict[str, tuple[str, datetime]] = {
    "astropaper": ("unfinished-thoughts", datetime(2024, 2, 1, 10, tzinfo=UTC)),
    "astrowind": ("pricing-pages", datetime(2024, 3, 1, tzinfo=UTC)),
    "fuwari": ("draft", datetime(2024, 1, 11, tzinfo=UTC)),
    "cactus": ("draft-post", datetime(2023, 6, 6, tzinfo=UTC)),
    "hugo-papermod": ("upcoming-ideas", datetime(2024, 3, 1, 9, tzinfo=tz(8))),
    "jekyll-minima": ("a-draft-idea", datetime(2019, 9, 1, 9, tzinfo=tz(8))),     # _drafts/a-draft-idea.md
}

# Files in the starters that are pages or site sections, not articles.
NOT_ARTICLES: dict[str, tuple[str, ...]] = {
    "astro-dante": ("src/content/pages/about.md",),
    "fuwari": ("src/content/spec/about.md",),
    "hugo-papermod": ("content/posts/_index.md", "content/archives.md"),
    "jekyll-minima": ("about.markdown", "index.markdown"),
}

# Text that only the original blog engine understands; none of it may reach an output.
GARBAGE = ("import ", "export ", "{{<", "{{%", "%}}", ">}}", "{%", "%}", "{{ site", "{{", "{:", ":::",
           "[!WARNING]", "[!NOTE]", "<!--", "more-->", "Callout", "YouTube", "post_url", "endhighlight")

# Known loader bugs, keyed by (test, site, slug or ""): the reason names the bug (details in the report).
BUGS: dict[tuple[str, str, str], str] = {}


def _params(test: str, items: list[tuple[str, str]]) -> list[Any]:
    out = []
    for site, slug in items:
        reason = BUGS.get((test, site, slug))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(site, slug, marks=marks, id=f"{site}/{slug}" if slug else site))
    return out


ARTICLES = [(site, slug) for site, articles in EXPECTED.items() for slug in articles]
SITE_NAMES = [(site, "") for site in EXPECTED]


# --- loading, once per module ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def site_copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All fixture sites copied once, so loading (which may cache under output/) never writes into the repo."""
    root = tmp_path_factory.mktemp("sites")
    for site in EXPECTED:
        shutil.copytree(SITES / site, root / site)
    return root


@pytest.fixture(scope="module")
def loaded_sites() -> dict[tuple[str, bool], Loaded]:
    return {}


def _load(site_copies: Path, cache: dict[tuple[str, bool], Loaded], site: str, *, drafts: bool = False) -> Loaded:
    if (site, drafts) not in cache:
        config = load_config(cwd=site_copies / site)
        cache[(site, drafts)] = load(config, drafts=drafts, jobs=2)
    return cache[(site, drafts)]


Get = Callable[..., Loaded]


@pytest.fixture
def get(site_copies: Path, loaded_sites: dict[tuple[str, bool], Loaded]) -> Get:
    """get(site, drafts=False): the site loaded once per module and mode."""
    def get_site(site: str, *, drafts: bool = False) -> Loaded:
        return _load(site_copies, loaded_sites, site, drafts=drafts)
    return get_site


def _article(loaded: Loaded, slug: str) -> Article:
    article = loaded.collection.get(slug)
    assert article is not None, f"{slug} not loaded; problems: {[str(p) for p in loaded.problems]}"
    return article


def _messages(loaded: Loaded, source: Path) -> list[str]:
    return [p.message for p in loaded.problems if p.path is not None and p.path.resolve() == source.resolve()]


def _exact(value: datetime | None) -> tuple[datetime | None, timedelta | None]:
    """A datetime with its offset: aware datetimes compare equal across offsets, this does not."""
    return value, value.utcoffset() if value is not None else None


# --- the mapping onto the model, article by article -------------------------------------------------

@pytest.mark.parametrize("site", list(EXPECTED))
def test_exactly_the_published_articles(get: Get, site: str) -> None:
    loaded = get(site)
    assert {a.slug for a in loaded.collection} == set(EXPECTED[site])
    published = [a.published for a in loaded.collection]
    assert published == sorted(published, reverse=True)


@pytest.mark.parametrize(("site", "slug"), _params("test_title_and_dates", ARTICLES))
def test_title_and_dates(get: Get, site: str, slug: str) -> None:
    article, expected = _article(get(site), slug), EXPECTED[site][slug]
    assert article.title == expected.title
    assert article.published.tzinfo is not None
    assert _exact(article.published) == _exact(expected.published)
    assert _exact(article.updated) == _exact(expected.updated)
    assert article.featured is expected.featured
    assert article.draft is False


@pytest.mark.parametrize(("site", "slug"), _params("test_tags", ARTICLES))
def test_tags(get: Get, site: str, slug: str) -> None:
    article = _article(get(site), slug)
    assert [(t.name, t.slug) for t in article.tags] == list(EXPECTED[site][slug].tags)
    assert all(t.slug.isascii() for t in article.tags)


@pytest.mark.parametrize(("site", "slug"), _params("test_excerpt", ARTICLES))
def test_excerpt(get: Get, site: str, slug: str) -> None:
    assert _article(get(site), slug).excerpt == EXPECTED[site][slug].excerpt


@pytest.mark.parametrize(("site", "slug"), _params("test_cover", ARTICLES))
def test_cover(get: Get, site: str, slug: str, site_copies: Path) -> None:
    article, expected = _article(get(site), slug), EXPECTED[site][slug]
    if expected.cover is None:
        assert article.cover is None
        return
    path, alt, size, fmt = expected.cover
    assert article.cover is not None
    assert article.cover.path == (site_copies / site / path).resolve()
    assert (article.cover.alt, (article.cover.width, article.cover.height), article.cover.format) == (alt, size, fmt)


@pytest.mark.parametrize(("site", "slug"), _params("test_language", ARTICLES))
def test_language(get: Get, site: str, slug: str) -> None:
    assert _article(get(site), slug).language == EXPECTED[site][slug].language


@pytest.mark.parametrize(("site", "slug"), _params("test_no_garbage_in_the_body", ARTICLES))
def test_no_garbage_in_the_body(get: Get, site: str, slug: str) -> None:
    article = _article(get(site), slug)
    for text in (article.body_html, article.excerpt, article.title):
        leaked = [g for g in GARBAGE if g in text]
        assert not leaked, f"{leaked} in {text[:400]!r}"
    assert "<h1" not in article.body_html


@pytest.mark.parametrize(("site", "slug"), _params("test_one_warning_for_what_was_left_out", ARTICLES))
def test_one_warning_for_what_was_left_out(get: Get, site: str, slug: str) -> None:
    loaded = get(site)
    article, expected = _article(loaded, slug), EXPECTED[site][slug]
    messages = _messages(loaded, article.source)
    left_out = [m for m in messages if m.startswith(LEFT_OUT)]
    assert len(left_out) == (1 if expected.left_out else 0), messages
    for word in expected.left_out:
        assert word in left_out[0]
    assert sum(m.startswith(NO_ALT) for m in messages) == (1 if expected.no_alt else 0), messages
    assert not [p for p in loaded.problems if p.severity == "error" and p.path == article.source]


@pytest.mark.parametrize(("site", "slug"), _params("test_only_expected_warnings", SITE_NAMES))
def test_only_expected_warnings(get: Get, site: str, slug: str) -> None:
    """Besides "left out" and "no alt text", a demo site warns about nothing (broken links, say)."""
    expected = (LEFT_OUT, NO_ALT, *NO_COVER)          # a shared warning is said once: "3 articles: …"
    unexpected = [str(p) for p in get(site).warnings if not any(e in p.message for e in expected)]
    assert unexpected == []


@pytest.mark.parametrize(("site", "slug"), _params("test_whole_site_has_no_errors", SITE_NAMES))
def test_whole_site_has_no_errors(get: Get, site: str, slug: str, site_copies: Path) -> None:
    """The starter's pages and section files are neither articles nor errors."""
    loaded = get(site)
    assert [str(p) for p in loaded.errors] == []
    sources = {a.source.resolve() for a in loaded.collection} | {a.source.resolve() for a, _ in loaded.skipped}
    for relative in NOT_ARTICLES.get(site, ()):
        assert (site_copies / site / relative).resolve() not in sources


@pytest.mark.parametrize(("site", "slug"), _params("test_drafts_are_left_out_unless_asked",
                                                  [(site, "") for site in DRAFTS]))
def test_drafts_are_left_out_unless_asked(get: Get, site: str, slug: str) -> None:
    draft_slug, published = DRAFTS[site]
    normal = get(site)
    assert draft_slug not in {a.slug for a in normal.collection}
    assert draft_slug in {a.slug for a, why in normal.skipped if why == "draft"}
    with_drafts = get(site, drafts=True)
    assert {a.slug for a in with_drafts.collection} == set(EXPECTED[site]) | {draft_slug}
    article = _article(with_drafts, draft_slug)
    assert article.draft is True
    assert _exact(article.published) == _exact(published)


# --- theme by theme: what only one theme does -------------------------------------------------------

def test_dante_body_images_and_the_repeated_hero(get: Get, site_copies: Path) -> None:
    article = _article(get("astro-dante"), "quiet-tools")
    public = (site_copies / "astro-dante" / "public").resolve()
    assert article.images["/attention-loop.webp"].path == public / "attention-loop.webp"
    assert '<img src="/attention-loop.webp" alt="A diagram: attention flowing' in article.body_html
    # The body's first line repeats the cover; every format shows the cover already.
    assert "/quiet-tools.webp" not in article.body_html
    assert [h.text for h in article.headings] == ["What makes a tool quiet", "Living with fewer features"]
    assert {h.level for h in article.headings} == {2}


def test_astropaper_slug_field_and_extra_keys(get: Get) -> None:
    loaded = get("astropaper")
    article = _article(loaded, "posts-that-age-well")
    assert article.source.name == "writing-posts-that-age-well.md"
    assert article.extra.get("hideEditPost") is True
    assert "author" not in article.extra and "ogImage" not in article.extra


def test_astrowind_mdx_drops_imports_and_keeps_the_text(get: Get) -> None:
    loaded = get("astrowind")
    article = _article(loaded, "components-in-markdown")
    assert "Keep components for the parts that" in article.body_html
    assert "Everything after the component is ordinary Markdown again." in article.body_html
    (warning,) = [m for m in _messages(loaded, article.source) if m.startswith(LEFT_OUT)]
    assert "2 MDX import line(s)" in warning
    assert dict(article.extra)["metadata"] == {"canonical": "https://astrowind.example/components-in-markdown"}


def test_astrowind_callout_renders_as_a_tip(get: Get) -> None:
    article = _article(get("astrowind"), "components-in-markdown")
    body = article.body_html
    assert "**" not in body and "`" not in body
    assert re.search(r'<div class="tip">.*<strong>need</strong>.*<code>draft</code>', body, re.S)


def test_astrowind_youtube_component_becomes_a_link(get: Get) -> None:
    article = _article(get("astrowind"), "components-in-markdown")
    assert 'href="https://www.youtube.com/watch?v=aBcD1234xyz"' in article.body_html


def test_fuwari_directives_and_alerts_render_as_notes(get: Get) -> None:
    body = _article(get("fuwari"), "markdown-extended").body_html
    for kind, title, text in (("note", "Note", "A note block sets a remark apart"),
                              ("tip", "Save time", "Give a tip its own title"),
                              ("warning", "Warning", "Alerts written the GitHub way")):
        match = re.search(rf'<div class="{kind}">\s*<div class="title">\s*<p>{title}</p>\s*</div>\s*<p>{text}', body)
        assert match, f"no {kind} block in {body}"
    assert body.rstrip().endswith("<p>A closing paragraph after the blocks.</p>")


def test_fuwari_bundle_and_japanese_post(get: Get) -> None:
    loaded = get("fuwari")
    guide = _article(loaded, "guide")
    assert guide.source.name == "index.md" and guide.source.parent.name == "guide"
    japanese = _article(loaded, "japanese-notes")
    assert "このテンプレートは日本語の文章" in japanese.body_html
    assert japanese.word_count > 30        # CJK characters count one by one


def test_hugo_shortcodes_render_what_they_can(get: Get, site_copies: Path) -> None:
    article = _article(get("hugo-papermod"), "shortcodes-tour")
    body = article.body_html
    static = (site_copies / "hugo-papermod" / "static").resolve()
    assert article.images["/img/lighthouse-figure.png"].path == static / "img" / "lighthouse-figure.png"
    assert '<img src="/img/lighthouse-figure.png" alt="A lighthouse drawn in three colours"' in body
    assert "The lighthouse at dusk" in body
    assert 'href="https://www.youtube.com/watch?v=abc123"' in body
    assert re.search(r'<div class="info">\s*<p>A notice like this one is rendered by the theme’s '
                     r"<strong>partial</strong>", body)
    assert '<a href="https://papermod.example/posts/toml-front-matter/">the TOML post</a>' in body
    assert "toml-front-matter" in article.links
    assert body.rstrip().endswith("<p>That was the tour.</p>")


def test_hugo_ref_to_a_page_bundle(get: Get) -> None:
    article = _article(get("hugo-papermod"), "shortcodes-tour")
    assert '<a href="https://papermod.example/posts/bundle-post/">the bundle post</a>' in article.body_html
    assert "bundle-post" in article.links


def test_hugo_section_file_and_language_variant(get: Get) -> None:
    loaded = get("hugo-papermod")
    assert not [a for a in loaded.collection if a.source.name == "_index.md"]
    assert not [p for p in loaded.problems if p.path is not None and p.path.name == "_index.md"]
    english, chinese = _article(loaded, "bundle-post"), _article(loaded, "bundle-post-zh")
    assert (english.language, chinese.language) == ("en", "zh")
    assert (english.url, chinese.url) == ("https://papermod.example/posts/bundle-post/",
                                          "https://papermod.example/zh/posts/bundle-post/")
    assert chinese.source.name == "index.zh.md" and english.source.name == "index.md"
    assert chinese.cover is not None and english.cover is not None
    assert chinese.cover.digest == english.cover.digest
    assert "页面包是一个以文章命名的文件夹" in chinese.body_html
    toml = _article(loaded, "toml-front-matter")
    assert dict(toml.extra) == {"ShowToc": True}


def test_jekyll_liquid_and_kramdown(get: Get, site_copies: Path) -> None:
    article = _article(get("jekyll-minima"), "welcome-to-jekyll")
    body = article.body_html
    assert re.search(r'<code class="sourceCode ruby">.*<span class="\w+">def</span> greet\(name\)', body, re.S)
    assert article.images["/assets/img/bench-sketch.png"].path == \
        (site_copies / "jekyll-minima" / "assets" / "img" / "bench-sketch.png").resolve()
    assert '<img src="/assets/img/bench-sketch.png" alt="Pencil sketch of a workbench">' in body
    assert "<p>This paragraph is styled as a note by the theme.</p>" in body


def test_jekyll_post_url_links_to_the_article(get: Get) -> None:
    article = _article(get("jekyll-minima"), "welcome-to-jekyll")
    # where Jekyll publishes it: the post's `categories: workshop` and _config.yml's default `date` style
    assert '<a href="https://jekyll.example/workshop/2019/08/09/second.html">second post</a>' in article.body_html
    assert article.links == ("second",)


def test_jekyll_highlight_keeps_the_code_exactly(get: Get) -> None:
    body = _article(get("jekyll-minima"), "welcome-to-jekyll").body_html
    code = re.search(r"<pre[^>]*>(.*?)</pre>", body, re.S)
    assert code is not None
    text = html.unescape(re.sub(r"<[^>]+>", "", code.group(1)))
    assert text.split("\n") == ['def greet(name)', '  "Hello, #{name}"', "end", 'greet("workshop")']


# --- nothing is fetched -------------------------------------------------------------------------------

@pytest.fixture
def recording_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request path it receives."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(b"\x89PNG\r\n\x1a\n")

        do_HEAD = do_GET

        def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_remote_images_are_not_fetched(tmp_path: Path, recording_server: tuple[str, list[str]]) -> None:
    base, requests = recording_server
    import urllib.request

    with urllib.request.urlopen(f"{base}/probe.png", timeout=5) as response:  # the server does record requests
        assert response.status == 200
    assert requests == ["/probe.png"]
    requests.clear()

    site = tmp_path / "remote"
    shutil.copytree(SITES / "astro-dante", site)
    (site / "src" / "content" / "blog" / "remote-cover.md").write_text(
        f"---\ntitle: A Remote Cover\npublishDate: 'Sep 1 2024'\ntags: [Remote]\n"
        f"seo:\n  image:\n    src: '{base}/x.png'\n    alt: A picture on another server\n---\n\n"
        f"Text before the picture.\n\n![Also remote]({base}/y.png)\n", encoding="utf-8")
    loaded = load(load_config(cwd=site), jobs=2)

    assert requests == []
    article = _article(loaded, "remote-cover")
    assert article.cover is None
    assert "Text before the picture." in article.body_html
    messages = _messages(loaded, article.source)
    assert [m for m in messages if "not fetched" in m and f"{base}/x.png" in m], messages
    assert not [p for p in loaded.problems if p.severity == "error" and p.path == article.source]
