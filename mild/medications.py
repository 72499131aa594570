"""Medication classes and hold rules (policy defaults from ASRA high-risk procedures)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mild import messages


class MedClass(enum.StrEnum):
    VITAMIN_K_ANTAGONIST = "vitamin_k_antagonist"
    DOAC = "doac"
    DIRECT_THROMBIN_INHIBITOR = "direct_thrombin_inhibitor"
    LMWH = "lmwh"
    P2Y12_INHIBITOR = "p2y12_inhibitor"
    ASPIRIN = "aspirin"
    NSAID = "nsaid"
    GLP1_AGONIST = "glp1_agonist"
    SGLT2_INHIBITOR = "sglt2_inhibitor"
    DIABETES = "diabetes"
    SUPPLEMENT = "supplement"
    OTHER = "other"
    UNKNOWN = "unknown"


CLASS_LABELS: dict[MedClass, str] = {
    MedClass.VITAMIN_K_ANTAGONIST: "Vitamin K antagonist",
    MedClass.DOAC: "Direct oral anticoagulant",
    MedClass.DIRECT_THROMBIN_INHIBITOR: "Direct thrombin inhibitor",
    MedClass.LMWH: "Low-molecular-weight heparin",
    MedClass.P2Y12_INHIBITOR: "P2Y12 inhibitor",
    MedClass.ASPIRIN: "Aspirin",
    MedClass.NSAID: "NSAID",
    MedClass.GLP1_AGONIST: "GLP-1 agonist",
    MedClass.SGLT2_INHIBITOR: "SGLT2 inhibitor",
    MedClass.DIABETES: "Insulin or oral diabetes drug",
    MedClass.SUPPLEMENT: "Supplement",
    MedClass.OTHER: "No hold",
    MedClass.UNKNOWN: "Unknown: needs review",
}


@dataclass(frozen=True)
class HoldRule:
    """One row of the hold table: a drug, its class, days to hold, and who must clear the stop."""

    drug: str
    med_class: MedClass
    hold_days: int | None  # None: no fixed hold (dose adjusted, or consider stopping)
    needs_prescriber_clearance: bool
    instruction: str = ""


# drug name (lower case) -> rule. Policy defaults; the practice may change them.
DEFAULT_HOLD_TABLE: dict[str, HoldRule] = {
    r.drug: r
    for r in (
        HoldRule("warfarin", MedClass.VITAMIN_K_ANTAGONIST, 5, True, "INR normal on the day"),
        HoldRule("apixaban", MedClass.DOAC, 3, True),
        HoldRule("rivaroxaban", MedClass.DOAC, 3, True),
        HoldRule("edoxaban", MedClass.DOAC, 3, True),
        HoldRule(
            "dabigatran",
            MedClass.DIRECT_THROMBIN_INHIBITOR,
            5,
            True,
            "6 days with poor kidney function",
        ),
        HoldRule("enoxaparin", MedClass.LMWH, 1, True, "12 h prophylactic, 24 h therapeutic dose"),
        HoldRule("clopidogrel", MedClass.P2Y12_INHIBITOR, 7, True),
        HoldRule("prasugrel", MedClass.P2Y12_INHIBITOR, 10, True, "7-10 days"),
        HoldRule("ticagrelor", MedClass.P2Y12_INHIBITOR, 5, True),
        HoldRule(
            "aspirin",
            MedClass.ASPIRIN,
            6,
            True,
            "Primary prevention 6 days; secondary prevention: shared decision with the prescriber",
        ),
        HoldRule("ibuprofen", MedClass.NSAID, 1, False),
        HoldRule("diclofenac", MedClass.NSAID, 1, False),
        HoldRule("ketorolac", MedClass.NSAID, 1, False),
        HoldRule("naproxen", MedClass.NSAID, 4, False),
        HoldRule("meloxicam", MedClass.NSAID, 4, False),
        HoldRule(
            "semaglutide",
            MedClass.GLP1_AGONIST,
            7,
            False,
            "Weekly dose: hold 1 week; anesthesia review",
        ),
        HoldRule(
            "tirzepatide",
            MedClass.GLP1_AGONIST,
            7,
            False,
            "Weekly dose: hold 1 week; anesthesia review",
        ),
        HoldRule(
            "dulaglutide",
            MedClass.GLP1_AGONIST,
            7,
            False,
            "Weekly dose: hold 1 week; anesthesia review",
        ),
        HoldRule(
            "liraglutide",
            MedClass.GLP1_AGONIST,
            0,
            False,
            "Daily dose: hold on the day; anesthesia review",
        ),
        HoldRule("empagliflozin", MedClass.SGLT2_INHIBITOR, 3, False, "Risk of ketoacidosis"),
        HoldRule("dapagliflozin", MedClass.SGLT2_INHIBITOR, 3, False, "Risk of ketoacidosis"),
        HoldRule("canagliflozin", MedClass.SGLT2_INHIBITOR, 3, False, "Risk of ketoacidosis"),
        HoldRule("ertugliflozin", MedClass.SGLT2_INHIBITOR, 4, False, "Risk of ketoacidosis"),
        HoldRule(
            "insulin glargine",
            MedClass.DIABETES,
            None,
            False,
            "Dose adjusted the evening before and the day of",
        ),
        HoldRule(
            "insulin",
            MedClass.DIABETES,
            None,
            False,
            "Dose adjusted the evening before and the day of",
        ),
        HoldRule(
            "metformin", MedClass.DIABETES, None, False, "Hold on the morning of the procedure"
        ),
        HoldRule(
            "glipizide",
            MedClass.DIABETES,
            None,
            False,
            "Sulfonylurea: hold on the morning of the procedure",
        ),
        HoldRule(
            "glimepiride",
            MedClass.DIABETES,
            None,
            False,
            "Sulfonylurea: hold on the morning of the procedure",
        ),
        HoldRule("fish oil", MedClass.SUPPLEMENT, None, False, "Consider stopping"),
        HoldRule("ginkgo", MedClass.SUPPLEMENT, None, False, "Consider stopping"),
        HoldRule("garlic", MedClass.SUPPLEMENT, None, False, "Consider stopping"),
        HoldRule("vitamin e", MedClass.SUPPLEMENT, None, False, "Consider stopping"),
        HoldRule("lisinopril", MedClass.OTHER, None, False),
        HoldRule("amlodipine", MedClass.OTHER, None, False),
        HoldRule("atorvastatin", MedClass.OTHER, None, False),
        HoldRule("levothyroxine", MedClass.OTHER, None, False),
        HoldRule("gabapentin", MedClass.OTHER, None, False),
        HoldRule("acetaminophen", MedClass.OTHER, None, False),
        HoldRule("omeprazole", MedClass.OTHER, None, False),
    )
}

# Classes whose stop must be agreed with the prescriber (bleeding risk).
ANTITHROMBOTIC: frozenset[MedClass] = frozenset(
    {
        MedClass.VITAMIN_K_ANTAGONIST,
        MedClass.DOAC,
        MedClass.DIRECT_THROMBIN_INHIBITOR,
        MedClass.LMWH,
        MedClass.P2Y12_INHIBITOR,
        MedClass.ASPIRIN,
    }
)


def normalize_drug(name: str) -> str:
    return " ".join(name.lower().split())


def classify(name: str, table: Mapping[str, HoldRule] = DEFAULT_HOLD_TABLE) -> HoldRule:
    """The hold rule for a drug name; an unknown drug comes back as UNKNOWN (needs review)."""
    key = normalize_drug(name)
    rule = table.get(key)
    if rule is None:
        # "apixaban 5 mg" -> "apixaban": match on the longest known name the text starts with.
        prefixes = [d for d in table if key.startswith(d + " ")]
        rule = table[max(prefixes, key=len)] if prefixes else None
    if rule is None:
        return HoldRule(key, MedClass.UNKNOWN, None, False, messages.DRUG_NEEDS_REVIEW)
    return rule


@dataclass(frozen=True)
class HoldAdvice:
    drug: str
    med_class: MedClass
    needs_review: bool
    hold_needed: bool
    last_dose_on: dt.date | None
    needs_prescriber_clearance: bool
    instruction: str
    hold_days: int | None = None


def medication_hold(
    name: str, procedure_day: dt.date | None, table: Mapping[str, HoldRule] = DEFAULT_HOLD_TABLE
) -> HoldAdvice:
    """What to tell the patient about one drug for a procedure on `procedure_day`.

    `hold_days` whole days without the drug before the procedure day: a 3-day hold before a
    Friday means the last dose on Monday (Tuesday, Wednesday, Thursday without). Re-booking
    recomputes it.
    """
    rule = classify(name, table)
    hold_needed = rule.hold_days is not None
    last_dose = last_dose_on(rule.hold_days, procedure_day)
    return HoldAdvice(
        drug=rule.drug,
        med_class=rule.med_class,
        needs_review=rule.med_class == MedClass.UNKNOWN,
        hold_needed=hold_needed,
        last_dose_on=last_dose,
        needs_prescriber_clearance=rule.needs_prescriber_clearance,
        instruction=rule.instruction,
        hold_days=rule.hold_days,
    )


def last_dose_on(hold_days: int | None, procedure_day: dt.date | None) -> dt.date | None:
    """The last day the patient takes the drug: `hold_days` whole days without it before the
    procedure day; None without a fixed hold or before the case is booked."""
    if hold_days is None or procedure_day is None:
        return None
    return procedure_day - dt.timedelta(days=hold_days + 1)


def last_dose_passed(last_dose: dt.date | None, today: dt.date) -> bool:
    """True when the last-dose date is already behind `today`: a patient not yet told cannot
    keep the hold as set (a same-day or short-notice booking, or a call that came too late)."""
    return last_dose is not None and last_dose < today


def late_holds(
    holds: Iterable[tuple[str, int | None]], procedure_day: dt.date, today: dt.date
) -> list[tuple[str, dt.date]]:
    """The drugs (name, hold days) whose last dose for `procedure_day` falls before `today`,
    with that date: what a booking for that day must warn about."""
    late = []
    for drug, hold_days in holds:
        last = last_dose_on(hold_days, procedure_day)
        if last is not None and last_dose_passed(last, today):
            late.append((drug, last))
    return late


# Classes with nothing for the patient to stop or adjust (an unknown drug is reviewed first).
NO_PATIENT_INSTRUCTION: frozenset[MedClass] = frozenset({MedClass.OTHER, MedClass.UNKNOWN})


def needs_patient_instruction(med_class: MedClass) -> bool:
    """True when the patient must be told to stop or adjust the drug before the day (a hold,
    a dose adjustment, or a supplement to consider stopping)."""
    return med_class not in NO_PATIENT_INSTRUCTION
