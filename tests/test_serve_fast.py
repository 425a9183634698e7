"""The hot path of `publish serve` (serve_fast.py), through real server processes: precompressed
twins sent as they are, 304s from the validators, the same rules as the full application."""

from __future__ import annotations

import gzip
import os
import re
import time
from pathlib import Path

import brotli
import httpx
import pytest

from tests.conftest import copy_sample, run_publish, serving


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_sample(tmp_path_factory.mktemp("fast") / "site")
    result = run_publish(site, "feed")
    assert result.returncode == 0, result.stdout + result.stderr
    return site


@pytest.fixture(scope="module")
def client(site: Path):  # type: ignore[no-untyped-def]
    with serving(site, "--workers", "2") as (url, _), httpx.Client(base_url=url, timeout=10) as http:
        yield http


def _raw(client: httpx.Client, path: str, **headers: str) -> tuple[httpx.Response, bytes]:
    with client.stream("GET", path, headers=headers) as response:
        return response, b"".join(response.iter_raw())


def test_brotli_is_preferred_and_sent_as_written(client: httpx.Client, site: Path) -> None:
    response, raw = _raw(client, "/rss.xml", **{"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and response.headers["content-encoding"] == "br"
    assert raw == (site / "output" / "rss.xml.br").read_bytes()
    assert brotli.decompress(raw) == (site / "output" / "rss.xml").read_bytes()
    assert response.headers["content-length"] == str(len(raw))
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert response.headers["vary"] == "Accept-Encoding" and response.headers["etag"].startswith('W/"')
    assert response.headers["cache-control"] == "no-cache"


def test_the_landing_page_is_sent_compressed_too(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    assert run_publish(site, "build", "feed", "landing").returncode == 0
    page = (site / "output" / "index.html").read_bytes()
    with serving(site, "--workers", "1") as (url, _), httpx.Client(base_url=url, timeout=10) as http:
        response, raw = _raw(http, "/", **{"Accept-Encoding": "gzip, br"})
        assert response.headers["content-encoding"] == "br" and brotli.decompress(raw) == page
        assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_refused_encodings_are_respected(client: httpx.Client, site: Path) -> None:
    response, raw = _raw(client, "/tags/web/atom.xml", **{"Accept-Encoding": "br;q=0, gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == (site / "output" / "tags" / "web" / "atom.xml").read_bytes()
    plain, body = _raw(client, "/tags/web/atom.xml", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert body == (site / "output" / "tags" / "web" / "atom.xml").read_bytes()


def test_a_poll_with_nothing_new_gets_304_in_any_encoding(client: httpx.Client) -> None:
    first, _ = _raw(client, "/feed.json", **{"Accept-Encoding": "br"})
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for encoding in ("br", "gzip", "gzip, br"):
        again = client.get("/feed.json", headers={"Accept-Encoding": encoding, "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", encoding
        assert again.headers["etag"] == etag and again.headers["vary"] == "Accept-Encoding"
    strong = etag.removeprefix("W/")               # what an identity response carried
    assert client.get("/feed.json", headers={"Accept-Encoding": "br", "If-None-Match": strong}).status_code == 304
    dated = client.get("/feed.json", headers={"Accept-Encoding": "br", "If-Modified-Since": modified})
    assert dated.status_code == 304
    other = client.get("/feed.json", headers={"Accept-Encoding": "br", "If-None-Match": '"other"',
                                               "If-Modified-Since": modified})
    assert other.status_code == 200                # an ETag that does not match wins over the date


def test_head_sends_the_twins_headers_only(client: httpx.Client, site: Path) -> None:
    head = client.head("/atom.xml", headers={"Accept-Encoding": "br"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str((site / "output" / "atom.xml.br").stat().st_size)


def test_hidden_and_missing_paths_are_left_to_the_full_application(client: httpx.Client) -> None:
    for path in ("/.publish/manifest.json", "/missing.xml", "/tags/web/", "/rss.xml/"):  # raw "..": test_serve.py
        assert client.get(path, headers={"Accept-Encoding": "br"}).status_code == 404, path


def test_a_twin_older_than_its_file_is_never_sent(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    assert run_publish(site, "feed").returncode == 0
    feed = site / "output" / "atom.xml"
    newer = feed.read_bytes().replace(b"</feed>", b"<!-- edited by hand --></feed>")
    feed.write_bytes(newer)                        # the twins still hold the old bytes
    later = time.time() + 5
    os.utime(feed, (later, later))
    with serving(site, "--workers", "1") as (url, log):
        response = httpx.get(url + "/atom.xml", headers={"Accept-Encoding": "br, gzip"}, timeout=10)
        decoded = response.content               # httpx decodes whatever encoding was chosen
    assert decoded == newer
    assert "1 processes" not in log.read_text() and "processes" not in log.read_text()


def test_previews_stay_hidden_even_with_twins(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    assert run_publish(site, "--drafts", "feed").returncode == 0
    assert (site / "output" / "rss.xml.br").is_file()
    with serving(site) as (url, _):
        for encoding in ("br", "gzip", "identity"):
            assert httpx.get(url + "/rss.xml", headers={"Accept-Encoding": encoding}, timeout=10).status_code == 404


def test_requests_are_logged_only_with_verbose(site: Path) -> None:
    with serving(site, "--workers", "1") as (url, log):
        httpx.get(url + "/rss.xml", timeout=10)
    assert "GET /rss.xml" not in log.read_text()
    with serving(site, "--workers", "2", options=("-v",)) as (url, log):
        httpx.get(url + "/rss.xml", timeout=10)
        deadline = time.monotonic() + 10
        while "GET /rss.xml" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    assert re.search(r'"GET /rss.xml HTTP/1.1" 200', log.read_text()), log.read_text()
    assert "2 processes" in log.read_text()


def test_workers_must_be_a_positive_count(site: Path) -> None:
    result = run_publish(site, "serve", "--workers", "0")
    assert result.returncode == 2 and "at least 1" in result.stdout + result.stderr


def test_a_file_replaced_while_it_is_served_is_sent_whole(tmp_path: Path) -> None:
    """A build replaces files under a running server: every answer is one version of the file, with
    its own length (the size once came from an earlier stat than the bytes)."""
    import threading

    site = copy_sample(tmp_path / "site")
    assert run_publish(site, "feed").returncode == 0
    target = site / "output" / "notes.txt"              # the user's own file: the full application's path
    versions = [b"a" * 100_000, b"b" * 150_000]
    target.write_bytes(versions[0])
    stop = threading.Event()

    def rebuild() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            temporary = target.with_name(f".notes.{n}.tmp")
            temporary.write_bytes(versions[n % 2])
            os.replace(temporary, target)

    writer = threading.Thread(target=rebuild)
    with serving(site, "--workers", "1") as (url, _), httpx.Client(base_url=url, timeout=10) as http:
        writer.start()
        try:
            bodies = [http.get("/notes.txt", headers={"Accept-Encoding": "identity"}).content for _ in range(300)]
        finally:
            stop.set()
            writer.join()
    assert all(body in versions for body in bodies)
