"""Where publish may read and write: every path is checked after resolving `..` and symlinks."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from publish.errors import UnsafePathError

# A file modified this close to a run's start may still be changing while the run reads it: what
# was read from it is not remembered (the loader's memo, the no-op stamp).
RACY_NS = 2_000_000_000


def inside(path: Path, roots: Iterable[Path]) -> bool:
    """True if `path`, fully resolved, lies in one of `roots` (also resolved)."""
    resolved = path.resolve()
    return any(resolved == root.resolve() or resolved.is_relative_to(root.resolve()) for root in roots)


def resolve_inside(path: Path, roots: Iterable[Path], *, what: str, article: Path | None = None) -> Path:
    """The resolved path, or UnsafePathError naming the article if it leaves every allowed root."""
    roots = tuple(roots)
    resolved = path.resolve()
    if not inside(resolved, roots):
        raise UnsafePathError(
            f"{what} {str(path)!r} resolves outside the site folders and was not read",
            path=article, hint="keep images and articles inside the site root")
    return resolved


def write_atomic(target: Path, data: bytes | str) -> None:
    """Write to a temporary file beside `target`, then rename: readers never see half a file."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def output_path(output_dir: Path, relative: str) -> Path:
    """A path under the output folder; refuses anything that would land outside it."""
    rel = Path(relative)
    if rel.is_absolute() or ".." in rel.parts or not relative.strip():
        raise UnsafePathError(f"refusing to write {relative!r}: outputs stay inside the output folder")
    target = output_dir / rel
    if not inside(target.parent if target.parent.exists() else output_dir, [output_dir]):
        raise UnsafePathError(f"refusing to write {relative!r}: it resolves outside the output folder")
    return target


def nearest_folder(missing: Path) -> Path | None:
    """The existing folder whose name is closest to the first missing part of `missing`
    (content/post -> content/posts), followed by the rest of the path when that exists."""
    import difflib

    existing, rest = missing, list[str]()
    while not existing.is_dir() and existing != existing.parent:
        rest.insert(0, existing.name)
        existing = existing.parent
    if not rest:
        return None
    names = [p.name for p in existing.iterdir() if p.is_dir() and not p.name.startswith(".")]
    close = difflib.get_close_matches(rest[0], names, n=1, cutoff=0.6)
    if not close:
        return None
    found = existing / close[0]
    return found / Path(*rest[1:]) if len(rest) > 1 and (found / Path(*rest[1:])).is_dir() else found
