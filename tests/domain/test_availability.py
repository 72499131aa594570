"""A provider's day for booking beside it: free slots are exactly what booking accepts (no clash
with a live case, the turnover included), inside the procedure hours of a procedure day, long
enough, ahead of now, in the office's own time across summer-time changes; "next free slot"
looks ahead a bounded number of procedure days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mild.availability import PROCEDURE_HOURS, SEARCH_DAYS, Diary, search_days
from mild.booking import TURNOVER_MINUTES, BookedSlot, first_clash
from mild.cases import CaseStatus
from mild.days import at_local
from mild.errors import RuleViolation

TZ = "America/New_York"
MONDAY = dt.date(2026, 3, 16)  # EDT; the change to summer time was Sunday 8 March
LONG_AGO = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # "now" for days well ahead of it


def at(day: dt.date, hour: int, minute: int = 0, tz: str = TZ) -> dt.datetime:
    return at_local(tz, day, dt.time(hour, minute))


def case(
    code: str,
    start: dt.datetime,
    minutes: int = 60,
    status: CaseStatus = CaseStatus.SCHEDULED,
    case_id: int | None = None,
) -> BookedSlot:
    return BookedSlot(case_id or abs(hash(code)) % 10_000, code, start, minutes, status)


def hhmm(moment: dt.datetime, tz: str = TZ) -> str:
    """A moment as the office's clock reads it."""
    return f"{moment.astimezone(ZoneInfo(tz)):%H:%M}"


def diary(booked, tz: str = TZ, now: dt.datetime = LONG_AGO, case_id: int | None = None) -> Diary:
    return Diary(tuple(booked), tz, now, case_id)


def local_starts(day: dt.date, minutes: int, booked, tz: str = TZ, **options) -> list[str]:
    """The free starts of the day for `minutes`, as the office's clock reads them."""
    return [hhmm(s, tz) for s in diary(booked, tz, **options).free_starts(day, minutes)]


# --- within the procedure hours ----------------------------------------------------------------


def test_an_empty_day_offers_each_quarter_hour_from_opening_to_the_last_ending_by_closing():
    starts = local_starts(MONDAY, 60, [])
    assert starts[0] == "07:00" and starts[1] == "07:15"
    assert starts[-1] == "16:00"  # 16:00 + 60 min ends at 17:00, closing
    assert len(starts) == 37
    assert local_starts(MONDAY, 240, [])[-1] == "13:00"


def test_the_procedure_hours_are_seven_to_five_monday_to_friday():
    assert (PROCEDURE_HOURS.opens, PROCEDURE_HOURS.closes) == (dt.time(7), dt.time(17))
    assert PROCEDURE_HOURS.days_text == "Monday to Friday"


def test_a_weekend_day_offers_no_slot_and_no_free_window():
    saturday = MONDAY + dt.timedelta(days=5)
    assert local_starts(saturday, 60, []) == []
    assert diary([]).free_windows(saturday) == []


# --- no clash with a live case, the turnover included --------------------------------------------


def test_a_slot_leaves_the_turnover_after_a_case_and_before_the_next():
    booked = [case("AA-1", at(MONDAY, 9)), case("AA-2", at(MONDAY, 12))]
    starts = local_starts(MONDAY, 60, booked)
    assert TURNOVER_MINUTES == 20
    # 07:00 + 60 ends 08:00, and 08:00 + 20 min turnover is before 09:00; 07:45 would not be.
    assert "07:30" in starts and "07:45" not in starts
    # After the 09:00 case (ends 10:00, turnover to 10:20): the next quarter hour is 10:30, and a
    # 60-minute case there ends 11:30, turnover to 11:50, before the 12:00 case.
    assert [s for s in starts if "09:00" <= s < "12:00"] == ["10:30"]
    assert starts[starts.index("10:30") + 1] == "13:30"  # 13:00 end + 20 min, on the grid


def test_a_slot_respects_the_planned_length():
    booked = [case("AA-1", at(MONDAY, 9)), case("AA-2", at(MONDAY, 12))]
    between = lambda minutes: [  # noqa: E731
        s for s in local_starts(MONDAY, minutes, booked) if "10:00" <= s < "12:00"
    ]
    assert between(45) == ["10:30", "10:45"]
    assert between(60) == ["10:30"]
    assert between(90) == []


def test_cancelled_cases_hold_no_time():
    cancelled = case("AA-1", at(MONDAY, 9), status=CaseStatus.CANCELLED)
    assert local_starts(MONDAY, 60, [cancelled]) == local_starts(MONDAY, 60, [])


