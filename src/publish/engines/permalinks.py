"""Permalink patterns of Hugo (`/:year/:month/:slug/`), Jekyll (`/:categories/:year/:title:output_ext`)
and publish itself (`/blog/{slug}/`), expanded for one article.

Each engine's rules are reproduced from its documentation and source (Hugo's
`resources/page/permalinks.go`, Jekyll's `drops/url_drop.rb`): which text a placeholder takes,
how it is made URL-safe, and how the path is tidied. The result is a path (`/p/x/`), escaped
as a URL, that the site's base URL is joined to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

_HUGO_TOKEN = re.compile(r":(\w+)(\[[^\]]*\])?")
_JEKYLL_TOKEN = re.compile(r":([a-z_]+)")
_PUBLISH_TOKEN = re.compile(r"\{(\w+)\}")
# Go's reference-time layout elements Hugo accepts as `:2006`, `:01`, …
_GO_LAYOUT = {"2006": "%Y", "06": "%y", "01": "%m", "02": "%d", "January": "%B", "Jan": "%b",
              "Monday": "%A", "Mon": "%a", "1": "{month}", "2": "{day}"}
_GO_ELEMENT = re.compile("|".join(sorted(map(re.escape, _GO_LAYOUT), key=len, reverse=True)))
URL_SAFE = "/:@!$&'()*+,;=-._~%"


@dataclass(frozen=True)
class PageFacts:
    """What an article's permalink may be made of."""

    slug: str                            # publish's slug: the file name, or `slug:` made safe
    title: str
    date: datetime                       # in the site's time zone
    sections: tuple[str, ...] = ()       # folders under the content folder: ("posts", "2024")
    filename: str = ""                   # file name without extension, date or language; a bundle's folder
    front_slug: str = ""                 # the `slug:` front matter as written
    categories: tuple[str, ...] = ()     # Jekyll: front matter categories and folders above _posts
    path: str = ""                       # file path under the content folder, without its extension

    @property
    def section(self) -> str:
        return self.sections[0] if self.sections else ""


class PatternError(ValueError):
    """A placeholder the engine does not know."""


def finish(path: str) -> str:
    """One slash between segments, a leading slash, and URL escaping of what is not URL-safe."""
    path = re.sub(r"/{2,}", "/", "/" + path.lstrip("/"))
    return quote(path, safe=URL_SAFE)


# Hugo --------------------------------------------------------------------------------------------

def hugo_urlize(value: str) -> str:
    """Hugo's URLize: letters, digits, marks and `._-~+#@/` kept, a run of spaces becomes one hyphen,
    everything else dropped, then lowercased."""
    out: list[str] = []
    spaced = False
    for char in value:
        if char.isalnum() or unicodedata.category(char).startswith("M") or char in "._-~+#@/\\":
            out.append(char)
            spaced = False
        elif char.isspace():
            if not spaced:
                out.append("-")
            spaced = True
    return "".join(out).lower()


def hugo(pattern: str, page: PageFacts) -> str:
    """Expand a Hugo `[permalinks]` pattern."""

    def value(match: re.Match[str]) -> str:
        name, cut = match.group(1), match.group(2)
        date = page.date
        simple = {
            "year": str(date.year), "month": f"{date.month:02d}", "monthname": date.strftime("%B"),
            "day": f"{date.day:02d}", "weekday": str((date.weekday() + 1) % 7),
            "weekdayname": date.strftime("%A"), "yearday": str(date.timetuple().tm_yday),
            "section": page.section, "sectionslug": hugo_urlize(page.section),
            "title": hugo_urlize(page.title),
            "slug": hugo_urlize(page.front_slug) if page.front_slug else hugo_urlize(page.title),
            "filename": hugo_urlize(page.filename),
            "slugorfilename": hugo_urlize(page.front_slug or page.filename),
            "contentbasename": hugo_urlize(page.filename),
            "slugorcontentbasename": hugo_urlize(page.front_slug or page.filename),
        }
        if name in ("sections", "sectionslugs"):
            parts = _cut(list(page.sections), cut or "")
            return "/".join(hugo_urlize(p) if name == "sectionslugs" else p for p in parts)
        if name in simple and not cut:
            return simple[name]
        if not cut and _only_layout(name):
            return _go_date(name, date)
        raise PatternError(f"unknown permalink placeholder ':{name}{cut or ''}'")

    return finish(_HUGO_TOKEN.sub(value, pattern.replace("\\:", "\0")).replace("\0", ":"))


def hugo_default(page: PageFacts, *, ugly: bool = False) -> str:
    """Hugo's URL without a permalink pattern: the file's path under the content folder, with
    `slug:` replacing the last segment."""
    last = page.front_slug or page.filename
    segments = [*page.sections, last]
    path = "/".join(hugo_urlize(s) for s in segments if s)
    return finish(path + (".html" if ugly else "/"))


