"""Comorbidity flags and what each brings: clearances before booking, tasks on the day."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.problems import Problems, collect, refuse
from mild.scores import check_nprs
from mild.staff import Role
from mild.text import check_storable


class Condition(enum.StrEnum):
    HEART_DISEASE = "heart_disease"
    IMPLANTED_DEVICE = "implanted_device"
    DIABETES = "diabetes"
    SLEEP_APNEA = "sleep_apnea"
    KIDNEY_DISEASE = "kidney_disease"
    BLEEDING_DISORDER = "bleeding_disorder"
    HIGH_BMI = "high_bmi"
    CONTRAST_ALLERGY = "contrast_allergy"
    LATEX_ALLERGY = "latex_allergy"
    OTHER_ALLERGY = "other_allergy"
    PREGNANCY_POSSIBLE = "pregnancy_possible"
    ACTIVE_INFECTION = "active_infection"
    ANXIETY_CLAUSTROPHOBIA = "anxiety_claustrophobia"

    @property
    def label(self) -> str:
        return CONDITION_LABELS[self]


# The conditions that are allergies: shown first on the day (header, day sheet).
ALLERGIES: tuple[Condition, ...] = (
    Condition.CONTRAST_ALLERGY,
    Condition.LATEX_ALLERGY,
    Condition.OTHER_ALLERGY,
)


CONDITION_LABELS: dict[Condition, str] = {
    Condition.HEART_DISEASE: "Heart disease (coronary disease, heart failure, stent, arrhythmia)",
    Condition.IMPLANTED_DEVICE: "Pacemaker, defibrillator or other implanted device",
    Condition.DIABETES: "Diabetes",
    Condition.SLEEP_APNEA: "Obstructive sleep apnea",
    Condition.KIDNEY_DISEASE: "Kidney disease",
    Condition.BLEEDING_DISORDER: "Bleeding disorder",
    Condition.HIGH_BMI: "BMI over 35",
    Condition.CONTRAST_ALLERGY: "Allergy to iodinated contrast",
    Condition.LATEX_ALLERGY: "Latex allergy",
    Condition.OTHER_ALLERGY: "Other allergy (antibiotics, anesthetics)",
    Condition.PREGNANCY_POSSIBLE: "Pregnancy possible",
    Condition.ACTIVE_INFECTION: "Active infection",
    Condition.ANXIETY_CLAUSTROPHOBIA: "Anxiety or claustrophobia (face-down positioning)",
}


# Short names for sentences such as "HbA1c value and date (diabetes)".
CONDITION_SHORT_NAMES: dict[Condition, str] = {
    Condition.HEART_DISEASE: "heart disease",
    Condition.IMPLANTED_DEVICE: "implanted device",
    Condition.DIABETES: "diabetes",
    Condition.SLEEP_APNEA: "sleep apnea",
    Condition.KIDNEY_DISEASE: "kidney disease",
    Condition.BLEEDING_DISORDER: "bleeding disorder",
    Condition.HIGH_BMI: "BMI over 35",
    Condition.CONTRAST_ALLERGY: "contrast allergy",
    Condition.LATEX_ALLERGY: "latex allergy",
    Condition.OTHER_ALLERGY: "other allergy",
    Condition.PREGNANCY_POSSIBLE: "pregnancy possible",
    Condition.ACTIVE_INFECTION: "active infection",
    Condition.ANXIETY_CLAUSTROPHOBIA: "anxiety or claustrophobia",
}


class Requirement(enum.StrEnum):
    CLEARANCE = "clearance"  # on file before the case may be confirmed for its day
    DAY_OF = "day_of"  # a task on the procedure day


@dataclass(frozen=True)
class Need:
    condition: Condition
    kind: Requirement
    text: str


# Policy defaults: which clearance or day-of task each flag brings. The clearances of heart
# disease, a device, diabetes, sleep apnea and kidney disease are values (mild.clearances,
# VALUE_NEEDS says the same words); the others are an "on file" tick with who and when (the
# screen adds "on file" or "missing": a need is named without it).
CONDITION_NEEDS: dict[Condition, tuple[tuple[Requirement, str], ...]] = {
    Condition.HEART_DISEASE: (
        (Requirement.CLEARANCE, "Cardiology clearance: who cleared it and when"),
    ),
    Condition.IMPLANTED_DEVICE: (
        (
            Requirement.CLEARANCE,
            "Device type, manufacturer, indication, pacing dependence, last interrogation and plan",
        ),
        (Requirement.DAY_OF, "Device plan followed (cardiology or device clinic)"),
    ),
    Condition.DIABETES: (
        (Requirement.CLEARANCE, "HbA1c value and date"),
        (Requirement.DAY_OF, "Point-of-care glucose on arrival"),
    ),
    Condition.SLEEP_APNEA: (
        (Requirement.CLEARANCE, "STOP-Bang answers"),
        (Requirement.DAY_OF, "CPAP brought on the day"),
    ),
    Condition.KIDNEY_DISEASE: ((Requirement.CLEARANCE, "eGFR value and date"),),
    Condition.BLEEDING_DISORDER: ((Requirement.CLEARANCE, "Hematology clearance"),),
    Condition.HIGH_BMI: ((Requirement.CLEARANCE, "Anesthesia review of airway and positioning"),),
    Condition.CONTRAST_ALLERGY: (
        (Requirement.CLEARANCE, "Contrast allergy plan (premedication or no contrast)"),
    ),
    Condition.LATEX_ALLERGY: ((Requirement.DAY_OF, "Latex-free room and supplies"),),
    Condition.OTHER_ALLERGY: ((Requirement.DAY_OF, "Allergies reviewed at sign in"),),
    Condition.PREGNANCY_POSSIBLE: ((Requirement.DAY_OF, "Pregnancy test before X-ray"),),
    Condition.ACTIVE_INFECTION: ((Requirement.CLEARANCE, "Provider review: infection resolved"),),
    Condition.ANXIETY_CLAUSTROPHOBIA: (
        (Requirement.DAY_OF, "Anxiolysis plan for face-down positioning"),
    ),
}

MAX_AMBULATORY_ASA = 3  # ambulatory centres usually take ASA I-III (policy)


def needs_for(conditions: Iterable[Condition]) -> list[Need]:
    """Every clearance and day-of task the flagged conditions bring, in flag order."""
    return [
        Need(c, kind, text) for c in dict.fromkeys(conditions) for kind, text in CONDITION_NEEDS[c]
    ]


def required_clearances(conditions: Iterable[Condition]) -> list[Need]:
    """The clearances that must be on file before the case is confirmed for its day."""
    return [n for n in needs_for(conditions) if n.kind == Requirement.CLEARANCE]


def day_of_tasks(conditions: Iterable[Condition]) -> list[Need]:
    return [n for n in needs_for(conditions) if n.kind == Requirement.DAY_OF]


HEIGHT_CM_RANGE = (100, 250)  # plausibility, not a clinical limit: a typing slip
WEIGHT_KG_RANGE = (25, 350)


def body_problems(height_cm: object, weight_kg: object) -> Problems:
    """Height and weight each out of its plausible range, both at once."""
    problems: Problems = []
    low, high = HEIGHT_CM_RANGE
    if not _is_number(height_cm) or not low <= height_cm <= high:
        problems.append(("height_cm", messages.HEIGHT_RANGE))
    low, high = WEIGHT_KG_RANGE
    if not _is_number(weight_kg) or not low <= weight_kg <= high:
        problems.append(("weight_kg", messages.WEIGHT_RANGE))
    return problems


def bmi(height_cm: float, weight_kg: float) -> float:
    """Body-mass index, one decimal."""
    refuse(body_problems(height_cm, weight_kg))
    return round(weight_kg / (height_cm / 100) ** 2, 1)


def _is_number(value: object) -> bool:
    """A real number as a number box gives it: not a bool, not text (NaN fails every range)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_asa_class(asa: int) -> None:
    if not _is_number(asa) or asa not in range(1, 7):
        raise RuleViolation("asa_class", messages.ASA_RANGE)


