"""The FHIR R4 export of a case (mild.fhir): the Bundle's shape, references that resolve inside
it, the LOINC, SNOMED CT and CPT codes, elements left out when nothing is recorded, nothing
invented, and every resource valid (tests/support/fhir.py: fhir.resources' R4B models)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from mild import fhir, messages
from mild.cases import CancelReason, CaseStatus
from mild.discharge import DischargeScale
from mild.errors import RuleViolation
from mild.followup import FollowUpKind, Incision, RedFlag
from mild.intake import Condition
from mild.staff import Role
from tests.builders import refusal
from tests.support.fhir import check_bundle, codes, references, resources

BASE = "https://fhir.example.org/mild"
NY = "America/New_York"
EXPORTED = dt.datetime(2030, 5, 1, 12, tzinfo=dt.UTC)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def bare_case(**changes) -> fhir.CaseSnapshot:
    """A case just requested: a patient and an office, nothing else recorded."""
    case = fhir.CaseSnapshot(
        code="T-00001",
        status=CaseStatus.REQUESTED,
        timezone=NY,
        office_name="North Office",
        patient=fhir.PatientFacts("T0000001", "Ana", "Lee", dt.date(1950, 1, 2)),
    )
    return dataclasses.replace(case, **changes)


CALL = fhir.FollowUpFacts(
    FollowUpKind.NEXT_DAY_CALL,
    completed_at=utc(2030, 3, 16, 14),
    nprs=3,
    swelling=True,
    bruising=False,
    incision=Incision.REDNESS,
    meds_as_prescribed=True,
    temperature_c=38.4,
    red_flags=(RedFlag.FEVER, RedFlag.WOUND),
    escalated_at=utc(2030, 3, 16, 14),
    escalation_note="Escalated to Dr. Ames: fever; wound",
)
VISIT = fhir.FollowUpFacts(
    FollowUpKind.WEEKS_2, completed_at=utc(2030, 3, 29, 15), nprs=2, odi=18.0, walk_minutes=40
)
APIXABAN = fhir.MedicationFacts(
    drug="apixaban",
    name_given="Eliquis 5 mg",
    stop_before_hours=72,
    restart_after_hours=24,
    last_dose_by=utc(2030, 3, 12, 11),
    last_dose_taken_at=utc(2030, 3, 12, 1),
    last_dose_reported_at=utc(2030, 3, 13, 15),
    last_dose_reported_via="pre_op_call",
    cleared_by="Dr. Cole",
    cleared_at=utc(2030, 3, 1, 14),
)


def full_case(**changes) -> fhir.CaseSnapshot:
    """A case in follow-up with everything the export carries recorded."""
    case = bare_case(
        status=CaseStatus.FOLLOW_UP,
        patient=fhir.PatientFacts("T0000001", "Ana", "Lee", dt.date(1950, 1, 2), "555-0100"),
        provider="Dr. Ames",
        scheduled_start=utc(2030, 3, 15, 11),
        checked_in_at=utc(2030, 3, 15, 10),
        procedure_started_at=utc(2030, 3, 15, 11, 5),
        procedure_ended_at=utc(2030, 3, 15, 11, 50),
        discharged_at=utc(2030, 3, 15, 14),
        planned_levels="L4-L5",
        planned_side="bilateral",
        levels_treated="L3-L4, L4-L5",
        anesthesia_type="Local with light sedation",
        imaging_modality="Fluoroscopy",
        baseline_nprs=7,
        baseline_odi=46.0,
        baseline_walk_minutes=10,
        conditions=(
            fhir.ConditionFacts(Condition.SLEEP_APNEA, "CPAP nightly"),
            fhir.ConditionFacts(Condition.HIGH_BMI),
            fhir.ConditionFacts(Condition.LATEX_ALLERGY),
        ),
        medications=(APIXABAN, fhir.MedicationFacts(drug="metformin", dose="500 mg")),
        discharge_score=fhir.ScoreFacts(
            10,
            utc(2030, 3, 15, 13, 40),
            DischargeScale.PADSS,
            {"vital_signs": 2, "walking": 2, "nausea_vomiting": 2, "pain": 2, "bleeding": 2},
        ),
        follow_ups=(CALL, VISIT),
    )
    return dataclasses.replace(case, **changes)


def bundle_of(case: fhir.CaseSnapshot) -> dict:
    return check_bundle(fhir.case_bundle(case, EXPORTED, BASE))


def observation(bundle: dict, code: str, note: str) -> dict:
    (found,) = [
        o
        for o in resources(bundle, "Observation")
        if code in {c for _, c in codes(o["code"])} and o["note"][0]["text"] == note
    ]
    return found


# --- Shape ---------------------------------------------------------------------------------------


def test_a_case_exports_as_one_valid_collection_bundle_of_every_recorded_kind():
    bundle = bundle_of(full_case())

    assert bundle["timestamp"] == "2030-05-01T12:00:00+00:00"
    assert fhir.resource_counts([bundle]) == {
        "AllergyIntolerance": 1,
        "Condition": 2,
        "Encounter": 1,
        "Flag": 2,  # fever and wound, one escalation
        "MedicationStatement": 2,
        # baseline NPRS, ODI, walking; call NPRS; visit NPRS, ODI, walking; discharge score
        "Observation": 8,
        "Patient": 1,
        "Procedure": 1,
        "QuestionnaireResponse": 1,
    }


def test_every_reference_resolves_to_an_entry_of_the_bundle():
    bundle = bundle_of(full_case())
    urls = {e["fullUrl"] for e in bundle["entry"]}
    (patient_url,) = [
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    (encounter,) = resources(bundle, "Encounter")

    assert set(references(bundle)) <= urls
    assert encounter["subject"] == {"reference": patient_url}
    assert all(r["subject"]["reference"] == patient_url for r in resources(bundle, "Observation"))
    (call_url,) = [
        e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    call_nprs = observation(bundle, "72514-3", FollowUpKind.NEXT_DAY_CALL.label)
    assert call_nprs["derivedFrom"] == [{"reference": call_url}]


def test_a_case_exported_twice_has_the_same_identities_and_a_patient_is_one_across_cases():
    first, again = bundle_of(full_case()), bundle_of(full_case())
    other = bundle_of(full_case(code="T-00002"))

    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in again["entry"]]
    assert first["entry"][0]["fullUrl"] == other["entry"][0]["fullUrl"]  # the same MRN
    assert first["entry"][1]["fullUrl"] != other["entry"][1]["fullUrl"]  # another encounter


# --- Codes ---------------------------------------------------------------------------------------


def test_nprs_and_odi_carry_their_loinc_codes_at_baseline_and_each_follow_up():
    bundle = bundle_of(full_case())

    baseline_nprs = observation(bundle, "72514-3", messages.FHIR_BASELINE)
    assert codes(baseline_nprs["code"]) == {("http://loinc.org", "72514-3")}
    assert baseline_nprs["valueInteger"] == 7
    visit_odi = observation(bundle, "97909-6", FollowUpKind.WEEKS_2.label)
    assert visit_odi["valueQuantity"] == {
        "value": 18.0,
        "unit": "%",
        "system": "http://unitsofmeasure.org",
        "code": "%",
    }
    assert visit_odi["effectiveDateTime"] == "2030-03-29T11:00:00-04:00"  # office time
    walking = observation(bundle, "walk-tolerance-minutes", messages.FHIR_BASELINE)
    assert codes(walking["code"]) == {(f"{BASE}/CodeSystem/observation", "walk-tolerance-minutes")}


def test_the_procedure_is_cpt_0275t_at_the_lumbar_spine_with_its_levels_for_lumbar_stenosis():
    (procedure,) = resources(bundle_of(full_case()), "Procedure")

    assert procedure["status"] == "completed"
    assert codes(procedure["code"]) == {("http://www.ama-assn.org/go/cpt", "0275T")}
    (site,) = procedure["bodySite"]
    assert codes(site) == {("http://snomed.info/sct", "122496007")}
    assert site["text"] == "Lumbar spine, levels treated: L3-L4, L4-L5"
    assert codes(procedure["reasonCode"][0]) == {("http://snomed.info/sct", "18347007")}
    assert procedure["performedPeriod"] == {
        "start": "2030-03-15T07:05:00-04:00",
        "end": "2030-03-15T07:50:00-04:00",
    }
    assert procedure["performer"] == [{"actor": {"display": "Dr. Ames"}}]
    assert procedure["note"] == [
        {"text": "Anesthesia: Local with light sedation"},
        {"text": "Imaging: Fluoroscopy"},
    ]


def test_the_booked_levels_and_side_stand_in_until_the_levels_treated_are_recorded():
    (procedure,) = resources(bundle_of(full_case(levels_treated=None)), "Procedure")
    assert procedure["bodySite"][0]["text"] == "Lumbar spine, levels booked: L4-L5, bilateral"


def test_comorbidities_are_conditions_coded_where_a_code_matches_and_allergies_are_allergies():
    bundle = bundle_of(full_case())
    apnea, bmi = resources(bundle, "Condition")
    (latex,) = resources(bundle, "AllergyIntolerance")
    flags = f"{BASE}/CodeSystem/intake-flag"

    assert codes(apnea["code"]) == {
        ("http://snomed.info/sct", "78275009"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "G47.33"),
        (flags, "sleep_apnea"),
    }
    assert apnea["note"] == [{"text": "CPAP nightly"}]
    assert codes(bmi["code"]) == {(flags, "high_bmi")}  # no single public code: not invented
    assert codes(latex["code"]) == {
        ("http://snomed.info/sct", "111088007"),
        (flags, "latex_allergy"),
    }


def test_every_intake_flag_and_case_status_has_its_row_in_the_tables():
    assert set(fhir.CONDITION_CODES) | set(fhir.ALLERGY_CODES) == set(Condition)
    assert set(fhir.ENCOUNTER_STATUS) == set(fhir.PROCEDURE_STATUS) == set(CaseStatus)


# --- Medications, the call, the red flags, the discharge score -----------------------------------


def test_a_held_drug_carries_its_hold_the_latest_last_dose_and_the_reported_last_dose():
    held, plain = resources(bundle_of(full_case()), "MedicationStatement")

    # Discharged: restarted after the procedure, so active; the last dose before the day is
    # told in the notes, never as the end of the medication.
    assert held["status"] == "active" and "effectivePeriod" not in held
    assert held["medicationCodeableConcept"] == {"text": "Eliquis 5 mg"}  # as given
    assert held["dateAsserted"] == "2030-03-13T11:00:00-04:00"  # when it was charted
    notes = [n["text"] for n in held["note"]]
    assert notes == [
        "Hold table row: apixaban.",
        "Hold before the procedure: stop 72 h (3 days) before.",
        "Last dose no later than Tue 12 Mar 2030 07:00 EDT.",
        "After the procedure: restart 24 h after the procedure.",
        "Stop agreed with the prescriber: Dr. Cole, Fri 01 Mar 2030 09:00 EST.",
        "Last dose as the patient reported it at the pre-op call: Mon 11 Mar 2030 21:00 EDT.",
    ]
    assert plain["dosage"] == [{"text": "500 mg"}]
    assert {"effectivePeriod", "dateAsserted", "note"}.isdisjoint(plain)


def test_a_held_drug_before_discharge_is_on_hold_from_the_reported_last_dose():
    before = full_case(status=CaseStatus.SCHEDULED, discharged_at=None)
    held, plain = resources(bundle_of(before), "MedicationStatement")

    assert held["status"] == "on-hold"  # FHIR R4: temporarily halted, expected to continue
    assert held["effectivePeriod"] == {"end": "2030-03-11T21:00:00-04:00"}  # reported last dose
    assert plain["status"] == "active"


def test_the_next_day_call_is_a_completed_questionnaire_response_with_its_answers():
    (call,) = resources(bundle_of(full_case()), "QuestionnaireResponse")
    answers = {i["linkId"]: i["answer"] for i in call["item"]}

    assert call["status"] == "completed" and call["authored"] == "2030-03-16T10:00:00-04:00"
    assert call["questionnaire"] == f"{BASE}/Questionnaire/next-day-call"
    assert answers["pain"] == [{"valueInteger": 3}]
    assert answers["temperature"][0]["valueQuantity"]["value"] == 38.4
    assert answers["swelling"] == [{"valueBoolean": True}]
    assert answers["bruising"] == [{"valueBoolean": False}]  # a "no" is an answer, kept
    assert answers["incision"][0]["valueCoding"]["code"] == "redness"
    assert answers["any_red_flag"] == [{"valueBoolean": True}]
    assert [a["valueCoding"]["code"] for a in answers["red_flags"]] == ["fever", "wound"]
    assert "work" not in answers and "notes" not in answers  # not recorded: left out


def test_each_red_flag_of_an_escalation_is_a_flag_active_until_the_escalation_is_resolved():
    open_flags = resources(bundle_of(full_case()), "Flag")
    resolved_call = dataclasses.replace(
        CALL, escalation_resolved_at=utc(2030, 3, 16, 16), resolution_note="Seen in clinic"
    )
    resolved = resources(bundle_of(full_case(follow_ups=(resolved_call,))), "Flag")

    assert [(f["status"], f["code"]["text"]) for f in open_flags] == [
        ("active", RedFlag.FEVER.label),
        ("active", RedFlag.WOUND.label),
    ]
    assert open_flags[0]["period"] == {"start": "2030-03-16T10:00:00-04:00"}
    assert {f["status"] for f in resolved} == {"inactive"}
    assert resolved[0]["period"]["end"] == "2030-03-16T12:00:00-04:00"


def test_the_discharge_score_keeps_its_scale_its_items_and_the_pass_mark():
    (score,) = [
        o
        for o in resources(bundle_of(full_case()), "Observation")
        if ("https://fhir.example.org/mild/CodeSystem/observation", "discharge-score-padss")
        in codes(o["code"])
    ]

    assert score["valueInteger"] == 10
    assert score["code"]["text"] == DischargeScale.PADSS.version
    assert score["effectiveDateTime"] == "2030-03-15T09:40:00-04:00"
    assert len(score["component"]) == 5
    assert score["referenceRange"][0]["low"] == {"value": 9}


# --- Nothing invented ----------------------------------------------------------------------------


def test_a_case_with_nothing_recorded_is_a_patient_a_planned_encounter_and_a_procedure():
    bundle = bundle_of(bare_case())
    patient, encounter, procedure = (e["resource"] for e in bundle["entry"])

    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [
        "Patient",
        "Encounter",
        "Procedure",
    ]
    assert {"telecom", "gender"}.isdisjoint(patient)
    assert encounter["status"] == "planned" and "period" not in encounter
    assert "participant" not in encounter
    assert procedure["status"] == "preparation"
    assert {"performedPeriod", "performer", "note", "statusReason"}.isdisjoint(procedure)
    assert "text" not in procedure["bodySite"][0]  # no levels booked yet


def test_a_baseline_has_no_time_because_intake_does_not_record_one():
    bundle = bundle_of(bare_case(baseline_nprs=6))
    (baseline,) = resources(bundle, "Observation")
    assert "effectiveDateTime" not in baseline and baseline["valueInteger"] == 6


def test_a_call_not_reached_gives_no_answers_and_a_score_without_its_form_keeps_only_its_total():
    unreached = fhir.FollowUpFacts(FollowUpKind.NEXT_DAY_CALL, utc(2030, 3, 17), reached=False)
    bundle = bundle_of(
        full_case(follow_ups=(unreached,), discharge_score=fhir.ScoreFacts(9, utc(2030, 3, 15, 13)))
    )

    assert resources(bundle, "QuestionnaireResponse") == []
    assert resources(bundle, "Flag") == []
    (score,) = [o for o in resources(bundle, "Observation") if "encounter" in o]
    assert score["valueInteger"] == 9 and "component" not in score


def test_a_cancelled_case_is_a_cancelled_encounter_and_a_procedure_not_done_with_the_reason():
    bundle = bundle_of(
        bare_case(status=CaseStatus.CANCELLED, cancellation_reason=CancelReason.NO_ESCORT)
    )
    (encounter,) = resources(bundle, "Encounter")
    (procedure,) = resources(bundle, "Procedure")

    assert encounter["status"] == "cancelled"
    assert procedure["status"] == "not-done"
    assert procedure["statusReason"]["coding"][0]["code"] == "no_escort"


@pytest.mark.parametrize(
    ("status", "encounter", "procedure"),
    [
        (CaseStatus.SCHEDULED, "planned", "preparation"),
        (CaseStatus.CHECKED_IN, "arrived", "preparation"),
        (CaseStatus.IN_PROCEDURE, "in-progress", "in-progress"),
        (CaseStatus.RECOVERY, "in-progress", "completed"),
        (CaseStatus.CLOSED, "finished", "completed"),
    ],
)
def test_the_case_status_sets_the_encounter_and_procedure_status(status, encounter, procedure):
    bundle = bundle_of(bare_case(status=status))
    assert resources(bundle, "Encounter")[0]["status"] == encounter
    assert resources(bundle, "Procedure")[0]["status"] == procedure


# --- Files, the practice's address, who and which days -------------------------------------------


def test_ndjson_is_one_bundle_per_line_and_the_case_file_is_the_bundle():
    bundles = [fhir.case_bundle(full_case(code=f"T-0000{n}"), EXPORTED, BASE) for n in (1, 2)]
    lines = fhir.ndjson(bundles).splitlines()

    assert [json.loads(line) for line in lines] == bundles
    assert json.loads(fhir.bundle_json(bundles[0])) == bundles[0]
    assert fhir.ndjson([]) == ""


def test_the_practice_address_comes_from_the_environment_and_must_be_a_uri():
    assert fhir.practice_base({}) == fhir.DEFAULT_BASE
    assert fhir.practice_base({fhir.BASE_ENV: "urn:oid:1.2.3/ "}) == "urn:oid:1.2.3"
    assert fhir.practice_base({fhir.BASE_ENV: "https://ehr.example.net/"}) == (
        "https://ehr.example.net"
    )
    assert refusal(fhir.practice_base, {fhir.BASE_ENV: "not a uri"})[0] == "fhir"


def test_an_export_range_needs_both_days_in_order_and_a_year_at_most():
    day = dt.date(2030, 3, 1)
    assert fhir.check_range(day, day) == (day, day)
    assert refusal(fhir.check_range, None, day) == ("first", messages.FHIR_RANGE_REQUIRED)
    assert refusal(fhir.check_range, day, None) == ("last", messages.FHIR_RANGE_REQUIRED)
    assert refusal(fhir.check_range, day, day - dt.timedelta(days=1)) == (
        "last",
        messages.FHIR_RANGE_BACKWARDS,
    )
    assert refusal(fhir.check_range, day, day + dt.timedelta(days=366))[0] == "last"
    assert fhir.check_range(day, day + dt.timedelta(days=365))


def test_cases_are_exported_by_the_roles_that_open_a_case_and_offices_by_admins_and_managers():
    fhir.check_case_exporter(Role.NURSE)
    fhir.check_case_exporter(Role.ADMIN)
    fhir.check_office_exporter(Role.MANAGER)
    with pytest.raises(RuleViolation):
        fhir.check_case_exporter(Role.COORDINATOR)
    with pytest.raises(RuleViolation):
        fhir.check_office_exporter(Role.NURSE)
