"""The pre-op call worklist on the schedule screen: the office's cases 1 to N working days ahead
(call-backs that are due on top), a row opening the case with its calls and the call script.

A call is charted with one button: the outcome, and when the patient was reached the script's
answers (arrival time told, fasting explained, each held drug's last dose, the escort confirmed,
questions). Every problem of the form shows at once beside its field (mild.preop.call_problems);
what was typed stays until the call is saved.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from db.queries.intake import IntakeCase
from db.queries.preop import PreopWorklist
from mild import messages
from mild.days import at_local, to_local
from mild.messages.words import counted
from mild.preop import (
    CALLERS,
    CallOutcome,
    CallReport,
    CallState,
    arrival_time,
    call_problems,
)
from mild.staff import Screen, may_open
from services import preop
from services.common import Actor, now_utc
from ui import forms, navigate
from ui.format import local_moment, local_time, zone_abbreviation

PICK = "preop_case"  # the case id opened from the worklist
TABLE = "preop_table"
ERRORS = "preop_errors"


def _days(view: PreopWorklist) -> str:
    first, last = view.days
    return f"{first:%a %d %b} to {last:%a %d %b %Y}"


TAB = "Pre-op calls"


def tab_label(view: PreopWorklist, tab_key: str | None = None) -> str:
    """The tab's label with the cases still to call. With `tab_key` (the tab set's state: the
    open tab's label), a worklist tab left open stays open when its count changes."""
    label = f"{TAB} ({view.to_call})"
    if tab_key is not None and str(st.session_state.get(tab_key, "")).startswith(TAB):
        st.session_state[tab_key] = label
    return label


def worklist(view: PreopWorklist, now: dt.datetime) -> None:
    """The worklist table; choosing a row (or the case below it) opens the case."""
    st.subheader(f"Pre-op calls for {_days(view)}")
    st.caption(messages.PREOP_HELP.format(ahead=counted(view.working_days, "working day")))
    rows = view.cases
    if rows.empty:
        st.info(messages.PREOP_EMPTY.format(office=view.office.name, days=_days(view)))
        st.session_state.pop(PICK, None)
        return
    if view.to_call == 0:
        st.success(messages.PREOP_ALL_REACHED.format(days=_days(view)))
    tz = view.office.timezone
    zone = zone_abbreviation(tz, now)
    table = pd.DataFrame(
        {
            "Call": [CallState(s).label for s in rows.state],
            "Day": [f"{to_local(tz, t):%a %d %b}" for t in rows.scheduled_start],
            "Start": [local_time(tz, t) for t in rows.scheduled_start],
            "Case": rows.code,
            "Patient": rows.patient,
            "Phone": rows.phone.fillna(""),
            "Escort": [
                " ".join(p for p in (n, ph) if p)
                for n, ph in zip(
                    rows.escort_name.fillna(""), rows.escort_phone.fillna(""), strict=True
                )
            ],
            "Missing": ["; ".join(m) for m in rows.missing],
            "Calls": [
                f"{n}: {o}" if n else ""
                for n, o in zip(rows.attempts, rows.last_outcome, strict=True)
            ],
            "Call back": [
                f"{to_local(tz, t):%a %d %b %H:%M}" if t is not None else ""
                for t in rows.call_back_at
            ],
        }
    )
    ids = [int(i) for i in rows.case_id]

    def picked_row() -> None:
        chosen = st.session_state[TABLE].selection.rows
        if chosen:
            st.session_state[PICK] = ids[chosen[0]]

    with st.container(key="preop_worklist"):
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key=TABLE,
            on_select=picked_row,
            selection_mode="single-row",
            column_config={
                "Start": f"Start ({zone})",
                "Call back": f"Call back ({zone})",
                "Missing": st.column_config.TextColumn("Missing", width="large"),
            },
        )
    labels = {
        int(r.case_id): f"{r.code} · {r.patient} · {to_local(tz, r.scheduled_start):%a %d %b %H:%M}"
        for r in rows.itertuples()
    }
    if st.session_state.get(PICK) not in labels:
        st.session_state.pop(PICK, None)
    st.selectbox(
        "Case",
        list(labels),
        index=None,
        format_func=labels.get,
        placeholder=messages.PREOP_CHOOSE_CASE,
        key=PICK,
    )


