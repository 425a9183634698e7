"""A corpus of hostile articles (tests/hostile) through `publish all`: what is valid is published in
every format and passes the validators, what is not is named, nothing leaks in from outside the site,
nothing is fetched from the network, and nothing is written outside output/."""

from __future__ import annotations

import email
import email.policy
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pikepdf
import pytest

from publish.html import CONTROLS
from tests.conftest import run_publish
from tests.validators import files_containing, output_problems, searchable_bytes

HOSTILE = Path(__file__).parent / "hostile"
SECRET_TEXT = b"TOPSECRET-OUTSIDE-7f3a"
PUBLISHED = ["good", "raw-html", "control-chars", "long-title", "outside-paths", "bad-images", "remote-image",
             "huge", "symlinked-cover"]
REFUSED = {
    "bad-slug.md": "safe path segment",
    "bad-yaml.md": "not valid YAML",
    "feb-30.md": "not a real date",
    "no-title.md": "missing title",
    "empty.md": "the file is empty",
    "latin1.md": "not UTF-8",
    "linked-article.md": "outside the site folders",
}


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(HOSTILE.joinpath("public", "safe.png").read_bytes())

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Run:
    root: Path
    site: Path
    output: Path
    stdout: str
    stderr: str
    returncode: int
    requests: list[str]
    before: dict[str, str]
    secret_digest: str


def _tree(root: Path, skip: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink() and skip not in p.parents}


def _huge_article() -> str:
    sections = []
    for i in range(120):
        para = (f"Paragraph {i} of a very long article, written to test size limits in every format. " * 12).strip()
        sections.append(f"## Section {i}\n\n{para}\n\n- point one of {i}\n- point two of {i}\n\n> A quote in {i}.\n\n{para}\n")
    body = "\n".join(sections)
    while len(body.encode()) < 700_000:
        body += "\n" + body[:50_000]
    return ("---\ntitle: A seven hundred kilobyte article\nexcerpt: Long.\npublishDate: 'Mar 11 2024'\n"
            "tags: [Security]\nseo:\n  image:\n    src: /safe.png\n    alt: Plain\n---\n\n" + body)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    root = tmp_path_factory.mktemp("hostile")
    site, outside = root / "site", root / "outside"
    outside.mkdir()
    from PIL import Image

    Image.new("RGB", (16, 16), (1, 2, 3)).save(outside / "secret.png")
    (outside / "secret.txt").write_bytes(SECRET_TEXT + b"\n")
    (outside / "article.md").write_text("---\ntitle: Outside\npublishDate: 'Mar 1 2024'\n---\n"
                                        + SECRET_TEXT.decode() + "\n")
    content = site / "content"
    shutil.copytree(HOSTILE, content)
    (site / "publish.toml").write_text('[site]\ntitle = "Hostile"\nbase_url = "https://hostile.example"\n'
                                       'author = "Tester"\nemail = "t@hostile.example"\n')
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    remote = content / "remote-image.md"
    remote.write_text(remote.read_text().replace("REMOTE_URL", f"http://127.0.0.1:{server.server_port}"))
    (content / "huge.md").write_text(_huge_article())
    (content / "latin1.md").write_bytes("---\ntitle: Caf\xe9\npublishDate: 'Mar 1 2024'\n---\nBody\n".encode("latin-1"))
    (content / "sub").mkdir()
    (content / "sub" / "good.md").write_text("---\ntitle: Same slug\npublishDate: 'Mar 1 2024'\n---\nBody\n")
    os.symlink(outside / "article.md", content / "linked-article.md")
    os.symlink(outside / "secret.png", content / "public" / "linked.png")
    (content / "symlinked-cover.md").write_text("---\ntitle: A cover that is a symlink out\npublishDate: 'Mar 12 2024'\n"
                                                "seo:\n  image:\n    src: /linked.png\n    alt: Linked\n---\n\nBody.\n")
    before = _tree(root, site / "output")
    result = run_publish(site, "all", timeout=900)
    server.shutdown()
    yield Run(root, site, site / "output", result.stdout, result.stderr, result.returncode,
              list(_Recorder.requests), before,
              hashlib.sha256((outside / "secret.png").read_bytes()).hexdigest())


def _line(run: Run, name: str) -> str:
    return "\n".join(line for line in run.stderr.splitlines() if f"/{name}" in line)


def test_exit_status_1_and_every_refused_file_named(run: Run) -> None:
    assert run.returncode == 1
    for name, problem in REFUSED.items():
        assert problem in _line(run, name), (name, run.stderr)
    assert "duplicate slug 'good'" in _line(run, "sub/good.md")


def test_warnings_name_what_was_left_out(run: Run) -> None:
    images = _line(run, "bad-images.md")
    assert "too many pixels" in images and "not a readable image" in images and "not found" in images
    assert "outside the site folders" in _line(run, "outside-paths.md")
    assert "was not fetched" in _line(run, "remote-image.md")
    assert "outside the site folders" in _line(run, "symlinked-cover.md")
    assert "control character" in _line(run, "control-chars.md")


