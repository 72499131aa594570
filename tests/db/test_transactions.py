"""A user action commits its change and its audit row together, or neither."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import services.checklist
from db.models import AuditEvent, Case, ChecklistEntry
from db.session import read_session
from mild.cases import CaseStatus
from mild.staff import Role
from services.checklist import complete_step
from tests.builders import make_case, make_office, make_user


def _counts(case_id: int) -> tuple[int, int, CaseStatus, int]:
    with read_session() as s:
        entries = s.scalar(
            select(func.count())
            .select_from(ChecklistEntry)
            .where(ChecklistEntry.case_id == case_id)
        )
        audits = s.scalar(select(func.count()).select_from(AuditEvent))
        case = s.get(Case, case_id)
        return entries, audits, case.status, case.version


def test_a_failure_mid_action_leaves_neither_the_change_nor_its_audit_row(db_url, monkeypatch):
    office = make_office()
    nurse = make_user("nurse1", Role.NURSE, [office])
    case_id = make_case(office, CaseStatus.SCHEDULED)
    before = _counts(case_id)

    def audit_that_fails(session, *args, **kwargs):
        session.flush()  # the checklist row and the status change have reached the database
        raise RuntimeError("disk full while writing the audit row")

    monkeypatch.setattr(services.checklist, "audit", audit_that_fails)
    with pytest.raises(RuntimeError):
        complete_step(case_id, "checked_in", actor=nurse)

    assert _counts(case_id) == before == (0, 0, CaseStatus.SCHEDULED, 1)


def test_a_completed_action_has_its_change_and_audit_row_attributed_to_the_user(db_url):
    office = make_office()
    nurse = make_user("nurse1", Role.NURSE, [office])
    case_id = make_case(office, CaseStatus.SCHEDULED)

    complete_step(case_id, "checked_in", actor=nurse)

    with read_session() as s:
        entry = s.scalars(select(ChecklistEntry).where(ChecklistEntry.case_id == case_id)).one()
        event = s.scalars(select(AuditEvent)).one()
        assert (entry.step, entry.done_by_id) == ("checked_in", nurse.id)
        assert (event.action, event.actor_id, event.entity_id) == (
            "checklist.ticked",
            nurse.id,
            case_id,
        )
        assert event.at == entry.done_at
        assert entry.done_at.tzinfo is not None
