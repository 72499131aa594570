"""Follow-up services and queries on both backends: the worklist, call attempts, the next-day call
and its escalation, outcome visits, resolving escalations and closing a case."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Case, FollowUp
from db.queries.escalations import open_escalations
from db.queries.followup import (
    escalations_to_resolve,
    follow_up_detail,
    ready_to_close,
    worklist,
    worklist_counts,
)
from db.session import read_session
from mild import messages
from mild.cases import CaseStatus
from mild.days import local_today
from mild.errors import RuleViolation
from mild.escalations import Tier
from mild.followup import (
    AttemptOutcome,
    CallAnswers,
    FollowUpKind,
    FollowUpState,
    Incision,
    RedFlag,
    Urgency,
    urgency,
)
from mild.scores import ODI_SECTIONS, VisitScores
from mild.staff import Role
from services.followup import (
    close_case,
    close_not_reached,
    record_call_attempt,
    record_followup_call,
    record_outcome_visit,
    resolve_escalation,
)
from tests.builders import make_discharged_case, make_office, make_user, office_today

CALL = FollowUpKind.NEXT_DAY_CALL
QUIET_CALL = CallAnswers(
    nprs=3, swelling=True, bruising=False, incision=Incision.DRY, meds_as_prescribed=True
)
ODI_ANSWERS = {s: 2 for s in ODI_SECTIONS} | {"sex_life": None, "lifting": 1}  # 17 / 45


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ago(**kwargs) -> dt.datetime:
    return now() - dt.timedelta(**kwargs)


@pytest.fixture
def office(db_url) -> int:
    return make_office("AA")


@pytest.fixture
def nurse(office):
    return make_user("nina", Role.NURSE, [office])


def follow_up(follow_up_id: int) -> FollowUp:
    with read_session() as s:
        row = s.get(FollowUp, follow_up_id)
        s.expunge(row)
        return row


def case_row(case_id: int) -> Case:
    with read_session() as s:
        row = s.get(Case, case_id)
        s.expunge(row)
        return row


def audit_actions(case_id: int) -> list[str]:
    with read_session() as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity == "case", AuditEvent.entity_id == case_id)
                .order_by(AuditEvent.id)
            )
        )


def refused(action) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        action()
    return caught.value


# --- the worklist -------------------------------------------------------------------------------


def test_the_worklist_lists_due_and_overdue_follow_ups_calls_first_and_only_at_my_offices(
    office, nurse
):
    other = make_office("ZZ")
    overdue_call_case, overdue = make_discharged_case(office, ago(hours=60))
    due_call_case, due = make_discharged_case(office, ago(hours=30))
    make_discharged_case(office, ago(hours=10))  # call not due yet
    visit_case, visit = make_discharged_case(office, ago(days=15), status=CaseStatus.FOLLOW_UP)
    make_discharged_case(other, ago(hours=30))  # another office's due call
    closed_case, _ = make_discharged_case(office, ago(hours=30), status=CaseStatus.CLOSED)
    record_followup_call(visit[CALL], QUIET_CALL, actor=nurse)  # done: drops off

    rows = worklist(nurse.office_ids, now())

    # Next-day calls before visits (issue 13), each by how long it has waited: the 2-week
    # visit has waited 24 h, longer than the call due 6 h ago, and still comes after it.
    assert list(zip(rows.follow_up_id, rows.state, rows.kind, strict=True)) == [
        (overdue[CALL], FollowUpState.OVERDUE, CALL),
        (due[CALL], FollowUpState.DUE, CALL),
        (visit[FollowUpKind.WEEKS_2], FollowUpState.DUE, FollowUpKind.WEEKS_2),
    ]
    assert closed_case not in set(rows.case_id)
    assert set(rows.office) == {"AA"}
    assert list(rows.phone) == ["555-0100"] * 3
    assert list(rows.attempts) == [0, 0, 0]
    assert not rows.escalated.any()
    assert {overdue_call_case, due_call_case, visit_case} == set(rows.case_id)


def test_due_follow_ups_are_ordered_by_how_long_they_have_waited(office, nurse):
    _, longer = make_discharged_case(office, ago(hours=40))
    _, shorter = make_discharged_case(office, ago(hours=26))
    _, older_overdue = make_discharged_case(office, ago(hours=80))
    _, newer_overdue = make_discharged_case(office, ago(hours=50))

    rows = worklist(nurse.office_ids, now())

    assert list(rows.follow_up_id) == [
        older_overdue[CALL],
        newer_overdue[CALL],
        longer[CALL],
        shorter[CALL],
    ]
    assert list(rows.state) == [FollowUpState.OVERDUE] * 2 + [FollowUpState.DUE] * 2


def test_the_worklist_filters_by_office_and_kind_but_never_beyond_my_offices(office, nurse):
    second = make_office("BB")
    elsewhere = make_office("ZZ")
    both = make_user("bea", Role.NURSE, [office, second])
    _, here = make_discharged_case(office, ago(days=15))
    _, there = make_discharged_case(second, ago(hours=30))
    make_discharged_case(elsewhere, ago(hours=30))

    assert set(worklist(both.office_ids, now()).office) == {"AA", "BB"}
    assert list(worklist(both.office_ids, now(), office_id=second).follow_up_id) == [there[CALL]]
    visits = worklist(both.office_ids, now(), kinds=[FollowUpKind.WEEKS_2])
    assert list(visits.follow_up_id) == [here[FollowUpKind.WEEKS_2]]
    assert worklist(nurse.office_ids, now(), office_id=elsewhere).empty
    assert worklist(frozenset(), now()).empty


def test_a_follow_up_is_read_for_recording_only_at_my_offices(office, nurse):
    other = make_office("ZZ")
    case_id, mine = make_discharged_case(office, ago(hours=30), baseline=(8, 50.0, 5, 10))
    _, theirs = make_discharged_case(other, ago(hours=30))

    detail = follow_up_detail(mine[CALL], nurse.office_ids)

    assert detail.case_id == case_id and detail.kind == CALL
    assert detail.baseline == {"nprs": 8, "odi": 50.0, "walk_minutes": 5, "stand_minutes": 10}
    assert detail.case_status == CaseStatus.DISCHARGED and not detail.completed
    assert detail.provider.startswith("Dr. Test")
    assert follow_up_detail(theirs[CALL], nurse.office_ids) is None


# --- call attempts -----------------------------------------------------------------------------


def test_calls_that_do_not_reach_the_patient_are_counted_and_shown(office, nurse):
    case_id, ids = make_discharged_case(office, ago(hours=30))

    assert record_call_attempt(ids[CALL], actor=nurse, note="voicemail") == 1
    assert record_call_attempt(ids[CALL], actor=nurse) == 2

    row = follow_up(ids[CALL])
    assert (row.attempts, row.reached, row.completed_at) == (2, False, None)
    assert list(worklist(nurse.office_ids, now()).attempts) == [2]
    assert audit_actions(case_id) == ["follow_up.call_attempt"] * 2
    assert case_row(case_id).status == CaseStatus.DISCHARGED  # nobody reached yet


def test_an_attempt_on_another_offices_follow_up_is_refused_as_not_found(office, nurse):
    other = make_office("ZZ")
    case_id, ids = make_discharged_case(other, ago(hours=30))

    err = refused(lambda: record_call_attempt(ids[CALL], actor=nurse))

    assert (err.field, err.message) == ("follow_up", messages.FOLLOW_UP_NOT_FOUND)
    assert follow_up(ids[CALL]).attempts == 0
    assert audit_actions(case_id) == []


def test_a_follow_up_is_closed_as_not_reached_only_after_three_attempts_and_with_a_note(
    office, nurse
):
    case_id, ids = make_discharged_case(office, ago(hours=60))
    record_call_attempt(ids[CALL], actor=nurse)
    record_call_attempt(ids[CALL], actor=nurse)

    err = refused(lambda: close_not_reached(ids[CALL], "letter sent", actor=nurse))
    assert (err.field, err.message) == (
        "follow_up",
        messages.FU_GIVE_UP_TOO_SOON.format(needed=3, attempts=2),
    )
    record_call_attempt(ids[CALL], actor=nurse)
    err = refused(lambda: close_not_reached(ids[CALL], "   ", actor=nurse))
    assert (err.field, err.message) == ("give_up_note", messages.FU_GIVE_UP_NOTE_REQUIRED)
    assert follow_up(ids[CALL]).completed_at is None

    assert close_not_reached(ids[CALL], " letter sent ", actor=nurse) == 3

    row = follow_up(ids[CALL])
    assert (row.reached, row.attempts, row.notes) == (False, 3, "letter sent")
    assert row.completed_at is not None and row.completed_by_id == nurse.id
    assert case_row(case_id).status == CaseStatus.FOLLOW_UP  # the later visits go on
    assert ids[CALL] not in set(worklist(nurse.office_ids, now()).follow_up_id)
    assert audit_actions(case_id)[-1] == "follow_up.closed_not_reached"
    err = refused(lambda: close_not_reached(ids[CALL], "again", actor=nurse))
    assert err.message == messages.FOLLOW_UP_ALREADY_DONE


# --- the next-day call -------------------------------------------------------------------------


def test_a_quiet_call_completes_the_follow_up_and_moves_the_case_into_follow_up(office, nurse):
    case_id, ids = make_discharged_case(office, ago(hours=30))
    answers = dataclasses.replace(
        QUIET_CALL, returned_to_work_on=office_today(), temperature_c=37.1, notes=" ok "
    )

    result = record_followup_call(ids[CALL], answers, actor=nurse, expected_version=1)

    assert result.red_flags == [] and result.escalation_note is None
    row = follow_up(ids[CALL])
    assert row.completed_at is not None and row.completed_by_id == nurse.id
    assert (row.reached, row.attempts, row.nprs) == (True, 1, 3)
    assert (row.swelling, row.bruising, row.incision, row.meds_as_prescribed) == (
        True,
        False,
        "dry",
        True,
    )
    assert (row.temperature_c, row.notes, row.red_flags, row.escalated_at) == (
        37.1,
        "ok",
        None,
        None,
    )
    assert row.returned_to_work_on == answers.returned_to_work_on
    case = case_row(case_id)
    assert case.status == CaseStatus.FOLLOW_UP and case.version == result.case_version == 2
    assert audit_actions(case_id) == ["follow_up.call_recorded"]
    assert open_escalations(nurse.office_ids).empty


def test_a_reached_call_with_a_red_flag_escalates_until_someone_resolves_it(office, nurse):
    case_id, ids = make_discharged_case(office, ago(hours=30))
    other_nurse = make_user("olga", Role.NURSE, [office])
    answers = dataclasses.replace(
        QUIET_CALL, temperature_c=38.4, reported_flags=(RedFlag.BOWEL_BLADDER,)
    )

    result = record_followup_call(ids[CALL], answers, actor=nurse)

    assert result.red_flags == [RedFlag.FEVER, RedFlag.BOWEL_BLADDER]
    row = follow_up(ids[CALL])
    provider = follow_up_detail(ids[CALL], nurse.office_ids).provider
    assert row.escalated_at == row.completed_at
    assert row.escalation_note == (
        f"Escalated to {provider}: Fever 38 C / 100.4 F or more; New bowel or bladder problems."
    )
    assert row.red_flags == "fever,bowel_bladder"
    shown = open_escalations(nurse.office_ids)
    assert list(shown.columns) == [
        "follow_up_id",
        "case_id",
        "code",
        "office_id",
        "kind",
        "red_flags",
        "tier",
        "escalated_at",
    ]
    assert shown.tier[0] == Tier.EMERGENCY  # bowel or bladder: the most urgent of the two
    assert list(shown.case_id) == [case_id]
    assert shown.kind[0] == "Next-day call"
    assert shown.red_flags[0] == ["Fever 38 C / 100.4 F or more", "New bowel or bladder problems"]
    assert open_escalations([make_office("ZZ")]).empty
    # On the worklist: the case's next follow-up carries the flag while it is open.
    later = worklist(nurse.office_ids, now() + dt.timedelta(days=15))
    assert later.set_index("follow_up_id").escalated[ids[FollowUpKind.WEEKS_2]]
    to_resolve = escalations_to_resolve(nurse.office_ids)
    assert list(to_resolve.follow_up_id) == [ids[CALL]]

    resolve_escalation(
        ids[CALL], "Dr. saw her; antibiotics started", actor=other_nurse, expected_version=2
    )

    row = follow_up(ids[CALL])
    assert row.escalation_resolved_by_id == other_nurse.id
    assert row.escalation_resolved_at is not None
    assert row.resolution_note == "Dr. saw her; antibiotics started"
    assert open_escalations(nurse.office_ids).empty
    assert escalations_to_resolve(nurse.office_ids).empty
    assert not worklist(nurse.office_ids, now() + dt.timedelta(days=15)).escalated.any()
    assert audit_actions(case_id) == ["follow_up.call_recorded", "follow_up.escalation_resolved"]


def test_pain_of_8_and_a_draining_wound_escalate_without_anything_reported(office, nurse):
    _, ids = make_discharged_case(office, ago(hours=30))

    answers = dataclasses.replace(QUIET_CALL, nprs=8, incision=Incision.DRAINAGE)
    result = record_followup_call(ids[CALL], answers, actor=nurse)

    assert result.red_flags == [RedFlag.WOUND, RedFlag.UNCONTROLLED_PAIN]
    assert follow_up(ids[CALL]).escalated_at is not None


def test_a_refused_call_saves_nothing(office, nurse):
    case_id, ids = make_discharged_case(office, ago(hours=30))
    refusals = {
        "nprs": dataclasses.replace(QUIET_CALL, nprs=11),
        "incision": dataclasses.replace(QUIET_CALL, incision=None),
        "returned_to_work_on": dataclasses.replace(
            QUIET_CALL, returned_to_work_on=now().date() + dt.timedelta(days=2)
        ),
        "temperature_c": dataclasses.replace(QUIET_CALL, temperature_c=45.0),
    }
    for field, answers in refusals.items():
        err = refused(lambda a=answers: record_followup_call(ids[CALL], a, actor=nurse))
        assert err.field == field

    row = follow_up(ids[CALL])
    assert (row.completed_at, row.nprs, row.attempts) == (None, None, 0)
    assert case_row(case_id).status == CaseStatus.DISCHARGED
    assert case_row(case_id).version == 1
    assert audit_actions(case_id) == []


def test_a_call_already_recorded_cannot_be_recorded_again(office, nurse):
    _, ids = make_discharged_case(office, ago(hours=30))
    record_followup_call(ids[CALL], QUIET_CALL, actor=nurse)

    for action in (
        lambda: record_followup_call(ids[CALL], QUIET_CALL, actor=nurse),
        lambda: record_call_attempt(ids[CALL], actor=nurse),
    ):
        err = refused(action)
        assert (err.field, err.message) == ("follow_up", messages.FOLLOW_UP_ALREADY_DONE)
    assert follow_up(ids[CALL]).attempts == 1


def test_a_call_from_a_stale_screen_is_refused_and_the_first_kept(office, nurse):
    _, ids = make_discharged_case(office, ago(hours=30))
    record_call_attempt(ids[CALL], actor=nurse, expected_version=1)

    err = refused(
        lambda: record_followup_call(ids[CALL], QUIET_CALL, actor=nurse, expected_version=1)
    )

    assert err.message == messages.CHANGED_BY_SOMEONE_ELSE
    assert follow_up(ids[CALL]).completed_at is None


def test_a_visit_cannot_be_recorded_as_a_call_nor_the_call_as_a_visit(office, nurse):
    _, ids = make_discharged_case(office, ago(days=15))

    err = refused(lambda: record_followup_call(ids[FollowUpKind.WEEKS_2], QUIET_CALL, actor=nurse))
    assert err.message == messages.FOLLOW_UP_IS_A_VISIT
    err = refused(lambda: record_outcome_visit(ids[CALL], VisitScores(4, ODI_ANSWERS), actor=nurse))
    assert err.message == messages.FOLLOW_UP_IS_A_CALL


def test_a_follow_up_of_a_closed_case_is_refused_as_locked(office, nurse):
    _, ids = make_discharged_case(office, ago(hours=30), status=CaseStatus.CLOSED)

    err = refused(lambda: record_followup_call(ids[CALL], QUIET_CALL, actor=nurse))

    assert err.message == messages.CASE_LOCKED


# --- outcome visits ----------------------------------------------------------------------------


def test_an_outcome_visit_stores_the_odi_answers_and_score_and_the_tolerances(office, nurse):
    case_id, ids = make_discharged_case(office, ago(days=15), status=CaseStatus.FOLLOW_UP)
    scores = VisitScores(nprs=4, odi_answers=ODI_ANSWERS, walk_minutes=30, stand_minutes=25)

    result = record_outcome_visit(ids[FollowUpKind.WEEKS_2], scores, actor=nurse)

    assert result.odi == 37.8 and not result.may_close
    row = follow_up(ids[FollowUpKind.WEEKS_2])
    assert (row.nprs, row.odi, row.walk_minutes, row.stand_minutes) == (4, 37.8, 30, 25)
    assert json.loads(row.odi_answers) == ODI_ANSWERS
    assert list(json.loads(row.odi_answers)) == list(ODI_SECTIONS)
    assert row.completed_by_id == nurse.id and row.reached is True
    assert case_row(case_id).status == CaseStatus.FOLLOW_UP
    assert audit_actions(case_id) == ["follow_up.visit_recorded"]


def test_a_visit_with_too_few_odi_answers_or_a_section_out_of_range_saves_nothing(office, nurse):
    case_id, ids = make_discharged_case(office, ago(days=15), status=CaseStatus.FOLLOW_UP)
    visit = ids[FollowUpKind.WEEKS_2]
    too_few = {s: 1 for s in ODI_SECTIONS[:7]}

    err = refused(lambda: record_outcome_visit(visit, VisitScores(4, too_few), actor=nurse))
    assert (err.field, err.message) == ("odi", messages.ODI_TOO_FEW_SECTIONS)
    bad = ODI_ANSWERS | {"walking": 6}
    err = refused(lambda: record_outcome_visit(visit, VisitScores(4, bad), actor=nurse))
    assert err.field == "walking"
    err = refused(lambda: record_outcome_visit(visit, VisitScores(None, ODI_ANSWERS), actor=nurse))
    assert (err.field, err.message) == ("nprs", messages.NPRS_REQUIRED)

    assert follow_up(visit).completed_at is None and follow_up(visit).odi_answers is None
    assert audit_actions(case_id) == []


# --- resolving and closing ----------------------------------------------------------------------


def test_resolving_an_escalation_needs_a_note_and_an_open_escalation(office, nurse):
    _, ids = make_discharged_case(office, ago(hours=30))
    _, quiet = make_discharged_case(office, ago(hours=30))
    record_followup_call(ids[CALL], dataclasses.replace(QUIET_CALL, nprs=9), actor=nurse)
    record_followup_call(quiet[CALL], QUIET_CALL, actor=nurse)

    err = refused(lambda: resolve_escalation(ids[CALL], "  ", actor=nurse))
    assert (err.field, err.message) == ("resolution_note", messages.RESOLUTION_NOTE_REQUIRED)
    assert follow_up(ids[CALL]).escalation_resolved_at is None
    err = refused(lambda: resolve_escalation(quiet[CALL], "nothing to do", actor=nurse))
    assert err.message == messages.NO_OPEN_ESCALATION

    resolve_escalation(ids[CALL], "seen", actor=nurse)
    err = refused(lambda: resolve_escalation(ids[CALL], "again", actor=nurse))
    assert err.message == messages.NO_OPEN_ESCALATION


def test_a_case_is_offered_for_closing_after_its_12_month_visit_and_closes(office, nurse):
    case_id, ids = make_discharged_case(office, ago(days=370), status=CaseStatus.FOLLOW_UP)
    assert ready_to_close(nurse.office_ids).empty
    err = refused(lambda: close_case(case_id, actor=nurse))
    assert err.message == messages.CLOSE_NEEDS_12_MONTH_VISIT

    result = record_outcome_visit(
        ids[FollowUpKind.MONTHS_12], VisitScores(2, ODI_ANSWERS), actor=nurse
    )

    assert result.may_close
    offered = ready_to_close(nurse.office_ids)
    assert list(offered.case_id) == [case_id]
    version = close_case(case_id, actor=nurse, expected_version=int(offered.case_version[0]))
    case = case_row(case_id)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert case.version == version
    assert ready_to_close(nurse.office_ids).empty
    # Its missed visits leave the worklist with it.
    assert case_id not in set(worklist(nurse.office_ids, now()).case_id)
    assert audit_actions(case_id)[-1] == "case.status_changed"


def test_a_case_with_an_open_escalation_is_not_closed(office, nurse):
    case_id, ids = make_discharged_case(office, ago(days=370))
    record_followup_call(ids[CALL], dataclasses.replace(QUIET_CALL, nprs=9), actor=nurse)
    record_outcome_visit(ids[FollowUpKind.MONTHS_12], VisitScores(2, ODI_ANSWERS), actor=nurse)

    err = refused(lambda: close_case(case_id, actor=nurse))

    assert err.message == messages.CLOSE_HAS_OPEN_ESCALATION
    assert case_row(case_id).status == CaseStatus.FOLLOW_UP


# --- the worklist by urgency, attempt outcomes, visit dates (issue 13) ------------------------


def test_the_worklist_is_ordered_by_urgency_as_the_domain_ranks_it_and_counted_alike(office, nurse):
    """The database orders and cuts the list by the same urgency mild.followup.urgency gives
    each row: escalated, next-day calls, overdue visits, visits due; then longest waiting."""
    for days in (15, 16, 25, 40, 100, 200):  # visits due and overdue, calls done
        _, ids = make_discharged_case(office, ago(days=days), status=CaseStatus.FOLLOW_UP)
        record_followup_call(ids[CALL], QUIET_CALL, actor=nurse)
    for hours in (30, 60):  # calls due and overdue
        make_discharged_case(office, ago(hours=hours))
    _, ids = make_discharged_case(office, ago(days=20))  # an escalated call: its visit first
    record_followup_call(ids[CALL], dataclasses.replace(QUIET_CALL, nprs=9), actor=nurse)

    rows = worklist(nurse.office_ids, now())

    listed = zip(rows.kind, rows.state, rows.escalated, strict=True)
    ranked = [urgency(kind, state, escalated) for kind, state, escalated in listed]
    assert list(rows.urgency) == ranked == sorted(ranked)
    assert ranked[0] == Urgency.ESCALATED and ranked[1:3] == [Urgency.CALL] * 2
    for group in set(ranked):  # within an urgency, the longest waiting first
        due = [d for d, u in zip(rows.due_at, ranked, strict=True) if u == group]
        assert due == sorted(due)
    counts = worklist_counts(nurse.office_ids, now())
    assert counts == {u: ranked.count(u) for u in Urgency}
    assert list(worklist(nurse.office_ids, now(), limit=3).follow_up_id) == list(
        rows.follow_up_id[:3]
    )


def test_counts_of_an_office_outside_ones_reach_are_all_zero(office, nurse):
    other = make_office("ZZ")
    make_discharged_case(other, ago(hours=30))

    assert worklist_counts(nurse.office_ids, now(), office_id=other) == dict.fromkeys(Urgency, 0)


def test_an_attempt_keeps_its_outcome_on_the_follow_up_and_in_the_audit_trail(office, nurse):
    case_id, ids = make_discharged_case(office, ago(hours=30))

    record_call_attempt(ids[CALL], actor=nurse, outcome=AttemptOutcome.WRONG_NUMBER)

    assert follow_up(ids[CALL]).last_attempt_outcome == AttemptOutcome.WRONG_NUMBER
    assert follow_up_detail(ids[CALL], nurse.office_ids).last_attempt_outcome == (
        AttemptOutcome.WRONG_NUMBER
    )
    with read_session() as s:
        detail = s.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "follow_up.call_attempt")
        )
    assert json.loads(detail)["outcome"] == "wrong_number"


def test_an_attempt_without_an_outcome_is_refused_and_not_counted(office, nurse):
    _, ids = make_discharged_case(office, ago(hours=30))

    err = refused(lambda: record_call_attempt(ids[CALL], actor=nurse, outcome=None))

    assert (err.field, err.message) == ("outcome", messages.FU_ATTEMPT_OUTCOME_REQUIRED)
    assert follow_up(ids[CALL]).attempts == 0


def test_a_visit_is_stored_with_its_day_and_today_when_none_is_given(office, nurse):
    case_id, ids = make_discharged_case(office, ago(days=16), status=CaseStatus.FOLLOW_UP)
    seen = ago(days=2).date()

    record_outcome_visit(
        ids[FollowUpKind.WEEKS_2], VisitScores(4, ODI_ANSWERS), actor=nurse, visited_on=seen
    )
    record_outcome_visit(ids[FollowUpKind.MONTHS_3], VisitScores(3, ODI_ANSWERS), actor=nurse)

    assert follow_up(ids[FollowUpKind.WEEKS_2]).visited_on == seen
    tz = case_office_timezone(case_id)
    assert follow_up(ids[FollowUpKind.MONTHS_3]).visited_on == local_today(tz, now())
    with read_session() as s:
        details = s.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "follow_up.visit_recorded")
            .order_by(AuditEvent.id)
        ).all()
    assert json.loads(details[0])["visited_on"] == seen.isoformat()


def test_a_visit_dated_in_the_future_is_refused_and_not_stored(office, nurse):
    _, ids = make_discharged_case(office, ago(days=16), status=CaseStatus.FOLLOW_UP)
    visit = ids[FollowUpKind.WEEKS_2]

    err = refused(
        lambda: record_outcome_visit(
            visit,
            VisitScores(4, ODI_ANSWERS),
            actor=nurse,
            visited_on=now().date() + dt.timedelta(days=2),
        )
    )

    assert (err.field, err.message) == ("visited_on", messages.FU_VISIT_DATE_IN_FUTURE)
    assert follow_up(visit).completed_at is None


def case_office_timezone(case_id: int) -> str:
    with read_session() as s:
        return s.get(Case, case_id).office.timezone
