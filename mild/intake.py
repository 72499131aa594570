"""Comorbidity flags and what each brings: clearances before booking, tasks on the day."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from mild import messages
from mild.errors import RuleViolation


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


class Requirement(enum.StrEnum):
    CLEARANCE = "clearance"  # on file before the case may be confirmed for its day
    DAY_OF = "day_of"  # a task on the procedure day


@dataclass(frozen=True)
class Need:
    condition: Condition
    kind: Requirement
    text: str


# Policy defaults: which clearance or day-of task each flag brings.
CONDITION_NEEDS: dict[Condition, tuple[tuple[Requirement, str], ...]] = {
    Condition.HEART_DISEASE: ((Requirement.CLEARANCE, "Cardiology clearance on file"),),
    Condition.IMPLANTED_DEVICE: (
        (Requirement.CLEARANCE, "Device type and management plan noted"),
        (Requirement.DAY_OF, "Device plan followed (cardiology or device clinic)"),
    ),
    Condition.DIABETES: (
        (Requirement.CLEARANCE, "Last HbA1c on file"),
        (Requirement.DAY_OF, "Point-of-care glucose on arrival"),
    ),
    Condition.SLEEP_APNEA: (
        (Requirement.CLEARANCE, "STOP-BANG score recorded"),
        (Requirement.DAY_OF, "CPAP brought on the day"),
    ),
    Condition.KIDNEY_DISEASE: ((Requirement.CLEARANCE, "Recent kidney function (eGFR) on file"),),
    Condition.BLEEDING_DISORDER: ((Requirement.CLEARANCE, "Hematology clearance on file"),),
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


def bmi(height_cm: float, weight_kg: float) -> float:
    """Body-mass index, one decimal."""
    if not 100 <= height_cm <= 250:
        raise RuleViolation("height_cm", messages.HEIGHT_RANGE)
    if not 25 <= weight_kg <= 350:
        raise RuleViolation("weight_kg", messages.WEIGHT_RANGE)
    return round(weight_kg / (height_cm / 100) ** 2, 1)


def check_asa_class(asa: int) -> None:
    if asa not in range(1, 7):
        raise RuleViolation("asa_class", messages.ASA_RANGE)


def asa_needs_review(asa: int) -> bool:
    """ASA above the ambulatory limit needs the anesthesiologist's review before booking."""
    check_asa_class(asa)
    return asa > MAX_AMBULATORY_ASA


def stop_bang(
    *,
    snoring: bool,
    tired: bool,
    observed_apnea: bool,
    high_blood_pressure: bool,
    bmi_over_35: bool,
    age_over_50: bool,
    neck_over_40cm: bool,
    male: bool,
) -> tuple[int, str]:
    """STOP-BANG score and risk band: 0-2 low, 3-4 intermediate, 5-8 high."""
    score = sum(
        (
            snoring,
            tired,
            observed_apnea,
            high_blood_pressure,
            bmi_over_35,
            age_over_50,
            neck_over_40cm,
            male,
        )
    )
    band = "low" if score <= 2 else "intermediate" if score <= 4 else "high"
    return score, band
