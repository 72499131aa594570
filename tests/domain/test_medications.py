"""The medication hold table: classifying drugs and dating the last dose from the booked day."""

from __future__ import annotations

import datetime as dt

from mild import messages
from mild.medications import HoldRule, MedClass, classify, medication_hold

FRIDAY = dt.date(2026, 3, 13)
MONDAY_BEFORE = dt.date(2026, 3, 9)
NEXT_TUESDAY = dt.date(2026, 3, 17)


def last_dose(drug: str, procedure_day: dt.date | None = FRIDAY) -> dt.date | None:
    return medication_hold(drug, procedure_day).last_dose_on


def test_known_drugs_are_classified_by_their_class() -> None:
    expected = {
        "warfarin": MedClass.VITAMIN_K_ANTAGONIST,
        "apixaban": MedClass.DOAC,
        "dabigatran": MedClass.DIRECT_THROMBIN_INHIBITOR,
        "enoxaparin": MedClass.LMWH,
        "clopidogrel": MedClass.P2Y12_INHIBITOR,
        "aspirin": MedClass.ASPIRIN,
        "naproxen": MedClass.NSAID,
        "semaglutide": MedClass.GLP1_AGONIST,
        "empagliflozin": MedClass.SGLT2_INHIBITOR,
        "metformin": MedClass.DIABETES,
        "fish oil": MedClass.SUPPLEMENT,
        "lisinopril": MedClass.OTHER,
    }
    assert {drug: classify(drug).med_class for drug in expected} == expected


def test_drug_names_match_whatever_the_case_spacing_or_dose_that_follows() -> None:
    assert classify("  ApiXABAN ").drug == "apixaban"
    assert classify("Fish   Oil").med_class == MedClass.SUPPLEMENT
    assert classify("apixaban 5 mg").drug == "apixaban"
    assert last_dose("Apixaban 5 mg twice daily") == MONDAY_BEFORE
    # The longest known name wins: "insulin glargine", not plain "insulin".
    assert classify("insulin glargine 20 units").drug == "insulin glargine"


def test_an_unknown_drug_needs_review_instead_of_a_guess() -> None:
    advice = medication_hold("Zorblaxine 10 mg", FRIDAY)
    assert advice.med_class == MedClass.UNKNOWN
    assert advice.needs_review
    assert not advice.hold_needed
    assert advice.last_dose_on is None
    assert advice.instruction == messages.DRUG_NEEDS_REVIEW
    # A known name inside a longer word is not a match.
    assert medication_hold("apixabanol", FRIDAY).needs_review


def test_apixaban_last_dose_is_four_days_before_a_friday_procedure() -> None:
    # 3-day hold: no dose Tuesday, Wednesday, Thursday; last dose Monday.
    assert last_dose("apixaban") == MONDAY_BEFORE
    assert MONDAY_BEFORE.weekday() == 0


def test_last_dose_is_hold_days_plus_one_before_the_procedure() -> None:
    assert last_dose("warfarin") == dt.date(2026, 3, 7)  # 5-day hold: Saturday
    assert last_dose("clopidogrel") == dt.date(2026, 3, 5)  # 7-day hold: Thursday a week before
    assert last_dose("ibuprofen") == dt.date(2026, 3, 11)  # 1-day hold: Wednesday
    assert last_dose("liraglutide") == dt.date(2026, 3, 12)  # daily GLP-1: held on the day only
    # Calendar days across a month end (February 2026 has 28 days).
    assert last_dose("apixaban", dt.date(2026, 3, 3)) == dt.date(2026, 2, 27)


def test_the_last_dose_follows_the_booked_day_and_rebooking_recomputes_it() -> None:
    assert last_dose("apixaban", FRIDAY) == MONDAY_BEFORE
    assert last_dose("apixaban", NEXT_TUESDAY) == dt.date(2026, 3, 13)
    # Not booked yet: the hold is known but there is no date to give.
    advice = medication_hold("apixaban", None)
    assert advice.hold_needed
    assert advice.last_dose_on is None


def test_anticoagulants_and_antiplatelets_need_prescriber_clearance_nsaids_do_not() -> None:
    for drug in ("warfarin", "apixaban", "dabigatran", "enoxaparin", "clopidogrel", "aspirin"):
        assert medication_hold(drug, FRIDAY).needs_prescriber_clearance, drug
    for drug in ("ibuprofen", "naproxen", "meloxicam"):
        advice = medication_hold(drug, FRIDAY)
        assert advice.hold_needed, drug
        assert not advice.needs_prescriber_clearance, drug


def test_diabetes_drugs_have_no_fixed_hold_but_come_with_an_instruction() -> None:
    metformin = medication_hold("metformin", FRIDAY)
    assert not metformin.hold_needed
    assert metformin.last_dose_on is None
    assert not metformin.needs_review
    assert metformin.instruction == "Hold on the morning of the procedure"

    insulin = medication_hold("insulin", FRIDAY)
    assert not insulin.hold_needed
    assert insulin.instruction == "Dose adjusted the evening before and the day of"


def test_the_practice_can_replace_the_hold_table() -> None:
    table = {"apixaban": HoldRule("apixaban", MedClass.DOAC, 2, True, "Practice policy")}
    advice = medication_hold("Apixaban 2.5 mg", FRIDAY, table)
    assert advice.last_dose_on == dt.date(2026, 3, 10)  # 2-day hold: last dose Tuesday
    assert advice.instruction == "Practice policy"
    # A drug missing from the practice's table is not looked up in the defaults.
    assert medication_hold("warfarin", FRIDAY, table).needs_review


def test_every_class_but_no_hold_and_unknown_gives_the_patient_something_to_do() -> None:
    from mild.medications import needs_patient_instruction

    told = {c for c in MedClass if needs_patient_instruction(c)}
    assert told == set(MedClass) - {MedClass.OTHER, MedClass.UNKNOWN}


def test_the_advice_carries_the_hold_days_it_dated_the_last_dose_from() -> None:
    assert medication_hold("clopidogrel", FRIDAY).hold_days == 7
    assert medication_hold("metformin", FRIDAY).hold_days is None


def test_a_booking_too_soon_for_a_hold_names_the_drug_and_its_past_last_dose_date() -> None:
    import datetime as dt

    from mild.medications import last_dose_passed, late_holds

    today = dt.date(2026, 11, 24)  # a Tuesday
    holds = [("apixaban", 3), ("clopidogrel", 7), ("lisinopril", None), ("aspirin", 0)]
    # Booked for tomorrow: apixaban (3 days without) was due its last dose on Saturday.
    assert late_holds(holds, dt.date(2026, 11, 25), today) == [
        ("apixaban", dt.date(2026, 11, 21)),
        ("clopidogrel", dt.date(2026, 11, 17)),
    ]
    # Booked far enough ahead: nothing is late.
    assert late_holds(holds, dt.date(2026, 12, 9), today) == []
    assert last_dose_passed(dt.date(2026, 11, 23), today)
    assert not last_dose_passed(today, today)
    assert not last_dose_passed(None, today)