def asa_needs_review(asa: int) -> bool:
    """ASA above the ambulatory limit needs the anesthesiologist's review before booking."""
    check_asa_class(asa)
    return asa > MAX_AMBULATORY_ASA


# --- the intake form: patients, editing windows, baseline and escort ------------------------

MRN_RE = re.compile(r"^[A-Z0-9-]{4,20}$")
# Names and drug names appear inside sentences on screen: no character that could format them.
NAME_PUNCTUATION = frozenset(" -'’.")
DRUG_PUNCTUATION = frozenset(" -/.,%()+'")
MAX_AGE_YEARS = 120
HIGH_BMI_LIMIT = 35.0
MAX_TOLERANCE_MINUTES = 600
PHONE_DIGITS = (7, 15)

# Intake details are recorded once intake has started and until the case is checked in.
INTAKE_EDITABLE: frozenset[CaseStatus] = frozenset({CaseStatus.INTAKE, CaseStatus.SCHEDULED})
# Who may decide about a drug the hold table does not know.
DRUG_REVIEWERS: frozenset[Role] = frozenset({Role.NURSE, Role.ADMIN})


def normalize_mrn(mrn: str) -> str:
    """An MRN as stored: upper case, no surrounding spaces; 4-20 letters, digits or dashes."""
    value = (mrn or "").strip().upper()
    if not MRN_RE.fullmatch(value):
        raise RuleViolation("mrn", messages.MRN_FORMAT)
    return value


