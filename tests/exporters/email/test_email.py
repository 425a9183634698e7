"""The email exporter on real output: built through the CLI, checked with lxml and the stdlib email parser."""

from __future__ import annotations

import hashlib
import re
from email import policy
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html
from PIL import Image as PILImage

from tests.conftest import copy_sample, run_publish, write_article

SLUGS = ("the-measure-of-a-line", "footnotes-sidenotes-and-asides", "one-source-many-formats",
         "unicode-in-print", "a-little-math-on-the-page", "le-carnet-du-cafe", "why-feeds-still-matter",
         "hostile-input")
MERGE_TAG = "{{unsubscribe_url}}"
DIGEST = "digest-2024-08-01-to-2025-04-22-latest-4"      # what the module's --since/--limit digest is called

HOSTILE = """---
title: Hostile Input
excerpt: An article full of markup that must never reach an inbox.
publishDate: 2023-01-05
tags: [Security]
---
Harmless text survives.

<script>alert("script")</script>
<img src="https://evil.example/x.png" onerror="alert('onerror')" alt="remote">
<img src="javascript:alert('img')" alt="no source left">
<a href="javascript:alert('js')">click me</a> and <a href="JaVaScRiPt:alert('js2')">again</a>
<iframe src="https://evil.example/frame"></iframe>
<form action="https://evil.example/post"><input name="q"><button>Go</button></form>
<object data="https://evil.example/x.swf"></object>
<embed src="https://evil.example/y.swf">
<svg onload="alert('svg')"><circle r="1"/></svg>
<p onclick="alert('click')" style="background:url(javascript:alert('css'))">Styled paragraph</p>
<div onmouseover="alert('hover')">Hover text stays</div>
<a href="data:text/html,&lt;script&gt;alert('data')&lt;/script&gt;">data link</a>
<style>body { display: none }</style>
<meta http-equiv="refresh" content="0;url=https://evil.example/">

A [normal link](https://example.org/ok) stays.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site plus a hostile article, emailed once per module: every article and a digest."""
    root = copy_sample(tmp_path_factory.mktemp("email") / "site")
    write_article(root, "hostile-input.md", HOSTILE)
    result = run_publish(root, "email", *SLUGS, "--digest", "--since", "2024-08-01", "--limit", "4")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def email_dir(site: Path) -> Path:
    return site / "output" / "email"


def parse_html(path: Path):  # type: ignore[no-untyped-def]
    return lxml_html.document_fromstring(path.read_bytes())


def html_files(site: Path) -> list[Path]:
    return sorted(email_dir(site).glob("*.html"))


def test_writes_html_text_and_eml_for_each_article_and_the_digest(site: Path) -> None:
    names = {p.name for p in email_dir(site).iterdir()}
    for stem in (*SLUGS, DIGEST):
        assert {f"{stem}.html", f"{stem}.txt", f"{stem}.eml"} <= names


def test_every_style_is_inlined_and_style_holds_only_media_queries(site: Path) -> None:
    for path in html_files(site):
        doc = parse_html(path)
        assert not doc.xpath("//link"), path.name
        styles = doc.xpath("//style")
        assert len(styles) == 1, path.name
        css = styles[0].text_content()
        assert "prefers-color-scheme: dark" in css
        assert _without_media_blocks(css).strip() == "", f"{path.name}: rules outside @media: {css[:200]}"
        styled = doc.xpath("//*[@style]")
        assert len(styled) > 30, path.name
        for tag in ("p", "h1", "td"):
            elements = doc.xpath(f"//{tag}")
            assert elements and all(e.get("style") for e in elements if e.text_content().strip()), (path.name, tag)
        # classes survive only where the kept <style> refers to them
        used = set(re.findall(r"\.([A-Za-z][\w-]*)", css)) | {"preheader"}
        for element in doc.xpath("//*[@class]"):
            assert set(element.get("class").split()) <= used, (path.name, element.get("class"))


def _without_media_blocks(css: str) -> str:
    out, depth, i = [], 0, 0
    while i < len(css):
        if depth == 0 and css.startswith("@media", i):
            j = css.index("{", i)
            depth, i = 1, j + 1
            continue
        if depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
        else:
            out.append(css[i])
        i += 1
    return "".join(out)


