"""The admin screen's FHIR export tab: every case booked at an office on a range of its local days
as NDJSON (one FHIR R4 Bundle per case) for the electronic health record; prepared on request
(audited), then offered as a download (ui.documents keeps the last export only)."""

from __future__ import annotations

import streamlit as st

from db.queries.admin import admin_offices
from mild import messages
from services import fhir_export
from services.common import Actor
from ui import documents, forms
from ui.admin import common

KEY = "admin_fhir"
ERRORS = "admin_fhir_errors"
FIELDS = ("office", "first", "last")


def _asked() -> tuple:
    """What the form asks for now: ("office", office id, first day, last day)."""
    return ("office", *(st.session_state.get(f"{KEY}_{f}") for f in FIELDS))


def _prepare(user: Actor) -> None:
    asked = _asked()
    exported = forms.submit(
        lambda: fhir_export.export_office(*asked[1:], actor=user), errors_key=ERRORS
    )
    if exported is not None:
        documents.keep_export(asked, exported)


def fhir_tab(user: Actor) -> None:
    offices = common.load(admin_offices)
    if offices is None:
        return
    by_id = {o.id: o for o in offices if o.id in user.office_ids}
    st.caption(messages.FHIR_OFFICE_HELP)
    common.office_picker(by_id, f"{KEY}_office", ERRORS)
    first, last = st.columns(2)
    with first:
        st.date_input(
            "First day (office time)", value=None, key=f"{KEY}_first", format="YYYY-MM-DD"
        )
        forms.field_error(ERRORS, "first")
    with last:
        st.date_input("Last day (office time)", value=None, key=f"{KEY}_last", format="YYYY-MM-DD")
        forms.field_error(ERRORS, "last")
    forms.button(messages.FHIR_OFFICE_PREPARE, f"{KEY}_prepare", lambda: _prepare(user))
    forms.other_errors(ERRORS, FIELDS)
    exported = documents.last_export(_asked())
    if exported is not None:
        st.caption(messages.FHIR_OFFICE_PREPARED.format(count=exported.cases))
        documents.export_download(messages.FHIR_OFFICE_DOWNLOAD, exported, f"{KEY}_download")
