"""Daily schedule widgets: the day's table, the planned-against-actual timeline,
the week, and the reschedule and cancel forms (refusals beside their fields, via ui.forms); the
reschedule form beside the chosen provider's day (ui.availability)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from db.queries.home import OfficeRow
from db.queries.schedule import DaySchedule, ProviderRow, week_totals
from mild import messages
from mild.board import stage_colour
from mild.booking import DEFAULT_PLANNED_MINUTES, MAX_PLANNED_MINUTES, MIN_PLANNED_MINUTES
from mild.cases import CancelReason, CaseStatus
from mild.days import to_local
from mild.schedule import ACTUAL, PLANNED, may_cancel, may_reschedule, timeline_bars
from services import booking, cases
from services.common import Actor
from ui import availability, forms
from ui.format import local_time, zone_abbreviation

RESCHEDULE_ERRORS = "sched_reschedule_errors"
RESCHEDULE_FIELDS = ("day", "start", "planned_minutes", "provider")
CANCEL_ERRORS = "sched_cancel_errors"
CANCEL_FIELDS = ("reason", "note")
FORM_CASE = "sched_form_case"  # the case the change forms were last filled from
TIMELINE_COLOURS = {PLANNED: "#9CA3AF", ACTUAL: "#2563EB"}


def day_label(day: dt.date) -> str:
    return f"{day:%a %d %b %Y}"


def choose_office(offices: Sequence[OfficeRow]) -> OfficeRow:
    names = {o.id: f"{o.name} ({o.code})" for o in offices}
    chosen = st.selectbox("Office", list(names), format_func=names.get, key="sched_office")
    return next(o for o in offices if o.id == chosen)


_STATUS_BY_LABEL = {s.label: s for s in CaseStatus}


def _status_css(label: str) -> str:
    """A status cell in its board stage's colours, so the schedule and the board agree."""
    return stage_colour(_STATUS_BY_LABEL[label]).css if label in _STATUS_BY_LABEL else ""


def keyed_table(key: str, data, **options) -> None:
    """A full-width table in a container named `key` (a plain dataframe keeps no key of its
    own, and tests and styles find it by its container)."""
    with st.container(key=key):
        st.dataframe(data, hide_index=True, width="stretch", **options)


# --- the day ---------------------------------------------------------------------------------


def day_table(view: DaySchedule, now: dt.datetime) -> None:
    """The office's cases of the day, in start order, status cells coloured as on the board."""
    tz = view.office.timezone
    if view.cases.empty:
        st.info(messages.SCHED_NO_CASES.format(office=view.office.name, day=day_label(view.day)))
        return
    rows = view.cases
    # What a coordinator scans first comes first: on a tablet the rest scrolls into view.
    table = pd.DataFrame(
        {
            "Start": [local_time(tz, t) for t in rows.scheduled_start],
            "Case": rows.code,
            "Patient": rows.patient,
            "Status": [CaseStatus(s).label for s in rows.status],
            "Escalation": rows.escalation,
            "Readiness": rows.readiness,
            "Provider": rows.provider.fillna(""),
            "Minutes": rows.planned_minutes.astype(int),
        }
    )
    keyed_table(
        "sched_day_cases",
        table.style.map(_status_css, subset=["Status"]),
        column_config={
            "Start": f"Start ({zone_abbreviation(tz, now)})",
            "Minutes": st.column_config.NumberColumn("Planned", format="%d min"),
            "Escalation": st.column_config.TextColumn(
                "Escalation", help="Open red-flag escalation", width="medium"
            ),
            "Readiness": st.column_config.TextColumn("Readiness", width="large"),
        },
    )


def timeline(view: DaySchedule, now: dt.datetime) -> None:
    """Planned against actual procedure times of the day's (not cancelled) cases."""
    live = view.cases[view.cases.status != CaseStatus.CANCELLED]
    minute = now.replace(second=0, microsecond=0)  # a running bar grows by the minute
    figure = _cached_figure(live, view.office.timezone, minute)
    if figure is None:
        st.info(messages.SCHED_NO_CASES.format(office=view.office.name, day=day_label(view.day)))
        return
    st.plotly_chart(figure, width="stretch", key="sched_timeline", config={"displaylogo": False})


@st.cache_resource(max_entries=64, ttl=3600, show_spinner=False)
def _cached_figure(rows: pd.DataFrame, tz_name: str, now: dt.datetime) -> go.Figure | None:
    """The timeline for these rows at this minute, built once: plotly's figure construction was
    a third of the schedule screen's server time (issue 12). Keyed by the rows themselves, so
    a saved change draws a new one; the figure is only read, never changed, once cached."""
    return timeline_figure(rows, tz_name, now)


