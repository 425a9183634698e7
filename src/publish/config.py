"""Typed settings from `publish.toml` (or `[tool.publish]` in `pyproject.toml`).

Every section is a frozen dataclass with defaults, so no file is needed. Unknown keys and wrong
types are collected and reported together, each naming its key. publish's own sections are
[site], [paths], [smtp], [fields] and [network]; every other section belongs to an exporter,
which declares its settings dataclass (`Exporter.settings`) and is read under `[<exporter name>]`.
The loader learns those classes from its caller (`exporters=registry.settings_classes()`), so
this module never imports an exporter.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from publish.checking import converted, kind, suggest, type_problem
from publish.engines import NO_ENGINE, Engine, read_engine
from publish.errors import ConfigError
from publish.model import FrozenDict
from publish.siteroot import CONFIG_FILE, find_root
from publish.themes import ThemeChain, resolve_theme

PLACEHOLDER_URL = "https://example.com"     # only when no source names the site's URL, and never silently

T = TypeVar("T")


class SettingError(ValueError):
    """Raised by a settings dataclass's `__post_init__` for a value its type allows but it cannot
    use; the loader reports it as `<section>.<key>: <problem>` with the other problems."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class SiteSettings:
    title: str = ""                      # default: the site root's folder name
    description: str = ""
    base_url: str = ""                   # default: the blog's configuration, else a placeholder (with a warning)
    author: str = ""
    email: str = ""
    language: str = "en"
    timezone: str = "UTC"
    article_url: str = "/blog/{slug}/"
    icon: str = ""                       # public-folder path or URL of a square icon (feeds)
    logo: str = ""                       # public-folder path or URL of a wide logo (feeds)


@dataclass(frozen=True)
class PathSettings:
    content: str = ""                    # default: "content", else Astro's src/content/blog|posts|post,
                                         # src/data/blog or src/content, else Jekyll's "_posts"
    public: str = ""                     # default: "public" if the site root has one, else "<content>/public"
    output: str = "output"
    theme: str = "default"


# The built-in exporters' settings. Each exporter declares its class (`FeedExporter.settings =
# FeedSettings`) exactly as a plugin does, and the loader reads it only through that declaration;
# they are defined here so that `config.feed`, `config.pdf`… stay typed accessors.

@dataclass(frozen=True)
class FeedSettings:
    limit: int = 20                      # entries per feed; older ones go to RFC 5005 archive pages
    full_content: bool = True
    websub_hub: str = ""                 # a WebSub hub: rel="hub" in every feed; `publish ping` notifies it
    id_base: str = ""                    # the base URL entry ids are made from (keeps them when base_url moves)

    def problems(self) -> list[str]:
        """What is wrong with the values (beyond their types)."""
        from urllib.parse import urlsplit

        found = []
        for key in ("websub_hub", "id_base"):
            value = getattr(self, key)
            try:
                parts = urlsplit(value)
                usable = (parts.scheme in ("https", "http") and bool(parts.hostname)
                          and not any(c.isspace() for c in value))
            except ValueError:
                usable = False
            if value and not usable:
                found.append(f"feed.{key}: must be an absolute https:// or http:// URL, got {value!r}")
        return found

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise SettingError("limit", "must be at least 1")


# Paper sizes [pdf] page_size knows, in mm (portrait); "landscape" may follow the name.
PAGE_SIZES = {"a3": (297.0, 420.0), "a4": (210.0, 297.0), "a5": (148.0, 210.0), "b5": (176.0, 250.0),
              "letter": (215.9, 279.4), "legal": (215.9, 355.6)}


@dataclass(frozen=True)
class PdfSettings:
    page_size: str = "A4"
    justify: bool = False                # justified, hyphenated text (about 15 % more layout time)

    def __post_init__(self) -> None:
        words = self.page_size.lower().split()
        if not words or words[0] not in PAGE_SIZES or len(words) > 2 or \
                (len(words) == 2 and words[1] not in ("portrait", "landscape")):
            names = ", ".join(name.upper() if name[0] in "ab" else name.title() for name in PAGE_SIZES)
            raise SettingError("page_size", f"unknown page size {self.page_size!r} (use one of {names}, "
                                            "optionally followed by 'landscape')")


