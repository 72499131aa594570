"""Intake forms saved whole on both backends (issue 13): a medication row (drug, dose, last dose,
clearance, told) in one transaction with one version bump and an audit row per change, all
attributed to the user; every problem of a form refused at once with nothing written."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select, update

from db.models import AuditEvent, Case, CaseMedication, Patient
from db.session import read_session, transaction
from mild import messages
from mild.cases import CaseStatus, RequestChannel
from mild.days import at_local, local_today
from mild.medications import MedicationEntry
from mild.staff import Role
from services.intake import create_case, save_assessment
from services.medications import add_medication, save_medication
from tests.builders import make_case, make_office, make_user, refusals

TZ = "America/New_York"


@pytest.fixture
def clinic(db_url):
    office = make_office("AA", TZ)
    return office, make_user("cora", Role.COORDINATOR, [office])


def today() -> dt.date:
    return local_today(TZ, dt.datetime.now(dt.UTC))


def booked_next_week(office: int) -> int:
    start = at_local(TZ, today() + dt.timedelta(days=7), dt.time(9))
    return make_case(office, CaseStatus.INTAKE, start)


def version(case_id: int) -> int:
    with read_session() as s:
        return s.scalar(select(Case.version).where(Case.id == case_id))


def audit_of(case_id: int) -> list[tuple[str, str, dict]]:
    with read_session() as s:
        rows = s.execute(
            select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.detail, AuditEvent.at)
            .where(AuditEvent.entity == "case", AuditEvent.entity_id == case_id)
            .order_by(AuditEvent.id)
        ).all()
    return [(a, who, json.loads(d or "{}"), at) for a, who, d, at in rows]


def the_medication(case_id: int) -> CaseMedication:
    with read_session() as s:
        (med,) = s.scalars(select(CaseMedication).where(CaseMedication.case_id == case_id)).all()
        s.expunge(med)
        return med


def test_a_drug_its_dose_and_its_prescriber_clearance_are_added_in_one_save(clinic):
    office, cora = clinic
    case_id = booked_next_week(office)
    before = version(case_id)
    agreed = today() - dt.timedelta(days=2)

    saved = save_medication(
        case_id,
        None,
        MedicationEntry(
            drug="Eliquis", dose="5 mg twice daily", prescriber="Dr. Heart", cleared_on=agreed
        ),
        actor=cora,
    )

    assert (saved.drug, saved.changed) == ("apixaban", True)
    med = the_medication(case_id)
    assert (med.drug, med.name_given, med.dose, med.cleared_by) == (
        "apixaban",
        "Eliquis",
        "5 mg twice daily",
        "Dr. Heart",
    )
    assert med.cleared_at == at_local(TZ, agreed, dt.time(12))
    assert version(case_id) == before + 1  # one save, one version
    rows = audit_of(case_id)
    assert [(a, who) for a, who, _, _ in rows] == [
        ("medication.added", "cora"),
        ("medication.prescriber_cleared", "cora"),
    ]
    assert rows[1][2]["cleared_on"] == agreed.isoformat()
    assert len({at for *_, at in rows}) == 1  # the same transaction's moment


def test_the_last_dose_and_the_hold_told_are_saved_together_on_a_listed_drug(clinic):
    office, cora = clinic
    case_id = booked_next_week(office)
    med_id = add_medication(case_id, "clopidogrel", actor=cora)
    before = version(case_id)
    taken_on = today() - dt.timedelta(days=1)

    save_medication(
        case_id,
        med_id,
        MedicationEntry(
            last_dose_day=taken_on,
            last_dose_time=dt.time(20, 0),
            prescriber="Dr. Heart",
            cleared_on=today(),
            told=True,
        ),
        actor=cora,
    )

    med = the_medication(case_id)
    assert med.last_dose_taken_at == at_local(TZ, taken_on, dt.time(20))
    assert med.last_dose_reported_via == "intake"  # taken by the coordinator at intake, said so
    assert med.hold_confirmed_at is not None and med.cleared_by == "Dr. Heart"
    assert version(case_id) == before + 1
    assert [a for a, *_ in audit_of(case_id)][-3:] == [
        "medication.prescriber_cleared",
        "medication.last_dose_reported",
        "medication.hold_confirmed",
    ]


def test_every_problem_of_a_medication_row_is_refused_at_once_and_nothing_is_written(clinic):
    office, cora = clinic
    case_id = make_case(office, CaseStatus.INTAKE)
    add_medication(case_id, "warfarin", actor=cora)
    before, rows_before = version(case_id), len(audit_of(case_id))

    assert refusals(
        save_medication,
        case_id,
        None,
        MedicationEntry(
            drug="Coumadin",  # warfarin again, by its brand
            dose="5 mg " * 30,
            last_dose_day=today(),
            prescriber="Dr. Heart",
            cleared_on=today() + dt.timedelta(days=1),
        ),
        actor=cora,
    ) == [
        ("drug", messages.DRUG_ALREADY_LISTED.format(drug="warfarin")),
        ("dose", messages.TEXT_TOO_LONG.format(limit=120)),
        ("last_dose", messages.LAST_DOSE_REQUIRED),
        ("cleared_on", messages.CLEARED_ON_IN_FUTURE),
    ]
    assert version(case_id) == before and len(audit_of(case_id)) == rows_before
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(CaseMedication)) == 1


def test_the_hold_cannot_be_told_before_booking_and_says_so_beside_the_other_problems(clinic):
    office, cora = clinic
    case_id = make_case(office, CaseStatus.INTAKE)
    with transaction() as s:
        s.execute(update(Case).where(Case.id == case_id).values(scheduled_start=None))
    med_id = add_medication(case_id, "naproxen", actor=cora)

    assert refusals(
        save_medication,
        case_id,
        med_id,
        MedicationEntry(prescriber="Dr. Heart", cleared_on=today(), told=True),
        actor=cora,
    ) == [
        ("prescriber", messages.CLEARANCE_NOT_NEEDED.format(drug="naproxen")),
        ("told", messages.HOLD_NEEDS_BOOKING),
    ]


def test_a_row_saved_as_it_is_writes_nothing(clinic):
    office, cora = clinic
    case_id = make_case(office, CaseStatus.INTAKE)
    med_id = add_medication(case_id, "lisinopril", "10 mg", actor=cora)
    before, rows_before = version(case_id), len(audit_of(case_id))

    saved = save_medication(case_id, med_id, MedicationEntry(dose="10 mg"), actor=cora)

    assert not saved.changed
    assert version(case_id) == before and len(audit_of(case_id)) == rows_before


def test_a_medication_of_another_case_cannot_be_saved_through_this_one(clinic):
    office, cora = clinic
    mine, theirs = make_case(office, CaseStatus.INTAKE), make_case(office, CaseStatus.INTAKE)
    med_id = add_medication(theirs, "lisinopril", actor=cora)
    assert refusals(save_medication, mine, med_id, MedicationEntry(dose="1 mg"), actor=cora) == [
        ("medication", messages.MEDICATION_NOT_FOUND)
    ]


def test_a_blank_consult_request_is_refused_naming_every_field_and_creates_nothing(clinic):
    office, cora = clinic
    assert refusals(create_case, mrn="", office_id=None, channel=None, phone="555", actor=cora) == [
        ("mrn", messages.MRN_FORMAT),
        ("first_name", messages.PATIENT_NAME_REQUIRED),
        ("last_name", messages.PATIENT_NAME_REQUIRED),
        ("date_of_birth", messages.PATIENT_DOB_REQUIRED),
        ("phone", messages.PHONE_FORMAT),
        ("office", messages.OFFICE_REQUIRED),
        ("channel", messages.REQUEST_CHANNEL_REQUIRED),
    ]
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 0


def test_a_request_at_an_office_not_the_users_is_refused_with_the_forms_other_problems(clinic):
    office, cora = clinic
    other = make_office("BB", TZ)
    assert refusals(
        create_case,
        mrn="M100200",
        first_name="Ada",
        last_name="",
        date_of_birth=dt.date(1951, 4, 2),
        office_id=other,
        channel=RequestChannel.PHONE,
        actor=cora,
    ) == [
        ("last_name", messages.PATIENT_NAME_REQUIRED),
        ("office", messages.OFFICE_NOT_YOURS),
    ]


def test_the_assessment_is_refused_naming_every_value_out_of_range_and_nothing_changes(clinic):
    office, cora = clinic
    case_id = make_case(office, CaseStatus.INTAKE)
    before = version(case_id)
    assert [
        f
        for f, _ in refusals(
            save_assessment,
            case_id,
            asa_class=7,
            height_cm=260.0,
            weight_kg=20.0,
            baseline_nprs=11,
            walk_minutes=5,
            stand_minutes=700,
            works=None,
            actor=cora,
        )
    ] == ["asa_class", "height_cm", "weight_kg", "nprs", "stand_minutes"]
    assert version(case_id) == before


def test_a_row_saved_from_a_screen_drawn_before_a_colleagues_change_is_refused_not_written_over(
    clinic,
):
    """Nurse A's form still holds the old dose; nurse B changed it meanwhile: A's save is
    refused instead of writing the old dose back under her name."""
    office, cora = clinic
    case_id = booked_next_week(office)
    med_id = add_medication(case_id, "clopidogrel", dose="75 mg", actor=cora)
    drawn = version(case_id)
    colleague = make_user("nadia", Role.NURSE, [office])
    save_medication(case_id, med_id, MedicationEntry(dose="150 mg"), actor=colleague)

    refused = refusals(
        save_medication,
        case_id,
        med_id,
        MedicationEntry(dose="75 mg", told=True),
        actor=cora,
        expected_version=drawn,
    )

    assert refused == [("version", messages.CHANGED_BY_SOMEONE_ELSE)]
    assert the_medication(case_id).dose == "150 mg"
