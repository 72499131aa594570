"""The case lifecycle: statuses, allowed transitions, the next legal actions, cancellation codes."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from mild import messages
from mild.errors import RuleViolation
from mild.text import check_storable


class CaseStatus(enum.StrEnum):
    REQUESTED = "requested"
    INTAKE = "intake"
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    IN_PROCEDURE = "in_procedure"
    RECOVERY = "recovery"
    DISCHARGED = "discharged"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.REQUESTED: "Consult requested",
    CaseStatus.INTAKE: "Intake",
    CaseStatus.SCHEDULED: "Scheduled",
    CaseStatus.CHECKED_IN: "Checked in",
    CaseStatus.IN_PROCEDURE: "In procedure",
    CaseStatus.RECOVERY: "Recovery",
    CaseStatus.DISCHARGED: "Discharged",
    CaseStatus.FOLLOW_UP: "Follow-up",
    CaseStatus.CLOSED: "Closed",
    CaseStatus.CANCELLED: "Cancelled",
}

# The happy path, in order; used for ordering statuses on boards and in counts.
PATHWAY: tuple[CaseStatus, ...] = (
    CaseStatus.REQUESTED,
    CaseStatus.INTAKE,
    CaseStatus.SCHEDULED,
    CaseStatus.CHECKED_IN,
    CaseStatus.IN_PROCEDURE,
    CaseStatus.RECOVERY,
    CaseStatus.DISCHARGED,
    CaseStatus.FOLLOW_UP,
    CaseStatus.CLOSED,
)

# Cancelling is allowed from any state before the patient is in the procedure.
CANCELLABLE: frozenset[CaseStatus] = frozenset(PATHWAY[: PATHWAY.index(CaseStatus.IN_PROCEDURE)])

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    status: frozenset(
        ({PATHWAY[i + 1]} if i + 1 < len(PATHWAY) else set())
        | ({CaseStatus.CANCELLED} if status in CANCELLABLE else set())
    )
    for i, status in enumerate(PATHWAY)
}
TRANSITIONS[CaseStatus.CANCELLED] = frozenset()

# Statuses that count as "today's work" on a procedure day.
DAY_OF_STATUSES: frozenset[CaseStatus] = frozenset(
    {
        CaseStatus.SCHEDULED,
        CaseStatus.CHECKED_IN,
        CaseStatus.IN_PROCEDURE,
        CaseStatus.RECOVERY,
        CaseStatus.DISCHARGED,
    }
)

# FHIR Procedure.status for each case status, for a clean mapping to interchange formats.
FHIR_PROCEDURE_STATUS: dict[CaseStatus, str] = {
    CaseStatus.REQUESTED: "preparation",
    CaseStatus.INTAKE: "preparation",
    CaseStatus.SCHEDULED: "preparation",
    CaseStatus.CHECKED_IN: "preparation",
    CaseStatus.IN_PROCEDURE: "in-progress",
    CaseStatus.RECOVERY: "completed",
    CaseStatus.DISCHARGED: "completed",
    CaseStatus.FOLLOW_UP: "completed",
    CaseStatus.CLOSED: "completed",
    CaseStatus.CANCELLED: "not-done",
}


class CancelReason(enum.StrEnum):
    PATIENT_ILLNESS = "patient_illness"
    NO_ESCORT = "no_escort"
    MEDICATION_NOT_HELD = "medication_not_held"
    NOT_FASTING = "not_fasting"
    CLEARANCE_MISSING = "clearance_missing"
    VITALS_OUT_OF_RANGE = "vitals_out_of_range"
    NO_SHOW = "no_show"
    PATIENT_DECLINED = "patient_declined"
    PROVIDER_OR_EQUIPMENT = "provider_or_equipment"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CANCEL_REASON_LABELS[self]


CANCEL_REASON_LABELS: dict[CancelReason, str] = {
    CancelReason.PATIENT_ILLNESS: "Patient illness",
    CancelReason.NO_ESCORT: "No escort",
    CancelReason.MEDICATION_NOT_HELD: "Medication not held",
    CancelReason.NOT_FASTING: "Not fasting",
    CancelReason.CLEARANCE_MISSING: "Clearance missing",
    CancelReason.VITALS_OUT_OF_RANGE: "Glucose or blood pressure out of range",
    CancelReason.NO_SHOW: "Patient no-show",
    CancelReason.PATIENT_DECLINED: "Patient declined",
    CancelReason.PROVIDER_OR_EQUIPMENT: "Provider or equipment unavailable",
    CancelReason.OTHER: "Other",
}


class RequestChannel(enum.StrEnum):
    ONLINE_FORM = "online_form"
    PHONE = "phone"
    REFERRAL = "referral"


@dataclass(frozen=True)
class CaseAction:
    """A button a page may draw: the status it leads to and its label."""

    to_status: CaseStatus
    label: str


ACTION_LABELS: dict[CaseStatus, str] = {
    CaseStatus.INTAKE: "Start intake",
    CaseStatus.SCHEDULED: "Confirm booking",
    CaseStatus.CHECKED_IN: "Check in",
    CaseStatus.IN_PROCEDURE: "Start procedure",
    CaseStatus.RECOVERY: "Move to recovery",
    CaseStatus.DISCHARGED: "Discharge",
    CaseStatus.FOLLOW_UP: "Start follow-up",
    CaseStatus.CLOSED: "Close case",
    CaseStatus.CANCELLED: "Cancel case",
}


def can_transition(current: CaseStatus, target: CaseStatus) -> bool:
    """True when the lifecycle allows moving from `current` to `target`."""
    return target in TRANSITIONS[current]


def next_actions(status: CaseStatus) -> list[CaseAction]:
    """The actions a page may offer for a case in `status`, forward step first."""
    targets = sorted(TRANSITIONS[status], key=lambda s: s == CaseStatus.CANCELLED)
    return [CaseAction(t, ACTION_LABELS[t]) for t in targets]


def check_transition(current: CaseStatus, target: CaseStatus) -> None:
    """Raise RuleViolation unless the lifecycle allows `current` -> `target`."""
    if current == CaseStatus.CLOSED:
        raise RuleViolation("status", messages.CASE_LOCKED)
    if not can_transition(current, target):
        raise RuleViolation(
            "status", messages.TRANSITION_NOT_ALLOWED.format(frm=current.label, to=target.label)
        )


CANCEL_NOTE_LIMIT = 2000  # as long as a follow-up note


def check_cancellation(current: CaseStatus, reason: CancelReason | None, note: str) -> None:
    """Raise RuleViolation unless a cancellation with this reason may be recorded now."""
    if current == CaseStatus.CLOSED:
        raise RuleViolation("status", messages.CASE_LOCKED)
    if current not in CANCELLABLE:
        raise RuleViolation("status", messages.CANNOT_CANCEL.format(status=current.label))
    if reason is None:
        raise RuleViolation("reason", messages.CANCEL_REASON_REQUIRED)
    if reason == CancelReason.OTHER and not note.strip():
        raise RuleViolation("note", messages.CANCEL_OTHER_NEEDS_TEXT)
    if len(note.strip()) > CANCEL_NOTE_LIMIT:
        raise RuleViolation("note", messages.TEXT_TOO_LONG.format(limit=CANCEL_NOTE_LIMIT))
    check_storable("note", note)