def timeline_figure(rows: pd.DataFrame, tz_name: str, now: dt.datetime) -> go.Figure | None:
    """A small horizontal timeline: two bars per case at most, office-local clock on the axis."""
    bars = pd.DataFrame(timeline_bars(rows.itertuples(), tz_name, now))
    if bars.empty:
        return None
    figure = px.timeline(
        bars,
        x_start="start",
        x_end="end",
        y="case",
        color="kind",
        color_discrete_map=TIMELINE_COLOURS,
        category_orders={"kind": [PLANNED, ACTUAL], "case": list(dict.fromkeys(bars.case))},
        hover_data={"status": True, "kind": False},
        labels={"case": "Case", "kind": ""},
    )
    figure.update_layout(
        barmode="group",
        height=120 + 40 * bars.case.nunique(),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        xaxis_title=f"Office time ({zone_abbreviation(tz_name, now)})",
    )
    figure.update_xaxes(tickformat="%H:%M")
    return figure


def week(view: DaySchedule) -> None:
    """Monday to Sunday: per day, then per day and provider."""
    if view.week.empty:
        st.info(
            messages.SCHED_NO_WEEK_CASES.format(office=view.office.name, day=day_label(view.day))
        )
        return
    names = {
        "booked": "Booked",
        "ready": "Ready",
        "not_ready": "Not ready",
        "cancelled": "Cancelled",
    }
    totals = week_totals(view.week, view.day)
    totals = totals.assign(day=[f"{d:%a %d %b}" for d in totals.day]).rename(
        columns={"day": "Day", **names}
    )
    keyed_table("sched_week_days", totals)
    st.caption("By provider")
    by_provider = view.week.assign(day=[f"{d:%a %d %b}" for d in view.week.day]).rename(
        columns={"day": "Day", "provider": "Provider", **names}
    )
    keyed_table("sched_week_providers", by_provider)


# --- reschedule and cancel ------------------------------------------------------------------


def choose_case(view: DaySchedule) -> pd.Series | None:
    """The case to change, among the day's cases not cancelled; None until one is chosen."""
    live = view.cases[view.cases.status != CaseStatus.CANCELLED].set_index("case_id")
    tz = view.office.timezone
    labels = {
        int(i): f"{local_time(tz, r.scheduled_start)}  {r.code}  {r.patient}"
        for i, r in live.iterrows()
    }
    if st.session_state.get("sched_case") not in labels:
        st.session_state.pop("sched_case", None)  # moved to another day or cancelled meanwhile
    chosen = st.selectbox(
        "Case",
        list(labels),
        index=None,
        format_func=labels.get,
        placeholder=messages.SCHED_CHOOSE_CASE,
        key="sched_case",
    )
    return None if chosen is None else live.loc[chosen].rename(chosen)


def fill_forms(case_id: int, case: pd.Series, tz_name: str) -> None:
    """Load the chosen case into the forms when the choice changes (or after a change was
    saved); otherwise leave what the user typed alone."""
    if st.session_state.get(FORM_CASE) == case_id:
        return
    local = to_local(tz_name, case.scheduled_start)
    st.session_state.update(
        {
            FORM_CASE: case_id,
            "sched_new_day": local.date(),
            "sched_new_start": local.time().replace(second=0, microsecond=0),
            # Clamped: a number input refuses a start value outside its own range.
            "sched_new_minutes": min(
                max(int(case.planned_minutes or DEFAULT_PLANNED_MINUTES), MIN_PLANNED_MINUTES),
                MAX_PLANNED_MINUTES,
            ),
            "sched_new_provider": None if pd.isna(case.provider_id) else int(case.provider_id),
            RESCHEDULE_ERRORS: {},
            CANCEL_ERRORS: {},
        }
    )
    for key in ("sched_cancel_reason", "sched_cancel_note"):
        st.session_state.pop(key, None)


