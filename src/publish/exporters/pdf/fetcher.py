"""The only way WeasyPrint gets bytes while rendering a PDF: a URL fetcher that serves a fixed set.

Every resource of a PDF lives under one made-up origin (`.invalid` never resolves):
`/theme/…` is a file of the pdf folder, looked up through the theme chain, `/images/…` a
converted copy under output/images, and `/generated/…` data the exporter made for this document
(math as SVG, and the sanitized bytes of the site's SVG images, which WeasyPrint draws as
vectors). While the theme's stylesheet is parsed (not while a document renders), `file://` URLs
of installed font files are served too: that is how WeasyPrint reads `@font-face { src: local(…) }`.
Anything else (the network, other `file://` URLs, `data:` URLs, attachments, paths that climb out
with `..` or symlinks) is refused, and WeasyPrint reports it, so the exporter can warn about it. URLs name no
local folder, so the PDF's bytes do not depend on where the site lives (WeasyPrint names images
by a hash of their URL).

Imports WeasyPrint: import this module only where a PDF is rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from publish.errors import UnsafePathError
from publish.model import Image
from publish.patches.dlopen import import_weasyprint
from publish.paths import inside
from publish.themes import ThemeChain

import_weasyprint()         # before the first import of WeasyPrint: its libraries open faster (patches/dlopen.py)

from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

ORIGIN = "https://pdf.publish.invalid/"
THEME = "theme/"
THEME_FOLDER = "pdf"          # what `/theme/…` serves of each theme of the chain
IMAGES = "images/"
GENERATED = "generated/"

# Only what a page can show: images, stylesheets and fonts.
MEDIA_TYPES = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".svg": "image/svg+xml", ".css": "text/css", ".woff2": "font/woff2", ".woff": "font/woff",
    ".ttf": "font/ttf", ".otf": "font/otf",
}

FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".woff", ".woff2"}
SYSTEM_FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                       Path("~/.local/share/fonts").expanduser(), Path("~/.fonts").expanduser(),
                       Path("/System/Library/Fonts"), Path("/Library/Fonts"))


class RefusedURL(ValueError):
    """A URL the PDF may not read; WeasyPrint catches it and leaves the resource out."""


def theme_url(relative: str) -> str:
    return ORIGIN + THEME + relative.lstrip("/")


def image_url(relative_to_output: str) -> str:
    """URL of a file written by `ctx.web_image` ("images/x-1a2b-1200.jpg")."""
    return ORIGIN + relative_to_output.lstrip("/")


def generated_url(name: str) -> str:
    return ORIGIN + GENERATED + name


class LocalFetcher(URLFetcher):
    """Serves the themes' pdf files, output/images and in-memory resources; refuses everything else.
    `theme` is the theme chain (its pdf/ folders), or one folder served as it is."""

    def __init__(self, theme: ThemeChain | Path, images_folder: Path | Callable[[str], bytes],
                 generated: Mapping[str, tuple[bytes, str]] | None = None,
                 font_folders: tuple[Path, ...] = ()) -> None:
        super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False)
        if isinstance(theme, ThemeChain):
            self.themes, self.theme_prefix = theme, THEME_FOLDER + "/"
        else:
            self.themes, self.theme_prefix = ThemeChain((theme.resolve(),)), ""
        # output/images, or the task's own lookup of its image copies by name (BuildContext.shared)
        self.images_folder = images_folder.resolve() if isinstance(images_folder, Path) else images_folder
        self.generated = dict(generated or {})
        self.font_folders = tuple(folder for folder in font_folders if folder.is_dir())
        self.sealed = False

    def vector(self, image: Image, max_width: int) -> tuple[str, int, int]:
        """Serve an SVG image's sanitized bytes (never the original file) from memory, to be drawn
        as vectors; returns (URL, width, height) like a converted copy."""
        from publish.images import vector_copy

        name, data, width, height = vector_copy(image, max_width)
        self.generated[name] = (data, "image/svg+xml")
        return generated_url(name), width, height

    def seal(self) -> None:
        """Serve nothing more: called once the layout is done, so what WeasyPrint reads while
        writing the file (attachments from `<link rel=attachment>` or `<a rel=attachment>`) is refused."""
        self.sealed = True

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        body, media_type = self._lookup(url)
        return URLFetcherResponse(url, body, {"Content-Type": media_type})

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        # OpenerDirector.open would reach the network handlers; everything goes through fetch().
        return self.fetch(url if isinstance(url, str) else url.full_url)

    def _lookup(self, url: str) -> tuple[bytes, str]:
        if self.sealed:
            raise RefusedURL(f"{_short(url)} was requested after the layout (an attachment?)")
        if url.startswith("file://") and self.font_folders:
            return self._font(url)
        if not url.startswith(ORIGIN):
            raise RefusedURL(f"{_short(url)} is not served to the PDF (only theme files and site images are)")
        parts = urlsplit(url)
        if parts.query or parts.fragment:
            url = url.split("?")[0].split("#")[0]
        path = unquote(url[len(ORIGIN):])
        if path.startswith(GENERATED):
            found = self.generated.get(path[len(GENERATED):])
            if found is None:
                raise RefusedURL(f"{path!r} was not generated for this document")
            return found
        if path.startswith(THEME):
            return self._theme_file(path[len(THEME):], url)
        if path.startswith(IMAGES):
            if not isinstance(self.images_folder, Path):
                return self._copy(self.images_folder, path[len(IMAGES):], url)
            return self._file(self.images_folder, path[len(IMAGES):], url)
        raise RefusedURL(f"{_short(url)} is outside the theme and image folders")

    def _theme_file(self, relative: str, url: str) -> tuple[bytes, str]:
        media_type = MEDIA_TYPES.get(Path(relative).suffix.lower())
        if media_type is None:
            raise RefusedURL(f"{_short(url)} is not an image, stylesheet or font")
        try:
            found = self.themes.find(self.theme_prefix + relative) if relative else None
        except UnsafePathError:
            found = None                     # `..`, or a link out of the theme folders
        if found is None:
            raise RefusedURL(f"{_short(url)} is not a file of the theme")
        return found.read_bytes(), media_type

    def _file(self, folder: Path, relative: str, url: str) -> tuple[bytes, str]:
        media_type = MEDIA_TYPES.get(Path(relative).suffix.lower())
        if media_type is None:
            raise RefusedURL(f"{_short(url)} is not an image, stylesheet or font")
        candidate = folder / relative
        # Resolving first defeats `..` and symlinks pointing out of the folder.
        if not relative or not inside(candidate, [folder]) or not candidate.resolve().is_file():
            raise RefusedURL(f"{_short(url)} is not a file inside {folder.name}/")
        return candidate.resolve().read_bytes(), media_type

    def _copy(self, lookup: Callable[[str], bytes], name: str, url: str) -> tuple[bytes, str]:
        media_type = MEDIA_TYPES.get(Path(name).suffix.lower())
        try:
            if media_type is None:
                raise KeyError(name)
            return lookup(name), media_type
        except KeyError:
            raise RefusedURL(f"{_short(url)} is not an image copy made for this document") from None

    def _font(self, url: str) -> tuple[bytes, str]:
        path = Path(url2pathname(urlsplit(url).path))
        if path.suffix.lower() not in FONT_SUFFIXES or not inside(path, self.font_folders) \
                or not path.resolve().is_file():
            raise RefusedURL(f"{_short(url)} is not an installed font file")
        return path.resolve().read_bytes(), "font/sfnt"


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."
