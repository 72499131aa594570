"""Widgets of the admin screen, one module per tab: offices, providers, users, open sessions,
the medication hold table, the clinical limits and the KPI targets (ui/admin/common.py holds what
they share)."""

from ui.admin.holds import holds_tab
from ui.admin.limits import limits_tab
from ui.admin.offices import offices_tab
from ui.admin.providers import providers_tab
from ui.admin.sessions import sessions_tab
from ui.admin.targets import targets_tab
from ui.admin.users import users_tab

__all__ = [
    "holds_tab",
    "limits_tab",
    "offices_tab",
    "providers_tab",
    "sessions_tab",
    "targets_tab",
    "users_tab",
]
