"""KPI definitions, policy thresholds, periods and ratios of the office metrics (mild/kpis.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
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
    standard_offset_minutes,
    whole_periods,
)
from mild.scores import NPRS_IMPORTANT_FRACTION, NPRS_IMPORTANT_POINTS, ODI_IMPORTANT_POINTS

D = dt.date


# --- Definitions ---------------------------------------------------------------------------------


def test_every_kpi_says_what_it_counts_out_of_what_what_it_leaves_out_and_which_date_places_it():
    kpis = kpi_definitions()
    assert len(kpis) == 15
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
    assert "within 48 h" in kpis["next_day_call"].numerator
    assert "+ 2 days" in kpis["return_to_work"].numerator
    assert "2 points or more, or of 30% or more" in kpis["nprs"].numerator
    assert "10 points or more" in kpis["odi"].numerator
    assert "cancelled" in kpis["first_case_on_time"].excluded.lower()
    assert "without an end time" in kpis["duration"].excluded
    assert "different offices" in kpis["turnaround"].excluded


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
    assert refused.value.message == messages.METRICS_RANGE_TOO_LONG.format(
        count=limit + 1, grain="week", limit=limit
    )
    # Five years by month fits.
    assert len(whole_periods(D(2021, 1, 1), D(2025, 12, 31), Grain.MONTH).periods) == 60


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
    ("zone", "offset"),
    [
        ("America/New_York", -300),
        ("America/Chicago", -360),
        ("America/Phoenix", -420),  # no summer time at all
        ("America/Los_Angeles", -480),
        ("Australia/Sydney", 600),  # summer time in January
        ("UTC", 0),
    ],
)
def test_the_standard_offset_is_the_winter_one_north_or_south(zone, offset):
    assert standard_offset_minutes(zone, 2025) == offset


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
