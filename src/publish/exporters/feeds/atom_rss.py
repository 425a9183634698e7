"""RSS 2.0 and Atom 1.0 through feedgen, with its traps avoided (see PITFALLS.md):
entries appended in order, every date time-zone aware, an explicit rel="self", the channel's
<link> added last, and markup carried as escaped type="html" text (never CDATA, which `]]>` breaks).
"""

from __future__ import annotations

import html
from typing import Any

from publish.exporters.feeds.model import Entry, Feed
from publish.namespaces import ATOM as ATOM_NS
from publish.namespaces import DUBLIN_CORE as DC_NS
from publish.namespaces import FEED_HISTORY as FH_NS
from publish.namespaces import MEDIA_RSS as MEDIA_NS
from publish.namespaces import XML, qualified

XML_LANG = qualified(XML, "lang")
GENERATOR = "publish"


def rss_feed(feed: Feed) -> bytes:
    generator = _generator(feed, feed.urls["rss.xml"], "application/rss+xml")
    picture = feed.logo or feed.icon
    if picture:
        generator.image(url=picture, title=feed.title, link=feed.home_url)
    if feed.email:
        generator.managingEditor(f"{feed.email} ({feed.author})")
    generator.pubDate(feed.published)
    generator.lastBuildDate(feed.updated)
    return bytes(generator.rss_str(pretty=True, encoding="UTF-8"))


def atom_feed(feed: Feed) -> bytes:
    generator = _generator(feed, feed.urls["atom.xml"], "application/atom+xml")
    generator.id(feed.id or feed.urls["atom.xml"])
    generator.updated(feed.updated)
    if feed.icon:
        generator.icon(feed.icon)
    if feed.logo:
        generator.logo(feed.logo)
    return bytes(generator.atom_str(pretty=True, encoding="UTF-8"))


def _generator(feed: Feed, self_url: str, self_type: str) -> Any:
    from feedgen.feed import FeedGenerator

    generator = FeedGenerator()
    generator.register_extension("publish", _FeedExtension, _EntryExtension)
    generator.publish.feed = feed
    generator.title(feed.title)
    generator.description(feed.description)
    generator.language(feed.language)
    generator.generator(GENERATOR)
    generator.author({"name": feed.author, **({"email": feed.email} if feed.email else {})})
    # RSS takes the channel <link> from the last link added: self and the downloads first, the site last.
    generator.link(href=self_url, rel="self", type=self_type)
    for download in feed.downloads:
        generator.link(href=download.url, rel="alternate", type=download.media_type, title=download.title)
    generator.link(href=feed.home_url, rel="alternate", type="text/html")
    for entry in feed.entries:
        _add_entry(generator, feed, entry)
    return generator


def _add_entry(generator: Any, feed: Feed, entry: Entry) -> None:
    item = generator.add_entry(order="append")       # the default prepends and would reverse the feed
    item.id(entry.id)                                # also the RSS guid, isPermaLink="false"
    item.title(entry.title)
    # The RSS <link> is the last rel="alternate": the downloads first, the web page last.
    links = [{"href": d.url, "rel": "alternate", "type": d.media_type, "title": d.title} for d in entry.downloads]
    links.append({"href": entry.url, "rel": "alternate", "type": "text/html"})
    if entry.cover is not None:
        links.append({"href": entry.cover.url, "rel": "enclosure", "type": entry.cover.media_type,
                      "length": str(entry.cover.length)})
    item.link(links)
    item.publish.links = links
    item.published(entry.published)
    item.updated(entry.updated)
    if entry.authors:
        item.author([{"name": a.name, **({"email": a.email} if a.email else {}), **({"uri": a.url} if a.url else {})}
                     for a in entry.authors])
    else:
        item.author({"name": feed.author, **({"email": feed.email} if feed.email else {})})
    if entry.tags:
        item.category([{"term": tag.slug, "label": tag.name} for tag in entry.tags])
    # The excerpt is plain text; as escaped HTML it reads the same in RSS <description> and Atom.
    item.summary(html.escape(entry.summary, quote=False), type="html")
    if entry.content_html is not None:
        item.content(entry.content_html, type="html")
    item.publish.entry = entry
    item.publish.feed_language = feed.language


class _FeedExtension:
    """Declares the Media RSS namespace on the root element, and adds what feedgen cannot say: the
    WebSub hub and the RFC 5005 links and marker (as atom:link and fh:archive in RSS too)."""

    def __init__(self) -> None:
        self.feed: Feed | None = None

    def extend_ns(self) -> dict[str, str]:
        archive = self.feed is not None and self.feed.history.archive
        return {"media": MEDIA_NS, **({"fh": FH_NS} if archive else {})}

    def extend_rss(self, element: Any) -> Any:
        channel = element.find("channel")
        self._history(channel, f"{{{ATOM_NS}}}link", "rss.xml", "application/rss+xml")
        return element

    def extend_atom(self, element: Any) -> Any:
        # feedgen writes Atom elements without a namespace under a literal xmlns: so must this.
        self._history(element, "link", "atom.xml", "application/atom+xml")
        return element

    def _history(self, parent: Any, link: str, name: str, media_type: str) -> None:
        from lxml import etree

        if self.feed is None:
            return
        for hub in self.feed.hubs:
            etree.SubElement(parent, link, rel="hub", href=hub)
        history = self.feed.history
        for rel, folder in (("current", history.current), ("prev-archive", history.prev_archive),
                            ("next-archive", history.next_archive)):
            if folder:
                etree.SubElement(parent, link, rel=rel, type=media_type, href=folder + name)
        if history.archive:
            etree.SubElement(parent, f"{{{FH_NS}}}archive")


class _EntryExtension:
    """What feedgen cannot say: the cover as media:content (with its alt text), an entry's own language."""

    def __init__(self) -> None:
        self.entry: Entry | None = None
        self.feed_language = ""
        self.links: list[dict[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA_NS, "dc": DC_NS}

    def extend_rss(self, element: Any) -> Any:
        self._authors(element)
        self._media(element)
        return element

    def _authors(self, element: Any) -> None:
        """RSS has one <author>, an email address: a single author with an address keeps it; otherwise
        every author is a dc:creator (a name is enough), and the two are never mixed."""
        from lxml import etree

        authors = self.entry.authors if self.entry is not None else ()
        if not authors or (len(authors) == 1 and authors[0].email):
            return
        for written in element.findall("author"):
            element.remove(written)
        for author in authors:
            etree.SubElement(element, f"{{{DC_NS}}}creator").text = author.name

    def extend_atom(self, element: Any) -> Any:
        # feedgen 1.0 writes an entry's <link> elements with href only (it loses rel, type and length).
        for link, attributes in zip(element.findall("link"), self.links, strict=True):
            for name in ("rel", "type", "title", "length"):
                if attributes.get(name):
                    link.set(name, attributes[name])
        if self.entry is not None and self.entry.language and self.entry.language != self.feed_language:
            element.set(XML_LANG, self.entry.language)
        self._media(element)
        return element

    def _media(self, element: Any) -> None:
        from lxml import etree

        cover = self.entry.cover if self.entry is not None else None
        if cover is None:
            return
        media = etree.SubElement(element, f"{{{MEDIA_NS}}}content", url=cover.url, medium="image",
                                 type=cover.media_type, fileSize=str(cover.length),
                                 width=str(cover.width), height=str(cover.height))
        if cover.alt:
            description = etree.SubElement(media, f"{{{MEDIA_NS}}}description", type="plain")
            description.text = cover.alt
