"""The downloads other formats link to (feeds and emails): the PDF of an article and the site's
EPUB, where their exporters put them, and only when those exporters are installed (`publish all`
then writes them)."""

from __future__ import annotations

from publish.config import Config


def available(config: Config) -> dict[str, str]:
    """{"pdf": "pdf/{slug}.pdf", "epub": "epub/<site>.epub"} for the installed exporters."""
    from publish import registry
    from publish.exporters.epub import site_book
    from publish.exporters.pdf import pdf_path

    found = registry.discover()
    paths = {"pdf": pdf_path("{slug}"), "epub": site_book(config)}
    return {kind: path for kind, path in paths.items() if kind in found and found[kind].exporter is not None}
