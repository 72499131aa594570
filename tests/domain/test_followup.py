"""Follow-up after discharge: the schedule, where each contact stands, and red flags."""

from __future__ import annotations

import datetime as dt

import pytest

from mild.followup import (
    FollowUpKind,
    FollowUpState,
    RedFlag,
    follow_up_schedule,
    follow_up_state,
    needs_escalation,
    red_flags,
)

UTC = dt.UTC
DISCHARGED = dt.datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 15, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=UTC)


def state_at(now: dt.datetime, completed: dt.datetime | None = None) -> FollowUpState:
    """State of a next-day call for a patient discharged at DISCHARGED."""
    return follow_up_state(at(3, 11), at(3, 12), completed, now)


def test_next_day_call_is_due_24_hours_after_discharge_and_overdue_at_48() -> None:
    call = follow_up_schedule(DISCHARGED)[0]
    assert call.kind == FollowUpKind.NEXT_DAY_CALL
    assert call.due_at == at(3, 11)
    assert call.overdue_at == at(3, 12)


def test_later_visits_are_due_at_2_weeks_and_3_6_and_12_months() -> None:
    due = {f.kind: f.due_at for f in follow_up_schedule(DISCHARGED)}
    assert list(due) == [
        FollowUpKind.NEXT_DAY_CALL,
        FollowUpKind.WEEKS_2,
        FollowUpKind.MONTHS_3,
        FollowUpKind.MONTHS_6,
        FollowUpKind.MONTHS_12,
    ]
    assert due[FollowUpKind.WEEKS_2] == at(3, 24)  # 14 days
    assert due[FollowUpKind.MONTHS_3] == at(6, 9)  # 91 days
    assert due[FollowUpKind.MONTHS_6] == at(9, 8)  # 182 days
    assert due[FollowUpKind.MONTHS_12] == at(3, 10, year=2027)  # 365 days


def test_a_discharge_time_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError):
        follow_up_schedule(dt.datetime(2026, 3, 10, 15, 0))


def test_a_follow_up_is_upcoming_then_due_then_overdue_until_done() -> None:
    assert state_at(at(3, 11, hour=14)) == FollowUpState.UPCOMING
    assert state_at(at(3, 11)) == FollowUpState.DUE  # due from exactly 24 h
    assert state_at(at(3, 12, hour=14)) == FollowUpState.DUE
    assert state_at(at(3, 12)) == FollowUpState.OVERDUE  # overdue from exactly 48 h
    # Once completed it is done, even when it was made late.
    assert state_at(at(3, 20), completed=at(3, 14)) == FollowUpState.DONE
    assert state_at(at(3, 10, hour=18), completed=at(3, 10, hour=17)) == FollowUpState.DONE


def test_fever_from_38_0_c_is_a_red_flag_and_37_9_is_not() -> None:
    assert red_flags(temperature_c=38.0) == [RedFlag.FEVER]
    assert red_flags(temperature_c=37.9) == []
    assert red_flags(temperature_c=None) == []


def test_pain_of_8_or_more_is_uncontrolled_pain_and_7_is_not() -> None:
    assert red_flags(nprs=8) == [RedFlag.UNCONTROLLED_PAIN]
    assert red_flags(nprs=10) == [RedFlag.UNCONTROLLED_PAIN]
    assert red_flags(nprs=7) == []


def test_reported_flags_are_kept_and_listed_in_a_fixed_order_once_each() -> None:
    flags = red_flags(
        reported=[RedFlag.CHEST_PAIN_BREATHING, RedFlag.WOUND, RedFlag.FEVER],
        temperature_c=38.6,
        nprs=9,
    )
    assert flags == [
        RedFlag.FEVER,
        RedFlag.WOUND,
        RedFlag.UNCONTROLLED_PAIN,
        RedFlag.CHEST_PAIN_BREATHING,
    ]


def test_any_red_flag_escalates_to_the_provider_and_none_does_not() -> None:
    assert needs_escalation([RedFlag.SADDLE_NUMBNESS])
    assert needs_escalation(red_flags(temperature_c=38.2))
    assert needs_escalation(f for f in [RedFlag.BOWEL_BLADDER])  # any iterable
    assert not needs_escalation(red_flags(temperature_c=37.2, nprs=3))
    assert not needs_escalation([])
