"""Comorbidity clearances with their values: STOP-Bang with its alternative high-risk rule, the
values checked as typed, the practice's limits (warn or block, too old), dabigatran's stop
following the eGFR, Medicare's study enrolment."""

from __future__ import annotations

import datetime as dt

from mild import messages
from mild.clearances import (
    DEFAULT_LIMITS,
    PRACTICE,
    ClearanceValues,
    DeviceType,
    DeviceValues,
    Egfr,
    Hba1c,
    Limit,
    LimitAction,
    LimitKey,
    Sex,
    StopBangBand,
    check_cardiology,
    check_device,
    check_egfr,
    check_hba1c,
    check_limit,
    check_medicare,
    check_stop_bang,
    dabigatran_stop_hours,
    findings,
    medicare_study_missing,
    months_before,
    stop_bang,
)
from mild.intake import Condition
from tests.builders import STOP_BANG_ITEMS, refusal, stop_bang_answers

C = Condition
TODAY = dt.date(2026, 12, 6)


# --- STOP-Bang ----------------------------------------------------------------------------------


def test_stop_bang_is_low_to_2_intermediate_to_4_and_high_from_5() -> None:
    # One STOP answer at most, so the alternative rule never applies here.
    cases = [
        (stop_bang_answers(), 0),
        (stop_bang_answers("bmi_over_35"), 1),
        (stop_bang_answers("bmi_over_35", "age_over_50"), 2),
        (stop_bang_answers("bmi_over_35", "age_over_50", neck_cm=41), 3),
        (stop_bang_answers("snoring", "bmi_over_35", "age_over_50", neck_cm=41), 4),
        (stop_bang_answers("snoring", "bmi_over_35", "age_over_50", neck_cm=41, sex=Sex.MALE), 5),
    ]
    results = [stop_bang(a) for a, _ in cases]
    assert [r.score for r in results] == [n for _, n in cases]
    assert [r.band for r in results] == [
        "low",
        "low",
        "low",
        "intermediate",
        "intermediate",
        "high",
    ]
    assert not any(r.high_by_alternative_rule for r in results)
    everything = stop_bang(stop_bang_answers(*STOP_BANG_ITEMS, neck_cm=45, sex=Sex.MALE))
    assert (everything.score, everything.band) == (8, StopBangBand.HIGH)


def test_the_neck_counts_for_stop_bang_only_over_40_cm_and_male_sex_counts_one() -> None:
    assert stop_bang(stop_bang_answers(neck_cm=40)).score == 0
    assert stop_bang(stop_bang_answers(neck_cm=40.5)).score == 1
    assert stop_bang(stop_bang_answers(sex=Sex.MALE)).score == 1


def test_stop_bang_is_high_with_two_stop_answers_and_male_sex() -> None:
    result = stop_bang(stop_bang_answers("snoring", "tired", sex=Sex.MALE))
    assert (result.score, result.band, result.high_by_alternative_rule) == (3, "high", True)


def test_stop_bang_is_high_with_two_stop_answers_and_a_neck_over_43_cm_in_a_man() -> None:
    result = stop_bang(stop_bang_answers("snoring", "observed_apnea", neck_cm=43.5, sex=Sex.MALE))
    assert (result.score, result.band, result.high_by_alternative_rule) == (4, "high", True)


def test_stop_bang_is_high_with_two_stop_answers_and_a_neck_over_41_cm_in_a_woman() -> None:
    assert stop_bang(stop_bang_answers("snoring", "tired", neck_cm=41.5)).band == "high"
    # At 41 cm only the neck item (N) counts.
    assert stop_bang(stop_bang_answers("snoring", "tired", neck_cm=41)).band == "intermediate"


def test_stop_bang_is_high_with_two_stop_answers_and_a_bmi_over_35() -> None:
    result = stop_bang(stop_bang_answers("tired", "high_blood_pressure", "bmi_over_35"))
    assert (result.score, result.band, result.high_by_alternative_rule) == (3, "high", True)


def test_one_stop_answer_with_male_sex_is_not_high_by_the_alternative_rule() -> None:
    result = stop_bang(stop_bang_answers("snoring", "bmi_over_35", sex=Sex.MALE))
    assert (result.band, result.high_by_alternative_rule) == ("intermediate", False)


def test_stop_bang_needs_the_neck_in_cm_and_the_sex() -> None:
    assert refusal(check_stop_bang, {"snoring": True}, None, "male") == (
        "neck_cm",
        messages.NECK_RANGE.format(low=20, high=80),
    )
    assert refusal(check_stop_bang, {"snoring": True}, 42, None) == (
        "sex",
        messages.SEX_REQUIRED,
    )
    checked = check_stop_bang({"snoring": True}, 42.26, "male")
    assert checked.yes == ("snoring",) and (checked.neck_cm, checked.sex) == (42.3, Sex.MALE)


# --- the values as typed ------------------------------------------------------------------------


