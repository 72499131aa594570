"""Admin: offices, providers, staff accounts, open sessions, the medication hold table, the
clinical limits on comorbidity values, the targets of the office metrics (admins only)."""

from __future__ import annotations

import streamlit as st

from mild.staff import Screen
from ui import admin as widgets
from ui import forms
from ui.auth import require

TABS = (
    "Offices",
    "Providers",
    "Users",
    "Sessions",
    "Hold table",
    "Clinical limits",
    "KPI targets",
)


def render() -> None:
    user = require(Screen.ADMIN)
    st.title("Admin")
    forms.show_flash()
    # Only the open tab runs: each reads its own table, and an action keeps its tab open.
    offices, providers, users, sessions, holds, limits, targets = st.tabs(
        TABS, key="admin_tab", on_change="rerun"
    )
    if offices.open:
        with offices:
            widgets.offices_tab(user)
    if providers.open:
        with providers:
            widgets.providers_tab(user)
    if users.open:
        with users:
            widgets.users_tab(user)
    if sessions.open:
        with sessions:
            widgets.sessions_tab(user)
    if holds.open:
        with holds:
            widgets.holds_tab(user)
    if limits.open:
        with limits:
            widgets.limits_tab(user)
    if targets.open:
        with targets:
            widgets.targets_tab(user)
