"""Audit rows are only ever added: a representative action of every service module is run
while every SQL statement sent to the database is watched; none updates or deletes an
audit row, every row written before each action is still there unchanged, and the count only
grows. (tests/test_architecture.py proves the same of the source text; the triggers of
migration 0004 refuse it in the database itself, tests/db/test_schema.py.)"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event, select

from db.models import AuditEvent
from db.queries.audit import AuditFilter
from db.session import get_engine, read_session
from mild.cases import CancelReason, CaseStatus, RequestChannel
from mild.days import local_today
from mild.errors import RuleViolation
from mild.followup import FollowUpKind
from mild.staff import Role, Screen
from services import (
    auth,
    booking,
    cases,
    checklist,
    followup,
    intake,
    medications,
    reads,
    sessions,
    staff,
)
from tests.builders import (
    PASSWORD,
    make_case,
    make_discharged_case,
    make_office,
    make_provider,
    make_user,
)

TZ = "America/New_York"
CHANGES_AUDIT = re.compile(
    r"\b(UPDATE\s+\"?audit_event\"?|DELETE\s+FROM\s+\"?audit_event\"?|TRUNCATE\b[^;]*audit_event)",
    re.IGNORECASE,
)


def trail() -> dict[int, tuple]:
    with read_session() as s:
        rows = s.execute(
            select(
                AuditEvent.id,
                AuditEvent.at,
                AuditEvent.actor_id,
                AuditEvent.actor_name,
                AuditEvent.action,
                AuditEvent.entity,
                AuditEvent.entity_id,
                AuditEvent.office_id,
                AuditEvent.detail,
            )
        ).all()
    return {r.id: tuple(r) for r in rows}


@pytest.fixture
def statements(db_url) -> Iterator[list[str]]:
    """Every SQL statement the app sends to the database during the test."""
    engine = get_engine()
    seen: list[str] = []

    def watch(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", watch)
    yield seen
    event.remove(engine, "before_cursor_execute", watch)


def test_the_watch_would_see_an_update_or_delete_of_an_audit_row():
    for sql in (
        "UPDATE audit_event SET action = 'x'",
        'update "audit_event" set detail = NULL',
        "DELETE FROM audit_event WHERE id = 1",
        "TRUNCATE TABLE audit_event",
    ):
        assert CHANGES_AUDIT.search(sql), sql
    assert not CHANGES_AUDIT.search("INSERT INTO audit_event (action) VALUES ('x')")
    assert not CHANGES_AUDIT.search("UPDATE mild_case SET version = 2")


def test_every_service_module_only_ever_adds_audit_rows(statements):
    office = make_office("AA", TZ)
    admin = make_user("ada", Role.ADMIN, [office])
    nurse = make_user("nina", Role.NURSE, [office])
    cora = make_user("cora", Role.COORDINATOR, [office])
    manager = make_user("mona", Role.MANAGER, [office])
    provider = make_provider(office)
    day_case = make_case(office, CaseStatus.SCHEDULED)
    intake_case = make_case(office, CaseStatus.INTAKE)
    doomed = make_case(office, CaseStatus.SCHEDULED)
    _done_case, follow_ups = make_discharged_case(
        office, dt.datetime.now(dt.UTC) - dt.timedelta(hours=20)
    )
    next_week = local_today(TZ, dt.datetime.now(dt.UTC)) + dt.timedelta(days=7)
    today = local_today(TZ, dt.datetime.now(dt.UTC))

    def failed_sign_in() -> None:
        with pytest.raises(RuleViolation):
            auth.sign_in("nina", "wrong-password")

    def sign_in_and_out() -> None:
        started = sessions.start(auth.sign_in("nina", PASSWORD))
        sessions.check(session_id=started.actor.session_id)
        sessions.end(started.actor)

    actions: list[tuple[str, Callable[[], object]]] = [
        ("auth: a failed sign-in", failed_sign_in),
        ("auth and sessions: sign in, a request, sign out", sign_in_and_out),
        (
            "intake: a consult request",
            lambda: intake.create_case(
                mrn="M1234567",
                office_id=office,
                channel=RequestChannel.PHONE,
                actor=cora,
                first_name="Ann",
                last_name="Lee",
                date_of_birth=dt.date(1950, 1, 2),
            ),
        ),
        (
            "intake: a medication",
            lambda: medications.add_medication(intake_case, "aspirin", actor=cora),
        ),
        (
            "booking: a booking",
            lambda: booking.book_case(
                intake_case, day=next_week, start=dt.time(9), provider_id=provider, actor=cora
            ),
        ),
        ("checklist: a tick", lambda: checklist.complete_step(day_case, "checked_in", actor=nurse)),
        (
            "checklist: another tick",
            lambda: checklist.complete_step(day_case, "identity_confirmed", actor=nurse),
        ),
        (
            "checklist: un-tick with a reason",
            lambda: checklist.undo_step(
                day_case, "identity_confirmed", "wrong patient", actor=nurse
            ),
        ),
        (
            "cases: a cancellation",
            lambda: cases.cancel_case(doomed, CancelReason.PATIENT_DECLINED, actor=cora),
        ),
        (
            "follow-up: a call attempt",
            lambda: followup.record_call_attempt(
                follow_ups[FollowUpKind.NEXT_DAY_CALL], actor=nurse
            ),
        ),
        ("staff: an office", lambda: staff.create_office("BB", "BB Office", TZ, actor=admin)),
        (
            "staff: an account and a password reset",
            lambda: staff.reset_password(
                staff.create_user("bert", "Bert", PASSWORD, Role.NURSE, ["AA"], actor=admin),
                "another-pass-1",
                "another-pass-1",
                actor=admin,
            ),
        ),
        ("reads: a case opened", lambda: reads.record_case_view(nurse, day_case, Screen.CHECKLIST)),
        ("reads: the trail opened", lambda: reads.record_audit_view(manager)),
        (
            "reads: the trail exported",
            lambda: reads.export_audit(manager, AuditFilter(start=today, end=today, zone=TZ)),
        ),
    ]
    for name, action in actions:
        before = trail()
        statements.clear()
        action()
        after = trail()
        assert any(s.startswith("INSERT INTO audit_event") for s in statements), name  # seen
        assert not [s for s in statements if CHANGES_AUDIT.search(s)], name
        assert {i: after[i] for i in before} == before, name  # nothing earlier changed or went
        assert len(after) > len(before), name  # and the action left its own row
