"""Facts about a book that its metadata states: dates, subjects, accessibility, and page labels.

Accessibility metadata is derived from what the book really contains (images, MathML,
footnotes), so every claim in the package file is true of that book.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from publish.i18n import long_date
from publish.model import Article

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


@dataclass(frozen=True)
class BookFacts:
    newest_published: datetime
    modified: datetime              # UTC: dcterms:modified, and the archive's timestamps
    first: datetime
    last: datetime
    subjects: tuple[str, ...]
    chapters_with_math: int
    has_notes: bool

    @classmethod
    def of(cls, articles: Iterable[Article], *, chapters_with_math: int, has_notes: bool) -> BookFacts:
        articles = tuple(articles)
        tags = {t.slug: t.name for a in articles for t in a.tags}
        return cls(
            newest_published=max(a.published for a in articles),
            modified=max(a.modified for a in articles).astimezone(UTC),
            first=min(a.published for a in articles),
            last=max(a.published for a in articles),
            subjects=tuple(tags[slug] for slug in sorted(tags)),
            chapters_with_math=chapters_with_math, has_notes=has_notes)

    @property
    def date_range(self) -> str:
        """Years only, so the cover reads the same in any language: "2024 – 2025"."""
        first, last = self.first.year, self.last.year
        return str(first) if first == last else f"{first} – {last}"


def when(moment: datetime) -> str:
    """A W3C date-time in UTC, as EPUB metadata wants."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def accessibility(facts: BookFacts, evaluator: str) -> list[tuple[str, str]]:
    """schema.org accessibility properties and the conformance claim, true of this book.

    Every book has a cover image, so it always has visual content; every image carries alt text,
    so text alone is sufficient.
    """
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "alternativeText",
                "displayTransformability"]
    if facts.chapters_with_math:
        features.append("MathML")
    summary = ("This publication meets EPUB Accessibility 1.1 at WCAG 2.1 Level AA. It has a table of "
               "contents, headings in order, alternative text for every image")
    if facts.chapters_with_math:
        summary += ", mathematics as MathML"
    if facts.has_notes:
        summary += ", and footnotes that link back to where they are referenced"
    summary += ". It contains no flashing, motion or sound."
    properties = [("schema:accessMode", "textual"), ("schema:accessMode", "visual"),
                  ("schema:accessModeSufficient", "textual"), ("schema:accessModeSufficient", "textual,visual")]
    properties += [("schema:accessibilityFeature", feature) for feature in features]
    properties += [("schema:accessibilityHazard", "none"), ("schema:accessibilitySummary", summary),
                   ("dcterms:conformsTo", CONFORMS_TO), ("a11y:certifiedBy", evaluator)]
    return properties


# --- words on the pages: src/publish/i18n.py ---------------------------------------------------------

def date_text(moment: datetime, language: str) -> str:
    """"7 October 2024", "7 octobre 2024", or the ISO date for a language without month names."""
    return long_date(moment, language)


def identifier(base_url: str, key: str) -> str:
    """Same site and selection, same identifier: readers keep notes and position across updates."""
    name = base_url.rstrip("/") + "/epub/" + key
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
