"""Concurrent writers lose nothing; a stale screen is refused, not silently overwritten."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, Case, FollowUp
from db.session import read_session
from mild import messages
from mild.errors import RuleViolation
from mild.staff import Role
from services.checklist import complete_step
from services.followup import record_call_attempt
from tests.builders import make_case, make_follow_up, make_office, make_user

THREADS = 8
WRITES_EACH = 50


def test_eight_threads_of_fifty_call_attempts_lose_no_write(db_url):
    office = make_office()
    nurse = make_user("nurse1", Role.NURSE, [office])
    case_id = make_case(office)
    follow_up_id = make_follow_up(case_id, office)
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer() -> None:
        start.wait()
        for _ in range(WRITES_EACH):
            try:
                record_call_attempt(follow_up_id, actor=nurse)
            except BaseException as exc:  # any failure is a lost write
                errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    total = THREADS * WRITES_EACH
    assert errors == []
    with read_session() as s:
        assert s.scalar(select(FollowUp.attempts).where(FollowUp.id == follow_up_id)) == total
        assert s.scalar(select(Case.version).where(Case.id == case_id)) == 1 + total
        audited = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "follow_up.call_attempt", AuditEvent.entity_id == case_id)
        )
        assert audited == total


def test_a_write_from_a_stale_screen_is_refused_and_the_first_write_kept(db_url):
    office = make_office()
    first = make_user("nurse1", Role.NURSE, [office])
    second = make_user("nurse2", Role.NURSE, [office])
    case_id = make_case(office)
    seen_version = 1  # both nurses opened the case at version 1

    complete_step(case_id, "consent_signed", actor=first, expected_version=seen_version)
    with pytest.raises(RuleViolation) as refusal:
        complete_step(case_id, "identity_confirmed", actor=second, expected_version=seen_version)

    assert refusal.value.field == "version"
    assert refusal.value.message == messages.CHANGED_BY_SOMEONE_ELSE
    with read_session() as s:
        assert s.scalar(select(Case.version).where(Case.id == case_id)) == 2
        steps = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "checklist.ticked"))
        assert [d for d in steps] == ['{"step": "consent_signed", "value": null}']


def test_racing_ticks_of_the_same_step_store_it_once(db_url):
    office = make_office()
    nurses = [make_user(f"nurse{i}", Role.NURSE, [office]) for i in range(THREADS)]
    case_id = make_case(office)
    outcomes: list[str] = []
    start = threading.Barrier(THREADS)

    def tick(nurse) -> None:
        start.wait()
        try:
            complete_step(case_id, "consent_signed", actor=nurse)
            outcomes.append("ok")
        except RuleViolation as refusal:
            outcomes.append(refusal.message)

    threads = [threading.Thread(target=tick, args=(n,)) for n in nurses]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("ok") == 1
    already = messages.STEP_ALREADY_DONE.format(step="Consent signed")
    assert outcomes.count(already) == THREADS - 1
