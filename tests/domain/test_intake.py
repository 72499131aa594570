"""Intake: what each condition brings, BMI, ASA class and STOP-BANG."""

from __future__ import annotations

import pytest

from mild import messages
from mild.errors import RuleViolation
from mild.intake import (
    Condition,
    Need,
    Requirement,
    asa_needs_review,
    bmi,
    check_asa_class,
    day_of_tasks,
    needs_for,
    required_clearances,
    stop_bang,
)

C = Condition
CARDIOLOGY = Need(C.HEART_DISEASE, Requirement.CLEARANCE, "Cardiology clearance on file")
HBA1C = Need(C.DIABETES, Requirement.CLEARANCE, "Last HbA1c on file")
GLUCOSE = Need(C.DIABETES, Requirement.DAY_OF, "Point-of-care glucose on arrival")
STOP_BANG_ITEMS = (
    "snoring",
    "tired",
    "observed_apnea",
    "high_blood_pressure",
    "bmi_over_35",
    "age_over_50",
    "neck_over_40cm",
    "male",
)


def stop_bang_with(yes: int) -> tuple[int, str]:
    """STOP-BANG with the first `yes` items answered yes and the rest no."""
    return stop_bang(**{item: i < yes for i, item in enumerate(STOP_BANG_ITEMS)})


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


def test_stop_bang_is_low_to_2_intermediate_to_4_and_high_from_5() -> None:
    assert [stop_bang_with(n) for n in range(9)] == [
        (0, "low"),
        (1, "low"),
        (2, "low"),
        (3, "intermediate"),
        (4, "intermediate"),
        (5, "high"),
        (6, "high"),
        (7, "high"),
        (8, "high"),
    ]
