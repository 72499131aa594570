"""Escalations: a provider's own open escalations (admins: every office's), the most urgent
tier first, each with its red flags, whom to call, where its notifications stand, and the form
that resolves it."""

from __future__ import annotations

import streamlit as st

from db.queries.followup import escalations_to_resolve
from mild import messages
from mild.staff import Role, Screen
from ui import escalations, forms
from ui.auth import require
from ui.safe import show_failure


def render() -> None:
    user = require(Screen.ESCALATIONS)
    st.title("Escalations")
    forms.show_flash()
    st.caption(messages.ESCALATIONS_HELP)
    # A provider sees the cases booked with them; a sign-in with no provider sees none.
    mine = user.role == Role.PROVIDER
    try:
        rows = escalations_to_resolve(
            user.office_ids if not mine or user.provider_id else [],
            provider_id=user.provider_id if mine else None,
        )
    except Exception as exc:
        show_failure(exc)
        return
    if rows.empty:
        st.info(messages.ESCALATIONS_NONE)
        return
    escalations.open_escalations(rows, user, prefix="esc", title=messages.ESCALATIONS_TITLE)
