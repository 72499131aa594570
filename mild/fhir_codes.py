"""The FHIR export's code systems and codes, each with its source, and where the practice's
own identifiers and codes live (MILD_FHIR_BASE). Pure data; mild.fhir builds the Bundle."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mild import messages
from mild.cases import FHIR_PROCEDURE_STATUS, CaseStatus
from mild.errors import RuleViolation
from mild.intake import Condition

Resource = dict[str, Any]


def _clean(value: Any) -> Any:
    """The value without the elements that hold nothing (None, "", [], {}): FHIR forbids empty
    elements, and an unrecorded fact is left out rather than filled in. False and 0 stay."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_clean(v) for v in value) if v not in (None, "", [], {})]
    return value


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
