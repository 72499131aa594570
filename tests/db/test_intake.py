"""Intake services and reads on both backends: consult requests with duplicate-patient
detection, medications classed and audited, clearances with who and when, baseline and escort,
and every read and write scoped to the user's offices."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select, update

from db.models import AuditEvent, Case, CaseCondition, CaseMedication, Patient
from db.queries.intake import case_detail, open_cases, patient_by_mrn, providers
from db.session import read_session, transaction
from mild import messages
from mild.cases import CaseStatus, RequestChannel
from mild.glp1 import Glp1Decision
from mild.intake import Condition
from mild.medications import NO_RELEVANCE, MedClass
from mild.scores import ODI_SECTIONS
from mild.staff import Role
from services.booking import book_case
from services.cases import advance_case
from services.intake import (
    change_condition_details,
    create_case,
    flag_condition,
    record_condition_clearance,
    save_assessment,
    save_baseline_odi,
    save_escort,
    unflag_condition,
)
from services.medications import (
    add_medication,
    change_medication_dose,
    confirm_hold_with_patient,
    place_drug,
    record_glp1_decision,
    record_last_dose,
    record_prescriber_clearance,
    remove_medication,
)
from tests.builders import make_case, make_office, make_provider, make_user, refusal

DOB = dt.date(1951, 4, 2)


def audit_rows(action: str) -> list[tuple[int | None, str, dict]]:
    with read_session() as s:
        rows = s.execute(
            select(AuditEvent.actor_id, AuditEvent.actor_name, AuditEvent.detail)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
    return [(a, n, json.loads(d) if d else {}) for a, n, d in rows]


def med_rows(case_id: int) -> list[CaseMedication]:
    with read_session() as s:
        rows = s.scalars(
            select(CaseMedication)
            .where(CaseMedication.case_id == case_id)
            .order_by(CaseMedication.id)
        ).all()
        for r in rows:
            s.expunge(r)
        return list(rows)


@pytest.fixture
def clinic(db_url):
    office = make_office("AA")
    cora = make_user("cora", Role.COORDINATOR, [office])
    return office, cora, make_provider(office)


def request(office: int, actor, **changes):
    """A consult request for Ada Lovelace (M100200) by phone; `changes` alter any argument."""
    args = {
        "mrn": "M100200",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": DOB,
        "office_id": office,
        "channel": RequestChannel.PHONE,
        "actor": actor,
    }
    return create_case(**{**args, **changes})


def in_intake(office: int, cora) -> int:
    new = request(office, cora)
    advance_case(new.case_id, CaseStatus.INTAKE, actor=cora)
    return new.case_id


# --- consult requests -----------------------------------------------------------------------


def test_a_consult_request_creates_the_patient_and_a_requested_case_with_a_code(clinic):
    office, cora, provider = clinic

    new = request(
        office,
        cora,
        mrn=" m100200 ",
        last_name=" Lovelace ",
        phone="(312) 555-0101",
        provider_id=provider,
        channel=RequestChannel.ONLINE_FORM,
    )

    assert new.new_patient and new.code == f"AA-{new.case_id:05d}"
    patient = patient_by_mrn("M100200")
    assert (patient.first_name, patient.last_name, patient.date_of_birth) == (
        "Ada",
        "Lovelace",
        DOB,
    )
    detail = case_detail(new.case_id, cora.office_ids)
    assert (detail.status, detail.request_channel, detail.provider_id) == (
        CaseStatus.REQUESTED,
        RequestChannel.ONLINE_FORM,
        provider,
    )
    assert [r[:2] for r in audit_rows("patient.created")] == [(cora.id, "cora")]
    assert audit_rows("case.requested")[0][2]["channel"] == "online_form"


def test_an_existing_mrn_reuses_its_patient_whatever_names_were_typed(clinic):
    office, cora, _provider = clinic
    one = request(office, cora, mrn="M1000")
    again = create_case(mrn="m1000", office_id=office, channel=RequestChannel.PHONE, actor=cora)
    assert again.patient_id == one.patient_id and not again.new_patient
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 1


def test_same_name_and_birth_under_another_mrn_is_pointed_out_before_creating(clinic):
    office, cora, _provider = clinic
    request(office, cora)
    args = {"mrn": "X555", "first_name": "ADA", "last_name": "lovelace"}

    assert refusal(request, office, cora, **args) == (
        "mrn",
        messages.LIKELY_DUPLICATE_PATIENT.format(mrn="M100200"),
    )
    assert patient_by_mrn("X555") is None

    new = request(office, cora, **args, different_person=True)
    assert new.new_patient
    assert audit_rows("patient.created")[-1][2]["likely_duplicates"] == ["M100200"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"mrn": "M1"}, ("mrn", messages.MRN_FORMAT)),
        ({"mrn": "M1 00"}, ("mrn", messages.MRN_FORMAT)),
        ({"first_name": "  "}, ("first_name", messages.PATIENT_NAME_REQUIRED)),
        ({"last_name": ""}, ("last_name", messages.PATIENT_NAME_REQUIRED)),
        ({"date_of_birth": None}, ("date_of_birth", messages.PATIENT_DOB_REQUIRED)),
        (
            {"date_of_birth": dt.date.today() + dt.timedelta(days=2)},
            ("date_of_birth", messages.PATIENT_DOB_RANGE),
        ),
        ({"channel": None}, ("channel", messages.REQUEST_CHANNEL_REQUIRED)),
        ({"office_id": None}, ("office", messages.OFFICE_REQUIRED)),
        ({"phone": "call me"}, ("phone", messages.PHONE_FORMAT)),
    ],
)
def test_a_consult_request_with_a_bad_value_is_refused_on_its_field(clinic, changes, expected):
    office, cora, _provider = clinic
    assert refusal(request, office, cora, **changes) == expected
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        assert s.scalar(select(func.count()).select_from(Patient)) == 0


def test_a_consult_request_for_another_office_or_its_provider_is_refused(clinic):
    office, cora, _provider = clinic
    other = make_office("BB")
    elsewhere = make_provider(other, "Dr. Far")
    assert refusal(request, other, cora) == ("office", messages.OFFICE_NOT_YOURS)
    assert refusal(request, office, cora, provider_id=elsewhere) == (
        "provider",
        messages.BOOKING_PROVIDER_NOT_AT_OFFICE,
    )
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


# --- medications ----------------------------------------------------------------------------


def booked(office: int, cora, provider: int, days: int = 10) -> tuple[int, dt.datetime]:
    """A case in intake booked `days` ahead at 09:00; returns it and its start (UTC)."""
    case_id = in_intake(office, cora)
    book_case(
        case_id,
        day=dt.date.today() + dt.timedelta(days=days),
        start=dt.time(9),
        provider_id=provider,
        actor=cora,
    )
    with read_session() as s:
        return case_id, s.get(Case, case_id).scheduled_start


def test_medications_are_matched_by_generic_or_brand_name_and_every_change_is_audited(clinic):
    office, cora, _provider = clinic
    case_id = in_intake(office, cora)

    apixaban = add_medication(case_id, "Eliquis 5 mg twice daily", actor=cora)
    mystery = add_medication(case_id, "Zorblaxine", "10 mg", actor=cora)
    semaglutide = add_medication(case_id, "OZEMPIC", "1 mg weekly", actor=cora)

    rows = {m.drug: m for m in med_rows(case_id)}
    eliquis = rows["apixaban"]
    assert (eliquis.med_class, eliquis.dose, eliquis.name_given) == (
        MedClass.DOAC,
        "5 mg twice daily",
        "Eliquis 5 mg twice daily",
    )
    assert (eliquis.stop_before_hours, eliquis.restart_after_hours) == (72, 24)
    assert eliquis.needs_clearance and eliquis.hold_rule == "apixaban"
    assert eliquis.last_dose_by is None  # not booked yet
    assert rows["zorblaxine"].med_class == MedClass.UNKNOWN and rows["zorblaxine"].needs_review
    weekly = rows["semaglutide, weekly injection"]
    assert weekly.med_class == MedClass.GLP1_AGONIST and weekly.stop_before_hours is None
    assert refusal(add_medication, case_id, "apixaban", actor=cora) == (
        "drug",
        messages.DRUG_ALREADY_LISTED.format(drug="apixaban"),
    )
    assert refusal(add_medication, case_id, "  ", actor=cora) == ("drug", messages.DRUG_REQUIRED)

    change_medication_dose(apixaban, "2.5 mg twice daily", actor=cora)
    remove_medication(semaglutide, actor=cora)

    assert {m.drug: m.dose for m in med_rows(case_id)} == {
        "apixaban": "2.5 mg twice daily",
        "zorblaxine": "10 mg",
    }
    added = [d for _, _, d in audit_rows("medication.added")]
    assert [(d["drug"], d["class_label"], d["stop_before_hours"]) for d in added] == [
        ("apixaban", "Direct oral anticoagulant (factor Xa)", 72),
        ("zorblaxine", "Unknown: needs review", None),
        ("semaglutide, weekly injection", "GLP-1 agonist", None),
    ]
    assert audit_rows("medication.dose_changed")[0][2]["from"] == "5 mg twice daily"
    assert audit_rows("medication.removed")[0][2]["drug"] == "semaglutide, weekly injection"
    assert refusal(change_medication_dose, semaglutide, "1", actor=cora) == (
        "medication",
        messages.MEDICATION_NOT_FOUND,
    )
    assert mystery in {m.id for m in med_rows(case_id)}


def test_a_name_that_means_two_rows_waits_for_a_nurse_to_pick_the_row(clinic):
    office, cora, _provider = clinic
    nina = make_user("nina", Role.NURSE, [office])
    case_id = in_intake(office, cora)
    aspirin = add_medication(case_id, "Aspirin 81 mg", actor=cora)

    (row,) = med_rows(case_id)
    assert (row.drug, row.dose, row.needs_review) == ("aspirin", "81 mg", True)
    assert audit_rows("medication.added")[0][2]["candidates"] == [
        "aspirin, primary prevention",
        "aspirin, secondary prevention",
    ]
    assert "Review unknown drug: aspirin" in case_detail(case_id, cora.office_ids).missing

    place_drug(aspirin, "aspirin, secondary prevention", "Stent in 2019: cardiology", actor=nina)

    (row,) = med_rows(case_id)
    assert (row.drug, row.needs_review, row.needs_clearance) == (
        "aspirin, secondary prevention",
        False,
        True,
    )
    assert (row.reviewed_by_id, row.review_reason) == (nina.id, "Stent in 2019: cardiology")


def test_an_unknown_drug_is_placed_only_by_a_nurse_who_picks_its_row_and_says_why(clinic):
    office, cora, _provider = clinic
    nina = make_user("nina", Role.NURSE, [office])
    case_id = in_intake(office, cora)
    mystery = add_medication(case_id, "zorblaxine", actor=cora)
    assert refusal(confirm_hold_with_patient, mystery, actor=cora) == (
        "hold",
        messages.HOLD_NEEDS_REVIEW,
    )
    assert refusal(place_drug, mystery, NO_RELEVANCE, "statin", actor=cora) == (
        "review",
        messages.DRUG_REVIEW_ROLE,
    )
    # There is no bare "no hold needed": a row (or no relevance) and the reason are required.
    assert refusal(place_drug, mystery, None, "statin", actor=nina) == (
        "choice",
        messages.REVIEW_CLASS_REQUIRED,
    )
    assert refusal(place_drug, mystery, NO_RELEVANCE, "  ", actor=nina) == (
        "reason",
        messages.REVIEW_REASON_REQUIRED,
    )
    assert refusal(place_drug, mystery, "no such row", "x", actor=nina) == (
        "choice",
        messages.REVIEW_ROW_UNKNOWN,
    )

    place_drug(mystery, NO_RELEVANCE, "Pharmacist: a statin, no bleeding risk", actor=nina)

    (row,) = med_rows(case_id)
    assert (row.drug, row.med_class, row.needs_review) == ("zorblaxine", MedClass.OTHER, False)
    assert row.reviewed_by_id == nina.id and row.reviewed_at is not None
    ((actor_id, _name, detail),) = audit_rows("medication.reviewed")
    assert actor_id == nina.id
    assert (detail["choice"], detail["reason"]) == (
        NO_RELEVANCE,
        "Pharmacist: a statin, no bleeding risk",
    )
    assert "Review unknown drug: zorblaxine" not in case_detail(case_id, cora.office_ids).missing


def test_a_drug_placed_on_a_row_takes_its_class_stop_and_restart(clinic):
    office, cora, provider = clinic
    nina = make_user("nina", Role.NURSE, [office])
    case_id, start = booked(office, cora, provider)
    mystery = add_medication(case_id, "Bevyxxa", actor=cora)
    place_drug(mystery, "rivaroxaban", "Factor Xa inhibitor like Xarelto: pharmacy", actor=nina)
    (row,) = med_rows(case_id)
    assert (row.drug, row.med_class, row.stop_before_hours) == ("rivaroxaban", MedClass.DOAC, 72)
    assert row.name_given == "Bevyxxa"
    assert row.last_dose_by == start - dt.timedelta(hours=72)


def test_a_booked_case_gives_new_drugs_their_latest_allowed_last_dose(clinic):
    office, cora, provider = clinic
    case_id, start = booked(office, cora, provider)

    add_medication(case_id, "Plavix", actor=cora)
    add_medication(case_id, "metformin", actor=cora)

    rows = {m.drug: m for m in med_rows(case_id)}
    assert rows["clopidogrel"].last_dose_by == start - dt.timedelta(hours=168)
    assert rows["metformin"].last_dose_by is None  # no dose that morning: no timed stop
    assert rows["metformin"].skip_on_day


def test_prescriber_clearance_and_the_patients_hold_confirmation_record_who_and_when(clinic):
    office, cora, provider = clinic
    case_id = in_intake(office, cora)
    warfarin = add_medication(case_id, "warfarin", actor=cora)
    naproxen = add_medication(case_id, "naproxen", actor=cora)
    lisinopril = add_medication(case_id, "lisinopril", actor=cora)

    assert refusal(confirm_hold_with_patient, warfarin, actor=cora) == (
        "hold",
        messages.HOLD_NEEDS_BOOKING,
    )
    book_case(
        case_id,
        day=dt.date.today() + dt.timedelta(days=9),
        start=dt.time(9),
        provider_id=provider,
        actor=cora,
    )
    assert refusal(confirm_hold_with_patient, warfarin, actor=cora) == (
        "hold",
        messages.HOLD_NEEDS_CLEARANCE.format(drug="warfarin"),
    )
    assert refusal(record_prescriber_clearance, warfarin, "  ", actor=cora) == (
        "prescriber",
        messages.PRESCRIBER_REQUIRED,
    )
    assert refusal(record_prescriber_clearance, naproxen, "Dr. X", actor=cora) == (
        "prescriber",
        messages.CLEARANCE_NOT_NEEDED.format(drug="naproxen"),
    )
    assert refusal(confirm_hold_with_patient, lisinopril, actor=cora) == (
        "hold",
        messages.HOLD_NOT_NEEDED.format(drug="lisinopril"),
    )

    record_prescriber_clearance(warfarin, " Dr. Heart (cardiology) ", actor=cora)
    confirm_hold_with_patient(warfarin, actor=cora)
    confirm_hold_with_patient(naproxen, actor=cora)

    rows = {m.drug: m for m in med_rows(case_id)}
    assert rows["warfarin"].cleared_by == "Dr. Heart (cardiology)"
    assert rows["warfarin"].cleared_at is not None
    assert rows["warfarin"].hold_confirmed_by_id == cora.id
    assert rows["naproxen"].hold_confirmed_at is not None
    assert audit_rows("medication.prescriber_cleared")[0][2]["prescriber"] == (
        "Dr. Heart (cardiology)"
    )
    detail = case_detail(case_id, cora.office_ids)
    (warfarin_row,) = [m for m in detail.medications if m.drug == "warfarin"]
    assert warfarin_row.hold_confirmed_by == "Cora"


def test_the_patients_reported_last_dose_is_recorded_with_who_when_and_how(clinic):
    office, cora, provider = clinic
    case_id, start = booked(office, cora, provider, days=5)
    eliquis = add_medication(case_id, "Eliquis", actor=cora)
    lisinopril = add_medication(case_id, "lisinopril", actor=cora)
    now = dt.datetime.now(dt.UTC)
    taken = now - dt.timedelta(hours=3)

    assert refusal(record_last_dose, eliquis, None, via="pre_op_call", actor=cora) == (
        "last_dose",
        messages.LAST_DOSE_REQUIRED,
    )
    assert refusal(
        record_last_dose, eliquis, now + dt.timedelta(hours=2), via="pre_op_call", actor=cora
    ) == ("last_dose", messages.LAST_DOSE_IN_FUTURE)
    assert refusal(record_last_dose, lisinopril, taken, via="pre_op_call", actor=cora) == (
        "last_dose",
        messages.LAST_DOSE_NOT_HELD.format(drug="lisinopril"),
    )

    record_last_dose(eliquis, taken, via="pre_op_call", actor=cora)

    (row, _) = med_rows(case_id)
    assert row.last_dose_taken_at == taken
    assert (row.last_dose_reported_by_id, row.last_dose_reported_via) == (cora.id, "pre_op_call")
    ((actor_id, _name, detail),) = audit_rows("medication.last_dose_reported")
    assert actor_id == cora.id and detail["via"] == "pre_op_call"
    # Once the procedure is under way, the last dose is history.
    in_procedure = make_case(office, CaseStatus.IN_PROCEDURE)
    with transaction() as s:
        s.add(
            CaseMedication(
                case_id=in_procedure, drug="apixaban", med_class=MedClass.DOAC, stop_before_hours=72
            )
        )
    (late_med,) = med_rows(in_procedure)
    assert refusal(record_last_dose, late_med.id, taken, via="day_of", actor=cora) == (
        "last_dose",
        messages.LAST_DOSE_WINDOW_CLOSED.format(status="in procedure"),
    )


def test_a_glp1_agonist_is_screened_and_its_decision_recorded_before_the_patient_is_told(clinic):
    office, cora, provider = clinic
    case_id, start = booked(office, cora, provider)
    ozempic = add_medication(case_id, "Ozempic 1 mg weekly", actor=cora)
    assert refusal(confirm_hold_with_patient, ozempic, actor=cora) == (
        "hold",
        messages.GLP1_NOT_SCREENED,
    )
    assert "GLP-1 risk screen and decision: semaglutide, weekly injection" in (
        case_detail(case_id, cora.office_ids).missing
    )
    risky = {"weekly_dosing": True, "gi_symptoms": True}
    assert refusal(record_glp1_decision, ozempic, risky, Glp1Decision.CONTINUE, actor=cora) == (
        "glp1_decision",
        messages.GLP1_ELEVATED_NEEDS_DIET,
    )

    record_glp1_decision(ozempic, risky, Glp1Decision.HOLD, "Dr. Sleep (anesthesia)", actor=cora)

    (row,) = med_rows(case_id)
    assert (row.glp1_decision, row.glp1_decided_by) == ("hold", "Dr. Sleep (anesthesia)")
    assert row.stop_before_hours == 168 and row.last_dose_by == start - dt.timedelta(days=7)
    ((actor_id, _name, detail),) = audit_rows("medication.glp1_decided")
    assert actor_id == cora.id and detail["elevated_risk"] is True
    assert "GLP-1 risk screen and decision: semaglutide, weekly injection" not in (
        case_detail(case_id, cora.office_ids).missing
    )
    confirm_hold_with_patient(ozempic, actor=cora)
    # Changing the decision back to continuing (liquid diet) clears the stop and the patient
    # must be told again.
    record_glp1_decision(ozempic, risky, Glp1Decision.CONTINUE_LIQUID_DIET, actor=cora)
    (row,) = med_rows(case_id)
    assert (row.stop_before_hours, row.last_dose_by, row.hold_confirmed_at) == (None, None, None)
    apixaban = add_medication(case_id, "apixaban", actor=cora)
    assert refusal(record_glp1_decision, apixaban, {}, Glp1Decision.CONTINUE, actor=cora) == (
        "glp1_decision",
        messages.GLP1_NOT_A_GLP1.format(drug="apixaban"),
    )


# --- conditions, assessment, escort ---------------------------------------------------------


def test_conditions_are_flagged_detailed_cleared_with_who_and_when_and_unflagged(clinic):
    office, cora, _provider = clinic
    case_id = in_intake(office, cora)
    flag_condition(case_id, Condition.BLEEDING_DISORDER, "von Willebrand", actor=cora)
    flag_condition(case_id, Condition.LATEX_ALLERGY, actor=cora)
    assert (
        "Hematology clearance (bleeding disorder)" in case_detail(case_id, cora.office_ids).missing
    )
    assert refusal(flag_condition, case_id, Condition.BLEEDING_DISORDER, actor=cora) == (
        "condition",
        messages.CONDITION_ALREADY_FLAGGED.format(condition=Condition.BLEEDING_DISORDER.label),
    )
    assert refusal(record_condition_clearance, case_id, Condition.LATEX_ALLERGY, actor=cora) == (
        "clearance",
        messages.CONDITION_NO_CLEARANCE.format(condition=Condition.LATEX_ALLERGY.label),
    )

    record_condition_clearance(case_id, Condition.BLEEDING_DISORDER, actor=cora)
    change_condition_details(
        case_id, Condition.BLEEDING_DISORDER, "von Willebrand type 1", actor=cora
    )
    unflag_condition(case_id, Condition.LATEX_ALLERGY, actor=cora)

    detail = case_detail(case_id, cora.office_ids)
    (bleeding,) = detail.conditions
    assert (bleeding.condition, bleeding.details, bleeding.cleared_by) == (
        Condition.BLEEDING_DISORDER,
        "von Willebrand type 1",
        "Cora",
    )
    assert bleeding.cleared_at is not None
    assert not [m for m in detail.missing if "bleeding disorder" in m]
    assert refusal(
        record_condition_clearance, case_id, Condition.BLEEDING_DISORDER, actor=cora
    ) == ("clearance", messages.CLEARANCE_ALREADY_ON_FILE)
    assert [d["condition"] for _, _, d in audit_rows("condition.cleared")] == ["bleeding_disorder"]
    assert audit_rows("condition.unflagged")[0][2]["condition"] == "latex_allergy"


def test_heart_disease_is_cleared_by_its_values_not_a_tick(clinic):
    office, cora, _provider = clinic
    case_id = in_intake(office, cora)
    flag_condition(case_id, Condition.HEART_DISEASE, "stent 2019", actor=cora)
    assert (
        "Cardiology clearance: who cleared it and when (heart disease)"
        in case_detail(case_id, cora.office_ids).missing
    )
    assert refusal(record_condition_clearance, case_id, Condition.HEART_DISEASE, actor=cora) == (
        "clearance",
        messages.CLEARANCE_HAS_VALUES.format(condition=Condition.HEART_DISEASE.label),
    )


def test_the_assessment_keeps_asa_bmi_inputs_and_baseline_and_flags_a_bmi_over_35(clinic):
    office, cora, _provider = clinic
    case_id = in_intake(office, cora)
    version = case_detail(case_id, cora.office_ids).version

    save_assessment(
        case_id,
        asa_class=4,
        height_cm=160,
        weight_kg=100,
        baseline_nprs=8,
        walk_minutes=5,
        stand_minutes=10,
        works=True,
        actor=cora,
        expected_version=version,
    )

    detail = case_detail(case_id, cora.office_ids)
    assert (detail.asa_class, detail.height_cm, detail.weight_kg, detail.baseline_nprs) == (
        4,
        160,
        100,
        8,
    )
    assert (detail.baseline_walk_minutes, detail.baseline_stand_minutes, detail.works) == (
        5,
        10,
        True,
    )
    (bmi_flag,) = detail.conditions
    assert (bmi_flag.condition, bmi_flag.details) == (Condition.HIGH_BMI, "BMI 39.1")
    assert audit_rows("intake.assessment_saved")[0][2]["bmi"] == 39.1
    assert refusal(
        save_assessment,
        case_id,
        asa_class=2,
        height_cm=None,
        weight_kg=None,
        baseline_nprs=None,
        walk_minutes=None,
        stand_minutes=None,
        works=None,
        actor=cora,
        expected_version=version,
    ) == ("version", messages.CHANGED_BY_SOMEONE_ELSE)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"asa_class": 7}, ("asa_class", messages.ASA_RANGE)),
        ({"asa_class": 0}, ("asa_class", messages.ASA_RANGE)),
        ({"height_cm": 99}, ("height_cm", messages.HEIGHT_RANGE)),
        ({"weight_kg": 351}, ("weight_kg", messages.WEIGHT_RANGE)),
        ({"weight_kg": None}, ("weight_kg", messages.HEIGHT_WEIGHT_TOGETHER)),
        ({"baseline_nprs": 11}, ("nprs", messages.NPRS_RANGE)),
        ({"walk_minutes": -1}, ("walk_minutes", messages.MINUTES_RANGE)),
        ({"stand_minutes": 601}, ("stand_minutes", messages.MINUTES_RANGE)),
    ],
)
def test_out_of_range_assessment_values_are_refused_on_their_field(clinic, changes, expected):
    office, cora, _provider = clinic
    case_id = in_intake(office, cora)
    values = {
        "asa_class": 2,
        "height_cm": 170,
        "weight_kg": 70,
        "baseline_nprs": 6,
        "walk_minutes": 5,
        "stand_minutes": 5,
        "works": False,
    }
    assert refusal(save_assessment, case_id, **{**values, **changes}, actor=cora) == expected
    assert case_detail(case_id, cora.office_ids).asa_class is None


def test_the_baseline_odi_is_scored_from_its_sections(clinic):
    office, cora, _provider = clinic
    case_id = in_intake(office, cora)
    answers = dict.fromkeys(ODI_SECTIONS, 3) | {"sex_life": None}
    assert save_baseline_odi(case_id, answers, actor=cora) == 60.0
    assert case_detail(case_id, cora.office_ids).baseline_odi == 60.0
    too_few = dict.fromkeys(ODI_SECTIONS[:7], 2)
    assert refusal(save_baseline_odi, case_id, too_few, actor=cora) == (
        "odi",
        messages.ODI_TOO_FEW_SECTIONS,
    )


def test_the_escort_needs_a_name_and_a_phone_together(clinic):
    office, cora, _provider = clinic
    case_id = in_intake(office, cora)
    assert refusal(save_escort, case_id, name="Ann", relationship="", phone="", actor=cora) == (
        "escort_phone",
        messages.ESCORT_NAME_AND_PHONE,
    )
    assert refusal(save_escort, case_id, name="Ann", relationship="", phone="555", actor=cora) == (
        "escort_phone",
        messages.PHONE_FORMAT,
    )

    save_escort(
        case_id, name=" Ann Escort ", relationship="daughter", phone="(312) 555-0100", actor=cora
    )

    detail = case_detail(case_id, cora.office_ids)
    assert (detail.escort_name, detail.escort_relationship, detail.escort_phone) == (
        "Ann Escort",
        "daughter",
        "(312) 555-0100",
    )
    assert "Escort arranged" not in detail.missing


def test_intake_details_wait_for_start_intake_and_stop_at_check_in(clinic):
    office, cora, _provider = clinic
    new = request(office, cora)
    assert refusal(add_medication, new.case_id, "aspirin", actor=cora) == (
        "status",
        messages.INTAKE_NOT_STARTED,
    )
    checked_in = make_case(office, CaseStatus.CHECKED_IN)
    assert refusal(flag_condition, checked_in, Condition.DIABETES, actor=cora) == (
        "status",
        messages.INTAKE_NOT_OPEN.format(status="Checked in"),
    )


# --- office scope ---------------------------------------------------------------------------


def test_reads_and_writes_see_only_the_users_offices(clinic):
    office, cora, provider = clinic
    other = make_office("BB")
    make_provider(other, "Dr. Far")
    mine = in_intake(office, cora)
    theirs = make_case(other, CaseStatus.INTAKE)
    make_case(office, CaseStatus.CHECKED_IN)  # not open for intake
    with transaction() as s:
        med = CaseMedication(
            case_id=theirs, drug="aspirin", med_class=MedClass.ASPIRIN, needs_clearance=True
        )
        s.add(med)
        s.flush()
        their_med = med.id

    assert list(open_cases(cora.office_ids).case_id) == [mine]
    assert case_detail(theirs, cora.office_ids) is None
    listed = providers(cora.office_ids)
    assert provider in [p.id for p in listed] and {p.office_id for p in listed} == {office}
    assert refusal(add_medication, theirs, "aspirin", actor=cora) == (
        "case",
        messages.CASE_NOT_FOUND,
    )
    assert refusal(record_prescriber_clearance, their_med, "Dr. X", actor=cora) == (
        "case",
        messages.CASE_NOT_FOUND,
    )
    assert refusal(flag_condition, theirs, Condition.DIABETES, actor=cora) == (
        "case",
        messages.CASE_NOT_FOUND,
    )
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(CaseCondition)) == 0


def test_open_cases_list_unbooked_cases_first_then_by_start(clinic):
    office, cora, provider = clinic
    booked = in_intake(office, cora)
    book_case(
        booked,
        day=dt.date.today() + dt.timedelta(days=5),
        start=dt.time(9),
        provider_id=provider,
        actor=cora,
    )
    unbooked = request(office, cora, mrn="Q2000", first_name="Bo", last_name="Chen").case_id
    with transaction() as s:
        s.execute(update(Case).where(Case.id == unbooked).values(scheduled_start=None))
    table = open_cases(cora.office_ids)
    assert list(table.case_id) == [unbooked, booked]
    assert list(table.patient) == ["Chen, Bo", "Lovelace, Ada"]


def test_a_stop_left_to_the_prescriber_is_recorded_with_the_clearance_and_then_held(clinic):
    office, cora, provider = clinic
    nina = make_user("nina", Role.NURSE, [office])
    case_id, start = booked(office, cora, provider)
    aspirin = add_medication(case_id, "aspirin 81 mg", actor=cora)
    place_drug(aspirin, "aspirin, secondary prevention", "Coronary stent 2019", actor=nina)
    assert refusal(record_prescriber_clearance, aspirin, "Dr. Heart", actor=cora) == (
        "agreed_stop_hours",
        messages.AGREED_STOP_RANGE.format(max=720),
    )

    record_prescriber_clearance(aspirin, "Dr. Heart", 168, actor=cora)

    (row,) = med_rows(case_id)
    assert (row.stop_before_hours, row.cleared_by) == (168, "Dr. Heart")
    assert row.last_dose_by == start - dt.timedelta(hours=168)
    assert audit_rows("medication.prescriber_cleared")[0][2]["agreed_stop_hours"] == 168
