"""The snapshot of a case the FHIR Bundle is built from (db.queries.fhir reads it), and who may
export what (a case from its screens; an office's days by its managers and admins)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from mild import messages
from mild.cases import CancelReason, CaseStatus
from mild.discharge import DischargeScale
from mild.errors import RuleViolation
from mild.followup import FollowUpKind, Incision, RedFlag
from mild.intake import Condition
from mild.staff import Role, Screen, may_open

# --- The snapshot of a case the Bundle is built from ---------------------------------------------


@dataclass(frozen=True)
class PatientFacts:
    mrn: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    phone: str | None = None


@dataclass(frozen=True)
class MedicationFacts:
    """One drug as intake recorded it, with the hold copied from its hold-table row."""

    drug: str  # the hold table's name for it (or the name as typed, when unplaced)
    name_given: str | None = None  # as the patient or referral gave it: "Eliquis 5 mg"
    dose: str | None = None
    stop_before_hours: int | None = None
    skip_on_day: bool = False
    restart_after_hours: int | None = None
    restart_instruction: str = ""  # the hold table row's instruction (a restart sentence)
    last_dose_by: dt.datetime | None = None
    last_dose_taken_at: dt.datetime | None = None
    last_dose_reported_at: dt.datetime | None = None
    last_dose_reported_via: str | None = None
    needs_review: bool = False
    cleared_by: str | None = None
    cleared_at: dt.datetime | None = None
    glp1_decision: str | None = None


@dataclass(frozen=True)
class ConditionFacts:
    condition: Condition
    details: str | None = None


@dataclass(frozen=True)
class ScoreFacts:
    """The discharge score in force: the total, when it was charted, and, where the score form
    recorded them, the scale and each item's points."""

    total: int
    at: dt.datetime
    scale: DischargeScale | None = None
    items: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FollowUpFacts:
    """One completed follow-up: the next-day call's answers or a visit's scores, and the
    escalation its red flags raised."""

    kind: FollowUpKind
    completed_at: dt.datetime
    reached: bool = True
    nprs: int | None = None
    odi: float | None = None
    walk_minutes: int | None = None
    stand_minutes: int | None = None
    swelling: bool | None = None
    bruising: bool | None = None
    incision: Incision | None = None
    meds_as_prescribed: bool | None = None
    returned_to_work_on: dt.date | None = None
    temperature_c: float | None = None
    red_flags: tuple[RedFlag, ...] = ()
    notes: str | None = None
    escalated_at: dt.datetime | None = None
    escalation_note: str | None = None
    escalation_resolved_at: dt.datetime | None = None
    resolution_note: str | None = None


@dataclass(frozen=True)
class CaseSnapshot:
    code: str
    status: CaseStatus
    timezone: str
    office_name: str
    patient: PatientFacts
    provider: str | None = None
    scheduled_start: dt.datetime | None = None
    checked_in_at: dt.datetime | None = None
    procedure_started_at: dt.datetime | None = None
    procedure_ended_at: dt.datetime | None = None
    discharged_at: dt.datetime | None = None
    cancellation_reason: CancelReason | None = None
    cancellation_note: str | None = None
    planned_levels: str | None = None
    planned_side: str | None = None
    levels_treated: str | None = None
    anesthesia_type: str | None = None
    imaging_modality: str | None = None
    baseline_nprs: int | None = None
    baseline_odi: float | None = None
    baseline_walk_minutes: int | None = None
    baseline_stand_minutes: int | None = None
    conditions: tuple[ConditionFacts, ...] = ()
    medications: tuple[MedicationFacts, ...] = ()
    discharge_score: ScoreFacts | None = None
    follow_ups: tuple[FollowUpFacts, ...] = ()


# --- Who may export, and which days ------------------------------------------------------------

# A case is exported from the screens that show one (checklist, follow-up); an office's days by
# those who answer for the offices (admins; managers).
CASE_EXPORT_SCREENS: tuple[Screen, ...] = (Screen.CHECKLIST, Screen.FOLLOW_UP)
OFFICE_EXPORTERS: frozenset[Role] = frozenset({Role.ADMIN, Role.MANAGER})
MAX_RANGE_DAYS = 366  # one file holds a year at most: the export is built in memory


def check_case_exporter(role: Role) -> None:
    if not any(may_open(role, screen) for screen in CASE_EXPORT_SCREENS):
        raise RuleViolation("case", messages.FHIR_NOT_ALLOWED)


def check_office_exporter(role: Role) -> None:
    if role not in OFFICE_EXPORTERS:
        raise RuleViolation("office", messages.FHIR_NOT_ALLOWED)


def check_range(first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    """The first and last office-local day of an export, both given, in order, a year at most."""
    if first is None:
        raise RuleViolation("first", messages.FHIR_RANGE_REQUIRED)
    if last is None:
        raise RuleViolation("last", messages.FHIR_RANGE_REQUIRED)
    if last < first:
        raise RuleViolation("last", messages.FHIR_RANGE_BACKWARDS)
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise RuleViolation("last", messages.FHIR_RANGE_TOO_LONG.format(days=MAX_RANGE_DAYS))
    return first, last