def test_email_layout_for_outlook_gmail_and_dark_mode(site: Path) -> None:
    text = (email_dir(site) / "the-measure-of-a-line.html").read_text()
    doc = parse_html(email_dir(site) / "the-measure-of-a-line.html")
    assert text.startswith("<!DOCTYPE html>")
    assert text.index('<meta charset="utf-8">') < 1024
    assert doc.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    assert all(t.get("role") == "presentation" for t in doc.xpath("//table[not(contains(@class, 'data-table'))]"))
    assert re.search(r'<!--\[if mso\]><table role="presentation" width="600"', text), "Outlook ghost table"
    assert "mso-hide: all" in text
    container = doc.xpath("//div[contains(@style, 'max-width:600px')]")
    assert container, "600 px centred column"
    preheader = doc.xpath("//body//div[contains(@style, 'display:none')]")[0]
    assert preheader.text_content().startswith("Line length is the quietest decision")
    assert "max-height:0" in preheader.get("style")


def test_every_url_is_absolute_and_images_are_hosted_jpeg_or_png(site: Path) -> None:
    output = site / "output"
    for path in html_files(site):
        doc = parse_html(path)
        for element, attribute in ((e, a) for a in ("href", "src") for e in doc.xpath(f"//*[@{a}]")):
            value = element.get(attribute)
            scheme = urlsplit(value).scheme
            assert scheme in ("http", "https", "mailto") or value == MERGE_TAG, (path.name, value)
        assert not [v for e in doc.iter() for v in e.attrib.values() if ".webp" in v.lower()], path.name
        for img in doc.xpath("//img"):
            src = img.get("src")
            assert int(img.get("width")) <= 600, (path.name, src)
            if src.startswith("https://fieldnotes.example/"):
                local = output / urlsplit(src).path.lstrip("/")
                assert local.suffix in (".jpg", ".png") and local.is_file(), src
                with PILImage.open(local) as picture:
                    assert picture.format in ("JPEG", "PNG")
                    expected = round(int(img.get("width")) * picture.height / picture.width)
                assert abs(int(img.get("height")) - expected) <= 1, (path.name, src)


def test_hero_is_the_cover_at_600_pixels_with_alt_text(site: Path) -> None:
    doc = parse_html(email_dir(site) / "the-measure-of-a-line.html")
    hero = doc.xpath("//img")[0]
    assert hero.get("width") == "600" and hero.get("height") == "338"      # 1600x900 cover
    assert hero.get("alt") == "Faint pencil lines of text on cream ruled paper with a pale red margin rule"
    assert hero.get("src").endswith("-1200.jpg")


def test_title_date_tags_links_and_footer(site: Path) -> None:
    from publish import registry

    doc = parse_html(email_dir(site) / "footnotes-sidenotes-and-asides.html")
    text = doc.text_content()
    assert doc.xpath("//h1")[0].text_content() == "Footnotes, Sidenotes and the Art of the Aside"
    assert "7 October 2024" in text and "Writing · Typography" in text
    hrefs = {a.text_content(): a.get("href") for a in doc.xpath("//a")}
    assert hrefs["Read online"] == "https://fieldnotes.example/blog/footnotes-sidenotes-and-asides/"
    assert hrefs["Unsubscribe"] == MERGE_TAG
    assert "Field Notes, 12 Rue des Écoles, 75005 Paris, France" in text
    assert hrefs["ada@fieldnotes.example"] == "mailto:ada@fieldnotes.example"
    installed = {name for name, entry in registry.discover().items() if entry.exporter is not None}
    assert ("Download PDF" in hrefs) == ("pdf" in installed)
    assert ("Download EPUB" in hrefs) == ("epub" in installed)
    if "pdf" in installed:
        assert hrefs["Download PDF"] == "https://fieldnotes.example/pdf/footnotes-sidenotes-and-asides.pdf"
    if "epub" in installed:
        assert hrefs["Download EPUB"] == "https://fieldnotes.example/epub/field-notes.epub"


