"""Printed documents on a screen: the discharge instructions, prepared on request, then offered
as a download.

The PDF is built (and its print audited) only when the nurse asks for it; the last one stays in
this browser session so the download survives reruns. `printed_version(case_id)` is what the
checklist's "instructions given" tick records.
"""

from __future__ import annotations

import streamlit as st

from mild import messages
from mild.errors import RuleViolation
from services import documents
from services.common import Actor
from ui.safe import failure_message, log

PRINTED_KEY = "dayof_instructions_printed"  # case id -> version of its last print
DOCUMENT_KEY = "dayof_instructions_document"  # (case id, PrintedDocument): the last one only


def _error_key(case_id: int) -> str:
    return f"dayof_instructions_error_{case_id}"


def printed_version(case_id: int) -> str | None:
    """The version of the case's last print in this session ("2026-12.1 #1234"), or None."""
    return st.session_state.get(PRINTED_KEY, {}).get(case_id)


def _prepare(case_id: int, user: Actor) -> None:
    try:
        printed = documents.discharge_instructions(case_id, actor=user)
    except RuleViolation as refusal:
        st.session_state[_error_key(case_id)] = refusal.message
        return
    except Exception as exc:
        log.exception("discharge instructions not prepared", exc_info=exc)
        shown = failure_message(exc)
        st.session_state[_error_key(case_id)] = (
            messages.INSTRUCTIONS_NOT_PREPARED if shown == messages.UNEXPECTED_ERROR else shown
        )
        return
    st.session_state.pop(_error_key(case_id), None)
    # Only the last PDF is kept: patient data stays in memory no longer than it is needed.
    st.session_state[DOCUMENT_KEY] = (case_id, printed)
    st.session_state.setdefault(PRINTED_KEY, {})[case_id] = printed.version


def discharge_instructions_button(case_id: int, user: Actor) -> None:
    """The "Prepare discharge instructions" button, then the download and any warning."""
    st.button(
        messages.INSTRUCTIONS_PREPARE,
        key=f"dayof_instructions_prepare_{case_id}",
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
