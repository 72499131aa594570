"""The audit trail as people read it: who may read which rows, readable action names and
groups, the detail as plain text (each action's words: mild.audit_words), and what an export
may hold."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from mild import messages
from mild.case_codes import read_case_code
from mild.cases import CancelReason, CaseStatus
from mild.checklist import STEP_BY_KEY
from mild.errors import RuleViolation
from mild.followup import FollowUpKind
from mild.staff import Role, Screen, may_open

SHOWN_ROWS = 500  # rows drawn on the screen; the rest of a match is in the CSV
EXPORT_ROWS = 50_000  # rows in one CSV export (newest first); narrow the filters for more
DEFAULT_DAYS = 7  # the range the screen opens on: the last seven days, today included

CASE_VIEWED = "case.viewed"
AUDIT_VIEWED = "audit.viewed"
AUDIT_EXPORTED = "audit.exported"
FHIR_EXPORTED = "fhir.exported"
# Rows that record a read, not a change: the data version the caches are keyed by passes over
# them (db.queries.metrics.last_change).
READ_ACTIONS = frozenset({CASE_VIEWED, AUDIT_VIEWED, AUDIT_EXPORTED, FHIR_EXPORTED})


@dataclass(frozen=True)
class AuditScope:
    """The rows a user may read: every row (admins, including rows without an office such as
    sign-ins), or only rows stamped with one of their offices (managers)."""

    every_row: bool
    office_ids: frozenset[int]


def audit_scope(role: Role, office_ids: Collection[int]) -> AuditScope:
    """Admins read the whole trail, managers their offices' rows; anyone else is refused."""
    if not may_open(role, Screen.AUDIT):
        raise RuleViolation("audit", messages.NOT_ALLOWED_HERE)
    return AuditScope(role == Role.ADMIN, frozenset(office_ids))


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


# --- actions --------------------------------------------------------------------------------------

