"""PDF per article: a full-bleed cover from the SEO image, then the article typeset for print.

One task per article, written to `pdf/<slug>.pdf`. The document is the theme's `pdf/document.html`
and `pdf/style.css`; WeasyPrint renders it as a tagged PDF (PDF/UA-1) and reads nothing but what
`pdf_fetcher.LocalFetcher` serves. Same input, same bytes: dates come from the article, the PDF
identifier from the task's digest, resource URLs name no local folder.
"""

from __future__ import annotations

import difflib
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from publish.config import PdfSettings
from publish.errors import ConfigError, ExportError
from publish.exporters.base import BuildContext, Exporter, Notice, Options, Task
from publish.model import Article, Collection, FrozenDict, Image

FEW = 4                                  # PDFs due: up to this many, prepare() renders no warm-up page


@dataclass(frozen=True)
class PdfOptions(Options):
    slugs: tuple[str, ...] = ()          # `publish pdf SLUG…`; none: every article


Context = BuildContext[PdfSettings, PdfOptions]


class PdfExporter(Exporter[PdfSettings, PdfOptions]):
    name: ClassVar[str] = "pdf"
    description: ClassVar[str] = "PDF per article with a styled cover (WeasyPrint), in pdf/<slug>.pdf"
    version: ClassVar[str] = "1"
    theme_folder: ClassVar[str | None] = "pdf"
    downloads: ClassVar[Mapping[str, str]] = FrozenDict({"pdf": "pdf/{slug}.pdf"})
    settings: ClassVar[type[Any] | None] = PdfSettings
    options: ClassVar[type[Options]] = PdfOptions
    imports: ClassVar[tuple[str, ...]] = ("publish.exporters.pdf.render", "publish.exporters.pdf.math",
                                          "publish.exporters.pdf.html", "publish.exporters.pdf.body")

    def plan(self, ctx: Context) -> list[Task]:
        from publish.exporters.pdf.html import page_size

        page_size(ctx.settings.page_size)          # a bad size is a usage error, before any work
        slugs = ctx.options.slugs
        return [self.task(ctx, f"pdf/{article.slug}", [output_of(article)], [article],
                          label=output_of(article), cost=50 + 0.4 * article.word_count,
                          slug=article.slug)
                for article in select(ctx.collection, slugs)]

    @classmethod
    def preload(cls) -> None:
        """Also the math font (a cluster worker loads it as it joins; prepare() only when many PDFs are due)."""
        super().preload()
        from publish.exporters.pdf import math as pdf_math

        pdf_math.warm_up()

    def prepare(self, ctx: Context) -> list[Notice]:
        from publish.exporters.pdf import math as pdf_math
        from publish.exporters.pdf import render as pdf_render

        engine = _engine(ctx)
        if ctx.due is None or ctx.due > FEW:
            # Loaded once here, inherited by every forked worker. For a few PDFs it would only delay
            # them: each worker loads what its first PDF needs anyway, while the other tasks run.
            pdf_render.warm_up(engine, ctx.site.language or "en")
            pdf_math.warm_up()
        return [Notice(warning) for warning in engine.warnings]

    def render(self, ctx: Context, task: Task) -> list[Notice]:
        from publish.exporters.pdf.body import Body, marked, prepare_body
        from publish.exporters.pdf.fetcher import LocalFetcher, generated_url, image_url
        from publish.exporters.pdf.fonts import without_glyph_lines
        from publish.exporters.pdf.html import cover_of, document_html
        from publish.exporters.pdf.render import write_pdf

        article = ctx.collection.get(str(task.params["slug"]))
        if article is None:
            raise ExportError(f"article {task.params['slug']!r} is no longer in the collection")
        engine = _engine(ctx)
        fetcher = LocalFetcher(engine.themes, lambda name: ctx.shared("images/" + name))

        def image_source(image: Image, max_width: int) -> tuple[str, int, int]:
            if image.format == "SVG":
                return fetcher.vector(image, max_width)
            relative, width, height = ctx.web_image(image, max_width)
            return image_url(relative), width, height

        cover, warnings = cover_of(article, engine.page, image_source)
        html = document_html(engine.env, article=article, site=ctx.site, body_html=marked(article.body_html),
                             cover=cover, page=engine.page, justify=ctx.settings.justify)
        body = Body()

        def edit(document: ET.Element) -> None:
            nonlocal body
            body = prepare_body(document, article, image_source, generated_url)
            fetcher.generated.update(body.generated)        # the typeset math, served to WeasyPrint

        identifier = hashlib.sha256(task.digest.encode()).hexdigest()[:32].encode()
        data, messages = write_pdf(engine, html, fetcher, identifier, int(article.modified.timestamp()), edit)
        ctx.write(task.outputs[0], data)
        messages = without_glyph_lines(messages, fonts_missing=bool(engine.warnings))
        said = warnings + body.warnings + [f"WeasyPrint: {line}" for line in messages]
        return [Notice(message, article.source) for message in said]


def output_of(article: Article) -> str:
    return pdf_path(article.slug)


def pdf_path(slug: str) -> str:
    """Where an article's PDF is written (feeds and emails link to it)."""
    return PdfExporter.downloads["pdf"].format(slug=slug)


def select(collection: Collection, slugs: Iterable[str]) -> list[Article]:
    """The named articles (every article for none); ConfigError naming close matches otherwise."""
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        return list(collection.articles)
    known = [article.slug for article in collection.articles]
    missing = [slug for slug in wanted if collection.get(slug) is None]
    if missing:
        raise ConfigError("; ".join(_unknown(slug, known) for slug in missing),
                          hint="`publish list` shows every slug; drafts and future articles need --drafts/--future")
    return [article for slug in wanted if (article := collection.get(slug)) is not None]


def _unknown(slug: str, known: list[str]) -> str:
    close = difflib.get_close_matches(slug, known, n=3, cutoff=0.5)
    if close:
        return f"no article with the slug {slug!r} (did you mean {' or '.join(repr(c) for c in close)}?)"
    return f"no article with the slug {slug!r}"


def _engine(ctx: Context):  # type: ignore[no-untyped-def]
    from publish.exporters.pdf.html import page_size
    from publish.exporters.pdf.render import engine

    return engine(ctx.themes, page_size(ctx.settings.page_size), ctx.output_dir / "images")
