"""Office-local days: bounds in UTC across daylight-saving changes, and today's date."""

from __future__ import annotations

import datetime as dt

from mild.days import age_on, at_local, latest_at, local_day_bounds, local_today

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


# Age on the office's today (the day-of header)


def test_age_counts_whole_years_and_turns_on_the_birthday_itself() -> None:
    born = dt.date(1951, 3, 14)
    assert age_on(born, dt.date(2026, 3, 13)) == 74
    assert age_on(born, dt.date(2026, 3, 14)) == 75
    assert age_on(born, dt.date(2026, 12, 31)) == 75


def test_someone_born_on_29_february_is_a_year_older_on_1_march_of_a_common_year() -> None:
    born = dt.date(1952, 2, 29)
    assert age_on(born, dt.date(2026, 2, 28)) == 73
    assert age_on(born, dt.date(2026, 3, 1)) == 74
    assert age_on(born, dt.date(2028, 2, 29)) == 76


def test_age_follows_the_offices_day_not_utcs() -> None:
    # 02:00 UTC on the birthday is still the evening before in New York.
    born = dt.date(1960, 6, 2)
    now = dt.datetime(2026, 6, 2, 2, 0, tzinfo=UTC)
    assert age_on(born, local_today(NEW_YORK, now)) == 65
    assert age_on(born, local_today("Europe/London", now)) == 66


def test_a_time_typed_alone_is_the_latest_time_the_clock_read_it() -> None:
    now = utc(12, 7, 5, 5)  # 00:05 in New York on 7 December
    assert latest_at(NEW_YORK, dt.time(23, 50), now) == utc(12, 7, 4, 50)  # last night
    assert latest_at(NEW_YORK, dt.time(0, 1), now) == utc(12, 7, 5, 1)  # this morning
    assert latest_at(NEW_YORK, dt.time(0, 5), now) == now  # this very minute
    # 08:00 typed at 07:55 is yesterday's 08:00: a slip of the finger is refused as too early,
    # never stored as a moment still to come.
    assert latest_at(NEW_YORK, dt.time(8, 0), utc(12, 7, 12, 55)) == utc(12, 6, 13, 0)
