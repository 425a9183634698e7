"""WeasyPrint, set up once per process: its patches, fonts, the theme's parsed stylesheet and templates.

`engine()` is called by the exporter's prepare() in the main process, so forked workers inherit
the imported library, the font configuration and the parsed CSS instead of redoing them.
Imports WeasyPrint: import this module only where a PDF is rendered.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publish.errors import ExportError
from publish.exporters.pdf.fetcher import ORIGIN, SYSTEM_FONT_FOLDERS, LocalFetcher, theme_url
from publish.exporters.pdf.fonts import missing_fonts_warning
from publish.exporters.pdf.html import TEMPLATE, PageSize, environment
from publish.patches import apply_all
from publish.patches.fonttools import source_date

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
    warmed: bool = False       # warm_up() ran in this process (or the one it was forked from)


_ENGINES: dict[tuple[ThemeChain, PageSize, str], Engine] = {}


def engine(themes: ThemeChain, page: PageSize, images_folder: Path) -> Engine:
    """The cached engine for a theme chain's pdf files and a page size (built on first use)."""
    key = (themes, page, themes.digest(FOLDER))
    if key not in _ENGINES:
        _ENGINES[key] = _build(themes, page, images_folder)
    apply_all()          # WeasyPrint is loaded: patch it (and pydyf, Pillow); idempotent and cheap
    return _ENGINES[key]


def _build(themes: ThemeChain, page: PageSize, images_folder: Path) -> Engine:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

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


def warm_up(engine: Engine, language: str) -> None:
    """Render a scrap of text once, so lazily imported modules, the hyphenation dictionary and the
    main faces are loaded before workers fork instead of once in every worker. Once per engine."""
    if engine.warmed:
        return
    engine.warmed = True
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

    with _Messages() as messages, source_date(epoch):
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
