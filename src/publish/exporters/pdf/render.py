"""WeasyPrint, set up once per process: fonts, the theme's parsed stylesheet and its templates.

`engine()` is called by the exporter's prepare() in the main process, so forked workers inherit
the imported library, the font configuration and the parsed CSS instead of redoing them.
Imports WeasyPrint: import this module only where a PDF is rendered.
"""

from __future__ import annotations

import logging
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publish.errors import ExportError
from publish.exporters.pdf.fetcher import ORIGIN, SYSTEM_FONT_FOLDERS, LocalFetcher, theme_url
from publish.exporters.pdf.fonts import missing_fonts_warning
from publish.exporters.pdf.html import TEMPLATE, PageSize, environment

if TYPE_CHECKING:
    from jinja2 import Environment

    from publish.themes import ThemeChain

FOLDER = "pdf"                # what the PDF reads of each theme of the chain
STYLESHEET = "style.css"      # the theme's entry point; it may @import more files of pdf/
VARIANT = "pdf/ua-1"          # tagged PDF: structure tree, /Lang, bookmarks, alt texts


@dataclass
class Engine:
    themes: ThemeChain         # its pdf/ folders serve the templates, stylesheets and fonts
    page: PageSize
    font_config: Any
    stylesheets: list[Any]
    env: Environment
    warnings: list[str]        # about the whole run (fonts this machine lacks), said once


_ENGINES: dict[tuple[ThemeChain, PageSize, str], Engine] = {}


def engine(themes: ThemeChain, page: PageSize, images_folder: Path) -> Engine:
    """The cached engine for a theme chain's pdf files and a page size (built on first use)."""
    key = (themes, page, themes.digest(FOLDER))
    if key not in _ENGINES:
        _ENGINES[key] = _build(themes, page, images_folder)
    return _ENGINES[key]


def _build(themes: ThemeChain, page: PageSize, images_folder: Path) -> Engine:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    _share_array_types()
    _deflate_at_level_6()

    path = themes.find(f"{FOLDER}/{STYLESHEET}")
    if path is None:
        raise ExportError(f"no theme of the chain has {FOLDER}/{STYLESHEET}", path=themes.site_theme,
                          hint="the bundled default theme has one: is the installation complete?")
    font_config = FontConfiguration()
    # Installed fonts are readable here only, for @font-face { src: local(…) }.
    fetcher = LocalFetcher(themes, images_folder, font_folders=SYSTEM_FONT_FOLDERS)
    with _Messages() as messages:
        theme = CSS(string=path.read_text(encoding="utf-8"), base_url=theme_url(STYLESHEET),
                    url_fetcher=fetcher, font_config=font_config)
        # The configured page size wins over the theme's; the variables let the theme size the cover.
        sized = CSS(string=f"@page {{ size: {page.css} }}\n"
                           f":root {{ --page-width: {page.width:g}mm; --page-height: {page.height:g}mm }}",
                    font_config=font_config)
    # A font that cannot be loaded (the emoji font, not installed) falls back to what fontconfig
    # has, like any missing family: a warning, never a reason to write no PDF.
    fonts = [line for line in messages.lines if line.startswith("Font-face ")]
    problems = [line for line in messages.lines if line not in fonts]
    if problems:
        raise ExportError("the theme's stylesheet has problems: " + "; ".join(problems), path=path)
    missing = missing_fonts_warning(path.read_text(encoding="utf-8"))
    warnings = [missing] if missing else [f"{line} (using the fonts fontconfig has instead)" for line in fonts]
    engine = Engine(themes, page, font_config, [theme, sized], environment(themes), warnings)
    engine.env.get_template(TEMPLATE)
    return engine


class _Wrapper:
    """A stand-in for a module or object a dependency uses, overriding one method."""

    def __init__(self, wrapped: Any) -> None:
        self._wrapped = wrapped

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


def _install(module: Any, attribute: str, wrapper: type[_Wrapper]) -> None:
    """Put `wrapper` around `module.attribute`, once; nothing if the dependency changed shape."""
    current = getattr(module, attribute, None)
    if current is not None and not isinstance(current, wrapper):
        setattr(module, attribute, wrapper(current))


_SIZED_ARRAY = re.compile(r"(\w+)\[(\d+)\]")


