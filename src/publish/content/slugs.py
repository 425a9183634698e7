"""URL-safe slugs for articles and tags."""

from __future__ import annotations

import re
import unicodedata

_SAFE_SEGMENT = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,198}[a-z0-9])?$")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_JEKYLL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")


def slugify(text: str) -> str:
    """"Café Culture" -> "cafe-culture"; "生成AI" -> "生成ai" is avoided: non-Latin text is kept readable
    by transliterating what NFKD can and hex-encoding the rest, so every slug is ASCII."""
    decomposed = unicodedata.normalize("NFKD", text)
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        if ch.isascii():
            out.append(ch.lower() if ch.isalnum() else "-")
        elif ch.isalnum():
            out.append(f"u{ord(ch):x}-")
        else:
            out.append("-")
    slug = re.sub(r"-{2,}", "-", "".join(out)).strip("-")
    return slug[:120].strip("-")


def is_safe_segment(slug: str) -> bool:
    """One path segment that cannot climb out, hide, or clash with the file system."""
    return bool(_SAFE_SEGMENT.match(slug)) and ".." not in slug


def slug_from_filename(stem: str) -> tuple[str, str | None]:
    """The slug for a file name, and a Jekyll-style date prefix if there is one."""
    match = _JEKYLL_DATE.match(stem)
    if match:
        return slugify(match.group(2)), match.group(1)
    return slugify(stem), None