ACTION_LABELS: dict[str, str] = {
    # sign-in and sessions
    "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.sign_in_locked": "Sign-in refused (locked)",
    "auth.locked": "Locked after failed sign-ins",
    "auth.sign_out": "Signed out",
    "auth.session_started": "Session started",
    "auth.session_ended": "Session ended",
    "auth.session_timed_out": "Signed out (idle)",
    "auth.session_ended_by_admin": "Session ended by an admin",
    "auth.session_ended_by_password_change": "Session ended (password changed)",
    "auth.session_locked": "Screen locked (idle)",
    "auth.session_unlocked": "Screen unlocked",
    "auth.unlock_failed": "Screen unlock refused",
    "auth.unlock_locked_out": "Screen unlock refused (locked)",
    "auth.sso_refused": "Single sign-on refused",
    "board.display_started": "Waiting-room display started",
    "board.display_ended": "Waiting-room display ended",
    "board.display_unlock_failed": "Display unlock refused",
    "board.display_unlock_locked": "Display unlock refused (locked)",
    "board.display_unlock_refused": "Display unlock refused (another office)",
    # reads
    CASE_VIEWED: "Case opened",
    AUDIT_VIEWED: "Audit trail opened",
    AUDIT_EXPORTED: "Audit trail exported",
    FHIR_EXPORTED: "FHIR export",
    # requests, booking, status
    "patient.created": "Patient added",
    "case.requested": "Consult requested",
    "case.booked": "Booked",
    "case.rebooked": "Rescheduled",
    "case.confirmed": "Confirmed for its day",
    "case.confirmation_withdrawn": "Confirmation withdrawn (rules revised)",
    "case.cancelled": "Cancelled",
    "case.status_changed": "Status changed",
    "case.waiting_code_issued": "Waiting-room code issued",
    "case.kidney_function_reapplied": "Dabigatran stop re-applied (eGFR limit)",
    "preop_call.recorded": "Pre-op call",
    # intake
    "intake.assessment_saved": "Assessment saved",
    "intake.baseline_odi_saved": "Baseline ODI saved",
    "intake.escort_saved": "Escort saved",
    "intake.medicare_saved": "Coverage saved (Medicare)",
    # Before the 2026-12 revision the escort was called the driver; old rows keep the old name.
    "intake.driver_saved": "Driver saved (escort)",
    "medication.added": "Medication added",
    "medication.dose_changed": "Dose changed",
    "medication.removed": "Medication removed",
    "medication.reclassed": "Medication re-classed (hold table)",
    "medication.last_dose_reported": "Last dose reported",
    "medication.glp1_decided": "GLP-1 screen and decision",
    "medication.reviewed": "Unknown drug reviewed",
    "medication.hold_confirmed": "Hold confirmed with patient",
    "medication.prescriber_cleared": "Prescriber clearance",
    "medication.kidney_function_applied": "Dabigatran stop by kidney function",
    "condition.flagged": "Condition flagged",
    "condition.unflagged": "Condition removed",
    "condition.details_changed": "Condition details changed",
    "condition.cleared": "Condition cleared",
    # day-of checklist
    "checklist.ticked": "Step ticked",
    "checklist.unticked": "Step un-ticked",
    "checklist.time_corrected": "Event time corrected",
    "checklist.escort_exempted": "Exempted from the escort rule",
    "document.printed": "Document printed",
    "safety_event.recorded": "Safety event recorded",
    # follow-up
    "follow_up.call_attempt": "Call attempt (not reached)",
    "follow_up.call_recorded": "Next-day call recorded",
    "follow_up.visit_recorded": "Follow-up visit recorded",
    "follow_up.closed_not_reached": "Closed as not reached",
    "follow_up.escalation_resolved": "Escalation resolved",
    "notification.sent": "Escalation notice sent",
    "notification.failed": "Escalation notice failed",
    "notification.not_configured": "Escalation notice not configured",
    "notification.cancelled": "Escalation notice not sent (resolved)",
    "notification.pending": "Escalation notice queued",
    "notification.sending": "Escalation notice sending",
    # administration
    "office.created": "Office created",
    "office.changed": "Office changed",
    "office.deactivated": "Office deactivated",
    "office.reactivated": "Office reactivated",
    "office_notification.changed": "Notification settings changed",
    "office_notification.tested": "Test notification sent",
    "provider.created": "Provider added",
    "provider.changed": "Provider changed",
    "provider.deactivated": "Provider deactivated",
    "provider.reactivated": "Provider reactivated",
    "staff_user.created": "User created",
    "staff_user.changed": "User changed",
    "staff_user.disabled": "User disabled",
    "staff_user.enabled": "User enabled",
    "staff_user.password_reset": "Password reset",
    "staff_user.password_changed": "Own password changed",
    "staff_user.password_change_refused": "Password change refused",
    "staff_user.landing_changed": "Landing screen chosen",
    "staff_user.email_changed": "Sign-on email set",
    "staff_user.email_cleared": "Sign-on email cleared",
    "hold_rule.added": "Hold rule added",
    "hold_rule.changed": "Hold rule changed",
    "hold_rule.confirmed": "Hold rule confirmed",
    "clinical_limit.changed": "Clinical limit changed",
    "kpi_target.changed": "Metric target changed",
    "practice_setting.changed": "Practice setting changed",
    "escalation_tier.changed": "Escalation tier changed",
    "red_flag_tier.changed": "Red-flag tier changed",
    "database.backed_up": "Database backed up",
    "database.restored": "Database restored",
    "demo.seeded": "Demo data loaded",
}


def action_label(action: str) -> str:
    """A readable name; an action this table does not know yet reads as its code in words."""
    known = ACTION_LABELS.get(action)
    if known:
        return known
    words = action.replace(".", ": ", 1).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class ActionGroup:
    """Actions filtered together: exact codes, plus every code starting with a prefix that no
    other group names exactly (so a new action lands in its area's group unasked)."""

    key: str
    label: str
    prefixes: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


