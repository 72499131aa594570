"""Schedule and board rules: working days, planned against actual bars, stage colours, the
waiting-room view."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from mild import messages
from mild.board import (
    BOARD_STAGES,
    PUBLIC_COLUMNS,
    STAGE_COLOURS,
    board_stage,
    format_minutes,
    minutes_in_stage,
    public_view,
    stage_colour,
)
from mild.cases import CaseStatus
from mild.schedule import (
    ACTUAL,
    PLANNED,
    TimelineBar,
    may_cancel,
    may_reschedule,
    next_working_day,
    readiness_text,
    timeline_bars,
    week_of,
)

NEW_YORK = "America/New_York"
MONDAY = dt.date(2026, 11, 23)


def utc(hour: int, minute: int = 0, day: int = 24) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


def case(**fields) -> SimpleNamespace:
    row = {
        "code": "AA-00001",
        "status": CaseStatus.SCHEDULED,
        "scheduled_start": utc(14),  # 09:00 in New York (EST)
        "planned_minutes": 60,
        "procedure_started_at": None,
        "procedure_ended_at": None,
    }
    row.update(fields)
    return SimpleNamespace(**row)


# --- working days --------------------------------------------------------------------------


def test_the_next_working_day_after_a_weekday_is_the_next_day():
    assert next_working_day(MONDAY) == MONDAY + dt.timedelta(days=1)


@pytest.mark.parametrize("offset", [4, 5, 6], ids=["friday", "saturday", "sunday"])
def test_the_next_working_day_after_friday_or_the_weekend_is_monday(offset):
    assert next_working_day(MONDAY + dt.timedelta(days=offset)) == MONDAY + dt.timedelta(days=7)


def test_readiness_reads_ready_or_names_each_missing_item():
    assert readiness_text([]) == messages.SCHED_READY == "Ready"
    assert readiness_text(["Escort arranged", "Holds confirmed"]) == (
        "Escort arranged; Holds confirmed"
    )


def test_a_booking_may_be_moved_until_the_patient_arrives_and_cancelled_until_the_procedure():
    assert may_reschedule(CaseStatus.SCHEDULED) and may_cancel(CaseStatus.SCHEDULED)
    assert not may_reschedule(CaseStatus.CHECKED_IN) and may_cancel(CaseStatus.CHECKED_IN)
    assert not may_reschedule(CaseStatus.IN_PROCEDURE)
    assert not may_cancel(CaseStatus.IN_PROCEDURE)
    assert not may_reschedule(CaseStatus.CANCELLED) and not may_cancel(CaseStatus.CANCELLED)


def test_a_week_runs_monday_to_sunday_around_any_of_its_days():
    days = week_of(MONDAY + dt.timedelta(days=3))
    assert days[0] == MONDAY and days[-1] == MONDAY + dt.timedelta(days=6) and len(days) == 7
    assert week_of(MONDAY + dt.timedelta(days=6)) == days


# --- planned against actual ---------------------------------------------------------------


def test_a_case_not_yet_started_has_only_its_planned_bar_in_office_local_time():
    (bar,) = timeline_bars([case()], NEW_YORK, now=utc(13))
    assert bar == TimelineBar(
        "AA-00001",
        PLANNED,
        dt.datetime(2026, 11, 24, 9, 0),
        dt.datetime(2026, 11, 24, 10, 0),
        "Scheduled",
    )


def test_a_finished_procedure_has_an_actual_bar_from_start_to_end():
    done = case(
        status=CaseStatus.RECOVERY,
        planned_minutes=45,
        procedure_started_at=utc(14, 10),
        procedure_ended_at=utc(15, 20),
    )
    planned, actual = timeline_bars([done], NEW_YORK, now=utc(16))
    assert (planned.start.time(), planned.end.time()) == (dt.time(9, 0), dt.time(9, 45))
    assert actual.kind == ACTUAL
    assert (actual.start.time(), actual.end.time()) == (dt.time(9, 10), dt.time(10, 20))


def test_a_procedure_under_way_runs_its_actual_bar_up_to_now():
    running = case(status=CaseStatus.IN_PROCEDURE, procedure_started_at=utc(14, 5))
    _planned, actual = timeline_bars([running], NEW_YORK, now=utc(14, 50))
    assert (actual.start.time(), actual.end.time()) == (dt.time(9, 5), dt.time(9, 50))


def test_a_procedure_started_this_minute_never_ends_before_it_started():
    """The screen draws at `now` to the minute (its figure cached by the minute)."""
    running = case(
        status=CaseStatus.IN_PROCEDURE, procedure_started_at=utc(14, 5) + dt.timedelta(seconds=40)
    )
    _planned, actual = timeline_bars([running], NEW_YORK, now=utc(14, 5))
    assert actual.end >= actual.start


def test_pandas_missing_times_count_as_not_happened():
    row = case(procedure_started_at=pd.NaT, procedure_ended_at=pd.NaT)
    assert [b.kind for b in timeline_bars([row], NEW_YORK, now=utc(15))] == [PLANNED]


def test_a_started_procedure_without_an_end_that_is_no_longer_running_draws_no_actual_bar():
    odd = case(status=CaseStatus.RECOVERY, procedure_started_at=utc(14, 5))
    assert [b.kind for b in timeline_bars([odd], NEW_YORK, now=utc(15))] == [PLANNED]


# --- the board ------------------------------------------------------------------------------


def test_every_status_has_a_board_stage_and_a_colour():
    for status in CaseStatus:
        assert board_stage(status) in (*BOARD_STAGES, CaseStatus.CANCELLED)
        assert stage_colour(status) is STAGE_COLOURS[board_stage(status)]


def test_each_stage_has_its_own_colour():
    shown = [*BOARD_STAGES, CaseStatus.CANCELLED]
    assert set(STAGE_COLOURS) == set(shown)
    assert len({c.badge for c in STAGE_COLOURS.values()}) == len(shown)
    assert len({c.background for c in STAGE_COLOURS.values()}) == len(shown)


def test_a_booking_still_in_intake_waits_with_the_scheduled_and_follow_up_counts_as_gone_home():
    assert board_stage(CaseStatus.INTAKE) == CaseStatus.SCHEDULED
    assert board_stage(CaseStatus.FOLLOW_UP) == CaseStatus.DISCHARGED


def test_time_in_stage_counts_from_the_stamp_of_the_current_stage():
    times = {"checked_in_at": utc(13, 0), "procedure_started_at": utc(14, 5)}
    assert minutes_in_stage(CaseStatus.IN_PROCEDURE, times, now=utc(14, 50)) == 45
    assert minutes_in_stage(CaseStatus.CHECKED_IN, times, now=utc(14, 50)) == 110
    assert minutes_in_stage(CaseStatus.SCHEDULED, times, now=utc(14, 50)) is None
    assert minutes_in_stage(CaseStatus.RECOVERY, {"recovery_in_at": pd.NaT}, utc(15)) is None


def test_no_clock_runs_on_the_board_once_the_patient_has_left():
    """The board's "In stage" is a wait on site: a discharged or cancelled case shows none."""
    times = {"discharged_at": utc(12), "cancelled_at": utc(12)}
    assert minutes_in_stage(CaseStatus.DISCHARGED, times, now=utc(20)) is None
    assert minutes_in_stage(CaseStatus.CANCELLED, times, now=utc(20)) is None


