"""The FHIR R4 export on both backends: a case taken through intake, the day and the next-day
call exports as one valid Bundle and is audited without patient data; an office's cases of a
range of its local days are one valid Bundle per NDJSON line, that office's only, the edges of
its days included; another office's user is refused; the command line writes the file."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

import manage
from db.models import AuditEvent, Case, FollowUp
from db.session import read_session, transaction
from mild import messages
from mild.days import at_local
from mild.discharge import DischargeScale
from mild.followup import CallAnswers, FollowUpKind, Incision
from mild.intake import Condition
from mild.scores import ODI_SECTIONS, VisitScores
from mild.staff import Role
from services.checklist import (
    complete_step,
    confirm_escort,
    discharge_patient,
    record_discharge_score,
)
from services.fhir_export import FHIR_EXPORTED, export_case, export_office
from services.followup import record_followup_call, record_outcome_visit
from tests.builders import (
    OPEN_AFTER_A_SHORT_DAY,
    add_condition,
    add_held_drug,
    book_levels,
    make_case,
    make_office,
    make_user,
    make_ward,
    refusal,
    to_incision,
)
from tests.support.fhir import check_bundle, codes, resources

NY = "America/New_York"
DAY = dt.date(2030, 3, 15)
PADSS_10 = {"vital_signs": 2, "walking": 2, "nausea_vomiting": 2, "pain": 2, "bleeding": 2}


def follow_up_id(case_id: int, kind: FollowUpKind) -> int:
    with read_session() as s:
        return s.scalar(
            select(FollowUp.id).where(FollowUp.case_id == case_id, FollowUp.kind == kind)
        )


def exported_code(case_id: int) -> str:
    with read_session() as s:
        return s.scalar(select(Case.code).where(Case.id == case_id))


def fhir_audits() -> list:
    """The export audit rows (entity, entity_id, office_id, actor_id, actor_name, detail)."""
    with read_session() as s:
        return s.execute(
            select(
                AuditEvent.entity,
                AuditEvent.entity_id,
                AuditEvent.office_id,
                AuditEvent.actor_id,
                AuditEvent.actor_name,
                AuditEvent.detail,
            ).where(AuditEvent.action == FHIR_EXPORTED)
        ).all()


@pytest.fixture
def treated(db_url):
    """A case as the demo has them: intake (baseline, flags, a held drug with its reported last
    dose, levels booked), the day through the services up to discharge with a PADSS score, the
    next-day call with a fever (escalated) and the 2-week visit. (office, nurse, case id)."""
    office, nurse, case_id = make_ward("NTH", NY)
    add_condition(case_id, Condition.SLEEP_APNEA, "CPAP nightly")
    add_condition(case_id, Condition.LATEX_ALLERGY)
    now = dt.datetime.now(dt.UTC)
    add_held_drug(
        case_id,
        "apixaban",
        name_given="Eliquis 5 mg",
        last_dose_taken_at=now - dt.timedelta(days=4),
    )
    book_levels(case_id, "L4-L5", "bilateral")
    with transaction() as s:
        case = s.get(Case, case_id)
        case.baseline_nprs, case.baseline_odi, case.baseline_walk_minutes = 7, 46.0, 10
    to_incision(case_id, nurse)
    complete_step(case_id, "levels_treated", actor=nurse, value="L4-L5")
    complete_step(case_id, "procedure_end", actor=nurse)
    complete_step(case_id, "recovery_in", actor=nurse)
    record_discharge_score(case_id, DischargeScale.PADSS, PADSS_10, actor=nurse)
    confirm_escort(case_id, "Ann Lee", "daughter", "5550100199", actor=nurse)
    discharge_patient(
        case_id,
        actor=nurse,
        open_steps_confirmed=[s for s in OPEN_AFTER_A_SHORT_DAY if s != "levels_treated"],
    )
    fever = CallAnswers(
        nprs=3,
        swelling=True,
        bruising=False,
        incision=Incision.DRY,
        meds_as_prescribed=True,
        temperature_c=38.6,
    )
    record_followup_call(follow_up_id(case_id, FollowUpKind.NEXT_DAY_CALL), fever, actor=nurse)
    record_outcome_visit(
        follow_up_id(case_id, FollowUpKind.WEEKS_2),
        VisitScores(nprs=2, odi_answers=dict.fromkeys(ODI_SECTIONS, 1), walk_minutes=30),
        actor=nurse,
    )
    return office, nurse, case_id


def test_a_treated_case_exports_as_one_valid_bundle_and_the_export_is_audited(treated):
    office, nurse, case_id = treated

    exported = export_case(case_id, actor=nurse)

    bundle = check_bundle(json.loads(exported.text))
    (patient,) = resources(bundle, "Patient")
    (procedure,) = resources(bundle, "Procedure")
    (statement,) = resources(bundle, "MedicationStatement")
    (flag,) = resources(bundle, "Flag")
    (call,) = resources(bundle, "QuestionnaireResponse")
    assert procedure["status"] == "completed"
    assert procedure["bodySite"][0]["text"] == "Lumbar spine, levels treated: L4-L5"
    assert statement["medicationCodeableConcept"] == {"text": "Eliquis 5 mg"}
    # Discharged: the drug restarted, so active, the last dose before the day in the notes.
    assert statement["status"] == "active" and "dateAsserted" in statement
    assert "effectivePeriod" not in statement
    assert any("Hold before the procedure" in n["text"] for n in statement["note"])
    assert [c["code"] for c in flag["code"]["coding"]] == ["fever"] and flag["status"] == "active"
    assert {i["linkId"] for i in call["item"]} >= {"pain", "temperature", "red_flags"}
    loinc = {c for o in resources(bundle, "Observation") for s, c in codes(o["code"])}
    assert {"72514-3", "97909-6", "discharge-score-padss"} <= loinc
    assert {r["resourceType"] for r in (e["resource"] for e in bundle["entry"])} == {
        "Patient",
        "Encounter",
        "Procedure",
        "Condition",
        "AllergyIntolerance",
        "MedicationStatement",
        "Observation",
        "QuestionnaireResponse",
        "Flag",
    }
    assert exported.filename == f"fhir-case-{exported_code(case_id)}.json"
    assert exported.resources == len(bundle["entry"])

    (row,) = fhir_audits()
    assert (row.entity, row.entity_id, row.office_id, row.actor_id) == (
        "case",
        case_id,
        office,
        nurse.id,
    )
    detail = json.loads(row.detail)
    assert detail["bundles"] == 1 and detail["resources"]["Observation"] >= 5
    assert patient["identifier"][0]["value"] not in row.detail  # no MRN, no name
    assert patient["name"][0]["family"] not in row.detail


def test_a_case_of_another_office_or_for_a_role_without_a_case_screen_is_refused(treated):
    office, _nurse, case_id = treated
    elsewhere = make_user("omar", Role.NURSE, [make_office("STH", NY)])
    coordinator = make_user("cora", Role.COORDINATOR, [office])

    assert refusal(export_case, case_id, actor=elsewhere) == ("case", messages.CASE_NOT_FOUND)
    assert refusal(export_case, case_id, actor=coordinator) == ("case", messages.FHIR_NOT_ALLOWED)
    assert fhir_audits() == []


@pytest.fixture
def office_days(db_url):
    """Cases at NTH (New York) around 15-16 March 2030, office time, and one at another office:
    returns (office id, the codes in range, in start order)."""
    office = make_office("NTH", NY)
    other = make_office("STH", "America/Los_Angeles")

    def booked(office_id: int, day: dt.date, hour: int, minute: int = 0) -> str:
        case_id = make_case(office_id, start=at_local(NY, day, dt.time(hour, minute)))
        return exported_code(case_id)

    one_day = dt.timedelta(days=1)
    booked(office, DAY - one_day, 23, 30)  # the 14th in New York (already the 15th in UTC)
    inside = [booked(office, DAY, 0, 30), booked(office, DAY + one_day, 23, 30)]
    booked(office, DAY + 2 * one_day, 0, 30)  # the 17th
    booked(other, DAY, 12)  # in range, but another office
    return office, inside


def test_an_offices_days_are_one_valid_bundle_per_line_of_its_cases_only(office_days):
    office, inside = office_days
    admin = make_user("root", Role.ADMIN, [office])

    exported = export_office(office, DAY, DAY + dt.timedelta(days=1), actor=admin)

    lines = exported.text.splitlines()
    assert exported.cases == len(lines) == 2
    bundles = [check_bundle(json.loads(line)) for line in lines]
    assert [resources(b, "Encounter")[0]["identifier"][0]["value"] for b in bundles] == inside
    assert exported.filename == "fhir-NTH-2030-03-15-2030-03-16.ndjson"
    (row,) = fhir_audits()
    detail = json.loads(row.detail)
    assert (row.entity, row.entity_id) == ("office", office)
    assert (detail["format"], detail["first"], detail["last"], detail["bundles"]) == (
        "ndjson",
        "2030-03-15",
        "2030-03-16",
        2,
    )


def test_an_offices_export_is_refused_elsewhere_for_a_nurse_and_for_a_bad_range(office_days):
    office, _ = office_days
    manager = make_user("mona", Role.MANAGER, [make_office("EST", NY)])
    nurse = make_user("nina", Role.NURSE, [office])
    mine = make_user("max", Role.MANAGER, [office])

    assert refusal(export_office, office, DAY, DAY, actor=manager) == (
        "office",
        messages.OFFICE_NOT_FOUND,
    )
    assert refusal(export_office, office, DAY, DAY, actor=nurse)[0] == "office"
    assert refusal(export_office, None, DAY, DAY, actor=mine) == (
        "office",
        messages.FHIR_OFFICE_REQUIRED,
    )
    assert refusal(export_office, office, DAY, DAY - dt.timedelta(days=1), actor=mine) == (
        "last",
        messages.FHIR_RANGE_BACKWARDS,
    )
    assert fhir_audits() == []
    assert export_office(office, DAY, DAY, actor=mine).cases == 1  # a manager of the office


def test_the_command_line_writes_the_ndjson_and_never_overwrites_unasked(
    office_days, tmp_path, capsys
):
    _office, inside = office_days
    out = tmp_path / "nth.ndjson"
    argv = ["export-fhir", "--office", "nth", "--from", "2030-03-15", "--to", "2030-03-16"]

    assert manage.main([*argv, "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == len(inside)
    assert "Wrote 2 case(s)" in capsys.readouterr().out
    (row,) = fhir_audits()
    assert row.actor_name.startswith("cli:")

    assert manage.main([*argv, "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert manage.main([*argv, "--out", str(out), "--force"]) == 0


def test_the_command_line_explains_bad_input_without_a_traceback(office_days, tmp_path, capsys):
    out = str(tmp_path / "x.ndjson")
    backwards = ["export-fhir", "--office", "NTH", "--from", "2030-03-16", "--to", "2030-03-15"]
    unknown = ["export-fhir", "--office", "ZZZ", "--from", "2030-03-15", "--to", "2030-03-15"]

    assert manage.main([*backwards, "--out", out]) == 2
    assert f"error: last: {messages.FHIR_RANGE_BACKWARDS}" in capsys.readouterr().err
    assert manage.main([*unknown, "--out", out]) == 2
    assert "ZZZ" in capsys.readouterr().err
    with pytest.raises(SystemExit) as bad_date:
        manage.main(["export-fhir", "--office", "NTH", "--from", "15/03/2030", "--to", "x"])
    assert bad_date.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert "Traceback" not in capsys.readouterr().err
    assert fhir_audits() == []
