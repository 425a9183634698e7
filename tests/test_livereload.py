"""What the watching server adds to pages: the script, the banner (escaped), and where they go.

Served for real (the watch tests run the whole server); here the pure pieces, and the middleware
in front of the real `serve.create_app` through Starlette's test client.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from publish.livereload import MARKER, Broadcast, LiveReload, banner, injected, insert, wants_reload
from publish.serve import create_app


def test_the_script_goes_before_the_last_body_end_tag() -> None:
    page = b"<html><body><p>x</p></body></html>"
    assert insert(page, "<i>s</i>") == b"<html><body><p>x</p><i>s</i></body></html>"
    assert insert(b"<p>no body</p>", "<i>s</i>") == b"<p>no body</p><i>s</i>"
    assert insert(b"<BODY>x</BODY>", "!") == b"<BODY>x!</BODY>"


def test_only_the_pages_an_author_watches_get_it() -> None:
    assert wants_reload("/") and wants_reload("/index.html") and wants_reload("/tags/web/")
    assert wants_reload("/.preview/some-post/")
    assert not wants_reload("/rss.xml") and not wants_reload("/email/post.html") and not wants_reload("/pdf/a.pdf")


def test_the_banner_escapes_what_it_shows_and_is_absent_without_problems() -> None:
    assert banner([], []) == ""
    shown = banner(['content/x.md: title: "<script>alert(1)</script>"'])
    assert "<script>alert" not in shown and "&lt;script&gt;" in shown and 'role="alert"' in shown
    assert "warning: content/y.md: image missing" in banner([], ["content/y.md: image missing"])
    assert len(banner([f"error {n}" for n in range(30)]).split("<li>")) == 22      # 20 and "… and 10 more"


def test_the_script_remembers_the_build_it_was_served_after() -> None:
    broadcast = Broadcast()
    assert "since=0" in injected(broadcast.state)
    broadcast.finished(["boom"])
    state = broadcast.state
    assert "since=1" in injected(state) and "boom" in injected(state)


def _requests(app: LiveReload, *requests: tuple[str, str]) -> list[httpx.Response]:
    import anyio

    async def send() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://local") as local:
            return [await local.request(method, path, headers={"accept-encoding": "gzip"})
                    for method, path in requests]

    return anyio.run(send)


def test_the_middleware_adds_it_to_pages_only_and_drops_validators(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!DOCTYPE html><html><body><p>Hi</p></body></html>", encoding="utf-8")
    (tmp_path / "rss.xml").write_text("<rss version='2.0'><channel/></rss>" * 40, encoding="utf-8")
    broadcast = Broadcast()
    app = LiveReload(create_app(tmp_path), broadcast)
    page, head, feed = _requests(app, ("GET", "/"), ("HEAD", "/"), ("GET", "/rss.xml"))
    assert page.status_code == 200 and MARKER in page.text and page.text.endswith("</body></html>")
    assert "etag" not in page.headers and page.headers["cache-control"] == "no-store"
    assert int(page.headers["content-length"]) == len(page.content)
    assert head.status_code == 200 and not head.content
    assert MARKER not in feed.text and "etag" in feed.headers and "content-encoding" not in feed.headers
    assert MARKER not in (tmp_path / "index.html").read_text(encoding="utf-8")
    broadcast.finished(["content/x.md: bad YAML"])
    assert "bad YAML" in _requests(app, ("GET", "/index.html"))[0].text


def test_closing_the_broadcast_ends_open_streams_with_a_complete_response() -> None:
    """When the server stops, it would wait for the event streams (held open by the browser) until its
    graceful timeout; closing the broadcast ends them at once, each as a complete response."""
    import asyncio

    async def scenario() -> list[dict[str, object]]:
        broadcast, sent = Broadcast(), []
        browser_stays: asyncio.Event = asyncio.Event()

        async def receive() -> dict[str, object]:
            await browser_stays.wait()                  # the browser never leaves on its own
            return {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        scope = {"type": "http", "path": "/.preview/events", "query_string": b"since=0", "headers": []}
        stream = asyncio.ensure_future(broadcast.events(scope, receive, send))
        while len(sent) < 2:                            # the headers and `retry:` are out: the stream waits
            await asyncio.sleep(0)
        broadcast.finished([])
        while len(sent) < 3:
            await asyncio.sleep(0)
        broadcast.close()
        await asyncio.wait_for(stream, timeout=30)
        return sent

    sent = asyncio.run(scenario())
    assert b"event: reload" in sent[2]["body"]          # type: ignore[operator]
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