def _only_layout(name: str) -> bool:
    return bool(name) and _GO_ELEMENT.sub("", name).strip("-_") == ""


def _go_date(layout: str, date: datetime) -> str:
    def element(match: re.Match[str]) -> str:
        code = _GO_LAYOUT[match.group(0)]
        if code == "{month}":
            return str(date.month)
        if code == "{day}":
            return str(date.day)
        return date.strftime(code)

    return _GO_ELEMENT.sub(element, layout)


def _cut(items: list[str], spec: str) -> list[str]:
    """Hugo's `:sections[1:]`, `[last]`, `[0]` slices, lenient at the bounds."""
    spec = spec.strip().lower()
    if not spec:
        return items
    inner = spec.strip("[]")

    def index(text: str, default: int) -> int:
        if text == "":
            return default
        if text == "last":
            return len(items) - 1
        return max(0, int(text)) if text.isdigit() else default

    if ":" not in inner:
        i = index(inner, 0)
        return [items[i]] if 0 <= i < len(items) else []
    low, high = inner.split(":", 1)
    return items[index(low, 0):index(high, len(items))]


# Jekyll -------------------------------------------------------------------------------------------

def jekyll_slugify(value: str, *, pretty: bool = False, cased: bool = False) -> str:
    """Jekyll's slugify: `default` mode keeps letters and digits; `pretty` also keeps ._~!$&'()+,;=@."""
    keep = "._~!$&'()+,;=@" if pretty else ""
    out: list[str] = []
    for char in value:
        if char.isalnum() or unicodedata.category(char).startswith("M") or char in keep:
            out.append(char)
        elif not out or out[-1] != "-":
            out.append("-")
    slug = "".join(out).strip("-")
    return slug if cased else slug.lower()


def jekyll(pattern: str, page: PageFacts) -> str:
    """Expand a Jekyll `permalink` pattern for a post."""
    date = page.date
    name = page.front_slug or page.filename
    values = {
        "year": date.strftime("%Y"), "short_year": date.strftime("%y"), "month": date.strftime("%m"),
        "i_month": str(date.month), "short_month": date.strftime("%b"), "long_month": date.strftime("%B"),
        "day": date.strftime("%d"), "i_day": str(date.day), "y_day": date.strftime("%j"),
        "w_year": date.strftime("%G"), "week": date.strftime("%V"), "w_day": date.strftime("%u"),
        "short_day": date.strftime("%a"), "long_day": date.strftime("%A"),
        "hour": date.strftime("%H"), "minute": date.strftime("%M"), "second": date.strftime("%S"),
        "title": jekyll_slugify(name, pretty=True, cased=True), "slug": jekyll_slugify(name),
        "name": jekyll_slugify(page.filename), "output_ext": ".html", "collection": "posts",
        "categories": "/".join(dict.fromkeys(c.lower() for c in page.categories if c)),
        "path": "/".join([*page.sections, page.filename]),
    }

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        # The longest known placeholder wins (`:title` inside `:title_suffix` is not a placeholder).
        for length in range(len(key), 0, -1):
            if key[:length] in values:
                return values[key[:length]] + key[length:]
        raise PatternError(f"unknown permalink placeholder ':{key}'")

    path = finish(_JEKYLL_TOKEN.sub(value, pattern))
    return path[: -len("index.html")] if path.endswith("/index.html") else path


# publish ------------------------------------------------------------------------------------------

PUBLISH_PLACEHOLDERS = ("slug", "path", "year", "month", "day", "section")


def astro_id(page: PageFacts) -> str:
    """An Astro content entry's id, as its glob loader makes it: the `slug:` front matter, else the
    file's path with each folder and name slugged (github-slugger) and a trailing `/index` dropped."""
    if page.front_slug:
        return page.front_slug.strip("/")
    segments = [_github_slug(part) for part in (page.path or page.slug).split("/")]
    joined = "/".join(segments)
    return joined[: -len("/index")] if joined.endswith("/index") else joined


def _github_slug(value: str) -> str:
    kept = "".join(c for c in value.lower() if c.isalnum() or c in "-_ " or unicodedata.category(c).startswith("M"))
    return kept.replace(" ", "-")


def publish(pattern: str, page: PageFacts) -> str:
    """`[site] article_url`: `{slug}`, `{path}` (an Astro entry's whole id), `{year}`, `{month}`,
    `{day}` and `{section}`."""
    values = {"slug": page.slug, "year": f"{page.date.year:04d}", "month": f"{page.date.month:02d}",
              "day": f"{page.date.day:02d}", "section": page.section}
    if "{path}" in pattern:
        values["path"] = astro_id(page)

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise PatternError(f"unknown placeholder {{{match.group(1)}}}")
        return values[match.group(1)]

    return finish(_PUBLISH_TOKEN.sub(value, pattern))