def test_the_case_being_moved_does_not_block_its_own_slot():
    mine = case("AA-1", at(MONDAY, 9), case_id=7)
    assert "09:00" in local_starts(MONDAY, 60, [mine], case_id=7)
    assert "09:00" not in local_starts(MONDAY, 60, [mine])


def test_a_case_of_any_status_still_on_the_day_holds_its_time():
    for status in (CaseStatus.INTAKE, CaseStatus.CHECKED_IN, CaseStatus.DISCHARGED):
        assert "09:00" not in local_starts(MONDAY, 60, [case("AA-1", at(MONDAY, 9), status=status)])


def test_a_case_running_in_from_the_evening_before_is_counted():
    late = case("AA-1", at(MONDAY - dt.timedelta(days=1), 23, 30), minutes=240)  # to 03:30
    assert local_starts(MONDAY, 60, [late])[0] == "07:00"
    early = case("AA-2", at(MONDAY, 6), minutes=60)  # before opening: 07:00 + 20 min turnover
    assert local_starts(MONDAY, 60, [early])[0] == "07:30"


# --- ahead of now ----------------------------------------------------------------------------


def test_today_offers_only_starts_after_now():
    now = at(MONDAY, 10, 5)
    assert local_starts(MONDAY, 60, [], now=now)[0] == "10:15"
    assert local_starts(MONDAY, 60, [], now=at(MONDAY, 10, 15))[0] == "10:30"
    assert local_starts(MONDAY, 60, [], now=at(MONDAY, 16, 30)) == []


# --- the office's own time, across summer-time changes --------------------------------------------


def test_the_day_after_the_change_to_summer_time_opens_at_the_same_office_hour():
    friday, monday = dt.date(2026, 3, 6), dt.date(2026, 3, 9)  # EST, then EDT (8 March)
    fri = diary([]).free_starts(friday, 60)[0]
    mon = diary([]).free_starts(monday, 60)[0]
    assert fri == dt.datetime(2026, 3, 6, 12, tzinfo=dt.UTC)  # 07:00 EST
    assert mon == dt.datetime(2026, 3, 9, 11, tzinfo=dt.UTC)  # 07:00 EDT


def test_a_case_stored_in_utc_blocks_its_office_time_on_either_side_of_a_change():
    monday = dt.date(2026, 11, 2)  # the Monday after the change back to standard time (1 Nov)
    booked = [case("AA-1", dt.datetime(2026, 11, 2, 14, tzinfo=dt.UTC))]  # 09:00 EST
    starts = local_starts(monday, 60, booked)
    assert "08:00" not in starts and "10:00" not in starts
    assert "07:30" in starts and "10:30" in starts


def test_next_free_slot_crosses_a_weekend_with_a_change_of_time_in_the_office_zone():
    friday = dt.date(2026, 10, 23)  # London: summer time ends Sunday 25 October
    tz = "Europe/London"
    full = [case("LD-1", at(friday, 7, tz=tz), minutes=600)]
    found = diary(full, tz, LONG_AGO).next_free_start(friday, 60)
    assert found == dt.datetime(2026, 10, 26, 7, tzinfo=dt.UTC)  # Monday 07:00 GMT


# --- next free slot ----------------------------------------------------------------------------


def test_next_free_slot_is_the_first_free_start_from_the_chosen_day():
    booked = [case("AA-1", at(MONDAY, 7), minutes=240), case("AA-2", at(MONDAY, 11, 20), 240)]
    # Monday: 07:00-11:00, then 11:20-15:20: 15:40 leaves too little for 90 minutes.
    assert diary(booked).next_free_start(MONDAY, 90) == at(MONDAY + dt.timedelta(days=1), 7)
    assert diary(booked).next_free_start(MONDAY, 60) == at(MONDAY, 15, 45)


def test_next_free_slot_skips_days_that_are_not_procedure_days():
    friday = MONDAY + dt.timedelta(days=4)
    full = [case("AA-1", at(friday, 7), minutes=600)]
    assert diary(full).next_free_start(friday, 60) == at(MONDAY + dt.timedelta(days=7), 7)


def test_next_free_slot_starts_today_when_no_day_or_a_past_day_is_chosen():
    now = at(MONDAY, 12, 10)
    assert diary([], TZ, now).next_free_start(None, 60) == at(MONDAY, 12, 15)
    past = MONDAY - dt.timedelta(days=10)
    assert diary([], TZ, now).next_free_start(past, 60) == at(MONDAY, 12, 15)