def new_patient_problems(
    first_name: str, last_name: str, date_of_birth: dt.date | None, today: dt.date
) -> Problems:
    """Every problem of a new patient's names and date of birth, each field's first."""
    problems: Problems = []
    for field, typed in (("first_name", first_name), ("last_name", last_name)):
        name = " ".join((typed or "").split())
        if not name:
            problems.append((field, messages.PATIENT_NAME_REQUIRED))
        elif len(name) > 80:
            problems.append((field, messages.TEXT_TOO_LONG.format(limit=80)))
        elif not all(ch.isalpha() or ch in NAME_PUNCTUATION for ch in name):
            problems.append((field, messages.PATIENT_NAME_CHARACTERS))
    if date_of_birth is None:
        problems.append(("date_of_birth", messages.PATIENT_DOB_REQUIRED))
    elif not today.replace(year=today.year - MAX_AGE_YEARS) < date_of_birth < today:
        problems.append(("date_of_birth", messages.PATIENT_DOB_RANGE))
    return problems


def check_new_patient(
    first_name: str, last_name: str, date_of_birth: dt.date | None, today: dt.date
) -> tuple[str, str]:
    """A new patient's names (trimmed) once they and the date of birth are plausible; every
    problem at once otherwise."""
    refuse(new_patient_problems(first_name, last_name, date_of_birth, today))
    return " ".join(first_name.split()), " ".join(last_name.split())


def request_problems(
    *,
    mrn: str,
    office_chosen: bool,
    channel_chosen: bool,
    phone: str,
    new_patient: bool,
    first_name: str = "",
    last_name: str = "",
    date_of_birth: dt.date | None = None,
    today: dt.date,
) -> Problems:
    """Every problem of the consult request form at once, in the form's order: the MRN, a new
    patient's names, date of birth and phone, the office, how the request came in. (Whether
    the office and provider may be chosen is the service's to say: it reads them.)"""
    problems: Problems = []
    collect(problems, normalize_mrn, mrn)
    if new_patient:
        problems += new_patient_problems(first_name, last_name, date_of_birth, today)
        if (typed := collect(problems, check_text, phone, "phone", 40)) is not None:
            collect(problems, check_phone, typed, "phone")
    if not office_chosen:
        problems.append(("office", messages.OFFICE_REQUIRED))
    if not channel_chosen:
        problems.append(("channel", messages.REQUEST_CHANNEL_REQUIRED))
    return problems


def check_intake_editable(status: CaseStatus) -> None:
    """Intake details change only between "Start intake" and check-in."""
    if status == CaseStatus.REQUESTED:
        raise RuleViolation("status", messages.INTAKE_NOT_STARTED)
    if status not in INTAKE_EDITABLE:
        raise RuleViolation("status", messages.INTAKE_NOT_OPEN.format(status=status.label))


def check_text(value: str | None, field: str, limit: int) -> str | None:
    """Trimmed free text, None when blank; refused beyond `limit` characters."""
    text = (value or "").strip()
    if len(text) > limit:
        raise RuleViolation(field, messages.TEXT_TOO_LONG.format(limit=limit))
    return check_storable(field, text) or None


def check_tolerance_minutes(value: int | None, field: str) -> int | None:
    """Walking or standing tolerance in whole minutes, 0-600, or not recorded."""
    if value is None:
        return None
    in_range = _is_number(value) and 0 <= value <= MAX_TOLERANCE_MINUTES  # refuses NaN too
    if not in_range or value != int(value):
        raise RuleViolation(field, messages.MINUTES_RANGE)
    return int(value)


def body_mass_index(height_cm: float | None, weight_kg: float | None) -> float | None:
    """BMI when both are given, None when neither; one without the other is refused."""
    if height_cm is None and weight_kg is None:
        return None
    if height_cm is None:
        raise RuleViolation("height_cm", messages.HEIGHT_WEIGHT_TOGETHER)
    if weight_kg is None:
        raise RuleViolation("weight_kg", messages.HEIGHT_WEIGHT_TOGETHER)
    return bmi(height_cm, weight_kg)


