"""Markdown to HTML with Pandoc, once per article, cached by content.

Articles are converted in batches: one `pandoc lua batch.lua` process reads many articles and
converts each separately (starting Pandoc costs more than converting a post), in a sandbox where
no file can be read, with the Lua filter beside this module. Each result is cached under a digest
of the Markdown, the Pandoc version and the conversion scripts, so an unchanged article never
starts Pandoc again. pypandoc (with the pypandoc-binary wheel) provides the Pandoc binary.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path

from publish.errors import ContentError
from publish.paths import write_atomic

READER = "commonmark_x+autolink_bare_uris+tex_math_gfm-yaml_metadata_block"
FILTER = Path(__file__).with_name("publish.lua")
BATCH = Path(__file__).with_name("batch.lua")
# Pandoc's per-line anchors in highlighted code: empty links that readers and checkers dislike.
_CODE_LINE_ANCHOR = re.compile(r'<a href="#cb\d+-\d+" aria-hidden="true" tabindex="-1"></a>')


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    """The pypandoc-binary wheel's pandoc, so output does not depend on what else is installed."""
    from importlib.util import find_spec

    # Found without importing pypandoc (about 0.1 s, with urllib and ssl): a no-op run never needs it.
    spec = find_spec("pypandoc")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    name = "pandoc.exe" if os.name == "nt" else "pandoc"
    bundled = next((Path(f) / "files" / name for f in folders if (Path(f) / "files" / name).exists()), None)
    if "PYPANDOC_PANDOC" not in os.environ and bundled is not None:
        os.environ["PYPANDOC_PANDOC"] = str(bundled)
    if os.environ.get("PYPANDOC_PANDOC"):
        return os.environ["PYPANDOC_PANDOC"]
    import pypandoc

    return str(pypandoc.get_pandoc_path())


@lru_cache(maxsize=1)
def pandoc_version() -> str:
    """Pandoc's version ("3.9"), read the way pypandoc reads it, from `pandoc --version`."""
    import subprocess

    done = subprocess.run([pandoc_path(), "--version"], capture_output=True, check=False)
    first = done.stdout.decode(errors="replace").splitlines()[:1]
    found = [word for line in first for word in line.split() if re.match(r"^\d+(\.\d+){1,}$", word)]
    if done.returncode != 0 or not found:
        raise ContentError(f"cannot run Pandoc to learn its version: {done.stderr.decode(errors='replace')[:200]}")
    return found[0]


@lru_cache(maxsize=1)
def converter_digest() -> str:
    """Changes whenever a conversion would: Pandoc's version, options and filter."""
    h = hashlib.sha256()
    h.update(pandoc_version().encode())
    h.update(READER.encode())
    h.update(FILTER.read_bytes())
    h.update(BATCH.read_bytes())
    return h.hexdigest()


def cache_key(markdown: str) -> str:
    return hashlib.sha256(converter_digest().encode() + markdown.encode("utf-8")).hexdigest()


def convert_many(markdowns: dict[str, str], *, sources: dict[str, Path], jobs: int = 1,
                 cache_dir: Path | None = None, write_cache: bool = True) -> dict[str, str | ContentError]:
    """Pandoc's HTML for each Markdown body (by key), from the cache or from batches run in parallel.
    `markdowns` is every article of the site: with `write_cache`, fragments none of them uses are removed."""
    results: dict[str, str | ContentError] = {}
    todo: dict[str, str] = {}
    for key, text in markdowns.items():
        cached = _cached(cache_dir, text)
        if cached is None:
            todo[key] = text
        else:
            results[key] = cached
    if cache_dir is not None and write_cache:
        _prune(cache_dir, {cache_key(text) for text in markdowns.values()})
    if not todo:
        return results
    keys = sorted(todo, key=lambda k: -len(todo[k]))           # longest first, dealt round-robin
    chunks = [keys[i::max(1, jobs)] for i in range(max(1, jobs))]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        for chunk, converted in zip(chunks, pool.map(lambda c: _run_batch([todo[k] for k in c]), chunks),
                                    strict=True):
            for key, outcome in zip(chunk, converted, strict=True):
                if isinstance(outcome, str):
                    html = _CODE_LINE_ANCHOR.sub("", outcome)
                    results[key] = html
                    if cache_dir is not None and write_cache:
                        write_atomic(cache_dir / f"{cache_key(todo[key])}.fragment", html)
                else:
                    results[key] = ContentError(f"Pandoc could not convert this article: {outcome[:300]}",
                                                path=sources.get(key))
    return results


def _prune(cache_dir: Path, used: set[str]) -> None:
    """Remove the fragments of Markdown no article holds any more (edited, renamed or deleted)."""
    if not cache_dir.is_dir():
        return
    for path in cache_dir.glob("*.fragment"):
        if path.stem not in used:
            path.unlink(missing_ok=True)


def _cached(cache_dir: Path | None, markdown: str) -> str | None:
    if cache_dir is None:
        return None
    try:
        return (cache_dir / f"{cache_key(markdown)}.fragment").read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return None


def _run_batch(texts: list[str]) -> list[str | tuple[str]]:
    """One Pandoc process for `texts`: HTML strings, or (error message,) tuples."""
    import json
    import subprocess

    if not texts:
        return []
    from publish.content import pandoc_server

    command = [pandoc_path(), "lua", str(BATCH), str(FILTER)]
    served = pandoc_server.run(command, texts)        # a process kept alive by `publish serve --watch`
    if served is not None:
        return served
    done = subprocess.run(command, input=json.dumps(texts),
                          capture_output=True, text=True, encoding="utf-8", check=False)
    if done.returncode != 0:
        if len(texts) == 1:
            return [(done.stderr.strip() or f"pandoc exited with {done.returncode}",)]
        middle = len(texts) // 2                       # isolate the article that breaks the batch
        return _run_batch(texts[:middle]) + _run_batch(texts[middle:])
    results = json.loads(done.stdout)
    return [r["html"] if "html" in r else (str(r.get("error", "unknown error")),) for r in results]
