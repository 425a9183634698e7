"""Text helpers every part of publish shares: URL-safe slugs."""

from __future__ import annotations

import re
import unicodedata


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


def site_slug(title: str) -> str:
    """The site's name in file names: "Field Notes" -> "field-notes"."""
    return slugify(title) or "book"
