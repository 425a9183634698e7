"""URL-safe slugs for articles and tags."""

from __future__ import annotations

import re

from publish.text import slugify

__all__ = ["is_safe_segment", "slug_from_filename", "slugify"]

_SAFE_SEGMENT = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,198}[a-z0-9])?$")
_JEKYLL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")


def is_safe_segment(slug: str) -> bool:
    """One path segment that cannot climb out, hide, or clash with the file system."""
    return bool(_SAFE_SEGMENT.match(slug)) and ".." not in slug


def slug_from_filename(stem: str) -> tuple[str, str | None]:
    """The slug for a file name, and a Jekyll-style date prefix if there is one."""
    match = _JEKYLL_DATE.match(stem)
    if match:
        return slugify(match.group(2)), match.group(1)
    return slugify(stem), None
