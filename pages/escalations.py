"""Escalations: a provider's own open escalations (admins: every office's), the most urgent
tier first, each with its red flags, whom to call, where its notifications stand, and the form
that resolves it."""

from __future__ import annotations

import streamlit as st

from db.queries.followup import escalations_to_resolve
from mild import messages
from mild.escalations import escalation_scope
from mild.staff import Screen
from ui import escalations, forms
from ui.auth import require
from ui.safe import show_failure


def render() -> None:
    user = require(Screen.ESCALATIONS)
    st.title("Escalations")
    forms.show_flash()
    st.caption(messages.ESCALATIONS_HELP)
    offices, provider = escalation_scope(user.role, user.office_ids, user.provider_id)
    try:
        rows = escalations_to_resolve(offices, provider_id=provider)
    except Exception as exc:
        show_failure(exc)
        return
    if rows.empty:
        st.info(messages.ESCALATIONS_NONE)
        return
    escalations.open_escalations(rows, user, prefix="esc", title=messages.ESCALATIONS_TITLE)