def test_valid_articles_are_published_in_every_format(run: Run) -> None:
    for slug in PUBLISHED:
        for rel in (f"pdf/{slug}.pdf", f"email/{slug}.html", f"email/{slug}.txt", f"email/{slug}.eml"):
            assert (run.output / rel).is_file(), rel
    for rel in ("rss.xml", "atom.xml", "feed.json", "epub/hostile.epub", "tags/security/rss.xml"):
        assert (run.output / rel).is_file(), rel


def test_every_output_passes_the_validators(run: Run) -> None:
    problems = {rel: found for rel, found in output_problems(run.output).items() if found}
    assert problems == {}


def test_nothing_from_outside_the_site_reaches_an_output(run: Run) -> None:
    assert files_containing(run.output, SECRET_TEXT) == []
    assert files_containing(run.output, b"root:x:0:0") == []                 # /etc/passwd
    assert [p.name for p in (run.output / "images").iterdir() if run.secret_digest[:12] in p.name] == []


def test_no_active_markup_anywhere(run: Run) -> None:
    assert files_containing(run.output, b"INJECTED-") == []


def test_no_network_request_during_the_build(run: Run) -> None:
    assert run.requests == []


def test_nothing_written_outside_the_output_folder(run: Run) -> None:
    assert _tree(run.root, run.site / "output") == run.before


def test_the_huge_article_fits_the_email_budget(run: Run) -> None:
    html = run.output / "email" / "huge.html"
    assert html.stat().st_size < 90 * 1024 + 2048
    assert "Continue reading" in html.read_text()
    assert "too long for one email" in _line(run, "huge.md") and "Continue reading" in _line(run, "huge.md")


def _unwanted(text: str) -> set[str]:
    """Control characters and noncharacters, except the line breaks of the formats themselves:
    CR in the CRLF lines of .eml files, form feeds between pdftotext's pages."""
    return {f"U+{ord(c):04X}" for c in CONTROLS.findall(text) if c not in "\r\x0c"}


def _texts(path: Path) -> Iterator[tuple[str, str]]:
    """Every text a reader or client of `path` sees: decoded, unzipped, parsed."""
    if path.suffix == ".pdf":
        with pikepdf.open(path) as pdf:
            for key, value in pdf.docinfo.items():
                yield f"Info {key}", str(value)
            if "/Metadata" in pdf.Root:
                yield "XMP", pdf.Root.Metadata.read_bytes().decode("utf-8")
        yield "text", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                     check=True).stdout
    elif path.suffix == ".epub":
        with zipfile.ZipFile(path) as book:
            for name in book.namelist():
                if name.endswith((".xhtml", ".opf", ".ncx", ".css", ".xml")):
                    yield name, book.read(name).decode("utf-8")
    elif path.suffix == ".eml":
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for key, value in message.items():
            yield key, str(value)
        for part in message.walk():
            if not part.is_multipart():
                yield part.get_content_type(), part.get_content()
    elif path.suffix == ".json":
        yield "JSON", json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)
    elif path.suffix in (".xml", ".html", ".txt"):
        yield "text", path.read_text(encoding="utf-8")


def test_no_control_character_reaches_any_format(run: Run) -> None:
    slug = "control-chars"
    checked = [f"pdf/{slug}.pdf", f"email/{slug}.html", f"email/{slug}.txt", f"email/{slug}.eml",
               "epub/hostile.epub", "rss.xml", "atom.xml", "feed.json", "tags/escape/rss.xml",
               "tags/c1control/feed.json", "tags/noncharacter/atom.xml"]
    found = {}
    for rel in checked:
        for where, text in _texts(run.output / rel):
            if bad := _unwanted(text):
                found[f"{rel} {where}"] = sorted(bad)
    assert found == {}
    for rel in ("email/control-chars.html", "email/control-chars.txt", "rss.xml", "atom.xml"):
        data = searchable_bytes(run.output / rel)             # text formats: the raw bytes too
        assert b"\x1b" not in data and "\u009b".encode() not in data and "\ufffe".encode() not in data, rel
    with pikepdf.open(run.output / f"pdf/{slug}.pdf") as pdf:
        assert str(pdf.docinfo["/Title"]) == "Control[31m characters in a title"
    warning = _line(run, f"{slug}.md")
    assert warning.count("control character") == 1, warning


def test_the_terminal_never_sees_a_control_character(run: Run) -> None:
    for command in (["list"], ["list", "--json"], ["check"], ["--drafts", "pdf", "control-chars"]):
        result = subprocess.run([sys.executable, "-m", "publish", *command], cwd=run.site, capture_output=True)
        for stream in (result.stdout, result.stderr):
            assert b"\x1b" not in stream and "\u009b".encode() not in stream, (command, stream[-500:])
    listed = run_publish(run.site, "list")
    line = next(line for line in listed.stdout.splitlines() if line.startswith("control-chars\t"))
    assert line.split("\t")[2] == "Control[31m characters in a title"


def test_previous_outputs_survive_a_failed_run(run: Run) -> None:
    good = run.output / "pdf" / "long-title.pdf"
    before = good.read_bytes()
    (run.site / "content" / "long-title.md").write_text("---\ntitle: [broken\n---\n")
    result = run_publish(run.site, "pdf", "--all")
    assert result.returncode == 1
    assert good.read_bytes() == before