def test_body_blocks_are_email_safe(site: Path) -> None:
    for path in html_files(site):
        doc = parse_html(path)
        for tag in ("section", "figure", "figcaption", "aside", "article", "header", "footer", "nav", "time", "mark"):
            assert not doc.xpath(f"//{tag}"), (path.name, tag)
        assert not doc.xpath("//body//*[@id]"), path.name
    doc = parse_html(email_dir(site) / "one-source-many-formats.html")
    pre = doc.xpath("//pre")
    assert pre and all(p.getparent().tag == "td" and "monospace" in p.get("style") for p in pre)
    assert all("background-color" in p.getparent().get("style") for p in pre)
    assert "[site]\ntitle = \"Field Notes\"" in pre[0].text_content()
    doc = parse_html(email_dir(site) / "unicode-in-print.html")
    table = doc.xpath("//table[contains(@class, 'data-table')]")[0]
    assert "border-collapse:collapse" in table.get("style")
    assert "overflow-x:auto" in table.getparent().get("style")
    assert all("padding" in cell.get("style") for cell in table.xpath(".//td | .//th"))
    doc = parse_html(email_dir(site) / "footnotes-sidenotes-and-asides.html")
    notes = doc.xpath("//div[contains(@class, 'footnotes')]")[0]
    assert len(notes.xpath(".//li")) == 5 and "font-size:15px" in notes.get("style")
    assert not doc.xpath("//a[contains(text(), '↩')]"), "web-only back links are dropped"


def test_hostile_html_never_reaches_the_email(site: Path) -> None:
    html = (email_dir(site) / "hostile-input.html").read_text()
    text = (email_dir(site) / "hostile-input.txt").read_text()
    eml = (email_dir(site) / "hostile-input.eml").read_bytes().decode()
    doc = lxml_html.document_fromstring(html)
    for output in (html, text, eml):
        lowered = output.lower()
        for bad in ("<script", "javascript:", "<iframe", "<form", "<object", "<embed", "<svg", "http-equiv",
                    "data:text", "alert("):
            assert bad not in lowered, bad
    assert not [a for e in doc.iter() for a in e.attrib if a.lower().startswith("on")]
    assert len(doc.xpath("//style")) == 1 and len(doc.xpath("//meta")) == 4     # only the template's own
    body = doc.xpath("//div[contains(@class, 'content')]")[0].text_content()
    assert "Harmless text survives." in body and "Hover text stays" in body
    assert doc.xpath("//a[@href='https://example.org/ok']")
    assert all(img.get("src") for img in doc.xpath("//img"))


def test_plain_text_twin(site: Path) -> None:
    text = (email_dir(site) / "footnotes-sidenotes-and-asides.txt").read_text()
    lines = text.split("\n")
    assert lines[0] == "Footnotes, Sidenotes and the Art of the Aside" and lines[1] == "=" * len(lines[0])
    assert "Read online: https://fieldnotes.example/blog/footnotes-sidenotes-and-asides/" in lines
    assert re.search(r"\n[A-Z][^\n]+\n-{4,}\n", text), "an underlined section heading"
    in_links = False
    for line in lines:
        in_links = in_links or line == "Links:"
        if len(line) > 78:
            assert in_links or line.startswith(("    ", "Read online: ", "Download ")) or " " not in line.strip(), line
    assert "<" not in text.replace("<ada@fieldnotes.example>", ""), "no markup in the text part"
    links = dict(re.findall(r"^\[(\d+)\] (\S+)$", text, re.M))
    assert links["1"] == "https://pandoc.org/MANUAL.html#footnotes"
    body = text.split("\nLinks:\n")[0]
    for number in re.findall(r"\[(\d+)\]", body):
        assert number in links
    assert "- " in text and "1. " in text, "lists"
    code = (email_dir(site) / "one-source-many-formats.txt").read_text()
    assert '\n    title = "Field Notes"\n' in code, "code blocks indented, never re-wrapped"
    assert "Unsubscribe: {{unsubscribe_url}}" in code


