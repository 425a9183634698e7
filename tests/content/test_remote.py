"""Remote images: never fetched unless `[network] remote_images = true`, then fetched once and checked."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image

from publish.content.loader import load
from tests.conftest import load_config, write_article


class _Server(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        if self.path.endswith(".png"):  # /fake.jpg answers with a web page
            buffer = io.BytesIO()
            Image.new("RGB", (30, 20), "purple").save(buffer, "PNG")
            body, kind = buffer.getvalue(), "image/png"
        else:
            body, kind = b"<html>not an image</html>", "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Server.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def _site(tmp_path: Path, url: str, allow: bool) -> Path:
    (tmp_path / "publish.toml").write_text(f"[network]\nremote_images = {'true' if allow else 'false'}\n")
    write_article(tmp_path, "a.md", f"---\ntitle: A\ndate: 2024-01-02\nimage: {url}/cover.png\n---\n"
                                    f"![body]({url}/body.png) and ![page]({url}/fake.jpg)\n")
    return tmp_path


def test_not_fetched_by_default(tmp_path: Path, server: str) -> None:
    loaded = load(load_config(cwd=_site(tmp_path, server, allow=False)))
    article = loaded.collection.articles[0]
    assert article.cover is None and not article.images
    assert _Server.requests == []
    assert any("was not fetched" in p.message for p in loaded.warnings)


def test_fetched_once_when_allowed(tmp_path: Path, server: str) -> None:
    config = load_config(cwd=_site(tmp_path, server, allow=True))
    loaded = load(config)
    article = loaded.collection.articles[0]
    assert article.cover is not None and (article.cover.width, article.cover.format) == (30, "PNG")
    assert f"{server}/body.png" in article.images
    assert any("not an image" in p.message for p in loaded.warnings)          # fake.jpg is a web page
    assert sorted(_Server.requests) == ["/body.png", "/cover.png", "/fake.jpg"]
    load(config)
    assert len(_Server.requests) == 4                                          # only the failed one again
