"""Office-local days: bounds in UTC across daylight-saving changes, and today's date."""

from __future__ import annotations

import datetime as dt

from mild.days import at_local, local_day_bounds, local_today

NEW_YORK = "America/New_York"
UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


def utc(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_a_normal_office_day_is_24_hours_from_local_midnight() -> None:
    start, end = local_day_bounds(NEW_YORK, dt.date(2026, 3, 10))
    assert start == utc(3, 10, 4)  # midnight EDT is 04:00 UTC
    assert end == utc(3, 11, 4)
    assert end - start == 24 * HOUR


def test_the_spring_forward_day_in_new_york_is_23_hours() -> None:
    start, end = local_day_bounds(NEW_YORK, dt.date(2026, 3, 8))
    assert start == utc(3, 8, 5)  # midnight EST
    assert end == utc(3, 9, 4)  # next midnight is already EDT
    assert end - start == 23 * HOUR


def test_the_fall_back_day_in_new_york_is_25_hours() -> None:
    start, end = local_day_bounds(NEW_YORK, dt.date(2026, 11, 1))
    assert (start, end) == (utc(11, 1, 4), utc(11, 2, 5))
    assert end - start == 25 * HOUR


def test_just_after_utc_midnight_it_is_still_yesterday_in_new_york() -> None:
    assert local_today(NEW_YORK, utc(3, 10, 3, 30)) == dt.date(2026, 3, 9)  # 23:30 EDT
    assert local_today(NEW_YORK, utc(3, 10, 4)) == dt.date(2026, 3, 10)  # 00:00 EDT
    assert local_today("UTC", utc(3, 10, 3, 30)) == dt.date(2026, 3, 10)


def test_an_office_wall_clock_time_is_stored_as_utc() -> None:
    assert at_local(NEW_YORK, dt.date(2026, 3, 6), dt.time(8, 0)) == utc(3, 6, 13)  # EST
    assert at_local(NEW_YORK, dt.date(2026, 3, 9), dt.time(8, 0)) == utc(3, 9, 12)  # EDT
