"""US units at the desk, metric in the record (mild.units): exact factors, stated rounding, and
the range messages say the limits as a US practice types them."""

from __future__ import annotations

import pytest

from mild import messages
from mild.intake import HEIGHT_CM_RANGE, WEIGHT_KG_RANGE, body_problems
from mild.units import (
    CM_PER_INCH,
    KG_PER_POUND,
    cm_from_feet_inches,
    feet_inches_from_cm,
    height_text,
    kg_from_pounds,
    pounds_from_kg,
    weight_text,
)


def test_the_factors_are_the_exact_international_inch_and_pound():
    assert CM_PER_INCH == 2.54
    assert KG_PER_POUND == 0.45359237


def test_a_height_in_feet_and_inches_is_stored_in_centimetres_to_the_hundredth():
    assert cm_from_feet_inches(5, 7) == 170.18
    assert cm_from_feet_inches(5, 7.5) == 171.45  # a half inch is exact at 0.01 cm
    assert cm_from_feet_inches(6, 0) == 182.88


def test_a_blank_part_of_a_height_counts_as_zero_and_a_blank_height_is_none():
    assert cm_from_feet_inches(6, None) == 182.88
    assert cm_from_feet_inches(None, 70) == 177.8
    assert cm_from_feet_inches(None, None) is None


def test_a_stored_height_shows_in_feet_and_inches_to_the_nearest_half_inch():
    assert feet_inches_from_cm(170.18) == (5, 7.0)
    assert feet_inches_from_cm(170.0) == (5, 7.0)  # 66.93 in
    assert feet_inches_from_cm(171.45) == (5, 7.5)
    assert feet_inches_from_cm(182.8) == (6, 0.0)  # 71.97 in carries into the next foot
    assert height_text(171.45) == "5 ft 7.5 in"
    assert height_text(182.88) == "6 ft 0 in"


@pytest.mark.parametrize("feet", [3, 4, 5, 6, 7, 8])
@pytest.mark.parametrize("inches", [0, 0.5, 3, 6.5, 11, 11.5])
def test_every_whole_or_half_inch_height_comes_back_as_typed(feet, inches):
    assert feet_inches_from_cm(cm_from_feet_inches(feet, inches)) == (feet, inches)


def test_a_weight_in_pounds_is_stored_in_kilograms_to_the_gram_and_shown_to_a_tenth():
    assert kg_from_pounds(176) == 79.832
    assert kg_from_pounds(None) is None
    assert pounds_from_kg(79.832) == 176.0
    assert pounds_from_kg(80.0) == 176.4
    assert weight_text(79.832) == "176 lb"
    assert weight_text(80.0) == "176.4 lb"


@pytest.mark.parametrize("tenths", [552, 999, 1000, 1234, 1765, 1801, 2999, 4567, 7716])
def test_every_weight_typed_to_a_tenth_of_a_pound_comes_back_as_typed(tenths):
    pounds = tenths / 10
    assert pounds_from_kg(kg_from_pounds(pounds)) == pounds


def test_the_height_message_names_the_first_and_last_half_inch_the_range_accepts():
    assert HEIGHT_CM_RANGE == (100, 250)
    assert "3 ft 3.5 in and 8 ft 2 in (100 to 250 cm)" in messages.HEIGHT_RANGE
    fits = [
        (feet, inches)
        for feet, inches in ((3, 3.0), (3, 3.5), (8, 2.0), (8, 2.5))
        if not body_problems(cm_from_feet_inches(feet, inches), 80)
    ]
    assert fits == [(3, 3.5), (8, 2.0)]


def test_the_weight_message_names_the_first_and_last_tenth_of_a_pound_the_range_accepts():
    assert WEIGHT_KG_RANGE == (25, 350)
    assert "55.2 and 771.6 lb (25 to 350 kg)" in messages.WEIGHT_RANGE
    fits = [lb for lb in (55.1, 55.2, 771.6, 771.7) if not body_problems(170, kg_from_pounds(lb))]
    assert fits == [55.2, 771.6]
