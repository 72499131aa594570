"""Recording safety events on both backends: from the checklist (CMS ASC-1 to ASC-4) once the
patient is checked in, from follow-up (hospital visits within 7 days of discharge); by the
roles of those screens, at their offices; audited in the same transaction; a refusal writes
nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, Case, SafetyEvent
from db.queries.safety import case_events
from db.session import read_session, transaction
from mild import messages
from mild.errors import RuleViolation
from mild.safety import SafetyKind
from mild.staff import Role, Screen
from services.checklist import complete_step
from services.common import now_utc
from services.event_times import correct_event_time
from services.safety import record_safety_event
from tests.builders import make_office, make_user, make_ward

NY = "America/New_York"


@pytest.fixture
def day(db_url):
    return make_ward("NY", NY)


def refused(*args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        record_safety_event(*args, **kwargs)
    return caught.value


def counts(case_id: int) -> tuple[int, int]:
    with read_session() as s:
        events = s.scalar(select(func.count()).select_from(SafetyEvent))
        audits = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "safety_event.recorded", AuditEvent.entity_id == case_id)
        )
    return events, audits


def test_a_fall_in_recovery_is_recorded_from_the_checklist_with_who_and_audited(day):
    _office, nurse, case_id = day
    complete_step(case_id, "checked_in", actor=nurse)
    arrived = now_utc() - dt.timedelta(hours=2)
    correct_event_time(case_id, "checked_in", arrived, "Arrived at 7", actor=nurse)
    fell = now_utc() - dt.timedelta(minutes=1)

    record_safety_event(
        case_id,
        SafetyKind.FALL,
        fell,
        "  Slipped getting up; no injury  ",
        screen=Screen.CHECKLIST,
        actor=nurse,
    )

    [event] = case_events(case_id, nurse.office_ids)
    assert (event.kind, event.description, event.recorded_by) == (
        SafetyKind.FALL,
        "Slipped getting up; no injury",
        "Nina",
    )
    assert abs(event.occurred_at - fell) < dt.timedelta(seconds=1)
    with read_session() as s:
        detail = json.loads(
            s.scalar(select(AuditEvent.detail).where(AuditEvent.action == "safety_event.recorded"))
        )
        assert s.get(Case, case_id).version == 4  # the check-in, its time, then the event
    assert (detail["kind"], detail["measure"]) == ("fall", "ASC-2")


def test_a_day_of_event_before_check_in_is_refused_and_writes_nothing(day):
    _office, nurse, case_id = day
    before = counts(case_id)

    err = refused(
        case_id,
        SafetyKind.BURN,
        now_utc(),
        "Warming blanket",
        screen=Screen.CHECKLIST,
        actor=nurse,
    )

    assert (err.field, err.message) == ("kind", messages.SAFETY_NOT_CHECKED_IN)
    assert counts(case_id) == before


def test_a_hospital_visit_is_recorded_from_follow_up_within_7_days_of_discharge(day):
    _office, nurse, case_id = day
    out = now_utc() - dt.timedelta(days=8)
    with transaction() as s:
        case = s.get(Case, case_id)
        case.checked_in_at, case.discharged_at = out - dt.timedelta(hours=5), out

    err = refused(
        case_id,
        SafetyKind.ED_VISIT,
        out + dt.timedelta(days=7, hours=1),
        "Headache",
        screen=Screen.FOLLOW_UP,
        actor=nurse,
    )
    assert err.field == "occurred_at"
    # The checklist does not record a hospital visit, nor follow-up a fall.
    assert (
        refused(
            case_id,
            SafetyKind.ED_VISIT,
            out + dt.timedelta(days=2),
            "Headache",
            screen=Screen.CHECKLIST,
            actor=nurse,
        ).field
        == "kind"
    )

    record_safety_event(
        case_id,
        SafetyKind.ED_VISIT,
        out + dt.timedelta(days=2),
        "Headache worse upright",
        screen=Screen.FOLLOW_UP,
        actor=nurse,
    )
    assert [e.kind for e in case_events(case_id, nurse.office_ids)] == [SafetyKind.ED_VISIT]


def test_only_the_roles_of_those_screens_at_the_cases_office_may_record(day):
    office, nurse, case_id = day
    complete_step(case_id, "checked_in", actor=nurse)
    coordinator = make_user("cora", Role.COORDINATOR, [office])
    err = refused(
        case_id, SafetyKind.FALL, now_utc(), "Fell", screen=Screen.CHECKLIST, actor=coordinator
    )
    assert err.message == messages.NOT_ALLOWED_HERE
    stranger = make_user("sam", Role.NURSE, [make_office("ZZ", NY)])
    with pytest.raises(RuleViolation):
        record_safety_event(
            case_id, SafetyKind.FALL, now_utc(), "Fell", screen=Screen.CHECKLIST, actor=stranger
        )
    assert counts(case_id) == (0, 0)
    assert case_events(case_id, stranger.office_ids) == []
