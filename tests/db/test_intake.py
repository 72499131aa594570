"""Intake services and reads on both backends: consult requests with duplicate-patient
detection, medications classed and audited, clearances with who and when, baseline and driver,
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
from mild.errors import RuleViolation
from mild.intake import Condition
from mild.medications import MedClass
from mild.scores import ODI_SECTIONS
from mild.staff import Role
from services.booking import book_case
from services.cases import advance_case
from services.intake import (
    add_medication,
    change_condition_details,
    change_medication_dose,
    confirm_hold_with_patient,
    create_case,
    flag_condition,
    record_condition_clearance,
    record_prescriber_clearance,
    remove_medication,
    review_unknown_drug,
    save_assessment,
    save_baseline_odi,
    save_driver,
    unflag_condition,
)
from tests.builders import make_case, make_office, make_provider, make_user

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


def refused(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    return caught.value.field, caught.value.message


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

    assert refused(request, office, cora, **args) == (
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
    assert refused(request, office, cora, **changes) == expected
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        assert s.scalar(select(func.count()).select_from(Patient)) == 0


def test_a_consult_request_for_another_office_or_its_provider_is_refused(clinic):
    office, cora, _provider = clinic
    other = make_office("BB")
    elsewhere = make_provider(other, "Dr. Far")
    assert refused(request, other, cora) == ("office", messages.OFFICE_NOT_YOURS)
    assert refused(request, office, cora, provider_id=elsewhere) == (
        "provider",
        messages.BOOKING_PROVIDER_NOT_AT_OFFICE,
    )
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


# --- medications ----------------------------------------------------------------------------


def test_medications_are_classed_from_the_hold_table_and_every_change_is_audited(clinic):
    office, cora, _provider = clinic
    case_id = in_intake(office, cora)

    apixaban = add_medication(case_id, "Apixaban 5 mg twice daily", actor=cora)
    mystery = add_medication(case_id, "Zorblaxine", "10 mg", actor=cora)
    semaglutide = add_medication(case_id, "semaglutide", "1 mg weekly", actor=cora)

    rows = {m.drug: m for m in med_rows(case_id)}
    assert (rows["apixaban"].med_class, rows["apixaban"].dose) == (
        MedClass.DOAC,
        "5 mg twice daily",
    )
    assert rows["apixaban"].hold_days == 3 and rows["apixaban"].needs_clearance
    assert rows["apixaban"].last_dose_on is None  # not booked yet
    assert rows["zorblaxine"].med_class == MedClass.UNKNOWN and rows["zorblaxine"].needs_review
    assert rows["semaglutide"].med_class == MedClass.GLP1_AGONIST
    assert not rows["semaglutide"].needs_clearance
    assert refused(add_medication, case_id, "APIXABAN", actor=cora) == (
        "drug",
        messages.DRUG_ALREADY_LISTED.format(drug="apixaban"),
    )
    assert refused(add_medication, case_id, "  ", actor=cora) == ("drug", messages.DRUG_REQUIRED)

    change_medication_dose(apixaban, "2.5 mg twice daily", actor=cora)
    remove_medication(semaglutide, actor=cora)

    assert {m.drug: m.dose for m in med_rows(case_id)} == {
        "apixaban": "2.5 mg twice daily",
        "zorblaxine": "10 mg",
    }
    added = [d for _, _, d in audit_rows("medication.added")]
    assert [(d["drug"], d["class_label"]) for d in added] == [
        ("apixaban", "Direct oral anticoagulant"),
        ("zorblaxine", "Unknown: needs review"),
        ("semaglutide", "GLP-1 agonist"),
    ]
    assert audit_rows("medication.dose_changed")[0][2]["from"] == "5 mg twice daily"
    assert audit_rows("medication.removed")[0][2]["drug"] == "semaglutide"
    assert refused(change_medication_dose, semaglutide, "1", actor=cora) == (
        "medication",
        messages.MEDICATION_NOT_FOUND,
    )
    assert mystery in {m.id for m in med_rows(case_id)}


def test_a_booked_case_gives_new_drugs_their_last_dose_date(clinic):
    office, cora, provider = clinic
    case_id = in_intake(office, cora)
    day = dt.date.today() + dt.timedelta(days=10)
    book_case(case_id, day=day, start=dt.time(9), provider_id=provider, actor=cora)

    add_medication(case_id, "clopidogrel", actor=cora)
    add_medication(case_id, "metformin", actor=cora)

    rows = {m.drug: m for m in med_rows(case_id)}
    assert rows["clopidogrel"].last_dose_on == day - dt.timedelta(days=8)
    assert rows["metformin"].last_dose_on is None  # dose adjusted, no fixed hold


def test_prescriber_clearance_and_the_patients_hold_confirmation_record_who_and_when(clinic):
    office, cora, provider = clinic
    case_id = in_intake(office, cora)
    warfarin = add_medication(case_id, "warfarin", actor=cora)
    naproxen = add_medication(case_id, "naproxen", actor=cora)
    lisinopril = add_medication(case_id, "lisinopril", actor=cora)

    assert refused(confirm_hold_with_patient, warfarin, actor=cora) == (
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
    assert refused(confirm_hold_with_patient, warfarin, actor=cora) == (
        "hold",
        messages.HOLD_NEEDS_CLEARANCE.format(drug="warfarin"),
    )
    assert refused(record_prescriber_clearance, warfarin, "  ", actor=cora) == (
        "prescriber",
        messages.PRESCRIBER_REQUIRED,
    )
    assert refused(record_prescriber_clearance, naproxen, "Dr. X", actor=cora) == (
        "prescriber",
        messages.CLEARANCE_NOT_NEEDED.format(drug="naproxen"),
    )
    assert refused(confirm_hold_with_patient, lisinopril, actor=cora) == (
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


def test_only_a_nurse_may_review_an_unknown_drug_which_then_needs_no_hold(clinic):
    office, cora, _provider = clinic
    nina = make_user("nina", Role.NURSE, [office])
    case_id = in_intake(office, cora)
    mystery = add_medication(case_id, "zorblaxine", actor=cora)
    assert refused(confirm_hold_with_patient, mystery, actor=cora) == (
        "hold",
        messages.HOLD_NEEDS_REVIEW,
    )
    assert refused(review_unknown_drug, mystery, actor=cora) == (
        "review",
        messages.DRUG_REVIEW_ROLE,
    )

    review_unknown_drug(mystery, actor=nina)

    (row,) = med_rows(case_id)
    assert (row.med_class, row.needs_review) == (MedClass.OTHER, False)
    assert row.note == "Reviewed by Nina: no hold needed"
    assert "Review unknown drug: zorblaxine" not in case_detail(case_id, cora.office_ids).missing


# --- conditions, assessment, driver ---------------------------------------------------------


def test_conditions_are_flagged_detailed_cleared_with_who_and_when_and_unflagged(clinic):
    office, cora, _provider = clinic
    case_id = in_intake(office, cora)
    flag_condition(case_id, Condition.HEART_DISEASE, "stent 2019", actor=cora)
    flag_condition(case_id, Condition.LATEX_ALLERGY, actor=cora)
    assert (
        "Cardiology clearance on file (heart disease)"
        in case_detail(case_id, cora.office_ids).missing
    )
    assert refused(flag_condition, case_id, Condition.HEART_DISEASE, actor=cora) == (
        "condition",
        messages.CONDITION_ALREADY_FLAGGED.format(condition=Condition.HEART_DISEASE.label),
    )
    assert refused(record_condition_clearance, case_id, Condition.LATEX_ALLERGY, actor=cora) == (
        "clearance",
        messages.CONDITION_NO_CLEARANCE.format(condition=Condition.LATEX_ALLERGY.label),
    )

    record_condition_clearance(case_id, Condition.HEART_DISEASE, actor=cora)
    change_condition_details(case_id, Condition.HEART_DISEASE, "stent 2019, EF 55%", actor=cora)
    unflag_condition(case_id, Condition.LATEX_ALLERGY, actor=cora)

    detail = case_detail(case_id, cora.office_ids)
    (heart,) = detail.conditions
    assert (heart.condition, heart.details, heart.cleared_by) == (
        Condition.HEART_DISEASE,
        "stent 2019, EF 55%",
        "Cora",
    )
    assert heart.cleared_at is not None
    assert not [m for m in detail.missing if "heart disease" in m]
    assert refused(record_condition_clearance, case_id, Condition.HEART_DISEASE, actor=cora) == (
        "clearance",
        messages.CLEARANCE_ALREADY_ON_FILE,
    )
    assert [d["condition"] for _, _, d in audit_rows("condition.cleared")] == ["heart_disease"]
    assert audit_rows("condition.unflagged")[0][2]["condition"] == "latex_allergy"


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
    assert refused(
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
    assert refused(save_assessment, case_id, **{**values, **changes}, actor=cora) == expected
    assert case_detail(case_id, cora.office_ids).asa_class is None


def test_the_baseline_odi_is_scored_from_its_sections(clinic):
    office, cora, _provider = clinic
    case_id = in_intake(office, cora)
    answers = dict.fromkeys(ODI_SECTIONS, 3) | {"sex_life": None}
    assert save_baseline_odi(case_id, answers, actor=cora) == 60.0
    assert case_detail(case_id, cora.office_ids).baseline_odi == 60.0
    too_few = dict.fromkeys(ODI_SECTIONS[:7], 2)
    assert refused(save_baseline_odi, case_id, too_few, actor=cora) == (
        "odi",
        messages.ODI_TOO_FEW_SECTIONS,
    )


def test_the_driver_needs_a_name_and_a_phone_together(clinic):
    office, cora, _provider = clinic
    case_id = in_intake(office, cora)
    assert refused(save_driver, case_id, name="Ann", relationship="", phone="", actor=cora) == (
        "driver_phone",
        messages.DRIVER_NAME_AND_PHONE,
    )
    assert refused(save_driver, case_id, name="Ann", relationship="", phone="555", actor=cora) == (
        "driver_phone",
        messages.PHONE_FORMAT,
    )

    save_driver(
        case_id, name=" Ann Driver ", relationship="daughter", phone="(312) 555-0100", actor=cora
    )

    detail = case_detail(case_id, cora.office_ids)
    assert (detail.driver_name, detail.driver_relationship, detail.driver_phone) == (
        "Ann Driver",
        "daughter",
        "(312) 555-0100",
    )
    assert "Driver arranged" not in detail.missing


def test_intake_details_wait_for_start_intake_and_stop_at_check_in(clinic):
    office, cora, _provider = clinic
    new = request(office, cora)
    assert refused(add_medication, new.case_id, "aspirin", actor=cora) == (
        "status",
        messages.INTAKE_NOT_STARTED,
    )
    checked_in = make_case(office, CaseStatus.CHECKED_IN)
    assert refused(flag_condition, checked_in, Condition.DIABETES, actor=cora) == (
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
    assert refused(add_medication, theirs, "aspirin", actor=cora) == (
        "case",
        messages.CASE_NOT_FOUND,
    )
    assert refused(record_prescriber_clearance, their_med, "Dr. X", actor=cora) == (
        "case",
        messages.CASE_NOT_FOUND,
    )
    assert refused(flag_condition, theirs, Condition.DIABETES, actor=cora) == (
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
