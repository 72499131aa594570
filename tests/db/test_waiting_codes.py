"""Waiting-room codes through the services on both backends: issued at check-in in the tick's
own transaction and named in its audit row, cleared at discharge and at a cancellation, never
issued twice in a day at one office, and what the waiting-room display reads."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import services.waiting_codes
from db.models import AuditEvent, Case, WaitingCode
from db.queries.board import board
from db.queries.home import offices
from db.session import read_session, transaction
from mild.cases import CancelReason, CaseStatus
from mild.days import local_today
from mild.discharge import DischargeScale
from mild.staff import Role
from mild.waiting_codes import WAITING_CODE, new_waiting_code
from services.cases import cancel_case
from services.checklist import (
    complete_step,
    confirm_escort,
    discharge_patient,
    record_discharge_score,
)
from tests.builders import (
    OPEN_AFTER_A_SHORT_DAY,
    make_case,
    make_office,
    make_user,
    make_ward,
    to_incision,
)

NY = "America/New_York"
ALDRETE_10 = dict.fromkeys(
    ("activity", "breathing", "circulation", "consciousness", "oxygen_saturation"), 2
)


@pytest.fixture
def day(db_url):
    return make_ward("NY", NY)


def waiting_code_of(case_id: int) -> str | None:
    with read_session() as s:
        return s.get(Case, case_id).waiting_code


def issued(office_id: int) -> list[tuple[dt.date, str]]:
    with read_session() as s:
        return [
            (r.issued_on, r.code)
            for r in s.scalars(select(WaitingCode).where(WaitingCode.office_id == office_id))
        ]


def audit_rows(action: str) -> list:
    """(at, actor_name, entity, entity_id, office_id, detail) of each row of `action`."""
    with read_session() as s:
        return s.execute(
            select(
                AuditEvent.at,
                AuditEvent.actor_name,
                AuditEvent.entity,
                AuditEvent.entity_id,
                AuditEvent.office_id,
                AuditEvent.detail,
            ).where(AuditEvent.action == action)
        ).all()


def scripted_draws(monkeypatch, *codes: str) -> None:
    """The service's draws come from `codes`, in order (the real rule still refuses a code
    already issued today)."""
    draws = iter(codes)
    monkeypatch.setattr(
        services.waiting_codes,
        "new_waiting_code",
        lambda taken: new_waiting_code(taken, lambda: next(draws)),
    )


def test_checking_in_issues_a_code_recorded_for_the_day_and_named_in_the_check_ins_audit_row(
    day,
):
    office, nurse, case_id = day
    assert waiting_code_of(case_id) is None

    complete_step(case_id, "checked_in", actor=nurse)

    code = waiting_code_of(case_id)
    assert WAITING_CODE.fullmatch(code)
    today = local_today(NY, dt.datetime.now(dt.UTC))
    assert issued(office) == [(today, code)]
    # One action, one audit row: the check-in's, attributed to the nurse, naming the code.
    (row,) = audit_rows("checklist.ticked")
    assert (row.actor_name, row.entity, row.entity_id, row.office_id) == (
        nurse.username,
        "case",
        case_id,
        office,
    )
    assert json.loads(row.detail) == {"step": "checked_in", "value": None, "waiting_code": code}


def test_the_code_stays_through_the_procedure_and_is_cleared_at_discharge(day):
    _office, nurse, case_id = day
    to_incision(case_id, nurse)
    code = waiting_code_of(case_id)
    complete_step(case_id, "procedure_end", actor=nurse)
    complete_step(case_id, "recovery_in", actor=nurse)
    assert waiting_code_of(case_id) == code  # one code for the whole stay

    confirm_escort(case_id, "Ann Lee", "daughter", "5550100199", actor=nurse)
    record_discharge_score(case_id, DischargeScale.ALDRETE, ALDRETE_10, actor=nurse)
    discharge_patient(case_id, actor=nurse, open_steps_confirmed=OPEN_AFTER_A_SHORT_DAY)

    assert waiting_code_of(case_id) is None
    named = [json.loads(r.detail).get("waiting_code") for r in audit_rows("checklist.ticked")]
    assert [c for c in named if c] == [code]  # issued once, at check-in


def test_a_patient_checked_in_then_cancelled_loses_the_code(day):
    _office, nurse, case_id = day
    complete_step(case_id, "checked_in", actor=nurse)

    cancel_case(case_id, CancelReason.PATIENT_ILLNESS, actor=nurse)

    assert waiting_code_of(case_id) is None


def test_a_code_issued_today_is_never_issued_again_that_day_even_after_its_patient_left(
    day, monkeypatch
):
    office, nurse, first = day
    second = make_case(office, CaseStatus.SCHEDULED, dt.datetime.now(dt.UTC))
    scripted_draws(monkeypatch, "K482", "K482", "P117")
    complete_step(first, "checked_in", actor=nurse)
    cancel_case(first, CancelReason.PATIENT_ILLNESS, actor=nurse)  # K482 goes with her

    complete_step(second, "checked_in", actor=nurse)

    assert waiting_code_of(second) == "P117"
    assert sorted(code for _day, code in issued(office)) == ["K482", "P117"]


def test_another_office_may_issue_the_same_code_the_same_day(day, monkeypatch):
    office, nurse, case_id = day
    other = make_office("LA", NY)
    lena = make_user("lena", Role.NURSE, [other])
    theirs = make_case(other, CaseStatus.SCHEDULED, dt.datetime.now(dt.UTC))
    scripted_draws(monkeypatch, "K482", "K482")

    complete_step(case_id, "checked_in", actor=nurse)
    complete_step(theirs, "checked_in", actor=lena)

    assert waiting_code_of(case_id) == waiting_code_of(theirs) == "K482"


def test_the_database_refuses_a_code_issued_twice_in_one_day_at_one_office(day):
    office, _nurse, _case = day
    today = dt.date(2026, 11, 24)
    at = dt.datetime(2026, 11, 24, 15, tzinfo=dt.UTC)
    with transaction() as s:
        s.add(WaitingCode(office_id=office, issued_on=today, code="K482", issued_at=at))
        s.add(
            WaitingCode(
                office_id=office, issued_on=today + dt.timedelta(days=1), code="K482", issued_at=at
            )
        )
    with pytest.raises(IntegrityError), transaction() as s:
        s.add(WaitingCode(office_id=office, issued_on=today, code="K482", issued_at=at))
        s.flush()


def test_the_display_shows_the_codes_of_the_patients_on_site_and_nothing_of_the_case(day):
    office, nurse, case_id = day
    complete_step(case_id, "checked_in", actor=nurse)

    (shown,) = board(offices([office]), dt.datetime.now(dt.UTC), scope={office}, public=True)

    assert shown.cases.to_dict("records") == [
        {"office_id": office, "waiting_code": waiting_code_of(case_id), "stage": "Checked in"}
    ]