def test_eml_is_multipart_alternative_with_stable_headers(site: Path) -> None:
    path = email_dir(site) / "the-measure-of-a-line.eml"
    data = path.read_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    msg = BytesParser(policy=policy.default).parsebytes(data)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    for part in msg.walk():
        assert not part.defects, part.defects
    assert msg["Subject"] == "The Measure of a Line"
    assert str(msg["From"]) == "Ada Writer <ada@fieldnotes.example>"
    assert msg["To"] == "undisclosed-recipients:;"
    assert msg["Date"] == "Sun, 03 Mar 2024 00:00:00 +0100"
    assert re.fullmatch(r"<the-measure-of-a-line\.[0-9a-f]{10}@fieldnotes\.example>", msg["Message-ID"])
    assert msg["MIME-Version"] == "1.0"
    assert msg["Content-Language"] == "en"
    # folded onto a continuation line by the stdlib (valid folding white space)
    assert msg["List-Unsubscribe"].strip() == f"<mailto:ada@fieldnotes.example?subject=unsubscribe>, <{MERGE_TAG}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_boundary().startswith("=_publish_")
    plain, rich = msg.get_body(("plain",)), msg.get_body(("html",))
    # MIME text is canonically CRLF-terminated; the .txt and .html files use LF.
    assert plain.get_content().replace("\r\n", "\n") == (email_dir(site) / "the-measure-of-a-line.txt").read_text()
    assert rich.get_content().replace("\r\n", "\n") == (email_dir(site) / "the-measure-of-a-line.html").read_text()
    digest = BytesParser(policy=policy.default).parsebytes((email_dir(site) / f"{DIGEST}.eml").read_bytes())
    assert digest["Date"] == "Tue, 22 Apr 2025 00:00:00 +0200"
    assert digest["Message-ID"].strip().startswith(f"<{DIGEST}.")      # a long id may be folded


def test_digest_window_and_limit(site: Path) -> None:
    text = (email_dir(site) / f"{DIGEST}.txt").read_text()
    titles = ["A Little Mathematics on the Page", "Le carnet du café : écrire avant d'ouvrir l'ordinateur",
              "Every Script on the Page: Notes on Unicode in Print", "Footnotes, Sidenotes and the Art of the Aside"]
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions), "newest first"
    assert "Why Feeds Still Matter" not in text, "--limit 4"
    doc = parse_html(email_dir(site) / f"{DIGEST}.html")
    assert len(doc.xpath("//h2")) == 4
    assert all(int(i.get("height")) <= 320 for i in doc.xpath("//img"))


def test_default_digest_counts_back_from_the_newest_article(site: Path, tmp_path: Path) -> None:
    from publish.content.loader import load
    from publish.exporters.email import EmailExporter, EmailOptions
    from tests.conftest import load_config

    config = load_config(cwd=site)
    collection = load(config, jobs=2, write_cache=False).collection
    exporter = EmailExporter()
    tasks = exporter.plan(exporter.context(config, collection))   # `publish all`: every article, the default digest
    assert sorted(t.key for t in tasks) == sorted([f"email/{a.slug}" for a in collection] + ["email/digest"])
    digest = next(t for t in tasks if t.key == "email/digest")
    assert digest.params["slugs"] == ("a-little-math-on-the-page",)      # the next one is 67 days older
    assert digest.outputs == tuple(f"email/digest-2025-04-22.{ext}" for ext in ("html", "txt", "eml"))
    (only,) = exporter.plan(exporter.context(config, collection, options=EmailOptions(digest=True, limit=2)))
    assert only.key == "email/digest-latest-2-2025-04-22" and len(only.params["slugs"]) == 1
    assert only.outputs == tuple(f"email/digest-latest-2-2025-04-22.{ext}" for ext in ("html", "txt", "eml"))


def test_unknown_slug_is_a_usage_error_with_a_suggestion(site: Path) -> None:
    result = run_publish(site, "email", "the-measure-of-a-lin")
    assert result.returncode == 2
    assert "the-measure-of-a-line" in result.stderr and "did you mean" in result.stderr


def test_same_input_gives_the_same_bytes(site: Path) -> None:
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in email_dir(site).iterdir()}
    result = run_publish(site, "email", *SLUGS, "--digest", "--since", "2024-08-01", "--limit", "4", "--force")
    assert result.returncode == 0, result.stderr
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in email_dir(site).iterdir()}
    assert before == after


def test_mailchimp_merge_tag_is_kept_verbatim(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "site")
    toml = root / "publish.toml"
    toml.write_text(toml.read_text().replace("[email]\n", '[email]\nunsubscribe = "*|UNSUB|*"\n'))
    result = run_publish(root, "email", "why-feeds-still-matter")
    assert result.returncode == 0, result.stderr
    html = (root / "output/email/why-feeds-still-matter.html").read_text()
    assert 'href="*|UNSUB|*"' in html
    assert "Unsubscribe: *|UNSUB|*" in (root / "output/email/why-feeds-still-matter.txt").read_text()
    msg = BytesParser(policy=policy.default).parsebytes((root / "output/email/why-feeds-still-matter.eml").read_bytes())
    assert msg["List-Unsubscribe"].endswith("<*|UNSUB|*>")
    assert msg.get_body(("html",)).get_content().replace("\r\n", "\n") == html


