"""The open case's header, built for a tablet held in one hand (issue 13): a compact bar that
stays at the top of the screen while the steps scroll beneath it (ui.style makes it sticky):
who the patient is and her age, the allergies (loud), the key flags of the day, what intake
left open, the status, the steps done and, while the procedure runs, its timer.

Everything else (provider and planned start, levels and side booked, the procedure time once
over, the day's tasks of each condition, the drugs with their holds and GLP-1 notes, and the
escort arranged or the physician's exemption) is folded below it under "Case details", drawn
only once opened: each element drawn is paid on every tick (issue 12)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from db.queries.checklist import CaseDetail
from mild import messages
from mild.case_flags import allergies, key_flags
from mild.checklist import LOCKED_AFTER_DISCHARGE, PLANNED_PROCEDURE_MINUTES
from mild.days import age_on, local_today
from mild.event_times import procedure_duration
from mild.glp1 import decision_summary, read_screen
from mild.intake import ALLERGIES, Requirement, needs_for
from mild.medications import from_hours, hours_text, stop_text
from mild.time_out import booked_level_side
from services.common import now_utc
from ui.checklist.common import moment
from ui.format import local_time, plain, zone_abbreviation


def details_key(case_id: int) -> str:
    """The "Case details" fold of the open case: folded until the nurse opens it."""
    return f"dayof_details_{case_id}"


def case_header(
    case: CaseDetail,
    done: int,
    applicable: int,
    now: dt.datetime,
    intake_missing: Sequence[str] = (),
) -> None:
    closed = case.status in LOCKED_AFTER_DISCHARGE
    with st.container(border=True, key="dayof_header"):
        with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
            with st.container(gap="small"):  # the heading's own -1rem margin: touching lines
                st.subheader(plain(case.patient), anchor=False)
                age = age_on(case.date_of_birth, local_today(case.timezone, now))
                identity = messages.HEADER_IDENTITY.format(
                    age=age, born=f"{case.date_of_birth:%d %b %Y}", mrn=case.mrn, code=case.code
                )
                if case.waiting_code:  # what the patient hears called: the display's code
                    identity += messages.HEADER_WAITING_CODE.format(code=case.waiting_code)
                st.text(identity)
            st.metric("Status", case.status.label, width="content")
            st.metric("Steps done", f"{done} of {applicable}", width="content")
            if case.procedure_started_at is not None and case.procedure_ended_at is None:
                _running_time(case.procedure_started_at)
        _allergies(case)
        _flags(case)
        if intake_missing and not closed:
            shown = " · ".join(plain(item) for item in intake_missing)
            label = messages.INTAKE_LEFT_OPEN.format(n=len(intake_missing))
            with st.container(key="dayof_header_intake"):  # in smaller type (ui.style)
                st.markdown(f":orange-badge[:material/assignment_late: {label}] {shown}")
    _details(case, now)


def _allergies(case: CaseDetail) -> None:
    """Loud and first: the warning colour, its icon and the words."""
    found = allergies(case.conditions)
    if not found:
        return
    named = "; ".join(f"{a.name}: {plain(a.details)}" if a.details else a.name for a in found)
    st.warning(messages.ALLERGIES_LINE.format(allergies=named), icon=":material/warning:")


def _flags(case: CaseDetail) -> None:
    flags = key_flags((c for c, _ in case.conditions), case.medications)
    badges = [f":blue-badge[{plain(flag)}]" for flag in flags]
    if not any(c in ALLERGIES for c, _ in case.conditions):
        badges.insert(0, f":gray-badge[{messages.NO_ALLERGY_RECORDED}]")
    if badges:
        st.markdown(" ".join(badges))


def _details(case: CaseDetail, now: dt.datetime) -> None:
    """Folded, and drawn only once opened (on_change="rerun")."""
    box = st.expander(
        messages.CASE_DETAILS,
        icon=":material/info:",
        key=details_key(case.case_id),
        on_change="rerun",
    )
    if not box.open:
        return
    tz = case.timezone
    with box:
        booked = booked_level_side(case.planned_levels, case.planned_side)
        lines = [
            f"Provider: {case.provider or 'not assigned'} · Planned start "
            f"{local_time(tz, case.scheduled_start)} "
            f"{zone_abbreviation(tz, case.scheduled_start or now)}, {case.planned_minutes} min",
        ]
        if booked:
            lines.append(messages.BOOKED_LEVEL_SIDE.format(booked=booked))
        st.text("\n".join(lines))
        if case.procedure_started_at is None or case.procedure_ended_at is not None:
            _procedure_time(case.procedure_started_at, case.procedure_ended_at, now)
        _conditions(case)
        _medications(case)
        _escort(case)


@st.fragment(run_every=30)
def _running_time(started_at: dt.datetime) -> None:
    """In the bar while the procedure runs, redrawn on its own every 30 s."""
    _procedure_time(started_at, None, now_utc())


def _procedure_time(
    started_at: dt.datetime | None, ended_at: dt.datetime | None, now: dt.datetime
) -> None:
    """The minutes against the planned 60: running in the bar (its delta says how far over),
    over once ended in the case details with a warning."""
    duration = procedure_duration(started_at, ended_at, now)
    if duration is None:
        st.metric("Procedure time", "not started")
        return
    st.metric(
        "Procedure time (running)" if duration.running else "Procedure time",
        f"{duration.minutes} min",
        delta=f"{duration.minutes - PLANNED_PROCEDURE_MINUTES} min over" if duration.over else None,
        delta_color="inverse",
        help=f"Against the planned {PLANNED_PROCEDURE_MINUTES} minutes",
        width="content",
    )
    if duration.over and not duration.running:
        st.warning(
            messages.PROCEDURE_OVER_PLANNED.format(planned=PLANNED_PROCEDURE_MINUTES),
            icon=":material/timer:",
        )


def _conditions(case: CaseDetail) -> None:
    """Each condition flagged at intake in full, then what it asks of the nurse today."""
    others = [c for c, _ in case.conditions if c not in ALLERGIES]
    if others:
        st.text("Conditions: " + "; ".join(c.label for c in others))
    if case.status in LOCKED_AFTER_DISCHARGE:
        return  # the day's tasks are behind her: the checklist below keeps what was done
    for need in needs_for(c for c, _ in case.conditions):
        if need.kind == Requirement.DAY_OF:
            st.info(f"Today: {need.text}", icon=":material/assignment_late:")


def _medications(case: CaseDetail) -> None:
    if not case.medications:
        return
    meds = case.medications
    table = pd.DataFrame(
        {
            "Medication": [m.drug for m in meds],
            "Dose": [m.dose or "" for m in meds],
            "Hold": [
                messages.HOLD_STILL_UNDER_REVIEW.format(drug=m.drug)
                if m.needs_review
                else stop_text(from_hours(m.stop_before_hours), m.skip_on_day)
                for m in meds
            ],
            "Restart after": [hours_text(from_hours(m.restart_after_hours)) for m in meds],
            "Hold cleared by": [
                m.cleared_by or (messages.CLEARANCE_NOT_ON_FILE if m.needs_clearance else "")
                for m in meds
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key="dayof_medications")
    for m in meds:  # what the GLP-1 decision asked of the patient reaches the bedside
        if m.glp1_decision is not None:
            st.info(
                f"{m.drug}: {decision_summary(read_screen(m.glp1_screen), m.glp1_decision)}",
                icon=":material/no_food:",
            )


def _escort(case: CaseDetail) -> None:
    if case.escort_exempt:
        st.info(exemption_text(case), icon=":material/verified_user:")
        return
    parts = [case.escort_name, case.escort_relationship, case.escort_phone]
    if any(parts):
        st.text("Escort arranged at intake: " + ", ".join(p for p in parts if p))
    else:
        st.text(messages.NO_ESCORT_ARRANGED)


def exemption_text(case: CaseDetail) -> str:
    return plain(
        messages.ESCORT_EXEMPTED.format(
            who=case.escort_exempted_by,
            when=moment(case, case.escort_exempt_at) if case.escort_exempt_at else "",
            reason=case.escort_exempt_reason,
            recorder=case.escort_exempt_recorded_by or messages.STAFF_NOT_RECORDED,
        )
    )