@dataclass(frozen=True)
class EpubSettings:
    title: str = ""                      # default: the site title
    order: Literal["oldest", "newest"] = "oldest"
    cover: str = ""                      # an image path; default: a cover composed from the articles


@dataclass(frozen=True)
class EmailSettings:
    sender: str = ""                     # default: "<author> <email>"
    unsubscribe: str = "{{unsubscribe_url}}"
    digest_days: int = 30
    digest_limit: int = 10
    address: str = ""                    # the sender's postal address for the footer
    max_kb: int = 90

    def __post_init__(self) -> None:
        for key in ("digest_days", "digest_limit"):
            if getattr(self, key) < 1:
                raise SettingError(key, "must be at least 1")


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str = ""
    timeout: int = 30


@dataclass(frozen=True)
class FieldSettings:
    title: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    excerpt: list[str] = field(default_factory=list)
    image: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    draft: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NetworkSettings:
    remote_images: bool = False          # fetch remote cover images during a build


@dataclass(frozen=True)
class BuildSettings:
    # A Dask scheduler to render on ("tcp://host:8786"); empty: this machine's worker processes.
    # PUBLISH_SCHEDULER and --scheduler take precedence.
    scheduler: str = ""

    def __post_init__(self) -> None:
        if self.scheduler and "://" not in self.scheduler:
            raise SettingError("scheduler", f"{self.scheduler!r} is not a scheduler address "
                                            "(write it as tcp://HOST:8786)")


