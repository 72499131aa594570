"""Documents on a screen: the discharge instructions (checklist), the day sheet (schedule) and the
FHIR export (a case on the checklist or follow-up screen; an office's days on the admin screen),
each prepared on request, then offered as a download.

The PDF is built (and its print audited) only when the nurse asks for it; the last one stays in
this browser session so the download survives reruns. `printed_version(case_id)` is what the
checklist's "instructions given" tick records.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from mild import messages
from mild.errors import RuleViolation
from services import documents, fhir_export
from services.common import Actor
from services.fhir_export import ExportedDocument
from ui.safe import failure_message, log

PRINTED_KEY = "dayof_instructions_printed"  # case id -> version of its last print
DOCUMENT_KEY = "dayof_instructions_document"  # (case id, PrintedDocument): the last one only


def _error_key(case_id: int) -> str:
    return f"dayof_instructions_error_{case_id}"


def printed_version(case_id: int) -> str | None:
    """The version of the case's last print in this session ("2026-12.1 #1234"), or None."""
    return st.session_state.get(PRINTED_KEY, {}).get(case_id)


def _run(action, error_key: str, not_prepared: str):
    """Build a document (a service call: it audits the print); its refusal or failure kept
    under `error_key` for the button to show. The PrintedDocument, or None."""
    try:
        printed = action()
    except RuleViolation as refusal:
        st.session_state[error_key] = refusal.message
        return None
    except Exception as exc:
        log.exception("document not prepared", exc_info=exc)
        shown = failure_message(exc)
        st.session_state[error_key] = not_prepared if shown == messages.UNEXPECTED_ERROR else shown
        return None
    st.session_state.pop(error_key, None)
    return printed


def _prepare(case_id: int, user: Actor) -> None:
    printed = _run(
        lambda: documents.discharge_instructions(case_id, actor=user),
        _error_key(case_id),
        messages.INSTRUCTIONS_NOT_PREPARED,
    )
    if printed is None:
        return
    # Only the last PDF is kept: patient data stays in memory no longer than it is needed.
    st.session_state[DOCUMENT_KEY] = (case_id, printed)
    st.session_state.setdefault(PRINTED_KEY, {})[case_id] = printed.version


def discharge_instructions_button(case_id: int, user: Actor, *, primary: bool = False) -> None:
    """The "Prepare discharge instructions" button (the screen's primary one when printing is
    the next thing to do), then the download and any warning."""
    st.button(
        messages.INSTRUCTIONS_PREPARE,
        key=f"dayof_instructions_prepare_{case_id}",
        type="primary" if primary else "secondary",
        icon=":material/print:",
        on_click=_prepare,
        args=(case_id, user),
    )
    if error := st.session_state.get(_error_key(case_id)):
        st.error(error)
    last = st.session_state.get(DOCUMENT_KEY)
    if not last or last[0] != case_id:
        return
    printed = last[1]
    st.caption(messages.INSTRUCTIONS_PREPARED.format(version=printed.version))
    for warning in printed.warnings:
        st.warning(warning, icon=":material/call:")
    st.download_button(
        messages.INSTRUCTIONS_DOWNLOAD,
        data=printed.pdf,
        file_name=printed.filename,
        mime="application/pdf",
        key=f"dayof_instructions_download_{case_id}",
        icon=":material/download:",
        on_click="ignore",
    )


SHEET_KEY = "sched_day_sheet_document"  # ((office id, day), PrintedDocument): the last one only


def _prepare_sheet(office_id: int, day: dt.date, user: Actor) -> None:
    printed = _run(
        lambda: documents.day_sheet(office_id, day, actor=user),
        f"sched_day_sheet_error_{office_id}",
        messages.SHEET_NOT_PREPARED,
    )
    if printed is not None:
        st.session_state[SHEET_KEY] = ((office_id, day), printed)


def day_sheet_button(office_id: int, day: dt.date, user: Actor) -> None:
    """The "Prepare the day sheet" button (audited when pressed), then its download."""
    st.button(
        messages.SHEET_PREPARE,
        key=f"sched_day_sheet_prepare_{office_id}",
        icon=":material/print:",
        on_click=_prepare_sheet,
        args=(office_id, day, user),
    )
    if error := st.session_state.get(f"sched_day_sheet_error_{office_id}"):
        st.error(error)
    last = st.session_state.get(SHEET_KEY)
    if not last or last[0] != (office_id, day):
        return
    st.caption(messages.SHEET_PRINTED)
    st.download_button(
        messages.SHEET_DOWNLOAD,
        data=last[1].pdf,
        file_name=last[1].filename,
        mime="application/pdf",
        key=f"sched_day_sheet_download_{office_id}",
        icon=":material/download:",
        on_click="ignore",
    )


EXPORT_KEY = "fhir_export_document"  # (what, ExportedDocument): the last export only


def keep_export(what: tuple, exported: ExportedDocument) -> None:
    """Keep an export for its download; only the last one: patient data stays in memory no
    longer than it is needed."""
    st.session_state[EXPORT_KEY] = (what, exported)


def last_export(what: tuple) -> ExportedDocument | None:
    """The export kept for `what` (("case", id) or ("office", id, first, last)), or None."""
    last = st.session_state.get(EXPORT_KEY)
    return last[1] if last and last[0] == what else None


def export_download(label: str, exported: ExportedDocument, key: str) -> None:
    st.download_button(
        label,
        data=exported.data,
        file_name=exported.filename,
        mime=exported.mime,
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def _prepare_case_export(case_id: int, user: Actor, error_key: str) -> None:
    exported = _run(
        lambda: fhir_export.export_case(case_id, actor=user), error_key, messages.FHIR_NOT_PREPARED
    )
    if exported is not None:
        keep_export(("case", case_id), exported)


def fhir_case_button(case_id: int, user: Actor, prefix: str) -> None:
    """The case's "Prepare the FHIR export" button (audited when pressed), then its download.
    `prefix` is the screen's widget-key prefix (dayof, fu)."""
    key = f"{prefix}_fhir_{case_id}"
    st.button(
        messages.FHIR_CASE_PREPARE,
        key=f"{key}_prepare",
        icon=":material/ios_share:",
        on_click=_prepare_case_export,
        args=(case_id, user, f"{key}_error"),
    )
    if error := st.session_state.get(f"{key}_error"):
        st.error(error)
    exported = last_export(("case", case_id))
    if exported is not None:
        st.caption(messages.FHIR_PREPARED.format(resources=exported.resources))
        export_download(messages.FHIR_CASE_DOWNLOAD, exported, f"{key}_download")