def test_time_in_stage_reads_in_minutes_then_hours():
    assert format_minutes(None) == ""
    assert format_minutes(7) == "7 min"
    assert format_minutes(65) == "1 h 05 min"


def test_the_waiting_room_view_keeps_only_the_office_waiting_code_and_stage_of_those_on_site():
    rows = pd.DataFrame(
        {
            "office_id": [1, 1, 1],
            "code": ["AA-00001", "AA-00002", "AA-00003"],
            "waiting_code": ["K482", None, "P117"],
            "status": [CaseStatus.IN_PROCEDURE, CaseStatus.FOLLOW_UP, CaseStatus.CHECKED_IN],
            "patient": ["Doe, Jane", "Roe, Richard", "Poe, Edgar"],
            "date_of_birth": [dt.date(1950, 1, 1), dt.date(1948, 2, 2), dt.date(1949, 3, 3)],
            "provider": ["Dr. Who", "Dr. No", "Dr. Who"],
            "escalated": ["Fever", "", ""],
        }
    )
    public = public_view(rows)
    assert list(public.columns) == list(PUBLIC_COLUMNS) == ["office_id", "waiting_code", "stage"]
    assert public.to_dict("records") == [
        {"office_id": 1, "waiting_code": "K482", "stage": "In procedure"},
        {"office_id": 1, "waiting_code": "P117", "stage": "Checked in"},
    ]
    text = public.to_csv()
    for secret in ("AA-0000", "Doe", "Roe", "Poe", "1950", "Dr.", "Fever"):
        assert secret not in text
