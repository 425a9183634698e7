"""Newsletter-ready email: `email/<slug>.{html,txt,eml}` per article and a digest of the latest ones.

One task per article email and one for the digest. The HTML comes from the theme's `email/`
templates with every style inlined (email_html), the body reshaped for mail clients
(email_body), a plain-text twin (email_text) and a multipart/alternative .eml (email_mime).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any, ClassVar
from urllib.parse import urlsplit

from publish.config import EmailSettings
from publish.errors import ConfigError, ExportError
from publish.exporters.base import BuildContext, Exporter, Notice, Options, Task
from publish.exporters.email.body import email_blocks
from publish.exporters.email.html import EmailTheme, theme_for
from publish.exporters.email.mime import Envelope, build_message, message_id
from publish.exporters.email.text import PlainText
from publish.i18n import direction, labels_for, long_date
from publish.model import Article, FrozenDict, Image
from publish.web import web_tree

HERO_WIDTH = 600                # the email's column
COLUMN_WIDTH = 520              # inside the card's 40 px side padding (email.css .pad)
IMAGE_SOURCE_WIDTH = 1200       # hosted copies at 2x for sharp images on high-density screens
DIGEST_IMAGE_HEIGHT = 320       # a portrait cover at full column width would fill the screen


@dataclass(frozen=True)
class Sender:
    name: str
    address: str

    @property
    def header(self) -> Address:
        local, _, domain = self.address.partition("@")
        return Address(display_name=self.name, username=local, domain=domain)


@dataclass(frozen=True)
class EmailOptions(Options):
    slugs: tuple[str, ...] = ()          # `publish email SLUG…`
    digest: bool = False                 # `--digest`
    per_article: bool = False            # an email per article (every one when no slugs are named)
    since: datetime | None = None        # `--since`: the digest's first day
    limit: int | None = None             # `--limit`: the digest's most articles


Context = BuildContext[EmailSettings, EmailOptions]


class EmailExporter(Exporter[EmailSettings, EmailOptions]):
    name = "email"
    description = "Newsletter-ready HTML email, plain text and .eml, per article and as a digest"
    version = "1"
    theme_folder = "email"
    # The web version of each email, and of the digest ({newest}: the newest article's date, 2025-04-22).
    downloads = FrozenDict({"email": "email/{slug}.html", "digest": "email/digest-{newest}.html"})
    settings: ClassVar[type[Any] | None] = EmailSettings
    options: ClassVar[type[Options]] = EmailOptions
    imports = ("publish.exporters.email.html",)

    # Planning ----------------------------------------------------------------------------------
    def plan(self, ctx: Context) -> list[Task]:
        options = ctx.options
        everything = options.everything()           # `publish all`: every article and the default digest
        slugs = tuple(dict.fromkeys(options.slugs))
        articles = [self._article(ctx, slug) for slug in slugs]
        if everything or (options.per_article and not slugs):
            articles = list(ctx.collection)
        downloads = tuple(ctx.downloads)
        tasks = [self.task(ctx, f"email/{a.slug}", _outputs(a.slug), [a], label=f"email {a.slug}", cost=15,
                           kind="article", slug=a.slug, downloads=downloads) for a in articles]
        if everything or options.digest:
            tasks.extend(self._digest_task(ctx, options, downloads, required=not everything))
        return tasks

    def _article(self, ctx: Context, slug: str) -> Article:
        article = ctx.collection.get(slug)
        if article is None:
            known = [a.slug for a in ctx.collection]
            close = difflib.get_close_matches(slug, known, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}?" if close else "`publish list` shows every slug"
            raise ConfigError(f"no published article with the slug {slug!r}", field="email",
                              hint=f"{hint}; drafts and future articles need --drafts / --future")
        return article

    def _digest_task(self, ctx: Context, options: EmailOptions, downloads: tuple[str, ...],
                     *, required: bool) -> list[Task]:
        since = options.since
        limit = options.limit or ctx.settings.digest_limit
        articles = digest_articles(list(ctx.collection), since, limit, ctx.settings.digest_days)
        if not articles:
            if not required:
                return []
            when = f" since {since.date().isoformat()}" if since else ""
            raise ConfigError(f"no published article{when} for the digest", field="--since",
                              hint="`publish list` shows the articles and their dates")
        name = digest_name(articles[0].published, since, options.limit)
        stem = f"email/{name}"
        key = "email/digest" if since is None and not options.limit else stem   # the default one
        return [self.task(ctx, key, _outputs(name), articles,
                          label=stem.removeprefix("email/"), cost=50 + 10 * len(articles), kind="digest", stem=stem,
                          slugs=tuple(a.slug for a in articles), downloads=downloads)]

    def prepare(self, ctx: Context) -> None:
        self.preload()
        theme_for(ctx.themes)

    # Rendering ---------------------------------------------------------------------------------
    def render(self, ctx: Context, task: Task) -> list[Notice]:
        theme = theme_for(ctx.themes)
        if task.params["kind"] == "digest":
            return self._render_digest(ctx, task, theme)
        return self._render_article(ctx, task, theme)

    def _render_article(self, ctx: Context, task: Task, theme: EmailTheme) -> list[Notice]:
        article = ctx.collection.get(task.params["slug"])
        if article is None:
            raise ExportError(f"the article {task.params['slug']!r} is no longer in the collection")
        site, sender = ctx.site, sender_of(ctx)
        hero = _picture(ctx, article.cover, article.title, HERO_WIDTH)
        blocks = email_blocks(web_tree(article, ctx.image_url, max_image_width=IMAGE_SOURCE_WIDTH),
                              column_width=COLUMN_WIDTH, hero_url=hero["url"] if hero else None)
        downloads = _download_links(ctx, article.slug, task.params["downloads"])
        context = {**_frame(ctx, sender, article.language, article.title, article.excerpt),
                   "hero": hero, "title": article.title,
                   "date": long_date(article.published, article.language or ctx.site.language),
                   "reading_minutes": article.reading_minutes, "tags": [t.name for t in article.tags],
                   "article_url": article.url, "downloads": downloads,
                   "authors": [a.name for a in article.authors]}
        budget = ctx.settings.max_kb * 1000
        fitted = theme.fit("article.html", context, blocks, budget, article.url)
        warnings = []
        if fitted.cut:
            warnings.append(Notice(f"the article is too long for one email ({ctx.settings.max_kb} KB budget, "
                                   f"email.max_kb): email/{article.slug}.html was cut after {fitted.kept} of "
                                   f"{fitted.total} blocks with a 'Continue reading' link to {article.url}",
                                   article.source))

        text = PlainText()
        text.heading(article.title, 1)
        text.paragraph(" · ".join(filter(None, [long_date(article.published, article.language or site.language),
                                                ", ".join(a.name for a in article.authors),
                                                ", ".join(t.name for t in article.tags)])))
        text.line(f"Read online: {article.url}")
        text.blocks(list(blocks[:fitted.kept]))
        if fitted.cut:
            text.rule()
            text.paragraph("This email holds the first part of the article only.")
            text.line(f"Continue reading: {article.url}")
        text.rule()
        for link in downloads:
            text.line(f"{link['label']}: {link['url']}")
        _text_footer(text, ctx, sender)

        envelope = Envelope(subject=article.title, sender=sender.header, date=article.published,
                            message_id=message_id(site.base_url, article.slug, _domain(site.base_url)),
                            language=article.language or site.language, unsubscribe=_unsubscribe_uris(ctx, sender))
        self._write(ctx, f"email/{article.slug}", fitted.html, text.finish(), envelope)
        return warnings

    def _render_digest(self, ctx: Context, task: Task, theme: EmailTheme) -> list[Notice]:
        site, sender = ctx.site, sender_of(ctx)
        articles = [a for a in (ctx.collection.get(s) for s in task.params["slugs"]) if a is not None]
        if not articles:
            raise ExportError("the digest's articles are no longer in the collection")
        newest = articles[0]
        subject = f"{site.title}: {newest.title}" + (f" and {len(articles) - 1} more" if len(articles) > 1 else "")
        entries: list[dict[str, Any]] = [
            {"title": a.title, "url": a.url, "date": long_date(a.published, site.language), "excerpt": a.excerpt,
             "tags": [t.name for t in a.tags], "reading_minutes": a.reading_minutes,
             "image": _picture(ctx, a.cover, a.title, COLUMN_WIDTH, DIGEST_IMAGE_HEIGHT)} for a in articles]
        downloads = [d for d in _download_links(ctx, "", task.params["downloads"]) if d["kind"] == "epub"]
        count = f"{len(articles)} new article{'s' if len(articles) > 1 else ''}"
        preheader = " · ".join(a.title for a in articles)
        heading, intro = f"The latest from {site.title}", f"{count}. {site.description}".strip()
        context = {**_frame(ctx, sender, site.language, subject, preheader), "title": heading,
                   "date": long_date(newest.published, site.language), "intro": intro, "entries": entries,
                   "downloads": downloads}
        html = theme.render("digest.html", context)
        warnings = []
        if len(html.encode("utf-8")) > ctx.settings.max_kb * 1000:
            warnings.append(Notice(f"{task.params['stem']}.html is over the {ctx.settings.max_kb} KB budget: "
                                   "lower email.digest_limit or pass --limit"))

        text = PlainText()
        text.heading(heading, 1)
        text.paragraph(intro)
        for entry in entries:
            text.rule()
            text.heading(entry["title"], 2)
            text.paragraph(" · ".join(filter(None, [entry["date"], ", ".join(entry["tags"])])))
            if entry["excerpt"]:
                text.paragraph(entry["excerpt"])
            text.line(f"Read: {entry['url']}")
        text.rule()
        text.line(f"{site.title}: {site.url('/')}")
        for link in downloads:
            text.line(f"{link['label']}: {link['url']}")
        _text_footer(text, ctx, sender)

        key = task.params["stem"].removeprefix("email/")
        envelope = Envelope(subject=subject, sender=sender.header, date=newest.published,
                            message_id=message_id(site.base_url, key, _domain(site.base_url)),
                            language=site.language, unsubscribe=_unsubscribe_uris(ctx, sender))
        self._write(ctx, task.params["stem"], html, text.finish(), envelope)
        return warnings

    def _write(self, ctx: Context, stem: str, html: str, text: str, envelope: Envelope) -> None:
        ctx.write(f"{stem}.html", html)
        ctx.write(f"{stem}.txt", text)
        ctx.write(f"{stem}.eml", build_message(envelope, text, html))


# Helpers (pure, or reading only ctx) -----------------------------------------------------------

def digest_articles(articles: list[Article], since: datetime | None, limit: int, days: int) -> list[Article]:
    """Newest first: those published since `since`, or within `days` of the newest article; at most `limit`."""
    if not articles:
        return []
    start = since if since is not None else articles[0].published - timedelta(days=days)
    return [a for a in articles if a.published >= start][:limit]


def digest_name(newest: datetime, since: datetime | None, limit: int | None) -> str:
    """`digest-<newest>` for the default digest; a range the user chose keeps a name of its own, so
    `publish all` never overwrites it: `digest-<since>-to-<newest>`, `digest-latest-<N>-<newest>`,
    and `digest-<since>-to-<newest>-latest-<N>` for both."""
    last = newest.date().isoformat()
    if since is not None:
        name = f"digest-{since.date().isoformat()}-to-{last}"
        return f"{name}-latest-{limit}" if limit else name
    return f"digest-latest-{limit}-{last}" if limit else f"digest-{last}"


def sender_of(ctx: Context) -> Sender:
    """[email] sender, else "<author> <email>" from [site], else the site title at the site's domain."""
    site = ctx.site
    name, address = parseaddr(ctx.settings.sender) if ctx.settings.sender else ("", "")
    if "@" not in address:
        name, address = site.author, site.email
    if "@" not in address:
        address = f"newsletter@{_domain(site.base_url)}"
    return Sender(name or site.author or site.title, address)


