"""Booking rules: a provider's double booking (or too little turnover between two cases),
planned minutes, past times, bookable statuses, and last-dose dates recomputed from the booked
day."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.booking import (
    TURNOVER_MINUTES,
    BookedSlot,
    check_bookable,
    check_in_future,
    check_no_clash,
    check_planned_levels,
    check_planned_minutes,
    check_planned_side,
    first_clash,
    overlaps,
)
from mild.cases import CaseStatus
from mild.days import at_local
from mild.errors import RuleViolation
from mild.medications import HOURS, last_dose_by, medication_hold

TZ = "America/New_York"
NINE = at_local(TZ, dt.date(2026, 3, 13), dt.time(9))  # 13:00 UTC: New York is on EDT


def minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def slot(code: str, start: dt.datetime, planned: int = 60) -> BookedSlot:
    return BookedSlot(case_id=hash(code) % 1000, code=code, start=start, planned_minutes=planned)


def test_back_to_back_intervals_do_not_overlap() -> None:
    assert not overlaps(NINE, 60, NINE + minutes(60), 60)
    assert not overlaps(NINE + minutes(60), 60, NINE, 60)


def test_two_cases_of_a_provider_need_the_turnover_between_them() -> None:
    assert TURNOVER_MINUTES == 20
    before, after = slot("A-1", NINE - minutes(80)), slot("A-2", NINE + minutes(80))
    assert first_clash(NINE, 60, [before, after]) is None  # 20 minutes either side
    assert first_clash(NINE, 60, [slot("A-3", NINE - minutes(79))]).code == "A-3"
    assert first_clash(NINE, 60, [slot("A-4", NINE + minutes(79))]).code == "A-4"
    assert first_clash(NINE, 60, [slot("A-5", NINE + minutes(60))]).code == "A-5"  # back to back
    assert first_clash(NINE, 60, [slot("A-5", NINE + minutes(60))], turnover=0) is None


def test_a_start_within_the_turnover_is_refused_naming_the_case_and_the_turnover() -> None:
    with pytest.raises(RuleViolation) as refusal:
        check_no_clash(
            NINE + minutes(60), 60, [slot("AA-00012", NINE)], provider="Dr. Ames", tz_name=TZ
        )
    assert refusal.value.field == "start"
    assert refusal.value.message == messages.BOOKING_TURNOVER_CLASH.format(
        provider="Dr. Ames",
        code="AA-00012",
        start="09:00 on Fri 13 Mar 2026",
        minutes=60,
        turnover=20,
    )


def test_any_shared_minute_is_a_clash() -> None:
    assert overlaps(NINE, 60, NINE + minutes(59), 60)
    assert overlaps(NINE, 60, NINE - minutes(59), 60)
    assert overlaps(NINE, 60, NINE + minutes(15), 15)  # inside
    assert overlaps(NINE, 15, NINE - minutes(30), 240)  # around


def test_the_earliest_clashing_case_is_named() -> None:
    others = [
        slot("A-3", NINE + minutes(30)),
        slot("A-2", NINE + minutes(10)),
        slot("A-9", NINE + minutes(120)),
    ]
    assert first_clash(NINE, 60, others).code == "A-2"


def test_a_clash_is_refused_on_the_start_field_naming_the_case_and_its_local_time() -> None:
    with pytest.raises(RuleViolation) as refusal:
        check_no_clash(
            NINE + minutes(30), 60, [slot("AA-00012", NINE, 45)], provider="Dr. Ames", tz_name=TZ
        )
    assert refusal.value.field == "start"
    assert refusal.value.message == messages.BOOKING_CLASH.format(
        provider="Dr. Ames", code="AA-00012", start="09:00 on Fri 13 Mar 2026", minutes=45
    )


def test_planned_minutes_are_15_to_240() -> None:
    assert [check_planned_minutes(m) for m in (15, 60, 240)] == [15, 60, 240]
    for bad in (14, 241, 0, True):
        with pytest.raises(RuleViolation) as refusal:
            check_planned_minutes(bad)
        assert refusal.value.field == "planned_minutes"
        assert refusal.value.message == messages.BOOKING_MINUTES_RANGE.format(low=15, high=240)


def test_a_past_day_is_refused_on_the_day_and_a_past_time_today_on_the_start() -> None:
    now = NINE
    with pytest.raises(RuleViolation) as refusal:
        check_in_future(NINE - dt.timedelta(days=1), now, TZ)
    assert (refusal.value.field, refusal.value.message) == ("day", messages.BOOKING_IN_PAST)
    with pytest.raises(RuleViolation) as refusal:
        check_in_future(NINE - minutes(1), now, TZ)
    assert (refusal.value.field, refusal.value.message) == ("start", messages.BOOKING_IN_PAST)
    check_in_future(NINE + minutes(1), now, TZ)


def test_only_requested_intake_and_scheduled_cases_may_be_booked() -> None:
    for status in (CaseStatus.REQUESTED, CaseStatus.INTAKE, CaseStatus.SCHEDULED):
        check_bookable(status)
    for status in set(CaseStatus) - {CaseStatus.REQUESTED, CaseStatus.INTAKE, CaseStatus.SCHEDULED}:
        with pytest.raises(RuleViolation) as refusal:
            check_bookable(status)
        assert refusal.value.message == messages.BOOKING_NOT_OPEN.format(status=status.label)


def test_re_booking_to_another_day_moves_the_latest_last_dose_with_it() -> None:
    tuesday_nine = NINE + dt.timedelta(days=4)
    assert medication_hold("apixaban", NINE).last_dose_by == NINE - dt.timedelta(hours=72)
    assert medication_hold("apixaban", tuesday_nine).last_dose_by == tuesday_nine - dt.timedelta(
        hours=72
    )
    # The stored hours give the same moment as the table.
    assert last_dose_by(72 * HOURS, tuesday_nine) == tuesday_nine - dt.timedelta(hours=72)
    assert last_dose_by(None, NINE) is None
    assert last_dose_by(72 * HOURS, None) is None


def test_levels_booked_are_adjacent_lumbar_interspaces() -> None:
    assert check_planned_levels(" l3-l4 ,L4-L5 ") == "L3-L4, L4-L5"
    assert check_planned_levels("L5-S1") == "L5-S1"
    assert check_planned_levels("") is None
    for bad in ("L3-L5", "L4", "T12-L1", "S1-L5", "L3-L4; L4-L5"):
        with pytest.raises(RuleViolation) as refused:
            check_planned_levels(bad)
        assert refused.value.message == messages.PLANNED_LEVELS_FORMAT


def test_the_side_booked_is_bilateral_left_or_right() -> None:
    assert [check_planned_side(s) for s in ("bilateral", "left", "right", None)] == [
        "bilateral",
        "left",
        "right",
        None,
    ]
    with pytest.raises(RuleViolation):
        check_planned_side("both")
