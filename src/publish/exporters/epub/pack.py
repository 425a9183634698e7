"""A deterministic EPUB archive: the same files always give the same bytes.

EbookLib writes zip entries with the wall-clock time and in the order items were added. The OCF
container rules also want `mimetype` first and stored uncompressed. So the archive EbookLib
writes is read back and written again: `mimetype` first and STORED, then META-INF, the package
file and every other entry in sorted order, all with one fixed timestamp and fixed attributes.
Text is deflated; images and fonts, already compressed, are stored.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import datetime

MIMETYPE = b"application/epub+zip"
# Already compressed: deflating them again costs time and saves nothing, so they are stored.
STORED_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".woff", ".woff2", ".mp3", ".mp4", ".m4a")
EPOCH = (1980, 1, 1, 0, 0, 0)                 # the earliest time a zip entry can carry

Transform = Callable[[str, bytes], bytes]     # (entry name, data) -> new data


def repack(archive: bytes, *, timestamp: datetime | None = None, transform: Transform | None = None) -> bytes:
    """The archive's entries re-written in a stable order with a fixed time; `transform` may
    change an entry's bytes (for example to patch the package file)."""
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist() if not info.is_dir()}
    entries.pop("mimetype", None)
    return pack(entries, timestamp=timestamp, transform=transform)


def pack(entries: dict[str, bytes], *, timestamp: datetime | None = None,
         transform: Transform | None = None) -> bytes:
    """Write `entries` (name -> bytes, without `mimetype`) as an EPUB archive."""
    when = _zip_time(timestamp)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr(_info("mimetype", when, zipfile.ZIP_STORED), MIMETYPE)
        for name in sorted(entries, key=_order):
            data = entries[name]
            if transform is not None:
                data = transform(name, data)
            method = zipfile.ZIP_STORED if name.lower().endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
            target.writestr(_info(name, when, method), data)
    return out.getvalue()


def _order(name: str) -> tuple[int, str]:
    """META-INF first, then the package file, then everything else by name."""
    if name.startswith("META-INF/"):
        return (0, name)
    if name.endswith(".opf"):
        return (1, name)
    return (2, name)


def _info(name: str, when: tuple[int, int, int, int, int, int], compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = compression
    info.create_system = 3                    # Unix, so the permissions below mean the same everywhere
    info.external_attr = 0o100644 << 16       # a regular file, rw-r--r--
    return info


def _zip_time(timestamp: datetime | None) -> tuple[int, int, int, int, int, int]:
    if timestamp is None or timestamp.year < 1980:
        return EPOCH
    # Zip times have two-second resolution and no zone: use the UTC wall time, seconds rounded down.
    t = timestamp.utctimetuple() if timestamp.tzinfo else timestamp.timetuple()
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec - t.tm_sec % 2)
