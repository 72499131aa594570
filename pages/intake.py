"""Intake: a consult request becomes a case; medications, conditions, baseline, escort, booking,
and the readiness summary before a case is confirmed for its day."""

from __future__ import annotations

import streamlit as st

from db.queries.home import offices
from db.queries.intake import case_detail, open_cases, providers
from mild import messages
from mild.cases import CaseStatus
from mild.staff import Screen
from ui import booking as booking_widgets
from ui import conditions as condition_widgets
from ui import forms
from ui import intake as widgets
from ui import medications as medication_widgets
from ui.auth import require
from ui.safe import open_case, show_failure

TABS = ["Medications", "Conditions", "Assessment", "Escort", "Booking"]


def render() -> None:
    user = require(Screen.INTAKE)
    st.title("Intake")
    forms.show_flash()
    try:
        office_rows = offices(user.office_ids)
        provider_rows = providers(user.office_ids)
        cases = open_cases(user.office_ids)
    except Exception as exc:
        show_failure(exc)
        return
    if not office_rows:
        st.info(messages.NO_OFFICES)
        return

    # Drawn only while open; closed once the request is created (the new case opens below).
    with st.expander(
        "New consult request",
        expanded=cases.empty,
        icon=":material/add:",
        key=widgets.NEW_REQUEST_OPEN,
        on_change="rerun",
    ) as request:
        if request.open:
            widgets.new_request(user, office_rows, provider_rows)

    if cases.empty:
        st.info(messages.NO_OPEN_CASES)
        return
    case_id = widgets.case_picker(cases)
    if case_id is None:
        return
    case = open_case(case_detail, case_id, user, Screen.INTAKE)
    if case is None:
        return

    widgets.case_header(case, user)
    if case.status == CaseStatus.REQUESTED:
        st.info(messages.INTAKE_NOT_STARTED)
        return
    widgets.readiness(case, user)

    meds, conditions, assessment, escort, booking = st.tabs(TABS)
    with meds:
        medication_widgets.medications(case, user)
    with conditions:
        condition_widgets.conditions(case, user)
    with assessment:
        widgets.assessment(case, user)
        # Open until answered "not Medicare": readiness asks for the answer.
        with st.expander("Medicare and CMS-approved study", expanded=case.medicare is not False):
            widgets.medicare(case, user)
        with st.expander(widgets.odi_fold_title(case), expanded=case.baseline_odi is None):
            widgets.baseline_odi(case, user)
    with escort:
        widgets.escort(case, user)
    with booking:
        booking_widgets.booking_form(case, user, office_rows, provider_rows)
