"""Hugo: `hugo.*` / `config.*` at the root and `config/_default/` (+ `config/production/`), merged.

Hugo's keys are case-insensitive, so every key is lowercased. In the configuration folder a file
named after a key holds that key (`params.toml` -> `params`, `languages.toml` -> `languages`),
and `<key>.<lang>.toml` holds it for one language (`params.zh.toml`). `hugo` builds for the
`production` environment by default, so `config/production/` overrides `_default`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from publish.engines.common import Author, Engine, Found, Language, Notes, author_of, frozen, read_data, text

ROOT_FILES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
              "config.toml", "config.yaml", "config.yml", "config.json")
CONFIG_SUFFIXES = (".toml", ".yaml", ".yml", ".json")
ENVIRONMENT = "production"


def is_hugo(root: Path) -> bool:
    return any((root / name).is_file() for name in ROOT_FILES) or (root / "config" / "_default").is_dir()


def read(root: Path) -> Engine | None:
    if not is_hugo(root):
        return None
    notes = Notes()
    merged, origins, files = _merged(root, notes)
    return engine_from(merged, files, notes, origins)


def _merged(root: Path, notes: Notes) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """The root file, then config/_default/, then config/production/, each merged over the last;
    and which file set each value ("params.description" -> "config/_default/params.toml")."""
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    files: list[str] = []
    root_file = next((name for name in ROOT_FILES if (root / name).is_file()), None)
    if root_file is not None:
        data = read_data(root, root_file, notes)
        if data is not None:
            _merge(merged, _lower(data))
            _record(origins, _lower(data), root_file)
            files.append(root_file)
    for environment in ("_default", ENVIRONMENT):
        folder = root / "config" / environment
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in CONFIG_SUFFIXES and p.is_file()):
            relative = path.relative_to(root).as_posix()
            data = read_data(root, relative, notes)
            if data is None:
                continue
            files.append(relative)
            placed = _placed(path.stem.lower(), _lower(data))
            _merge(merged, placed)
            _record(origins, placed, relative)
    return merged, origins, files


def _record(origins: dict[str, str], data: dict[str, Any], origin: str, prefix: str = "") -> None:
    for key, value in data.items():
        origins[prefix + key] = origin
        if isinstance(value, dict):
            _record(origins, value, origin, f"{prefix}{key}.")


def _placed(stem: str, data: dict[str, Any]) -> dict[str, Any]:
    """Where a configuration folder's file goes: `hugo`/`config` at the top, `params` under params,
    `params.zh` under languages.zh.params, `menus.en` under languages.en.menus."""
    if stem in ("hugo", "config"):
        return data
    key, _, language = stem.partition(".")
    if key == "languages" and language:      # languages.fr.toml: the settings of one language
        return {"languages": {language: data}}
    if language:
        return {"languages": {language: {key: data}}}
    return {key: data}


def _merge(into: dict[str, Any], data: dict[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _lower(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _lower(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower(v) for v in value]
    return value


def engine_from(config: dict[str, Any], files: list[str], notes: Notes, origins: dict[str, str]) -> Engine:
    """The Engine for a merged, lowercased Hugo configuration."""
    origin = files[0] if files else "hugo.toml"

    def where(key: str) -> str:
        """The file that set a (dotted) key last."""
        return origins.get(key, origin)

    site: dict[str, Found] = {}
    languages, default_language = _languages(config, notes, origin)
    default = languages.get(default_language)
    # A multilingual site may keep its params (author, description, mainSections) per language.
    params: dict[str, Any] = {}
    declared = config.get("languages")
    own = declared.get(default_language) if isinstance(declared, dict) else None
    for found in (own.get("params") if isinstance(own, dict) else None, config.get("params")):
        if isinstance(found, dict):
            params = {**found, **params}

    base_url = text(config.get("baseurl"))
    base_path = ""
    if base_url and base_url.startswith(("http://", "https://")):
        site["base_url"] = Found(base_url, where("baseurl"))
    elif base_url and base_url.startswith("/") and base_url.strip("/"):
        base_path = "/" + base_url.strip("/")          # a path without a host: kept under the placeholder
    elif base_url and base_url not in ("/", ""):
        notes.add(origin, f"baseURL {base_url!r} is not an absolute http(s) URL; not used")
    title = (default.title if default and default.title else None) or text(config.get("title"))
    if title:
        site["title"] = Found(title, where(f"languages.{default_language}.title")
                              if default and default.title else where("title"))
    description = text(params.get("description")) or text(config.get("description"))
    if description:
        site["description"] = Found(description, where("params.description") if params.get("description")
                                    else where("description"))
    author = author_of(params.get("author")) or author_of(config.get("author"))
    if author is not None:
        where_author = where("params.author") if params.get("author") else where("author")
        site["author"] = Found(author.name, where_author)
        if author.email:
            site["email"] = Found(author.email, where_author)
    language = text(config.get("languagecode"))
    if default and default.tag:
        site["language"] = Found(default.tag, where(f"languages.{default_language}"))
    elif language:
        site["language"] = Found(_bcp47(language), where("languagecode"))
    elif text(config.get("defaultcontentlanguage")):
        site["language"] = Found(_bcp47(str(config["defaultcontentlanguage"])), where("defaultcontentlanguage"))
    zone = text(config.get("timezone"))
    if zone:
        site["timezone"] = Found(zone, where("timezone"))

    paths: dict[str, Found] = {}
    content_dir = text(config.get("contentdir"))
    if content_dir:
        paths["content"] = Found(content_dir, where("contentdir"))
    static = config.get("staticdir")
    static_dir = text(static[0]) if isinstance(static, list) and static else text(static)
    if static_dir:
        paths["public"] = Found(static_dir, where("staticdir"))

    permalinks = _permalinks(config.get("permalinks"), notes, where("permalinks"))
    sections = params.get("mainsections", config.get("mainsections"))
    if isinstance(sections, str):
        sections = [sections]
    main_sections = tuple(str(s).strip("/").lower() for s in sections) if isinstance(sections, list) else ()
    ugly = config.get("uglyurls")
    return Engine(
        name="hugo", files=tuple(files), site=frozen(site), base_path=base_path, paths=frozen(paths),
        permalinks=frozen(permalinks),
        permalink_origin=where("permalinks") if permalinks else "", languages=frozen(languages),
        default_language=default_language, main_sections=main_sections, ugly_urls=ugly is True,
        variables=frozen({"params": params, "title": title or "", "baseurl": base_url or ""}),
        notes=tuple(notes.items))


def _languages(config: dict[str, Any], notes: Notes, origin: str) -> tuple[dict[str, Language], str]:
    default = (text(config.get("defaultcontentlanguage")) or "en").lower()
    in_subdir = config.get("defaultcontentlanguageinsubdir") is True
    declared = config.get("languages")
    if not isinstance(declared, dict) or not declared:
        return {}, default
    languages: dict[str, Language] = {}
    for code, settings in declared.items():
        if not isinstance(settings, dict):
            notes.add(origin, f"languages.{code}: expected a table; ignored")
            continue
        if settings.get("disabled") is True:
            continue
        code = str(code).lower()
        params: dict[str, Any] = settings["params"] if isinstance(settings.get("params"), dict) else {}
        title = text(settings.get("title")) or text(params.get("title")) or ""
        site_code = text(config.get("languagecode")) if code == default else None
        tag = _bcp47(text(settings.get("languagecode")) or text(settings.get("locale")) or site_code or code)
        prefix = "" if code == default and not in_subdir else f"/{code}"
        languages[code] = Language(code=code, tag=tag, prefix=prefix, title=title,
                                   content_dir=(text(settings.get("contentdir")) or "").strip("/"))
    return languages, default


def _permalinks(value: Any, notes: Notes, origin: str) -> dict[str, str]:
    """`[permalinks] posts = "/:year/:slug/"`, or the newer `[permalinks.page] posts = …`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        notes.add(origin, "permalinks: this form is not understood; using Hugo's default URLs")
        return {}
    table: dict[str, Any] = value["page"] if isinstance(value.get("page"), dict) else value
    patterns: dict[str, str] = {}
    for section, pattern in table.items():
        if isinstance(pattern, str) and section not in ("section", "taxonomy", "term"):
            patterns[str(section).strip("/ ")] = pattern
        elif not isinstance(pattern, dict):
            notes.add(origin, f"permalinks.{section}: expected a text pattern; ignored")
    return patterns


def _bcp47(code: str) -> str:
    """Hugo's "en-us" / "zh_CN" as a language tag: "en-US", "zh-CN"."""
    parts = code.replace("_", "-").split("-")
    head, rest = parts[0].lower(), parts[1:]
    return "-".join([head, *(p.upper() if len(p) == 2 else p.title() if len(p) == 4 else p for p in rest)])


def author_names(value: Any) -> list[Author]:
    """A Hugo page's `author`/`authors` (string, list, or table)."""
    values = value if isinstance(value, list) else [value]
    found = [author_of(v) for v in values]
    return [a for a in found if a is not None]
