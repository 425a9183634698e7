"""`publish serve`: hosts output/ for subscribers, on Starlette's static files and uvicorn.

What feed readers rely on: the right media types, ETag and Last-Modified with 304 answers,
HEAD, gzip for text, no directory listing, and no path that reaches a file outside output/
(`..`, `%2e%2e`, absolute paths and symlinks are refused by StaticFiles; hidden paths such as
the build cache in output/.publish/ are refused here). It hosts only what is published: files
the manifest marks as previews (made with --drafts/--future) answer 404 like anything missing.
`/` is output/index.html, or until the site has one, a page linking every feed, PDF, EPUB and email.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import socket
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publish.errors import PublishError

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

FEED_NAMES = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}
MEDIA_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".epub": "application/epub+zip",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".eml": "message/rfc822",
}
# Already compressed: gzip would only cost time.
NOT_COMPRESSED = ("application/pdf", "application/epub+zip", "application/zip", "image/jpeg", "image/png",
                  "image/gif", "image/webp", "font/woff", "font/woff2", "audio/*", "video/*")
WHOLE_LIMIT = 1 << 20                    # files up to 1 MiB are read whole before answering
IMMUTABLE_FOLDERS = ("images",)          # content-addressed file names: safe to cache for a year
IMMUTABLE = "public, max-age=31536000, immutable"
PAGE_HEADERS = {"cache-control": "no-cache", "x-content-type-options": "nosniff"}
_ENV_OUTPUT, _ENV_TITLE, _ENV_LANGUAGE = "PUBLISH_SERVE_OUTPUT", "PUBLISH_SERVE_TITLE", "PUBLISH_SERVE_LANGUAGE"


def media_type(path: Path) -> str:
    """The Content-Type for a file under output/ (feeds are recognised by name: tags/x/rss.xml too)."""
    if path.name in FEED_NAMES:
        return FEED_NAMES[path.name]
    known = MEDIA_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def create_app(output_dir: Path, *, title: str = "", language: str = "en", previews: bool = False) -> ASGIApp:
    """The ASGI application serving `output_dir` (for `publish serve` and for tests): the hot path
    for feed polls (serve_fast.py) in front of Starlette's static files. Previews (outputs of drafts
    and future articles) answer 404 unless `previews`: only the author's own `serve --watch
    --drafts` shows them."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse
    from starlette.routing import Mount

    from publish.serve_fast import FastFiles
    from publish.serve_pages import not_found_page

    files = _output_files_class()(output_dir, title=title, language=language, previews=previews)
    missing = not_found_page(language=language)

    async def not_found(request: Request, exc: Exception) -> Response:
        return HTMLResponse(missing, status_code=404, headers=PAGE_HEADERS)

    app = Starlette(
        routes=[Mount("/", app=files)],
        middleware=[Middleware(_EncodedValidators),
                    Middleware(GZipMiddleware, minimum_size=500, exclude_content_types=NOT_COMPRESSED)],
        exception_handlers={404: not_found},
    )
    hidden = (lambda: frozenset()) if previews else (lambda: _previews(output_dir))
    return FastFiles(app, output_dir, hidden=hidden, digest=_content_digest,
                     media_type=media_type, cache_control=lambda relative: cache_control(output_dir, relative))


def app_from_environment() -> ASGIApp:
    """The application for uvicorn's worker processes, which are spawned and import it by name: what
    to serve comes from the environment `serve` sets before starting them."""
    return create_app(Path(os.environ[_ENV_OUTPUT]), title=os.environ.get(_ENV_TITLE, ""),
                      language=os.environ.get(_ENV_LANGUAGE, "en"))


def default_workers() -> int:
    """One server process per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def serve(output_dir: Path, *, host: str, port: int, title: str = "", language: str = "en",
          workers: int | None = None, verbose: bool = False) -> None:
    """Serve `output_dir` on host:port until Ctrl-C, in `workers` processes sharing one socket
    (default: one per core). Requests are logged only when `verbose`: a log line per feed poll costs
    more than answering it."""
    import uvicorn

    if not output_dir.is_dir():
        raise PublishError("there is nothing to serve yet", path=output_dir,
                           hint="run `publish all` (or `publish feed`) first")
    count = workers or default_workers()
    sock = _listen(host, port)
    bound_port = sock.getsockname()[1]
    local, *others = addresses(host, bound_port)
    processes = f"{count} processes; " if count > 1 else ""
    print(f"Serving {output_dir} at {local} ({processes}press Ctrl-C to stop)", flush=True)
    if others:
        print(f"Other machines may use {', '.join(others)}", flush=True)
    # asyncio's own loop: under 500 connections uvloop left some waiting over 2 s (benchmarks/serve.py).
    settings: dict[str, Any] = {"log_level": "info" if verbose else "warning", "access_log": verbose,
                                "loop": "asyncio", "http": "httptools", "server_header": False,
                                "proxy_headers": False, "lifespan": "off"}
    try:
        if count > 1:
            from uvicorn.supervisors import Multiprocess

            os.environ.update({_ENV_OUTPUT: str(output_dir.resolve()), _ENV_TITLE: title, _ENV_LANGUAGE: language})
            config = uvicorn.Config(f"{__name__}:app_from_environment", factory=True, workers=count, **settings)
            Multiprocess(config, sockets=[sock]).run()
        else:
            config = uvicorn.Config(create_app(output_dir, title=title, language=language), **settings)
            uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:        # uvicorn re-raises Ctrl-C after its clean shutdown: stopping is success
        pass
    finally:
        sock.close()
    print("Stopped.", flush=True)


def addresses(host: str, port: int) -> list[str]:
    """URLs that reach a server listening on host:port, this machine's first. For every interface
    (0.0.0.0, ::) that is loopback, then the address other machines reach this one on, when the
    routing table names one (found without sending a packet)."""
    def url(address: str) -> str:
        return f"http://[{address}]:{port}/" if ":" in address else f"http://{address}:{port}/"

    if host not in ("0.0.0.0", "::", ""):  # noqa: S104 - recognising the wildcard, not binding to it
        return [url(host)]
    found = [url("::1" if host == "::" else "127.0.0.1")]
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))      # a documentation address: connecting a UDP socket sends nothing
            lan = probe.getsockname()[0]
        if lan and not lan.startswith("127."):
            found.append(url(lan))
    except OSError:                             # no route: this machine only
        pass
    return found


def _listen(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as exc:
        raise PublishError(f"cannot listen on {host}:{port}: {exc}", hint="check --host") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)           # uvicorn's default: a crowd of new connections is queued, not refused
    except OSError as exc:
        sock.close()
        raise PublishError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                           hint="choose another --port, or stop the program using it") from None
    sock.set_inheritable(True)
    return sock


@lru_cache(maxsize=1)
def _output_files_class() -> type:
    """StaticFiles with content-based ETags, our media types and caching headers, and hidden paths refused
    (built on first use so `publish --help` never imports Starlette)."""
    from starlette.exceptions import HTTPException
    from starlette.responses import FileResponse
    from starlette.staticfiles import NotModifiedResponse, StaticFiles

    class OutputFiles(StaticFiles):
        def __init__(self, directory: Path, *, title: str, language: str, previews: bool) -> None:
            super().__init__(directory=directory, html=False, follow_symlink=False)
            self.site_title, self.site_language, self.show_previews = title, language, previews

        async def get_response(self, path: str, scope: Scope) -> Response:
            from starlette.responses import HTMLResponse

            from publish.serve_pages import landing_page

            root = Path(str(self.directory))
            previews = frozenset() if self.show_previews else _previews(root)
            if path == "." and scope["method"] in ("GET", "HEAD"):
                index = root / "index.html"
                if index.is_file() and not index.is_symlink() and "index.html" not in previews:
                    return await super().get_response("index.html", scope)
                page = landing_page(root, title=self.site_title, language=self.site_language, hidden=previews)
                return HTMLResponse(page, headers=PAGE_HEADERS)
            # `path` is already decoded (%2e%2e is "..") and normalised; ".." and ".publish" both start with "."
            # A trailing slash names a folder, and folders are never listed: `/rss.xml/` is not the feed.
            if scope["path"].endswith("/") or any(part.startswith(".") for part in Path(path).parts) \
                    or Path(path).as_posix() in previews:
                raise HTTPException(status_code=404)
            return await super().get_response(path, scope)

        def file_response(self, full_path: Any, stat_result: os.stat_result, scope: Scope,
                          status_code: int = 200) -> Response:
            from email.utils import formatdate

            from starlette.datastructures import Headers
            from starlette.responses import Response as Whole

            path = Path(full_path)
            kind = media_type(path)
            relative = path.relative_to(Path(str(self.directory)).resolve()) if self.directory else path
            data = None
            if stat_result.st_size <= WHOLE_LIMIT:
                # A build replaces files while they are served: the size announced, the validators and
                # the bytes sent must all come from the one file opened here, not from an earlier stat.
                try:
                    with open(path, "rb") as handle:
                        stat_result, data = os.fstat(handle.fileno()), handle.read()
                except OSError:
                    raise HTTPException(status_code=404) from None
            digest = _content_digest(str(path), stat_result.st_mtime_ns, stat_result.st_size, stat_result.st_ino)
            headers = {
                "etag": f'"{digest}"',
                "cache-control": cache_control(Path(str(self.directory)), relative.as_posix()),
                "x-content-type-options": "nosniff",
                "access-control-allow-origin": "*",
            }
            if not _excluded(kind):
                headers["vary"] = "Accept-Encoding"
            response: Response
            if data is None:             # large (PDFs, EPUBs): streamed, with byte ranges
                response = FileResponse(path, status_code=status_code, headers=headers, media_type=kind,
                                        stat_result=stat_result)
            else:
                headers["last-modified"] = formatdate(stat_result.st_mtime, usegmt=True)
                response = Whole(data, status_code=status_code, headers=headers, media_type=kind)
            if self.is_not_modified(response.headers, Headers(scope=scope)):
                return NotModifiedResponse(response.headers)
            return response

    return OutputFiles


def cache_control(output_dir: Path, relative: str) -> str:
    """Image copies (named by their content) and complete RFC 5005 archive pages never change: cached
    for a year. A page is complete when the next newer page is published (feed_files.newer_page), so
    the newest page, the only one that still fills up, is never marked."""
    from publish.feed_files import newer_page

    parts = relative.split("/")
    if len(parts) > 1 and parts[0] in IMMUTABLE_FOLDERS:
        return IMMUTABLE
    newer = newer_page(relative)
    if newer is not None and (output_dir / newer).is_file() and newer not in _previews(output_dir):
        return IMMUTABLE
    return "no-cache"


def _previews(output_dir: Path) -> frozenset[str]:
    """The files the manifest marks as previews, read again whenever the manifest changes."""
    from publish.manifest import MANIFEST

    try:
        stat = (output_dir / MANIFEST).stat()
    except OSError:
        return frozenset()
    return _previews_of(output_dir, stat.st_mtime_ns, stat.st_size, stat.st_ino)


@lru_cache(maxsize=4)
def _previews_of(output_dir: Path, mtime_ns: int, size: int, inode: int) -> frozenset[str]:
    from publish.manifest import previews

    return frozenset(previews(output_dir))


@lru_cache(maxsize=4096)
def _content_digest(path: str, mtime_ns: int, size: int, inode: int) -> str:
    """A strong validator from the bytes: a rebuild that writes identical bytes keeps the same ETag."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:32]


def _excluded(kind: str) -> bool:
    base = kind.partition(";")[0].strip()
    return base in NOT_COMPRESSED or f"{base.partition('/')[0]}/*" in NOT_COMPRESSED


class _EncodedValidators:
    """A gzip-encoded body is another representation: its ETag becomes weak (as nginx does), so a cache
    never mixes the two; and Vary is listed once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_adjusted(message: Message) -> None:
            if message["type"] == "http.response.start":
                from starlette.datastructures import MutableHeaders

                headers = MutableHeaders(raw=message["headers"])
                etag = headers.get("etag")
                if etag and "content-encoding" in headers and not etag.startswith("W/"):
                    headers["etag"] = f"W/{etag}"
                if "vary" in headers:
                    tokens = dict.fromkeys(t.strip() for t in headers["vary"].split(","))
                    headers["vary"] = ", ".join(t for t in tokens if t)
            await send(message)

        await self.app(scope, receive, send_adjusted)


def quiet_server(config: Any, *, on_stop: Callable[[], None] | None = None) -> Any:
    """A uvicorn server for `serve --watch` that sleeps while nothing happens (uvicorn's own wakes ten
    times a second to see whether it should stop). `on_stop` runs in the event loop when a stop begins,
    before uvicorn waits for open connections (live reload ends its event streams there)."""
    import uvicorn

    quiet = _quiet_server_class()
    return uvicorn.Server(config) if quiet is None else quiet(config, on_stop=on_stop)


@lru_cache(maxsize=1)
def _quiet_server_class() -> type | None:
    """uvicorn's Server whose main loop waits on an event that its signal handler sets, the signals routed
    through the event loop so that one arriving on any thread wakes it; and whose Date header is made when
    a request reads it, since no tick refreshes it any more. None if uvicorn changed shape (written against
    0.54): its own server then runs, ticking."""
    import asyncio
    import signal
    import time
    from email.utils import formatdate

    import uvicorn
    from uvicorn import server as uvicorn_server

    state_class = getattr(uvicorn_server, "ServerState", None)
    handled: tuple[int, ...] = getattr(uvicorn_server, "HANDLED_SIGNALS", ())
    if state_class is None or not handled or "default_headers" not in vars(state_class()) or not all(
            callable(getattr(uvicorn.Server, name, None)) for name in ("main_loop", "on_tick", "handle_exit")):
        return None

    class DatedState(state_class):  # type: ignore[valid-type, misc]
        """The state uvicorn's connections share; its default headers (Date) made when a request reads them."""

        def __init__(self, config: Any) -> None:
            self._config, self._second = config, -1
            self._headers: list[tuple[bytes, bytes]] = []
            super().__init__()

        @property
        def default_headers(self) -> list[tuple[bytes, bytes]]:
            second = int(time.time())
            if second != self._second:
                date = [(b"date", formatdate(second, usegmt=True).encode())] if self._config.date_header else []
                self._second, self._headers = second, date + self._config.encoded_headers
            return self._headers

        @default_headers.setter
        def default_headers(self, value: list[tuple[bytes, bytes]]) -> None:
            pass                    # on_tick's copy, made when it ran: this one is made when read

    class QuietServer(uvicorn.Server):
        def __init__(self, config: Any, *, on_stop: Callable[[], None] | None) -> None:
            super().__init__(config)
            self.server_state = DatedState(config)
            self._on_stop = on_stop
            self._loop: asyncio.AbstractEventLoop | None = None
            self._wake: asyncio.Event | None = None

        async def main_loop(self) -> None:
            if self.config.callback_notify is not None or self.config.limit_max_requests is not None:
                await super().main_loop()          # those need uvicorn's ticks
            else:
                self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
                routed = self._route_signals(self._loop)
                try:
                    while not await self.on_tick(0):
                        if routed:
                            await self._wake.wait()
                            self._wake.clear()
                        else:                       # no signal can wake the loop here: look every 0.1 s
                            await asyncio.sleep(0.1)
                finally:
                    for sig in routed:
                        self._loop.remove_signal_handler(sig)
                        signal.signal(sig, self.handle_exit)    # uvicorn's, for its shutdown (a 2nd Ctrl-C forces it)
            if self._on_stop is not None:
                self._on_stop()

        def handle_exit(self, sig: int, frame: Any) -> None:
            super().handle_exit(sig, frame)
            if self._loop is not None and self._wake is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self._wake.set)

        def _route_signals(self, loop: asyncio.AbstractEventLoop) -> list[int]:
            """uvicorn's signals handled through the loop's wake-up descriptor: the main thread, asleep in the
            loop, wakes whichever thread the signal reached. [] where that cannot be (Windows, a thread)."""
            routed: list[int] = []
            try:
                for sig in handled:
                    loop.add_signal_handler(sig, self.handle_exit, sig, None)
                    routed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                for sig in routed:
                    loop.remove_signal_handler(sig)
                    signal.signal(sig, self.handle_exit)
                return []
            return routed

    return QuietServer