def test_hba1c_is_a_percentage_from_3_to_20_with_the_date_it_was_measured() -> None:
    assert check_hba1c(7.25, TODAY, TODAY) == Hba1c(7.2, TODAY)
    for bad in (2.9, 20.1, None, float("nan"), True):
        assert refusal(check_hba1c, bad, TODAY, TODAY) == (
            "hba1c_percent",
            messages.HBA1C_RANGE.format(low=3, high=20),
        )
    assert refusal(check_hba1c, 7, None, TODAY) == (
        "hba1c_measured_on",
        messages.CLEARANCE_DATE_REQUIRED,
    )


def test_a_value_date_cannot_be_in_the_future_or_older_than_five_years() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    assert refusal(check_egfr, 60, tomorrow, TODAY) == (
        "egfr_measured_on",
        messages.CLEARANCE_DATE_FUTURE,
    )
    assert refusal(check_egfr, 60, dt.date(2021, 12, 5), TODAY) == (
        "egfr_measured_on",
        messages.CLEARANCE_DATE_TOO_OLD.format(years=5),
    )
    assert check_egfr(59.6, dt.date(2021, 12, 6), TODAY) == Egfr(59.6, dt.date(2021, 12, 6))


def test_egfr_is_1_to_200() -> None:
    for bad in (0, 201, "60"):
        assert refusal(check_egfr, bad, TODAY, TODAY)[0] == "egfr_value"


def test_a_device_needs_type_manufacturer_indication_pacing_dependence_interrogation_and_plan():
    full = {
        "device_type": "icd",
        "manufacturer": "Medtronic",
        "indication": "VT",
        "pacing_dependent": False,
        "last_interrogated_on": TODAY,
        "plan": "Magnet on the generator; tachy therapies off",
        "today": TODAY,
    }
    assert check_device(**full) == DeviceValues(
        DeviceType.ICD,
        "Medtronic",
        "VT",
        False,
        TODAY,
        "Magnet on the generator; tachy therapies off",
    )
    for field, empty, message in (
        ("device_type", None, messages.DEVICE_TYPE_REQUIRED),
        ("manufacturer", " ", messages.DEVICE_FIELD_REQUIRED),
        ("indication", "", messages.DEVICE_FIELD_REQUIRED),
        ("pacing_dependent", None, messages.PACING_DEPENDENT_REQUIRED),
        ("last_interrogated_on", None, messages.CLEARANCE_DATE_REQUIRED),
        ("plan", "", messages.DEVICE_FIELD_REQUIRED),
    ):
        assert refusal(check_device, **{**full, field: empty}) == (field, message)


def test_a_cardiology_clearance_names_the_cardiologist_and_its_date() -> None:
    assert refusal(check_cardiology, "  ", TODAY, TODAY) == (
        "cleared_by",
        messages.CARDIOLOGIST_REQUIRED,
    )
    assert check_cardiology(" Dr. Heart ", TODAY, TODAY).cleared_by == "Dr. Heart"


# --- Medicare -----------------------------------------------------------------------------------


def test_a_medicare_study_is_recorded_with_an_nct_number_of_8_digits() -> None:
    assert check_medicare(True, True, " nct03610737 ") == (True, True, "NCT03610737")
    assert check_medicare(True, False, "") == (True, False, None)
    assert check_medicare(False, False, "") == (False, None, None)
    assert check_medicare(None, False, "") == (None, None, None)
    assert refusal(check_medicare, True, True, "NCT0361073") == ("study_nct", messages.NCT_FORMAT)
    assert refusal(check_medicare, True, False, "NCT03610737") == (
        "study_enrolled",
        messages.NCT_WITHOUT_ENROLMENT,
    )
    assert refusal(check_medicare, False, True, "") == (
        "medicare",
        messages.MEDICARE_STUDY_ONLY_FOR_MEDICARE,
    )


def test_only_a_medicare_case_misses_its_study() -> None:
    assert medicare_study_missing(True, True, None)
    assert not medicare_study_missing(True, True, "NCT03610737")
    assert not medicare_study_missing(False, None, None)
    assert not medicare_study_missing(None, None, None)


# --- the practice's limits ----------------------------------------------------------------------


def judged(values: ClearanceValues, *conditions: Condition, dabigatran=False, limits=()):
    return [
        (f.key, f.action)
        for f in findings(
            values, set(conditions), {x.key: x for x in limits}, on=TODAY, on_dabigatran=dabigatran
        )
    ]


def test_every_default_limit_has_a_source_and_unsourced_numbers_say_practice_policy() -> None:
    assert {x.key for x in DEFAULT_LIMITS} == set(LimitKey)
    assert all(x.source for x in DEFAULT_LIMITS)
    by_key = {x.key: x for x in DEFAULT_LIMITS}
    assert by_key[LimitKey.EGFR_MAX_AGE].source == PRACTICE
    assert by_key[LimitKey.CARDIOLOGY_MAX_AGE].source == PRACTICE
    assert (by_key[LimitKey.HBA1C_MAX].value, by_key[LimitKey.EGFR_DABIGATRAN].value) == (8, 50)


