"""The pre-op call worklist and its calls on both backends: which cases, in what order, what a
call records (attempts kept, last doses fed to the hold check, the escort confirmed), refusals
that save nothing, and the practice setting that sets the reach."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import event, func, select

from db.models import AuditEvent, Case, CaseMedication, PreopCall
from db.queries.home import offices
from db.queries.preop import case_calls, preop_worklist
from db.queries.settings import setting_rows, setting_value
from db.session import get_engine, read_session, transaction
from mild import messages
from mild.cases import CaseStatus
from mild.dayof_holds import day_of_hold_problems
from mild.days import at_local, local_today
from mild.preop import CallOutcome, CallReport, CallState, worklist_days
from mild.staff import Role
from services.common import now_utc
from services.preop import record_preop_call
from services.settings import update_practice_setting
from tests.builders import (
    add_held_drug,
    arrange_escort,
    make_case,
    make_office,
    make_user,
    refusal,
    set_patient_phone,
)

NEW_YORK = "America/New_York"
TUESDAY = dt.date(2026, 11, 24)
FRIDAY = dt.date(2026, 11, 27)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return at_local(NEW_YORK, day, dt.time(hour, minute))


def office_row(office_id: int):
    (row,) = offices([office_id])
    return row


@pytest.fixture
def ward(db_url):
    """An office, its nurse, and the days the worklist made today reaches (real clock: the
    service stamps calls with it)."""
    office = make_office("NY", NEW_YORK)
    nurse = make_user("nina", Role.NURSE, [office])
    today = local_today(NEW_YORK, now_utc())
    return office, nurse, today, worklist_days(today, 3)


def called(case_id: int) -> list[PreopCall]:
    with read_session() as s:
        rows = list(s.scalars(select(PreopCall).where(PreopCall.case_id == case_id)))
        s.expunge_all()  # read as they are now, then detached: no refresh after the rollback
        return rows


def test_the_worklist_holds_cases_booked_one_to_three_working_days_ahead(db_url):
    ny = make_office("NY", NEW_YORK)
    wednesday, friday = TUESDAY + dt.timedelta(days=1), TUESDAY + dt.timedelta(days=3)
    later = make_case(ny, CaseStatus.SCHEDULED, local(friday, 13))
    first = make_case(ny, CaseStatus.INTAKE, local(wednesday, 9))
    set_patient_phone(first, "555-0123")
    arrange_escort(first, "Sam Escort", "son", "555-0142")
    make_case(ny, CaseStatus.CANCELLED, local(wednesday, 11))
    make_case(ny, CaseStatus.CHECKED_IN, local(wednesday, 12))
    make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY, 15))  # today: the day's own work
    make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY + dt.timedelta(days=6), 9))  # Monday

    view = preop_worklist(office_row(ny), TUESDAY, local(TUESDAY, 10), scope={ny})

    assert view.days == (wednesday, friday) and view.working_days == 3
    assert list(view.cases.case_id) == [first, later]
    top = view.cases.iloc[0]
    assert (top.phone, top.escort_name, top.escort_phone) == ("555-0123", "Sam Escort", "555-0142")
    assert top.missing == [messages.READY_ASA_CLASS]
    assert list(view.cases.state) == [CallState.TO_CALL, CallState.TO_CALL]
    assert view.to_call == 2


def test_a_fridays_worklist_reaches_over_the_weekend_to_wednesday(db_url):
    ny = make_office("NY", NEW_YORK)
    saturday = make_case(ny, CaseStatus.SCHEDULED, local(FRIDAY + dt.timedelta(days=1), 9))
    wednesday = make_case(ny, CaseStatus.SCHEDULED, local(FRIDAY + dt.timedelta(days=5), 9))
    make_case(ny, CaseStatus.SCHEDULED, local(FRIDAY + dt.timedelta(days=6), 9))  # Thursday

    view = preop_worklist(office_row(ny), FRIDAY, local(FRIDAY, 10), scope={ny})

    assert list(view.cases.case_id) == [saturday, wednesday]


def test_the_reach_is_the_practice_setting_changed_by_an_admin_and_audited(db_url):
    ny = make_office("NY", NEW_YORK)
    admin = make_user("ada", Role.ADMIN, [ny])
    wednesday = make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY + dt.timedelta(days=1), 9))
    make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY + dt.timedelta(days=2), 9))
    rows = {r.setting.key: r for r in setting_rows()}
    row = rows["preop_call_days"]
    assert (row.setting.value, row.updated_by) == (3, None)
    assert rows["arrival_minutes_before"].setting.value == 60  # migration 0013

    update_practice_setting(
        "preop_call_days",
        value=1,
        source="Practice decision, Dec 2026",
        expected_updated_at=row.updated_at,
        actor=admin,
    )

    assert setting_value("preop_call_days") == 1
    view = preop_worklist(office_row(ny), TUESDAY, local(TUESDAY, 10), scope={ny})
    assert list(view.cases.case_id) == [wednesday]
    with read_session() as s:
        detail = s.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "practice_setting.changed")
        )
    assert json.loads(detail)["before"]["value"] == 3
    assert json.loads(detail)["after"]["value"] == 1
    # The admin's screen showed the old row: a second edit from it is refused, not lost.
    assert refusal(
        update_practice_setting,
        "preop_call_days",
        value=5,
        source="x",
        expected_updated_at=row.updated_at,
        actor=admin,
    ) == ("value", messages.SETTING_CHANGED_BY_SOMEONE_ELSE)


def test_only_an_admin_changes_a_practice_setting(db_url):
    ny = make_office("NY", NEW_YORK)
    manager = make_user("meg", Role.MANAGER, [ny])
    field, _ = refusal(
        update_practice_setting,
        "preop_call_days",
        value=5,
        source="x",
        expected_updated_at=None,
        actor=manager,
    )
    assert field and setting_value("preop_call_days") == 3


def test_every_attempt_is_kept_with_who_and_when_and_a_call_back_comes_back_on_top(ward):
    office, nurse, today, (first, last) = ward
    early = make_case(office, CaseStatus.SCHEDULED, local(first, 8))
    late = make_case(office, CaseStatus.SCHEDULED, local(last, 15))
    record_preop_call(early, CallReport(CallOutcome.NO_ANSWER), actor=nurse)
    back = now_utc() + dt.timedelta(hours=1)
    record_preop_call(late, CallReport(CallOutcome.CALL_BACK, call_back_at=back), actor=nurse)
    record_preop_call(early, CallReport(CallOutcome.VOICEMAIL), actor=nurse)

    row = office_row(office)
    before = preop_worklist(row, today, now_utc(), scope={office})
    assert list(before.cases.case_id) == [early, late]
    assert list(before.cases.state) == [CallState.TRIED, CallState.CALL_BACK_LATER]
    assert list(before.cases.attempts) == [2, 1]
    assert before.cases.last_outcome[0] == CallOutcome.VOICEMAIL.label

    after = preop_worklist(row, today, back + dt.timedelta(minutes=1), scope={office})
    assert list(after.cases.case_id) == [late, early]
    assert after.cases.state[0] == CallState.CALL_BACK_DUE

    history = case_calls(early, scope={office})
    assert list(history.outcome) == [CallOutcome.NO_ANSWER, CallOutcome.VOICEMAIL]
    assert set(history.called_by) == {"Nina"}
    with read_session() as s:
        audited = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "preop_call.recorded", AuditEvent.actor_id == nurse.id)
        )
    assert audited == 3


def test_a_reached_case_moves_to_the_bottom_and_leaves_the_count(ward):
    office, nurse, today, (first, _) = ward
    reached = make_case(office, CaseStatus.SCHEDULED, local(first, 8))
    waiting = make_case(office, CaseStatus.SCHEDULED, local(first, 12))
    record_preop_call(
        reached,
        CallReport(CallOutcome.REACHED, arrival_time_told=True, fasting_explained=True),
        actor=nurse,
    )

    view = preop_worklist(office_row(office), today, now_utc(), scope={office})

    assert list(view.cases.case_id) == [waiting, reached]
    assert view.to_call == 1
    (call,) = called(reached)
    assert (call.arrival_time_told, call.fasting_explained, call.escort_confirmed) == (
        True,
        True,
        False,
    )


def test_a_last_dose_reported_on_the_call_feeds_the_day_of_hold_check(ward):
    office, nurse, _, (first, _) = ward
    case_id = make_case(office, CaseStatus.SCHEDULED, local(first, 9))
    drug = add_held_drug(case_id, "apixaban", stop_before_hours=72)
    taken = now_utc() - dt.timedelta(hours=2)  # inside the 72-hour hold: the day must stop

    record_preop_call(
        case_id, CallReport(CallOutcome.REACHED, last_doses={drug: taken}), actor=nurse
    )

    with read_session() as s:
        med = s.get(CaseMedication, drug)
        assert med.last_dose_taken_at == taken
        assert med.last_dose_reported_via == "pre_op_call"
        assert med.last_dose_reported_by_id == nurse.id
        start = s.get(Case, case_id).scheduled_start
        problems = day_of_hold_problems([med], at=start, timezone=NEW_YORK, scheduled_start=start)
    (problem,) = problems
    assert "apixaban" in problem


def test_an_escort_confirmed_on_the_call_is_kept_on_the_case(ward):
    office, nurse, _, (first, _) = ward
    case_id = make_case(office, CaseStatus.SCHEDULED, local(first, 9))
    arrange_escort(case_id, "Old Name", "friend", "555-0100")

    record_preop_call(
        case_id,
        CallReport(
            CallOutcome.REACHED,
            escort_confirmed=True,
            escort_name="Pat Doe",
            escort_phone="555-0177",
            questions="Asked about parking",
        ),
        actor=nurse,
    )

    with read_session() as s:
        case = s.get(Case, case_id)
        # Another person: the old relationship no longer holds (the call does not ask it).
        assert (case.escort_name, case.escort_phone, case.escort_relationship) == (
            "Pat Doe",
            "555-0177",
            None,
        )
        detail = json.loads(
            s.scalar(select(AuditEvent.detail).where(AuditEvent.action == "preop_call.recorded"))
        )
    assert detail["escort"] == {"from": ["Old Name", "555-0100"], "to": ["Pat Doe", "555-0177"]}
    (call,) = called(case_id)
    assert call.questions == "Asked about parking"


def test_an_attempt_that_changes_nothing_on_the_case_leaves_its_version(ward):
    office, nurse, _, (first, _) = ward
    case_id = make_case(office, CaseStatus.SCHEDULED, local(first, 9))
    arrange_escort(case_id, "Sam Escort", "son", "555-0100")

    version = record_preop_call(case_id, CallReport(CallOutcome.VOICEMAIL), actor=nurse)
    assert version == 1
    same = CallReport(
        CallOutcome.REACHED,
        escort_confirmed=True,
        escort_name="Sam Escort",
        escort_phone="555-0199",
    )
    assert record_preop_call(case_id, same, actor=nurse, expected_version=1) == 2
    with read_session() as s:
        assert s.get(Case, case_id).escort_relationship == "son"  # the same person, new phone


def test_a_refused_call_saves_nothing(ward):
    office, nurse, _, (first, _) = ward
    case_id = make_case(office, CaseStatus.SCHEDULED, local(first, 9))
    drug = add_held_drug(case_id, "apixaban")
    arrange_escort(case_id, "Old Name", "friend", "555-0100")
    future = now_utc() + dt.timedelta(hours=1)

    field, message = refusal(
        record_preop_call,
        case_id,
        CallReport(
            CallOutcome.REACHED,
            escort_confirmed=True,
            escort_name="Pat Doe",
            escort_phone="555-0177",
            last_doses={drug: future},
        ),
        actor=nurse,
    )

    assert (field, message) == (f"last_dose_{drug}", messages.LAST_DOSE_IN_FUTURE)
    assert called(case_id) == []
    with read_session() as s:
        assert s.get(Case, case_id).escort_name == "Old Name"
        assert s.get(CaseMedication, drug).last_dose_taken_at is None


def test_a_drug_of_another_case_is_refused(ward):
    office, nurse, _, (first, _) = ward
    case_id = make_case(office, CaseStatus.SCHEDULED, local(first, 9))
    other = make_case(office, CaseStatus.SCHEDULED, local(first, 11))
    theirs = add_held_drug(other, "apixaban")
    taken = now_utc() - dt.timedelta(days=1)
    report = CallReport(CallOutcome.REACHED, last_doses={theirs: taken})

    assert refusal(record_preop_call, case_id, report, actor=nurse) == (
        f"last_dose_{theirs}",
        messages.MEDICATION_NOT_FOUND,
    )


def test_calls_are_refused_to_managers_other_offices_and_cases_not_still_to_come(ward):
    office, nurse, _, (first, _) = ward
    case_id = make_case(office, CaseStatus.SCHEDULED, local(first, 9))
    manager = make_user("meg", Role.MANAGER, [office])
    elsewhere = make_user("otto", Role.NURSE, [make_office("OT")])
    cancelled = make_case(office, CaseStatus.CANCELLED, local(first, 11))
    report = CallReport(CallOutcome.NO_ANSWER)

    assert refusal(record_preop_call, case_id, report, actor=manager) == (
        "outcome",
        messages.PREOP_CALLER_ROLE,
    )
    assert refusal(record_preop_call, case_id, report, actor=elsewhere)[0] == "case"
    assert refusal(record_preop_call, cancelled, report, actor=nurse)[0] == "outcome"
    assert refusal(record_preop_call, case_id, report, actor=nurse, expected_version=99) == (
        "version",
        messages.CHANGED_BY_SOMEONE_ELSE,
    )
    assert called(case_id) == [] and called(cancelled) == []


def test_another_offices_worklist_and_calls_read_empty(ward):
    office, _, today, (first, _) = ward
    case_id = make_case(office, CaseStatus.SCHEDULED, local(first, 9))
    mine = make_office("MY")

    assert preop_worklist(office_row(office), today, now_utc(), scope={mine}).cases.empty
    assert case_calls(case_id, scope={mine}).empty


def test_the_worklist_reads_a_bounded_number_of_queries(ward):
    """The cost follows the days shown: the same number of statements for 2 cases or 12."""
    office, nurse, today, (first, last) = ward

    def statements() -> int:
        seen = []

        def count(*_):
            seen.append(1)

        engine = get_engine()
        event.listen(engine, "before_cursor_execute", count)
        try:
            preop_worklist(office_row(office), today, now_utc(), scope={office})
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    for hour in (8, 10):
        record_preop_call(
            make_case(office, CaseStatus.SCHEDULED, local(first, hour)),
            CallReport(CallOutcome.NO_ANSWER),
            actor=nurse,
        )
    few = statements()
    for hour in range(8, 18):
        make_case(office, CaseStatus.SCHEDULED, local(last, hour))
    assert statements() == few


def test_a_case_not_booked_yet_is_not_on_the_worklist(ward):
    office, _, today, _ = ward
    unbooked = make_case(office, CaseStatus.INTAKE)
    with transaction() as s:
        s.get(Case, unbooked).scheduled_start = None
    view = preop_worklist(office_row(office), today, now_utc(), scope={office})
    assert unbooked not in set(view.cases.case_id)
