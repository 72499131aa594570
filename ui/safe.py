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
