"""Admin: offices, providers, staff accounts, open sessions, the medication hold table, the
clinical limits on comorbidity values, the targets of the office metrics, the practice settings,
the FHIR export of an office's days, the escalation tiers and who escalations notify (admins
only)."""

from __future__ import annotations

import streamlit as st

from mild.staff import Screen
from ui import admin as widgets
from ui import forms
from ui.auth import require

# Tab label -> its widgets, in the order shown.
TABS = {
    "Offices": widgets.offices_tab,
    "Providers": widgets.providers_tab,
    "Users": widgets.users_tab,
    "Sessions": widgets.sessions_tab,
    "Hold table": widgets.holds_tab,
    "Clinical limits": widgets.limits_tab,
    "KPI targets": widgets.targets_tab,
    "Practice settings": widgets.settings_tab,
    "FHIR export": widgets.fhir_tab,
    "Escalation tiers": widgets.tiers_tab,
    "Notifications": widgets.notifications_tab,
}


def render() -> None:
    user = require(Screen.ADMIN)
    st.title("Admin")
    forms.show_flash()
    # Only the open tab runs: each reads its own table, and an action keeps its tab open.
    for tab, show in zip(
        st.tabs(list(TABS), key="admin_tab", on_change="rerun"), TABS.values(), strict=True
    ):
        if tab.open:
            with tab:
                show(user)
