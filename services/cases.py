"""Lifecycle actions on a case: move it on, or cancel it with a reason."""

from __future__ import annotations

from db.session import transaction
from mild.cases import CancelReason, CaseStatus, check_cancellation
from mild.checklist import check_manual_transition
from services.common import Actor, audit, lock_case, move_case, now_utc, touch_case
from services.waiting_codes import keep_waiting_code


def advance_case(
    case_id: int, to_status: CaseStatus, *, actor: Actor, expected_version: int | None = None
) -> int:
    """Move a case to the next status the lifecycle allows; returns the new version."""
    with transaction() as session:
        case = lock_case(session, case_id, actor, expected_version)
        check_manual_transition(case.status, to_status)
        move_case(session, case, to_status, actor, now_utc())
        return case.version


def cancel_case(
    case_id: int,
    reason: CancelReason | None,
    note: str = "",
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Cancel a case before the procedure, with a reason code (and text when it is Other)."""
    with transaction() as session:
        case = lock_case(session, case_id, actor, expected_version)
        check_cancellation(case.status, reason, note)
        at = now_utc()
        previous = case.status
        case.status = CaseStatus.CANCELLED
        case.cancelled_at = at
        case.cancellation_reason = reason
        case.cancellation_note = note.strip() or None
        keep_waiting_code(session, case, at)  # a patient sent home has no code
        touch_case(case, at)
        audit(
            session,
            actor,
            "case.cancelled",
            "case",
            case.id,
            office_id=case.office_id,
            detail={"from": previous.value, "reason": reason.value, "note": note.strip()},
            at=at,
        )
        return case.version
