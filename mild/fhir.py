"""A case as a FHIR R4 Bundle (type "collection") of plain dicts, built from a snapshot of what
is recorded: Patient, Encounter (the procedure day), Procedure, Condition (comorbidities),
AllergyIntolerance (the allergy flags), MedicationStatement (with the hold and the reported last
dose), Observation (NPRS, ODI, walking and standing tolerance at baseline and each follow-up; the
discharge score), QuestionnaireResponse (the next-day call) and Flag (each red flag escalated).

Nothing is guessed: an element with no recorded value is left out. Every code keeps its source
beside it. Times are given at the office's UTC offset. Resources are referenced by urn:uuid
fullUrls made from the case code (the patient's from the MRN), so exporting a case again gives
the same identities and a patient with two cases is one Patient across files.

"collection" rather than "transaction": the receiving EHR decides how to match and store what it
is sent (by MRN and case code); a transaction would also need a request per entry and a FHIR
server at the other end.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from mild import messages
from mild.cases import FHIR_PROCEDURE_STATUS, CancelReason, CaseStatus
from mild.days import to_local
from mild.discharge import DISCHARGE_COMPONENTS, DISCHARGE_SCORE_PASS, DischargeScale
from mild.errors import RuleViolation
from mild.followup import FollowUpKind, Incision, RedFlag
from mild.glp1 import Glp1Decision
from mild.hold_rules import from_hours
from mild.intake import ALLERGIES, CONDITION_LABELS, Condition
from mild.medications import restart_text, stop_text
from mild.staff import Role, Screen, may_open

Resource = dict[str, Any]

FHIR_VERSION = "4.0.1"  # R4; the tests validate with fhir.resources' R4B models (see README)

# --- Where the practice's own identifiers and codes live ---------------------------------------

BASE_ENV = "MILD_FHIR_BASE"
# A placeholder: each practice sets its own address (the assigning authority of its MRNs).
DEFAULT_BASE = "https://mild.example.org/fhir"
_BASE_RE = re.compile(r"(https?://|urn:)[^\s|#]+")


def practice_base(environ: Mapping[str, str]) -> str:
    """The address under which the practice's identifier systems and local codes are named
    (MILD_FHIR_BASE, or the placeholder default); refused when it cannot be a URI."""
    value = (environ.get(BASE_ENV) or DEFAULT_BASE).strip().rstrip("/")
    if not _BASE_RE.fullmatch(value):
        raise RuleViolation("fhir", messages.FHIR_BASE_INVALID.format(env=BASE_ENV))
    return value


# --- Code systems and the codes used, each with its source -------------------------------------

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
UCUM = "http://unitsofmeasure.org"
HL7 = "http://terminology.hl7.org/CodeSystem/"
# The practice's own code systems and identifier systems: relative to practice_base().
LOCAL_INTAKE_FLAG = "CodeSystem/intake-flag"  # mild.intake.Condition values
LOCAL_OBSERVATION = "CodeSystem/observation"  # measures no public code system names
LOCAL_RED_FLAG = "CodeSystem/red-flag"  # mild.followup.RedFlag values
LOCAL_INCISION = "CodeSystem/incision"  # mild.followup.Incision values
LOCAL_CANCEL_REASON = "CodeSystem/cancel-reason"  # mild.cases.CancelReason values
MRN_SYSTEM = "sid/mrn"
CASE_SYSTEM = "sid/case-code"
OBSERVATION_SYSTEM = "sid/observation"
NEXT_DAY_CALL_FORM = "Questionnaire/next-day-call"


@dataclass(frozen=True)
class Code:
    """One code of a code system; a relative `system` is one of the practice's own."""

    system: str
    code: str
    display: str | None = None

    def coding(self, base: str) -> Resource:
        system = self.system if ":" in self.system else f"{base}/{self.system}"
        return _clean({"system": system, "code": self.code, "display": self.display})


