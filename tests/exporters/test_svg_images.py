"""SVG images through `publish all`, as a user runs it: a hostile SVG as the cover and in the body,
a benign one with only a viewBox, one with no size at all. Every format is published; no trace of
the hostile parts reaches any output (PDF streams decompressed, EPUB unzipped); the local server
the SVG points at gets no request; the PDF draws the SVGs as vectors; the EPUB carries them as
image/svg+xml and passes EPUBCheck; feeds and emails link PNG copies."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from PIL import Image

from publish.images import sanitize_svg
from tests.conftest import run_publish, write_article
from tests.svg_samples import HILL_STROKE, HOSTILE_TRACES, NO_SIZE, VIEWBOX_ONLY, hostile_svg, recording_server
from tests.validators import output_problems, searchable_bytes

BASE = "https://vectors.example"
ARTICLE = """---
title: Hills in vectors
excerpt: An SVG cover, SVG figures.
publishDate: 'Mar 2 2024'
tags: [Drawings]
seo:
  image:
    src: /hostile.svg
    alt: Blue sky, a sun and green hills
---

A chart with only a viewBox:

![A rising line](/chart.svg)

The cover once more, inside the text: ![Hills again](/hostile.svg)

And a square that states no size: ![Green square](/nosize.svg)
"""


@dataclass
class Run:
    site: Path
    output: Path
    result: subprocess.CompletedProcess[str]
    requests: list[str]
    hostile_digest: str


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    site = tmp_path_factory.mktemp("svg") / "site"
    public = site / "content" / "public"
    public.mkdir(parents=True)
    (site / "publish.toml").write_text(f'[site]\ntitle = "Vectors"\nbase_url = "{BASE}"\nauthor = "Ada"\n'
                                       'email = "ada@vectors.example"\n')
    write_article(site, "hills.md", ARTICLE)
    (public / "chart.svg").write_bytes(VIEWBOX_ONLY)
    (public / "nosize.svg").write_bytes(NO_SIZE)
    with recording_server() as (port, requests):
        hostile = hostile_svg(port)
        (public / "hostile.svg").write_bytes(hostile)
        result = run_publish(site, "all", env={"COLUMNS": "1000"})
        yield Run(site, site / "output", result, list(requests), hashlib.sha256(hostile).hexdigest())


def test_the_article_is_published_in_every_format_with_warnings(run: Run) -> None:
    assert run.result.returncode == 0, run.result.stdout + run.result.stderr
    for rel in ("pdf/hills.pdf", "epub/vectors.epub", "email/hills.html", "email/hills.txt", "email/hills.eml",
                "rss.xml", "atom.xml", "feed.json", "tags/drawings/rss.xml"):
        assert (run.output / rel).is_file(), rel
    lines = [line for line in run.result.stderr.splitlines() if "hills.md" in line]
    assert any("'/hostile.svg': removed" in line and "scripts" in line and "external references" in line
               for line in lines), lines
    assert any("'/nosize.svg' has no width, height or viewBox" in line for line in lines), lines
    assert sum("hostile.svg" in line for line in lines) == 1          # one line, though it is used twice


def test_the_server_the_svg_points_at_got_no_request(run: Run) -> None:
    assert run.requests == []


def test_no_trace_of_the_hostile_parts_in_any_output(run: Run) -> None:
    found = {}
    for path in sorted(run.output.rglob("*")):
        rel = path.relative_to(run.output).as_posix()
        if path.is_file() and not rel.startswith(".publish/"):
            data = searchable_bytes(path)
            found[rel] = [trace for trace in HOSTILE_TRACES if trace in data]
    assert {rel: traces for rel, traces in found.items() if traces} == {}
    assert len(found) > 10


def test_every_output_passes_the_validators(run: Run) -> None:
    assert {rel: found for rel, found in output_problems(run.output).items() if found} == {}


def test_the_pdf_draws_the_svgs_as_vectors(run: Run) -> None:
    with pikepdf.open(run.output / "pdf" / "hills.pdf") as pdf:
        raster = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]
        assert raster == []
        pages = [b"".join(_drawn(page.obj)) for page in pdf.pages]
    r, g, b = (f"{int(int(HILL_STROKE[i:i + 2], 16) / 255 * 1000) / 1000:.3f}" for i in (1, 3, 5))
    hills = re.compile(rf"{r}\d* {g}\d* {b}\d* RG".encode())              # 0.043137 0.239216 0.101961
    chart = re.compile(rb"0\.0705\d* 0\.2039\d* 0\.3372\d* RG")             # the chart's #123456 line
    assert hills.search(pages[0]), "the cover's hills are not drawn on page 1"
    assert hills.search(b"".join(pages[1:])) and chart.search(b"".join(pages[1:]))
    assert b" l\n" in pages[0] or b" l " in pages[0]                           # path segments, not pixels


def _drawn(obj: pikepdf.Object) -> Iterator[bytes]:
    """A page's or form's content, with the forms it draws, decompressed."""
    contents = obj.get("/Contents")
    if contents is not None:
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
            yield stream.read_bytes()
    elif isinstance(obj, pikepdf.Stream):
        yield obj.read_bytes()
    for form in obj.get("/Resources", {}).get("/XObject", {}).values():
        if form.get("/Subtype") == "/Form":
            yield from _drawn(form)


def test_the_epub_carries_the_sanitized_svgs_as_vectors(run: Run) -> None:
    with zipfile.ZipFile(run.output / "epub" / "vectors.epub") as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
        items = {item.get("href"): item.get("media-type") for item in opf.iter("{*}item")}
        svgs = sorted(href for href, kind in items.items() if kind == "image/svg+xml")
        assert svgs == [f"images/chart-{hashlib.sha256(VIEWBOX_ONLY).hexdigest()[:12]}.svg",
                        f"images/hostile-{run.hostile_digest[:12]}.svg",
                        f"images/nosize-{hashlib.sha256(NO_SIZE).hexdigest()[:12]}.svg"]
        hostile = book.read(f"EPUB/images/hostile-{run.hostile_digest[:12]}.svg")
        chapter = book.read("EPUB/text/hills.xhtml").decode()
        cover = book.read("EPUB/images/cover.jpg")
    assert sanitize_svg(hostile).data == hostile and b"<path" in hostile
    assert f'src="../images/hostile-{run.hostile_digest[:12]}.svg"' in chapter
    assert items["images/cover.jpg"] == "image/jpeg"
    with Image.open(io.BytesIO(cover)) as picture:                 # the mosaic drew the SVG cover's PNG
        assert picture.format == "JPEG" and picture.size == (1600, 2400)


def test_feeds_and_emails_link_png_copies(run: Run) -> None:
    hostile_png = f"{BASE}/images/hostile-{run.hostile_digest[:12]}-800.png"
    chart_png = f"{BASE}/images/chart-{hashlib.sha256(VIEWBOX_ONLY).hexdigest()[:12]}-300.png"
    html = (run.output / "email" / "hills.html").read_text()
    assert hostile_png in html and chart_png in html and ".svg" not in html
    chart_tag = next(tag for tag in re.findall(r"<img\b[^>]*>", html) if chart_png in tag)
    assert 'width="300"' in chart_tag and 'height="100"' in chart_tag       # the viewBox's 3:1
    feed = json.loads((run.output / "feed.json").read_text())
    [item] = feed["items"]
    assert item["image"] == hostile_png and chart_png in item["content_html"] and ".svg" not in json.dumps(feed)
    rss = (run.output / "rss.xml").read_text()
    assert f'<enclosure url="{hostile_png}"' in rss and 'type="image/png"' in rss and ".svg" not in rss
    for name in (hostile_png, chart_png):
        with Image.open(run.output / name.removeprefix(BASE + "/")) as png:
            assert png.format == "PNG"
    # feeds' and emails' copies, and the landing page's 640 px thumbnail of the cover
    assert [p.suffix for p in (run.output / "images").iterdir()] == [".png"] * 4


def test_a_configured_svg_epub_cover_becomes_a_jpeg(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(run.site / "content", site / "content")
    (site / "publish.toml").write_text((run.site / "publish.toml").read_text()
                                       + '\n[epub]\ncover = "content/public/chart.svg"\n')
    result = run_publish(site, "epub", "-o", str(tmp_path / "book.epub"))
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(tmp_path / "book.epub") as book, Image.open(io.BytesIO(book.read("EPUB/images/cover.jpg"))) as cover:
        assert cover.format == "JPEG" and cover.size == (1600, 533)
        assert cover.convert("RGB").getpixel((20, 20)) == pytest.approx((0xFD, 0xE2, 0xE4), abs=4)
