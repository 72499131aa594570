"""KPI definitions, policy thresholds, periods and ratios of the office metrics (mild/kpis.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from mild import messages
from mild.days import sqlite_local_date, sqlite_local_period
from mild.errors import RuleViolation
from mild.followup import FollowUpKind
from mild.kpis import (
    DEFAULT_POLICY,
    FUNNEL_STAGES,
    Grain,
    KpiPolicy,
    default_range,
    kpi_definitions,
    mean,
    per_cases,
    percent,
    period_end,
    period_start,
    periods,
    whole_periods,
)
from mild.scores import NPRS_IMPORTANT_FRACTION, NPRS_IMPORTANT_POINTS, ODI_IMPORTANT_POINTS

D = dt.date


# --- Definitions ---------------------------------------------------------------------------------


def test_every_kpi_says_what_it_counts_out_of_what_what_it_leaves_out_and_which_date_places_it():
    kpis = kpi_definitions()
    assert len(kpis) == 21
    for key, kpi in kpis.items():
        assert kpi.key == key
        for part in (kpi.name, kpi.numerator, kpi.denominator, kpi.excluded, kpi.dated_by):
            assert part.strip(), (key, part)


def test_the_definitions_state_the_policy_thresholds_they_are_computed_with():
    kpis = kpi_definitions()
    assert "+ 5 min grace" in kpis["first_case_on_time"].numerator
    assert "anesthesia start" in kpis["first_case_on_time"].numerator
    assert "more than 60 minutes" in kpis["over_60"].numerator
    assert "exactly 60 is not over" in kpis["over_60"].numerator
    assert "no more than 48 hours after the discharge time" in kpis["next_day_call"].numerator
    assert "+ 2 calendar days" in kpis["return_to_work"].numerator
    assert "not an exact 48 hours" in kpis["return_to_work"].numerator
    assert "2 points or more, or of 30% or more" in kpis["nprs"].numerator
    assert "10 points or more" in kpis["odi"].numerator
    assert "cancelled" in kpis["first_case_on_time"].excluded.lower()
    assert "without an end time" in kpis["duration"].excluded
    assert "different offices" in kpis["turnover"].excluded


def test_each_definition_states_its_words_exactly_as_domain_md_revised_them():
    """DOMAIN.md, "What managers measure" [rev]: on-time by patient in room with the cancelled
    first slot beside it; turnover out of room to in room, the interval under its own name;
    same-day cancellations over past days; outcomes among all due; open escalations now."""
    kpis = kpi_definitions()
    assert "patient was in the room" in kpis["first_case_on_time"].numerator
    assert "went ahead" in kpis["first_case_on_time"].denominator
    assert "lower case number" in kpis["first_case_on_time"].denominator
    assert "First slots cancelled" in kpis["first_case_on_time"].excluded
    assert "out of the room to the next patient in the room" in kpis["turnover"].numerator
    assert kpis["interval"].name == "Procedure-to-procedure interval"
    assert "Past days only" in kpis["same_day_cancellation"].denominator
    assert "reached or not" in kpis["nprs"].denominator
    assert "plotted upward" in kpis["odi"].numerator
    assert "open now" in kpis["resolution"].numerator
    assert "a call made before it fell due included" in kpis["funnel"].numerator


def test_a_changed_policy_changes_the_definition_a_manager_reads():
    kpis = kpi_definitions(KpiPolicy(on_time_grace_minutes=10, long_procedure_minutes=75))
    assert "+ 10 min grace" in kpis["first_case_on_time"].numerator
    assert kpis["over_60"].name == "Procedures over 75 minutes"


def test_the_improvement_thresholds_are_the_ones_the_scores_use():
    assert DEFAULT_POLICY.nprs_points == NPRS_IMPORTANT_POINTS == 2
    assert DEFAULT_POLICY.nprs_percent / 100 == NPRS_IMPORTANT_FRACTION
    assert DEFAULT_POLICY.odi_points == ODI_IMPORTANT_POINTS == 10
    assert DEFAULT_POLICY.on_time_grace_minutes == 5
    assert DEFAULT_POLICY.long_procedure_minutes == 60
    assert DEFAULT_POLICY.comparison_visit == FollowUpKind.MONTHS_3


def test_the_funnel_runs_from_request_to_follow_up_complete():
    assert [label for _, label in FUNNEL_STAGES] == [
        "Consult requested",
        "Intake started",
        "Booked",
        "Procedure done",
        "Follow-up complete so far",
    ]


# --- Periods --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (D(2025, 1, 6), D(2025, 1, 6), D(2025, 1, 12)),  # a Monday
        (D(2025, 1, 12), D(2025, 1, 6), D(2025, 1, 12)),  # a Sunday ends its week
        (D(2025, 1, 1), D(2024, 12, 30), D(2025, 1, 5)),  # a week across the new year
    ],
)
def test_a_week_runs_monday_to_sunday(day, start, end):
    assert (period_start(day, Grain.WEEK), period_end(day, Grain.WEEK)) == (start, end)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (D(2024, 2, 14), D(2024, 2, 1), D(2024, 2, 29)),  # leap year
        (D(2025, 2, 28), D(2025, 2, 1), D(2025, 2, 28)),
        (D(2025, 12, 31), D(2025, 12, 1), D(2025, 12, 31)),
    ],
)
def test_a_month_runs_from_the_first_to_its_last_day(day, start, end):
    assert (period_start(day, Grain.MONTH), period_end(day, Grain.MONTH)) == (start, end)


def test_periods_lists_the_first_day_of_every_period_touched():
    assert periods(D(2025, 1, 8), D(2025, 1, 20), Grain.WEEK) == [
        D(2025, 1, 6),
        D(2025, 1, 13),
        D(2025, 1, 20),
    ]
    assert periods(D(2024, 11, 30), D(2025, 2, 1), Grain.MONTH) == [
        D(2024, 11, 1),
        D(2024, 12, 1),
        D(2025, 1, 1),
        D(2025, 2, 1),
    ]


def test_a_range_is_widened_to_whole_periods_so_no_point_on_a_chart_is_cut_short():
    weeks = whole_periods(D(2025, 1, 8), D(2025, 1, 15), Grain.WEEK)
    assert (weeks.start, weeks.end, weeks.periods) == (
        D(2025, 1, 6),
        D(2025, 1, 19),
        [D(2025, 1, 6), D(2025, 1, 13)],
    )
    months = whole_periods(D(2025, 1, 8), D(2025, 1, 15), Grain.MONTH)
    assert (months.start, months.end) == (D(2025, 1, 1), D(2025, 1, 31))


def test_a_range_ending_before_it_starts_is_refused():
    with pytest.raises(RuleViolation) as refused:
        whole_periods(D(2025, 2, 1), D(2025, 1, 1), Grain.WEEK)
    assert (refused.value.field, refused.value.message) == (
        "range",
        messages.METRICS_RANGE_BACKWARDS,
    )


def test_a_range_with_more_points_than_a_chart_keeps_readable_is_refused():
    limit = DEFAULT_POLICY.max_periods
    first = D(2024, 1, 1)  # a Monday
    assert len(whole_periods(first, first + dt.timedelta(weeks=limit - 1), Grain.WEEK).periods) == (
        limit
    )
    with pytest.raises(RuleViolation) as refused:
        whole_periods(first, first + dt.timedelta(weeks=limit), Grain.WEEK)
    assert refused.value.message == messages.METRICS_WEEKS_TOO_MANY.format(
        count=limit + 1, limit=limit
    )
    # Five years by month fits.
    assert len(whole_periods(D(2021, 1, 1), D(2025, 12, 31), Grain.MONTH).periods) == 60


def test_too_many_weeks_suggests_months_and_too_many_months_only_a_shorter_range():
    limit = DEFAULT_POLICY.max_periods
    with pytest.raises(RuleViolation) as weeks:
        whole_periods(D(2024, 1, 1), D(2024, 1, 1) + dt.timedelta(weeks=limit), Grain.WEEK)
    with pytest.raises(RuleViolation) as months:
        whole_periods(D(2015, 1, 1), D(2025, 12, 31), Grain.MONTH)

    assert weeks.value.message.endswith("Pick a shorter range, or group by month.")
    assert months.value.message == (
        f"That range has 132 months; a chart shows at most {limit}. "
        f"Pick a range of at most {limit} months."
    )


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (D(2026, 11, 24), D(2025, 12, 1)),
        (D(2026, 1, 15), D(2025, 2, 1)),
        (D(2026, 12, 31), D(2026, 1, 1)),
    ],
)
def test_the_default_range_is_the_last_twelve_months_to_today(today, start):
    assert default_range(today) == (start, today)
    assert len(periods(*default_range(today), Grain.MONTH)) == 12


@pytest.mark.parametrize(
    ("stored", "zone", "day", "week", "month"),
    [
        # 00:20 EDT on Wed 1 July 2026: summer time, the first local hour of a month.
        ("2026-07-01 04:20:00", "America/New_York", "2026-07-01", "2026-06-29", "2026-07-01"),
        # 23:59 EST on Tue 30 June would be 04:59 UTC... in winter the offset is -5 h:
        (
            "2026-01-01 04:59:59.999999",
            "America/New_York",
            "2025-12-31",
            "2025-12-29",
            "2025-12-01",
        ),
        # The spring change in New York (Sun 8 March 2026, 02:00 EST -> 03:00 EDT).
        ("2026-03-08 06:59:00", "America/New_York", "2026-03-08", "2026-03-02", "2026-03-01"),
        ("2026-03-09 03:59:00", "America/New_York", "2026-03-08", "2026-03-02", "2026-03-01"),
        ("2026-03-09 04:00:00", "America/New_York", "2026-03-09", "2026-03-09", "2026-03-01"),
        # Newfoundland changes at 02:00 local, 05:30 UTC: a half-hour zone.
        ("2026-11-01 02:29:00", "America/St_Johns", "2026-10-31", "2026-10-26", "2026-10-01"),
        # Sydney: summer time in January.
        ("2026-01-31 13:00:00", "Australia/Sydney", "2026-02-01", "2026-01-26", "2026-02-01"),
        ("2026-06-30 23:30:00", "UTC", "2026-06-30", "2026-06-29", "2026-06-01"),
    ],
)
def test_sqlites_office_local_day_and_period_are_exact_like_zoneinfo(
    stored, zone, day, week, month
):
    """SQLite knows no time zones: local_date / local_period (registered on each connection)
    convert as PostgreSQL's timezone() does, summer time and change days included."""
    assert sqlite_local_date(stored, zone) == day
    assert sqlite_local_period(stored, zone, "week") == week
    assert sqlite_local_period(stored, zone, "month") == month
    moment = dt.datetime.fromisoformat(stored).replace(tzinfo=dt.UTC)
    assert day == moment.astimezone(ZoneInfo(zone)).date().isoformat()
    assert sqlite_local_date(None, zone) is None


# --- Ratios ---------------------------------------------------------------------------------------


def test_a_rate_with_nothing_to_divide_by_is_blank_not_zero():
    assert percent(2, 3) == 66.7
    assert percent(0, 4) == 0.0
    assert percent(0, 0) is None
    assert per_cases(3, 4) == 75.0
    assert per_cases(1, 0) is None
    assert mean(246, 4) == 61.5
    assert mean(0, 0) is None
    assert mean(None, 3) is None
