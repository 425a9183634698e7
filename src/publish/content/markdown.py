"""Markdown to HTML with Pandoc, once per article, cached by content.

Pandoc runs in `--sandbox` mode (it reads no file and reaches no network while converting) with
the Lua filter beside this module. The result is keyed by a digest of the Markdown, the Pandoc
version and the options, so an unchanged article never starts Pandoc again.
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
OPTIONS = ("--sandbox", "--mathml", "--wrap=none", f"--lua-filter={FILTER}")
# Pandoc's per-line anchors in highlighted code: empty links that readers and checkers dislike.
_CODE_LINE_ANCHOR = re.compile(r'<a href="#cb\d+-\d+" aria-hidden="true" tabindex="-1"></a>')


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    """The pypandoc-binary wheel's pandoc, so output does not depend on what else is installed."""
    import pypandoc

    bundled = Path(pypandoc.__file__).parent / "files" / ("pandoc.exe" if os.name == "nt" else "pandoc")
    if "PYPANDOC_PANDOC" not in os.environ and bundled.exists():
        os.environ["PYPANDOC_PANDOC"] = str(bundled)
    return os.environ.get("PYPANDOC_PANDOC") or pypandoc.get_pandoc_path()


@lru_cache(maxsize=1)
def pandoc_version() -> str:
    import pypandoc

    pandoc_path()
    return str(pypandoc.get_pandoc_version())


@lru_cache(maxsize=1)
def converter_digest() -> str:
    """Changes whenever a conversion would: Pandoc's version, options and filter."""
    h = hashlib.sha256()
    h.update(pandoc_version().encode())
    h.update(READER.encode() + repr(OPTIONS[:-1]).encode())
    h.update(FILTER.read_bytes())
    return h.hexdigest()


def cache_key(markdown: str) -> str:
    return hashlib.sha256(converter_digest().encode() + markdown.encode("utf-8")).hexdigest()


def to_html(markdown: str, *, source: Path, cache_dir: Path | None = None, write_cache: bool = True) -> str:
    """Pandoc's HTML for `markdown` (the body, without front matter)."""
    key = cache_key(markdown)
    cached = cache_dir / f"{key}.fragment" if cache_dir is not None else None
    if cached is not None:
        try:
            return cached.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            pass
    html = _run_pandoc(markdown, source)
    if cached is not None and write_cache:
        write_atomic(cached, html)
    return html


def _run_pandoc(markdown: str, source: Path) -> str:
    import pypandoc

    pandoc_path()
    try:
        html = pypandoc.convert_text(markdown, "html5", format=READER, extra_args=list(OPTIONS),
                                     verify_format=False, sandbox=False)
    except RuntimeError as exc:
        raise ContentError(f"Pandoc could not convert this article: {str(exc).strip()[:300]}",
                           path=source) from None
    return _CODE_LINE_ANCHOR.sub("", html)
