"""Arrival steps with their own form: the fast as the patient reports it (the last clear liquid
and the last food with its kind, ASA 2017/2023: mild.fasting), and the practice's warnings on a
diabetic's glucose reading (mild.dayof_checks)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from db.queries.checklist import CaseDetail
from mild import messages
from mild.checklist import StepView
from mild.days import at_local, local_today
from mild.fasting import FOOD_KINDS
from services import checklist as service
from services.common import Actor, now_utc
from ui import forms
from ui.checklist.common import errors_key, run, submit_button, tick_label


def fasting_key(case_id: int, part: str) -> str:
    return f"dayof_fasting_{part}_{case_id}"


def _moment_inputs(case: CaseDetail, part: str, label: str, days_back: int = 0) -> None:
    """A day (`days_back` before today by default) and a time, in the office's zone."""
    day_key = fasting_key(case.case_id, f"{part}_day")
    if day_key not in st.session_state:
        today = local_today(case.timezone, now_utc())
        st.session_state[day_key] = today - dt.timedelta(days=days_back)
    day, time = st.columns(2)
    day.date_input(f"{label}: day", key=day_key, format="YYYY-MM-DD")
    time.time_input(
        f"{label}: time (office time)",
        value=None,
        step=dt.timedelta(minutes=5),
        key=fasting_key(case.case_id, f"{part}_time"),
    )


def fasting_form(case: CaseDetail, view: StepView, user: Actor, *, primary: bool) -> None:
    cid = case.case_id
    ekey = errors_key(cid, view.step.key)
    st.caption(messages.FASTING_HOW_TO)
    st.segmented_control(
        "Last food",
        FOOD_KINDS,
        format_func=lambda kind: kind.label.capitalize(),
        key=fasting_key(cid, "food_kind"),
        width="stretch",
    )
    forms.field_error(ekey, "food_kind")
    _moment_inputs(case, "food", "Last food", days_back=1)  # most often the evening before
    forms.field_error(ekey, "food_at")
    none_since = st.checkbox(
        "No clear liquid since the last food", key=fasting_key(cid, "no_clear_liquid")
    )
    if not none_since:
        _moment_inputs(case, "clear", "Last clear liquid")
    forms.field_error(ekey, "clear_liquid_at")
    submit_button(
        f"dayof_tick_{cid}_{view.step.key}",
        tick_label(messages.SAVE_AND_MARK_DONE, view.step.label),
        _record_fasting,
        (user, case, view.step.label),
        primary=primary,
    )


def _typed_moment(case: CaseDetail, part: str) -> dt.datetime | None:
    day = st.session_state.get(fasting_key(case.case_id, f"{part}_day"))
    time = st.session_state.get(fasting_key(case.case_id, f"{part}_time"))
    return None if day is None or time is None else at_local(case.timezone, day, time)


def _record_fasting(user: Actor, case: CaseDetail, label: str) -> None:
    cid = case.case_id
    no_clear = bool(st.session_state.get(fasting_key(cid, "no_clear_liquid")))
    run(
        cid,
        "fasting_confirmed",
        lambda: service.record_fasting(
            cid,
            None if no_clear else _typed_moment(case, "clear"),
            _typed_moment(case, "food"),
            st.session_state.get(fasting_key(cid, "food_kind")),
            no_clear_liquid=no_clear,
            actor=user,
            expected_version=case.version,
        ),
        messages.STEP_TICKED.format(step=label),
    )


def glucose_warnings(case: CaseDetail) -> None:
    """The latest reading over a limit the practice set to warn (a blocking one is a hard stop
    shown under anesthesia start)."""
    for text in case.glucose_warnings():
        st.warning(text, icon=":material/warning:")
