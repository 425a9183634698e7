"""Astro: `site`, `base` and `trailingSlash` from `astro.config.*` when they are plain string
literals; the content collections' folders (`glob({ base: … })` in `src/content.config.ts`); the
article URL from the post route (`src/pages/blog/[...slug].astro`) of the blog's collection; and
the site's title, description and author from a constants module (`src/consts.ts`,
`src/config.ts`) or AstroWind's `src/config.yaml` when they are literals.

JavaScript is never executed: a value computed at build time (`site: process.env.URL`,
`site: SITE.website`) is skipped with a note, and `[site] base_url` in publish.toml sets it.
"""

from __future__ import annotations

import re
from pathlib import Path

from publish.engines.common import Engine, Found, Notes, frozen, read_data, text

CONFIG_FILES = ("astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.mts", "astro.config.cjs")
CONSTANT_FILES = ("src/consts.ts", "src/consts.js", "src/config.ts", "src/config.js", "src/site.config.ts")
ROUTE_NAMES = ("[...slug]", "[slug]", "[...id]", "[id]", "[...post]", "[post]")
_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\"'])//[^\n]*", re.S)
_STRING = r"""(?:"([^"\\\n]*)"|'([^'\\\n]*)'|`([^`$\\]*)`)"""
_CONSTANT = re.compile(r"\bconst\s+(SITE_TITLE|SITE_DESCRIPTION|SITE_AUTHOR|SITE_URL)\s*(?::\s*\w+\s*)?=\s*" + _STRING)
_OBJECT = re.compile(r"\bconst\s+(SITE|SITE_CONFIG|siteConfig|config)\s*(?::\s*[\w<>\[\], ]+)?=\s*\{")
CONTENT_CONFIGS = ("src/content.config.ts", "src/content.config.mjs", "src/content.config.js",
                   "src/content/config.ts", "src/content/config.mjs", "src/content/config.js")
_COLLECTION = re.compile(r"\b(?:const|let|var)\s+(\w+)\s*=\s*defineCollection\(")
_GLOB_BASE = re.compile(r"\bbase\s*:\s*" + _STRING)
_EXPORTED = re.compile(r"\bcollections\s*=\s*\{([^}]*)\}")
_GET_COLLECTION = re.compile(r"\bgetCollection\(\s*" + _STRING)
BLOG_NAMES = ("post", "posts", "blog", "article", "articles")
_OBJECT_KEYS = {"title": "title", "website": "base_url", "site": "base_url", "url": "base_url",
                "desc": "description", "description": "description", "author": "author", "lang": "language"}


def read(root: Path) -> Engine | None:
    name = next((n for n in CONFIG_FILES if (root / n).is_file()), None)
    if name is None:
        return None
    notes = Notes()
    files = [name]
    site: dict[str, Found] = {}
    paths: dict[str, Found] = {}
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
    permalink = _astrowind(root, site, values, notes, files)
    if values["site"]:
        if values["site"].startswith(("http://", "https://")):
            base = (values["base"] or "").strip("/")
            site["base_url"] = Found(values["site"].rstrip("/") + (f"/{base}" if base else ""), name)
        else:
            notes.add(name, f"site {values['site']!r} is not an absolute http(s) URL; not used")
    collections, config_file = _collections(root)
    if config_file:
        files.append(config_file)
    route = _route(root, notes, collections, trailing=values["trailingSlash"] != "never")
    collection = None
    if permalink is not None:
        site["article_url"] = permalink
        collection = next((c for c in BLOG_NAMES if c in collections), None)
    elif route is not None:
        pattern, origin, collection = route
        if values["base"] and values["base"].strip("/") and "base_url" not in site:
            pattern = "/" + values["base"].strip("/") + pattern
        site["article_url"] = Found(pattern, origin)
    if collection is None and len(collections) == 1:
        collection = next(iter(collections))
    if collection is not None and collection in collections:
        folder = collections[collection]
        if (root / folder).is_dir():
            paths["content"] = Found(folder, config_file or "src/content")
    return Engine(name="astro", files=tuple(files), site=frozen(site), paths=frozen(paths), notes=tuple(notes.items))