@dataclass(frozen=True)
class Config:
    site: SiteSettings = field(default_factory=SiteSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    fields: FieldSettings = field(default_factory=FieldSettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    build: BuildSettings = field(default_factory=BuildSettings)
    # exporter name -> the settings dataclass it declared, read from [<name>] (defaults without one)
    exporter_settings: Mapping[str, Any] = field(default_factory=FrozenDict)
    # Not from the file: where things are, resolved once, and the blog engine's own settings.
    root: Path = Path(".")
    source: Path | None = None
    engine: Engine = NO_ENGINE
    origins: Mapping[str, str] = field(default_factory=FrozenDict)    # "site.title" -> where the value came from

    def settings_for(self, name: str, cls: type[T]) -> T:
        """The settings the exporter `name` declared as `cls`: read from [<name>], or `cls`'s
        defaults when it was not declared to the loader (the file then had no [<name>] either:
        an unknown section is an error)."""
        found = self.exporter_settings.get(name)
        if found is None:
            return cls()
        if not isinstance(found, cls):
            raise TypeError(f"[{name}] was read as {type(found).__name__}, not {cls.__name__}")
        return found

    @property
    def feed(self) -> FeedSettings:
        return self.settings_for("feed", FeedSettings)

    @property
    def pdf(self) -> PdfSettings:
        return self.settings_for("pdf", PdfSettings)

    @property
    def epub(self) -> EpubSettings:
        return self.settings_for("epub", EpubSettings)

    @property
    def email(self) -> EmailSettings:
        return self.settings_for("email", EmailSettings)

    def origin(self, key: str) -> str:
        """Where a setting such as "site.base_url" came from: a file, "command line" or "default"."""
        return self.origins.get(key, "default")

    @property
    def base_url(self) -> str:
        """The site's URL; a placeholder when nothing sets it (`publish` warns, see `placeholder_problems`)."""
        return (self.site.base_url or PLACEHOLDER_URL + self.engine.base_path).rstrip("/")

    @property
    def article_url_is_set(self) -> bool:
        """Whether [site] article_url comes from publish.toml, the command line or the blog's routes,
        rather than the engine's permalink rules or the default."""
        return self.origin("site.article_url") != "default"

    @property
    def content_dir(self) -> Path:
        if self.paths.content:
            return _under(self.root, self.paths.content)
        for candidate in ("content", "src/content/blog", "src/content/posts", "src/content/post", "src/data/blog",
                          "src/data/post", "src/content", "_posts"):
            if (self.root / candidate).is_dir():
                return (self.root / candidate).resolve()
        return (self.root / "content").resolve()

    @property
    def public_dir(self) -> Path:
        if self.paths.public:
            return _under(self.root, self.paths.public)
        if (self.root / "public").is_dir():
            return (self.root / "public").resolve()
        hugo = ("hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml")
        if (self.root / "static").is_dir() and any((self.root / name).exists() for name in hugo):
            return (self.root / "static").resolve()
        return self.content_dir / "public"

    @property
    def output_dir(self) -> Path:
        return _under(self.root, self.paths.output)

    @property
    def theme_dir(self) -> Path:
        """The site theme's folder, the first of `themes`."""
        return resolve_theme(self.root, self.paths.theme)

    @property
    def themes(self) -> ThemeChain:
        """The theme lookup chain (site theme first, bundled default last), resolved once."""
        cached = self.__dict__.get("_themes")
        if cached is None:
            cached = ThemeChain.resolve(self.root, self.paths.theme)
            object.__setattr__(self, "_themes", cached)     # frozen: resolved once per instance
        return cached

    @property
    def site_title(self) -> str:
        return self.site.title or self.root.resolve().name.replace("-", " ").replace("_", " ").title()

    def digest(self) -> str:
        """A digest of every setting that changes outputs (not SMTP, not where output goes)."""
        cached = self.__dict__.get("_digest")
        if cached is None:
            cached = self._compute_digest()
            object.__setattr__(self, "_digest", cached)     # frozen: computed once per instance
        return cached

    def _compute_digest(self) -> str:
        data: dict[str, Any] = {name: dataclasses.asdict(getattr(self, name)) for name in SECTIONS
                                if name not in ("smtp", "build")}        # they change no output
        data.update({name: dataclasses.asdict(value) for name, value in self.exporter_settings.items()})
        data["paths"].pop("output", None)
        data["engine"] = self.engine.digest_data()
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _under(root: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return (path if path.is_absolute() else root / path).resolve()


# publish's own sections; every other one is an exporter's
SECTIONS: dict[str, type] = {f.name: typing.get_type_hints(Config)[f.name] for f in fields(Config)
                             if f.name not in ("exporter_settings", "root", "source", "engine", "origins")}


def load_config(config_file: Path | None = None, cwd: Path | None = None,
                overrides: dict[str, dict[str, Any]] | None = None, *, use_engine: bool = True,
                exporters: Mapping[str, type | None] | None = None) -> Config:
    """Read the configuration; raise ConfigError listing every problem at once.

    `exporters`: each installed exporter's name and the settings dataclass it declares (None for
    none), as `registry.settings_classes()` gives them; [<name>] is read into that class. A
    section that is neither publish's own nor an exporter's is an error."""
    if config_file is not None:
        config_file = config_file.resolve()
        if not config_file.is_file():
            raise ConfigError("configuration file not found", path=config_file,
                              hint="check the --config path")
        root: Path = config_file.parent
        source: Path | None = config_file
    else:
        root, source = find_root(cwd or Path.cwd())
    raw: dict[str, Any] = {}
    if source is not None:
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML: {exc}", path=source) from None
        except UnicodeDecodeError:
            raise ConfigError("not UTF-8 text", path=source) from None
        raw = data.get("tool", {}).get("publish", {}) if source.name == "pyproject.toml" else data
    errors: list[str] = []
    config = _build(raw, errors, exporters or {})
    origins = {f"{section}.{key}": (source.name if source else CONFIG_FILE)
               for section, values in raw.items() if isinstance(values, dict) for key in values}
    for section, values in (overrides or {}).items():
        if section in SECTIONS:
            config = replace(config, **{section: replace(getattr(config, section), **values)})
        else:
            settings = dict(config.exporter_settings)
            settings[section] = replace(settings[section], **values)
            config = replace(config, exporter_settings=FrozenDict(settings))
        origins.update({f"{section}.{key}": "command line" for key in values})
    engine = read_engine(root) if use_engine else NO_ENGINE
    config, engine = _with_engine(config, engine, origins)
    config = replace(config, root=root, source=source, engine=engine, origins=FrozenDict(origins))
    errors.extend(_check_values(config))
    if errors:
        raise ConfigError("\n".join(errors), path=source or root)
    config.themes                               # noqa: B018 - a bad theme chain is a configuration error too
    return config


def _with_engine(config: Config, engine: Engine, origins: dict[str, str]) -> tuple[Config, Engine]:
    """The blog's own settings, wherever publish.toml and the command line leave a setting unset.
    A value publish cannot use is left out with a note (shown by `publish check -v`)."""
    notes: list[str] = []
    for section, found in (("site", engine.site), ("paths", engine.paths)):
        values: dict[str, str] = {}
        for key, setting in found.items():
            name = f"{section}.{key}"
            if name in origins:
                continue
            problem = _engine_value_problem(key, setting.value)
            if problem:
                notes.append(f"{setting.origin}: {key} {setting.value!r} {problem}; not used")
                continue
            values[key] = setting.value
            origins[name] = setting.origin
        config = replace(config, **{section: replace(getattr(config, section), **values)})
    if notes:
        engine = replace(engine, notes=engine.notes + tuple(notes))
    return config, engine


def _engine_value_problem(key: str, value: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if key == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return "is not a time zone publish knows"
    if key == "base_url" and not value.startswith(("http://", "https://")):
        return "is not an absolute http(s) URL"
    if key == "article_url" and "{slug}" not in value and "{path}" not in value:
        return "has no {slug} or {path}"
    return None


def _build(raw: dict[str, Any], errors: list[str], exporters: Mapping[str, type | None]) -> Config:
    sections: dict[str, Any] = {}
    settings: dict[str, Any] = {}
    for name in exporters:
        if name in SECTIONS:
            errors.append(f"an exporter is named {name!r}, like publish's own [{name}] section: rename the exporter")
    for name, value in raw.items():
        if name not in SECTIONS and name not in exporters:
            errors.append(f"unknown section '{name}'{suggest(name, [*SECTIONS, *exporters])}")
            continue
        declared = SECTIONS.get(name) or exporters[name]
        if declared is None:
            errors.append(f"unknown section '{name}': the {name} exporter has no settings")
            continue
        if not isinstance(value, dict):
            errors.append(f"{name}: expected a table [{name}], got {kind(value)}")
            continue
        built = _build_section(name, declared, value, errors)
        if built is not None:
            (sections if name in SECTIONS else settings)[name] = built
    for name, declared in exporters.items():
        if declared is not None and name not in settings and name not in SECTIONS:
            built = _build_section(name, declared, {}, errors)           # its defaults
            if built is not None:
                settings[name] = built
    return Config(**sections, exporter_settings=FrozenDict(sorted(settings.items())))


def _build_section(name: str, cls: type, values: dict[str, Any], errors: list[str]) -> Any:
    """`cls` from the table's values, or None when even its defaults are unusable (an error said so)."""
    try:
        resolved = typing.get_type_hints(cls)
    except Exception as exc:  # noqa: BLE001 - a plugin's annotations may not resolve
        errors.append(f"[{name}]: cannot read the fields of {cls.__name__}: {type(exc).__name__}: {exc}")
        return None
    hints = {f.name: resolved[f.name] for f in fields(cls) if f.init}
    accepted: dict[str, Any] = {}
    for key, value in values.items():
        if key not in hints:
            errors.append(f"unknown key '{name}.{key}'{suggest(key, hints)}")
            continue
        problem = type_problem(hints[key], value)
        if problem:
            errors.append(f"{name}.{key}: {problem}")
        else:
            accepted[key] = converted(hints[key], value)
    try:
        return cls(**accepted)
    except SettingError as exc:
        errors.append(f"{name}.{exc.key}: {exc.problem}")
    except TypeError as exc:                 # a field without a default: the exporter's mistake
        errors.append(f"[{name}]: {cls.__name__} needs a default for every field ({exc})")
        return None
    try:
        return cls()
    except (SettingError, TypeError):
        return None


def _check_values(config: Config) -> list[str]:
    errors = []
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(config.site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(f"site.timezone: unknown time zone {config.site.timezone!r} (use a name such as 'Europe/Paris')")
    if config.site.base_url and not config.site.base_url.startswith(("http://", "https://")):
        errors.append(f"site.base_url: must start with https:// or http://, got {config.site.base_url!r}")
    if "{slug}" not in config.site.article_url and "{path}" not in config.site.article_url:
        errors.append("site.article_url: must contain {slug} (or {path}), e.g. '/blog/{slug}/'")
    errors.extend(config.feed.problems())
    if not 1 <= config.smtp.port <= 65535:
        errors.append(f"smtp.port: {config.smtp.port} is not a port number")
    return errors
