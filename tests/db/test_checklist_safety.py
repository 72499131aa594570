"""Issue 9 on both backends: the medication holds re-checked at the bedside, site marking and
the time-out item by item, event times corrected with who and why, re-scoring, the escort (a
rideshare driver refused) and the physician's exemption; every write audited, every refusal
writes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, Case, CaseMedication, ChecklistEntry, FollowUp
from db.queries.checklist import case_detail, todays_cases
from db.queries.home import offices
from db.session import read_session, transaction
from mild import messages
from mild.cases import CaseStatus
from mild.checklist import DayCheck
from mild.clearances import LimitAction, LimitKey
from mild.days import at_local, local_today
from mild.discharge import RIDESHARE, DischargeScale
from mild.errors import RuleViolation
from mild.followup import follow_up_schedule
from mild.intake import Condition
from mild.medications import NO_RELEVANCE
from mild.staff import Role
from services.checklist import (
    complete_step,
    confirm_escort,
    discharge_patient,
    exempt_from_escort,
    record_antibiotic,
    record_discharge_score,
)
from services.common import now_utc
from services.event_times import correct_event_time
from services.medications import place_drug, record_last_dose
from tests.builders import (
    OPEN_AFTER_A_SHORT_DAY,
    add_condition,
    add_held_drug,
    book_levels,
    confirm_time_out_items,
    do_step,
    make_user,
    make_ward,
    mark_site,
    record_fast,
    set_clinical_limit,
    to_incision,
)

NY = "America/New_York"
ALDRETE_10 = dict.fromkeys(
    ["activity", "breathing", "circulation", "consciousness", "oxygen_saturation"], 2
)
PADSS_8 = {"vital_signs": 2, "walking": 2, "nausea_vomiting": 2, "pain": 1, "bleeding": 1}


def today_at(hour: int) -> dt.datetime:
    return at_local(NY, local_today(NY, dt.datetime.now(dt.UTC)), dt.time(hour))


def refused(fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kwargs)
    return caught.value


def snapshot(case_id: int) -> tuple[int, int, int]:
    """(checklist rows, audit rows, version): what a refusal must leave as it was."""
    with read_session() as s:
        rows = s.scalar(
            select(func.count())
            .select_from(ChecklistEntry)
            .where(ChecklistEntry.case_id == case_id)
        )
        audits = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_id == case_id)
        )
        return rows, audits, s.get(Case, case_id).version


def audits_of(case_id: int, action: str) -> list[dict]:
    with read_session() as s:
        rows = s.execute(
            select(AuditEvent.actor_name, AuditEvent.detail)
            .where(AuditEvent.entity_id == case_id, AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
    return [{"actor": actor, **json.loads(detail)} for actor, detail in rows]


def case_row(case_id: int) -> Case:
    with read_session() as s:
        case = s.get(Case, case_id)
        s.expunge(case)
        return case


@pytest.fixture
def day(db_url):
    return make_ward("NY", NY)


def arrive(case_id: int, nurse) -> None:
    for step in ["checked_in", "identity_confirmed", "consent_signed", "fasting_confirmed"]:
        do_step(case_id, step, nurse)


# Medication holds at the bedside


def test_holds_confirmed_is_refused_while_a_held_drug_has_no_reported_last_dose(day):
    _office, nurse, case_id = day
    add_held_drug(case_id, "apixaban", name_given="Eliquis 5 mg")
    arrive(case_id, nurse)
    before = snapshot(case_id)

    err = refused(complete_step, case_id, "holds_confirmed", actor=nurse)

    assert err.message == messages.HARD_STOP.format(
        step="Medication holds confirmed",
        missing=messages.HOLD_LAST_DOSE_NOT_REPORTED.format(drug="apixaban"),
    )
    assert snapshot(case_id) == before


def test_holds_confirmed_is_refused_while_a_drug_is_still_under_review(day):
    _office, nurse, case_id = day
    add_held_drug(case_id, "mystery pill", stop_before_hours=None, needs_review=True)
    err = refused(complete_step, case_id, "holds_confirmed", actor=nurse)
    assert messages.HOLD_STILL_UNDER_REVIEW.format(drug="mystery pill") in err.message


def test_anesthesia_start_is_refused_while_a_last_dose_is_later_than_the_hold_allows(day):
    _office, nurse, case_id = day
    med = add_held_drug(case_id, "apixaban")
    arrive(case_id, nurse)
    record_last_dose(med, now_utc() - dt.timedelta(hours=80), via="day_of", actor=nurse)
    complete_step(case_id, "holds_confirmed", actor=nurse)
    mark_site(case_id, nurse)
    # Asked again before anesthesia, the patient remembers a later dose.
    late = now_utc() - dt.timedelta(hours=10)
    record_last_dose(med, late, via="day_of", actor=nurse)
    before = snapshot(case_id)

    err = refused(complete_step, case_id, "anesthesia_start", actor=nurse)

    assert err.field == "anesthesia_start"
    assert "apixaban: last dose " in err.message
    assert "later than the hold allows (stop 72 h (3 days) before" in err.message
    assert snapshot(case_id) == before
    assert case_row(case_id).anesthesia_started_at is None


def test_a_last_dose_reported_on_the_day_is_kept_with_who_and_how(day):
    _office, nurse, case_id = day
    med = add_held_drug(case_id, "apixaban", name_given="Eliquis 5 mg")
    taken = now_utc().replace(microsecond=0) - dt.timedelta(hours=80)
    record_last_dose(med, taken, via="day_of", actor=nurse)

    (drug,) = case_detail(case_id, nurse.office_ids).medications
    assert (drug.drug, drug.name_given) == ("apixaban", "Eliquis 5 mg")
    assert drug.last_dose_taken_at == taken
    assert (drug.last_dose_reported_by, drug.last_dose_reported_via) == ("Nina", "day_of")
    assert case_detail(case_id, nurse.office_ids).problems(now_utc())[DayCheck.HOLDS] == []


# Site marking and the time-out


def test_site_marked_keeps_the_physicians_name_and_anesthesia_start_needs_it(day):
    _office, nurse, case_id = day
    arrive(case_id, nurse)
    complete_step(case_id, "holds_confirmed", actor=nurse)
    err = refused(complete_step, case_id, "anesthesia_start", actor=nurse)
    assert err.message == messages.HARD_STOP.format(
        step="Anesthesia start", missing="Site marked by the physician who will operate"
    )
    err = refused(complete_step, case_id, "site_marked", actor=nurse, value="  ")
    assert err.field == "site_marked"

    mark_site(case_id, nurse, "Dr. Ames")
    complete_step(case_id, "anesthesia_start", actor=nurse)
    values = {e.step: e.value for e in case_detail(case_id, nurse.office_ids).entries}
    assert values["site_marked"] == "Dr. Ames"


def test_the_time_out_is_refused_until_each_item_is_confirmed(day):
    _office, nurse, case_id = day
    book_levels(case_id, "L3-L4, L4-L5", "bilateral")
    before = snapshot(case_id)
    err = refused(complete_step, case_id, "time_out", actor=nurse)
    assert err.message.startswith(
        '"Time-out done (every item above confirmed)" cannot be ticked yet.'
    )
    assert "Level and side confirmed against the booking" in err.message
    assert snapshot(case_id) == before

    confirm_time_out_items(case_id, nurse, levels="ignored: the booking names them")
    complete_step(case_id, "time_out", actor=nurse)
    values = {e.step: e.value for e in case_detail(case_id, nurse.office_ids).entries}
    assert values["level_side_confirmed"] == "As booked: L3-L4, L4-L5 · Bilateral"
    assert values["time_out"] is None


def test_an_antibiotic_given_more_than_60_minutes_before_is_refused_and_writes_nothing(day):
    _office, nurse, case_id = day
    before = snapshot(case_id)
    err = refused(
        record_antibiotic, case_id, True, now_utc() - dt.timedelta(minutes=75), actor=nurse
    )
    assert err.field == "antibiotic_given_at"
    assert snapshot(case_id) == before

    record_antibiotic(case_id, True, now_utc() - dt.timedelta(minutes=20), actor=nurse)
    (entry,) = case_detail(case_id, nurse.office_ids).entries
    assert entry.value.startswith("Given at ") and json.loads(entry.detail)["used"] is True
    assert audits_of(case_id, "checklist.ticked")[0]["step"] == "antibiotic_prophylaxis"


def test_a_step_with_its_own_form_cannot_be_ticked_plainly(day):
    _office, nurse, case_id = day
    for step, value in [
        ("discharge_score", "10"),
        ("escort_confirmed", "Sam, Taxi or rideshare driver, 555-0100"),
        ("antibiotic_prophylaxis", "Not used"),
    ]:
        err = refused(complete_step, case_id, step, actor=nurse, value=value)
        assert err.field == step
    assert snapshot(case_id) == (0, 0, 1)


# Event times


def test_an_event_time_is_corrected_with_who_and_why_and_the_case_follows(day):
    office, nurse, case_id = day
    colleague = make_user("omar", Role.NURSE, [office])
    arrive(case_id, nurse)
    complete_step(case_id, "patient_in_room", actor=nurse)
    ticked = case_row(case_id).patient_in_room_at
    checked_in = case_row(case_id).checked_in_at
    fixed = checked_in + (ticked - checked_in) / 2

    version = correct_event_time(
        case_id,
        "patient_in_room",
        fixed,
        "Ticked after she was settled",
        actor=colleague,
        expected_version=case_row(case_id).version,
    )

    case = case_row(case_id)
    assert case.patient_in_room_at == fixed and case.version == version
    entries = case_detail(case_id, nurse.office_ids).entries
    correction = entries[-1]
    assert (correction.step, correction.corrects_time, correction.by) == (
        "patient_in_room",
        True,
        "Omar",
    )
    assert (correction.event_at, correction.reason) == (fixed, "Ticked after she was settled")
    (audited,) = audits_of(case_id, "checklist.time_corrected")
    assert audited["actor"] == "omar" and audited["reason"] == "Ticked after she was settled"
    assert audited["step"] == "patient_in_room"
    # The list still counts the step once.
    (row,) = todays_cases(offices([office])[0], now_utc()).itertuples()
    assert row.steps_done == 5


def test_a_corrected_status_time_moves_the_column_the_board_and_metrics_read(day):
    _office, nurse, case_id = day
    arrive(case_id, nurse)
    checked_in = case_row(case_id).checked_in_at
    earlier = (checked_in - dt.timedelta(minutes=20)).replace(microsecond=0)
    correct_event_time(case_id, "checked_in", earlier, "Arrived before the desk", actor=nurse)
    assert case_row(case_id).checked_in_at == earlier


def test_an_event_time_in_the_future_or_out_of_order_is_refused_and_writes_nothing(day):
    _office, nurse, case_id = day
    arrive(case_id, nurse)
    complete_step(case_id, "patient_in_room", actor=nurse)
    checked_in = case_row(case_id).checked_in_at
    before = snapshot(case_id)

    err = refused(
        correct_event_time,
        case_id,
        "patient_in_room",
        now_utc() + dt.timedelta(minutes=5),
        "typo",
        actor=nurse,
    )
    assert (err.field, err.message) == ("event_at", messages.EVENT_TIME_IN_FUTURE)
    err = refused(
        correct_event_time,
        case_id,
        "patient_in_room",
        checked_in - dt.timedelta(minutes=1),
        "typo",
        actor=nurse,
    )
    assert err.message.startswith('"Patient in room" cannot be before "Checked in" (')
    err = refused(correct_event_time, case_id, "patient_in_room", checked_in, "   ", actor=nurse)
    assert (err.field, err.message) == ("reason", messages.EVENT_TIME_REASON_REQUIRED)
    err = refused(
        correct_event_time,
        case_id,
        "patient_in_room",
        checked_in,
        "x",
        actor=nurse,
        expected_version=1,
    )
    assert err.message == messages.CHANGED_BY_SOMEONE_ELSE
    assert snapshot(case_id) == before


# Re-scoring, the escort and the exemption


def to_recovery(case_id: int, nurse) -> None:
    to_incision(case_id, nurse)
    for step in ["procedure_end", "recovery_in"]:
        do_step(case_id, step, nurse)


def test_a_rescore_is_a_new_row_and_the_latest_counts(day):
    _office, nurse, case_id = day
    to_recovery(case_id, nurse)
    record_discharge_score(case_id, DischargeScale.PADSS, PADSS_8, actor=nurse)
    record_discharge_score(case_id, DischargeScale.ALDRETE, ALDRETE_10, actor=nurse)
    scores = [
        e for e in case_detail(case_id, nurse.office_ids).entries if e.step == "discharge_score"
    ]
    assert [e.value for e in scores] == ["8", "10"]
    details = [json.loads(e.detail) for e in scores]
    assert [(d["scale"], d["passes"]) for d in details] == [("padss", False), ("aldrete", True)]
    assert details[1]["version"] == DischargeScale.ALDRETE.version
    assert [a["detail"]["total"] for a in audits_of(case_id, "checklist.ticked")[-2:]] == [8, 10]


def test_a_rideshare_driver_alone_is_refused_as_escort_and_writes_nothing(day):
    _office, nurse, case_id = day
    to_recovery(case_id, nurse)
    before = snapshot(case_id)
    for relationship in (RIDESHARE, "uber"):
        err = refused(
            confirm_escort, case_id, "Sam Driver", relationship, "555-010-0199", actor=nurse
        )
        assert (err.field, err.message) == ("escort_relationship", messages.ESCORT_HIRED_DRIVER)
    assert snapshot(case_id) == before


def test_the_physicians_exemption_is_recorded_audited_and_lets_the_patient_go(day):
    office, nurse, case_id = day
    to_recovery(case_id, nurse)
    record_discharge_score(case_id, DischargeScale.ALDRETE, ALDRETE_10, actor=nurse)
    before = snapshot(case_id)
    err = refused(exempt_from_escort, case_id, "Dr. Ames", " ", actor=nurse)
    assert (err.field, err.message) == ("reason", messages.EXEMPTION_REASON_REQUIRED)
    assert snapshot(case_id) == before

    exempt_from_escort(
        case_id, "Dr. Ames", "Lives in the building; neighbour checks on her", actor=nurse
    )

    case = case_row(case_id)
    assert (case.escort_exempted_by, case.escort_exempt_reason) == (
        "Dr. Ames",
        "Lives in the building; neighbour checks on her",
    )
    assert case.escort_exempt_at is not None and case.escort_exempt_recorded_by_id == nurse.id
    (audited,) = audits_of(case_id, "checklist.escort_exempted")
    assert audited == {
        "actor": "nina",
        "physician": "Dr. Ames",
        "reason": "Lives in the building; neighbour checks on her",
    }
    detail = case_detail(case_id, nurse.office_ids)
    assert (detail.escort_exempted_by, detail.escort_exempt_recorded_by) == ("Dr. Ames", "Nina")
    err = refused(exempt_from_escort, case_id, "Dr. Bo", "again", actor=nurse)
    assert err.message == messages.EXEMPTION_ALREADY.format(who="Dr. Ames")

    # The exemption takes the escort step off the list of what is still open.
    open_steps = [k for k in OPEN_AFTER_A_SHORT_DAY if k != "escort_on_file"]
    discharge_patient(case_id, actor=nurse, open_steps_confirmed=open_steps)
    assert case_row(case_id).status == CaseStatus.DISCHARGED


def test_an_event_time_corrected_to_before_the_hold_was_kept_is_refused(day):
    _office, nurse, case_id = day
    now = now_utc()
    add_held_drug(case_id, "apixaban", last_dose_taken_at=now - dt.timedelta(hours=72, minutes=30))
    arrive(case_id, nurse)
    complete_step(case_id, "holds_confirmed", actor=nurse)
    mark_site(case_id, nurse)
    complete_step(case_id, "anesthesia_start", actor=nurse)  # 72.5 h after the last dose: kept
    correct_event_time(
        case_id, "checked_in", now - dt.timedelta(hours=2), "Charted late", actor=nurse
    )
    before = len(audits_of(case_id, "checklist.time_corrected"))

    # Charted late, it really started an hour ago: only 71.5 h after the last dose.
    err = refused(
        correct_event_time,
        case_id,
        "anesthesia_start",
        now - dt.timedelta(hours=1),
        "Charted late",
        actor=nurse,
    )

    assert err.field == "event_at"
    assert err.message.startswith('"Anesthesia start" cannot have happened then')
    assert "apixaban" in err.message
    assert len(audits_of(case_id, "checklist.time_corrected")) == before


def test_the_incision_checks_the_holds_again(day):
    _office, nurse, case_id = day
    to_incision_without_start = [
        "checked_in",
        "identity_confirmed",
        "consent_signed",
        "fasting_confirmed",
        "holds_confirmed",
    ]
    med = add_held_drug(case_id, "apixaban", last_dose_taken_at=now_utc() - dt.timedelta(hours=80))
    for step in to_incision_without_start:
        do_step(case_id, step, nurse)
    mark_site(case_id, nurse)
    complete_step(case_id, "anesthesia_start", actor=nurse)
    confirm_time_out_items(case_id, nurse)
    complete_step(case_id, "time_out", actor=nurse)
    # A dose taken after all (reported before anesthesia start was charted is impossible now;
    # the record is corrected in the database as a late report would be).
    with transaction() as s:
        s.get(CaseMedication, med).last_dose_taken_at = now_utc() - dt.timedelta(hours=2)

    err = refused(complete_step, case_id, "procedure_start", actor=nurse)

    assert "apixaban" in err.message and "later than the hold allows" in err.message


def test_the_site_is_marked_by_the_physician_booked_to_operate(day):
    _office, nurse, case_id = day
    arrive(case_id, nurse)
    err = refused(complete_step, case_id, "site_marked", actor=nurse, value="Dr. Someone Else")
    assert (err.field, err.message) == (
        "site_marked",
        messages.SITE_MARKED_BY_OTHER.format(booked="Dr. Ames"),
    )
    mark_site(case_id, nurse, "ames")  # the same physician, however typed


def test_only_the_attending_physician_may_exempt_from_the_escort_rule(day):
    _office, nurse, case_id = day
    to_recovery(case_id, nurse)
    err = refused(exempt_from_escort, case_id, "Dr. Nobody", "Lives next door", actor=nurse)
    assert (err.field, err.message) == (
        "physician",
        messages.EXEMPTION_NOT_ATTENDING.format(booked="Dr. Ames"),
    )
    assert case_row(case_id).escort_exempted_by is None


# Fasting as reported, glucose for proceeding, the antibiotic's 60 minutes to the incision,
# event times after discharge (mild.dayof_checks; issue 9, second slice)


def ready_for_anesthesia(case_id: int, nurse) -> None:
    """Every hard stop of anesthesia start but the fast: identity, consent, holds, site."""
    for step in ["checked_in", "identity_confirmed", "consent_signed", "holds_confirmed"]:
        complete_step(case_id, step, actor=nurse)
    mark_site(case_id, nurse)


def test_the_fast_is_kept_as_reported_with_its_times_and_audited(day):
    _office, nurse, case_id = day
    complete_step(case_id, "checked_in", actor=nurse)
    record_fast(case_id, nurse, food_hours_ago=11, clear_hours_ago=None, kind="fatty_meal")

    detail = case_detail(case_id, nurse.office_ids)
    fast = [e for e in detail.entries if e.step == "fasting_confirmed"][-1]
    kept = json.loads(fast.detail)
    assert (kept["food_kind"], kept["clear_liquid_at"]) == ("fatty_meal", None)
    assert fast.value.startswith("Last fatty or fried meal, or meat ")
    assert "no clear liquid since" in fast.value and fast.by == "Nina"
    [audited] = audits_of(case_id, "checklist.ticked")[1:]
    assert audited["step"] == "fasting_confirmed" and audited["detail"]["food_kind"] == "fatty_meal"


def test_anesthesia_start_is_refused_until_the_fast_is_long_enough(day):
    _office, nurse, case_id = day
    ready_for_anesthesia(case_id, nurse)
    record_fast(case_id, nurse, food_hours_ago=4, clear_hours_ago=1)  # a light meal 4 h ago
    before = snapshot(case_id)

    err = refused(complete_step, case_id, "anesthesia_start", actor=nurse)

    assert err.field == "anesthesia_start"
    assert "Fasting not long enough: Last light meal or milk" in err.message
    assert snapshot(case_id) == before
    # Asked again, the patient remembers it was yesterday evening: the latest report counts.
    record_fast(case_id, nurse, food_hours_ago=13, clear_hours_ago=3)
    complete_step(case_id, "anesthesia_start", actor=nurse)


def test_a_fasting_tick_from_before_the_times_were_asked_does_not_let_anesthesia_start(day):
    """Migration keeps old bare ticks readable; anesthesia start asks for the times."""
    _office, nurse, case_id = day
    ready_for_anesthesia(case_id, nurse)
    with transaction() as s:
        s.add(
            ChecklistEntry(
                case_id=case_id,
                step="fasting_confirmed",
                done_at=now_utc(),
                done_by_id=nurse.id,
                undone=False,
            )
        )

    err = refused(complete_step, case_id, "anesthesia_start", actor=nurse)

    assert messages.FASTING_TIMES_MISSING in err.message


def test_a_fast_reported_in_the_future_is_refused_beside_its_field_and_writes_nothing(day):
    _office, nurse, case_id = day
    complete_step(case_id, "checked_in", actor=nurse)
    before = snapshot(case_id)

    err = refused(record_fast, case_id, nurse, clear_hours_ago=-1)

    assert (err.field, err.message) == ("clear_liquid_at", messages.FASTING_TIME_IN_FUTURE)
    assert snapshot(case_id) == before


def test_anesthesia_start_moved_earlier_than_the_fast_allows_is_refused(day):
    _office, nurse, case_id = day
    ready_for_anesthesia(case_id, nurse)
    record_fast(case_id, nurse, food_hours_ago=7, clear_hours_ago=3)  # fasted from 1 h ago
    complete_step(case_id, "anesthesia_start", actor=nurse)
    arrived = now_utc() - dt.timedelta(hours=3)
    correct_event_time(case_id, "checked_in", arrived, "Arrived early", actor=nurse)

    err = refused(
        correct_event_time,
        case_id,
        "anesthesia_start",
        now_utc() - dt.timedelta(hours=2),
        "Charted late",
        actor=nurse,
    )

    assert err.field == "event_at"
    assert err.message.startswith('"Anesthesia start" cannot have happened then: Fasting not long')


def test_a_diabetic_patients_anesthesia_needs_a_glucose_inside_the_practices_limits(day):
    _office, nurse, case_id = day
    add_condition(case_id, Condition.DIABETES)
    ready_for_anesthesia(case_id, nurse)
    record_fast(case_id, nurse)

    err = refused(complete_step, case_id, "anesthesia_start", actor=nurse)
    assert messages.GLUCOSE_NOT_RECORDED in err.message
    complete_step(case_id, "glucose_checked", actor=nurse, value="62")
    err = refused(complete_step, case_id, "anesthesia_start", actor=nurse)
    assert messages.GLUCOSE_LOW.format(value="62", limit="70") in err.message
    # Treated and re-checked: the latest reading counts.
    complete_step(case_id, "glucose_checked", actor=nurse, value="118")
    complete_step(case_id, "anesthesia_start", actor=nurse)


def test_a_glucose_limit_the_practice_set_to_warn_is_shown_and_does_not_block(day):
    _office, nurse, case_id = day
    add_condition(case_id, Condition.DIABETES)
    set_clinical_limit(LimitKey.GLUCOSE_HIGH, value=300, action=LimitAction.WARN)
    ready_for_anesthesia(case_id, nurse)
    record_fast(case_id, nurse)
    complete_step(case_id, "glucose_checked", actor=nurse, value="320")

    shown = case_detail(case_id, nurse.office_ids)
    assert shown.glucose_warnings() == [messages.GLUCOSE_HIGH.format(value="320", limit="300")]
    complete_step(case_id, "anesthesia_start", actor=nurse)


def test_the_incision_is_refused_when_the_antibiotic_was_given_over_60_minutes_before(
    day, monkeypatch
):
    _office, nurse, case_id = day
    ready_for_anesthesia(case_id, nurse)
    record_fast(case_id, nurse)
    complete_step(case_id, "anesthesia_start", actor=nurse)
    confirm_time_out_items(case_id, nurse)
    record_antibiotic(case_id, True, now_utc() - dt.timedelta(minutes=30), actor=nurse)
    complete_step(case_id, "time_out", actor=nurse)
    # The incision is delayed: 40 minutes later the antibiotic is 70 minutes old.
    later = now_utc() + dt.timedelta(minutes=40)
    monkeypatch.setattr("services.checklist.now_utc", lambda: later)

    err = refused(complete_step, case_id, "procedure_start", actor=nurse)

    assert "more than 60 minutes before the incision" in err.message
    record_antibiotic(case_id, True, later - dt.timedelta(minutes=5), actor=nurse)
    complete_step(case_id, "procedure_start", actor=nurse)


def ready_to_go(case_id: int, nurse) -> None:
    """Through the hard stops to recovery, scored 10, the escort confirmed: ready to discharge."""
    to_incision(case_id, nurse)
    for step in ["procedure_end", "recovery_in"]:
        complete_step(case_id, step, actor=nurse)
    record_discharge_score(case_id, DischargeScale.ALDRETE, ALDRETE_10, actor=nurse)
    confirm_escort(case_id, "Ann Lee", "daughter", "555-010-0199", actor=nurse)


def test_the_discharge_time_corrected_after_discharge_moves_the_follow_ups_not_yet_made(day):
    _office, nurse, case_id = day
    ready_to_go(case_id, nurse)
    # The day charted at the end: each time set right, earliest first.
    for hours, step in enumerate(
        ["checked_in", "anesthesia_start", "procedure_start", "procedure_end", "recovery_in"]
    ):
        at = now_utc() - dt.timedelta(hours=3 - hours / 2)
        correct_event_time(case_id, step, at, "Charted at the end of the day", actor=nurse)
    discharge_patient(case_id, actor=nurse, open_steps_confirmed=OPEN_AFTER_A_SHORT_DAY)
    charted = case_row(case_id).discharged_at
    actual = charted - dt.timedelta(minutes=25)

    correct_event_time(case_id, "discharged", actual, "Charted after she left", actor=nurse)

    assert case_row(case_id).discharged_at == actual
    with read_session() as s:
        due = dict(
            s.execute(
                select(FollowUp.kind, FollowUp.due_at).where(FollowUp.case_id == case_id)
            ).all()
        )
    assert due == {d.kind: d.due_at for d in follow_up_schedule(actual)}
    fixed = audits_of(case_id, "checklist.time_corrected")[-1]
    assert (fixed["step"], fixed["follow_ups_rescheduled"]) == ("discharged", len(due))
    # Nothing else may change after discharge.
    assert refused(complete_step, case_id, "sign_out", actor=nurse).field == "step"


def test_event_times_are_locked_a_day_after_discharge(day, monkeypatch):
    _office, nurse, case_id = day
    ready_to_go(case_id, nurse)
    discharge_patient(case_id, actor=nurse, open_steps_confirmed=OPEN_AFTER_A_SHORT_DAY)
    charted = case_row(case_id).discharged_at
    monkeypatch.setattr("services.checklist.now_utc", lambda: charted + dt.timedelta(hours=25))
    before = snapshot(case_id)

    err = refused(correct_event_time, case_id, "discharged", charted, "Too late", actor=nurse)

    assert err.field == "step" and err.message.startswith("Discharged at ")
    assert snapshot(case_id) == before


def test_a_drug_under_review_may_be_placed_on_the_day_until_anesthesia_starts(day):
    _office, nurse, case_id = day
    found_on_the_day = add_held_drug(case_id, "zorblax", stop_before_hours=None, needs_review=True)
    complete_step(case_id, "checked_in", actor=nurse)

    place_drug(found_on_the_day, NO_RELEVANCE, "Eye drops, checked with pharmacy", actor=nurse)

    with read_session() as s:
        placed = s.get(CaseMedication, found_on_the_day)
        assert (placed.needs_review, placed.reviewed_by_id) == (False, nurse.id)
    [audited] = audits_of(case_id, "medication.reviewed")
    assert audited["reason"] == "Eye drops, checked with pharmacy"
    # Once in procedure, the drug list is history.
    late = add_held_drug(case_id, "quixol", stop_before_hours=None, needs_review=True)
    with transaction() as s:
        s.get(Case, case_id).status = CaseStatus.IN_PROCEDURE
    err = refused(place_drug, late, NO_RELEVANCE, "Too late", actor=nurse)
    assert (err.field, err.message) == (
        "review",
        messages.DRUG_REVIEW_WINDOW_CLOSED.format(status="in procedure"),
    )
