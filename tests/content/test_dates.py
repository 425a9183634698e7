from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from publish.content.dates import DateProblem, parse_date

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("text", "expected"), [
    ("Feb 18 2024", datetime(2024, 2, 18)),
    ("Aug 5 2023", datetime(2023, 8, 5)),
    ("October 5 2023", datetime(2023, 10, 5)),
    ("October 5, 2023", datetime(2023, 10, 5)),
    ("25 Aug 2024", datetime(2024, 8, 25)),
    ("2024-02-20", datetime(2024, 2, 20)),
    ("2024/02/20", datetime(2024, 2, 20)),
    ("2024-02-20 14:30", datetime(2024, 2, 20, 14, 30)),
    ("2024-02-20T14:30:05", datetime(2024, 2, 20, 14, 30, 5)),
    ("Aug 5th 2023", datetime(2023, 8, 5)),
])
def test_local_forms_get_the_configured_zone(text: str, expected: datetime) -> None:
    parsed = parse_date(text, PARIS)
    assert parsed == expected.replace(tzinfo=PARIS)
    assert parsed.tzinfo is not None


@pytest.mark.parametrize(("text", "offset"), [
    ("2024-02-20T09:30:00+02:00", timedelta(hours=2)),
    ("2024-02-20T09:30:00Z", timedelta(0)),
    ("2024-02-20T09:30:00.123Z", timedelta(0)),
    ("2019-08-08 11:33:00 +0800", timedelta(hours=8)),
    ("2025-02-14T09:30:00+01:00", timedelta(hours=1)),
])
def test_written_offsets_are_kept(text: str, offset: timedelta) -> None:
    parsed = parse_date(text, PARIS)
    assert parsed.utcoffset() == offset


def test_date_and_datetime_objects() -> None:
    assert parse_date(date(2024, 1, 2), UTC) == datetime(2024, 1, 2, tzinfo=UTC)
    aware = datetime(2024, 1, 2, 3, tzinfo=timezone(timedelta(hours=5)))
    assert parse_date(aware, PARIS) is aware


@pytest.mark.parametrize("text", ["Feb 30 2024", "2024-02-30", "2023-13-01", "Feb 29 2023"])
def test_impossible_dates_are_named(text: str) -> None:
    with pytest.raises(DateProblem, match="not a real date"):
        parse_date(text, PARIS)


@pytest.mark.parametrize("value", ["yesterday", "", "18/02/2024x", 20240218, None, ["Feb 18 2024"]])
def test_unreadable_values(value: object) -> None:
    with pytest.raises(DateProblem):
        parse_date(value, PARIS)
