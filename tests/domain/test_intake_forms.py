"""Every problem of an intake form at once (issue 13): the consult request, the assessment, the
escort, the coverage, the baseline ODI and a medication row each name all their problems, each
by its field, in the form's order; nothing stops at the first."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.clearances import (
    check_cardiology,
    check_device,
    check_hba1c,
    check_medicare,
    check_stop_bang,
)
from mild.days import at_local
from mild.errors import RuleViolations
from mild.intake import check_assessment, check_escort, check_new_patient, request_problems
from mild.medications import (
    ListedDrug,
    MedicationEntry,
    clearance_moment,
    drug_problems,
    entry_problems,
)
from mild.scores import ODI_SECTIONS, odi_problems, odi_score
from tests.builders import refusals

TODAY = dt.date(2026, 3, 10)
TZ = "America/New_York"
NOW = at_local(TZ, TODAY, dt.time(15, 0))


# --- the consult request ------------------------------------------------------------------------


def test_a_blank_request_for_a_new_patient_names_every_missing_field_in_the_forms_order():
    assert request_problems(
        mrn="",
        office_chosen=False,
        channel_chosen=False,
        phone="",
        new_patient=True,
        today=TODAY,
    ) == [
        ("mrn", messages.MRN_FORMAT),
        ("first_name", messages.PATIENT_NAME_REQUIRED),
        ("last_name", messages.PATIENT_NAME_REQUIRED),
        ("date_of_birth", messages.PATIENT_DOB_REQUIRED),
        ("office", messages.OFFICE_REQUIRED),
        ("channel", messages.REQUEST_CHANNEL_REQUIRED),
    ]


def test_a_request_for_a_known_patient_asks_nothing_of_names_birth_or_phone():
    assert request_problems(
        mrn="M100200",
        office_chosen=True,
        channel_chosen=False,
        phone="not a phone",
        new_patient=False,
        today=TODAY,
    ) == [("channel", messages.REQUEST_CHANNEL_REQUIRED)]


def test_each_name_says_its_own_problem_and_a_bad_phone_is_named_beside_them():
    assert request_problems(
        mrn="M100200",
        office_chosen=True,
        channel_chosen=True,
        phone="555",
        new_patient=True,
        first_name="A" * 81,
        last_name="*Lovelace*",
        date_of_birth=TODAY + dt.timedelta(days=1),
        today=TODAY,
    ) == [
        ("first_name", messages.TEXT_TOO_LONG.format(limit=80)),
        ("last_name", messages.PATIENT_NAME_CHARACTERS),
        ("date_of_birth", messages.PATIENT_DOB_RANGE),
        ("phone", messages.PHONE_FORMAT),
    ]


def test_a_new_patients_names_are_trimmed_once_nothing_is_wrong():
    assert check_new_patient("  Ada ", "Lovelace  King", dt.date(1951, 4, 2), TODAY) == (
        "Ada",
        "Lovelace King",
    )
    assert refusals(check_new_patient, "", "", None, TODAY) == [
        ("first_name", messages.PATIENT_NAME_REQUIRED),
        ("last_name", messages.PATIENT_NAME_REQUIRED),
        ("date_of_birth", messages.PATIENT_DOB_REQUIRED),
    ]


# --- the assessment ---------------------------------------------------------------------------


def test_the_assessment_refuses_every_out_of_range_value_at_once():
    assert refusals(
        check_assessment,
        asa_class=7,
        height_cm=260.0,
        weight_kg=20.0,
        nprs=11,
        walk_minutes=601,
        stand_minutes=-1,
    ) == [
        ("asa_class", messages.ASA_RANGE),
        ("height_cm", messages.HEIGHT_RANGE),
        ("weight_kg", messages.WEIGHT_RANGE),
        ("nprs", messages.NPRS_RANGE),
        ("walk_minutes", messages.MINUTES_RANGE),
        ("stand_minutes", messages.MINUTES_RANGE),
    ]


def test_a_height_without_a_weight_is_refused_beside_the_weight_with_the_others():
    assert refusals(
        check_assessment,
        asa_class=9,
        height_cm=170.0,
        weight_kg=None,
        nprs=None,
        walk_minutes=None,
        stand_minutes=None,
    ) == [("asa_class", messages.ASA_RANGE), ("weight_kg", messages.HEIGHT_WEIGHT_TOGETHER)]


def test_a_plausible_assessment_comes_back_with_its_bmi():
    checked = check_assessment(
        asa_class=2,
        height_cm=170.18,
        weight_kg=79.832,
        nprs=7,
        walk_minutes=10,
        stand_minutes=None,
    )
    assert (checked.asa_class, checked.bmi, checked.nprs, checked.walk_minutes) == (2, 27.6, 7, 10)


# --- the escort and the coverage --------------------------------------------------------------


def test_the_escort_names_a_missing_name_a_too_long_relationship_and_a_bad_phone_together():
    assert refusals(check_escort, "", "a neighbour " * 6, "555") == [
        ("escort_name", messages.ESCORT_NAME_AND_PHONE),
        ("escort_relationship", messages.TEXT_TOO_LONG.format(limit=60)),
        ("escort_phone", messages.PHONE_FORMAT),
    ]


def test_an_escort_is_name_and_phone_together_or_nothing():
    assert check_escort(" Ann ", "", "(312) 555-0100") == ("Ann", None, "(312) 555-0100")
    assert check_escort("", "", "") == (None, None, None)
    assert refusals(check_escort, "Ann", "", "") == [
        ("escort_phone", messages.ESCORT_NAME_AND_PHONE)
    ]
    assert refusals(check_escort, "", "daughter", "") == [
        ("escort_name", messages.ESCORT_NAME_AND_PHONE)
    ]


def test_a_medicare_study_number_malformed_and_without_enrolment_is_refused_twice():
    assert refusals(check_medicare, True, False, "NCT12") == [
        ("study_nct", messages.NCT_FORMAT),
        ("study_enrolled", messages.NCT_WITHOUT_ENROLMENT),
    ]


def test_a_clearances_values_are_refused_together_value_and_date():
    assert refusals(check_hba1c, 25.0, None, TODAY) == [
        ("hba1c_percent", messages.HBA1C_RANGE.format(low=3, high=20)),
        ("hba1c_measured_on", messages.CLEARANCE_DATE_REQUIRED),
    ]
    assert refusals(check_cardiology, "", TODAY + dt.timedelta(days=1), TODAY) == [
        ("cleared_by", messages.CARDIOLOGIST_REQUIRED),
        ("cleared_on", messages.CLEARANCE_DATE_FUTURE),
    ]
    assert refusals(check_stop_bang, {"snoring": True}, None, None) == [
        ("neck_cm", messages.NECK_RANGE.format(low=20, high=80)),
        ("sex", messages.SEX_REQUIRED),
    ]


def test_a_blank_device_names_each_of_its_six_fields():
    assert [
        f
        for f, _ in refusals(
            check_device,
            device_type=None,
            manufacturer="",
            indication=" ",
            pacing_dependent=None,
            last_interrogated_on=None,
            plan="",
            today=TODAY,
        )
    ] == [
        "device_type",
        "manufacturer",
        "indication",
        "pacing_dependent",
        "last_interrogated_on",
        "plan",
    ]


# --- the baseline ODI ---------------------------------------------------------------------------


def test_the_odi_names_each_section_out_of_range_and_too_few_answered_together():
    answers = {s: None for s in ODI_SECTIONS} | {"pain_intensity": 6, "walking": -1}
    assert odi_problems(answers) == [
        ("pain_intensity", messages.ODI_SECTION_RANGE.format(section="pain_intensity")),
        ("walking", messages.ODI_SECTION_RANGE.format(section="walking")),
        ("odi", messages.ODI_TOO_FEW_SECTIONS),
    ]
    with pytest.raises(RuleViolations):
        odi_score(answers)


def test_the_odi_is_scored_from_the_sections_answered():
    assert odi_score({s: 2 for s in ODI_SECTIONS}) == 40.0
    assert odi_score({s: 2 for s in ODI_SECTIONS[:8]}) == 40.0


# --- a medication row ---------------------------------------------------------------------------

APIXABAN = ListedDrug(
    "apixaban", needs_clearance=True, cleared=False, agreed_stop=False, timed_hold=True
)
LISINOPRIL = ListedDrug(
    "lisinopril", needs_clearance=False, cleared=False, agreed_stop=False, timed_hold=False
)
ASPIRIN_SECONDARY = ListedDrug(
    "aspirin, secondary prevention",
    needs_clearance=True,
    cleared=False,
    agreed_stop=True,
    timed_hold=False,
)


def test_a_new_drugs_form_names_every_problem_of_its_own_fields_at_once():
    entry = MedicationEntry(
        drug="**boom**",
        dose="5 mg " * 30,
        last_dose_day=TODAY,
        prescriber="Dr. Heart",
    )
    checked, problems = entry_problems(entry, new=True, tz=TZ, now=NOW)
    assert problems == [
        ("drug", messages.DRUG_NAME_CHARACTERS),
        ("dose", messages.TEXT_TOO_LONG.format(limit=120)),
        ("last_dose", messages.LAST_DOSE_REQUIRED),
        ("cleared_on", messages.CLEARED_ON_REQUIRED),
    ]
    assert checked.prescriber == "Dr. Heart"


def test_a_last_dose_later_than_now_and_a_clearance_dated_tomorrow_are_refused_together():
    entry = MedicationEntry(
        last_dose_day=TODAY,
        last_dose_time=dt.time(18, 0),
        prescriber="",
        cleared_on=TODAY + dt.timedelta(days=1),
    )
    _, problems = entry_problems(entry, new=False, tz=TZ, now=NOW)
    assert problems == [
        ("last_dose", messages.LAST_DOSE_IN_FUTURE),
        ("prescriber", messages.PRESCRIBER_REQUIRED),
        ("cleared_on", messages.CLEARED_ON_IN_FUTURE),
    ]


def test_a_clearance_more_than_a_year_old_is_refused():
    entry = MedicationEntry(prescriber="Dr. Heart", cleared_on=TODAY - dt.timedelta(days=400))
    _, problems = entry_problems(entry, new=False, tz=TZ, now=NOW)
    assert problems == [("cleared_on", messages.CLEARED_ON_TOO_OLD)]


def test_a_listed_drugs_entry_needs_no_name_and_comes_back_as_stored():
    entry = MedicationEntry(
        dose=" 5 mg ",
        last_dose_day=TODAY - dt.timedelta(days=4),
        last_dose_time=dt.time(8, 0),
        prescriber=" Dr. Heart ",
        cleared_on=TODAY - dt.timedelta(days=2),
        told=True,
    )
    checked, problems = entry_problems(entry, new=False, tz=TZ, now=NOW)
    assert problems == []
    assert checked.drug is None and checked.dose == "5 mg" and checked.prescriber == "Dr. Heart"
    assert checked.last_dose_at == at_local(TZ, TODAY - dt.timedelta(days=4), dt.time(8, 0))
    assert checked.cleared_at == at_local(TZ, TODAY - dt.timedelta(days=2), dt.time(12, 0))
    assert checked.told


def test_a_clearance_agreed_today_is_dated_now_and_an_earlier_one_at_mid_day_that_day():
    assert clearance_moment(TODAY, TZ, NOW) == NOW
    earlier = TODAY - dt.timedelta(days=3)
    assert clearance_moment(earlier, TZ, NOW) == at_local(TZ, earlier, dt.time(12, 0))


def test_a_clearance_is_refused_for_a_drug_that_needs_none_and_a_last_dose_for_one_not_held():
    entry = MedicationEntry(
        prescriber="Dr. Heart",
        cleared_on=TODAY,
        last_dose_day=TODAY,
        last_dose_time=dt.time(8, 0),
    )
    assert drug_problems(entry, LISINOPRIL) == (
        None,
        [
            ("prescriber", messages.CLEARANCE_NOT_NEEDED.format(drug="lisinopril")),
            ("last_dose", messages.LAST_DOSE_NOT_HELD.format(drug="lisinopril")),
        ],
    )
    assert drug_problems(entry, APIXABAN) == (None, [])


def test_a_clearance_already_on_file_is_not_recorded_twice():
    cleared = ListedDrug("apixaban", True, cleared=True, agreed_stop=False, timed_hold=True)
    entry = MedicationEntry(prescriber="Dr. Other", cleared_on=TODAY)
    assert drug_problems(entry, cleared)[1] == [
        ("prescriber", messages.CLEARANCE_ALREADY_RECORDED.format(drug="apixaban"))
    ]


def test_a_stop_left_to_the_prescriber_is_asked_with_the_clearance_and_then_holds_the_drug():
    entry = MedicationEntry(prescriber="Dr. Heart", cleared_on=TODAY)
    agreed, problems = drug_problems(entry, ASPIRIN_SECONDARY)
    assert agreed is None and [f for f, _ in problems] == ["agreed_stop_hours"]
    with_stop = MedicationEntry(
        prescriber="Dr. Heart",
        cleared_on=TODAY,
        agreed_stop_hours=144,
        last_dose_day=TODAY - dt.timedelta(days=7),
        last_dose_time=dt.time(8, 0),
    )
    assert drug_problems(with_stop, ASPIRIN_SECONDARY) == (144, [])