ACTION_GROUPS: tuple[ActionGroup, ...] = (
    ActionGroup("sign_in", "Sign-in and sessions", ("auth.", "board.display_")),
    ActionGroup(
        "case_reads", "Case opened or exported (reads)", codes=(CASE_VIEWED, FHIR_EXPORTED)
    ),
    ActionGroup("cases", "Requests, booking, status", ("case.", "patient.", "preop_call.")),
    ActionGroup("intake", "Intake", ("intake.", "medication.", "condition.")),
    ActionGroup("checklist", "Day-of checklist", ("checklist.", "document.", "safety_event.")),
    ActionGroup("follow_up", "Follow-up and escalation notices", ("follow_up.", "notification.")),
    ActionGroup(
        "admin",
        "Administration",
        (
            "office.",
            "office_notification.",
            "provider.",
            "staff_user.",
            "hold_rule.",
            "clinical_limit.",
            "kpi_target.",
            "practice_setting.",
            "escalation_tier.",
            "red_flag_tier.",
            "database.",
            "demo.",
        ),
        codes=("auth.session_ended_by_admin",),
    ),
    ActionGroup("audit", "Audit trail reads and exports", ("audit.",)),
)
GROUP_BY_KEY = {g.key: g for g in ACTION_GROUPS}


def claimed_elsewhere(group: ActionGroup) -> tuple[str, ...]:
    """Exact codes other groups name: left out of this group's prefixes."""
    return tuple(c for g in ACTION_GROUPS if g is not group for c in g.codes)


def group_of(action: str) -> ActionGroup | None:
    for g in ACTION_GROUPS:
        if action in g.codes:
            return g
    for g in ACTION_GROUPS:
        if action.startswith(g.prefixes) and action not in claimed_elsewhere(g):
            return g
    return None


def check_group(key: str | None) -> ActionGroup | None:
    if key is None:
        return None
    try:
        return GROUP_BY_KEY[key]
    except KeyError:
        raise RuleViolation("action", messages.AUDIT_ACTION_UNKNOWN) from None


# --- filters -------------------------------------------------------------------------------------


def check_case_code(text: str | None) -> str | None:
    """A case code as typed, trimmed and upper-cased (None when blank); read however it is
    typed (mild.case_codes), refused when it cannot be one."""
    return read_case_code(text)


def check_range(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    if end < start:
        raise RuleViolation("dates", messages.AUDIT_RANGE_BACKWARDS)
    return start, end


# --- the detail column ----------------------------------------------------------------------------


def _step_label(key: str) -> str | None:
    step = STEP_BY_KEY.get(key)
    return step.label if step else None


def _enum_label(enum_type: type, value: str) -> str | None:
    try:
        return enum_type(value).label
    except ValueError:
        return None


def _named(key: str, value: Any) -> str | None:
    """The clinic's word for a stored code (a step, a follow-up kind, a status, a reason)."""
    if not isinstance(value, str):
        return None
    if key == "step":
        return _step_label(value)
    if key == "kind":
        return _enum_label(FollowUpKind, value)
    if key in ("from", "to") and not isinstance(value, dict):
        return _enum_label(CaseStatus, value)
    if key == "reason":
        return _enum_label(CancelReason, value)
    return None


def _plain(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "{" + "; ".join(f"{_key(k)}: {_plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_plain(v) for v in value) + "]" if value else "none"
    return str(value)


def _key(name: object) -> str:
    return str(name).replace("_", " ")


def detail_text(detail: str | None) -> str:
    """The stored JSON detail as one line of plain text ('step: Time-out ... · note: ...'):
    codes the app wrote read as the clinic's words, empty values are left out.

    Whatever a user typed into it stays as typed; the caller shows it as plain text, never
    markdown. Text that is not JSON (never written by the app) is shown as it is.
    """
    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return _plain(data)
    return detail_words(data)


def detail_words(data: Mapping[str, Any]) -> str:
    """A detail already read from its JSON, as detail_text tells it."""
    return " · ".join(
        f"{_key(k)}: {_named(k, v) or _plain(v)}"
        for k, v in data.items()
        if v is not None and v != "" and v != []
    )


# A spreadsheet runs a cell starting with one of these as a formula; a failed sign-in stores
# the typed username, so the trail can hold such text on purpose.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet shows as text rather than running (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
