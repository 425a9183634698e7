"""WebSub: `rel="hub"` in every current feed, and `publish ping` against a real hub on 127.0.0.1 (a small
HTTP server in this test): one form-encoded POST per changed feed, none when nothing changed, one retry,
exit 1 naming the hub and its answer when it fails."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import pytest
from lxml import etree

from tests.conftest import copy_sample, run_publish, write_article

BASE = "https://fieldnotes.example"
ATOM = "{http://www.w3.org/2005/Atom}"
FILES = ("rss.xml", "atom.xml", "feed.json")


@dataclass
class Hub:
    """A WebSub hub that records every request and answers with the statuses queued (204 when none)."""

    url: str
    server: ThreadingHTTPServer
    requests: list[dict[str, object]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    stall: threading.Event | None = None          # set: hold every answer until released

    def topics(self) -> list[str]:
        return [str(r["form"]["hub.url"][0]) for r in self.requests]  # type: ignore[index]


def _start_hub() -> Hub:
    hub: Hub

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            hub.requests.append({"path": self.path, "type": self.headers.get("Content-Type"),
                                 "form": parse_qs(body, keep_blank_values=True)})
            if hub.stall is not None:
                hub.stall.wait(30)
            status = hub.answers.pop(0) if hub.answers else 204
            self.send_response(status)
            payload = b"hub is broken today" if status >= 400 else b""
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    hub = Hub(f"http://127.0.0.1:{server.server_address[1]}/hub", server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return hub


@pytest.fixture
def hub() -> Iterator[Hub]:
    running = _start_hub()
    yield running
    if running.stall is not None:
        running.stall.set()
    running.server.shutdown()
    running.server.server_close()


def _configure(site: Path, hub_url: str, extra: str = "") -> None:
    with (site / "publish.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'\n[feed]\nwebsub_hub = "{hub_url}"\n{extra}')


def _publish(site: Path, *args: str) -> tuple[int, str]:
    result = run_publish(site, *args, env={"COLUMNS": "1000"}, timeout=120)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site with limit 3 and a hub that no test talks to (each test points to its own)."""
    site = copy_sample(tmp_path_factory.mktemp("ping") / "site")
    _configure(site, "http://127.0.0.1:9/hub", "limit = 3\n")
    code, said = _publish(site, "feed")
    assert code == 0, said
    return site


def _copy(built: Path, tmp_path: Path, hub: Hub) -> Path:
    site = tmp_path / "site"
    shutil.copytree(built, site)
    config = site / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("http://127.0.0.1:9/hub", hub.url), encoding="utf-8")
    code, said = _publish(site, "feed")                 # the feeds now name this test's hub
    assert code == 0, said
    return site


def _current_feeds(output: Path) -> set[str]:
    return {p.relative_to(output).as_posix() for p in output.rglob("*")
            if p.name in FILES and "archive" not in p.relative_to(output).parts and ".publish" not in p.parts}


# --- the feeds ------------------------------------------------------------------------------------

def test_every_current_feed_names_the_hub_and_no_archive_page_does(built: Path) -> None:
    output = built / "output"
    hub = "http://127.0.0.1:9/hub"
    for path in sorted(output.rglob("*")):
        if path.name not in FILES:
            continue
        archive = "archive" in path.relative_to(output).parts
        if path.suffix == ".json":
            hubs = json.loads(path.read_text(encoding="utf-8")).get("hubs")
            assert hubs == (None if archive else [{"type": "WebSub", "url": hub}]), path
            continue
        root = etree.fromstring(path.read_bytes())
        parent = root.find("channel") if root.tag == "rss" else root
        links = [link.get("href") for link in parent.findall(f"{ATOM}link") if link.get("rel") == "hub"]
        assert links == ([] if archive else [hub]), path
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0
        assert ({link.href for link in parsed.feed.links if link.rel == "hub"} == set()) is archive
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [f"{BASE}/{path.relative_to(output).as_posix()}"]     # the topic a hub fetches