def _collections(root: Path) -> tuple[dict[str, str], str]:
    """Content collections and their folders: `glob({ base: "./content/posts" })`, else the legacy
    `src/content/<name>/`; keyed by the name pages ask for (`getCollection("post")`)."""
    config_file = next((n for n in CONTENT_CONFIGS if (root / n).is_file()), "")
    if not config_file:
        return {}, ""
    try:
        source = _COMMENT.sub("", (root / config_file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}, ""
    variables: dict[str, str] = {}
    starts = list(_COLLECTION.finditer(source))
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(source)
        base = _GLOB_BASE.search(source, match.end(), end)
        folder = next(g for g in base.groups() if g is not None) if base else ""
        variables[match.group(1)] = folder.strip().removeprefix("./").strip("/")
    exported = _EXPORTED.search(source)
    names: dict[str, str] = {}
    if exported:
        for entry in exported.group(1).split(","):
            key, _, value = (part.strip().strip("'\"") for part in entry.partition(":"))
            if key:
                names[key] = value or key
    else:
        names = {name: name for name in variables}
    return {key: variables.get(var) or f"src/content/{key}" for key, var in names.items() if var in variables}, \
        config_file


def _astrowind(root: Path, site: dict[str, Found], values: dict[str, str | None], notes: Notes,
               files: list[str]) -> Found | None:
    """AstroWind keeps its settings in `src/config.yaml`: site, base, name, description and the
    post permalink pattern (`/%slug%`)."""
    relative = "src/config.yaml"
    if not (root / relative).is_file():
        return None
    data = read_data(root, relative, notes)
    if data is None:
        return None
    own = data.get("site")
    if not isinstance(own, dict):
        return None
    files.append(relative)
    for key in ("site", "base"):
        if values.get(key) is None and text(own.get(key)):
            values[key] = text(own.get(key))
    if values.get("trailingSlash") is None:
        values["trailingSlash"] = "always" if own.get("trailingSlash") is True else "never"
    if text(own.get("name")):
        site.setdefault("title", Found(str(own["name"]), relative))
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    if isinstance(metadata, dict) and text(metadata.get("description")):
        site.setdefault("description", Found(str(metadata["description"]), relative))
    apps = data.get("apps") if isinstance(data.get("apps"), dict) else {}
    blog = apps.get("blog") if isinstance(apps, dict) else None
    post = blog.get("post") if isinstance(blog, dict) else None
    pattern = text(post.get("permalink")) if isinstance(post, dict) else None
    if not pattern:
        return None
    for token, placeholder in (("%slug%", "{path}"), ("%id%", "{path}"), ("%year%", "{year}"),
                               ("%month%", "{month}"), ("%day%", "{day}")):
        pattern = pattern.replace(token, placeholder)
    if "%" in pattern:
        notes.add(relative, f"apps.blog.post.permalink {pattern!r} has a placeholder publish does not know")
        return None
    pattern = "/" + pattern.strip("/") + ("/" if values["trailingSlash"] == "always" else "")
    return Found(pattern, relative)


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


def _route(root: Path, notes: Notes, collections: dict[str, str], *,
           trailing: bool) -> tuple[str, str, str | None] | None:
    """The article URL pattern from the page route that renders a post by its slug or id: the one
    route, or the one that reads the blog's collection. A rest parameter (`[...slug]`) takes the
    post's whole id, folders included (`{path}`)."""
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
        try:
            asked = _GET_COLLECTION.search(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            asked = None
        collection = next(g for g in asked.groups() if g is not None) if asked else None
        if collection is None and parts:     # the page asks through a helper: `posts/` serves "post"
            collection = next((c for c in collections if parts[-1].lower() in (c.lower(), c.lower() + "s")), None)
        placeholder = "{path}" if last.startswith("[...") else "{slug}"
        routes.append(("/" + "/".join([*parts, placeholder]) + ("/" if trailing else ""),
                       "src/pages/" + relative.as_posix(), collection))
    if len(routes) > 1:
        blog = [r for r in routes if r[2] in collections and r[2].lower() in BLOG_NAMES]
        if len(blog) == 1:
            return blog[0]
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
