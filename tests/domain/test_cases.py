"""The case lifecycle: which moves are allowed, cancelling, locking, buttons and FHIR mapping."""

from __future__ import annotations

import pytest

from mild import messages
from mild.cases import (
    FHIR_PROCEDURE_STATUS,
    CancelReason,
    CaseAction,
    CaseStatus,
    can_transition,
    check_cancellation,
    check_transition,
    next_actions,
)
from mild.checklist import check_manual_transition
from mild.errors import RuleViolation

S = CaseStatus
BEFORE_PROCEDURE = (S.REQUESTED, S.INTAKE, S.SCHEDULED, S.CHECKED_IN)
FROM_PROCEDURE_ON = (S.IN_PROCEDURE, S.RECOVERY, S.DISCHARGED, S.FOLLOW_UP, S.CLOSED, S.CANCELLED)


def refusal(fn, *args) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args)
    return caught.value


def test_a_case_moves_forward_one_status_at_a_time() -> None:
    assert can_transition(S.REQUESTED, S.INTAKE)
    assert can_transition(S.SCHEDULED, S.CHECKED_IN)
    assert can_transition(S.RECOVERY, S.DISCHARGED)
    assert can_transition(S.FOLLOW_UP, S.CLOSED)
    assert not can_transition(S.SCHEDULED, S.IN_PROCEDURE)  # skipping check-in
    assert not can_transition(S.RECOVERY, S.IN_PROCEDURE)  # backwards
    assert not can_transition(S.SCHEDULED, S.SCHEDULED)


def test_a_skipped_or_backward_move_is_refused_naming_both_statuses() -> None:
    err = refusal(check_transition, S.SCHEDULED, S.RECOVERY)
    assert err.field == "status"
    assert err.message == "A case cannot go from Scheduled to Recovery."

    err = refusal(check_transition, S.DISCHARGED, S.IN_PROCEDURE)
    assert err.message == "A case cannot go from Discharged to In procedure."


def test_cancelling_is_allowed_from_every_status_before_in_procedure() -> None:
    for status in BEFORE_PROCEDURE:
        assert can_transition(status, S.CANCELLED), status
        check_cancellation(status, CancelReason.NO_ESCORT, "")  # no refusal


def test_cancelling_is_refused_once_the_procedure_has_started() -> None:
    for status in FROM_PROCEDURE_ON:
        assert not can_transition(status, S.CANCELLED), status
        err = refusal(check_cancellation, status, CancelReason.PATIENT_ILLNESS, "")
        assert err.field == "status"
        expected = messages.CASE_LOCKED if status == S.CLOSED else messages.CANNOT_CANCEL
        assert err.message == expected.format(status=status.label)
    err = refusal(check_cancellation, S.IN_PROCEDURE, CancelReason.PATIENT_ILLNESS, "")
    assert err.message == "A case that is In procedure can no longer be cancelled."


def test_cancelling_needs_a_reason_code_and_text_when_it_is_other() -> None:
    err = refusal(check_cancellation, S.SCHEDULED, None, "patient phoned")
    assert err.field == "reason"
    assert err.message == messages.CANCEL_REASON_REQUIRED

    err = refusal(check_cancellation, S.CHECKED_IN, CancelReason.OTHER, "   ")
    assert err.field == "note"
    assert err.message == messages.CANCEL_OTHER_NEEDS_TEXT

    check_cancellation(S.CHECKED_IN, CancelReason.OTHER, "Fire alarm, building evacuated")


def test_a_closed_case_is_locked_against_any_move() -> None:
    for target in CaseStatus:
        err = refusal(check_transition, S.CLOSED, target)
        assert err.field == "status"
        assert err.message == messages.CASE_LOCKED
    assert next_actions(S.CLOSED) == []


def test_a_cancelled_case_goes_nowhere() -> None:
    assert not any(can_transition(S.CANCELLED, target) for target in CaseStatus)
    assert next_actions(S.CANCELLED) == []
    err = refusal(check_transition, S.CANCELLED, S.SCHEDULED)
    assert err.message == "A case cannot go from Cancelled to Scheduled."


def test_next_actions_offer_the_forward_step_first_and_cancel_last() -> None:
    assert next_actions(S.SCHEDULED) == [
        CaseAction(S.CHECKED_IN, "Check in"),
        CaseAction(S.CANCELLED, "Cancel case"),
    ]
    assert next_actions(S.REQUESTED) == [
        CaseAction(S.INTAKE, "Start intake"),
        CaseAction(S.CANCELLED, "Cancel case"),
    ]
    # Once the procedure has started there is nothing to cancel: only the way forward.
    assert next_actions(S.RECOVERY) == [CaseAction(S.DISCHARGED, "Discharge")]


def test_every_status_maps_to_a_fhir_procedure_status() -> None:
    fhir_codes = {
        "preparation",
        "in-progress",
        "not-done",
        "on-hold",
        "stopped",
        "completed",
        "entered-in-error",
        "unknown",
    }
    assert set(FHIR_PROCEDURE_STATUS) == set(CaseStatus)
    assert set(FHIR_PROCEDURE_STATUS.values()) <= fhir_codes
    assert FHIR_PROCEDURE_STATUS[S.SCHEDULED] == "preparation"
    assert FHIR_PROCEDURE_STATUS[S.IN_PROCEDURE] == "in-progress"
    assert FHIR_PROCEDURE_STATUS[S.DISCHARGED] == "completed"
    assert FHIR_PROCEDURE_STATUS[S.CANCELLED] == "not-done"


def test_a_status_owned_by_a_checklist_step_cannot_be_set_by_button() -> None:
    owned = {
        (S.SCHEDULED, S.CHECKED_IN): "Checked in",
        (S.CHECKED_IN, S.IN_PROCEDURE): "Procedure start (incision)",
        (S.IN_PROCEDURE, S.RECOVERY): "Recovery room in",
        (S.RECOVERY, S.DISCHARGED): "Discharged",
    }
    for (current, target), step_label in owned.items():
        err = refusal(check_manual_transition, current, target)
        assert err.field == "status"
        assert (
            err.message == f'This status is set by ticking "{step_label}" on the day-of checklist.'
        )


def test_only_starting_intake_is_a_plain_status_button() -> None:
    check_manual_transition(S.REQUESTED, S.INTAKE)
    # Each of these has an action of its own that runs its checks (readiness, the first
    # follow-up, no open escalation, a reason code).
    for current, target in [
        (S.INTAKE, S.SCHEDULED),
        (S.DISCHARGED, S.FOLLOW_UP),
        (S.FOLLOW_UP, S.CLOSED),
        (S.SCHEDULED, S.CANCELLED),
    ]:
        err = refusal(check_manual_transition, current, target)
        assert err.message == messages.STATUS_VIA_ITS_ACTION.format(status=target.label)
    # A move the lifecycle forbids is refused as such, before asking who owns the status.
    err = refusal(check_manual_transition, S.REQUESTED, S.CHECKED_IN)
    assert err.message == "A case cannot go from Consult requested to Checked in."


def test_cancelling_a_closed_case_says_it_is_locked():
    import pytest

    from mild import messages
    from mild.cases import CancelReason, CaseStatus, check_cancellation
    from mild.errors import RuleViolation

    with pytest.raises(RuleViolation) as refusal:
        check_cancellation(CaseStatus.CLOSED, CancelReason.OTHER, "moved away")
    assert refusal.value.message == messages.CASE_LOCKED