def _frame(ctx: Context, sender: Sender, language: str, subject: str, preheader: str) -> dict[str, Any]:
    """What layout.html needs: language, preheader, masthead and footer."""
    site = ctx.site
    return {"lang": language or site.language or "en", "dir": direction(language or site.language or "en"),
            "labels": labels_for(language or site.language or "en"),
            "subject": subject, "preheader": preheader, "site_title": site.title_for(language),
            "site_url": site.url("/"),
            "site_host": _domain(site.base_url), "sender_name": sender.name, "sender_email": sender.address,
            "address": ctx.settings.address, "unsubscribe": ctx.settings.unsubscribe}


def _text_footer(text: PlainText, ctx: Context, sender: Sender) -> None:
    text.rule()
    text.line(f"{sender.name} <{sender.address}>")
    if ctx.settings.address:
        text.paragraph(ctx.settings.address)
    text.paragraph(f"You receive this email because you subscribed to {ctx.site.title}.")
    if ctx.settings.unsubscribe:
        text.line(f"Unsubscribe: {ctx.settings.unsubscribe}")


def _picture(ctx: Context, image: Image | None, fallback_alt: str, shown_width: int,
             max_height: int | None = None) -> dict[str, Any] | None:
    """Hosted copy of `image` and the size to show it at: the column's width, height in proportion."""
    if image is None:
        return None
    url, width, height = ctx.image_url(image, IMAGE_SOURCE_WIDTH)
    shown = min(shown_width, width)
    if max_height and height * shown / width > max_height:
        shown = max(1, round(width * max_height / height))      # portrait covers: keep the digest compact
    return {"url": url, "width": shown, "height": max(1, round(height * shown / width)),
            "alt": image.alt or fallback_alt}


def _download_links(ctx: Context, slug: str, kinds: tuple[str, ...]) -> list[dict[str, str]]:
    paths = ctx.downloads
    links = []
    if "pdf" in kinds and "pdf" in paths and slug:
        links.append({"kind": "pdf", "label": "Download PDF", "url": ctx.site.url(paths["pdf"].format(slug=slug))})
    if "epub" in kinds and "epub" in paths:
        links.append({"kind": "epub", "label": "Download EPUB", "url": ctx.site.url(paths["epub"])})
    return links


def _unsubscribe_uris(ctx: Context, sender: Sender) -> tuple[str, ...]:
    uris = [f"mailto:{sender.address}?subject=unsubscribe"]
    if ctx.settings.unsubscribe and not ctx.settings.unsubscribe.startswith("mailto:"):
        uris.append(ctx.settings.unsubscribe)
    return tuple(uris)


def _domain(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def _outputs(stem: str) -> tuple[str, str, str]:
    return tuple(f"email/{stem}.{ext}" for ext in ("html", "txt", "eml"))  # type: ignore[return-value]
