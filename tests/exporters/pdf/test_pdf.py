"""The PDF exporter, checked on real output with pikepdf and the qpdf/poppler command-line tools.

The sample site (plus a few awkward articles) is built once per module through the real CLI;
every test then reads the PDFs it produced.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pikepdf
import pytest

from publish.content.loader import load
from publish.errors import ConfigError
from publish.exporters.pdf import PdfExporter, PdfOptions
from publish.model import Collection
from tests.conftest import REPO, SEED, load_config, needs_judge, run_publish, write_article

LONG_TITLE = ("A deliberately long title that keeps going well past the point where any sensible editor "
              "would have cut it, because a cover has to cope with whatever the front matter holds, including "
              "three hundred characters of title text that must still fit on the first page of the document "
              "without spilling onto the next one")
LONG_LINE = "result = compute(" + ", ".join(f"argument_{i:03d}" for i in range(22)) + ")"
SECRET = "outside-secret-7f3a"

NO_COVER = f"""---
title: "{LONG_TITLE}"
excerpt: An article without an SEO image gets a typographic cover.
publishDate: 2024-06-01
tags: [Testing, Covers]
---

A paragraph with a note.[^a]

[^a]: The note, which belongs at the foot of this page.
"""

BROKEN_COVER = """---
title: A Cover That Cannot Be Read
excerpt: The SEO image is not an image at all.
publishDate: 2024-06-02
seo:
  image:
    src: /broken.jpg
    alt: Nothing
---

The cover file is garbage, so the PDF falls back to a typographic cover.
"""

TRUNCATED_COVER = """---
title: A Cover Cut in Half
excerpt: The SEO image has a valid header and half its data.
publishDate: 2024-06-04
seo:
  image:
    src: /truncated.png
    alt: Half an image
---

Its header says PNG, its data ends early: only converting it finds out.
"""

AWKWARD = f"""---
title: Awkward Content
excerpt: Things a PDF must refuse or tame.
publishDate: 2024-06-03
seo:
  image:
    src: /big.jpg
    alt: A large gradient
---

Some text first, so the big image below is not taken for the cover.

![outside the site](../../outside/secret.png)

![system file](../../../../../../../etc/hostname)

<img src="file:///etc/passwd" alt="passwd">

