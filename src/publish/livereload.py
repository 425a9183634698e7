"""Watch mode's live reload: a Server-Sent Events stream, and the script and banner pages get.

Only the server adds them, on the way out: nothing is ever written into output/. The pages that get
them are the ones an author looks at while writing: the landing page (`/`, `index.html`), tag pages
(`tags/<tag>/`) and the previews under `/.preview/` (a hidden path: output/ can never hold a file
there, because the server refuses hidden paths). Feeds, PDFs and emails are served untouched.

After every build the stream sends `reload`; the script reloads the page. A page remembers which
build it was served after (`?since=`), so a build that ends between the page and the stream
connecting still reloads it. While the last build had errors, every such page shows them in a
banner, above the last good outputs the server keeps serving.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/.preview/"
EVENTS = PREFIX + "events"
EMAIL_FRAME = "/email.html"             # /.preview/<slug>/email.html: the email as the preview frames show it
KEEP_ALIVE = 15.0                   # seconds between comments, so proxies keep the stream open
MARKER = "data-publish-live"        # on the injected elements (tests look for it in output/)
CLOSED = -1                         # what a stream's queue gets when the server stops


@dataclass(frozen=True)
class BuildState:
    generation: int = 0             # how many builds finished
    errors: tuple[str, ...] = ()    # what the last build could not do, as the terminal said it
    warnings: tuple[str, ...] = ()  # what it said about the articles (a missing image, say)


class Broadcast:
    """The last build's state, and every open event stream waiting for the next one.

    `finished()` is called from the builder thread; the streams live on the server's event loop."""

    def __init__(self) -> None:
        self.state = BuildState()
        self._lock = threading.Lock()
        self._waiters: set[asyncio.Queue[int]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def finished(self, errors: Sequence[str], warnings: Sequence[str] = ()) -> BuildState:
        with self._lock:
            self.state = BuildState(self.state.generation + 1, tuple(errors), tuple(warnings))
            loop, state = self._loop, self.state
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._wake, state.generation)
            except RuntimeError:        # the server closed its loop meanwhile: it is stopping
                pass
        return state

    def close(self) -> None:
        """End every open stream: the server is stopping and would otherwise wait for them (a browser's
        EventSource connects again once the server is back). Called on the server's event loop."""
        self._closed = True
        self._wake(CLOSED)

    def _wake(self, generation: int) -> None:
        for queue in list(self._waiters):
            queue.put_nowait(generation)

    async def events(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The `text/event-stream` endpoint: `reload` once per build after `?since=`."""
        from urllib.parse import parse_qs

        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        try:
            since = int(query.get("since", ["0"])[0])
        except ValueError:
            since = 0
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[int] = asyncio.Queue()
        self._waiters.add(queue)
        try:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/event-stream; charset=utf-8"),
                                    (b"cache-control", b"no-store"), (b"x-accel-buffering", b"no")]})
            await send({"type": "http.response.body", "body": b"retry: 500\n\n", "more_body": True})
            if self.state.generation > since:
                await send(_event(self.state.generation))
            disconnected = asyncio.ensure_future(_disconnect(receive))
            while not disconnected.done() and not self._closed:
                got = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({got, disconnected}, timeout=KEEP_ALIVE,
                                             return_when=asyncio.FIRST_COMPLETED)
                if got in done and got.result() != CLOSED:
                    await send(_event(got.result()))
                elif got not in done:
                    got.cancel()
                    if not disconnected.done():
                        await send({"type": "http.response.body", "body": b": keep-alive\n\n", "more_body": True})
            disconnected.cancel()
            if self._closed:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass                            # the browser went away mid-write
        finally:
            self._waiters.discard(queue)


def _event(generation: int) -> Message:
    data = json.dumps({"build": generation})
    return {"type": "http.response.body", "body": f"event: reload\ndata: {data}\n\n".encode(), "more_body": True}


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def injected(state: BuildState) -> str:
    """The script (and the banner, while the last build had errors) added before </body>."""
    script = (f'<script {MARKER}>(function(){{var s=new EventSource("{EVENTS}?since={state.generation}");'
              's.addEventListener("reload",function(){s.close();location.reload();});})();</script>')
    return banner(state.errors, state.warnings) + script


def banner(errors: Sequence[str], warnings: Sequence[str] = ()) -> str:
    """A fixed box over the page listing the last build's errors (and its warnings about articles)."""
    lines = [*errors, *(f"warning: {line}" for line in warnings)]
    if not lines:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines[:20])
    more = f"<li>… and {len(lines) - 20} more (see the terminal)</li>" if len(lines) > 20 else ""
    color, background = ("#c00", "#fff4f4") if errors else ("#a15c00", "#fffbea")
    style = ("position:fixed;inset:0 0 auto 0;z-index:2147483647;max-height:50vh;overflow:auto;margin:0;"
             f"padding:.75rem 1rem;background:{background};color:#2b0007;border-bottom:3px solid {color};"
             "font:14px/1.4 system-ui,sans-serif;white-space:pre-wrap")
    heading = ("The last build failed here; the server shows the last good files. Fix and save to rebuild."
               if errors else "The last build has warnings about your articles.")
    return (f'<div {MARKER} role="alert" style="{style}"><strong>{heading}</strong>'
            f'<ul style="margin:.4rem 0 0;padding-left:1.2rem">{items}{more}</ul></div>')