def test_next_free_slot_looks_a_bounded_number_of_days_and_says_none_beyond():
    assert SEARCH_DAYS == 30
    first, last = search_days(MONDAY, TZ, LONG_AGO)
    assert (first, last) == (MONDAY, MONDAY + dt.timedelta(days=29))
    full = [
        case(f"AA-{n}", at(MONDAY + dt.timedelta(days=n), 7), minutes=600)
        for n in range(SEARCH_DAYS)
    ]
    # The thirty-first day is free, but beyond the search.
    assert diary(full).next_free_start(MONDAY, 60) is None
    assert diary(full).next_free_start(MONDAY, 60, 31) == at(
        MONDAY + dt.timedelta(days=SEARCH_DAYS), 7
    )


def test_next_free_slot_never_looks_beyond_the_furthest_day_booking_takes():
    today = dt.date(2026, 1, 5)
    _, last = search_days(today + dt.timedelta(days=725), TZ, at(today, 12))
    assert last == today + dt.timedelta(days=730)


def test_planned_minutes_booking_refuses_are_refused_here_too():
    for bad in (10, 300):
        with pytest.raises(RuleViolation):
            diary([]).free_starts(MONDAY, bad)
        with pytest.raises(RuleViolation):
            diary([]).next_free_start(MONDAY, bad)


# --- the day as drawn ---------------------------------------------------------------------------


def test_the_day_lists_its_live_cases_and_the_free_windows_between_them_in_time_order():
    booked = [
        case("AA-2", at(MONDAY, 12)),
        case("AA-1", at(MONDAY, 9), case_id=7),
        case("AA-3", at(MONDAY, 10), status=CaseStatus.CANCELLED),
        case("AA-4", at(MONDAY + dt.timedelta(days=1), 9)),  # another day
    ]
    view = diary(booked).day(MONDAY)
    shown = [(hhmm(line.start), line.case.code if line.case else "free") for line in view.lines]
    assert shown == [
        ("07:00", "free"),  # to 08:40
        ("09:00", "AA-1"),
        ("10:30", "free"),  # 10:20 rounded up to the quarter hour, to 11:40
        ("12:00", "AA-2"),
        ("13:30", "free"),  # to closing
    ]
    assert [line.minutes for line in view.lines if line.free] == [100, 70, 210]
    assert view.open


def test_the_case_being_moved_is_drawn_as_itself_where_it_stands_and_may_move_within_it():
    mine = case("AA-1", at(MONDAY, 9), case_id=7)
    view = diary([mine], case_id=7).day(MONDAY)
    assert [(hhmm(line.start), line.free, line.this_case) for line in view.lines] == [
        ("07:00", True, False),
        ("09:00", False, True),
        ("10:30", True, False),
    ]
    assert "09:15" in local_starts(MONDAY, 60, [mine], case_id=7)


def test_a_closed_day_still_shows_what_is_booked_on_it():
    sunday = MONDAY - dt.timedelta(days=1)
    view = diary([case("AA-1", at(sunday, 9))], TZ, LONG_AGO).day(sunday)
    assert not view.open
    assert [line.case.code for line in view.lines] == ["AA-1"]


# --- one rule: a free slot is exactly what booking accepts -------------------------------------

GRID = [at(MONDAY, 7) + dt.timedelta(minutes=15 * i) for i in range(41)]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    booked=st.lists(
        st.tuples(
            st.integers(-8, 48),  # start in quarter hours from 07:00 (from 05:00 to 19:00)
            st.integers(1, 16),  # length in quarter hours
            st.booleans(),  # cancelled
        ),
        max_size=6,
    ),
    minutes=st.sampled_from([15, 30, 45, 60, 90, 120, 240]),
    now_quarter=st.integers(-4, 44),
)
def test_free_slots_are_the_starts_booking_accepts_and_the_windows_hold_exactly_them(
    booked, minutes, now_quarter
):
    cases = [
        case(
            f"AA-{i}",
            at(MONDAY, 7) + dt.timedelta(minutes=15 * q),
            15 * n,
            CaseStatus.CANCELLED if cancelled else CaseStatus.SCHEDULED,
        )
        for i, (q, n, cancelled) in enumerate(booked)
    ]
    now = at(MONDAY, 7) + dt.timedelta(minutes=15 * now_quarter + 5)
    live = [c for c in cases if c.status != CaseStatus.CANCELLED]
    closes = at(MONDAY, 17)
    length = dt.timedelta(minutes=minutes)
    accepted = [
        s
        for s in GRID
        if s > now and s + length <= closes and first_clash(s, minutes, live) is None
    ]
    starts = diary(cases, TZ, now).free_starts(MONDAY, minutes)
    assert starts == accepted
    windows = diary(cases, TZ, now).free_windows(MONDAY)
    in_windows = [s for s in GRID if any(a <= s and s + length <= b for a, b in windows)]
    assert starts == in_windows
