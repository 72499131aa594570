"""Office-local days: bounds in UTC across daylight-saving changes, and today's date."""

from __future__ import annotations

import datetime as dt

from mild.days import (
    TYPED_TIME_AHEAD,
    age_on,
    at_local,
    local_day_bounds,
    local_today,
    typed_time_at,
)

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


def test_a_time_typed_alone_is_the_nearest_time_the_clock_read_it() -> None:
    now = utc(12, 7, 5, 5)  # 00:05 in New York on 7 December
    assert typed_time_at(NEW_YORK, dt.time(23, 50), now) == utc(12, 7, 4, 50)  # last night
    assert typed_time_at(NEW_YORK, dt.time(0, 1), now) == utc(12, 7, 5, 1)  # this morning
    assert typed_time_at(NEW_YORK, dt.time(0, 5), now) == now  # this very minute


def test_a_time_typed_a_little_ahead_stays_today_and_is_never_far_in_the_future() -> None:
    now = utc(12, 7, 15, 6)  # 10:06 in New York
    # A minute ahead (a clock off, a slip): today's, for the rules to refuse as in the future,
    # never yesterday's (a dose just given read as a day old).
    assert typed_time_at(NEW_YORK, dt.time(10, 7), now) == utc(12, 7, 15, 7)
    assert typed_time_at(NEW_YORK, dt.time(12, 0), now) == utc(
        12, 6, 17, 0
    )  # 2 h ahead: yesterday's
    for hour in range(24):
        for zone in (NEW_YORK, "America/Los_Angeles", "Asia/Kolkata"):
            got = typed_time_at(zone, dt.time(hour, 30), now)
            assert now - dt.timedelta(hours=25) <= got <= now + TYPED_TIME_AHEAD


def test_in_the_hour_the_clocks_go_back_a_typed_time_is_the_reading_nearest_now() -> None:
    # 1 November 2026 in New York: 01:00-02:00 is lived twice (EDT, then EST).
    first_pass, second_pass = utc(11, 1, 5, 40), utc(11, 1, 6, 40)  # 01:40 EDT, 01:40 EST
    assert typed_time_at(NEW_YORK, dt.time(1, 30), first_pass) == utc(11, 1, 5, 30)  # 01:30 EDT
    assert typed_time_at(NEW_YORK, dt.time(1, 30), second_pass) == utc(11, 1, 6, 30)  # 01:30 EST
