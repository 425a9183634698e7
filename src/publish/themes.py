"""The theme lookup chain: the site theme, the theme it extends, ..., the bundled default.

A theme folder holds only the files it changes. Its `theme.toml` names its parent
(`extends = "default"`); a theme without one extends the bundled default, which ends every chain.
Every format reads its templates, stylesheets, fonts and other files through one `ThemeChain`:
the first theme of the chain that has a file wins. Files are read only from inside the chain's
theme folders, after resolving `..` and symbolic links.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import shutil
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from publish.errors import ConfigError, UnsafePathError

if TYPE_CHECKING:
    from jinja2 import BaseLoader

DEFAULT = "default"
THEME_FILE = "theme.toml"
THEME_KEYS = ("extends",)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")        # a theme's folder name, safe in TOML and paths


def bundled_themes() -> Path:
    """Themes shipped with the package (wheel) or beside `src/` (a checkout)."""
    packaged = Path(__file__).parent / "themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "themes"


def bundled_default() -> Path:
    return (bundled_themes() / DEFAULT).resolve()


def resolve_theme(root: Path, theme: str) -> Path:
    """The folder `[paths] theme` / `--theme` names: a folder, else themes/NAME in the site root,
    else a bundled theme."""
    as_path = Path(theme).expanduser()
    if "/" in theme or as_path.is_absolute():
        path = as_path if as_path.is_absolute() else root / as_path
        return path.resolve()
    local = root / "themes" / theme
    if local.is_dir():
        return local.resolve()
    return (bundled_themes() / theme).resolve()


@dataclass(frozen=True)
class ThemeChain:
    """Theme folders in lookup order (resolved): the site theme first, the bundled default last."""

    folders: tuple[Path, ...]

    @classmethod
    def resolve(cls, root: Path, theme: str) -> ThemeChain:
        """The chain of the site's theme; ConfigError for an unknown theme, a bad theme.toml, an
        unknown parent or a cycle."""
        folder = resolve_theme(root, theme)
        if not folder.is_dir():
            raise ConfigError(f"no theme {theme!r}: {folder} is not a folder", field="paths.theme",
                              hint=f"name a folder, or a theme under themes/ in the site root "
                                   f"(`publish theme new {Path(theme).name or 'NAME'}` starts one), or {DEFAULT!r}")
        return cls.from_folder(folder, root)

    @classmethod
    def from_folder(cls, folder: Path, root: Path) -> ThemeChain:
        """The chain starting at a theme folder; parents are found by name in the site root's
        themes/ folder, then among the bundled themes."""
        default = bundled_default()
        folders = [folder.resolve()]
        while folders[-1] != default:
            parent = _parent(folders[-1], root, default)
            if parent is None:
                break
            if parent in folders:
                names = " -> ".join(f.name for f in [*folders, parent])
                raise ConfigError(f"the themes extend each other in a cycle: {names}",
                                  path=folders[-1] / THEME_FILE, field="extends",
                                  hint="one theme of the chain must extend 'default' (or have no theme.toml)")
            folders.append(parent)
        return cls(tuple(folders))

    @property
    def site_theme(self) -> Path:
        return self.folders[0]

    def guard(self, path: Path) -> Path:
        """`path` resolved (`..` and symbolic links); UnsafePathError if that leaves every theme folder."""
        resolved = path.resolve()
        if not any(resolved == folder or resolved.is_relative_to(folder) for folder in self.folders):
            raise UnsafePathError(f"theme file {path} resolves to {resolved}, outside the theme folders, "
                                  "and was not read", path=path,
                                  hint="theme files are read only from inside a theme of the chain; "
                                       "copy the file into the theme instead of linking to it")
        return resolved

    def find(self, relative: str) -> Path | None:
        """The file `relative` ("email/article.html") names in the first theme that has it, resolved;
        None if no theme has it. UnsafePathError for a path that climbs out (`..`, absolute, or a
        symbolic link pointing outside the theme folders)."""
        parts = _parts(relative)
        if parts is None:
            raise UnsafePathError(f"theme file {relative!r} is not a path inside a theme",
                                  hint="theme paths are relative, with no '..'")
        if any(part.startswith(".") for part in parts):
            return None                              # hidden files are never theme files
        for folder in self.folders:
            candidate = folder.joinpath(*parts)
            if candidate.exists() or candidate.is_symlink():
                resolved = self.guard(candidate)
                if resolved.is_file():
                    return resolved
        return None

    def files(self, format_folder: str) -> dict[str, Path]:
        """The effective files under `format_folder` ("pdf"; "" for the whole theme), child over
        parent: {path relative to the format folder: resolved file}, sorted by path."""
        prefix = _parts(format_folder) if format_folder else ()
        if prefix is None:
            raise UnsafePathError(f"theme folder {format_folder!r} is not a path inside a theme")
        found: dict[str, Path] = {}
        for folder in self.folders:
            start = folder.joinpath(*prefix)
            if start.is_dir():
                for relative, path in self._walk(start, ""):
                    found.setdefault(relative, path)
        if not format_folder:
            found.pop(THEME_FILE, None)
        return {key: found[key] for key in sorted(found, key=lambda k: k.split("/"))}

    def digest(self, format_folder: str) -> str:
        """A digest of exactly the files `files(format_folder)` gives: their names and bytes."""
        files = self.files(format_folder)
        signature = []
        for relative, path in files.items():
            stat = path.stat()
            signature.append((relative, str(path), stat.st_mtime_ns, stat.st_size))
        return _digest(tuple(signature))

    def jinja_loader(self, format_folder: str) -> BaseLoader:
        """Templates of `format_folder` through the chain: a ChoiceLoader of one FileSystemLoader
        per theme, each refusing files that resolve outside the theme folders."""
        from jinja2 import ChoiceLoader

        guarded = _guarded_loader_class()
        prefix = _parts(format_folder) or ()
        return ChoiceLoader([guarded(folder.joinpath(*prefix), self) for folder in self.folders])

    def _walk(self, folder: Path, prefix: str, seen: frozenset[Path] = frozenset()) -> Iterator[tuple[str, Path]]:
        here = self.guard(folder)
        if here in seen:                             # a link back up the tree
            return
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith("."):
                continue
            resolved = self.guard(entry)
            if resolved.is_dir():
                yield from self._walk(entry, f"{prefix}{entry.name}/", seen | {here})
            elif resolved.is_file():
                yield f"{prefix}{entry.name}", resolved


def theme_settings(folder: Path) -> dict[str, Any]:
    """A theme's theme.toml ({} without one); ConfigError naming the file for anything wrong."""
    path = folder / THEME_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path=path) from None
    for key in data:
        if key not in THEME_KEYS:
            close = difflib.get_close_matches(key, THEME_KEYS, n=1)
            raise ConfigError(f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""),
                              path=path, hint="a theme.toml holds only `extends = \"NAME\"`")
    extends = data.get("extends", DEFAULT)
    if not isinstance(extends, str) or not extends.strip() or _parts(extends) != (extends,) \
            or extends.startswith("."):
        raise ConfigError(f"expected the name of a theme, got {extends!r}", path=path, field="extends",
                          hint='e.g. extends = "default", or the name of a folder under themes/')
    return data


