"""The landing page in a real browser: headless Chromium driven by Playwright, served by a real
`publish serve` on 127.0.0.1, checked with axe-core (WCAG 2.2 AA and best practices).

Playwright's own browser download is not used: the test drives the system's Chromium
(`scripts/setup.sh --dev` installs Debian's `chromium`) and skips, saying why, where there is none.
axe-core comes from the PyPI package axe-playwright-python, which ships its `axe.min.js`.

The screenshots go to a temporary folder; with PUBLISH_SCREENSHOTS=docs they also replace the
ones docs/hosting.md shows (palette PNGs, to keep them small).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, serving

CHROMIUM = next((path for path in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if path and Path(path).is_file()), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FEED_TYPES = ["application/rss+xml", "application/atom+xml", "application/feed+json"]
WIDTHS = {375: 812, 1280: 900}                # viewport width -> height: a phone and a laptop
SHOT_HEIGHTS = {375: 1700, 1280: 1100}        # the screenshots: the feeds, then the first articles

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (scripts/setup.sh --dev installs "
                                                "Debian's chromium; Playwright's own browser is not used)"),
]


@pytest.fixture(scope="module")
def server(published: Path) -> Iterator[str]:
    """`publish serve` over the published sample, as a subprocess, until the module is done."""
    with serving(published) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra (playwright) is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page and every problem the browser met on it: console errors, script errors, failed requests."""

    def __init__(self, browser: Any, width: int, scheme: str) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]}, color_scheme=scheme)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        self.page.on("response", lambda r: self.problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)

    def open(self, url: str) -> Any:
        response = self.page.goto(url)
        self.page.evaluate("for (const img of document.images) img.loading = 'eager'")    # load every cover
        self.page.wait_for_load_state("networkidle")
        return response

    def close(self) -> None:
        self.context.close()


def _axe(page: Any) -> list[str]:
    """axe-core's violations on the page, one line each (rule, impact, first element)."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result.response["violations"]]


def _feeds_answer(page: Any) -> list[tuple[str, int, str]]:
    """The page's autodiscovery links, each fetched: (type, status, Content-Type)."""
    found = []
    for kind, href in page.eval_on_selector_all("head link[rel=alternate]", "ls => ls.map(l => [l.type, l.href])"):
        response = page.request.get(href)
        found.append((kind, response.status, response.headers["content-type"].split(";")[0]))
    return found


def test_the_landing_page_in_chromium(browser: Any, server: str, tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    for width in WIDTHS:
        for scheme in ("light", "dark"):
            tab = Watched(browser, width, scheme)
            try:
                response = tab.open(server + "/")
                page = tab.page
                assert response.status == 200 and response.headers["content-type"].startswith("text/html")
                assert page.title() == "Field Notes"
                assert page.locator("main h1, header h1").first.inner_text() == "Field Notes"
                assert page.evaluate("document.documentElement.scrollWidth") <= width, "scrolls sideways"
                assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
                background = page.evaluate("getComputedStyle(document.body).backgroundColor")
                assert _is_dark(background) == (scheme == "dark"), background
                if width == 1280:       # feeds beside the articles, not above them
                    feeds, articles = (page.locator(s).bounding_box() for s in ("section.subscribe", "section.articles"))
                    assert feeds["x"] + feeds["width"] <= articles["x"] and abs(feeds["y"] - articles["y"]) < 40
                assert _axe(page) == []
                page.screenshot(path=str(shots / f"landing-{width}-{scheme}.png"), full_page=True,
                                clip={"x": 0, "y": 0, "width": width, "height": SHOT_HEIGHTS[width]})
                assert tab.problems == []
            finally:
                tab.close()
    _publish_screenshots(shots)


def test_autodiscovery_pdf_and_tag_page_from_publish_serve(browser: Any, server: str) -> None:
    tab = Watched(browser, 1280, "light")
    try:
        tab.open(server + "/")
        page = tab.page
        assert _feeds_answer(page) == [(kind, 200, kind) for kind in FEED_TYPES]
        # A PDF link, as the browser resolves it from the page.
        pdf = page.locator("section.articles a.pdf").first
        answer = page.request.get(pdf.evaluate("a => a.href"))
        assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
        assert answer.body().startswith(b"%PDF-")
        # The first tag of the Tags list, followed by a click.
        link = page.locator("section.tags a").first
        name = link.inner_text()
        with page.expect_navigation():
            link.click()
        page.wait_for_load_state("networkidle")
        assert page.url.startswith(f"{server}/tags/") and page.url.endswith("/index.html")
        assert name in page.locator("h1").inner_text()
        scope = page.url.removesuffix("index.html")
        hrefs = page.eval_on_selector_all("head link[rel=alternate]", "ls => ls.map(l => l.href)")
        assert hrefs == [scope + name for name in ("rss.xml", "atom.xml", "feed.json")]
        assert _feeds_answer(page) == [(kind, 200, kind) for kind in FEED_TYPES]
        assert page.locator("section.articles article").count() >= 1
        assert _axe(page) == []
        # And back home through the page's own link.
        with page.expect_navigation():
            page.locator("p.site-name a").click()
        assert page.url == f"{server}/index.html" and page.title() == "Field Notes"
        assert tab.problems == []
    finally:
        tab.close()


def test_the_tag_pages_pass_axe_in_both_schemes(browser: Any, server: str, published: Path) -> None:
    slugs = sorted(p.parent.name for p in (published / "output" / "tags").glob("*/index.html"))
    assert slugs
    for scheme in ("light", "dark"):
        tab = Watched(browser, 375, scheme)
        try:
            for slug in slugs:
                assert tab.open(f"{server}/tags/{slug}/index.html").status == 200
                assert tab.page.evaluate("document.documentElement.scrollWidth") <= 375, slug
                assert _axe(tab.page) == [], slug
            assert tab.problems == []
        finally:
            tab.close()


def _is_dark(css_color: str) -> bool:
    red, green, blue = (int(part) for part in css_color[css_color.index("(") + 1:css_color.index(")")].split(",")[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 128


def _publish_screenshots(shots: Path) -> None:
    """With PUBLISH_SCREENSHOTS=FOLDER, small copies of the screenshots for the documentation."""
    folder = os.environ.get("PUBLISH_SCREENSHOTS")
    if not folder:
        return
    from PIL import Image

    target = Path(folder) if Path(folder).is_absolute() else REPO / folder
    for shot in sorted(shots.glob("*.png")):
        with Image.open(shot) as image:
            image.convert("RGB").quantize(colors=256).save(target / shot.name, optimize=True)
