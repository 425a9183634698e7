"""Engine syntax end to end: the Hugo-shaped and Jekyll-shaped fixtures under tests/sites published
by the real CLI, and what each format shows of their shortcodes and Liquid."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

from tests.conftest import run_publish
from tests.validators import epub_problems

SITES = Path(__file__).parents[1] / "sites"
XHTML = "{http://www.w3.org/1999/xhtml}"
PALETTE = ":root {\n  --accent: #333;\n  --surface: #fafaf7;\n  --gap: calc(1rem + 2px);\n}"


def published(tmp_path: Path, name: str) -> tuple[Path, str]:
    site = tmp_path / name
    shutil.copytree(SITES / name, site)
    result = run_publish(site, "all", env={"COLUMNS": "300"})
    assert result.returncode == 0, result.stdout + result.stderr
    return site / "output", result.stdout + result.stderr


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def chapter(output: Path, slug: str) -> etree._Element:
    (book,) = (output / "epub").glob("*.epub")
    with zipfile.ZipFile(book) as epub:
        return etree.fromstring(epub.read(f"EPUB/text/{slug}.xhtml"))


def code_blocks(root: etree._Element) -> list[str]:
    return ["".join(pre.itertext()) for pre in root.iter(f"{XHTML}pre")]


def email_code_blocks(page: Path) -> list[str]:
    from lxml import html as lxml_html

    return [pre.text_content() for pre in lxml_html.fromstring(page.read_text(encoding="utf-8")).iter("pre")]


def readable_texts(output: Path) -> dict[str, str]:
    """Every output as a reader gets its text: PDFs through pdftotext, EPUB text entries, the rest as is
    (images left out: a compressed picture may hold any two bytes)."""
    texts: dict[str, str] = {}
    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output).as_posix()
        if not path.is_file() or rel.startswith((".publish/", "images/")) or path.suffix in (".gz", ".br"):
            continue
        if path.suffix == ".pdf":
            texts[rel] = pdf_text(path)
        elif path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                for name in book.namelist():
                    if name.endswith((".xhtml", ".opf", ".ncx", ".css")):
                        texts[f"{rel}/{name}"] = book.read(name).decode("utf-8")
        else:
            texts[rel] = path.read_text(encoding="utf-8")
    return texts


def leaks(output: Path, *needles: str) -> dict[str, list[str]]:
    texts = readable_texts(output)
    return {needle: [name for name, text in texts.items() if needle in text] for needle in needles
            if any(needle in text for text in texts.values())}


def test_hugo_shortcodes_in_every_format(tmp_path: Path) -> None:
    output, printed = published(tmp_path, "hugo-shortcodes")
    slug = "theming-with-custom-properties"

    text = pdf_text(output / "pdf" / f"{slug}.pdf")
    assert "--accent: #333;" in text and "--gap: calc(1rem + 2px);" in text and "–accent" not in text
    assert "Does this work without JavaScript?" in text and "Only the toggle button needs a script." in text
    assert "name colours by role" in text and "— A colleague, Design review notes" in text

    root = chapter(output, slug)
    assert PALETTE in code_blocks(root)
    (details, _) = root.iter(f"{XHTML}details")
    summary = details.find(f"{XHTML}summary")
    assert summary is not None and "".join(summary.itertext()) == "Does this work without JavaScript?"
    assert code_blocks(details) == ['<html data-theme="dark">']
    (figure,) = root.iter(f"{XHTML}figure")
    caption = figure.find(f"{XHTML}figcaption")
    assert figure.find(f"{XHTML}img") is not None and caption is not None
    assert "".join(caption.itertext()) == "The two schemes side by side, from the demo page Photo: the author"
    (quote,) = root.iter(f"{XHTML}blockquote")
    assert quote.find(f".//{XHTML}cite") is not None
    (book,) = (output / "epub").glob("*.epub")
    assert epub_problems(book) == []

    page = output / "email" / f"{slug}.html"
    assert PALETTE in email_code_blocks(page)
    assert "--accent: #333;" in html.unescape(page.read_text(encoding="utf-8"))
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in page.read_text(encoding="utf-8")

    assert leaks(output, "{{<", "{{%", "{%", ">}}", "&amp;#", "publish-figure", "publish-details") == {}
    assert printed.count("left out syntax") == 2
    assert ("1 Hugo {{< callout-box >}} shortcode(s), 1 Hugo {{< newsletter-signup >}} shortcode(s)" in printed)


def test_jekyll_liquid_in_every_format(tmp_path: Path) -> None:
    output, printed = published(tmp_path, "jekyll-liquid")
    slug = "liquid-in-your-posts"
    raw_code = '<h1>{{ page.title }}</h1>\n<p class="byline">{{ page.date | date: "%B %-d, %Y" }}</p>'

    text = pdf_text(output / "pdf" / f"{slug}.pdf")
    assert "What the template engine sees -- and what it leaves alone." in text
    assert "LIQUID INSIDE A POST" in text and "{{ not_liquid }} stays exactly" in " ".join(text.split())
    assert "Remember to add" not in text

    root = chapter(output, slug)
    body = " ".join("".join(root.itertext()).split())
    assert "wrap it in raw: {{ not_liquid }} stays exactly as typed." in body
    assert code_blocks(root) == [raw_code]
    assert any("sample" in (img.get("src") or "") for img in root.iter(f"{XHTML}img"))

    page = (output / "email" / f"{slug}.html").read_text(encoding="utf-8")
    assert "{{ not_liquid }}" in page
    assert re.search(r'href="[^"]*/first-steps/"', page) and re.search(r'href="[^"]*/about/"', page)
    assert raw_code in email_code_blocks(output / "email" / f"{slug}.html")

    assert leaks(output, "{%", "&amp;#", "_posts/", "Remember to add") == {}
    assert "left out syntax" not in printed
