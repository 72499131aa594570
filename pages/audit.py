"""Audit trail: who did what to which case when, in words and in each office's time, filtered
by days, office, user, kind of action and case code (however typed), newest first; a named
case's whole history told as a story, oldest first; a CSV export. Managers read their
offices' rows, admins all."""

from __future__ import annotations

import streamlit as st

from db.queries.audit import audit_events, audit_offices, audit_users
from mild import messages
from mild.staff import Role, Screen
from services.common import now_utc
from ui import audit as view
from ui.auth import require
from ui.safe import show_failure


def render() -> None:
    user = require(Screen.AUDIT)
    st.title("Audit trail")
    if not view.record_opening(user):
        return
    try:
        offices = audit_offices(user.role, user.office_ids)
        people = audit_users(user.role, user.office_ids)
    except Exception as exc:
        show_failure(exc)
        return
    if not offices and user.role != Role.ADMIN:
        st.info(messages.NO_OFFICES)
        return
    chosen = view.filters(user, offices, people, view.practice_zone(offices, user), now_utc())
    if chosen is None:
        return
    try:
        page = audit_events(user.role, user.office_ids, chosen)
    except Exception as exc:
        show_failure(exc)
        return
    view.results(page, chosen, user)
