"""Watch mode's preview pages, under `/.preview/` (a hidden path no file of output/ can take).

`/.preview/` lists the articles; `/.preview/<slug>/` shows the article's email at 600 px and
375 px side by side with its plain-text twin, and links every format of the article that the
installed exporters declare (`Exporter.downloads`, as the pipeline collects them). The pages come
from the theme's `preview/` templates, through the theme chain, and are never written to output/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from publish.livereload import EMAIL_FRAME, PREFIX
from publish.model import EMPTY, Collection

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from publish.themes import ThemeChain

FOLDER = "preview"
STYLESHEET = "preview.css"
# How each declared kind of file is named on the page; a plugin's kinds show as they are declared.
LABELS = {"pdf": "PDF", "epub": "EPUB (the whole site's book)", "email": "Email (HTML)", "rss": "RSS feed",
          "atom": "Atom feed", "json-feed": "JSON Feed"}
TWINS = ((".txt", "Email (plain text)"), (".eml", "Email (.eml, ready to send)"))


@dataclass(frozen=True)
class Published:
    """What the last good build published: what the preview pages show."""

    output_dir: Path
    themes: ThemeChain
    collection: Collection
    downloads: Mapping[str, str] = field(default=EMPTY)     # kind -> path ({slug} still to fill)
    language: str = "en"
    title: str = ""
    base_url: str = ""                   # the site's address: the email's images are found under it


@dataclass(frozen=True)
class Link:
    label: str
    href: str


def links_of(published: Published, slug: str) -> list[Link]:
    """Every file of one article that exists: the declared kinds naming {slug} first (the email's
    plain-text and .eml twins after it), then the site-wide kinds that hold it (the book, the feeds)."""
    own: list[Link] = []
    shared: list[Link] = []
    for kind, pattern in sorted(published.downloads.items()):
        if "{" in pattern.replace("{slug}", ""):
            continue                      # a tag's or a digest's file: not this article's
        relative = pattern.replace("{slug}", slug)
        target = own if "{slug}" in pattern else shared
        if (published.output_dir / relative).is_file():
            target.append(Link(LABELS.get(kind, kind), "/" + quote(relative)))
        if kind == "email":
            for suffix, label in TWINS:
                twin = str(Path(relative).with_suffix(suffix))
                if (published.output_dir / twin).is_file():
                    target.append(Link(label, "/" + quote(twin)))
    return own + shared


def page(published: Published, slug: str | None) -> tuple[int, str]:
    """(status, HTML) of the list of previews (slug None) or of one article's preview."""
    if slug is None:
        articles = [{"href": f"{PREFIX}{quote(a.slug)}/", "title": a.title, "date": a.published.date().isoformat()}
                    for a in published.collection]
        return 200, _render(published, "index.html", page_title=f"Previews: {published.title}",
                            site_title=published.title, articles=articles)
    article = published.collection.get(slug)
    if article is None:
        return 404, _render(published, "index.html", page_title="No such article", site_title=published.title,
                            articles=[{"href": f"{PREFIX}{quote(a.slug)}/", "title": a.title,
                                       "date": a.published.date().isoformat()} for a in published.collection])
    links = links_of(published, slug)
    email_pattern = published.downloads.get("email", "")
    email = email_pattern.replace("{slug}", slug) if "{slug}" in email_pattern else ""
    text = None
    if email and (published.output_dir / email).is_file():
        twin = published.output_dir / Path(email).with_suffix(".txt")
        text = twin.read_text(encoding="utf-8", errors="replace") if twin.is_file() else None
    else:
        email = ""
    frame = f"{PREFIX}{quote(slug)}{EMAIL_FRAME}" if email else ""
    return 200, _render(published, "email.html", page_title=f"Preview: {article.title}", title=article.title,
                        links=links, email=frame, text=text)


def email_frame(published: Published, slug: str) -> tuple[int, str]:
    """The article's email as its preview shows it: its images, which the email links at the site's
    public address (not live yet, or a placeholder, while writing), loaded from this server."""
    from html import escape

    pattern = published.downloads.get("email", "")
    path = published.output_dir / pattern.replace("{slug}", slug) if "{slug}" in pattern else None
    if path is None or not path.is_file():
        return 404, "<!DOCTYPE html><title>Not found</title><p>No email for this article.</p>"
    html = path.read_text(encoding="utf-8", errors="replace")
    base = published.base_url.rstrip("/")
    if base:
        for form in dict.fromkeys((base, escape(base))):
            html = html.replace(f'src="{form}/', 'src="/')
    return 200, html


def _render(published: Published, template: str, **values: Any) -> str:
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup

    env = Environment(loader=published.themes.jinja_loader(FOLDER), autoescape=True, undefined=StrictUndefined)
    stylesheet = published.themes.find(f"{FOLDER}/{STYLESHEET}")
    css = stylesheet.read_text(encoding="utf-8") if stylesheet is not None else ""
    return env.get_template(template).render(lang=published.language or "en", css=Markup(css), **values)  # noqa: S704 - the theme's own CSS


class Previews:
    """The ASGI endpoint for PREFIX…; `published` is replaced after every good build."""

    def __init__(self) -> None:
        self.published: Published | None = None

    async def respond(self, request: Request) -> Response:
        from starlette.responses import HTMLResponse

        published = self.published
        if published is None:
            return HTMLResponse("<!DOCTYPE html><title>Building</title><p>The first build is still running.</p>",
                                status_code=503, headers={"cache-control": "no-store"})
        rest = request.path_params.get("rest", "").strip("/")
        if rest.endswith(EMAIL_FRAME) and "/" not in rest.removesuffix(EMAIL_FRAME):
            status, html = email_frame(published, rest.removesuffix(EMAIL_FRAME))
            return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})
        if "/" in rest:
            return HTMLResponse("<!DOCTYPE html><title>Not found</title><p>Not found.</p>", status_code=404)
        status, html = page(published, rest or None)
        return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})
