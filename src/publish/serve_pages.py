"""The two pages `publish serve` writes itself: `/` while output/ has no index.html, and the 404 page.

Plain HTML with a language and a title, no JavaScript: the `/` page links every feed, PDF, EPUB
and email found in output/ (never hidden files, never previews), with feed autodiscovery.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from html import escape
from pathlib import Path
from urllib.parse import quote

FEED_FILES = (("rss.xml", "RSS", "application/rss+xml"), ("atom.xml", "Atom", "application/atom+xml"),
              ("feed.json", "JSON Feed", "application/feed+json"))
EMAIL_FORMATS = ((".html", "HTML"), (".txt", "text"), (".eml", ".eml"))
_STYLE = ("body{font:1rem/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222}"
          "h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem}li{margin:.2rem 0}"
          "a{color:#0645ad}.note{color:#555}")


def landing_page(output_dir: Path, *, title: str, language: str, hidden: Collection[str]) -> str:
    """A page linking what output/ holds, for `/` until the site has its own index.html."""
    files = set(_published(output_dir, hidden))
    title = title or "Published files"
    head = [f'<link rel="alternate" type="{kind}" title="{escape(title)} ({label})" href="{name}">'
            for name, label, kind in FEED_FILES if name in files]
    feeds = [f"<li>{label}: {_links(files, prefix, FEED_FILES)}</li>" for prefix, label in _feed_groups(files)]
    sections = [("Feeds", feeds)] if feeds else []
    for heading, folder, suffix in (("PDF", "pdf", ".pdf"), ("EPUB", "epub", ".epub")):
        items = [f'<li><a href="{_href(rel)}">{escape(rel.split("/", 1)[1])}</a></li>'
                 for rel in _in(files, folder, suffix)]
        if items:
            sections.append((heading, items))
    stems = sorted({rel[:-len(ext)] for ext, _ in EMAIL_FORMATS for rel in _in(files, "email", ext)})
    if stems:
        kinds = [(ext, label, "") for ext, label in EMAIL_FORMATS]
        sections.append(("Email", [f"<li>{escape(stem.split('/', 1)[1])}: {_links(files, stem, kinds)}</li>"
                                   for stem in stems]))
    body = "".join(f"<h2>{heading}</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>\n" for heading, items in sections)
    if not body:
        body = "<p>Nothing is published yet: run <code>publish all</code>.</p>\n"
    note = ('<p class="note">What <code>publish</code> made for subscribers. This plain page stands in '
            "until the site has its own <code>index.html</code>.</p>\n")
    return _document(language, title, "\n".join(head), f"<h1>{escape(title)}</h1>\n{note}{body}")


def not_found_page(*, language: str) -> str:
    return _document(language, "Not found", "",
                     '<h1>Not found</h1>\n<p>Nothing is published at this address. '
                     '<a href="/">See what is published</a>.</p>\n')


def _document(language: str, title: str, head: str, body: str) -> str:
    return ("<!DOCTYPE html>\n"
            f'<html lang="{escape(language or "en")}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n{head + chr(10) if head else ''}<style>{_STYLE}</style>\n"
            f"</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n")


def _feed_groups(files: set[str]) -> list[tuple[str, str]]:
    """(prefix, label) of the site's feeds and of each tag's that output/ holds."""
    tags = sorted({rel.split("/")[1] for rel in files if rel.startswith("tags/") and rel.count("/") == 2})
    groups = [("", "Every article")] + [(f"tags/{tag}/", f"Tagged {escape(tag)}") for tag in tags]
    return [(prefix, label) for prefix, label in groups if any(prefix + name in files for name, _, _ in FEED_FILES)]


def _in(files: set[str], folder: str, suffix: str) -> list[str]:
    return sorted(rel for rel in files if rel.startswith(f"{folder}/") and rel.count("/") == 1 and rel.endswith(suffix))


def _links(files: set[str], prefix: str, kinds: Collection[tuple[str, str, str]]) -> str:
    return " · ".join(f'<a href="{_href(prefix + name)}">{label}</a>' for name, label, _ in kinds
                      if prefix + name in files)


def _href(rel: str) -> str:
    return escape(quote(rel))


def _published(output_dir: Path, hidden: Collection[str]) -> Iterator[str]:
    """Files under output/ as relative paths: no hidden files or folders, no previews, no symlinks."""
    for folder in (output_dir, *(output_dir / name for name in ("pdf", "epub", "email"))):
        yield from _files_in(output_dir, folder, hidden)
    tags = output_dir / "tags"
    if tags.is_dir() and not tags.is_symlink():
        for tag in tags.iterdir():
            if tag.is_dir() and not tag.is_symlink() and not tag.name.startswith("."):
                yield from _files_in(output_dir, tag, hidden)


def _files_in(output_dir: Path, folder: Path, hidden: Collection[str]) -> Iterator[str]:
    if not folder.is_dir() or folder.is_symlink():
        return
    for path in folder.iterdir():
        rel = path.relative_to(output_dir).as_posix()
        if not path.name.startswith(".") and not path.is_symlink() and path.is_file() and rel not in hidden:
            yield rel