def insert(page: bytes, addition: str) -> bytes:
    """`addition` before the last </body>, or at the end when the page has none."""
    lower = page.lower()
    at = lower.rfind(b"</body>")
    data = addition.encode("utf-8")
    return page + data if at < 0 else page[:at] + data + page[at:]


def wants_reload(path: str) -> bool:
    """The pages an author watches: landing and tag pages (any index.html or folder URL), previews."""
    if path.startswith(PREFIX):         # the email inside a preview's frames reloads with its page
        return not path.endswith(EMAIL_FRAME)
    return path == "/" or path.endswith("/") or path.endswith("/index.html")


class LiveReload:
    """ASGI middleware: the event stream at EVENTS, and the script (and banner) in watched pages.
    Every answer is read whole before it is sent (see _send_whole).

    Requests lose Accept-Encoding and conditional headers: a page's bytes change with the banner
    while the file does not, so no 304 or compressed copy may stand in for it (this is a preview
    server on the author's machine, not the host)."""

    def __init__(self, app: ASGIApp, broadcast: Broadcast) -> None:
        self.app, self.broadcast = app, broadcast

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path == EVENTS:
            await self.broadcast.events(scope, receive, send)
            return
        dropped = (b"accept-encoding", b"if-none-match", b"if-modified-since", b"if-range", b"range")
        scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k.lower() not in dropped])
        page = wants_reload(path)
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await _send_whole(start, b"".join(chunks), scope["method"], self.broadcast.state if page else None, send)

        await self.app(scope, receive, buffered)


async def _send_whole(start: Message, body: bytes, method: str, state: BuildState | None, send: Send) -> None:
    """Send a response read whole, with its real length. A build replaces files while they are served:
    the static files app takes a file's size from one stat and its bytes from a later open, so a
    streamed answer could promise the old length and send the new file. `state`: add the script."""
    from starlette.datastructures import MutableHeaders

    headers = MutableHeaders(raw=list(start["headers"]))
    if method != "HEAD" and "content-length" in headers:
        headers["content-length"] = str(len(body))
    if state is not None and headers.get("content-type", "").startswith("text/html") and start["status"] == 200:
        if method == "HEAD":
            body = b""                # the length of the page with its script is not known here
            del headers["content-length"]
        else:
            body = insert(body, injected(state))
            headers["content-length"] = str(len(body))
        for name in ("etag", "last-modified"):
            if name in headers:
                del headers[name]
        headers["cache-control"] = "no-store"
    await send({**start, "headers": headers.raw})
    await send({"type": "http.response.body", "body": body})
