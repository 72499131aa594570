"""Failures shown as short messages: a user never sees a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st
from sqlalchemy.exc import InterfaceError, OperationalError

from mild import messages
from mild.errors import RuleViolation
from mild.staff import Screen
from services import reads
from services.common import Actor

log = logging.getLogger("mild")


def failure_message(exc: BaseException) -> str:
    if isinstance(exc, OperationalError | InterfaceError):
        return messages.DATABASE_UNAVAILABLE
    return messages.UNEXPECTED_ERROR


def show_failure(exc: BaseException) -> None:
    """Log the details for the administrator; show the user one clear sentence."""
    log.exception("request failed", exc_info=exc)
    st.error(failure_message(exc))


VIEWS_KEY = "audit_case_views"  # (user, screen, case) opens already recorded in this session


def record_view(user: Actor, case_id: int, screen: Screen) -> bool:
    """Record that `user` opened this case on this screen, once per browser session (reruns
    and clicks on the open case add nothing). False, with the reason shown, when it cannot be
    recorded: a clinical read that leaves no trace is not shown at all."""
    seen = st.session_state.setdefault(VIEWS_KEY, set())
    mark = (user.id, screen.value, case_id)
    if mark in seen:
        return True
    if not recorded(
        lambda: reads.record_case_view(user, case_id, screen), messages.CASE_VIEW_NOT_RECORDED
    ):
        return False
    seen.add(mark)
    return True


def recorded(record: Callable[[], object], not_recorded: str) -> bool:
    """Run an audited read's record; False with the reason shown when it was refused or
    failed (the database away, or `not_recorded` for anything unexpected, logged)."""
    try:
        record()
    except RuleViolation as refusal:
        st.error(refusal.message)
        return False
    except Exception as exc:
        log.exception("read not recorded", exc_info=exc)
        shown = failure_message(exc)
        st.error(not_recorded if shown == messages.UNEXPECTED_ERROR else shown)
        return False
    return True


def open_case(load, case_id: int, user: Actor, screen: Screen) -> object | None:
    """A case read for a screen (`load` is the screen's case_detail query), its opening
    recorded in the audit trail; or None with the reason shown: not found or not at the
    user's offices, the database failing, or the opening not recorded."""
    try:
        case = load(case_id, user.office_ids)
    except Exception as exc:
        show_failure(exc)
        return None
    if case is None:
        st.error(messages.CASE_NOT_FOUND)
        return None
    if not record_view(user, case_id, screen):
        return None
    return case
