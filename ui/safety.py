"""Report a patient safety event from the checklist (CMS ASC-1 to ASC-4) or from follow-up (a
hospital visit within 7 days of discharge), and the case's events listed with who recorded them.
A refusal shows beside its field and keeps what was typed."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from db.queries.safety import case_events
from mild import messages
from mild.days import at_local, local_today
from mild.safety import SafetyKind
from mild.staff import Screen
from services.common import Actor, now_utc
from services.safety import RECORDED_FROM, record_safety_event
from ui import forms
from ui.format import local_moment
from ui.safe import show_failure

FIELDS = ("kind", "occurred_at", "description")


def _key(case_id: int, screen: Screen, part: str) -> str:
    return f"safety_{screen.value}_{part}_{case_id}"


def safety_events(case_id: int, timezone: str, user: Actor, screen: Screen) -> None:
    """The case's safety events and, folded, the form to report one from this screen."""
    try:
        events = case_events(case_id, user.office_ids)
    except Exception as exc:
        show_failure(exc)
        return
    title = f"Safety events ({len(events)})" if events else "Report a safety event"
    box = st.expander(
        title,
        icon=":material/health_and_safety:",
        expanded=bool(events),
        key=_key(case_id, screen, "open"),
        on_change="rerun",  # folded, nothing inside is drawn (issue 12: a tick's rerun)
    )
    if not box.open:
        return
    with box:
        for event in events:
            st.markdown(
                f":red[:material/report:] **{event.kind.label}** ({event.kind.measure}) · "
                f"{local_moment(timezone, event.occurred_at)}"
            )
            st.text(event.description)  # typed by staff: shown inert
            st.caption(
                messages.SAFETY_RECORDED_BY.format(
                    when=local_moment(timezone, event.recorded_at),
                    who=event.recorded_by or messages.STAFF_NOT_RECORDED,
                )
            )
        _form(case_id, timezone, user, screen)


def _form(case_id: int, timezone: str, user: Actor, screen: Screen) -> None:
    errors = _key(case_id, screen, "errors")
    day_of = screen == Screen.CHECKLIST
    st.caption(messages.SAFETY_HOW_TO if day_of else messages.SAFETY_AFTER_HOW_TO)
    st.selectbox(
        "What happened",
        RECORDED_FROM[screen],
        index=None,
        format_func=lambda k: f"{SafetyKind(k).label} ({SafetyKind(k).measure})",
        key=_key(case_id, screen, "kind"),
        placeholder="Pick the event",
    )
    forms.field_error(errors, "kind")
    day_key = _key(case_id, screen, "day")
    if day_key not in st.session_state:
        st.session_state[day_key] = local_today(timezone, now_utc())
    day, time = st.columns(2)
    day.date_input("Day it happened", key=day_key, format="YYYY-MM-DD")
    time.time_input(
        "Time it happened (office time)",
        value=None,
        step=dt.timedelta(minutes=5),
        key=_key(case_id, screen, "time"),
    )
    forms.field_error(errors, "occurred_at")
    st.text_area(
        "What happened and what was done",
        key=_key(case_id, screen, "description"),
        max_chars=2000,
        height=100,
    )
    forms.field_error(errors, "description")
    forms.other_errors(errors, FIELDS)
    forms.button(
        "Record safety event",
        _key(case_id, screen, "record"),
        lambda: _record(case_id, timezone, user, screen),
    )


def _record(case_id: int, timezone: str, user: Actor, screen: Screen) -> None:
    get = st.session_state.get
    day, time = get(_key(case_id, screen, "day")), get(_key(case_id, screen, "time"))
    occurred = None if day is None or time is None else at_local(timezone, day, time)
    kind = get(_key(case_id, screen, "kind"))
    forms.submit(
        lambda: record_safety_event(
            case_id,
            kind,
            occurred,
            get(_key(case_id, screen, "description")),
            screen=screen,
            actor=user,
        ),
        errors_key=_key(case_id, screen, "errors"),
        success=messages.SAFETY_RECORDED.format(kind=SafetyKind(kind).label if kind else ""),
        clear={_key(case_id, screen, "description"): ""},
    )
