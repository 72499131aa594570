"""Office metrics widgets: the filters, the cached load, KPI headings with their definitions,
small plotly charts (one line per office), and tables with a CSV download.

Charts stay small: one trace per office and one point per week or month (at most
KpiPolicy.max_periods). The data is cached per filter choice until the next saved change (or for
a few minutes at most); the screen says when it was computed and offers Refresh. Every number
comes grouped from the database (db/queries/metrics.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from db.queries.home import OfficeRow
from db.queries.metrics import OfficeMetrics, data_source, last_change, office_metrics
from mild import messages
from mild.cases import CancelReason
from mild.errors import RuleViolation
from mild.followup import FollowUpKind
from mild.kpis import (
    FUNNEL_STAGES,
    DateRange,
    Grain,
    Kpi,
    default_range,
    kpi_definitions,
    whole_periods,
)
from services.common import now_utc
from ui.format import local_time, zone_abbreviation
from ui.metrics_charts import chart, figure, today, values

CACHE_SECONDS = 300
CACHE_ENTRIES = 64  # filter choices kept; an entry made stale by a write is never asked again
KPIS = kpi_definitions()

# The office comparison table: column -> (heading, KPI it belongs to, number format).
COMPARISON_COLUMNS: dict[str, tuple[str, str, str]] = {
    "completed": ("Completed", "completed", "%d"),
    "on_time_pct": ("First case on time %", "first_case_on_time", "%.1f"),
    "cancelled_first_slots": ("First slots cancelled", "cancelled_first_slots", "%d"),
    "duration_mean": ("Duration mean (min)", "duration", "%.1f"),
    "duration_median": ("Duration median (min)", "duration", "%.1f"),
    "over_long_pct": ("Over 60 min %", "over_60", "%.1f"),
    "recovery_mean": ("Recovery mean (min)", "recovery_stay", "%.1f"),
    "recovery_median": ("Recovery median (min)", "recovery_stay", "%.1f"),
    "same_day_pct": ("Same-day cancelled %", "same_day_cancellation", "%.1f"),
    "preop_reach_pct": ("Pre-op call reached %", "preop_call", "%.1f"),
    "same_day_reached_pct": ("Same-day cancelled %, reached", "same_day_by_call", "%.1f"),
    "same_day_unreached_pct": ("Same-day cancelled %, not reached", "same_day_by_call", "%.1f"),
    "turnover_mean": ("Turnover mean (min)", "turnover", "%.1f"),
    "turnover_median": ("Turnover median (min)", "turnover", "%.1f"),
    "interval_median": ("Procedure interval median (min)", "interval", "%.1f"),
    "call_pct": ("Called within 48 h %", "next_day_call", "%.1f"),
    "rtw_pct": ("Back at work by day 2 %", "return_to_work", "%.1f"),
    "red_flags_per_100": ("Red flags / 100 cases", "red_flags", "%.1f"),
    "escalations_per_100": ("Escalations / 100 cases", "escalations", "%.1f"),
    "resolution_median": ("Time to resolve, median (h)", "resolution", "%.1f"),
    "open_escalations": ("Escalations open now", "resolution", "%d"),
    "asc_events": ("ASC-1 to ASC-4 events", "safety_events", "%d"),
    "asc_per_1000": ("ASC-1 to ASC-4 / 1,000 admissions", "safety_events", "%.1f"),
    "hospital_visits": ("Hospital visits in 7 days", "hospital_visits", "%d"),
    "hospital_visits_per_1000": ("Hospital visits in 7 days / 1,000", "hospital_visits", "%.1f"),
    "nprs_improved_pct": ("Pain improved % of due (3 mo)", "nprs", "%.1f"),
    "odi_improved_pct": ("Disability improved % of due (3 mo)", "odi", "%.1f"),
}
PERIOD_COLUMNS: dict[str, str] = {
    "completed": "Completed",
    "first_cases": "First cases",
    "on_time": "First cases on time",
    "on_time_pct": "First case on time %",
    "cancelled_first_slots": "First slots cancelled",
    "timed_cases": "Timed cases",
    "duration_mean": "Duration mean (min)",
    "over_long_pct": "Over 60 min %",
    "recovery_mean": "Recovery mean (min)",
    "booked": "Booked for the day",
    "cancelled_same_day": "Cancelled same day",
    "same_day_pct": "Same-day cancelled %",
    "booked_reached": "Reached by the pre-op call",
    "preop_reach_pct": "Pre-op call reached %",
    "same_day_reached": "Cancelled same day, reached",
    "same_day_reached_pct": "Same-day cancelled %, reached",
    "same_day_unreached_pct": "Same-day cancelled %, not reached",
    "turnover_pairs": "Turnover pairs",
    "turnover_mean": "Turnover mean (min)",
    "interval_pairs": "Procedure interval pairs",
    "interval_mean": "Procedure interval mean (min)",
    "discharged": "Discharged",
    "call_known": "Calls decided (48 h passed or reached)",
    "called_in_time": "Reached within 48 h",
    "call_pct": "Called within 48 h %",
    "rtw_answered": "Working, answered",
    "rtw_returned": "Back at work by day 2",
    "rtw_pct": "Back at work by day 2 %",
    "red_flags": "Red flags",
    "escalations": "Escalations",
    "red_flags_per_100": "Red flags / 100",
    "escalations_per_100": "Escalations / 100",
    "admitted": "Admissions (checked in)",
    "asc_events": "ASC-1 to ASC-4 events",
    "asc_per_1000": "ASC events / 1,000 admissions",
    "hospital_visits": "Hospital visits in 7 days",
    "hospital_visits_per_1000": "Hospital visits / 1,000 discharges",
}
DAY_QUALITY = [
    "completed",
    "first_cases",
    "on_time",
    "on_time_pct",
    "cancelled_first_slots",
    "timed_cases",
    "duration_mean",
    "over_long_pct",
    "recovery_mean",
    "booked",
    "cancelled_same_day",
    "same_day_pct",
    "booked_reached",
    "preop_reach_pct",
    "same_day_reached",
    "same_day_reached_pct",
    "same_day_unreached_pct",
    "turnover_pairs",
    "turnover_mean",
    "interval_pairs",
    "interval_mean",
]
AFTER_DISCHARGE = [
    "discharged",
    "call_known",
    "called_in_time",
    "call_pct",
    "rtw_answered",
    "rtw_returned",
    "rtw_pct",
    "red_flags",
    "escalations",
    "red_flags_per_100",
    "escalations_per_100",
]


SAFETY = [
    "admitted",
    "asc_events",
    "asc_per_1000",
    "discharged",
    "hospital_visits",
    "hospital_visits_per_1000",
]


@dataclass(frozen=True)
class Choice:
    """What the filters ask for: offices (ids) and whole periods."""

    office_ids: tuple[int, ...]
    range: DateRange


def filters(mine: Sequence[OfficeRow], now: dt.datetime) -> Choice | None:
    """Offices, dates and week or month; None (with the reason shown beside its field) until
    the choice can be drawn."""
    by_id = {o.id: o for o in mine}
    start, end = default_range(today(mine, now))
    # The offices on a row of their own: beside the dates, a tablet showed one office's name
    # and a half.
    picked = st.multiselect(
        "Offices",
        options=list(by_id),
        default=list(by_id),
        format_func=lambda i: f"{by_id[i].code} · {by_id[i].name}",
        key="metrics_offices",
    )
    if not picked:
        st.error(messages.METRICS_PICK_OFFICES, icon=":material/error:")
    when, how = st.columns([3, 1])
    with when:
        dates = st.date_input("Dates", value=(start, end), key="metrics_range", format="YYYY-MM-DD")
    grain = how.radio(
        "Group by",
        list(Grain),
        index=list(Grain).index(Grain.MONTH),
        format_func=lambda g: g.label,
        key="metrics_grain",
    )
    if not isinstance(dates, tuple | list) or len(dates) != 2:
        when.info(messages.METRICS_PICK_RANGE_END, icon=":material/date_range:")
        return None
    try:
        chosen = whole_periods(dates[0], dates[1], Grain(grain))
    except RuleViolation as refusal:
        when.error(refusal.message, icon=":material/error:")
        return None
    if not picked:
        return None
    return Choice(tuple(sorted(picked)), chosen)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached(
    source: str,
    change: tuple[int, int],
    scope: tuple[int, ...],
    office_ids: tuple[int, ...],
    start: dt.date,
    end: dt.date,
    grain: str,
) -> OfficeMetrics:
    # `source` keys the cache by database, so two databases in one process never share it;
    # `change` (the last saved change) makes a write anywhere start a fresh entry.
    del source, change
    return office_metrics(scope, office_ids, DateRange(start, end, Grain(grain)), now_utc())


def load(scope: frozenset[int], choice: Choice) -> OfficeMetrics:
    """The metrics for the choice: from cache while nothing was saved since they were computed
    (and for a few minutes at most), else computed now."""
    r = choice.range
    return _cached(
        data_source(),
        last_change(),
        tuple(sorted(scope)),
        choice.office_ids,
        r.start,
        r.end,
        r.grain.value,
    )


def refresh() -> None:
    """Forget every cached figure: the next draw computes them from the database."""
    _cached.clear()


def freshness(data: OfficeMetrics, mine: Sequence[OfficeRow]) -> None:
    """When the figures were computed, in the user's office time, and a Refresh button (for
    what changes with the clock alone, e.g. a next-day call whose 48 hours ran out)."""
    tz, at = mine[0].timezone, data.computed_at or now_utc()
    note, button = st.columns([4, 1], vertical_alignment="center")
    note.caption(
        messages.METRICS_AS_OF.format(time=local_time(tz, at), zone=zone_abbreviation(tz, at))
    )
    button.button(
        "Refresh",
        key="metrics_refresh",
        icon=":material/refresh:",
        on_click=refresh,
        width="stretch",
    )


# --- Headings, definitions, tables ---------------------------------------------------------------


def definition(kpi: Kpi) -> str:
    """A KPI's definition, as Markdown: what is counted, out of what, what is left out, which
    date."""
    # Our own text (mild/kpis.py), never typed by a user: markdown is safe here.
    return (
        f"**{kpi.name}**  \n**Counts:** {kpi.numerator}  \n**Out of:** {kpi.denominator}  \n"
        f"**Left out:** {kpi.excluded}  \n**Dated by:** {kpi.dated_by}"
    )


def heading(title: str, *keys: str) -> None:
    """A section title with the definitions of its KPIs one click away: one element for them
    all, a paragraph each (every element drawn is paid in the browser on every run, issue 12)."""
    text, more = st.columns([4, 1], vertical_alignment="bottom")
    text.subheader(title)
    with more.popover("Definition", icon=":material/info:", width="stretch"):
        st.markdown("\n\n".join(definition(KPIS[key]) for key in keys))


def _headers(frame: pd.DataFrame, column_config: dict | None) -> pd.DataFrame:
    """The frame with the headings the table shows (the clinic's words, not column names)."""
    names = {}
    for column, config in (column_config or {}).items():
        label = config if isinstance(config, str) else (config or {}).get("label")
        if label:
            names[column] = label
    return frame.rename(columns=names)


MISSING = "—"  # a value that cannot be computed (nothing to divide by), never "None"


def table(
    frame: pd.DataFrame,
    name: str,
    key: str,
    column_config: dict | None = None,
    styled: Styler | None = None,
) -> None:
    """A table (drawn from `styled` when given: cell colours) and, under it, the same rows as
    a CSV download with the same headings."""
    st.dataframe(
        frame if styled is None else styled,
        hide_index=True,
        width="stretch",
        column_config=column_config,
        key=f"{key}_table",
        placeholder=MISSING,
    )
    st.download_button(
        "Download CSV",
        data=_headers(frame, column_config).to_csv(index=False),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )


def _codes(data: OfficeMetrics) -> dict[int, str]:
    return {o.id: o.code for o in data.offices}


def file_name(data: OfficeMetrics, what: str) -> str:
    """Named by the days its data covers: the range, up to today when it runs on."""
    last = data.range.end
    if data.offices and data.computed_at is not None:
        last = min(last, today(data.offices, data.computed_at))
    return f"{what}_{data.range.start.isoformat()}_to_{last.isoformat()}"


def range_caption(chosen: DateRange, today: dt.date) -> None:
    """Which days the numbers cover: whole weeks or months, and whether the last is unfinished."""
    note = (
        f"Whole {chosen.grain.value}s from {chosen.start:%d %b %Y} to {chosen.end:%d %b %Y} "
        "(office-local days)."
    )
    if chosen.start <= today < chosen.end:
        note += f" The last {chosen.grain.value} is still running: it counts days up to today."
    st.caption(note)


def period_table(data: OfficeMetrics, columns: list[str], what: str, key: str) -> None:
    """The numbers behind a tab's charts: numerators and denominators per office and period."""
    codes = _codes(data)
    frame = data.by_period.assign(office=[codes[i] for i in data.by_period.office_id])
    frame = frame[["office", "period", *columns]]
    with st.expander(f"Numbers by {data.range.grain.value}"):
        table(
            frame,
            file_name(data, what),
            key,
            {"office": "Office", "period": data.range.grain.label}
            | {c: PERIOD_COLUMNS[c] for c in columns},
        )


# --- Charts: ui/metrics_charts.py ----------------------------------------------------------------


def funnel(data: OfficeMetrics) -> None:
    heading("Funnel: consult request to follow-up complete", "funnel")
    labels = [label for _, label in FUNNEL_STAGES]
    codes = _codes(data)
    traces = [
        {
            "type": "bar",
            "name": codes[row.office_id],
            "x": labels,
            "y": [float(getattr(row, c)) for c, _ in FUNNEL_STAGES],
        }
        for row in data.funnel.itertuples(index=False)
    ]
    title = "Requests in the range by the furthest stage reached"
    chart(figure(title, "cases", traces, hovermode="closest"), "metrics_funnel_chart")
    frame = data.funnel.assign(office=[codes[i] for i in data.funnel.office_id])
    columns = [c for c, _ in FUNNEL_STAGES]
    table(
        frame[["office", *columns]],
        file_name(data, "funnel"),
        "metrics_funnel",
        {"office": "Office"}
        | {c: st.column_config.NumberColumn(label, format="%d") for c, label in FUNNEL_STAGES},
    )


def cancellation_reasons(data: OfficeMetrics) -> None:
    """Same-day cancellations by reason: a bar per reason, one trace per office, and the table."""
    codes = _codes(data)
    reasons = data.reasons.assign(
        office=[codes[i] for i in data.reasons.office_id],
        reason=[_reason_label(r) for r in data.reasons.reason],
    )
    if reasons.empty:
        st.caption(messages.METRICS_NO_CANCELLATIONS)
        return
    # Horizontal bars: reason names stay readable on a tablet instead of slanting into the legend.
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": office,
            "y": list(rows.reason),
            "x": values(rows.cancelled),
        }
        for office, rows in reasons.groupby("office", sort=True)
    ]
    fig = figure(
        "Same-day cancellations by reason",
        "",
        traces,
        barmode="stack",
        hovermode="closest",
        xaxis={"title": {"text": "cases"}},
        yaxis={"automargin": True},
    )
    chart(fig, "metrics_reasons_chart")
    table(
        reasons[["office", "reason", "cancelled"]].sort_values(["office", "reason"]),
        file_name(data, "same_day_cancellations_by_reason"),
        "metrics_reasons",
        {"office": "Office", "reason": "Reason", "cancelled": "Cancelled same day"},
    )