# LOINC 72514-3 "Pain severity - 0-10 verbal numeric rating [Score] - Reported" (loinc.org/72514-3).
NPRS = Code(LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
# LOINC 97909-6 "Oswestry disability index score ODI" (loinc.org/97909-6, since LOINC 2.70; in the
# panel 97908-8 "Oswestry Disability Index"): the total as a percentage, as mild.scores computes it.
ODI = Code(LOINC, "97909-6", "Oswestry disability index score ODI")
# No public code names walking or standing tolerance in minutes, or the modified Aldrete or
# modified PADSS total as this practice scores it: the practice's own codes, with the scale and
# its version in the text.
WALK_MINUTES = Code(LOCAL_OBSERVATION, "walk-tolerance-minutes", messages.FHIR_WALK_MINUTES)
STAND_MINUTES = Code(LOCAL_OBSERVATION, "stand-tolerance-minutes", messages.FHIR_STAND_MINUTES)
# CPT 0275T (AMA, Category III): percutaneous laminotomy/laminectomy (interlaminar approach) for
# decompression of neural elements under indirect image guidance, lumbar: the code CMS names for
# PILD (NCD 150.13). It names the procedure done; which code a claim carries (G0276 in a blinded,
# placebo-controlled study) is the billing system's, not this export's. CPT descriptors are the
# AMA's: the text says what was done in our words.
PILD = Code(CPT, "0275T")
# SNOMED CT 18347007 |Spinal stenosis of lumbar region (disorder)|: what MILD is done for (the
# procedure's indication by definition: DOMAIN.md, "The procedure").
LUMBAR_STENOSIS = Code(SNOMED, "18347007", "Spinal stenosis of lumbar region")
# SNOMED CT 122496007 |Lumbar spine structure (body structure)|.
LUMBAR_SPINE = Code(SNOMED, "122496007", "Lumbar spine structure")
# HL7 v2 table 0203 "MR": the identifier type of a medical record number.
MRN_TYPE = Code(HL7 + "v2-0203", "MR", "Medical record number")
# HL7 v3 ActCode "AMB": an ambulatory encounter (MILD is a same-day procedure).
AMBULATORY = Code(HL7 + "v3-ActCode", "AMB", "ambulatory")
SURVEY = Code(HL7 + "observation-category", "survey", "Survey")
EXAM = Code(HL7 + "observation-category", "exam", "Exam")
PROBLEM_LIST = Code(HL7 + "condition-category", "problem-list-item", "Problem List Item")
CLINICAL_FLAG = Code(HL7 + "flag-category", "clinical", "Clinical")


def _active(system: str) -> Code:
    return Code(HL7 + system, "active", "Active")


# What each intake flag is in SNOMED CT (and ICD-10-CM where one code says exactly the same).
# A flag that no single code matches keeps only the practice's own code and its words: a
# pacemaker, a defibrillator or another device (the device clearance records which); "BMI over
# 35" (ICD-10-CM Z68.35-Z68.45 each name one BMI band); a possible pregnancy; anxiety or
# claustrophobia. Diabetes has no ICD-10-CM code here: its type is not recorded.
CONDITION_CODES: dict[Condition, tuple[Code, ...]] = {
    Condition.HEART_DISEASE: (Code(SNOMED, "56265001", "Heart disease"),),
    Condition.IMPLANTED_DEVICE: (),
    Condition.DIABETES: (Code(SNOMED, "73211009", "Diabetes mellitus"),),
    Condition.SLEEP_APNEA: (
        Code(SNOMED, "78275009", "Obstructive sleep apnea syndrome"),
        Code(ICD10CM, "G47.33", "Obstructive sleep apnea (adult) (pediatric)"),
    ),
    Condition.KIDNEY_DISEASE: (Code(SNOMED, "90708001", "Kidney disease"),),
    Condition.BLEEDING_DISORDER: (Code(SNOMED, "64779008", "Blood coagulation disorder"),),
    Condition.HIGH_BMI: (),
    Condition.PREGNANCY_POSSIBLE: (),
    Condition.ACTIVE_INFECTION: (Code(SNOMED, "40733004", "Infectious disease"),),
    Condition.ANXIETY_CLAUSTROPHOBIA: (),
}
# The allergy flags as AllergyIntolerance, coded by substance where one code is certain: SNOMED
# CT 111088007 |Latex (substance)|. Iodinated contrast has several SNOMED substance concepts
# (by agent); the flag does not say which, so its words alone. "Other allergy" names no substance.
ALLERGY_CODES: dict[Condition, tuple[Code, ...]] = {
    Condition.CONTRAST_ALLERGY: (),
    Condition.LATEX_ALLERGY: (Code(SNOMED, "111088007", "Latex"),),
    Condition.OTHER_ALLERGY: (),
}

# FHIR Encounter.status for each case status (Procedure.status: mild.cases).
ENCOUNTER_STATUS: dict[CaseStatus, str] = {
    CaseStatus.REQUESTED: "planned",
    CaseStatus.INTAKE: "planned",
    CaseStatus.SCHEDULED: "planned",
    CaseStatus.CHECKED_IN: "arrived",
    CaseStatus.IN_PROCEDURE: "in-progress",
    CaseStatus.RECOVERY: "in-progress",
    CaseStatus.DISCHARGED: "finished",
    CaseStatus.FOLLOW_UP: "finished",
    CaseStatus.CLOSED: "finished",
    CaseStatus.CANCELLED: "cancelled",
}
PROCEDURE_STATUS = FHIR_PROCEDURE_STATUS  # mild.cases keeps the mapping


# --- The snapshot of a case the Bundle is built from ---------------------------------------------


@dataclass(frozen=True)
class PatientFacts:
    mrn: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    phone: str | None = None


@dataclass(frozen=True)
class MedicationFacts:
    """One drug as intake recorded it, with the hold copied from its hold-table row."""

    drug: str  # the hold table's name for it (or the name as typed, when unplaced)
    name_given: str | None = None  # as the patient or referral gave it: "Eliquis 5 mg"
    dose: str | None = None
    stop_before_hours: int | None = None
    skip_on_day: bool = False
    restart_after_hours: int | None = None
    restart_instruction: str = ""  # the hold table row's instruction (a restart sentence)
    last_dose_by: dt.datetime | None = None
    last_dose_taken_at: dt.datetime | None = None
    last_dose_reported_at: dt.datetime | None = None
    last_dose_reported_via: str | None = None
    needs_review: bool = False
    cleared_by: str | None = None
    cleared_at: dt.datetime | None = None
    glp1_decision: str | None = None


@dataclass(frozen=True)
class ConditionFacts:
    condition: Condition
    details: str | None = None


@dataclass(frozen=True)
class ScoreFacts:
    """The discharge score in force: the total, when it was charted, and, where the score form
    recorded them, the scale and each item's points."""

    total: int
    at: dt.datetime
    scale: DischargeScale | None = None
    items: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FollowUpFacts:
    """One completed follow-up: the next-day call's answers or a visit's scores, and the
    escalation its red flags raised."""

    kind: FollowUpKind
    completed_at: dt.datetime
    reached: bool = True
    nprs: int | None = None
    odi: float | None = None
    walk_minutes: int | None = None
    stand_minutes: int | None = None
    swelling: bool | None = None
    bruising: bool | None = None
    incision: Incision | None = None
    meds_as_prescribed: bool | None = None
    returned_to_work_on: dt.date | None = None
    temperature_c: float | None = None
    red_flags: tuple[RedFlag, ...] = ()
    notes: str | None = None
    escalated_at: dt.datetime | None = None
    escalation_note: str | None = None
    escalation_resolved_at: dt.datetime | None = None
    resolution_note: str | None = None


@dataclass(frozen=True)
class CaseSnapshot:
    code: str
    status: CaseStatus
    timezone: str
    office_name: str
    patient: PatientFacts
    provider: str | None = None
    scheduled_start: dt.datetime | None = None
    checked_in_at: dt.datetime | None = None
    procedure_started_at: dt.datetime | None = None
    procedure_ended_at: dt.datetime | None = None
    discharged_at: dt.datetime | None = None
    cancellation_reason: CancelReason | None = None
    cancellation_note: str | None = None
    planned_levels: str | None = None
    planned_side: str | None = None
    levels_treated: str | None = None
    anesthesia_type: str | None = None
    imaging_modality: str | None = None
    baseline_nprs: int | None = None
    baseline_odi: float | None = None
    baseline_walk_minutes: int | None = None
    baseline_stand_minutes: int | None = None
    conditions: tuple[ConditionFacts, ...] = ()
    medications: tuple[MedicationFacts, ...] = ()
    discharge_score: ScoreFacts | None = None
    follow_ups: tuple[FollowUpFacts, ...] = ()


# --- Who may export, and which days ------------------------------------------------------------

# A case is exported from the screens that show one (checklist, follow-up); an office's days by
# those who answer for the offices (admins; managers).
CASE_EXPORT_SCREENS: tuple[Screen, ...] = (Screen.CHECKLIST, Screen.FOLLOW_UP)
OFFICE_EXPORTERS: frozenset[Role] = frozenset({Role.ADMIN, Role.MANAGER})
MAX_RANGE_DAYS = 366  # one file holds a year at most: the export is built in memory


def check_case_exporter(role: Role) -> None:
    if not any(may_open(role, screen) for screen in CASE_EXPORT_SCREENS):
        raise RuleViolation("case", messages.FHIR_NOT_ALLOWED)


def check_office_exporter(role: Role) -> None:
    if role not in OFFICE_EXPORTERS:
        raise RuleViolation("office", messages.FHIR_NOT_ALLOWED)


def check_range(first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    """The first and last office-local day of an export, both given, in order, a year at most."""
    if first is None:
        raise RuleViolation("first", messages.FHIR_RANGE_REQUIRED)
    if last is None:
        raise RuleViolation("last", messages.FHIR_RANGE_REQUIRED)
    if last < first:
        raise RuleViolation("last", messages.FHIR_RANGE_BACKWARDS)
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise RuleViolation("last", messages.FHIR_RANGE_TOO_LONG.format(days=MAX_RANGE_DAYS))
    return first, last


# --- Building the Bundle -------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """The value without the elements that hold nothing (None, "", [], {}): FHIR forbids empty
    elements, and an unrecorded fact is left out rather than filled in. False and 0 stay."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_clean(v) for v in value) if v not in (None, "", [], {})]
    return value


def _concept(codes: Iterable[Code], base: str, text: str | None = None) -> Resource:
    return _clean({"coding": [c.coding(base) for c in codes], "text": text})


class _Case:
    """What every resource of one case needs: the snapshot, the base, the identities."""

    def __init__(self, case: CaseSnapshot, base: str) -> None:
        self.case = case
        self.base = base

    def url(self, key: str) -> str:
        name = f"{self.base}/case/{self.case.code}/{key}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"

    @property
    def patient_url(self) -> str:
        mrn = f"{self.base}/{MRN_SYSTEM}/{self.case.patient.mrn}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, mrn)}"

    def ref(self, key: str) -> Resource:
        return {"reference": self.patient_url if key == "patient" else self.url(key)}

    def moment(self, at: dt.datetime | None) -> str | None:
        """A FHIR dateTime at the office's offset, to the second."""
        if at is None:
            return None
        return to_local(self.case.timezone, at).replace(microsecond=0).isoformat()

    def words(self, at: dt.datetime) -> str:
        """A moment inside a sentence, in the office's time: 'Tue 12 Mar 2030 08:00 EDT'."""
        return f"{to_local(self.case.timezone, at):%a %d %b %Y %H:%M %Z}"

    def local(self, system: str) -> str:
        return f"{self.base}/{system}"


def case_bundle(case: CaseSnapshot, exported_at: dt.datetime, base: str) -> Resource:
    """The case as one FHIR R4 Bundle of type collection (plain dicts, ready for JSON)."""
    c = _Case(case, base)
    entries: list[tuple[str, Resource]] = [
        (c.patient_url, _patient(c)),
        (c.url("encounter"), _encounter(c)),
        (c.url("procedure"), _procedure(c)),
        *_conditions(c),
        *_allergies(c),
        *_medications(c),
        *_calls(c),
        *_observations(c),
        *_flags(c),
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": exported_at.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
        "entry": [{"fullUrl": url, "resource": _clean(resource)} for url, resource in entries],
    }


def _patient(c: _Case) -> Resource:
    p = c.case.patient
    return {
        "resourceType": "Patient",
        "identifier": [
            {
                "use": "usual",
                "type": _concept([MRN_TYPE], c.base),
                "system": c.local(MRN_SYSTEM),
                "value": p.mrn,
            }
        ],
        "name": [{"family": p.last_name, "given": [p.first_name]}],
        "telecom": [{"system": "phone", "value": p.phone}] if p.phone else [],
        "birthDate": p.date_of_birth.isoformat(),
    }


def _case_identifier(c: _Case) -> list[Resource]:
    return [{"system": c.local(CASE_SYSTEM), "value": c.case.code}]


def _encounter(c: _Case) -> Resource:
    case = c.case
    return {
        "resourceType": "Encounter",
        "identifier": _case_identifier(c),
        "status": ENCOUNTER_STATUS[case.status],
        "class": AMBULATORY.coding(c.base),
        "subject": c.ref("patient"),
        "participant": [{"individual": {"display": case.provider}}] if case.provider else [],
        "period": {"start": c.moment(case.checked_in_at), "end": c.moment(case.discharged_at)},
        "serviceProvider": {"display": case.office_name},
    }


def _levels_text(case: CaseSnapshot) -> str | None:
    if case.levels_treated:
        return messages.FHIR_BODY_SITE_TREATED.format(levels=case.levels_treated)
    booked = ", ".join(p for p in (case.planned_levels, case.planned_side) if p)
    return messages.FHIR_BODY_SITE_BOOKED.format(levels=booked) if booked else None


def _said(template: str, value: str | None) -> str | None:
    """`template` with the recorded value in it; None (left out) when nothing is recorded."""
    return template.format(value) if value else None


def _procedure(c: _Case) -> Resource:
    case = c.case
    reason = case.cancellation_reason
    notes = [
        _said(messages.FHIR_ANESTHESIA, case.anesthesia_type),
        _said(messages.FHIR_IMAGING, case.imaging_modality),
        case.cancellation_note,
    ]
    return {
        "resourceType": "Procedure",
        "identifier": _case_identifier(c),
        "status": PROCEDURE_STATUS[case.status],
        "statusReason": _concept(
            [Code(LOCAL_CANCEL_REASON, reason.value, reason.label)],
            c.base,
            messages.FHIR_CANCELLED.format(reason=reason.label),
        )
        if reason
        else None,
        "code": _concept([PILD], c.base, messages.FHIR_PROCEDURE_TEXT),
        "subject": c.ref("patient"),
        "encounter": c.ref("encounter"),
        "performedPeriod": {
            "start": c.moment(case.procedure_started_at),
            "end": c.moment(case.procedure_ended_at),
        },
        "performer": [{"actor": {"display": case.provider}}] if case.provider else [],
        "reasonCode": [_concept([LUMBAR_STENOSIS], c.base, messages.FHIR_INDICATION_TEXT)],
        "bodySite": [_concept([LUMBAR_SPINE], c.base, _levels_text(case))],
        "note": [{"text": n} for n in notes if n],
    }


def _flag_code(condition: Condition) -> Code:
    return Code(LOCAL_INTAKE_FLAG, condition.value, CONDITION_LABELS[condition])


def _conditions(c: _Case) -> Iterator[tuple[str, Resource]]:
    for facts in c.case.conditions:
        if facts.condition in ALLERGIES:
            continue
        codes = (*CONDITION_CODES[facts.condition], _flag_code(facts.condition))
        yield (
            c.url(f"condition/{facts.condition.value}"),
            {
                "resourceType": "Condition",
                # Flagged at intake as what the patient has: active on the problem list.
                "clinicalStatus": _concept([_active("condition-clinical")], c.base),
                "category": [_concept([PROBLEM_LIST], c.base)],
                "code": _concept(codes, c.base, CONDITION_LABELS[facts.condition]),
                "subject": c.ref("patient"),
                "encounter": c.ref("encounter"),
                "note": [{"text": facts.details}] if facts.details else [],
            },
        )


def _allergies(c: _Case) -> Iterator[tuple[str, Resource]]:
    for facts in c.case.conditions:
        if facts.condition not in ALLERGIES:
            continue
        codes = (*ALLERGY_CODES[facts.condition], _flag_code(facts.condition))
        yield (
            c.url(f"allergy/{facts.condition.value}"),
            {
                "resourceType": "AllergyIntolerance",
                "clinicalStatus": _concept([_active("allergyintolerance-clinical")], c.base),
                "code": _concept(codes, c.base, CONDITION_LABELS[facts.condition]),
                "patient": c.ref("patient"),
                "encounter": c.ref("encounter"),
                "note": [{"text": facts.details}] if facts.details else [],
            },
        )


def _medication_notes(c: _Case, med: MedicationFacts) -> list[str]:
    notes = []
    given = med.name_given or med.drug
    if med.needs_review:
        notes.append(messages.FHIR_MED_REVIEW)
    elif med.drug != given:
        notes.append(messages.FHIR_MED_TABLE_ROW.format(drug=med.drug))
    if med.stop_before_hours is not None or med.skip_on_day:
        stop = stop_text(from_hours(med.stop_before_hours), med.skip_on_day)
        notes.append(messages.FHIR_MED_HOLD.format(stop=stop))
    if med.last_dose_by is not None:
        notes.append(messages.FHIR_MED_LAST_DOSE_BY.format(when=c.words(med.last_dose_by)))
    if restart := restart_text(from_hours(med.restart_after_hours), med.restart_instruction):
        notes.append(messages.FHIR_MED_RESTART.format(restart=restart))
    if med.cleared_by:
        who = f"{med.cleared_by}, {c.words(med.cleared_at)}" if med.cleared_at else med.cleared_by
        notes.append(messages.FHIR_MED_CLEARED.format(who=who))
    if med.glp1_decision:
        decision = Glp1Decision(med.glp1_decision).label
        notes.append(messages.FHIR_MED_GLP1.format(decision=decision))
    if med.last_dose_taken_at is not None:
        via = messages.REPORTED_VIA_LABELS.get(med.last_dose_reported_via or "")
        reported = messages.FHIR_MED_REPORTED_VIA if via else messages.FHIR_MED_REPORTED
        notes.append(reported.format(via=via, when=c.words(med.last_dose_taken_at)))
    return notes


def on_hold(med, discharged_at: dt.datetime | None) -> bool:
    """A drug held for the procedure (a stop before the day, or no dose on it) whose last dose
    the patient reported, before discharge: paused, to be taken again (FHIR R4
    MedicationStatement.status "on-hold": temporarily halted, expected to continue)."""
    held = med.stop_before_hours is not None or med.skip_on_day
    return held and med.last_dose_taken_at is not None and discharged_at is None


def _medications(c: _Case) -> Iterator[tuple[str, Resource]]:
    for n, med in enumerate(c.case.medications, start=1):
        paused = on_hold(med, c.case.discharged_at)
        yield (
            c.url(f"medication/{n}"),
            {
                "resourceType": "MedicationStatement",
                # The drug the patient takes, as intake recorded it: on hold from the last dose
                # before the day until its restart after discharge (the hold in the notes);
                # active otherwise, never "stopped".
                "status": "on-hold" if paused else "active",
                "medicationCodeableConcept": {"text": med.name_given or med.drug},
                "subject": c.ref("patient"),
                "context": c.ref("encounter"),
                # While on hold the period taken ends at the last dose the patient reported;
                # after the restart the last dose before the day is told in the notes only.
                "effectivePeriod": {"end": c.moment(med.last_dose_taken_at)} if paused else None,
                "dateAsserted": c.moment(med.last_dose_reported_at),
                "dosage": [{"text": med.dose}] if med.dose else [],
                "note": [{"text": t} for t in _medication_notes(c, med)],
            },
        )


# --- Observations: baseline, follow-ups, the discharge score -------------------------------------


@dataclass(frozen=True)
class _Measure:
    key: str
    code: Code
    text: str
    unit: str | None  # a UCUM unit for a quantity; None for a whole-number score


MEASURES: tuple[_Measure, ...] = (
    _Measure("nprs", NPRS, messages.FHIR_NPRS, None),
    _Measure("odi", ODI, messages.FHIR_ODI, "%"),
    _Measure("walk_minutes", WALK_MINUTES, messages.FHIR_WALK_MINUTES, "min"),
    _Measure("stand_minutes", STAND_MINUTES, messages.FHIR_STAND_MINUTES, "min"),
)


def _value(measure: _Measure, value: float) -> Resource:
    if measure.unit is None:
        return {"valueInteger": int(value)}
    return {
        "valueQuantity": {
            "value": value,
            "unit": measure.unit,
            "system": UCUM,
            "code": measure.unit,
        }
    }


def _timepoints(case: CaseSnapshot) -> Iterator[tuple[str, str, dt.datetime | None, Any]]:
    """(key, words, when, values) for the baseline and each completed follow-up with scores."""
    yield (
        "baseline",
        messages.FHIR_BASELINE,
        None,  # when intake took the baseline is not recorded: no time is given
        {
            "nprs": case.baseline_nprs,
            "odi": case.baseline_odi,
            "walk_minutes": case.baseline_walk_minutes,
            "stand_minutes": case.baseline_stand_minutes,
        },
    )
    for fu in case.follow_ups:
        if fu.reached:
            values = {m.key: getattr(fu, m.key) for m in MEASURES}
            yield fu.kind.value, fu.kind.label, fu.completed_at, values


def _observations(c: _Case) -> Iterator[tuple[str, Resource]]:
    calls = {fu.kind.value for fu in c.case.follow_ups if _is_call(fu)}
    for key, words, when, values in _timepoints(c.case):
        for measure in MEASURES:
            value = values.get(measure.key)
            if value is None:
                continue
            yield (
                c.url(f"observation/{key}/{measure.key}"),
                {
                    "resourceType": "Observation",
                    "identifier": [
                        {
                            "system": c.local(OBSERVATION_SYSTEM),
                            "value": f"{c.case.code}/{key}/{measure.key}",
                        }
                    ],
                    "status": "final",
                    "category": [_concept([SURVEY], c.base)],
                    "code": _concept([measure.code], c.base, measure.text),
                    "subject": c.ref("patient"),
                    "effectiveDateTime": c.moment(when),
                    **_value(measure, value),
                    "note": [{"text": words}],
                    "derivedFrom": [c.ref(f"call/{key}")] if key in calls else [],
                },
            )
    if c.case.discharge_score is not None:
        yield c.url("observation/discharge-score"), _discharge_score(c, c.case.discharge_score)


def _discharge_score(c: _Case, score: ScoreFacts) -> Resource:
    scale = score.scale
    key = f"discharge-score-{scale.value}" if scale else "discharge-score"
    label = scale.label if scale else messages.FHIR_DISCHARGE_SCORE
    items = DISCHARGE_COMPONENTS[scale] if scale else ()
    return {
        "resourceType": "Observation",
        "identifier": [
            {"system": c.local(OBSERVATION_SYSTEM), "value": f"{c.case.code}/discharge/{key}"}
        ],
        "status": "final",
        "category": [_concept([EXAM], c.base)],
        "code": _concept(
            [Code(LOCAL_OBSERVATION, key, label)], c.base, scale.version if scale else label
        ),
        "subject": c.ref("patient"),
        "encounter": c.ref("encounter"),
        "effectiveDateTime": c.moment(score.at),
        "valueInteger": score.total,
        "referenceRange": [
            {
                "low": {"value": DISCHARGE_SCORE_PASS},
                "text": messages.FHIR_DISCHARGE_PASS.format(mark=DISCHARGE_SCORE_PASS),
            }
        ],
        "component": [
            {
                "code": _concept(
                    [Code(LOCAL_OBSERVATION, f"{key}-{item.key}", item.label)], c.base
                ),
                "valueInteger": score.items[item.key],
            }
            for item in items
            if score.items.get(item.key) is not None
        ],
    }


# --- The next-day call, and the red flags it escalated -------------------------------------------


def _is_call(fu: FollowUpFacts) -> bool:
    return fu.kind == FollowUpKind.NEXT_DAY_CALL and fu.reached


def _answer(link_id: str, text: str, *answers: Resource) -> Resource | None:
    """A questionnaire item with its answers; None (left out) when nothing was answered."""
    given = [a for a in answers if next(iter(a.values())) is not None]
    return {"linkId": link_id, "text": text, "answer": given} if given else None


def _call_items(c: _Case, fu: FollowUpFacts) -> list[Resource | None]:
    temperature = (
        {"value": fu.temperature_c, "unit": "Cel", "system": UCUM, "code": "Cel"}
        if fu.temperature_c is not None
        else None
    )
    incision = (
        Code(LOCAL_INCISION, fu.incision.value, fu.incision.label).coding(c.base)
        if fu.incision
        else None
    )
    flags = [Code(LOCAL_RED_FLAG, f.value, f.label).coding(c.base) for f in fu.red_flags]
    return [
        _answer("pain", messages.FHIR_Q_PAIN, {"valueInteger": fu.nprs}),
        _answer("temperature", messages.FHIR_Q_TEMPERATURE, {"valueQuantity": temperature}),
        _answer("swelling", messages.FHIR_Q_SWELLING, {"valueBoolean": fu.swelling}),
        _answer("bruising", messages.FHIR_Q_BRUISING, {"valueBoolean": fu.bruising}),
        _answer("incision", messages.FHIR_Q_INCISION, {"valueCoding": incision}),
        _answer("medication", messages.FHIR_Q_MEDICATION, {"valueBoolean": fu.meds_as_prescribed}),
        _answer(
            "work",
            messages.FHIR_Q_WORK,
            {"valueDate": fu.returned_to_work_on.isoformat() if fu.returned_to_work_on else None},
        ),
        # The call records the red flags it found: none found is an answer too.
        _answer("any_red_flag", messages.FHIR_Q_ANY_RED_FLAG, {"valueBoolean": bool(flags)}),
        _answer("red_flags", messages.FHIR_Q_RED_FLAGS, *({"valueCoding": f} for f in flags)),
        _answer("notes", messages.FHIR_Q_NOTES, {"valueString": fu.notes}),
        _answer("escalation", messages.FHIR_Q_ESCALATION, {"valueString": fu.escalation_note}),
        _answer("resolution", messages.FHIR_Q_RESOLUTION, {"valueString": fu.resolution_note}),
    ]


def _calls(c: _Case) -> Iterator[tuple[str, Resource]]:
    for fu in c.case.follow_ups:
        if not _is_call(fu):
            continue
        yield (
            c.url(f"call/{fu.kind.value}"),
            {
                "resourceType": "QuestionnaireResponse",
                "questionnaire": c.local(NEXT_DAY_CALL_FORM),
                "status": "completed",
                "subject": c.ref("patient"),
                "authored": c.moment(fu.completed_at),
                "source": c.ref("patient"),  # the patient answered; the nurse charted
                "item": [i for i in _call_items(c, fu) if i is not None],
            },
        )


def _flags(c: _Case) -> Iterator[tuple[str, Resource]]:
    """One Flag per red flag of each escalation: active until the escalation is resolved."""
    for fu in c.case.follow_ups:
        if fu.escalated_at is None:
            continue
        codes: Iterable[Code | None] = [
            Code(LOCAL_RED_FLAG, f.value, f.label) for f in fu.red_flags
        ] or [None]
        for code in codes:
            yield (
                c.url(f"flag/{fu.kind.value}/{code.code if code else 'escalation'}"),
                {
                    "resourceType": "Flag",
                    "status": "active" if fu.escalation_resolved_at is None else "inactive",
                    "category": [_concept([CLINICAL_FLAG], c.base)],
                    "code": _concept(
                        [code] if code else [],
                        c.base,
                        code.display if code else messages.FHIR_ESCALATED,
                    ),
                    "subject": c.ref("patient"),
                    "period": {
                        "start": c.moment(fu.escalated_at),
                        "end": c.moment(fu.escalation_resolved_at),
                    },
                },
            )


# --- Files ---------------------------------------------------------------------------------------


def resource_counts(bundles: Iterable[Resource]) -> dict[str, int]:
    """How many resources of each type the Bundles hold (for the audit row: no patient data)."""
    counts = Counter(e["resource"]["resourceType"] for b in bundles for e in b["entry"])
    return dict(sorted(counts.items()))


def bundle_json(bundle: Resource) -> str:
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def ndjson(bundles: Iterable[Resource]) -> str:
    """One Bundle per line (newline-delimited JSON, as FHIR bulk data uses)."""
    return "".join(json.dumps(b, ensure_ascii=False, separators=(",", ":")) + "\n" for b in bundles)
