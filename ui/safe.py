"""Failures shown as short messages: a user never sees a traceback."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import InterfaceError, OperationalError

from mild import messages

log = logging.getLogger("mild")


def failure_message(exc: BaseException) -> str:
    if isinstance(exc, OperationalError | InterfaceError):
        return messages.DATABASE_UNAVAILABLE
    return messages.UNEXPECTED_ERROR


def show_failure(exc: BaseException) -> None:
    """Log the details for the administrator; show the user one clear sentence."""
    log.exception("request failed", exc_info=exc)
    st.error(failure_message(exc))


def open_case(load, case_id: int, office_ids) -> object | None:
    """A case read for a screen (`load` is the screen's case_detail query), or None with the
    reason shown: not found or not at the user's offices, or the database failing."""
    try:
        case = load(case_id, office_ids)
    except Exception as exc:
        show_failure(exc)
        return None
    if case is None:
        st.error(messages.CASE_NOT_FOUND)
    return case
