"""Precompressed twins of the text outputs: `rss.xml.br` and `rss.xml.gz` beside `rss.xml`.

Feed readers poll the same few files all day; compressing them once at build time, instead of on
every request, is what lets `publish serve` keep up with a crowd, and nginx (`gzip_static`,
`brotli_static`) or a static host can send the same twins. The task that writes a file writes its
twins right after it (so a twin is never older than its file), in the worker that rendered it.
Reproducible: gzip without a file name or time stamp, and the same bytes always give the same
twins. A file too small to gain anything (under MIN_SIZE) keeps no twins, and loses any it had.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from publish.paths import write_atomic

# What hosts compress: the feeds, the pages and emails' web and text forms, stylesheets, SVG.
SUFFIXES = frozenset({".xml", ".json", ".html", ".txt", ".css", ".svg", ".js"})
# In the order `publish serve` prefers them: Brotli is about a fifth smaller than gzip on feeds.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
MIN_SIZE = 512               # below this, headers outweigh the saving (nginx's gzip_min_length is 20)
# Quality 6: feeds come out about 10 % larger than at 11 (still half of gzip's size) for 1/50 of
# the CPU (on the 42-article benchmark corpus, 11 cost 9 s per cold build, a quarter of the build).
BROTLI_QUALITY = 6
GZIP_LEVEL = 9


def compressible(relative: str) -> bool:
    """Whether a file hosts would send compressed: a text type, not under a dot folder (`.publish/`
    holds publish's own records, never served)."""
    return Path(relative).suffix.lower() in SUFFIXES and not any(part.startswith(".")
                                                                  for part in relative.split("/")[:-1])


def twins(relative: str) -> tuple[str, ...]:
    """The names the twins of `relative` may have (recorded as the task's files, so pruning the file
    prunes them too)."""
    return tuple(relative + suffix for _, suffix in ENCODINGS) if compressible(relative) else ()


def without_twins(files: list[str]) -> list[str]:
    """`files` less the twins of files also in it."""
    listed = set(files)
    return [rel for rel in files
            if not any(rel.endswith(suffix) and rel[: -len(suffix)] in listed for _, suffix in ENCODINGS)]


def twin_files(relative: str, raw: bytes) -> dict[str, bytes]:
    """The twins of the file `relative` with the bytes `raw` (none for a small or binary file):
    made by the task that makes the file, so the CPU they cost is spent where the task runs."""
    if not compressible(relative) or len(raw) < MIN_SIZE:
        return {}
    return {relative + suffix: _compress(encoding, raw) for encoding, suffix in ENCODINGS}


def write_twins(target: Path, data: bytes | str) -> None:
    """Write (or remove) the twins of the file just written at `target` with `data`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    made = twin_files(target.name, raw)
    for _, suffix in ENCODINGS:
        twin = target.with_name(target.name + suffix)
        if twin.name in made:
            write_atomic(twin, made[twin.name])
        else:
            twin.unlink(missing_ok=True)


def twins_present(output_dir: Path, outputs: tuple[str, ...]) -> bool:
    """Whether every output that should have twins has them, none older than the file: a build made
    before twins existed, or a twin deleted by hand, makes the task run again."""
    for relative in outputs:
        if not compressible(relative):
            continue
        try:
            found = (output_dir / relative).stat()
            size, mtime = found.st_size, found.st_mtime_ns
            if size >= MIN_SIZE and any((output_dir / (relative + suffix)).stat().st_mtime_ns < mtime
                                        for _, suffix in ENCODINGS):
                return False
        except FileNotFoundError:
            return False
    return True


def _compress(encoding: str, raw: bytes) -> bytes:
    if encoding == "gzip":
        return gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0)
    import brotli

    return bytes(brotli.compress(raw, quality=BROTLI_QUALITY))
