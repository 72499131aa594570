"""Time-out items with a value: the level and side shown from the booking (or typed when the
booking has none), and antibiotic prophylaxis given within 60 minutes or not used."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from db.queries.checklist import CaseDetail
from mild import messages
from mild.checklist import StepView
from mild.days import typed_time_at
from mild.time_out import booked_level_side
from services import checklist as service
from services.common import Actor, now_utc
from ui.checklist.common import run, seen, submit_button, tick, tick_label, value_key


def antibiotic_key(case_id: int, part: str) -> str:
    return f"dayof_antibiotic_{part}_{case_id}"


def level_side_form(case: CaseDetail, view: StepView, user: Actor, *, primary: bool) -> None:
    cid, step = case.case_id, view.step
    booked = booked_level_side(case.planned_levels, case.planned_side)
    if booked:
        st.text(messages.BOOKED_LEVEL_SIDE.format(booked=booked))
        submit_button(
            f"dayof_tick_{cid}_{step.key}",
            messages.LEVEL_SIDE_AS_BOOKED_BUTTON,
            tick,
            (user, cid, seen(case), step.key, step.label),
            primary=primary,
        )
        return
    st.warning(messages.NO_LEVEL_SIDE_BOOKED, icon=":material/report:")
    key = value_key(cid, step.key)
    st.text_input("Levels and side confirmed", key=key, max_chars=80)
    submit_button(
        f"dayof_tick_{cid}_{step.key}",
        tick_label(messages.SAVE_AND_MARK_DONE, step.label),
        tick,
        (user, cid, seen(case), step.key, step.label, key),
        primary=primary,
    )


def antibiotic_form(case: CaseDetail, view: StepView, user: Actor, *, primary: bool) -> None:
    cid = case.case_id
    choice = st.segmented_control(
        view.step.label,
        messages.ANTIBIOTIC_OPTIONS,
        key=antibiotic_key(cid, "choice"),
        label_visibility="collapsed",
        width="stretch",
    )
    if choice == messages.ANTIBIOTIC_OPTIONS[0]:
        st.time_input(
            "Given at (office time)",
            value=None,
            step=dt.timedelta(minutes=1),
            key=antibiotic_key(cid, "time"),
        )
    submit_button(
        f"dayof_tick_{cid}_{view.step.key}",
        tick_label(messages.SAVE_AND_MARK_DONE, view.step.label),
        _record,
        (user, case, view.step.label),
        primary=primary,
    )


def _record(user: Actor, case: CaseDetail, label: str) -> None:
    cid = case.case_id
    choice = st.session_state.get(antibiotic_key(cid, "choice"))
    used = None if choice is None else choice == messages.ANTIBIOTIC_OPTIONS[0]
    time = st.session_state.get(antibiotic_key(cid, "time")) if used else None
    given_at: dt.datetime | None = None
    if time is not None:
        given_at = typed_time_at(case.timezone, time, now_utc())  # after 00:00: last night
    run(
        cid,
        "antibiotic_prophylaxis",
        lambda: service.record_antibiotic(
            cid, used, given_at, actor=user, expected_version=case.version
        ),
        messages.STEP_TICKED.format(step=label),
    )