def reschedule_form(
    case_id: int,
    case: pd.Series,
    office: OfficeRow,
    providers: Sequence[ProviderRow],
    user: Actor,
) -> None:
    status = CaseStatus(case.status)
    st.markdown("**Reschedule**")
    if not may_reschedule(status):
        st.caption(messages.SCHED_CANNOT_RESCHEDULE.format(status=status.label))
        forms.other_errors(RESCHEDULE_ERRORS, ())  # a refusal from a screen gone stale
        return
    names = {p.id: p.name for p in providers}
    if not pd.isna(case.provider_id) and int(case.provider_id) not in names:
        names[int(case.provider_id)] = case.provider or ""
    # Two to a row across the screen, the provider's day below at full width: a refusal (a
    # clash names the other case) and the day's table stay readable at 768 px.
    day, start = st.columns(2)
    with day:
        st.date_input("New day", key="sched_new_day", format="YYYY-MM-DD")
        forms.field_error(RESCHEDULE_ERRORS, "day")
    with start:
        st.time_input("Start", key="sched_new_start", step=dt.timedelta(minutes=15))
        forms.field_error(RESCHEDULE_ERRORS, "start")
    minutes, who = st.columns(2)
    with minutes:
        st.number_input(
            "Planned minutes",
            min_value=MIN_PLANNED_MINUTES,
            max_value=MAX_PLANNED_MINUTES,
            step=15,
            key="sched_new_minutes",
        )
        forms.field_error(RESCHEDULE_ERRORS, "planned_minutes")
    with who:
        st.selectbox("Provider", list(names), format_func=names.get, key="sched_new_provider")
        forms.field_error(RESCHEDULE_ERRORS, "provider")
    chosen = st.session_state.get("sched_new_provider")
    form = availability.BookingForm(
        case_id,
        "sched_new",
        "sched_new_day",
        "sched_new_start",
        RESCHEDULE_ERRORS,
        "Reschedule",
        office,
        availability.Provider(chosen, names[chosen]) if chosen in names else None,
        st.session_state.get("sched_new_minutes"),
        user,
    )
    availability.next_free_button(form)
    availability.day_view(form)
    forms.other_errors(RESCHEDULE_ERRORS, RESCHEDULE_FIELDS)
    st.button(
        "Reschedule",
        key="sched_reschedule",
        type="primary",
        width="stretch",
        on_click=_reschedule,
        args=(case_id, case.code, int(case.version), user),
    )


def _reschedule(case_id: int, code: str, version: int, user: Actor) -> None:
    state = st.session_state
    day, start = state.get("sched_new_day"), state.get("sched_new_start")
    done = forms.submit(
        lambda: booking.book_case(
            case_id,
            day=day,
            start=start,
            planned_minutes=int(state["sched_new_minutes"]),
            provider_id=state.get("sched_new_provider"),
            actor=user,
            expected_version=version,
        ),
        errors_key=RESCHEDULE_ERRORS,
        success=messages.SCHED_RESCHEDULED.format(
            code=code,
            day=day_label(day) if day else "",
            time=f"{start:%H:%M}" if start else "",
        ),
    )
    if done is not None:
        state.pop(FORM_CASE, None)  # reload the forms from the saved booking


def cancel_form(case_id: int, case: pd.Series, user: Actor) -> None:
    status = CaseStatus(case.status)
    st.markdown("**Cancel**")
    if not may_cancel(status):
        st.caption(messages.CANNOT_CANCEL.format(status=status.label))
        forms.other_errors(CANCEL_ERRORS, ())  # a refusal from a screen gone stale
        return
    st.selectbox(
        "Reason",
        list(CancelReason),
        index=None,
        format_func=lambda r: CancelReason(r).label,
        placeholder="Choose a reason",
        key="sched_cancel_reason",
    )
    forms.field_error(CANCEL_ERRORS, "reason")
    st.text_area("Note (needed when the reason is Other)", key="sched_cancel_note", height=90)
    forms.field_error(CANCEL_ERRORS, "note")
    forms.other_errors(CANCEL_ERRORS, CANCEL_FIELDS)
    st.button(
        "Cancel case",
        key="sched_cancel",
        width="stretch",
        on_click=_cancel,
        args=(case_id, case.code, int(case.version), user),
    )


def _cancel(case_id: int, code: str, version: int, user: Actor) -> None:
    state = st.session_state
    reason = state.get("sched_cancel_reason")
    note = state.get("sched_cancel_note") or ""
    done = forms.submit(
        lambda: cases.cancel_case(case_id, reason, note, actor=user, expected_version=version),
        errors_key=CANCEL_ERRORS,
        success=messages.SCHED_CANCELLED.format(
            code=code, reason=CancelReason(reason).label if reason else ""
        ),
        clear=["sched_cancel_reason", "sched_cancel_note"],
    )
    if done is not None:
        state.pop(FORM_CASE, None)
