"""`publish serve` as users run it: a real subprocess on 127.0.0.1 answering real HTTP requests (httpx).

Media types, ETag/Last-Modified with 304 answers, HEAD, gzip, no directory listing, and no way out of
output/ (`..`, `%2e%2e`, absolute paths, symlinks) or into hidden paths such as output/.publish/.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

import httpcore
import httpx
import pytest
from lxml import html as lxml_html

from publish.serve import create_app
from tests.conftest import REPO, copy_sample, run_publish

SECRET = "top secret: outside the output folder"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("serve") / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "publish.toml", site / "publish.toml")
    result = run_publish(site, "feed")
    assert result.returncode == 0, result.stderr
    out = site / "output"
    (out / "pdf").mkdir()
    (out / "pdf" / "sample.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * 4000 + b"\n%%EOF\n")
    (out / "epub").mkdir()
    with zipfile.ZipFile(out / "epub" / "field-notes.epub", "w") as book:
        book.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr("EPUB/text.xhtml", "<html/>" * 500)
    (out / "notes.txt").write_text("plain text " * 100, encoding="utf-8")
    (out / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (site / "secret.txt").write_text(SECRET, encoding="utf-8")
    (out / "leak.txt").symlink_to(site / "secret.txt")
    (out / "outside").symlink_to(site, target_is_directory=True)
    return site


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[tuple[str, Path]]:
    port = _free_port()
    log = site / "serve.log"
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen([sys.executable, "-m", "publish", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                   cwd=site, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/rss.xml", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"publish serve did not start: {log.read_text()}") from None
                time.sleep(0.1)
        yield url, log
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0, log.read_text()


@pytest.fixture(scope="module")
def client(server: tuple[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], timeout=10) as http:
        yield http


def _raw_get(base: str, target: bytes) -> tuple[int, bytes]:
    """A GET with the request target sent exactly as given (httpx itself normalises `..` away)."""
    parts = httpx.URL(base)
    with httpcore.ConnectionPool() as pool:
        response = pool.request("GET", httpcore.URL(scheme=b"http", host=parts.host.encode(), port=parts.port,
                                                    target=target))
        return response.status, response.content


def test_prints_the_url_it_serves_on(server: tuple[str, Path]) -> None:
    url, log = server
    assert "Serving " in log.read_text() and f"{url}/" in log.read_text()
    printed = re.search(r"Serving .* at (http://\S+/) ", log.read_text())
    assert printed and httpx.get(printed.group(1), timeout=10).status_code == 200


def test_every_interface_prints_addresses_that_answer(site: Path) -> None:
    port = _free_port()
    log = site / "serve-any.log"
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen([sys.executable, "-m", "publish", "serve", "--host", "0.0.0.0", "--port", str(port)],
                                   cwd=site, stdout=handle, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "press Ctrl-C" not in log.read_text():       # the addresses are printed before serving starts
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        printed = log.read_text()
        urls = re.findall(r"http://\S+?/", printed)
        assert urls and urls[0] == f"http://127.0.0.1:{port}/" and "0.0.0.0" not in printed, printed
        for url in urls:
            assert _answer(url, deadline).status_code == 200, url
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)


def _answer(url: str, deadline: float) -> httpx.Response:
    """The first answer from a server whose processes are still starting."""
    while True:
        try:
            return httpx.get(url, timeout=10)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_root_is_a_page_linking_what_is_published(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text.startswith("<!DOCTYPE html>")
    doc = lxml_html.document_fromstring(response.content)
    assert doc.get("lang") == "en" and doc.findtext(".//title") == "Field Notes"
    assert doc.xpath("//meta/@charset") == ["utf-8"] and len(doc.xpath("//h1")) == 1
    assert not doc.xpath("//script") and "javascript" not in response.text.lower()
    assert not [a for a in doc.iter() if any(name.startswith("on") for name in a.attrib)]
    hrefs = doc.xpath("//main//a/@href")
    assert {"rss.xml", "atom.xml", "feed.json", "tags/web/rss.xml", "tags/writing/feed.json", "pdf/sample.pdf",
            "epub/field-notes.epub"} <= set(hrefs)
    assert not [h for h in hrefs if "hidden" in h or "leak" in h or h.startswith(("/", "."))]
    for href in hrefs:
        assert client.get("/" + href).status_code == 200, href
    assert doc.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href') == ["rss.xml"]
    head = client.head("/")
    assert head.status_code == 200 and head.content == b""


def test_unknown_paths_answer_a_small_404_page(client: httpx.Client) -> None:
    for path in ("/no/such/file.pdf", "/tags/", "/.publish/manifest.json"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        doc = lxml_html.document_fromstring(response.content)
        assert doc.get("lang") == "en" and doc.findtext(".//title") == "Not found" and not doc.xpath("//script")
    assert client.head("/missing.xml").status_code == 404


def _local(app_dir: Path, *paths: str) -> list[httpx.Response]:
    import anyio

    async def requests() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(app_dir, title="Field Notes"))
        async with httpx.AsyncClient(transport=transport, base_url="http://local") as local:
            return [await local.get(path) for path in paths]

    return anyio.run(requests)


def test_index_html_answers_the_root(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!DOCTYPE html><title>Mine</title>", encoding="utf-8")
    (root,) = _local(tmp_path, "/")
    assert root.status_code == 200 and root.text == "<!DOCTYPE html><title>Mine</title>"


def test_previews_of_drafts_are_never_served(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    result = run_publish(site, "--drafts", "email", "newsletters-without-the-noise", "the-measure-of-a-line")
    assert result.returncode == 0, result.stderr
    out = site / "output"
    assert (out / "email" / "newsletters-without-the-noise.html").is_file()
    draft, published, root = _local(out, "/email/newsletters-without-the-noise.html",
                                     "/email/the-measure-of-a-line.html", "/")
    assert draft.status_code == 404 and "Draft" not in draft.text
    assert published.status_code == 200
    assert "the-measure-of-a-line.html" in root.text and "newsletters-without-the-noise" not in root.text


@pytest.mark.parametrize(("path", "media_type"), [
    ("/rss.xml", "application/rss+xml; charset=utf-8"),
    ("/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/feed.json", "application/feed+json; charset=utf-8"),
    ("/tags/web/rss.xml", "application/rss+xml; charset=utf-8"),
    ("/tags/web/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/tags/web/feed.json", "application/feed+json; charset=utf-8"),
    ("/pdf/sample.pdf", "application/pdf"),
    ("/epub/field-notes.epub", "application/epub+zip"),
    ("/notes.txt", "text/plain; charset=utf-8"),
])
def test_media_types_and_exact_bytes(client: httpx.Client, site: Path, path: str, media_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.content == (site / "output" / path.lstrip("/")).read_bytes()
    assert response.headers["x-content-type-options"] == "nosniff"


def test_images_are_jpeg_or_png_and_cached_for_long(client: httpx.Client, site: Path) -> None:
    images = sorted((site / "output" / "images").iterdir())
    assert images
    for image in images:
        response = client.get(f"/images/{image.name}")
        assert response.status_code == 200
        assert response.headers["content-type"] == ("image/png" if image.suffix == ".png" else "image/jpeg")
        assert "immutable" in response.headers["cache-control"]
    assert client.get("/rss.xml").headers["cache-control"] == "no-cache"


def test_etag_and_if_none_match(client: httpx.Client) -> None:
    first = client.get("/atom.xml", headers={"Accept-Encoding": "identity"})
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get("/atom.xml", headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    weak = client.get("/atom.xml", headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    other = client.get("/atom.xml", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_etag_follows_the_bytes_not_the_clock(client: httpx.Client, site: Path) -> None:
    target = site / "output" / "stable.json"
    target.write_text('{"a": 1}', encoding="utf-8")
    first = client.get("/stable.json").headers["etag"]
    later = time.time() + 60
    os.utime(target, (later, later))                         # rewritten with the same bytes: same ETag
    assert client.get("/stable.json").headers["etag"] == first
    target.write_text('{"a": 2}', encoding="utf-8")
    changed = client.get("/stable.json")
    assert changed.headers["etag"] != first and changed.json() == {"a": 2}


def test_last_modified_and_if_modified_since(client: httpx.Client, site: Path) -> None:
    response = client.get("/rss.xml")
    last_modified = response.headers["last-modified"]
    stamp = parsedate_to_datetime(last_modified).timestamp()
    assert abs(stamp - (site / "output" / "rss.xml").stat().st_mtime) < 1
    assert client.get("/rss.xml", headers={"If-Modified-Since": last_modified}).status_code == 304
    later = formatdate(stamp + 3600, usegmt=True)
    assert client.get("/rss.xml", headers={"If-Modified-Since": later}).status_code == 304
    earlier = formatdate(stamp - 3600, usegmt=True)
    modified = client.get("/rss.xml", headers={"If-Modified-Since": earlier})
    assert modified.status_code == 200 and modified.content == response.content
    # An ETag that does not match wins over a date that would (RFC 9110, 13.2.2).
    mismatch = client.get("/rss.xml", headers={"If-Modified-Since": later, "If-None-Match": '"nope"'})
    assert mismatch.status_code == 200


def test_head_sends_the_headers_without_a_body(client: httpx.Client, site: Path) -> None:
    get = client.get("/feed.json", headers={"Accept-Encoding": "identity"})
    head = client.head("/feed.json", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str((site / "output" / "feed.json").stat().st_size)
    for name in ("content-type", "etag", "last-modified"):
        assert head.headers[name] == get.headers[name]
    assert client.head("/feed.json", headers={"If-None-Match": get.headers["etag"]}).status_code == 304


def test_gzip_for_text_when_the_client_accepts_it(client: httpx.Client, site: Path) -> None:
    original = (site / "output" / "rss.xml").read_bytes()
    with client.stream("GET", "/rss.xml", headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["vary"]
        assert response.headers["etag"].startswith('W/"')
    assert gzip.decompress(raw) == original and len(raw) < len(original) / 2
    weak = response.headers["etag"]
    assert client.get("/rss.xml", headers={"Accept-Encoding": "gzip", "If-None-Match": weak}).status_code == 304

    plain = client.get("/rss.xml", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == original
    for path in ("/pdf/sample.pdf", "/epub/field-notes.epub"):
        binary = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in binary.headers, path


@pytest.mark.parametrize("path", ["/tags/", "/tags", "/tags/web/", "/images/", "/pdf"])
def test_no_directory_listing(client: httpx.Client, path: str) -> None:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404
    assert "rss.xml" not in response.text and "atom.xml" not in response.text


@pytest.mark.parametrize("target", [
    b"/../secret.txt", b"/tags/../../secret.txt", b"/%2e%2e/secret.txt", b"/%2E%2E/secret.txt",
    b"/..%2fsecret.txt", b"/%2e%2e%2fsecret.txt", b"/tags/%2e%2e/%2e%2e/secret.txt", b"/./../secret.txt",
    b"//etc/passwd", b"/%2fetc%2fpasswd", b"/..%5csecret.txt",
    b"/leak.txt", b"/outside/secret.txt", b"/outside/publish.toml",
])
def test_nothing_outside_the_output_folder(server: tuple[str, Path], target: bytes) -> None:
    status, body = _raw_get(server[0], target)
    assert status == 404, target
    assert SECRET.encode() not in body and b"root:" not in body and b"base_url" not in body


def test_a_path_that_climbs_back_inside_is_served(server: tuple[str, Path], site: Path) -> None:
    status, body = _raw_get(server[0], b"/tags/web/../../rss.xml")
    assert status == 200 and body == (site / "output" / "rss.xml").read_bytes()


def test_hidden_paths_are_refused(server: tuple[str, Path], site: Path) -> None:
    state = next((site / "output" / ".publish").rglob("*.state"))
    relative = state.relative_to(site / "output").as_posix().encode()
    for target in (b"/" + relative, b"/.hidden.txt", b"/.publish/", b"/%2epublish/" + relative.split(b"/", 1)[1]):
        status, body = _raw_get(server[0], target)
        assert status == 404, target
        assert b'"digest"' not in body and b"hidden" not in body


def test_only_get_and_head(client: httpx.Client) -> None:
    assert client.post("/rss.xml", content=b"x").status_code == 405
    assert client.delete("/rss.xml").status_code == 405


def test_create_app_serves_in_process(site: Path) -> None:
    import anyio

    async def requests() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(site / "output"))
        async with httpx.AsyncClient(transport=transport, base_url="http://local") as local:
            return await local.get("/tags/writing/feed.json"), await local.get("/.publish/")

    feed, hidden = anyio.run(requests)
    assert feed.status_code == 200 and feed.json()["version"] == "https://jsonfeed.org/version/1.1"
    assert feed.headers["content-type"] == "application/feed+json; charset=utf-8"
    assert hidden.status_code == 404


def test_nothing_to_serve_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "publish.toml").write_text('[site]\ntitle = "Empty"\n', encoding="utf-8")
    result = run_publish(tmp_path, "serve", "--port", str(_free_port()), timeout=60)
    assert result.returncode == 1
    assert "nothing to serve" in result.stderr and "publish all" in result.stderr


def test_a_busy_port_is_a_clear_error(site: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_publish(site, "serve", "--host", "127.0.0.1", "--port", str(port), timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_complete_archive_pages_are_cached_for_a_year_and_the_newest_is_not(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    with (site / "publish.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n[feed]\nlimit = 3\n")
    assert run_publish(site, "feed").returncode == 0
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen([sys.executable, "-m", "publish", "serve", "--port", str(port)],
                                   cwd=site, stdout=handle, stderr=subprocess.STDOUT)
    immutable = "public, max-age=31536000, immutable"
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    http.get("/rss.xml")
                    break
                except httpx.TransportError:
                    assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                    time.sleep(0.1)

            def cache(path: str) -> str:
                response = http.get(path)
                assert response.status_code == 200, path
                return response.headers["cache-control"]

            # 7 articles, limit 3: page 1 is complete, page 2 (one entry) still fills up.
            for name in ("rss.xml", "atom.xml", "feed.json"):
                assert cache(f"/archive/1/{name}") == immutable
                assert cache(f"/archive/2/{name}") == "no-cache"
                assert cache(f"/{name}") == "no-cache"
            etag = http.get("/archive/1/atom.xml").headers["etag"]
            not_modified = http.get("/archive/1/atom.xml", headers={"If-None-Match": etag})
            assert not_modified.status_code == 304 and not_modified.headers["cache-control"] == immutable
            for day in ("01", "02"):
                (site / "content" / f"later-{day}.md").write_text(
                    f"---\ntitle: Later {day}\npublishDate: 2026-01-{day}\ntags: [Typography]\n---\n\nMore.\n", encoding="utf-8")
            assert run_publish(site, "feed").returncode == 0
            # 9 articles: pages 1 and 2 complete, page 3 empty and the newest.
            assert cache("/archive/2/atom.xml") == immutable
            assert cache("/archive/3/atom.xml") == "no-cache"
            pages = sorted(int(p.name) for p in (site / "output" / "tags" / "typography" / "archive").iterdir())
            assert len(pages) >= 2
            for number in pages:
                expected = "no-cache" if number == pages[-1] else immutable
                assert cache(f"/tags/typography/archive/{number}/rss.xml") == expected
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
