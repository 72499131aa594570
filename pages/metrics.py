"""Office metrics for managers: throughput, day quality, follow-up and outcomes per office,
each KPI with its definition one click away and every table downloadable as CSV."""

from __future__ import annotations

import streamlit as st

from mild.staff import Screen
from services.common import now_utc
from ui import metrics, metrics_charts, metrics_comparison, metrics_safety
from ui.auth import require, user_offices
from ui.safe import show_failure

TABS = ("Comparison", "Throughput", "Day quality", "Follow-up and outcomes", "Safety")


def render() -> None:
    user = require(Screen.METRICS)
    st.title("Office metrics")
    mine = user_offices(user)
    if not mine:
        return
    now = now_utc()
    choice = metrics.filters(mine, now)
    if choice is None:
        return
    try:
        data = metrics.load(user.office_ids, choice)
    except Exception as exc:
        show_failure(exc)
        return
    grain = choice.range.grain
    metrics.range_caption(choice.range, metrics.today(mine, now))
    metrics.freshness(data, mine)
    # Only the open tab runs: a rerun draws the charts of one tab, not of all four.
    comparison, throughput, quality, after, safety = st.tabs(
        TABS, key="metrics_tab", on_change="rerun"
    )
    if comparison.open:
        with comparison:
            metrics_comparison.comparison(data)
    if throughput.open:
        with throughput:
            metrics.heading("Completed cases", "completed")
            metrics_charts.period_chart(
                data,
                "completed",
                f"Completed cases per {grain.value}",
                "cases",
                "metrics_completed_chart",
            )
            metrics.funnel(data)
            metrics.period_table(data, ["completed"], "completed_cases", "metrics_throughput")
    if quality.open:
        with quality:
            metrics.heading(
                "First-case on-time start", "first_case_on_time", "cancelled_first_slots"
            )
            metrics_charts.period_chart(
                data, "on_time_pct", "First cases on time", "%", "metrics_on_time_chart"
            )
            metrics.heading("Procedure duration", "duration", "over_60")
            left, right = st.columns(2)
            with left:
                metrics_charts.period_chart(
                    data,
                    "duration_mean",
                    "Mean duration",
                    "minutes",
                    "metrics_duration_chart",
                    mark=60,
                )
            with right:
                metrics_charts.period_chart(
                    data, "over_long_pct", "Share over 60 minutes", "%", "metrics_over_chart"
                )
            metrics.heading("Recovery-room stay", "recovery_stay")
            metrics_charts.period_chart(
                data, "recovery_mean", "Mean stay", "minutes", "metrics_recovery_chart"
            )
            metrics.heading("Same-day cancellations", "same_day_cancellation")
            metrics_charts.period_chart(
                data, "same_day_pct", "Cancelled on the day", "%", "metrics_same_day_chart"
            )
            metrics.cancellation_reasons(data)
            metrics.heading("Pre-op calls", "preop_call", "same_day_by_call")
            metrics_charts.chart_pair(
                data,
                ("preop_reach_pct", "Reached by the pre-op call", "%", "metrics_preop_chart"),
                (
                    "same_day_reached_pct",
                    "Cancelled on the day, among those reached",
                    "%",
                    "metrics_preop_same_day_chart",
                ),
            )
            metrics.heading("Turnover and procedure-to-procedure interval", "turnover", "interval")
            metrics_charts.chart_pair(
                data,
                (
                    "turnover_mean",
                    "Mean turnover (out of room to next in room)",
                    "minutes",
                    "metrics_turnover_chart",
                ),
                (
                    "interval_mean",
                    "Mean procedure-to-procedure interval",
                    "minutes",
                    "metrics_interval_chart",
                ),
            )
            metrics.period_table(data, metrics.DAY_QUALITY, "day_quality", "metrics_quality")
    if after.open:
        with after:
            metrics.heading("Next-day call and return to work", "next_day_call", "return_to_work")
            metrics_charts.chart_pair(
                data,
                ("call_pct", "Reached within 48 h of discharge", "%", "metrics_call_chart"),
                ("rtw_pct", "Back at work by day 2", "%", "metrics_rtw_chart"),
            )
            metrics.heading("Red flags and escalations", "red_flags", "escalations", "resolution")
            metrics_charts.period_chart(
                data,
                "red_flags_per_100",
                "Red flags per 100 cases",
                "per 100",
                "metrics_flags_chart",
            )
            metrics.escalation_table(data)
            metrics.heading("Outcomes: NPRS and ODI", "nprs", "odi")
            metrics.outcomes(data)
            metrics.period_table(data, metrics.AFTER_DISCHARGE, "after_discharge", "metrics_after")
    if safety.open:
        with safety:
            metrics_safety.safety(data)
