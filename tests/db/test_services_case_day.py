"""Lifecycle and checklist services: the rules hold at the service boundary on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Case, ChecklistEntry, FollowUp
from db.session import read_session
from mild import messages
from mild.cases import CancelReason, CaseStatus
from mild.checklist import STEPS
from mild.discharge import DischargeScale
from mild.errors import RuleViolation
from mild.followup import FollowUpKind
from mild.staff import Role
from services.cases import advance_case, cancel_case
from services.checklist import (
    complete_step,
    confirm_escort,
    discharge_patient,
    record_discharge_score,
    undo_step,
)
from tests.builders import (
    confirm_time_out_items,
    do_step,
    make_case,
    make_office,
    make_user,
    mark_site,
)

ARRIVAL = [
    "checked_in",
    "identity_confirmed",
    "consent_signed",
    "fasting_confirmed",
    "holds_confirmed",
]


@pytest.fixture
def day(db_url):
    office = make_office()
    nurse = make_user("nurse1", Role.NURSE, [office])
    return office, nurse, make_case(office, CaseStatus.SCHEDULED)


def _case(case_id: int) -> Case:
    with read_session() as s:
        case = s.get(Case, case_id)
        s.expunge(case)
        return case


def test_procedure_start_is_refused_without_the_time_out_and_names_it(day):
    _office, nurse, case_id = day
    for step in ARRIVAL:
        do_step(case_id, step, nurse)
    mark_site(case_id, nurse)
    complete_step(case_id, "anesthesia_start", actor=nurse)

    with pytest.raises(RuleViolation) as refusal:
        complete_step(case_id, "procedure_start", actor=nurse)

    assert refusal.value.message == messages.HARD_STOP.format(
        step="Procedure start (incision)",
        missing="Time-out done (every item above confirmed)",
    )
    assert _case(case_id).status == CaseStatus.CHECKED_IN


def test_a_whole_day_moves_the_case_through_its_statuses_and_books_its_follow_ups(day):
    _office, nurse, case_id = day
    for step in ARRIVAL:
        do_step(case_id, step, nurse)
    mark_site(case_id, nurse)
    complete_step(case_id, "anesthesia_start", actor=nurse)
    confirm_time_out_items(case_id, nurse)
    for step in ["time_out", "procedure_start"]:
        do_step(case_id, step, nurse)
    assert _case(case_id).status == CaseStatus.IN_PROCEDURE
    complete_step(case_id, "levels_treated", actor=nurse, value="L4-L5 bilateral")
    for step in ["procedure_end", "recovery_in"]:
        do_step(case_id, step, nurse)
    items = {"activity": 2, "breathing": 2, "circulation": 2, "consciousness": 2}
    record_discharge_score(
        case_id, DischargeScale.ALDRETE, items | {"oxygen_saturation": 1}, actor=nurse
    )

    with pytest.raises(RuleViolation) as refusal:
        complete_step(case_id, "discharged", actor=nurse)
    assert "Escort confirmed in person" in refusal.value.message

    confirm_escort(case_id, "A. Escort", "son", "555-0100", actor=nurse)
    # Steps this short day left open (sign out, recovery out...) are confirmed by the nurse.
    discharge_patient(case_id, actor=nurse, open_steps_confirmed=[s.key for s in STEPS])

    case = _case(case_id)
    assert case.status == CaseStatus.DISCHARGED
    assert case.levels_treated == "L4-L5 bilateral"
    assert case.checked_in_at <= case.procedure_started_at <= case.discharged_at
    with read_session() as s:
        kinds = s.scalars(select(FollowUp.kind).where(FollowUp.case_id == case_id)).all()
    assert sorted(kinds) == sorted(FollowUpKind)


def test_an_untick_keeps_the_original_tick_and_records_the_reason(day):
    _office, nurse, case_id = day
    complete_step(case_id, "consent_signed", actor=nurse)
    undo_step(case_id, "consent_signed", "Signed on the wrong form", actor=nurse)

    with read_session() as s:
        rows = s.execute(
            select(ChecklistEntry.step, ChecklistEntry.undone, ChecklistEntry.reason)
            .where(ChecklistEntry.case_id == case_id)
            .order_by(ChecklistEntry.id)
        ).all()
    assert rows == [
        ("consent_signed", False, None),
        ("consent_signed", True, "Signed on the wrong form"),
    ]


def test_a_nurse_cannot_touch_a_case_at_an_office_she_does_not_work_at(db_url):
    mine, other = make_office(), make_office()
    nurse = make_user("nurse1", Role.NURSE, [mine])
    case_id = make_case(other)

    with pytest.raises(RuleViolation) as refusal:
        complete_step(case_id, "checked_in", actor=nurse)

    assert refusal.value.message == messages.CASE_NOT_FOUND
    assert _case(case_id).version == 1


def test_a_checklist_owned_status_cannot_be_set_by_button(day):
    _office, nurse, case_id = day
    with pytest.raises(RuleViolation) as refusal:
        advance_case(case_id, CaseStatus.CHECKED_IN, actor=nurse)
    assert refusal.value.message == messages.STATUS_VIA_CHECKLIST.format(step="Checked in")


def test_a_requested_case_moves_to_intake_and_is_stamped(db_url):
    office = make_office()
    coordinator = make_user("coord", Role.COORDINATOR, [office])
    case_id = make_case(office, CaseStatus.REQUESTED)

    version = advance_case(case_id, CaseStatus.INTAKE, actor=coordinator, expected_version=1)

    case = _case(case_id)
    assert (case.status, case.version, version) == (CaseStatus.INTAKE, 2, 2)
    assert case.intake_started_at is not None


def test_cancelling_records_the_reason_and_refuses_after_the_procedure_started(day):
    office, nurse, case_id = day
    cancel_case(case_id, CancelReason.NO_ESCORT, actor=nurse)
    case = _case(case_id)
    assert (case.status, case.cancellation_reason) == (CaseStatus.CANCELLED, CancelReason.NO_ESCORT)

    started = make_case(office, CaseStatus.IN_PROCEDURE)
    with pytest.raises(RuleViolation) as refusal:
        cancel_case(started, CancelReason.OTHER, "changed mind", actor=nurse)
    assert refusal.value.message == messages.CANNOT_CANCEL.format(status="In procedure")


def test_confirming_for_the_day_cannot_skip_the_readiness_check_through_a_plain_move(db_url):
    office = make_office()
    coordinator = make_user("coord", Role.COORDINATOR, [office])
    case_id = make_case(office, CaseStatus.INTAKE)

    with pytest.raises(RuleViolation) as refusal:
        advance_case(case_id, CaseStatus.SCHEDULED, actor=coordinator)

    assert refusal.value.message == messages.STATUS_VIA_ITS_ACTION.format(status="Scheduled")
    assert _case(case_id).status == CaseStatus.INTAKE
