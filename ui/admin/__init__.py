"""Widgets of the admin screen, one module per tab: offices, providers, users, open sessions,
the medication hold table, the clinical limits, the KPI targets, the practice settings, the
FHIR export, the escalation tiers and notifications (ui/admin/common.py holds what they
share)."""

from ui.admin.fhir import fhir_tab
from ui.admin.holds import holds_tab
from ui.admin.limits import limits_tab
from ui.admin.notifications import notifications_tab
from ui.admin.offices import offices_tab
from ui.admin.providers import providers_tab
from ui.admin.sessions import sessions_tab
from ui.admin.settings import settings_tab
from ui.admin.targets import targets_tab
from ui.admin.tiers import tiers_tab
from ui.admin.users import users_tab

__all__ = [
    "fhir_tab",
    "holds_tab",
    "limits_tab",
    "notifications_tab",
    "offices_tab",
    "providers_tab",
    "sessions_tab",
    "settings_tab",
    "targets_tab",
    "tiers_tab",
    "users_tab",
]
