"""The open case's header: who the patient is, the booking (levels and side), progress, the
procedure timer, allergies and the day's tasks, the drugs, what intake left open, and the
escort arranged (or the physician's exemption)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from db.queries.checklist import CaseDetail
from mild import messages
from mild.checklist import LOCKED_AFTER_DISCHARGE, PLANNED_PROCEDURE_MINUTES
from mild.event_times import procedure_duration
from mild.glp1 import decision_summary, read_screen
from mild.intake import ALLERGIES, Requirement, needs_for
from mild.medications import from_hours, hours_text, stop_text
from mild.time_out import booked_level_side
from services.common import now_utc
from ui.checklist.common import moment
from ui.format import local_time, plain, zone_abbreviation


def case_header(
    case: CaseDetail,
    done: int,
    applicable: int,
    now: dt.datetime,
    intake_missing: Sequence[str] = (),
) -> None:
    tz = case.timezone
    with st.container(border=True, key="dayof_header"):
        st.subheader(plain(case.patient), anchor=False)
        booked = booked_level_side(case.planned_levels, case.planned_side)
        lines = [
            f"Born {case.date_of_birth:%d %b %Y} · MRN {case.mrn} · Case {case.code}",
            f"Provider: {case.provider or 'not assigned'} · Planned start "
            f"{local_time(tz, case.scheduled_start)} "
            f"{zone_abbreviation(tz, case.scheduled_start or now)}, {case.planned_minutes} min",
        ]
        if booked:
            lines.append(messages.BOOKED_LEVEL_SIDE.format(booked=booked))
        st.text("\n".join(lines))
        status, steps, timer = st.columns(3)
        status.metric("Status", case.status.label)
        steps.metric("Steps done", f"{done} of {applicable}")
        with timer:
            if case.procedure_started_at is not None and case.procedure_ended_at is None:
                _running_time(case.procedure_started_at)
            else:
                _procedure_time(case.procedure_started_at, case.procedure_ended_at, now)
        _conditions(case)
        if intake_missing and case.status not in LOCKED_AFTER_DISCHARGE:
            st.warning(
                "\n".join(
                    [messages.INTAKE_LEFT_OPEN.format(n=len(intake_missing))]
                    + [f"- {plain(item)}" for item in intake_missing]
                ),
                icon=":material/assignment_late:",
            )
        _medications(case)
        _escort(case)


@st.fragment(run_every=30)
def _running_time(started_at: dt.datetime) -> None:
    """Redrawn on its own every 30 s while the procedure runs, leaving the rest alone."""
    _procedure_time(started_at, None, now_utc())


def _procedure_time(
    started_at: dt.datetime | None, ended_at: dt.datetime | None, now: dt.datetime
) -> None:
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
    )
    if duration.over:
        st.warning(
            messages.PROCEDURE_OVER_PLANNED.format(planned=PLANNED_PROCEDURE_MINUTES),
            icon=":material/timer:",
        )


def _conditions(case: CaseDetail) -> None:
    """Allergies first and loud; then what each flag asks of the nurse today."""
    details = dict(case.conditions)
    for allergy in ALLERGIES:
        if allergy in details:
            extra = f": {plain(details[allergy])}" if details[allergy] else ""
            st.warning(f"{allergy.label}{extra}", icon=":material/warning:")
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