def test_an_hba1c_above_the_limit_warns_by_default_and_blocks_when_the_practice_says_so() -> None:
    high = ClearanceValues(hba1c=Hba1c(8.1, TODAY))
    assert judged(high, C.DIABETES) == [(LimitKey.HBA1C_MAX, LimitAction.WARN)]
    assert judged(ClearanceValues(hba1c=Hba1c(8.0, TODAY)), C.DIABETES) == []
    block = Limit(LimitKey.HBA1C_MAX, 7.5, "%", LimitAction.BLOCK, "practice")
    at_75 = ClearanceValues(hba1c=Hba1c(7.6, TODAY))
    assert judged(at_75, C.DIABETES, limits=[block]) == [(LimitKey.HBA1C_MAX, LimitAction.BLOCK)]


def test_an_egfr_below_30_warns_that_contrast_needs_a_plan() -> None:
    low = ClearanceValues(egfr=Egfr(28, TODAY))
    assert judged(low, C.KIDNEY_DISEASE) == [(LimitKey.EGFR_CONTRAST, LimitAction.WARN)]
    assert judged(low) == []  # no kidney disease, no dabigatran: not asked for, not judged


def test_an_egfr_below_50_on_dabigatran_says_its_stop_is_6_days() -> None:
    impaired = ClearanceValues(egfr=Egfr(45, TODAY))
    (finding,) = findings(impaired, set(), {}, on=TODAY, on_dabigatran=True)
    assert finding.text == (
        "eGFR 45 is below 50 mL/min/1.73 m2: dabigatran is stopped 6 days before"
    )


def test_dabigatrans_stop_is_144_hours_below_the_egfr_limit_else_the_hold_tables() -> None:
    limit = Limit(LimitKey.EGFR_DABIGATRAN, 50, "mL/min/1.73 m2", LimitAction.WARN, "ASRA")
    assert dabigatran_stop_hours(49, limit, 120) == 144
    assert dabigatran_stop_hours(50, limit, 120) == 120
    assert dabigatran_stop_hours(None, limit, 120) == 120
    assert dabigatran_stop_hours(30, limit, 168) == 168  # a longer table stop is kept
    assert dabigatran_stop_hours(55, None, 120) == 120  # the default limit when none is stored


def test_device_interrogations_go_stale_by_device_type() -> None:
    seven_months = months_before(TODAY, 7)

    def device(kind: DeviceType) -> ClearanceValues:
        return ClearanceValues(device=DeviceValues(kind, "m", "i", True, seven_months, "p"))

    assert judged(device(DeviceType.PACEMAKER), C.IMPLANTED_DEVICE) == []
    assert judged(device(DeviceType.ICD), C.IMPLANTED_DEVICE) == [
        (LimitKey.ICD_CHECK_MAX_AGE, LimitAction.WARN)
    ]
    assert judged(device(DeviceType.CRT_D), C.IMPLANTED_DEVICE) == [
        (LimitKey.CRT_CHECK_MAX_AGE, LimitAction.WARN)
    ]
    assert judged(device(DeviceType.OTHER), C.IMPLANTED_DEVICE) == []


def test_a_limit_edit_needs_a_value_in_its_units_bounds_an_action_and_a_source() -> None:
    assert check_limit("hba1c_max", 8.5, "block", " ADA ") == Limit(
        LimitKey.HBA1C_MAX, 8.5, "%", LimitAction.BLOCK, "ADA"
    )
    assert refusal(check_limit, "hba1c_max", 25, "warn", "x") == (
        "value",
        messages.LIMIT_RANGE.format(low=3, high=20, unit="%"),
    )
    assert refusal(check_limit, "hba1c_max_age", 2.5, "warn", "x") == (
        "value",
        messages.LIMIT_WHOLE_MONTHS,
    )
    assert refusal(check_limit, "hba1c_max", 8, None, "x") == (
        "action",
        messages.LIMIT_ACTION_REQUIRED,
    )
    assert refusal(check_limit, "hba1c_max", 8, "warn", " ") == (
        "source",
        messages.LIMIT_SOURCE_REQUIRED,
    )
    assert refusal(check_limit, "nope", 8, "warn", "x") == ("key", messages.LIMIT_UNKNOWN)


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(dt.date(2026, 12, 6), 3) == dt.date(2026, 9, 6)
    assert months_before(dt.date(2026, 5, 31), 3) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_an_egfr_just_under_the_dabigatran_limit_is_not_rounded_over_it():
    import datetime as dt

    from mild.clearances import check_egfr, dabigatran_stop_hours

    egfr = check_egfr(49.6, dt.date(2026, 12, 1), dt.date(2026, 12, 6))
    assert egfr.value == 49.6
    assert dabigatran_stop_hours(egfr.value, None, 120) == 144
