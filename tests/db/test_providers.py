"""Providers managed by admins (issue 11, admin gaps), on both backends: added at an active
office with their contact, renamed, deactivated only when no case is booked with them from
today on (booking then no longer offers them), brought back; every change audited; the command
line adds one too."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

import manage
from db.models import AuditEvent, Case, Provider, StaffUser, UserSession
from db.queries.admin import admin_providers
from db.queries.intake import providers as bookable
from db.session import read_session, transaction
from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.staff import Role
from services import staff
from tests.builders import (
    make_case,
    make_office,
    make_provider_user,
    make_user,
    make_user_session,
)


@pytest.fixture
def root(db_url):
    return make_user("root", Role.ADMIN, [])


def refused(fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kwargs)
    return caught.value


def audits(action: str) -> list[dict]:
    with read_session() as s:
        rows = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == action)).all()
    return [json.loads(r) for r in rows]


def test_an_admin_adds_a_provider_with_their_contact_audited(root):
    office = make_office("NTH")

    provider_id = staff.create_provider(
        office, "  Dr.  Ana Ames ", email="Ana@Example.org", phone="(312) 555-0100", actor=root
    )

    [row] = [p for p in admin_providers() if p.id == provider_id]
    assert (row.name, row.email, row.phone, row.active) == (
        "Dr. Ana Ames",
        "ana@example.org",
        "(312) 555-0100",
        True,
    )
    assert [p.name for p in bookable([office])] == ["Dr. Ana Ames"]
    assert audits("provider.created")[0]["email"] == "ana@example.org"


def test_a_name_twice_at_one_office_a_bad_email_or_an_inactive_office_is_refused(root):
    office = make_office("NTH")
    staff.create_provider(office, "Dr. Ana Ames", actor=root)
    assert refused(staff.create_provider, office, "dr. ana  AMES", actor=root).field == "name"
    assert refused(staff.create_provider, office, "Dr. B", email="not-mail", actor=root).field == (
        "email"
    )
    assert refused(staff.create_provider, office, "  ", actor=root).message == (
        messages.PROVIDER_NAME_REQUIRED
    )
    closed = make_office("OLD")
    staff.set_office_active(closed, False, actor=root)
    assert refused(staff.create_provider, closed, "Dr. C", actor=root).message == (
        messages.PROVIDER_OFFICE_INACTIVE
    )
    nurse = make_user("nina", Role.NURSE, [office])
    refused(staff.create_provider, office, "Dr. D", actor=nurse)
    assert len(admin_providers()) == 1


def test_a_provider_with_cases_to_come_stays_until_they_move_then_leaves_booking(root):
    office = make_office("NTH")
    case_id = make_case(
        office, CaseStatus.SCHEDULED, dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    )
    with read_session() as s:
        provider_id = s.get(Case, case_id).provider_id

    err = refused(staff.set_provider_active, provider_id, False, actor=root)
    assert err.field == "active" and "1 case(s)" in err.message

    with transaction() as s:
        s.get(Case, case_id).status = CaseStatus.CANCELLED
    staff.set_provider_active(provider_id, False, actor=root)
    assert bookable([office]) == []
    assert refused(staff.set_provider_active, provider_id, False, actor=root).message == (
        messages.PROVIDER_ALREADY_INACTIVE
    )
    staff.set_provider_active(provider_id, True, actor=root)
    assert [p.id for p in bookable([office])] == [provider_id]


def test_a_deactivated_providers_sign_in_is_disabled_and_their_sessions_end(root):
    office = make_office("NTH")
    case_id = make_case(office, CaseStatus.DISCHARGED, dt.datetime.now(dt.UTC))
    doctor = make_provider_user("dr.ames", case_id)
    make_user_session(doctor.id)

    staff.set_provider_active(doctor.provider_id, False, actor=root)

    with read_session() as s:
        user = s.get(StaffUser, doctor.id)
        assert user.active is False
        assert (
            s.scalar(
                select(func.count())
                .select_from(UserSession)
                .where(UserSession.user_id == doctor.id, UserSession.ended_at.is_(None))
            )
            == 0
        )
    (disabled,) = audits("staff_user.disabled")
    assert disabled["username"] == "dr.ames" and disabled["sessions_ended"] == 1
    staff.set_provider_active(doctor.provider_id, True, actor=root)
    with read_session() as s:
        assert s.get(StaffUser, doctor.id).active is False  # enabled again only knowingly


def test_renaming_a_provider_keeps_their_cases_and_is_audited_before_and_after(root):
    office = make_office("NTH")
    provider_id = staff.create_provider(office, "Dr. Ana Ames", actor=root)

    staff.update_provider(provider_id, "Dr. Ana Ames-Lee", email="", phone="", actor=root)

    with read_session() as s:
        assert s.get(Provider, provider_id).name == "Dr. Ana Ames-Lee"
    [changed] = audits("provider.changed")
    assert changed == {"before": {"name": "Dr. Ana Ames"}, "after": {"name": "Dr. Ana Ames-Lee"}}
    assert (
        refused(
            staff.update_provider, provider_id, "Dr. Ana Ames-Lee", email="", phone="", actor=root
        ).message
        == messages.NOTHING_CHANGED
    )


def test_the_command_line_adds_a_provider_and_refuses_an_unknown_office(db_url, capsys):
    make_office("NTH")
    assert manage.main(["create-provider", "Dr. Ana Ames", "--office", "nth"]) == 0
    assert "Created provider Dr. Ana Ames at NTH" in capsys.readouterr().out
    assert manage.main(["create-provider", "Dr. B", "--office", "ZZZ"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert [p.name for p in admin_providers()] == ["Dr. Ana Ames"]