@dataclass(frozen=True)
class Assessment:
    """The assessment as stored: ASA class, BMI from height and weight (metric), baseline
    pain and tolerances."""

    asa_class: int | None
    bmi: float | None
    nprs: int | None
    walk_minutes: int | None
    stand_minutes: int | None


def check_assessment(
    *,
    asa_class: int | None,
    height_cm: float | None,
    weight_kg: float | None,
    nprs: int | None,
    walk_minutes: int | None,
    stand_minutes: int | None,
) -> Assessment:
    """The assessment form's values as stored, or every problem of the form at once."""
    problems: Problems = []
    if asa_class is not None:
        collect(problems, check_asa_class, asa_class)
    body_mass = collect(problems, body_mass_index, height_cm, weight_kg)
    pain = collect(problems, check_nprs, nprs) if nprs is not None else None
    walk = collect(problems, check_tolerance_minutes, walk_minutes, "walk_minutes")
    stand = collect(problems, check_tolerance_minutes, stand_minutes, "stand_minutes")
    refuse(problems)
    return Assessment(asa_class, body_mass, pain, walk, stand)


def check_phone(phone: str, field: str = "escort_phone") -> str:
    digits = [ch for ch in phone if ch.isdigit()]
    low, high = PHONE_DIGITS
    if not low <= len(digits) <= high or not set(phone) <= set("0123456789 +-().x"):
        raise RuleViolation(field, messages.PHONE_FORMAT)
    return " ".join(phone.split())


def check_escort(
    name: str, relationship: str, phone: str
) -> tuple[str | None, str | None, str | None]:
    """The escort arranged: name and phone together (relationship optional), or all blank;
    every problem of the three at once."""
    problems: Problems = []
    name_ = collect(problems, check_text, name, "escort_name", 120)
    relationship_ = collect(problems, check_text, relationship, "escort_relationship", 60)
    phone_ = collect(problems, check_text, phone, "escort_phone", 40)
    fields = {f for f, _ in problems}
    typed = {
        "escort_name": "escort_name" in fields or name_ is not None,
        "escort_phone": "escort_phone" in fields or phone_ is not None,
    }
    if not any(typed.values()):
        if relationship_ is not None or "escort_relationship" in fields:
            problems.append(("escort_name", messages.ESCORT_NAME_AND_PHONE))
    else:
        for field, given in typed.items():
            if not given:
                problems.append((field, messages.ESCORT_NAME_AND_PHONE))
    if phone_ is not None:
        phone_ = collect(problems, check_phone, phone_)
    refuse(sorted(problems, key=lambda p: ESCORT_FIELDS.index(p[0])))
    if name_ is None:
        return None, None, None
    return name_, relationship_, phone_


ESCORT_FIELDS = ("escort_name", "escort_relationship", "escort_phone")


def check_drug_reviewer(role: Role) -> None:
    if role not in DRUG_REVIEWERS:
        raise RuleViolation("review", messages.DRUG_REVIEW_ROLE)


def check_drug_name(drug: str) -> str:
    """A drug name as typed, trimmed; required, at most 120 characters, plain characters."""
    name = " ".join((drug or "").split())
    if not name:
        raise RuleViolation("drug", messages.DRUG_REQUIRED)
    if len(name) > 120:
        raise RuleViolation("drug", messages.TEXT_TOO_LONG.format(limit=120))
    if not all(ch.isalnum() or ch in DRUG_PUNCTUATION for ch in name):
        raise RuleViolation("drug", messages.DRUG_NAME_CHARACTERS)
    return name


def hold_confirmation_blocker(
    *,
    needs_review: bool,
    patient_instructed: bool,
    dated_hold: bool,
    last_dose_known: bool,
    needs_clearance: bool,
    cleared: bool,
    drug: str,
    glp1_pending: bool = False,
) -> tuple[str, str] | None:
    """Why the patient cannot yet be told about a drug, as (field, message); None when they can.

    A drug under review comes first; then a dated hold needs the booked day (the last-dose date),
    and an anticoagulant or antiplatelet its prescriber's clearance.
    """
    if needs_review:
        return "hold", messages.HOLD_NEEDS_REVIEW
    if not patient_instructed:
        return "hold", messages.HOLD_NOT_NEEDED.format(drug=drug)
    if glp1_pending:  # the patient is told the decision, so it comes first
        return "hold", messages.GLP1_NOT_SCREENED
    if dated_hold and not last_dose_known:
        return "hold", messages.HOLD_NEEDS_BOOKING
    if needs_clearance and not cleared:
        return "hold", messages.HOLD_NEEDS_CLEARANCE.format(drug=drug)
    return None