def _reason_label(reason: CancelReason | None) -> str:
    return CancelReason(reason).label if reason else "Not recorded"


def escalation_table(data: OfficeMetrics) -> None:
    frame = data.comparison[
        [
            "office",
            "red_flags_per_100",
            "escalations_per_100",
            "resolution_median",
            "open_escalations",
        ]
    ]
    table(
        frame,
        file_name(data, "escalations"),
        "metrics_escalations",
        {"office": "Office"}
        | {
            c: st.column_config.NumberColumn(
                COMPARISON_COLUMNS[c][0], format=COMPARISON_COLUMNS[c][2]
            )
            for c in frame.columns
            if c != "office"
        },
    )


def outcomes(data: OfficeMetrics) -> None:
    """NPRS and ODI mean improvement from baseline at each visit (upward is better), one line
    per office, and the table: due, not reached, scored, mean improvement, and the share of all
    due reaching a clinically important improvement."""
    codes = _codes(data)
    order = {k: i for i, k in enumerate(FollowUpKind)}
    rows = data.outcomes.assign(
        office=[codes[i] for i in data.outcomes.office_id],
        visit=[FollowUpKind(k).label for k in data.outcomes.kind],
        order=[order[FollowUpKind(k)] for k in data.outcomes.kind],
    ).sort_values(["office", "order"])
    if rows.empty:
        st.caption(messages.METRICS_NO_OUTCOMES)
        return
    left, right = st.columns(2)
    for column, measure, title in (
        (left, "nprs", "Pain (NPRS): mean improvement"),
        (right, "odi", "Disability (ODI): mean improvement"),
    ):
        scored = rows[["office", "visit", f"{measure}_n", f"{measure}_mean_improvement"]]
        scored = scored[scored[f"{measure}_n"] > 0]
        traces = []
        for office, mine in scored.groupby("office", sort=True):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": office,
                    "x": list(mine.visit),
                    "y": values(mine[f"{measure}_mean_improvement"]),
                }
            )
        with column:
            chart(
                figure(title, "improvement (points, up is better)", traces),
                f"metrics_{measure}_chart",
            )
    shown = {
        "office": "Office",
        "visit": "Visit",
        "due": "Due",
        "not_reached": "Not reached",
        "nprs_n": "NPRS scored",
        "nprs_mean_improvement": "NPRS mean improvement (points)",
        "nprs_improved_pct": "NPRS improved % of due",
        "odi_due": "ODI due",
        "odi_n": "ODI scored",
        "odi_mean_improvement": "ODI mean improvement (points)",
        "odi_improved_pct": "ODI improved % of due",
    }
    table(
        rows[list(shown)],
        file_name(data, "outcomes_by_visit"),
        "metrics_outcomes",
        {
            c: st.column_config.NumberColumn(
                label, format="%.1f" if c.endswith(("_improvement", "_pct")) else "%d"
            )
            for c, label in shown.items()
            if c not in ("office", "visit")
        }
        | {"office": "Office", "visit": "Visit"},
    )
