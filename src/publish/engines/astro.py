"""Astro: `site`, `base` and `trailingSlash` from `astro.config.*` when they are plain string
literals, the article URL from the blog's one post route, and the site's title, description and
author from a constants module (`src/consts.ts`, `src/config.ts`) when they are literals.

JavaScript is never executed: a value computed at build time (`site: process.env.URL`,
`site: SITE.website`) is skipped with a note, and `[site] base_url` in publish.toml sets it.
"""

from __future__ import annotations

import re
from pathlib import Path

from publish.engines import Engine, Found, Notes, frozen

CONFIG_FILES = ("astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.mts", "astro.config.cjs")
CONSTANT_FILES = ("src/consts.ts", "src/consts.js", "src/config.ts", "src/config.js", "src/site.config.ts")
ROUTE_NAMES = ("[...slug]", "[slug]", "[...id]", "[id]", "[...post]", "[post]")
_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\"'])//[^\n]*", re.S)
_STRING = r"""(?:"([^"\\\n]*)"|'([^'\\\n]*)'|`([^`$\\]*)`)"""
_CONSTANT = re.compile(r"\bconst\s+(SITE_TITLE|SITE_DESCRIPTION|SITE_AUTHOR|SITE_URL)\s*(?::\s*\w+\s*)?=\s*" + _STRING)
_OBJECT = re.compile(r"\bconst\s+(SITE|SITE_CONFIG|siteConfig|config)\s*(?::\s*[\w<>\[\], ]+)?=\s*\{")
_OBJECT_KEYS = {"title": "title", "website": "base_url", "site": "base_url", "url": "base_url",
                "desc": "description", "description": "description", "author": "author", "lang": "language"}


def read(root: Path) -> Engine | None:
    name = next((n for n in CONFIG_FILES if (root / n).is_file()), None)
    if name is None:
        return None
    notes = Notes()
    files = [name]
    site: dict[str, Found] = {}
    try:
        source = _COMMENT.sub("", (root / name).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        notes.add(name, f"not read ({type(exc).__name__})")
        source = ""
    values = {key: _literal(source, key, name, notes) for key in ("site", "base", "trailingSlash")}
    for constants in CONSTANT_FILES:
        if (root / constants).is_file():
            found = _constants(root / constants, constants)
            if found:
                files.append(constants)
            for key, value in found.items():
                site.setdefault(key, value)
    if values["site"]:
        if values["site"].startswith(("http://", "https://")):
            base = (values["base"] or "").strip("/")
            site["base_url"] = Found(values["site"].rstrip("/") + (f"/{base}" if base else ""), name)
        else:
            notes.add(name, f"site {values['site']!r} is not an absolute http(s) URL; not used")
    route = _route(root, notes, trailing=values["trailingSlash"] != "never")
    if route is not None:
        pattern, origin = route
        if values["base"] and values["base"].strip("/") and "base_url" not in site:
            pattern = "/" + values["base"].strip("/") + pattern
        site["article_url"] = Found(pattern, origin)
    return Engine(name="astro", files=tuple(files), site=frozen(site), notes=tuple(notes.items))


def _literal(source: str, key: str, origin: str, notes: Notes) -> str | None:
    """`key: "text"` in the configuration object; None (with a note) when it is not a literal."""
    match = re.search(rf"(?<![\w.]){key}\s*:\s*", source)
    if match is None:
        return None
    literal = re.match(_STRING, source[match.end():])
    if literal is None:
        expression = source[match.end():].split("\n", 1)[0].strip().rstrip(",")
        notes.add(origin, f"{key}: {expression[:60]!r} is computed when Astro runs; not used "
                          f"(set it in publish.toml instead)")
        return None
    return next(g for g in literal.groups() if g is not None).strip()


def _route(root: Path, notes: Notes, *, trailing: bool) -> tuple[str, str] | None:
    """The article URL pattern from the one page route that renders a post by its slug or id."""
    pages = root / "src" / "pages"
    if not pages.is_dir():
        return None
    routes = []
    for path in sorted(pages.rglob("*.astro")):
        relative = path.relative_to(pages)
        parts = list(relative.parts)
        last = parts.pop()[: -len(".astro")]
        if last == "index" and parts:
            last = parts.pop()
        if last not in ROUTE_NAMES or any("[" in part for part in parts):
            continue
        routes.append(("/" + "/".join([*parts, "{slug}"]) + ("/" if trailing else ""),
                       "src/pages/" + relative.as_posix()))
    if len(routes) > 1:
        notes.add("src/pages", f"{len(routes)} routes could render a post ({', '.join(r[1] for r in routes)}); "
                               "set [site] article_url in publish.toml")
        return None
    return routes[0] if routes else None


def _constants(path: Path, origin: str) -> dict[str, Found]:
    try:
        source = _COMMENT.sub("", path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}
    found: dict[str, Found] = {}
    names = {"SITE_TITLE": "title", "SITE_DESCRIPTION": "description", "SITE_AUTHOR": "author", "SITE_URL": "base_url"}
    for match in _CONSTANT.finditer(source):
        value = next(g for g in match.groups()[1:] if g is not None).strip()
        if value:
            found.setdefault(names[match.group(1)], Found(value, origin))
    for match in _OBJECT.finditer(source):
        for key, value in _object_literals(source, match.end()).items():
            if key in _OBJECT_KEYS and value:
                found.setdefault(_OBJECT_KEYS[key], Found(value, origin))
    if "base_url" in found and not found["base_url"].value.startswith(("http://", "https://")):
        del found["base_url"]
    return found


def _object_literals(source: str, start: int) -> dict[str, str]:
    """`key: "text"` pairs at the top level of the object literal that starts at `start`."""
    depth, i = 1, start
    values: dict[str, str] = {}
    pair = re.compile(r"\s*,?\s*(\w+)\s*:\s*" + _STRING)
    while i < len(source) and depth:
        if depth == 1:
            match = pair.match(source, i)
            if match:
                values.setdefault(match.group(1), next(g for g in match.groups()[1:] if g is not None).strip())
                i = match.end()
                continue
        char = source[i]
        depth += char in "{[("
        depth -= char in "}])"
        i += 1
    return values