def new_theme(root: Path, name: str, files: Iterable[str] = (), extends: str = DEFAULT) -> list[Path]:
    """Create themes/NAME in the site root: a theme.toml extending `extends`, and copies of `files`
    (paths relative to a theme, such as "email/article.html", or a folder such as "pdf") from that
    theme's chain, to start from. Returns the files written. ConfigError, before anything is written,
    for a bad name, a theme that exists already, an unknown parent or an unknown file."""
    for value, what in ((name, "NAME"), (extends, "--extends")):
        if not _NAME.fullmatch(value):
            raise ConfigError(f"{value!r} is not a theme name", field=what,
                              hint="use letters, digits, '.', '-' and '_', starting with a letter or digit")
    themes = root / "themes"
    target = themes / name
    if target.exists() or target.is_symlink():
        raise ConfigError("this theme exists already; nothing was changed", path=target,
                          hint="choose another name, or copy more files into it by hand")
    parent = next((p.resolve() for p in (themes / extends, bundled_themes() / extends) if p.is_dir()), None)
    if parent is None:
        raise ConfigError(f"no theme named {extends!r} to extend", field="--extends",
                          hint=f"a folder under themes/ in the site root, or {DEFAULT!r}")
    available = ThemeChain.from_folder(parent, root).files("")
    chosen: dict[str, Path] = {}
    for wanted in files:
        relative = "/".join(_parts(wanted) or ()).rstrip("/")
        inside = {key: path for key, path in available.items() if key == relative or key.startswith(relative + "/")}
        if not relative or not inside:
            listing = "\n  ".join(available)
            raise ConfigError(f"{wanted!r} is not a file of the {extends!r} theme (paths are relative to a theme, "
                              f"e.g. email/article.html); its files are:\n  {listing}", field="FILE")
        chosen.update(inside)
    themes.mkdir(parents=True, exist_ok=True)
    target.mkdir()
    try:
        (target / THEME_FILE).write_text(
            f"# Files in this folder replace those of the theme it extends; the rest comes from it.\n"
            f"extends = \"{extends}\"\n", encoding="utf-8")
        for relative, source in chosen.items():
            copy = target / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)          # all or nothing
        raise
    return [target / THEME_FILE, *(target / relative for relative in chosen)]