def picked() -> int | None:
    return st.session_state.get(PICK)


def case_panel(case: IntakeCase, calls: pd.DataFrame, user: Actor, arrival_minutes: int) -> None:
    """The case opened from the worklist: whom to phone, what is missing, the calls so far and
    the call script."""
    tz = case.timezone
    p = case.patient
    with st.container(border=True, key="preop_case_panel"):
        st.subheader(f"{case.code} · {p.last_name}, {p.first_name}")
        st.text(
            messages.PREOP_CASE_LINE.format(
                start=local_moment(tz, case.scheduled_start),
                arrive=_arrival(case, arrival_minutes),
                status=case.status.label,
                phone=p.phone or "—",
                escort=" ".join(x for x in (case.escort_name, case.escort_phone) if x) or "—",
            )
        )
        if case.missing:
            st.warning(
                messages.PREOP_MISSING.format(items="; ".join(case.missing)),
                icon=":material/pending_actions:",
            )
        if may_open(user.role, Screen.INTAKE) and st.button(
            "Open the case in intake", key="preop_open_intake", icon=":material/open_in_new:"
        ):
            navigate.open_screen(Screen.INTAKE, {"intake_case": case.id})
        _history(calls, tz)
        if user.role in CALLERS:
            _call_form(case, user, arrival_minutes)
        else:
            st.caption(messages.PREOP_VIEW_ONLY)


def _history(calls: pd.DataFrame, tz: str) -> None:
    if calls.empty:
        st.caption(messages.PREOP_NO_CALLS)
        return

    def answered(value) -> str:
        return "" if value is None or pd.isna(value) else ("yes" if value else "no")

    with st.container(key="preop_history"):
        st.dataframe(
            pd.DataFrame(
                {
                    "When": [local_moment(tz, t) for t in calls.called_at],
                    "By": calls.called_by.fillna(""),
                    "Outcome": [CallOutcome(o).label for o in calls.outcome],
                    "Call back": [
                        local_moment(tz, t) if t is not None and not pd.isna(t) else ""
                        for t in calls.call_back_at
                    ],
                    "Arrival time told": [answered(v) for v in calls.arrival_time_told],
                    "Fasting explained": [answered(v) for v in calls.fasting_explained],
                    "Escort confirmed": [answered(v) for v in calls.escort_confirmed],
                    "Questions": calls.questions.fillna(""),
                }
            ),
            hide_index=True,
            width="stretch",
        )


def _held(case: IntakeCase):
    return [m for m in case.medications if m.timed_hold and not m.needs_review]


def _moment(tz: str, key: str) -> dt.datetime | None:
    day, time = st.session_state.get(f"{key}_day"), st.session_state.get(f"{key}_time")
    return at_local(tz, day, time) if day is not None and time is not None else None


def _arrival(case: IntakeCase, minutes: int) -> str:
    if case.scheduled_start is None:
        return "—"
    return local_time(case.timezone, arrival_time(case.scheduled_start, minutes))