![remote](https://example.com/remote.png)

![big](/big.jpg)

```python
{LONG_LINE}
```

A formula that cannot be typeset:
<math display="block"><semantics><mspace width="1e400em"></mspace><annotation encoding="application/x-tex">\\infty_{{fallback}}</annotation></semantics></math>
"""


# Fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from PIL import Image

    root = tmp_path_factory.mktemp("pdf") / "site"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "publish.toml", root / "publish.toml")
    write_article(root, "no-cover.md", NO_COVER)
    write_article(root, "broken-cover.md", BROKEN_COVER)
    write_article(root, "awkward.md", AWKWARD)
    write_article(root, "truncated-cover.md", TRUNCATED_COVER)
    (root / "content" / "public" / "broken.jpg").write_bytes(b"\xff\xd8\xff this is not a JPEG")
    noise = Image.effect_noise((800, 600), 64).convert("RGB")
    noise.save(root / "content" / "public" / "truncated.png")
    data = (root / "content" / "public" / "truncated.png").read_bytes()
    (root / "content" / "public" / "truncated.png").write_bytes(data[: len(data) // 2])
    Image.linear_gradient("L").resize((4000, 3000)).convert("RGB").save(root / "content" / "public" / "big.jpg")
    outside = root.parent / "outside"
    outside.mkdir()
    Image.new("RGB", (123, 45), (255, 0, 255)).save(outside / "secret.png")
    (outside / "secret.txt").write_text(SECRET)
    return root


@pytest.fixture(scope="module")
def build(site: Path) -> subprocess.CompletedProcess[str]:
    result = run_publish(site, "pdf", "--all")
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def pdfs(site: Path, build: subprocess.CompletedProcess[str]) -> Path:
    return site / "output" / "pdf"


@pytest.fixture(scope="module")
def collection(site: Path, build: subprocess.CompletedProcess[str]) -> Collection:
    return load(load_config(cwd=site), write_cache=False).collection


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SEED.exists():
        pytest.skip("the seed article (../shared/seeds) is not beside this checkout")
    root = tmp_path_factory.mktemp("seed")
    (root / "content" / "public").mkdir(parents=True)
    shutil.copy(SEED, root / "content" / "generative-ai.md")
    shutil.copy(REPO / "content" / "public" / "generativeai.webp", root / "content" / "public")
    (root / "publish.toml").write_text('[site]\ntitle = "Seed"\nbase_url = "https://seed.example"\n')
    result = run_publish(root, "pdf", "generative-ai")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "output" / "pdf" / "generative-ai.pdf"


# Helpers -------------------------------------------------------------------------------------

def text_of(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    """Whitespace collapsed and automatic hyphenation (U+2010 at a line end) undone."""
    return " ".join(re.sub("\u2010\\s*\n", "", text).split())


def flush_right_share(pdf: Path) -> float:
    """Of the long text lines on pages 2-3, the share that ends at the column's right edge."""
    layout = subprocess.run(["pdftotext", "-f", "2", "-l", "3", "-bbox-layout", str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout
    lines = [(float(a), float(b)) for a, b in re.findall(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', layout)]
    left, right = min(a for a, _ in lines), max(b for _, b in lines)
    long_lines = [b for a, b in lines if b - a > (right - left) * 0.6]
    return sum(1 for b in long_lines if right - b < 1.0) / len(long_lines)


def pages_text(pdf: Path) -> list[str]:
    with pikepdf.open(pdf) as document:
        count = len(document.pages)
    return [flat(text_of(pdf, n, n)) for n in range(1, count + 1)]


def images_drawn(page: pikepdf.Page) -> list[tuple[int, int]]:
    """(width, height) of every image XObject the page's content actually paints."""
    found: list[tuple[int, int]] = []

    def visit(resources: pikepdf.Dictionary, stream: object) -> None:
        xobjects = resources.get("/XObject", {})
        for operands, operator in pikepdf.parse_content_stream(stream):
            if str(operator) != "Do":
                continue
            xobject = xobjects[str(operands[0])]
            if xobject.get("/Subtype") == "/Image":
                found.append((int(xobject.Width), int(xobject.Height)))
            elif xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources", resources), xobject)

    visit(page.Resources, page)
    return found


def decoded(stream: pikepdf.Stream) -> bytes:
    try:
        return stream.read_bytes()
    except pikepdf.PdfError:          # JPEG data: pikepdf does not decode DCT
        return stream.read_raw_bytes()


def outline_of(pdf: Path) -> list[tuple[int, str]]:
    entries: list[tuple[int, str]] = []

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            entries.append((depth, item.title))
            walk(item.children, depth + 1)

    with pikepdf.open(pdf) as document, document.open_outline() as outline:
        walk(outline.root, 1)
    return entries


def pdf_date(value: str) -> datetime:
    match = re.fullmatch(r"D:(\d{14})([+-])(\d\d)'(\d\d)'?", value)
    assert match, value
    return datetime.strptime(f"{match[1]}{match[2]}{match[3]}{match[4]}", "%Y%m%d%H%M%S%z")


def fonts_of(pdf: Path) -> list[tuple[str, str]]:
    """(font name, embedded 'yes'/'no') from pdffonts, read by the header's column positions."""
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    column = lines[0].index("emb")
    return [(line.split()[0], line[column:column + 3].strip()) for line in lines[2:] if line.strip()]


# The build -----------------------------------------------------------------------------------

def test_every_published_article_gets_a_pdf(pdfs: Path, collection: Collection) -> None:
    assert sorted(p.name for p in pdfs.glob("*.pdf")) == sorted(f"{a.slug}.pdf" for a in collection)
    assert not (pdfs / "newsletters-without-the-noise.pdf").exists()      # a draft


def test_missing_or_unreadable_cover_is_a_warning_not_a_failure(build: subprocess.CompletedProcess[str],
                                                                 pdfs: Path) -> None:
    output = build.stdout + build.stderr
    assert re.search(r"no-cover\.md.*typographic cover", output), output
    assert re.search(r"broken-cover\.md.*typographic cover", output), output
    # a truncated file is caught when the article loads (every format goes without that cover)
    assert re.search(r"truncated-cover\.md.*(not a readable image.*without a cover|cannot be read.*typographic cover)",
                     output), output
    for slug in ("no-cover", "broken-cover", "truncated-cover"):
        with pikepdf.open(pdfs / f"{slug}.pdf") as document:
            assert images_drawn(document.pages[0]) == []


def test_qpdf_finds_no_damage(pdfs: Path, seed_pdf: Path) -> None:
    for pdf in [*sorted(pdfs.glob("*.pdf")), seed_pdf]:
        result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert result.returncode == 0, f"{pdf.name}: {result.stdout}{result.stderr}"


@needs_judge
def test_judge_passes_strict(pdfs: Path, tmp_path: Path) -> None:
    judge = REPO.parent / "shared" / "tools" / "judge.py"
    folder = tmp_path / "out"
    shutil.copytree(pdfs, folder / "pdf")
    result = subprocess.run(["python3", str(judge), str(folder), "--strict"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# The cover -----------------------------------------------------------------------------------

def test_cover_page_holds_the_image_and_the_title(pdfs: Path, collection: Collection) -> None:
    for article in collection:
        if article.slug in ("no-cover", "broken-cover", "truncated-cover"):
            continue
        pdf = pdfs / f"{article.slug}.pdf"
        with pikepdf.open(pdf) as document:
            drawn = images_drawn(document.pages[0])
        assert len(drawn) == 1, article.slug
        assert flat(article.title) in flat(text_of(pdf, 1, 1)), article.slug


def test_cover_image_fills_the_page_without_stretching(pdfs: Path, tmp_path: Path) -> None:
    from PIL import Image

    # A 16:9 photo cropped onto a portrait page: its corners are painted, not white.
    subprocess.run(["pdftoppm", "-png", "-r", "20", "-f", "1", "-l", "1", str(pdfs / "unicode-in-print.pdf"),
                    str(tmp_path / "cover")], check=True)
    page = Image.open(next(tmp_path.glob("cover*.png"))).convert("RGB")
    width, height = page.size
    for x, y in ((1, 1), (width - 2, 1), (1, height - 2), (width - 2, height - 2)):
        assert page.getpixel((x, y)) != (255, 255, 255)


def test_a_300_character_title_fits_on_the_cover(pdfs: Path) -> None:
    pages = pages_text(pdfs / "no-cover.pdf")
    assert len(LONG_TITLE) >= 300
    assert LONG_TITLE in pages[0]
    assert "An article without an SEO image" in pages[0]
    assert "A paragraph with a note" in pages[1]


def test_cover_image_is_downscaled_to_what_the_page_needs(pdfs: Path) -> None:
    with pikepdf.open(pdfs / "awkward.pdf") as document:
        cover = images_drawn(document.pages[0])
        body = [size for page in document.pages[1:] for size in images_drawn(page)]
    assert cover and cover[0][0] < 4000 and cover[0][0] >= 2000     # ~200 dpi over the cropped page
    assert body and all(width <= 1600 for width, _ in body)


# Metadata, outline, tags ---------------------------------------------------------------------

def test_metadata_comes_from_the_front_matter(pdfs: Path, collection: Collection) -> None:
    for article in collection:
        with pikepdf.open(pdfs / f"{article.slug}.pdf") as document:
            info = document.docinfo
            assert str(info["/Title"]) == article.title
            assert str(info["/Author"]) == "Ada Writer"
            assert str(info["/Subject"]) == article.excerpt
            if article.tags:
                assert str(info["/Keywords"]) == ", ".join(tag.name for tag in article.tags)
            assert pdf_date(str(info["/CreationDate"])) == article.published
            assert pdf_date(str(info["/ModDate"])) == article.modified


def test_outline_is_the_title_holding_the_headings(pdfs: Path, collection: Collection, seed_pdf: Path) -> None:
    for article in collection:
        outline = outline_of(pdfs / f"{article.slug}.pdf")
        assert outline[0] == (1, article.title), article.slug
        assert [title for _, title in outline[1:]] == [h.text for h in article.headings], article.slug
        assert all(depth >= 2 for depth, _ in outline[1:])
        top = min((h.level for h in article.headings), default=2)
        assert [depth for depth, _ in outline if depth == 2] == [2 for h in article.headings if h.level == top]
    seed = outline_of(seed_pdf)
    assert (2, "Understanding Generative AI") in seed
    assert (3, "Applications in Art") in seed


def test_pdfs_are_tagged_with_their_language(pdfs: Path) -> None:
    for pdf in pdfs.glob("*.pdf"):
        with pikepdf.open(pdf) as document:
            assert "/StructTreeRoot" in document.Root, pdf.name
            assert bool(document.Root.MarkInfo.Marked), pdf.name
            expected = "fr" if pdf.stem == "le-carnet-du-cafe" else "en"
            assert str(document.Root.Lang) == expected, pdf.name


# Typography ----------------------------------------------------------------------------------

def test_every_font_is_embedded_and_every_script_has_one(pdfs: Path, seed_pdf: Path) -> None:
    for pdf in [*pdfs.glob("*.pdf"), seed_pdf]:
        fonts = fonts_of(pdf)
        assert fonts and all(embedded == "yes" for _, embedded in fonts), (pdf.name, fonts)
    names = " ".join(name for name, _ in fonts_of(pdfs / "unicode-in-print.pdf"))
    for script in ("CJK", "Arabic", "Hebrew", "Devanagari", "Thai", "Emoji"):
        assert script in names, script
    text = text_of(pdfs / "unicode-in-print.pdf")
    assert "排版不只是把文字放在页面上" in text and "Zażółć gęślą jaźń" in text


def test_running_foot_holds_the_title_and_page_numbers(pdfs: Path) -> None:
    pages = pages_text(pdfs / "a-little-math-on-the-page.pdf")
    total = len(pages)
    assert not re.search(rf"\b1\s*/\s*{total}\b", pages[0])       # the cover has no foot
    for number, text in enumerate(pages[1:], start=2):
        assert re.search(rf"A Little Mathematics on the Page\s*·\s*{number}\s*/\s*{total}$", text), text[-60:]


def test_text_is_ragged_unless_justify_is_set(site: Path, pdfs: Path) -> None:
    slug = "why-feeds-still-matter"                       # plain prose, three pages of it
    config = (site / "publish.toml").read_text() + "\n[pdf]\njustify = true\n"
    (site / "justify.toml").write_text(config)
    result = run_publish(site, "--config", "justify.toml", "--output", "justified", "pdf", slug)
    assert result.returncode == 0, result.stdout + result.stderr
    justified = site / "justified" / "pdf" / f"{slug}.pdf"
    ragged = pdfs / f"{slug}.pdf"
    assert flush_right_share(justified) > 0.5 > 0.1 > flush_right_share(ragged)
    assert "\u2010\n" in text_of(justified, 2)           # hyphenated by the language
    assert "\u2010\n" not in text_of(ragged, 2)


def test_footnotes_sit_at_the_foot_of_their_page(pdfs: Path) -> None:
    pages = pages_text(pdfs / "footnotes-sidenotes-and-asides.pdf")
    note = next(i for i, text in enumerate(pages) if "medieval scribes copied" in text)
    call = next(i for i, text in enumerate(pages) if "quieter voice that runs alongside the first" in text)
    assert note == call
    assert not any("↩" in text for text in pages)
    # The note text follows the page's body text, below it.
    assert pages[note].index("medieval scribes") > pages[note].index("quieter voice")


def test_tables_repeat_their_header_row(pdfs: Path) -> None:
    pages = pages_text(pdfs / "unicode-in-print.pdf")
    with_table = [text for text in pages if "Українська мова" in text or "Chinese (Traditional)" in text]
    assert len(with_table) >= 2
    assert all("Language Script Sample Direction Font family" in text for text in with_table)


def test_nothing_runs_off_the_page(pdfs: Path) -> None:
    for pdf in [pdfs / "awkward.pdf", pdfs / "unicode-in-print.pdf", pdfs / "one-source-many-formats.pdf"]:
        html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        width = float(re.search(r'<page width="([\d.]+)"', html)[1])        # type: ignore[index]
        right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', html))
        assert right < width - 30, f"{pdf.name}: text reaches x={right} on a {width}pt page"
    assert "argument_021)" in text_of(pdfs / "awkward.pdf")


def test_math_is_typeset_with_tex_as_alt_text(pdfs: Path) -> None:
    pdf = pdfs / "a-little-math-on-the-page.pdf"
    assert "\\sum_{k=1}" not in text_of(pdf)
    alts: list[str] = []

    def walk(element: object) -> None:
        if isinstance(element, pikepdf.Dictionary):
            if element.get("/S") == "/Figure":
                alts.append(str(element.get("/Alt", "")))
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    with pikepdf.open(pdf) as document:
        walk(document.Root.StructTreeRoot)
    assert "\\int_0^1 x^2\\,dx = \\frac{1}{3}" in alts


def test_untypesettable_math_falls_back_to_tex(build: subprocess.CompletedProcess[str], pdfs: Path) -> None:
    assert "\\infty_{fallback}" in text_of(pdfs / "awkward.pdf")
    assert re.search(r"awkward\.md.*cannot typeset", build.stdout + build.stderr)


# Safety and determinism ----------------------------------------------------------------------

def test_files_outside_the_site_stay_out(pdfs: Path, build: subprocess.CompletedProcess[str]) -> None:
    pdf = pdfs / "awkward.pdf"
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    with pikepdf.open(pdf) as document:
        assert "/EmbeddedFiles" not in document.Root.get("/Names", {})
        sizes = {size for page in document.pages for size in images_drawn(page)}
        streams = b"".join(decoded(obj) for obj in document.objects if isinstance(obj, pikepdf.Stream))
    assert (123, 45) not in sizes                      # the PNG outside the site
    assert passwd.encode() not in streams
    assert "remote" in build.stdout + build.stderr     # the remote image was reported, not fetched


def test_a_theme_cannot_attach_files(site: Path, build: subprocess.CompletedProcess[str]) -> None:
    theme = site / "themes" / "attaching"
    shutil.copytree(REPO / "themes" / "default", theme)
    template = theme / "pdf" / "document.html"
    template.write_text(template.read_text().replace(
        "</head>", '<link rel="attachment" href="file:///etc/passwd">'
                   '<link rel="attachment" href="theme/style.css"></head>').replace(
        "</main>", '<a rel="attachment" href="theme/style.css">style</a></main>'))
    result = run_publish(site, "--theme", "attaching", "--output", "attaching", "pdf", "no-cover")
    assert result.returncode == 0, result.stdout + result.stderr
    with pikepdf.open(site / "attaching" / "pdf" / "no-cover.pdf") as document:
        assert "/EmbeddedFiles" not in document.Root.get("/Names", {})
        annotations = [a for page in document.pages for a in page.get("/Annots", [])]
        assert all(a.get("/Subtype") != "/FileAttachment" for a in annotations)


def test_same_input_gives_the_same_bytes(site: Path, pdfs: Path) -> None:
    slugs = ["unicode-in-print", "a-little-math-on-the-page", "awkward"]
    result = run_publish(site, "--output", "again", "pdf", *slugs)
    assert result.returncode == 0, result.stdout + result.stderr
    for slug in slugs:
        assert (site / "again" / "pdf" / f"{slug}.pdf").read_bytes() == (pdfs / f"{slug}.pdf").read_bytes(), slug


def test_the_fetcher_serves_only_theme_images_and_generated_data(tmp_path: Path) -> None:
    from publish.exporters.pdf.fetcher import LocalFetcher, RefusedURL, generated_url, image_url, theme_url

    theme, images = tmp_path / "theme", tmp_path / "output" / "images"
    theme.mkdir()
    images.mkdir(parents=True)
    (theme / "style.css").write_text("p {}")
    (images / "a.jpg").write_bytes(b"jpeg")
    (tmp_path / "secret.css").write_text("secret")
    (theme / "link.css").symlink_to(tmp_path / "secret.css")
    fetcher = LocalFetcher(theme, images, {"m.svg": (b"<svg/>", "image/svg+xml")})
    assert fetcher.fetch(theme_url("style.css")).read() == b"p {}"
    assert fetcher.fetch(image_url("images/a.jpg")).read() == b"jpeg"
    assert fetcher.fetch(generated_url("m.svg")).read() == b"<svg/>"
    for url in ("file:///etc/passwd", "https://example.com/x.png", "data:text/plain,hello",
                theme_url("../secret.css"), theme_url("%2e%2e/secret.css"), theme_url("link.css"),
                image_url("images/../../secret.css"), generated_url("other.svg"), theme_url("document.html"),
                "https://pdf.publish.invalid/etc/passwd"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    fetcher.seal()
    with pytest.raises(RefusedURL):
        fetcher.fetch(theme_url("style.css"))


# Selection -----------------------------------------------------------------------------------

def test_slug_selection_and_suggestions(site: Path, collection: Collection) -> None:
    config = load_config(cwd=site)
    exporter = PdfExporter()

    def plan(*slugs: str) -> list[str]:
        ctx = exporter.context(config, collection, options=PdfOptions(slugs=slugs))
        return [task.outputs[0] for task in exporter.plan(ctx)]

    assert len(plan()) == len(collection)
    assert plan("why-feeds-still-matter") == ["pdf/why-feeds-still-matter.pdf"]
    with pytest.raises(ConfigError, match="did you mean 'unicode-in-print'"):
        plan("unicode-in-prnt")
    tasks = exporter.plan(exporter.context(config, collection))
    longest = max(collection, key=lambda a: a.word_count)
    assert max(tasks, key=lambda t: t.cost).params["slug"] == longest.slug


def test_unknown_slug_is_a_usage_error(site: Path, build: subprocess.CompletedProcess[str]) -> None:
    result = run_publish(site, "pdf", "why-feeds-still-mater")
    assert result.returncode == 2
    assert "why-feeds-still-matter" in result.stdout + result.stderr


def test_unknown_page_size_is_a_usage_error(site: Path, collection: Collection) -> None:
    config = load_config(cwd=site)
    exporter = PdfExporter()
    ctx = exporter.context(config, collection)
    with pytest.raises(ConfigError, match="page size"):
        exporter.plan(replace(ctx, settings=replace(ctx.settings, page_size="A7")))


# Fonts this machine lacks --------------------------------------------------------------------

def _folder_of(family: str) -> Path | None:
    found = subprocess.run(["fc-list", "-f", "%{file}\n", family], capture_output=True, text=True).stdout.split()
    return Path(found[0]).parent if found else None


def _fontconfig(tmp_path: Path, folder: Path, *rejected: str) -> dict[str, str]:
    """An environment whose fontconfig sees only `folder` (minus the `rejected` file globs)."""
    rejects = "".join(f"<glob>{glob}</glob>" for glob in rejected)
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    f"<fontconfig><dir>{folder}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir>"
                    f"<selectfont><rejectfont>{rejects}</rejectfont></selectfont></fontconfig>\n")
    return {"FONTCONFIG_FILE": str(conf)}


def test_pdfs_are_written_without_the_noto_fonts(site: Path, tmp_path: Path) -> None:
    dejavu = _folder_of("DejaVu Sans")
    if dejavu is None or "noto" in str(dejavu).lower():
        pytest.skip("DejaVu fonts are not installed (Debian: fonts-dejavu-core)")
    result = run_publish(site, "--output", str(tmp_path / "out"), "pdf", "unicode-in-print", "why-feeds-still-matter",
                         env=_fontconfig(tmp_path, dejavu))
    assert result.returncode == 0, result.stderr
    assert "wrote " + str(tmp_path / "out" / "pdf" / "unicode-in-print.pdf") in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "font" in line.lower() or "WeasyPrint" in line]
    assert len(warnings) == 1, warnings                # said once for the run, not once per PDF or glyph
    for named in ("Noto Color Emoji", "Noto Serif", "Noto Serif CJK SC", "fonts-noto-color-emoji", "fonts-noto-core",
                  "fonts-noto-cjk", "apt install"):
        assert named in warnings[0], named
    for pdf in (tmp_path / "out" / "pdf").glob("*.pdf"):
        check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
        with pikepdf.open(pdf) as document:
            assert len(document.pages) >= 2 and "/StructTreeRoot" in document.Root
        fonts = fonts_of(pdf)
        assert fonts and all("DejaVu" in name and embedded == "yes" for name, embedded in fonts), fonts
    assert "Every Script on the Page" in text_of(tmp_path / "out" / "pdf" / "unicode-in-print.pdf")


def test_missing_emoji_and_cjk_fonts_are_named_with_their_packages() -> None:
    from publish.exporters.pdf.fonts import key, missing_fonts_warning, theme_families

    css = (REPO / "themes" / "default" / "pdf" / "style.css").read_text(encoding="utf-8")
    families = theme_families(css)
    assert families[:2] == ["Noto Color Emoji", "Noto Serif"]
    assert "Publish Emoji" not in families
    assert not {"serif", "sans-serif", "monospace"} & set(families)
    everything_but = {key(f) for f in families if "Emoji" not in f and "CJK" not in f}
    warning = missing_fonts_warning(css, everything_but)
    assert warning is not None
    assert "Noto Color Emoji (Debian package fonts-noto-color-emoji)" in warning
    assert "fonts-noto-cjk" in warning and "fonts-noto-core" not in warning
    assert missing_fonts_warning(css, {key(f) for f in families}) is None
    assert missing_fonts_warning(css, set()) is None                   # unknown: no guessing
    own = '@font-face { font-family: "Mine"; src: url(mine.woff2) } body { font: 12pt/1.4 "Mine", "Gone Sans", serif }'
    assert theme_families(own) == ["Gone Sans"]


def test_characters_without_a_glyph_are_one_warning() -> None:
    from publish.exporters.pdf.fonts import without_glyph_lines

    lines = [f'.notdef glyph rendered for Unicode string unsupported by fonts: "{c}" (U+{ord(c):04X})' for c in "排版不只是把文字放在"]
    lines.append("Ignored `foo: bar` at 1:1, unknown property.")
    (other, glyphs) = without_glyph_lines(lines, fonts_missing=False)
    assert other.startswith("Ignored") and glyphs.startswith("10 character(s) have no glyph")
    assert "排 (U+6392)" in glyphs and "and 2 more" in glyphs
    assert without_glyph_lines(lines, fonts_missing=True) == [lines[-1]]