def _parent(folder: Path, root: Path, default: Path) -> Path | None:
    """The theme `folder` extends, by the name in its theme.toml (else the bundled default)."""
    settings = theme_settings(folder)
    if "extends" not in settings:
        return default if default.is_dir() else None
    name = settings["extends"]
    if (root / "themes" / name).resolve() == folder and not (bundled_themes() / name).is_dir():
        raise ConfigError(f"the theme extends itself ({name!r})", path=folder / THEME_FILE, field="extends",
                          hint='extend another theme, e.g. extends = "default"')
    for candidate in (root / "themes" / name, bundled_themes() / name):
        resolved = candidate.resolve()
        if resolved.is_dir() and resolved != folder:          # a local "default" extends the bundled one
            return resolved
    known = sorted({p.name for base in (root / "themes", bundled_themes()) if base.is_dir()
                    for p in base.iterdir() if p.is_dir() and p.resolve() != folder})
    close = difflib.get_close_matches(name, known, n=1)
    guess = f"did you mean {close[0]!r}? " if close else ""
    raise ConfigError(f"extends {name!r}, but there is no theme of that name", path=folder / THEME_FILE,
                      field="extends", hint=f"{guess}themes: {', '.join(known) or 'none'} "
                                            "(a folder under themes/ in the site root, or a bundled theme)")


def _parts(relative: str) -> tuple[str, ...] | None:
    """The parts of a relative POSIX path, or None if it is absolute, empty or uses `..`."""
    path = PurePosixPath(relative.replace("\\", "/"))
    parts = tuple(part for part in path.parts if part != ".")
    if path.is_absolute() or not parts or ".." in parts:
        return None
    return parts


@lru_cache(maxsize=64)
def _digest(signature: tuple[tuple[str, str, int, int], ...]) -> str:
    """Names and bytes; cached by path, size and modification time, so bytes are read once per change."""
    h = hashlib.sha256()
    for relative, path, _, _ in signature:
        h.update(relative.encode() + b"\0" + Path(path).read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def _guarded_loader_class() -> type:
    from jinja2 import FileSystemLoader, TemplateNotFound
    from jinja2.loaders import split_template_path

    class GuardedLoader(FileSystemLoader):
        """One theme's format folder; a template that resolves outside the theme folders is refused
        before it is read."""

        def __init__(self, folder: Path, chain: ThemeChain) -> None:
            super().__init__(str(folder))
            self.folder, self.chain = folder, chain

        def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
            candidate = self.folder.joinpath(*split_template_path(template))
            if not (candidate.exists() or candidate.is_symlink()):
                raise TemplateNotFound(template)
            path = self.chain.guard(candidate)
            if not path.is_file():
                raise TemplateNotFound(template)
            source = path.read_text(encoding="utf-8")
            mtime = path.stat().st_mtime

            def uptodate() -> bool:
                try:
                    return path.stat().st_mtime == mtime
                except OSError:
                    return False

            return source, str(path), uptodate

    return GuardedLoader
