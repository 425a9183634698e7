"""The hot path of `publish serve`: feed polls answered from a stat and memory.

A feed reader asks for the same few files all day, mostly with `If-None-Match`. For a published
file with a precompressed twin (precompress.py) in an encoding the client accepts, this layer
answers before Starlette's routing and static-file machinery run: a `304` when the client's ETag
matches (the file is never opened), else the twin's bytes as they are (nothing is compressed per
request). Everything else (no twin, ranges, hidden or preview paths, symlinks, the landing page
fallback, 404s) goes on to the full application in serve.py, which applies the same rules.

Validators: an encoded body carries the weak form of the file's ETag (`W/"<digest>"`), as nginx
does for gzip: the same content in another encoding, so a client holding either form gets its
`304`, and `Vary: Accept-Encoding` keeps caches from mixing the bodies.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from publish.precompress import ENCODINGS

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

BODY_CACHE_LIMIT = 1 << 20          # twins up to 1 MiB stay in memory (feeds are far smaller)


class Twin(NamedTuple):
    encoding: str
    path: str
    size: int
    mtime_ns: int


class Entry(NamedTuple):
    """What the hot path needs about one file in one state (keyed by its stat)."""

    relative: str
    digest: str
    media_type: str
    last_modified: str
    twins: tuple[Twin, ...]             # fresh twins only, in the order of preference


class FastFiles:
    """ASGI middleware: conditional and compressed GETs of published files with twins."""

    def __init__(self, app: ASGIApp, root: Path, *, hidden: Callable[[], frozenset[str]],
                 digest: Callable[[str, int, int, int], str], media_type: Callable[[Path], str],
                 cache_control: Callable[[str], str]) -> None:
        self.app, self.root = app, root
        self.real_root = os.path.realpath(root)
        self.hidden, self.digest, self.media_type, self.cache_control = hidden, digest, media_type, cache_control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        answer = self._answer(scope)
        if answer is None:
            await self.app(scope, receive, send)
            return
        status, headers, body = answer
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    def _answer(self, scope: Scope) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        request = _headers(scope)
        accepted = _accepted(request.get(b"accept-encoding", b""))
        if not accepted or b"range" in request:
            return None
        relative = "index.html" if scope["path"] == "/" else _relative(scope["path"])
        if relative is None or relative in self.hidden():
            return None
        entry = self._entry(relative)
        if entry is None:
            return None
        twin = next((t for t in entry.twins if t.encoding in accepted), None)
        if twin is None:
            return None
        etag = f'W/"{entry.digest}"'
        headers = [(b"etag", etag.encode()), (b"last-modified", entry.last_modified.encode()),
                   (b"cache-control", self.cache_control(relative).encode()), (b"vary", b"Accept-Encoding"),
                   (b"x-content-type-options", b"nosniff"), (b"access-control-allow-origin", b"*")]
        if _not_modified(request, etag, entry.last_modified):
            return 304, headers, b""
        try:
            body = _body(twin.path, twin.size, twin.mtime_ns)
        except OSError:                 # replaced since the stat: let the full application answer
            return None
        headers += [(b"content-type", entry.media_type.encode()), (b"content-encoding", twin.encoding.encode()),
                    (b"content-length", str(len(body)).encode())]
        return 200, headers, body

    def _entry(self, relative: str) -> Entry | None:
        path = os.path.join(self.root, relative)
        try:
            st = os.stat(path, follow_symlinks=False)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None                 # folders, and symlinks (the full application decides on those)
        return _entry(self, relative, path, st.st_mtime_ns, st.st_size, st.st_ino)


@lru_cache(maxsize=4096)
def _entry(files: FastFiles, relative: str, path: str, mtime_ns: int, size: int, inode: int) -> Entry | None:
    """Computed once per file and state: a rebuild gives the file a new stat, hence a new entry."""
    if not os.path.realpath(path).startswith(files.real_root + os.sep):
        return None                     # through a symlinked folder: not ours to serve here
    found = []
    for encoding, suffix in ENCODINGS:
        try:
            twin = os.stat(path + suffix, follow_symlinks=False)
        except OSError:
            continue
        # A twin older than its file was not written with it (an interrupted build): never send it.
        if stat.S_ISREG(twin.st_mode) and twin.st_mtime_ns >= mtime_ns:
            found.append(Twin(encoding, path + suffix, twin.st_size, twin.st_mtime_ns))
    if not found:
        return None
    return Entry(relative, files.digest(path, mtime_ns, size, inode), files.media_type(Path(path)),
                 formatdate(mtime_ns / 1e9, usegmt=True), tuple(found))


@lru_cache(maxsize=256)
def _cached_body(path: str, size: int, mtime_ns: int) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _body(path: str, size: int, mtime_ns: int) -> bytes:
    if size > BODY_CACHE_LIMIT:
        with open(path, "rb") as handle:
            return handle.read()
    return _cached_body(path, size, mtime_ns)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope["headers"]}


@lru_cache(maxsize=256)
def _accepted(header: bytes) -> frozenset[str]:
    """The twin encodings the client accepts (`br;q=0` refuses Brotli)."""
    found = set()
    for item in header.decode("latin-1").split(","):
        name, _, params = item.strip().partition(";")
        q = params.strip()
        if q.startswith("q=") and _q(q[2:]) == 0:
            continue
        found.add(name.strip().lower())
    return frozenset(encoding for encoding, _ in ENCODINGS if encoding in found)


def _q(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 1.0


@lru_cache(maxsize=4096)
def _relative(url_path: str) -> str | None:
    """The output-relative path a request names, or None when only the full application may answer
    it: folders, and any hidden or climbing part. (`/` is the landing page, index.html, when it is
    published; otherwise the full application's fallback page.)"""
    parts = url_path.split("/")[1:]
    if not parts or not parts[-1] or any(not p or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        return None
    return "/".join(parts)


def _not_modified(request: dict[bytes, bytes], etag: str, last_modified: str) -> bool:
    condition = request.get(b"if-none-match")
    if condition is not None:
        tags = {t.strip().removeprefix("W/") for t in condition.decode("latin-1").split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = request.get(b"if-modified-since")
    if since is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since.decode("latin-1"))
    except (TypeError, ValueError):
        return False
