"""Day-of checklist reads and writes on both backends: today's list for an office in its own
day and scope, a whole day through the services, un-tick history, stale screens refused."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from db.models import AuditEvent, Case, ChecklistEntry, FollowUp
from db.queries.checklist import case_detail, todays_cases
from db.queries.home import offices
from db.session import get_engine, read_session, transaction
from mild import messages
from mild.cases import CaseStatus
from mild.checklist import STEP_BY_KEY
from mild.days import at_local, local_today
from mild.discharge import DischargeScale
from mild.errors import RuleViolation
from mild.followup import FollowUpKind
from mild.intake import Condition
from mild.staff import Role
from services.checklist import (
    complete_step,
    confirm_escort,
    discharge_patient,
    record_antibiotic,
    record_discharge_score,
    undo_step,
)
from tests.builders import (
    OPEN_AFTER_A_SHORT_DAY,
    add_condition,
    do_step,
    give_instructions,
    make_case,
    make_office,
    make_user,
    to_incision,
)

NY, LA = "America/New_York", "America/Los_Angeles"
ARRIVAL = ["checked_in", "identity_confirmed", "consent_signed", "fasting_confirmed"]
ALDRETE_10 = {
    "activity": 2,
    "breathing": 2,
    "circulation": 2,
    "consciousness": 2,
    "oxygen_saturation": 2,
}


def today_at(tz: str, hour: int, minute: int = 0, days: int = 0) -> dt.datetime:
    day = local_today(tz, dt.datetime.now(dt.UTC)) + dt.timedelta(days=days)
    return at_local(tz, day, dt.time(hour, minute))


def office_row(office_id: int):
    (row,) = offices([office_id])
    return row


def refused(fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kwargs)
    return caught.value


def version_of(case_id: int) -> int:
    with read_session() as s:
        return s.scalar(select(Case.version).where(Case.id == case_id))


def rows_of(case_id: int) -> int:
    with read_session() as s:
        return s.scalar(
            select(func.count())
            .select_from(ChecklistEntry)
            .where(ChecklistEntry.case_id == case_id)
        )


@pytest.fixture
def day(db_url):
    office = make_office("NY", NY)
    nurse = make_user("nina", Role.NURSE, [office])
    return (
        office,
        nurse,
        make_case(office, CaseStatus.SCHEDULED, today_at(NY, 9), provider="Dr. Ames"),
    )


# Today's list


def test_todays_list_is_the_offices_own_day_in_schedule_order_without_cancelled_cases(db_url):
    la = make_office("LA", LA)
    other = make_office("NY", NY)
    late = make_case(la, CaseStatus.SCHEDULED, today_at(LA, 15))
    early = make_case(la, CaseStatus.RECOVERY, today_at(LA, 7, 30))
    # 00:30 and 23:30 Los Angeles time are still today there, though not in UTC or New York.
    first_minute = make_case(la, CaseStatus.DISCHARGED, today_at(LA, 0, 30))
    last_hour = make_case(la, CaseStatus.SCHEDULED, today_at(LA, 23, 30))
    make_case(la, CaseStatus.CANCELLED, today_at(LA, 10))
    make_case(la, CaseStatus.SCHEDULED, today_at(LA, 9, days=-1))
    make_case(la, CaseStatus.SCHEDULED, today_at(LA, 9, days=1))
    make_case(other, CaseStatus.SCHEDULED, today_at(LA, 9))

    cases = todays_cases(office_row(la), dt.datetime.now(dt.UTC))

    assert list(cases.case_id) == [first_minute, early, late, last_hour]
    assert list(cases.status) == [
        CaseStatus.DISCHARGED,
        CaseStatus.RECOVERY,
        CaseStatus.SCHEDULED,
        CaseStatus.SCHEDULED,
    ]
    assert set(cases.patient.str.startswith("Patient")) == {True}


def test_progress_counts_the_steps_in_force_and_those_that_apply(day):
    office, nurse, plain = day
    diabetic = make_case(office, CaseStatus.SCHEDULED, today_at(NY, 10))
    add_condition(diabetic, Condition.DIABETES)
    for step in ARRIVAL:
        do_step(plain, step, nurse)
    undo_step(plain, "consent_signed", "Signed the wrong form", actor=nurse)
    complete_step(plain, "imaging_modality", actor=nurse, value="Ultrasound")
    complete_step(diabetic, "glucose_checked", actor=nurse, value="142")

    cases = todays_cases(office_row(office), dt.datetime.now(dt.UTC)).set_index("case_id")

    # Ultrasound: no fluoroscopy step; not diabetic: no glucose. 38 - 2 = 36.
    assert (cases.steps_done[plain], cases.steps_applicable[plain]) == (4, 36)
    assert (cases.steps_done[diabetic], cases.steps_applicable[diabetic]) == (1, 38)


def test_todays_list_costs_two_queries_however_many_cases_the_day_has(day):
    office, nurse, _ = day
    for hour in range(10, 17):
        case_id = make_case(office, CaseStatus.SCHEDULED, today_at(NY, hour))
        complete_step(case_id, "checked_in", actor=nurse)
    office_today = office_row(office)
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        cases = todays_cases(office_today, dt.datetime.now(dt.UTC))
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert len(cases) == 8
    assert len(statements) == 2


# The open case


def test_the_open_case_is_read_only_within_the_nurses_offices(day):
    office, nurse, case_id = day
    elsewhere = make_office("ZZ", NY)
    foreign = make_case(elsewhere, CaseStatus.SCHEDULED, today_at(NY, 9))

    assert case_detail(case_id, nurse.office_ids).case_id == case_id
    assert case_detail(foreign, nurse.office_ids) is None
    assert refused(complete_step, foreign, "checked_in", actor=nurse).message == (
        messages.CASE_NOT_FOUND
    )


def test_a_whole_day_through_the_services_shows_every_tick_with_who_and_when(day):
    office, nurse, case_id = day
    add_condition(case_id, Condition.LATEX_ALLERGY, "Gloves: hives")
    steps = [
        *ARRIVAL,
        "holds_confirmed",
        "vitals_recorded",
        "iv_placed",
        "escort_on_file",
        ("site_marked", "Dr. Ames"),
        "patient_in_room",
        "pre_anesthesia_check",
        "pulse_oximeter_on",
        ("anesthesia_type", "MAC (moderate sedation)"),
        "anesthesia_start",
        ("imaging_modality", "X-ray / fluoroscopy"),
        "team_introduced",
        "patient_confirmed",
        "procedure_confirmed",
        ("level_side_confirmed", "L4-L5 bilateral"),
        "imaging_displayed",
        "antibiotic_prophylaxis",
        "critical_events_reviewed",
        "time_out",
        "procedure_start",
        ("levels_treated", "L4-L5 bilateral"),
        "procedure_end",
        ("fluoroscopy_recorded", "1.2 min, 14 mGy"),
        "sign_out",
        "anesthesia_end",
        "patient_out_of_room",
        "recovery_in",
    ]
    version = 1
    for step in steps:
        key, value = step if isinstance(step, tuple) else (step, None)
        if key == "antibiotic_prophylaxis":
            version = record_antibiotic(case_id, False, actor=nurse, expected_version=version)
            continue
        version = do_step(case_id, key, nurse, value, expected_version=version)
    version = record_discharge_score(
        case_id, DischargeScale.ALDRETE, ALDRETE_10, actor=nurse, expected_version=version
    )
    version = complete_step(case_id, "recovery_out", actor=nurse, expected_version=version)
    version = confirm_escort(
        case_id, "Ann Lee", "daughter", "555-010-0199", actor=nurse, expected_version=version
    )
    version = give_instructions(case_id, nurse, expected_version=version)
    for step in ["restart_dates_given", "discharged"]:
        version = complete_step(case_id, step, actor=nurse, expected_version=version)

    detail = case_detail(case_id, nurse.office_ids)
    assert detail.status == CaseStatus.DISCHARGED
    assert detail.version == version == 38
    assert detail.conditions == [(Condition.LATEX_ALLERGY, "Gloves: hives")]
    assert not detail.diabetic
    assert {e.by for e in detail.entries} == {"Nina"}
    assert all(e.at.tzinfo is not None for e in detail.entries)
    values = {e.step: e.value for e in detail.entries}
    assert values["discharge_score"] == "10"
    assert values["escort_confirmed"] == "Ann Lee, daughter, 555-010-0199"
    assert values["site_marked"] == "Dr. Ames"
    assert values["antibiotic_prophylaxis"] == "Not used"
    notes = {e.step: e.note for e in detail.entries if e.note}
    assert notes == {
        "discharge_score": "Modified Aldrete (phase one): Activity 2, Breathing 2, Circulation 2, "
        "Consciousness 2, Oxygen saturation 2"
    }
    assert detail.procedure_started_at <= detail.procedure_ended_at
    (today,) = todays_cases(office_row(office), dt.datetime.now(dt.UTC)).itertuples()
    assert (today.steps_done, today.steps_applicable) == (37, 37)
    with read_session() as s:
        audited = s.scalars(
            select(AuditEvent.actor_name).where(
                AuditEvent.entity_id == case_id, AuditEvent.action == "checklist.ticked"
            )
        ).all()
    assert audited == ["nina"] * 37
    with read_session() as s:
        case = s.get(Case, case_id)
        room = (case.patient_in_room_at, case.patient_out_of_room_at)
    assert room[0] <= detail.procedure_started_at <= detail.procedure_ended_at <= room[1]


def test_a_score_of_eight_is_stored_and_blocks_discharge_until_rescored(day):
    _office, nurse, case_id = day
    to_incision(case_id, nurse)
    complete_step(case_id, "procedure_end", actor=nurse)
    complete_step(case_id, "recovery_in", actor=nurse)
    confirm_escort(case_id, "Ann Lee", "daughter", "5550100199", actor=nurse)
    padss_8 = {"vital_signs": 2, "walking": 2, "nausea_vomiting": 2, "pain": 1, "bleeding": 1}
    record_discharge_score(case_id, DischargeScale.PADSS, padss_8, actor=nurse)

    err = refused(complete_step, case_id, "discharged", actor=nurse)
    assert (
        err.message == '"Discharged" cannot be ticked yet. Missing: Discharge score of 9 or more.'
    )

    # Scoring again needs no un-tick: both scores are kept, the latest counts.
    record_discharge_score(case_id, DischargeScale.PADSS, padss_8 | {"pain": 2}, actor=nurse)
    scores = [
        e for e in case_detail(case_id, nurse.office_ids).entries if e.step == "discharge_score"
    ]
    assert [(e.value, e.undone) for e in scores] == [("8", False), ("9", False)]
    assert [json.loads(e.detail)["scale"] for e in scores] == ["padss", "padss"]
    discharge_patient(case_id, actor=nurse, open_steps_confirmed=OPEN_AFTER_A_SHORT_DAY)
    assert case_detail(case_id, nurse.office_ids).status == CaseStatus.DISCHARGED


def test_score_and_escort_refusals_name_the_item_and_write_nothing(day):
    _office, nurse, case_id = day
    err = refused(
        record_discharge_score,
        case_id,
        DischargeScale.ALDRETE,
        ALDRETE_10 | {"breathing": None},
        actor=nurse,
    )
    assert (err.field, err.message) == ("breathing", "Score Breathing (0, 1 or 2).")
    err = refused(confirm_escort, case_id, "Ann Lee", "", "5550100199", actor=nurse)
    assert (err.field, err.message) == (
        "escort_relationship",
        messages.ESCORT_RELATIONSHIP_REQUIRED,
    )
    assert rows_of(case_id) == 0 and version_of(case_id) == 1


def test_steps_that_do_not_apply_are_refused_by_the_service(day):
    _office, nurse, case_id = day
    err = refused(complete_step, case_id, "glucose_checked", actor=nurse, value="120")
    assert err.message == messages.STEP_NOT_APPLICABLE.format(
        step="Point-of-care glucose (mg/dL)", reason="not diabetic"
    )
    complete_step(case_id, "imaging_modality", actor=nurse, value="Ultrasound")
    err = refused(complete_step, case_id, "fluoroscopy_recorded", actor=nurse, value="1 min")
    assert err.message == messages.STEP_NOT_APPLICABLE.format(
        step="Fluoroscopy time and dose", reason="imaging is ultrasound"
    )
    assert rows_of(case_id) == 1


# Un-ticking and stale screens


def test_an_untick_keeps_the_tick_and_shows_who_undid_it_and_why(day):
    office, nurse, case_id = day
    colleague = make_user("omar", Role.NURSE, [office])
    complete_step(case_id, "consent_signed", actor=nurse)
    undo_step(case_id, "consent_signed", "Signed on the wrong form", actor=colleague)
    complete_step(case_id, "consent_signed", actor=colleague)

    history = [e for e in case_detail(case_id, nurse.office_ids).entries]
    assert [(e.step, e.by, e.undone, e.reason) for e in history] == [
        ("consent_signed", "Nina", False, None),
        ("consent_signed", "Omar", True, "Signed on the wrong form"),
        ("consent_signed", "Omar", False, None),
    ]
    assert history[0].at <= history[1].at <= history[2].at


def test_an_untick_without_a_reason_is_refused_and_the_tick_stays(day):
    _office, nurse, case_id = day
    complete_step(case_id, "iv_placed", actor=nurse)
    err = refused(undo_step, case_id, "iv_placed", "   ", actor=nurse)
    assert (err.field, err.message) == ("reason", messages.UNTICK_REASON_REQUIRED)
    assert rows_of(case_id) == 1 and version_of(case_id) == 2


@pytest.mark.parametrize("action", ["tick", "score", "escort", "untick"])
def test_every_action_from_a_stale_screen_is_refused_and_the_other_change_kept(day, action):
    office, nurse, case_id = day
    colleague = make_user("omar", Role.NURSE, [office])
    complete_step(case_id, "vitals_recorded", actor=nurse)
    shown = version_of(case_id)  # both screens show version 2
    complete_step(case_id, "iv_placed", actor=colleague, expected_version=shown)

    stale = {
        "tick": lambda: complete_step(case_id, "checked_in", actor=nurse, expected_version=shown),
        "score": lambda: record_discharge_score(
            case_id, DischargeScale.ALDRETE, ALDRETE_10, actor=nurse, expected_version=shown
        ),
        "escort": lambda: confirm_escort(
            case_id, "Ann Lee", "daughter", "5550100199", actor=nurse, expected_version=shown
        ),
        "untick": lambda: undo_step(
            case_id, "vitals_recorded", "mistake", actor=nurse, expected_version=shown
        ),
    }[action]
    err = refused(stale)

    assert (err.field, err.message) == ("version", messages.CHANGED_BY_SOMEONE_ELSE)
    assert version_of(case_id) == shown + 1
    assert [e.step for e in case_detail(case_id, nurse.office_ids).entries] == [
        "vitals_recorded",
        "iv_placed",
    ]


# Discharge: hard stops refuse, open steps are named and confirmed


def to_recovery(case_id: int, nurse, *, escort: bool = True) -> None:
    """Through the hard stops only: arrival, site, anesthesia, time-out, procedure, recovery,
    score (and escort)."""
    to_incision(case_id, nurse)
    complete_step(case_id, "procedure_end", actor=nurse)
    complete_step(case_id, "recovery_in", actor=nurse)
    record_discharge_score(case_id, DischargeScale.ALDRETE, ALDRETE_10, actor=nurse)
    if escort:
        confirm_escort(case_id, "Ann Lee", "daughter", "5550100199", actor=nurse)


def labels(keys: list[str]) -> str:
    return "; ".join(STEP_BY_KEY[k].label for k in keys)


def follow_ups_of(case_id: int) -> int:
    with read_session() as s:
        return s.scalar(
            select(func.count()).select_from(FollowUp).where(FollowUp.case_id == case_id)
        )


def test_a_discharge_with_steps_open_is_refused_naming_each_and_writes_nothing(day):
    _office, nurse, case_id = day
    to_recovery(case_id, nurse)
    rows, version = rows_of(case_id), version_of(case_id)

    err = refused(complete_step, case_id, "discharged", actor=nurse)
    assert (err.field, err.message) == (
        "discharged",
        messages.DISCHARGE_OPEN_NOT_CONFIRMED.format(steps=labels(OPEN_AFTER_A_SHORT_DAY)),
    )
    # Confirming only some of them names the rest.
    err = refused(
        discharge_patient,
        case_id,
        actor=nurse,
        open_steps_confirmed=OPEN_AFTER_A_SHORT_DAY[:-2],
        expected_version=version,
    )
    assert err.message == messages.DISCHARGE_OPEN_NOT_CONFIRMED.format(
        steps=labels(["instructions_given", "restart_dates_given"])
    )

    assert (rows_of(case_id), version_of(case_id)) == (rows, version)
    assert case_detail(case_id, nurse.office_ids).status == CaseStatus.RECOVERY
    assert follow_ups_of(case_id) == 0


def test_a_discharge_with_its_open_steps_confirmed_keeps_them_on_the_record(day):
    _office, nurse, case_id = day
    to_recovery(case_id, nurse)

    discharge_patient(
        case_id,
        actor=nurse,
        open_steps_confirmed=OPEN_AFTER_A_SHORT_DAY,
        expected_version=version_of(case_id),
    )

    detail = case_detail(case_id, nurse.office_ids)
    assert detail.status == CaseStatus.DISCHARGED
    (discharge,) = [e for e in detail.entries if e.step == "discharged"]
    assert (discharge.by, discharge.note) == (
        "Nina",
        messages.DISCHARGED_WITH_OPEN_STEPS.format(steps=labels(OPEN_AFTER_A_SHORT_DAY)),
    )
    with read_session() as s:
        ticks = s.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.entity_id == case_id, AuditEvent.action == "checklist.ticked"
            )
        ).all()
    (audited,) = [d for d in map(json.loads, ticks) if d["step"] == "discharged"]
    assert audited["left_open"] == OPEN_AFTER_A_SHORT_DAY
    assert follow_ups_of(case_id) == len(FollowUpKind)  # the next-day call and later visits


def test_a_hard_stop_refuses_the_discharge_even_with_every_open_step_confirmed(day):
    _office, nurse, case_id = day
    to_recovery(case_id, nurse, escort=False)

    err = refused(
        discharge_patient,
        case_id,
        actor=nurse,
        open_steps_confirmed=[*OPEN_AFTER_A_SHORT_DAY, "escort_confirmed"],
    )

    assert err.message == messages.HARD_STOP.format(
        step="Discharged",
        missing=messages.ESCORT_OR_EXEMPTION.format(step=STEP_BY_KEY["escort_confirmed"].label),
    )
    assert case_detail(case_id, nurse.office_ids).status == CaseStatus.RECOVERY


# Locked once discharged


def lock_note(case_id: int, office_ids) -> str:
    """What a refusal after discharge says: who discharged the patient, when (New York time)."""
    (discharge,) = [e for e in case_detail(case_id, office_ids).entries if e.step == "discharged"]
    local = discharge.at.astimezone(ZoneInfo(NY))
    return messages.CHECKLIST_LOCKED.format(
        when=f"{local:%H:%M %Z} on {local:%a %d %b %Y}", who=discharge.by
    )


@pytest.mark.parametrize("action", ["tick", "score", "escort", "untick", "discharge"])
def test_after_discharge_every_checklist_action_is_refused_naming_who_and_when(day, action):
    office, nurse, case_id = day
    colleague = make_user("omar", Role.NURSE, [office])
    to_recovery(case_id, nurse)
    complete_step(case_id, "sign_out", actor=nurse)
    shown = version_of(case_id)  # a colleague's tablet, still showing the case before discharge
    discharge_patient(
        case_id, actor=nurse, open_steps_confirmed=OPEN_AFTER_A_SHORT_DAY, expected_version=shown
    )
    rows, version = rows_of(case_id), version_of(case_id)

    attempt = {
        "tick": lambda v: complete_step(case_id, "anesthesia_end", actor=colleague, **v),
        "score": lambda v: record_discharge_score(
            case_id, DischargeScale.ALDRETE, ALDRETE_10, actor=colleague, **v
        ),
        "escort": lambda v: confirm_escort(
            case_id, "Bo Lee", "son", "5550100100", actor=colleague, **v
        ),
        "untick": lambda v: undo_step(case_id, "sign_out", "ticked early", actor=colleague, **v),
        "discharge": lambda v: discharge_patient(
            case_id, actor=colleague, open_steps_confirmed=OPEN_AFTER_A_SHORT_DAY, **v
        ),
    }[action]
    # Whether her screen is stale or current, she hears the lock, not "reload".
    for seen in ({"expected_version": shown}, {"expected_version": version}, {}):
        err = refused(attempt, seen)
        assert (err.field, err.message) == ("step", lock_note(case_id, nurse.office_ids))

    assert lock_note(case_id, nurse.office_ids).endswith(
        "by Nina. The checklist is locked: nothing can be ticked or un-ticked."
    )
    assert (rows_of(case_id), version_of(case_id)) == (rows, version)


def test_the_checklist_stays_locked_once_the_case_has_moved_on_to_follow_up(day):
    _office, nurse, case_id = day
    to_recovery(case_id, nurse)
    discharge_patient(case_id, actor=nurse, open_steps_confirmed=OPEN_AFTER_A_SHORT_DAY)
    with transaction() as s:
        s.get(Case, case_id).status = CaseStatus.FOLLOW_UP

    err = refused(complete_step, case_id, "recovery_out", actor=nurse)

    assert err.message == lock_note(case_id, nurse.office_ids)