def _call_form(case: IntakeCase, user: Actor, arrival_minutes: int) -> None:
    """Record one attempt: how it went, and when reached the script's answers."""
    tz = case.timezone
    k = f"preop_{case.id}"
    state = st.session_state
    st.markdown("**Record a call**")
    outcome = st.radio(
        "How did the call go?",
        list(CallOutcome),
        index=None,
        format_func=lambda o: o.label,
        horizontal=True,
        key=f"{k}_outcome",
    )
    forms.field_error(ERRORS, "outcome")
    if outcome == CallOutcome.CALL_BACK:
        day, time = st.columns(2)
        day.date_input("Call back on", value=None, key=f"{k}_back_day", format="YYYY-MM-DD")
        time.time_input("Call back at", value=None, key=f"{k}_back_time", step=900)
        forms.field_error(ERRORS, "call_back_at")
    held = _held(case)
    if outcome == CallOutcome.REACHED:
        st.checkbox(
            messages.PREOP_ARRIVAL_TOLD.format(
                arrive=_arrival(case, arrival_minutes),
                minutes=arrival_minutes,
                start=local_time(tz, case.scheduled_start),
            ),
            key=f"{k}_arrival",
        )
        st.checkbox(messages.PREOP_FASTING_EXPLAINED, key=f"{k}_fasting")
        if held:
            st.markdown(f"**{messages.PREOP_LAST_DOSES}**")
        else:
            st.caption(messages.PREOP_NO_HELD_DRUGS)
        for med in held:
            mk = f"{k}_dose_{med.id}"
            st.text(
                messages.PREOP_HELD_DRUG.format(
                    drug=med.name_given or med.drug,
                    by=local_moment(tz, med.last_dose_by) if med.last_dose_by else "—",
                    reported=(
                        local_moment(tz, med.last_dose_taken_at)
                        if med.last_dose_taken_at
                        else messages.PREOP_NOT_ASKED
                    ),
                )
            )
            day, time = st.columns(2)
            day.date_input("Last dose: day", value=None, key=f"{mk}_day", format="YYYY-MM-DD")
            time.time_input("Last dose: time", value=None, key=f"{mk}_time", step=900)
            forms.field_error(ERRORS, f"last_dose_{med.id}")
        state.setdefault(f"{k}_escort_name", case.escort_name or "")
        state.setdefault(f"{k}_escort_phone", case.escort_phone or "")
        st.checkbox(messages.PREOP_ESCORT_CONFIRMED, key=f"{k}_escort")
        name, phone = st.columns(2)
        name.text_input("Escort name", key=f"{k}_escort_name", max_chars=120)
        with name:
            forms.field_error(ERRORS, "escort_name")
        phone.text_input("Escort phone", key=f"{k}_escort_phone", max_chars=40)
        with phone:
            forms.field_error(ERRORS, "escort_phone")
        st.text_area("Questions the patient asked", key=f"{k}_questions", max_chars=2000)
        forms.field_error(ERRORS, "questions")

    def save() -> None:
        chosen = state.get(f"{k}_outcome")
        reached = chosen == CallOutcome.REACHED
        report = CallReport(
            outcome=chosen,
            call_back_at=_moment(tz, f"{k}_back"),
            arrival_time_told=reached and bool(state.get(f"{k}_arrival")),
            fasting_explained=reached and bool(state.get(f"{k}_fasting")),
            escort_confirmed=reached and bool(state.get(f"{k}_escort")),
            escort_name=state.get(f"{k}_escort_name", "") if reached else "",
            escort_phone=state.get(f"{k}_escort_phone", "") if reached else "",
            questions=state.get(f"{k}_questions", "") if reached else "",
            last_doses=({m.id: _moment(tz, f"{k}_dose_{m.id}") for m in held} if reached else {}),
        )
        problems = call_problems(report, now=now_utc(), scheduled_start=case.scheduled_start)
        if problems:
            state[ERRORS] = dict(reversed(problems))  # the first problem of a field wins
            return
        label = CallOutcome(chosen).label
        done = forms.submit(
            lambda: preop.record_preop_call(
                case.id, report, actor=user, expected_version=case.version
            ),
            errors_key=ERRORS,
            success=messages.PREOP_RECORDED.format(code=case.code, outcome=label),
        )
        if done is not None:
            for key in [key for key in state if str(key).startswith(f"{k}_")]:
                del state[key]

    forms.button("Save call", f"{k}_save", save, primary=True)
    forms.other_errors(
        ERRORS,
        ["outcome", "call_back_at", "escort_name", "escort_phone", "questions"]
        + [f"last_dose_{m.id}" for m in held],
    )