class _OpenArrays(_Wrapper):
    """cffi's FFI with `new("T[n]", items)` made as `new("T[]", items)`: the same array.

    WeasyPrint's font subsetting (weasyprint/pdf/fonts.py) asks for `hb_codepoint_t[<n>]` with n
    the glyph count of each subset. cffi parses every C type it has not seen with pycparser, about
    5 ms each, so a new glyph count cost 5 ms: about 20 ms of a 350 ms PDF. An open array sized by
    its items is parsed once. Anything else goes to the real FFI untouched."""

    def new(self, cdecl: Any, init: Any = None) -> Any:
        if init is not None and isinstance(cdecl, str):
            sized = _SIZED_ARRAY.fullmatch(cdecl)
            if sized and hasattr(init, "__len__") and len(init) == int(sized[2]):
                cdecl = sized[1] + "[]"
        return self._wrapped.new(cdecl, init)


class _Level6Zlib(_Wrapper):
    """The zlib module, but `compressobj()` at level 6 whatever level is asked for.

    pydyf (WeasyPrint's PDF writer) deflates every stream at level 9. On our PDFs, about 730 KiB
    of streams each, level 9 takes 26 ms a document and level 6 takes 12.5 ms for a file 1.3 %
    larger (158 against 160 KiB): level 9 was about 5 % of a PDF's time for nothing a reader sees."""

    LEVEL = 6

    def compressobj(self, level: int = -1, *args: Any, **kwargs: Any) -> Any:
        return self._wrapped.compressobj(self.LEVEL, *args, **kwargs)


def _share_array_types() -> None:
    from weasyprint.pdf import fonts

    _install(fonts, "ffi", _OpenArrays)


def _deflate_at_level_6() -> None:
    import pydyf

    _install(pydyf, "zlib", _Level6Zlib)


def warm_up(engine: Engine, language: str) -> None:
    """Render a scrap of text once, so lazily imported modules, the hyphenation dictionary and the
    main faces are loaded before workers fork instead of once in every worker."""
    html = (f'<html lang="{escape(language)}"><head><title>-</title></head><body><main class="article">'
            "<h2>Warm</h2><p>Warm up the <em>engine</em> <strong>once</strong> <code>x</code>"
            '<span class="footnote">a note</span></p><table><tr><th>a</th><td>b</td></tr></table>'
            '<p style="width: 1cm; hyphens: auto">hyphenation</p></main></body></html>')
    write_pdf(engine, html, LocalFetcher(engine.themes, engine.themes.site_theme), b"warm-up", 0)


def write_pdf(engine: Engine, html: str, fetcher: LocalFetcher, identifier: bytes,
              epoch: int, edit: Callable[[ET.Element], None] | None = None) -> tuple[bytes, list[str]]:
    """The PDF's bytes and what WeasyPrint complained about (missing or refused resources, bad CSS).

    `epoch` (seconds) stands in for the clock wherever a library would stamp the time. `edit` may
    change the parsed document (`HTML.etree_element`) before layout: WeasyPrint (through
    cssselect2's lazy wrappers) reads the tree only when rendering starts."""
    from weasyprint import HTML

    with _Messages() as messages, _source_date(epoch):
        parsed = HTML(string=html, base_url=ORIGIN, url_fetcher=fetcher)
        if edit is not None:
            edit(parsed.etree_element)
        document = parsed.render(
            font_config=engine.font_config, stylesheets=engine.stylesheets, pdf_variant=VARIANT)
        # Attachments would embed any file the fetcher serves, stamped with the clock.
        document.metadata.attachments = []
        fetcher.seal()
        data = document.write_pdf(pdf_identifier=identifier, pdf_variant=VARIANT)
    return data, messages.lines


@contextmanager
def _source_date(epoch: int) -> Iterator[None]:
    """fontTools stamps re-saved fonts (the emoji font) with the time unless SOURCE_DATE_EPOCH is set."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


class _Messages(logging.Handler):
    """Collects WeasyPrint's warnings and errors for the run's summary."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = " ".join(record.getMessage().split())
        if line not in self.lines:
            self.lines.append(line)

    def __enter__(self) -> _Messages:
        logging.getLogger("weasyprint").addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("weasyprint").removeHandler(self)
