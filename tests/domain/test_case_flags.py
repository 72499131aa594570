"""What the day-of header flags at a glance: allergies first with their details, then the drugs
that change bleeding or aspiration risk, drugs under review, and the other conditions."""

from __future__ import annotations

from dataclasses import dataclass

from mild.case_flags import Allergy, allergies, key_flags
from mild.hold_rules import MedClass
from mild.intake import Condition


@dataclass(frozen=True)
class Med:
    """A drug on the case as the header reads it."""

    drug: str
    med_class: MedClass
    stop_before_hours: int | None = None
    skip_on_day: bool = False
    needs_review: bool = False


def held(drug: str, med_class: MedClass) -> Med:
    return Med(drug, med_class, stop_before_hours=72)


def test_allergies_come_with_their_details_in_the_day_sheets_order() -> None:
    flagged = [
        (Condition.DIABETES, None),
        (Condition.OTHER_ALLERGY, "penicillin: rash"),
        (Condition.LATEX_ALLERGY, "hives with gloves"),
        (Condition.CONTRAST_ALLERGY, None),
    ]
    assert allergies(flagged) == [
        Allergy("Allergy to iodinated contrast", None),
        Allergy("Latex allergy", "hives with gloves"),
        Allergy("Other allergy (antibiotics, anesthetics)", "penicillin: rash"),
    ]


def test_a_patient_with_no_allergy_flagged_has_none_listed() -> None:
    assert allergies([(Condition.DIABETES, None)]) == []


def test_allergies_are_not_repeated_among_the_flags() -> None:
    assert key_flags([Condition.LATEX_ALLERGY, Condition.DIABETES], []) == ["Diabetes"]


def test_held_anticoagulants_and_antiplatelets_are_flagged_by_family_before_conditions() -> None:
    meds = [
        held("apixaban", MedClass.DOAC),
        held("clopidogrel", MedClass.P2Y12_INHIBITOR),
        held("enoxaparin", MedClass.LMWH),
        Med("omeprazole", MedClass.OTHER),
    ]
    assert key_flags([Condition.SLEEP_APNEA], meds) == [
        "Anticoagulant held: apixaban, enoxaparin",
        "Antiplatelet held: clopidogrel",
        "Sleep apnea",
    ]


def test_an_antiplatelet_continued_through_the_procedure_is_flagged_as_continued() -> None:
    meds = [Med("aspirin", MedClass.ASPIRIN), held("warfarin", MedClass.VITAMIN_K_ANTAGONIST)]
    assert key_flags([], meds) == [
        "Anticoagulant held: warfarin",
        "Antiplatelet continued: aspirin",
    ]


def test_a_glp1_agonist_is_flagged_for_aspiration_risk_held_or_not() -> None:
    meds = [Med("semaglutide", MedClass.GLP1_AGONIST, stop_before_hours=168)]
    assert key_flags([Condition.DIABETES], meds) == ["GLP-1 agonist: semaglutide", "Diabetes"]


def test_a_drug_still_under_review_is_flagged_by_name() -> None:
    meds = [Med("Brilinta", MedClass.UNKNOWN, needs_review=True)]
    assert key_flags([], meds) == ["Drug under review: Brilinta"]


def test_other_conditions_are_flagged_by_their_short_names_in_the_order_flagged() -> None:
    flagged = [Condition.IMPLANTED_DEVICE, Condition.DIABETES, Condition.HIGH_BMI]
    assert key_flags(flagged, []) == ["Implanted device", "Diabetes", "BMI over 35"]


def test_a_patient_with_nothing_flagged_has_no_flags() -> None:
    assert key_flags([], [Med("omeprazole", MedClass.OTHER)]) == []
