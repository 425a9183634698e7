"""Dates as people write them in front matter, made time-zone aware."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

# Explicit formats, tried in order; anything else is refused rather than guessed.
_FORMATS = (
    "%b %d %Y", "%B %d %Y", "%b %d, %Y", "%B %d, %Y",     # Feb 18 2024, February 18, 2024
    "%d %b %Y", "%d %B %Y",                               # 25 Aug 2024
    "%Y-%m-%d", "%Y/%m/%d",
    "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z",        # Jekyll: 2019-08-08 11:33:00 +0800
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


class DateProblem(ValueError):
    """A date that cannot be read; the message says what was expected."""


def parse_date(value: object, zone: tzinfo) -> datetime:
    """A time-zone aware datetime from a front matter value (string, date or datetime)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=zone)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise DateProblem(f"{value!r} is a number, not a date (write it as 'Feb 18 2024' or 2024-02-18)")
    if not isinstance(value, str) or not value.strip():
        raise DateProblem(f"expected a date such as 'Feb 18 2024' or 2024-02-18, got {value!r}")
    text = " ".join(value.strip().split())
    parsed = _parse_iso(text)
    if parsed is None:
        parsed = _parse_formats(text)
    if parsed is None:
        _explain(text)
        raise DateProblem(f"cannot read the date {value!r} (write it as 'Feb 18 2024' or 2024-02-18)")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _parse_iso(text: str) -> datetime | None:
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    if not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", candidate):
        return None
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _parse_formats(text: str) -> datetime | None:
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)   # "Aug 5th 2023"
    cleaned = cleaned.replace("Sept ", "Sep ")
    for fmt in _FORMATS:
        try:
            return datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    return None


def _explain(text: str) -> None:
    """Turn an impossible calendar date into a precise message (Feb 30, month 13)."""
    numeric = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", text)
    words = re.match(r"^([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4})$", text)
    year = month = day = None
    if numeric:
        year, month, day = (int(g) for g in numeric.groups())
    elif words and words.group(1).lower() in _MONTHS:
        year, month, day = int(words.group(3)), _MONTHS.index(words.group(1).lower()) + 1, int(words.group(2))
    if year is None or month is None or day is None:
        return
    try:
        date(year, month, day)
    except ValueError as exc:
        raise DateProblem(f"{text!r} is not a real date ({exc})") from None


def zone_named(name: str) -> tzinfo:
    return UTC if name.upper() == "UTC" else ZoneInfo(name)