def test_the_hub_must_be_a_url(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    _configure(site, "hub.example/publish")
    code, said = _publish(site, "feed")
    assert code == 2 and "feed.websub_hub" in said


# --- publish ping ---------------------------------------------------------------------------------

def test_ping_announces_every_feed_once_then_nothing(built: Path, tmp_path: Path, hub: Hub) -> None:
    site = _copy(built, tmp_path, hub)
    code, said = _publish(site, "ping")
    assert code == 0, said
    feeds = _current_feeds(site / "output")
    assert sorted(hub.topics()) == sorted(f"{BASE}/{rel}" for rel in feeds)
    assert len(hub.requests) == len(feeds) > 3
    for request in hub.requests:
        assert request["path"] == "/hub" and request["type"] == "application/x-www-form-urlencoded"
        assert request["form"]["hub.mode"] == ["publish"] and len(request["form"]) == 2  # type: ignore[index]
    assert f"announced {BASE}/atom.xml to {hub.url} (204)" in said
    assert hub.topics()[:3] == [f"{BASE}/{name}" for name in ("atom.xml", "feed.json", "rss.xml")]

    hub.requests.clear()
    code, said = _publish(site, "ping")
    assert code == 0 and hub.requests == []
    assert "nothing changed" in said


def test_after_a_new_article_only_the_changed_feeds_are_announced(built: Path, tmp_path: Path, hub: Hub) -> None:
    site = _copy(built, tmp_path, hub)
    assert _publish(site, "ping")[0] == 0
    hub.requests.clear()
    write_article(site, "later.md", "---\ntitle: Later\npublishDate: 2026-01-02\ntags: [Web]\n---\n\nLater.\n")
    assert _publish(site, "feed")[0] == 0
    code, said = _publish(site, "ping")
    assert code == 0, said
    expected = [f"{BASE}/{folder}{name}" for folder in ("", "tags/web/") for name in ("atom.xml", "feed.json", "rss.xml")]
    assert hub.topics() == expected


def test_a_hub_failing_twice_is_exit_1_naming_the_hub_and_its_answer(built: Path, tmp_path: Path, hub: Hub) -> None:
    site = _copy(built, tmp_path, hub)
    hub.answers[:] = [204, 500, 500]
    code, said = _publish(site, "ping")
    assert code == 1
    assert f"the WebSub hub {hub.url} answered 500 Internal Server Error: hub is broken today (tried twice" in said
    assert hub.topics() == [f"{BASE}/atom.xml", f"{BASE}/feed.json", f"{BASE}/feed.json"]
    # What the hub accepted is remembered; the rest is announced next time.
    hub.requests.clear()
    code, said = _publish(site, "ping")
    assert code == 0, said
    assert f"{BASE}/atom.xml" not in hub.topics() and hub.topics()[0] == f"{BASE}/feed.json"
    assert len(hub.topics()) == len(_current_feeds(site / "output")) - 1


def test_one_failure_is_retried(built: Path, tmp_path: Path, hub: Hub) -> None:
    site = _copy(built, tmp_path, hub)
    hub.answers[:] = [503]
    code, said = _publish(site, "ping")
    assert code == 0, said
    assert hub.topics()[:2] == [f"{BASE}/atom.xml", f"{BASE}/atom.xml"]


def test_an_unreachable_hub_is_exit_1(built: Path, tmp_path: Path, hub: Hub) -> None:
    with socket.socket() as probe:                   # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site = _copy(built, tmp_path, hub)
    config = site / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(hub.url, f"http://127.0.0.1:{port}/hub"),
                      encoding="utf-8")
    code, said = _publish(site, "ping")
    assert code == 1
    assert f"the WebSub hub http://127.0.0.1:{port}/hub could not be reached" in said
    assert not (site / "output" / ".publish" / "websub.json").exists() or json.loads(
        (site / "output" / ".publish" / "websub.json").read_text())["feeds"] == {}


def test_a_hub_that_never_answers_is_exit_1_after_the_timeout(built: Path, tmp_path: Path, hub: Hub) -> None:
    site = _copy(built, tmp_path, hub)
    hub.stall = threading.Event()
    code, said = _publish(site, "ping", "--timeout", "0.5")
    hub.stall.set()
    assert code == 1
    assert f"the WebSub hub {hub.url} did not answer within 0.5 s (tried twice" in said


def test_a_new_hub_hears_about_every_feed(built: Path, tmp_path: Path, hub: Hub) -> None:
    site = _copy(built, tmp_path, hub)
    assert _publish(site, "ping")[0] == 0
    other = _start_hub()
    try:
        config = site / "publish.toml"
        config.write_text(config.read_text(encoding="utf-8").replace(hub.url, other.url), encoding="utf-8")
        assert _publish(site, "feed")[0] == 0
        assert _publish(site, "ping")[0] == 0
        assert len(other.requests) == len(_current_feeds(site / "output"))
    finally:
        other.server.shutdown()
        other.server.server_close()


def test_publish_all_never_pings_and_previews_are_not_announced(built: Path, tmp_path: Path, hub: Hub) -> None:
    site = _copy(built, tmp_path, hub)
    code, said = _publish(site, "all")
    assert code == 0, said
    code, said = _publish(site, "--drafts", "feed")
    assert code == 0, said
    assert hub.requests == []
    code, said = _publish(site, "ping")
    assert code == 0, said
    assert "not announced:" in said and "--drafts/--future" in said
    assert f"{BASE}/atom.xml" not in hub.topics()          # the site feed now holds the draft


def test_ping_without_a_hub_is_a_usage_error(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    assert _publish(site, "feed")[0] == 0
    code, said = _publish(site, "ping")
    assert code == 2 and "feed.websub_hub" in said and "no WebSub hub is configured" in said


def test_ping_before_any_build_is_exit_1(tmp_path: Path, hub: Hub) -> None:
    site = copy_sample(tmp_path / "site")
    _configure(site, hub.url)
    code, said = _publish(site, "ping")
    assert code == 1 and "no feed to announce" in said and hub.requests == []


def test_a_timeout_must_be_positive(tmp_path: Path) -> None:
    code, said = _publish(copy_sample(tmp_path / "site"), "ping", "--timeout", "0")
    assert code == 2 and "--timeout" in said
