"""Intake: what each condition brings, BMI and ASA class; the intake form's rules (STOP-Bang and
the other comorbidity values: tests/domain/test_clearances.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.intake import (
    Condition,
    Need,
    Requirement,
    asa_needs_review,
    bmi,
    body_mass_index,
    check_asa_class,
    check_drug_name,
    check_drug_reviewer,
    check_escort,
    check_intake_editable,
    check_new_patient,
    check_tolerance_minutes,
    day_of_tasks,
    hold_confirmation_blocker,
    needs_for,
    normalize_mrn,
    required_clearances,
)
from mild.staff import Role
from tests.builders import refusal

C = Condition
CARDIOLOGY = Need(
    C.HEART_DISEASE, Requirement.CLEARANCE, "Cardiology clearance: who cleared it and when"
)
HBA1C = Need(C.DIABETES, Requirement.CLEARANCE, "HbA1c value and date")
GLUCOSE = Need(C.DIABETES, Requirement.DAY_OF, "Point-of-care glucose on arrival")


def test_heart_disease_needs_cardiology_clearance_before_booking() -> None:
    assert required_clearances([C.HEART_DISEASE]) == [CARDIOLOGY]
    assert day_of_tasks([C.HEART_DISEASE]) == []


def test_diabetes_needs_an_hba1c_on_file_and_a_glucose_check_on_arrival() -> None:
    assert required_clearances([C.DIABETES]) == [HBA1C]
    assert day_of_tasks([C.DIABETES]) == [GLUCOSE]


def test_a_condition_flagged_twice_brings_its_needs_once_in_flag_order() -> None:
    assert needs_for([C.DIABETES, C.HEART_DISEASE, C.DIABETES]) == [HBA1C, GLUCOSE, CARDIOLOGY]
    assert needs_for([]) == []


def test_bmi_is_weight_over_height_in_metres_squared_to_one_decimal() -> None:
    assert bmi(175, 98) == 32.0  # 98 / 1.75^2 = 32.0
    assert bmi(170, 70) == 24.2  # 70 / 2.89 = 24.22
    assert bmi(100, 25) == 25.0  # lowest accepted height and weight
    assert bmi(250, 350) == 56.0  # highest accepted height and weight


def test_height_and_weight_out_of_range_are_refused_on_their_field() -> None:
    for height in (99, 251):
        with pytest.raises(RuleViolation) as caught:
            bmi(height, 70)
        assert (caught.value.field, caught.value.message) == ("height_cm", messages.HEIGHT_RANGE)
    for weight in (24, 351):
        with pytest.raises(RuleViolation) as caught:
            bmi(170, weight)
        assert (caught.value.field, caught.value.message) == ("weight_kg", messages.WEIGHT_RANGE)


def test_asa_class_is_1_to_6_and_above_3_needs_review_before_an_ambulatory_booking() -> None:
    for asa in (0, 7):
        with pytest.raises(RuleViolation) as caught:
            check_asa_class(asa)
        assert (caught.value.field, caught.value.message) == ("asa_class", messages.ASA_RANGE)
    assert [asa_needs_review(asa) for asa in range(1, 7)] == [False, False, False, True, True, True]


# --- the intake form: patients, editing window, baseline, escort, drug names ----------------

TODAY = dt.date(2026, 3, 13)


def test_an_mrn_is_stored_upper_case_and_is_4_to_20_letters_digits_or_dashes() -> None:
    assert normalize_mrn("  d000-0429 ") == "D000-0429"
    for bad in ("", "abc", "M 100200", "M100200*", "X" * 21):
        assert refusal(normalize_mrn, bad) == ("mrn", messages.MRN_FORMAT)


def test_a_new_patient_needs_plain_names_and_a_birth_date_in_the_last_120_years() -> None:
    assert check_new_patient(" Ada ", "O'Brien-Smith", dt.date(1951, 4, 2), TODAY) == (
        "Ada",
        "O'Brien-Smith",
    )
    assert refusal(check_new_patient, " ", "Lovelace", dt.date(1951, 4, 2), TODAY) == (
        "first_name",
        messages.PATIENT_NAME_REQUIRED,
    )
    assert refusal(check_new_patient, "Ada", "*Love*", dt.date(1951, 4, 2), TODAY) == (
        "last_name",
        messages.PATIENT_NAME_CHARACTERS,
    )
    assert refusal(check_new_patient, "Ada", "Lovelace", None, TODAY) == (
        "date_of_birth",
        messages.PATIENT_DOB_REQUIRED,
    )
    for born in (TODAY, dt.date(1906, 3, 13)):
        assert refusal(check_new_patient, "Ada", "Lovelace", born, TODAY) == (
            "date_of_birth",
            messages.PATIENT_DOB_RANGE,
        )


def test_intake_details_are_recorded_after_start_intake_and_before_check_in() -> None:
    check_intake_editable(CaseStatus.INTAKE)
    check_intake_editable(CaseStatus.SCHEDULED)
    assert refusal(check_intake_editable, CaseStatus.REQUESTED) == (
        "status",
        messages.INTAKE_NOT_STARTED,
    )
    assert refusal(check_intake_editable, CaseStatus.CHECKED_IN) == (
        "status",
        messages.INTAKE_NOT_OPEN.format(status="Checked in"),
    )


def test_bmi_needs_height_and_weight_together_or_neither() -> None:
    assert body_mass_index(None, None) is None
    assert body_mass_index(160, 100) == 39.1
    assert refusal(body_mass_index, 160, None) == ("weight_kg", messages.HEIGHT_WEIGHT_TOGETHER)
    assert refusal(body_mass_index, None, 80) == ("height_cm", messages.HEIGHT_WEIGHT_TOGETHER)


def test_tolerance_minutes_are_whole_minutes_from_0_to_600() -> None:
    assert [check_tolerance_minutes(m, "walk_minutes") for m in (None, 0, 600)] == [None, 0, 600]
    for bad in (-1, 601, 2.5):
        assert refusal(check_tolerance_minutes, bad, "walk_minutes") == (
            "walk_minutes",
            messages.MINUTES_RANGE,
        )


def test_a_escort_is_a_name_and_a_phone_with_an_optional_relationship() -> None:
    assert check_escort(" Ann Escort ", "", "(312) 555-0100") == (
        "Ann Escort",
        None,
        "(312) 555-0100",
    )
    assert check_escort("", "", "") == (None, None, None)
    assert refusal(check_escort, "", "son", "") == ("escort_name", messages.ESCORT_NAME_AND_PHONE)
    assert refusal(check_escort, "Ann", "", "") == ("escort_phone", messages.ESCORT_NAME_AND_PHONE)
    assert refusal(check_escort, "Ann", "", "555-01") == ("escort_phone", messages.PHONE_FORMAT)
    assert refusal(check_escort, "Ann", "", "call 5550100") == (
        "escort_phone",
        messages.PHONE_FORMAT,
    )


def test_drug_names_are_plain_text_and_only_nurses_review_unknown_drugs() -> None:
    assert check_drug_name("  Fish   oil 1,000 mg (daily) ") == "Fish oil 1,000 mg (daily)"
    assert refusal(check_drug_name, " ") == ("drug", messages.DRUG_REQUIRED)
    for bad in ("**boom**", "[x](http://a)", ":red[x]", "a_b"):
        assert refusal(check_drug_name, bad) == ("drug", messages.DRUG_NAME_CHARACTERS)
    check_drug_reviewer(Role.NURSE)
    check_drug_reviewer(Role.ADMIN)
    assert refusal(check_drug_reviewer, Role.COORDINATOR) == ("review", messages.DRUG_REVIEW_ROLE)


def test_the_patient_is_told_about_a_hold_only_once_it_is_dated_and_cleared() -> None:
    facts = {
        "needs_review": False,
        "patient_instructed": True,
        "dated_hold": True,
        "last_dose_known": True,
        "needs_clearance": True,
        "cleared": True,
        "drug": "apixaban",
    }
    assert hold_confirmation_blocker(**facts) is None
    assert hold_confirmation_blocker(**{**facts, "last_dose_known": False}) == (
        "hold",
        messages.HOLD_NEEDS_BOOKING,
    )
    assert hold_confirmation_blocker(**{**facts, "cleared": False}) == (
        "hold",
        messages.HOLD_NEEDS_CLEARANCE.format(drug="apixaban"),
    )
    assert hold_confirmation_blocker(**{**facts, "needs_review": True}) == (
        "hold",
        messages.HOLD_NEEDS_REVIEW,
    )
    # Dose adjustments (metformin) have no date to wait for.
    assert (
        hold_confirmation_blocker(
            **{**facts, "dated_hold": False, "last_dose_known": False, "needs_clearance": False}
        )
        is None
    )
