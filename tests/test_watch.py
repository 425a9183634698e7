"""`publish serve --watch` as an author runs it: a real server process on 127.0.0.1 building the
sample site, real edits of its files, the Server-Sent Events the pages listen to, real HTTP fetches.

Nothing here waits a fixed time: every step waits for the server's `reload` event (one per build,
numbered), with a generous timeout for a loaded machine.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import html as lxml_html

from tests.conftest import copy_sample

TIMEOUT = 240.0                    # seconds: a cold build of the sample on a busy 2-core machine
SLUG = "why-feeds-still-matter"
MARKER = "data-publish-live"


class Server:
    """The watching server, and the build numbers its event stream announces."""

    def __init__(self, site: Path, *options: str) -> None:
        self.site = site
        self.process = subprocess.Popen(
            [sys.executable, "-m", "publish", *options, "serve", "--watch", "--host", "127.0.0.1", "--port", "0"],
            cwd=site, env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read_output, daemon=True).start()
        self.url = self._wait_for_url()
        self.client = httpx.Client(base_url=self.url, timeout=30)
        self.events: queue.Queue[int] = queue.Queue()
        self._stream_ready = threading.Event()
        self.stream_over = threading.Event()        # the event stream ended, and how: finished by the server
        self.stream_finished = False                # (a complete response) or cut off
        threading.Thread(target=self._listen, daemon=True).start()
        assert self._stream_ready.wait(TIMEOUT), "the event stream never opened"

    def _read_output(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line.rstrip("\n"))
            self.lines.put(line)

    def _wait_for_url(self) -> str:
        while True:
            try:
                line = self.lines.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError("the server never said where it serves:\n" + "\n".join(self.log)) from None
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if found:
                return found.group(1)

    def _listen(self) -> None:
        try:
            self._stream()
            self.stream_finished = True
        except httpx.HTTPError:
            pass                    # the server stopped: the stream ends with it
        finally:
            self.stream_over.set()

    def _stream(self) -> None:
        with httpx.Client(base_url=self.url, timeout=httpx.Timeout(10, read=None)) as client:
            with client.stream("GET", "/.preview/events", params={"since": "1"}) as response:
                assert response.headers["content-type"].startswith("text/event-stream")
                self._stream_ready.set()
                event = ""
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event == "reload":
                        self.events.put(json.loads(line.split(":", 1)[1])["build"])

    def next_build(self) -> int:
        try:
            return self.events.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError("no rebuild was announced:\n" + "\n".join(self.log[-30:])) from None

    def stop(self, sig: int = signal.SIGINT) -> None:
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    site = copy_sample(tmp_path_factory.mktemp("watch") / "site")
    running = Server(site)
    try:
        yield running
    finally:
        running.stop()
    assert running.process.returncode == 0, "\n".join(running.log)
    assert "Stopped." in running.log


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _title_line(path: Path) -> str:
    return next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("title:"))


def test_an_edited_title_reaches_the_served_feed_and_pdf(server: Server) -> None:
    article = server.site / "content" / f"{SLUG}.md"
    pdf_before = server.client.get(f"/pdf/{SLUG}.pdf").content
    epub = next((server.site / "output" / "epub").glob("*.epub")).name
    book_before = server.client.get(f"/epub/{epub}").content
    _edit(article, _title_line(article), "title: 'Feeds, Edited While Watching'")
    server.next_build()
    feed = server.client.get("/rss.xml")
    assert feed.status_code == 200 and "Feeds, Edited While Watching" in feed.text
    pdf = server.client.get(f"/pdf/{SLUG}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.content != pdf_before
    assert server.client.get(f"/epub/{epub}").content != book_before
    assert "Feeds, Edited While Watching" in server.client.get("/").text


def test_watched_pages_get_the_script_and_output_never_does(server: Server) -> None:
    page = server.client.get("/")
    assert page.status_code == 200 and MARKER in page.text
    assert "EventSource" in page.text and "etag" not in page.headers
    tags = lxml_html.fromstring(page.content).xpath("//a[starts-with(@href, 'tags/')]/@href")
    assert tags, "the landing page links its tag pages"
    assert MARKER in server.client.get("/" + tags[0]).text
    for path in ("/rss.xml", f"/email/{SLUG}.html", f"/email/{SLUG}.txt"):
        response = server.client.get(path)
        assert response.status_code == 200 and MARKER not in response.text, path
    written = [p for p in (server.site / "output").rglob("*") if p.is_file() and ".publish" not in p.parts]
    assert written
    assert not [p for p in written if MARKER.encode() in p.read_bytes()]


def test_the_email_preview_shows_both_widths_the_text_and_every_format(server: Server) -> None:
    listing = server.client.get("/.preview/")
    assert listing.status_code == 200 and f"/.preview/{SLUG}/" in listing.text
    page = server.client.get(f"/.preview/{SLUG}/")
    assert page.status_code == 200 and MARKER in page.text
    tree = lxml_html.fromstring(page.content)
    frames = tree.xpath("//iframe")
    assert sorted(f.get("width") for f in frames) == ["375", "600"]
    assert {f.get("src") for f in frames} == {f"/.preview/{SLUG}/email.html"}
    # The email in the frames loads its images from this server, not from the site's public address.
    email = server.client.get(f"/.preview/{SLUG}/email.html")
    assert email.status_code == 200 and MARKER not in email.text
    images = lxml_html.fromstring(email.content).xpath("//img/@src")
    assert images and all(src.startswith("/images/") for src in images), images
    assert all(server.client.head(src).status_code == 200 for src in images)
    published = (server.site / "output" / "email" / f"{SLUG}.html").read_text(encoding="utf-8")
    assert "https://fieldnotes.example/images/" in published      # output/ itself keeps the public address
    text = (server.site / "output" / "email" / f"{SLUG}.txt").read_text(encoding="utf-8")
    assert tree.xpath("string(//pre)").strip() == text.strip()
    links = tree.xpath("//nav//a/@href")
    assert {f"/pdf/{SLUG}.pdf", f"/email/{SLUG}.html", f"/email/{SLUG}.txt", f"/email/{SLUG}.eml"} <= set(links)
    assert any(link.startswith("/epub/") for link in links)
    for link in links:
        assert server.client.head(link).status_code == 200, link
    assert server.client.get("/.preview/no-such-article/").status_code == 404


def test_a_broken_article_is_a_banner_until_the_next_good_save(server: Server) -> None:
    article = server.site / "content" / f"{SLUG}.md"
    good = article.read_text(encoding="utf-8")
    pdf = server.client.get(f"/pdf/{SLUG}.pdf").content
    article.write_text(good.replace("title:", "title: [unclosed\nbroken:", 1), encoding="utf-8")
    server.next_build()
    page = server.client.get("/")
    assert page.status_code == 200
    banner = lxml_html.fromstring(page.content).xpath("//div[@role='alert']")
    assert banner and f"{SLUG}.md" in banner[0].text_content()
    assert server.client.get(f"/pdf/{SLUG}.pdf").content == pdf            # the last good file is still served
    assert any(line.startswith("error:") and f"{SLUG}.md" in line for line in server.log)
    article.write_text(good, encoding="utf-8")
    server.next_build()
    assert not lxml_html.fromstring(server.client.get("/").content).xpath("//div[@role='alert']")


def test_a_missing_image_is_reported_and_recovered(server: Server) -> None:
    article = server.site / "content" / f"{SLUG}.md"
    good = article.read_text(encoding="utf-8")
    source = re.search(r"src: '?(/[^'\n]+)'?", good)
    assert source, "the sample article has a cover image"
    article.write_text(good.replace(source.group(1), "/no-such-image.jpg", 1), encoding="utf-8")
    server.next_build()
    banner = lxml_html.fromstring(server.client.get("/").content).xpath("//div[@role='alert']")
    assert banner and "no-such-image.jpg" in banner[0].text_content()
    article.write_text(good, encoding="utf-8")
    server.next_build()
    assert not lxml_html.fromstring(server.client.get("/").content).xpath("//div[@role='alert']")


def test_a_broken_configuration_never_stops_the_server(server: Server) -> None:
    config = server.site / "publish.toml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "\n[site\nbroken = \n", encoding="utf-8")
    server.next_build()
    banner = lxml_html.fromstring(server.client.get("/").content).xpath("//div[@role='alert']")
    assert banner and "publish.toml" in banner[0].text_content()
    assert server.client.get("/rss.xml").status_code == 200
    config.write_text(good, encoding="utf-8")
    server.next_build()
    assert not lxml_html.fromstring(server.client.get("/").content).xpath("//div[@role='alert']")


def test_a_burst_of_saves_is_one_build_and_output_writes_are_none(server: Server) -> None:
    article = server.site / "content" / f"{SLUG}.md"
    good = article.read_text(encoding="utf-8")
    title = _title_line(article)
    for n in range(6):                                      # an editor saving several times in a row
        article.write_text(good.replace(title, f"title: 'Burst {n}'", 1), encoding="utf-8")
    first = server.next_build()
    assert "Burst 5" in server.client.get("/rss.xml").text
    (server.site / "output" / "notes-by-hand.txt").write_text("written into output/", encoding="utf-8")
    (server.site / "output" / "rss.xml").touch()
    article.write_text(good.replace(title, "title: 'After The Burst'", 1), encoding="utf-8")
    assert server.next_build() == first + 1                 # neither the burst nor output/ made another build
    assert "After The Burst" in server.client.get("/rss.xml").text
    assert server.events.empty()


def test_with_drafts_the_author_sees_the_drafts_output(tmp_path: Path) -> None:
    """Outputs of drafts are previews: plain `publish serve` hides them; the author's own
    `--drafts serve --watch` shows them, since previewing a draft is what it is for. A Dask
    scheduler is not used while watching (rebuilds stay on warm local workers): the server says so."""
    site = copy_sample(tmp_path / "site")
    draft = "newsletters-without-the-noise"
    running = Server(site, "--drafts", "--scheduler", "tcp://127.0.0.1:9")
    try:
        assert any("not on the Dask scheduler" in line for line in running.log), running.log
        assert running.client.get(f"/pdf/{draft}.pdf").status_code == 200
        assert running.client.get(f"/email/{draft}.html", headers={"Accept-Encoding": "br"}).status_code == 200
        assert running.client.get(f"/.preview/{draft}/").status_code == 200
    finally:
        running.stop()


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (from /proc): the watching server's workers and Pandoc."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
        except (OSError, IndexError):
            continue
    return found


def _running(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_idle_server_rebuilds_on_a_save_and_a_signal_stops_all_of_it(tmp_path: Path, sig: int) -> None:
    """Nothing in the idle server wakes (no watcher polling, no server tick): a save must still wake the
    watcher, and SIGTERM like Ctrl-C must still wake the server and stop everything it started. SIGTERM
    used to kill the process where it stood, leaving its workers and Pandoc processes running."""
    site = copy_sample(tmp_path / "site")
    running = Server(site)
    try:
        article = site / "content" / f"{SLUG}.md"
        _edit(article, _title_line(article), "title: 'Saved While Idle'")
        running.next_build()
        assert "Saved While Idle" in running.client.get("/rss.xml").text
        started = _children(running.process.pid)
        assert len(started) >= 2, "the warm workers (and Pandoc) run beside the server"
    finally:
        running.stop(sig)
    assert running.process.returncode == 0, "\n".join(running.log)
    assert "Stopped." in running.log
    assert running.stream_over.wait(TIMEOUT) and running.stream_finished, "the open event stream was ended, not cut"
    left = {pid for pid in started if _running(pid)}
    assert not left, f"still running after the server stopped: {left}"


def test_the_quiet_server_is_in_use_and_dates_answers_without_ticking() -> None:
    """The installed uvicorn has the shape serve.quiet_server was written for (else it would fall back to
    uvicorn's ticking server), and its Date header is made when read: no tick has run here."""
    from email.utils import parsedate_to_datetime

    import uvicorn

    from publish import serve

    assert serve._quiet_server_class() is not None
    config = uvicorn.Config(serve.create_app(Path(".")), server_header=False)
    config.load()
    server = serve.quiet_server(config)
    server.server_state.default_headers = []                # what a tick would overwrite
    headers = dict(server.server_state.default_headers)
    assert parsedate_to_datetime(headers[b"date"].decode()).tzinfo is not None
    assert b"server" not in headers


def test_a_burst_already_queued_is_one_batch_and_none_stops() -> None:
    from publish.watch import next_batch

    changes: queue.Queue[tuple[float, str] | None] = queue.Queue()
    for n in range(5):                                      # saved during a build: all waiting at once
        changes.put((time.monotonic(), f"/site/content/post-{n % 2}.md"))
    assert next_batch(changes) == {"/site/content/post-0.md", "/site/content/post-1.md"}
    changes.put((time.monotonic(), "/site/content/post-0.md"))
    changes.put(None)
    assert next_batch(changes) is None                      # stopping wins over a batch under way


def test_editor_and_version_control_files_never_start_a_build(tmp_path: Path) -> None:
    from publish.watch import Watched, relevant

    content = tmp_path / "content"
    spot = Watched((content,), tmp_path, frozenset({"publish.toml"}), tmp_path / "output")
    for path in (content / "post.md", content / "blog" / "index.md", content / "public" / "cover.png",
                 tmp_path / "publish.toml"):
        assert relevant(spot, str(path)), path
    for path in (content / "post.md~", content / ".post.md.swp", content / ".#post.md", content / "#post.md#",
                 content / "4913", content / ".git" / "index", content / ".DS_Store", tmp_path / "output" / "rss.xml",
                 tmp_path / "notes.txt", content / "post.md.___jb_tmp___"):
        assert not relevant(spot, str(path)), path


def test_the_changed_line_leaves_out_temporary_files(tmp_path: Path) -> None:
    from publish.watch import worth_naming

    post = tmp_path / "post.md"
    post.write_text("x", encoding="utf-8")
    gone = [str(tmp_path / "sedX1b2c3"), str(tmp_path / "4913")]
    assert worth_naming([*gone, str(post), str(tmp_path / "deleted.md")]) == [str(tmp_path / "deleted.md"), str(post)]
    assert worth_naming(gone) == sorted(gone)          # nothing else: say what there is