def test_an_article_over_the_size_budget_is_cut_with_a_continue_link(tmp_path: Path) -> None:
    root = tmp_path / "long"
    root.mkdir()
    (root / "publish.toml").write_text('[site]\ntitle = "Long Reads"\nbase_url = "https://long.example"\n'
                                       'author = "Ada"\nemail = "ada@long.example"\n')
    sections = []
    for n in range(1, 201):
        sections.append(f"## Part {n}\n")
        sections.extend(f"Paragraph {n}.{m}: " + "A sentence that keeps the inbox busy. " * 9 + "\n"
                        for m in range(1, 11))
    body = "\n".join(sections)
    write_article(root, "very-long.md", "---\ntitle: A Very Long Read\nexcerpt: Long.\npublishDate: 2024-05-01\n---\n"
                  + body)
    assert len(body.encode()) > 700_000
    result = run_publish(root, "email", "very-long")
    assert result.returncode == 0, result.stderr
    assert "too long for one email" in result.stdout + result.stderr
    path = root / "output/email/very-long.html"
    assert 60_000 < path.stat().st_size <= 90_000
    doc = parse_html(path)
    links = [a for a in doc.xpath("//a") if "Continue reading" in a.text_content()]
    assert links and links[0].get("href") == "https://long.example/blog/very-long/"
    paragraphs = [p.text_content() for p in doc.xpath("//div[contains(@class, 'content')]/p")]
    last = paragraphs[-1]
    assert last == last.split(":")[0] + ": " + ("A sentence that keeps the inbox busy. " * 9).strip(), "cut between blocks"
    assert doc.xpath("//a[text()='Unsubscribe']"), "the footer survives the cut"
    text = (root / "output/email/very-long.txt").read_text()
    assert "Continue reading: https://long.example/blog/very-long/" in text
    assert "Part 200" not in text and "Part 200" not in path.read_text()
    msg = BytesParser(policy=policy.default).parsebytes((root / "output/email/very-long.eml").read_bytes())
    assert format_datetime(msg["Date"].datetime) == msg["Date"]


def test_chosen_digests_keep_their_names_and_a_full_build_keeps_them(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "site")
    since, latest = "digest-2024-06-01-to-2025-04-22", "digest-latest-2-2025-04-22"
    for args in (("--since", "2024-06-01"), ("--limit", "2")):
        result = run_publish(root, "email", "--digest", *args)
        assert result.returncode == 0, result.stderr
    chosen = {p.name: p.read_bytes() for p in email_dir(root).iterdir() if p.suffix not in (".gz", ".br")}
    assert set(chosen) == {f"{stem}.{ext}" for stem in (since, latest) for ext in ("html", "txt", "eml")}
    assert "Why Feeds Still Matter" in chosen[f"{since}.txt"].decode()
    assert "Why Feeds Still Matter" not in chosen[f"{latest}.txt"].decode()

    result = run_publish(root, "all")
    assert result.returncode == 0, result.stderr
    assert all((email_dir(root) / name).read_bytes() == data for name, data in chosen.items())
    assert (email_dir(root) / "digest-2025-04-22.eml").is_file()

    # A newer article: the default digest takes its date, and its old name goes; the chosen ones stay.
    write_article(root, "fresh.md", "---\ntitle: Fresh\npublishDate: 2025-05-01\n---\nNews.\n")
    result = run_publish(root, "-v", "all")
    assert result.returncode == 0, result.stderr
    names = {p.name for p in email_dir(root).iterdir()}
    assert {"digest-2025-05-01.html", *chosen} <= names and not any(n.startswith("digest-2025-04-22") for n in names)
    assert "removed 3 file(s)" in result.stdout

    # An article of the --since digest is deleted: that digest goes, the other one stays.
    (root / "content" / "why-feeds-still-matter.md").unlink()
    result = run_publish(root, "all")
    assert result.returncode == 0, result.stderr
    names = {p.name for p in email_dir(root).iterdir()}
    assert not any(n.startswith(since) for n in names) and f"{latest}.eml" in names
