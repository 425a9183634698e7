"""Every error a user can see is a PublishError: it names the file, the field and what to do."""

from __future__ import annotations

from pathlib import Path


class PublishError(Exception):
    """Base class: a problem the user can act on."""

    def __init__(self, message: str, *, path: Path | str | None = None, field: str | None = None,
                 line: int | None = None, hint: str | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.field = field
        self.line = line
        self.hint = hint
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{field}{self.message}{hint}"


class ConfigError(PublishError):
    """The configuration or the command line is wrong (exit status 2)."""


class ContentError(PublishError):
    """One article cannot be published; the others still are."""


class UnsafePathError(ContentError):
    """A path points outside the folders publish may read from or write to."""


class ImageError(ContentError):
    """An image cannot be read, is not an image, or is too large to decode safely."""


class ExportError(PublishError):
    """An exporter failed on one output; the other outputs are still written."""


class LockedError(PublishError):
    """Another run holds the output folder."""
