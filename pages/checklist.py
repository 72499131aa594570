"""Day-of checklist: today's cases at the nurse's office; one case's steps by phase, with who
ticked each and when, what intake left open, the hard stops beside their step, and un-ticking
with a reason; read-only once the patient is discharged."""

from __future__ import annotations

import streamlit as st

from db.queries.checklist import case_detail, todays_cases
from db.queries.home import OfficeRow
from db.queries.readiness import readiness_for_cases
from mild import messages
from mild.checklist import (
    case_progress,
    checklist_lock,
    current_state,
    discharge_entry,
    next_step,
    step_views,
)
from mild.event_times import correction_lock, corrections_until
from mild.safety import REPORTED_ON_THE_CHECKLIST
from mild.staff import Screen
from services.common import Actor, now_utc
from ui import checklist as view
from ui.auth import recheck_session, require, user_offices
from ui.documents import fhir_case_button
from ui.safe import open_case, show_failure
from ui.safety import safety_events


def render() -> None:
    user = require(Screen.CHECKLIST)
    st.title("Day-of checklist")
    offices = user_offices(user)
    if not offices:
        return
    # A fragment, made here rather than by a decorator at import (pages/ call Streamlit only
    # while drawing).
    st.fragment(_day)(view.choose_office(offices), user)


def _day(office: OfficeRow, user: Actor) -> None:
    """The office's day and the open case. A fragment: a tick, a case picked or a value saved
    reruns this part only, not the router, the navigation and the user bar (issue 12); the
    session is checked here as the page would."""
    recheck_session(user)
    view.show_flash()
    now = now_utc()
    try:
        cases = todays_cases(office, now)
    except Exception as exc:
        show_failure(exc)
        return
    if cases.empty:
        st.info(messages.NO_CASES_TODAY.format(office=office.name))
        return
    case_id = view.choose_case(office, cases)
    view.day_table(office, cases, now, case_open=case_id)
    if case_id is None:
        return

    case = open_case(case_detail, case_id, user, Screen.CHECKLIST)
    if case is None:
        return
    done = current_state(e.as_tick() for e in case.entries)
    progress = case_progress(done, diabetic=case.diabetic, escort_exempt=case.escort_exempt)
    try:
        left_at_intake = readiness_for_cases([case.case_id]).get(case.case_id, [])
    except Exception as exc:
        show_failure(exc)
        return
    view.case_header(case, *progress, now, left_at_intake)
    discharged = discharge_entry(case.entries)
    lock = checklist_lock(case.status, discharged, case.timezone)
    fixable = correction_lock(case.status, discharged, now, case.timezone) is None
    if lock:  # discharged (who and when) or not yet booked: the steps below are read-only
        st.info(lock, icon=":material/lock:")
        if fixable and discharged is not None:
            until = view.moment(case, corrections_until(discharged))
            st.caption(messages.TIMES_STILL_CORRECTABLE.format(until=until))
    steps = step_views(
        case.entries,
        case.status,
        diabetic=case.diabetic,
        escort_exempt=case.escort_exempt,
        problems=case.problems(now),
        corrections_open=fixable,
    )
    view.phases(case, steps, user, next_step(steps))
    if case.status in REPORTED_ON_THE_CHECKLIST:
        safety_events(case.case_id, case.timezone, user, Screen.CHECKLIST)
    fhir_case_button(case.case_id, user, "dayof")
