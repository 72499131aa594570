"""Readiness: the items missing before a case may be confirmed for its day, in a stable order."""

from __future__ import annotations

import datetime as dt

from mild import messages
from mild.clearances import (
    CardiologyClearance,
    ClearanceValues,
    Egfr,
    Hba1c,
    Limit,
    LimitAction,
    LimitKey,
)
from mild.intake import Condition
from mild.medications import MedClass
from mild.readiness import (
    CaseFacts,
    ConditionFact,
    MedicationFact,
    is_ready,
    missing_items,
    warnings,
)
from tests.builders import stop_bang_answers

C = Condition
DAY = dt.date(2026, 12, 14)
CLEARED = CardiologyClearance("Dr. Heart", DAY - dt.timedelta(days=30))
QUIET_SLEEPER = stop_bang_answers("high_blood_pressure", "age_over_50", neck_cm=38)


def ready_facts(**changes) -> CaseFacts:
    """A case with nothing missing; `changes` take one thing away."""
    base = {
        "asa_recorded": True,
        "provider_set": True,
        "booked": True,
        "escort_name": "Ann Escort",
        "escort_phone": "555-0100",
        "judged_on": DAY,
        "medicare": False,
    }
    return CaseFacts(**{**base, **changes})


def apixaban(**changes) -> MedicationFact:
    base = {
        "drug": "apixaban",
        "med_class": MedClass.DOAC,
        "needs_prescriber_clearance": True,
        "hold_needed": True,
    }
    return MedicationFact(**{**base, **changes})


def test_a_case_with_everything_on_file_is_ready() -> None:
    facts = ready_facts(
        conditions=(ConditionFact(C.HEART_DISEASE), ConditionFact(C.LATEX_ALLERGY)),
        values=ClearanceValues(cardiology=CLEARED),
        medications=(apixaban(cleared=True, hold_confirmed_with_patient=True),),
    )
    assert missing_items(facts) == []
    assert is_ready(facts)


def test_an_empty_case_misses_asa_provider_booking_medicare_and_escort_in_that_order() -> None:
    assert missing_items(CaseFacts()) == [
        "ASA class",
        "Provider chosen",
        "Booked day and start time",
        "Medicare coverage: yes or no (Medicare covers MILD only inside a study)",
        "Escort arranged",
    ]


def test_medicare_coverage_unanswered_is_missing_and_either_answer_clears_it() -> None:
    """NCD 150.13: Medicare covers MILD only inside an approved study, so whether Medicare
    covers the patient must be answered before the day; "no" needs nothing more."""
    assert missing_items(ready_facts(medicare=None)) == [messages.READY_MEDICARE_ANSWER]
    assert missing_items(ready_facts(medicare=False)) == []
    assert missing_items(ready_facts(medicare=True)) == [messages.READY_MEDICARE_STUDY]


def test_each_flagged_condition_names_its_missing_clearance_and_day_of_tasks_are_not_items():
    facts = ready_facts(
        conditions=(
            ConditionFact(C.DIABETES),
            ConditionFact(C.HEART_DISEASE),
            ConditionFact(C.LATEX_ALLERGY),  # a day-of task only: nothing to clear before
            ConditionFact(C.SLEEP_APNEA),
            ConditionFact(C.BLEEDING_DISORDER, cleared=True),  # a bare tick clears this one
        ),
        values=ClearanceValues(stop_bang=QUIET_SLEEPER),
    )
    # Condition order, not the order the flags were recorded in.
    assert missing_items(facts) == [
        "Cardiology clearance: who cleared it and when (heart disease)",
        "HbA1c value and date (diabetes)",
    ]


def test_an_anticoagulant_needs_the_prescribers_clearance_and_the_patient_told() -> None:
    facts = ready_facts(medications=(apixaban(),))
    assert missing_items(facts) == [
        "Prescriber clearance to stop apixaban",
        "Hold instructions confirmed with the patient: apixaban",
    ]
    cleared = ready_facts(medications=(apixaban(cleared=True),))
    assert missing_items(cleared) == ["Hold instructions confirmed with the patient: apixaban"]


def test_an_unknown_drug_must_be_reviewed_and_a_no_hold_drug_needs_nothing() -> None:
    facts = ready_facts(
        medications=(
            MedicationFact("zorblaxine", MedClass.UNKNOWN, needs_review=True),
            MedicationFact("lisinopril", MedClass.OTHER),
        )
    )
    assert missing_items(facts) == ["Review unknown drug: zorblaxine"]


def test_diabetes_drugs_without_a_fixed_hold_still_need_their_instructions_confirmed() -> None:
    facts = ready_facts(
        medications=(MedicationFact("metformin", MedClass.DIABETES, hold_needed=True),)
    )
    assert missing_items(facts) == ["Hold instructions confirmed with the patient: metformin"]


def test_a_escort_needs_both_a_name_and_a_phone() -> None:
    assert missing_items(ready_facts(escort_phone="  ")) == ["Escort arranged"]
    assert missing_items(ready_facts(escort_name=None)) == ["Escort arranged"]


def test_the_full_order_is_asa_provider_booking_clearances_medicare_reviews_holds_escort():
    facts = CaseFacts(
        conditions=(ConditionFact(C.KIDNEY_DISEASE),),
        medications=(
            apixaban(),
            MedicationFact("foo", MedClass.UNKNOWN, needs_review=True),
            MedicationFact("naproxen", MedClass.NSAID, hold_needed=True),
        ),
    )
    assert missing_items(facts) == [
        "ASA class",
        "Provider chosen",
        "Booked day and start time",
        "eGFR value and date (kidney disease)",
        messages.READY_MEDICARE_ANSWER,
        "Review unknown drug: foo",
        "Prescriber clearance to stop apixaban",
        "Hold instructions confirmed with the patient: apixaban",
        "Hold instructions confirmed with the patient: naproxen",
        "Escort arranged",
    ]


def test_a_hold_whose_last_dose_time_has_passed_says_so_until_confirmed_with_the_patient() -> None:
    import datetime as dt

    now = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)  # Tue 10:00 in New York
    due = dt.datetime(2026, 11, 21, 14, 0, tzinfo=dt.UTC)  # Sat 09:00 EST
    late = apixaban(cleared=True, last_dose_by=due)
    facts = ready_facts(medications=(late,), now=now, timezone="America/New_York")
    assert missing_items(facts) == [
        "Hold for apixaban: the last dose was due Sat 21 Nov 09:00 EST, already past. Check the "
        "patient stopped in time, or book a later day"
    ]
    on_time = apixaban(cleared=True, last_dose_by=now + dt.timedelta(hours=1))  # still in time
    assert missing_items(ready_facts(medications=(on_time,), now=now)) == [
        "Hold instructions confirmed with the patient: apixaban"
    ]
    told = apixaban(cleared=True, last_dose_by=due, hold_confirmed_with_patient=True)
    assert missing_items(ready_facts(medications=(told,), now=now)) == []


# --- comorbidity values, the practice's limits, Medicare (issue 9) -------------------------


def test_a_bare_tick_no_longer_clears_a_condition_whose_clearance_is_values() -> None:
    ticked = ready_facts(conditions=(ConditionFact(C.DIABETES, cleared=True),))
    assert missing_items(ticked) == ["HbA1c value and date (diabetes)"]
    valued = ready_facts(
        conditions=(ConditionFact(C.DIABETES),),
        values=ClearanceValues(hba1c=Hba1c(6.9, DAY - dt.timedelta(days=20))),
    )
    assert missing_items(valued) == []


def test_each_valued_condition_names_precisely_what_is_missing() -> None:
    facts = ready_facts(
        conditions=tuple(
            ConditionFact(c)
            for c in (
                C.KIDNEY_DISEASE,
                C.SLEEP_APNEA,
                C.DIABETES,
                C.IMPLANTED_DEVICE,
                C.HEART_DISEASE,
            )
        )
    )
    assert missing_items(facts) == [
        "Cardiology clearance: who cleared it and when (heart disease)",
        "Device type, manufacturer, indication, pacing dependence, last interrogation and plan "
        "(implanted device)",
        "HbA1c value and date (diabetes)",
        "STOP-Bang answers (sleep apnea)",
        "eGFR value and date (kidney disease)",
    ]


def test_dabigatran_needs_an_egfr_even_without_kidney_disease_flagged() -> None:
    pradaxa = MedicationFact("dabigatran", MedClass.DOAC, hold_confirmed_with_patient=True)
    assert missing_items(ready_facts(medications=(pradaxa,))) == [
        "eGFR value and date (dabigatran)"
    ]
    known = ClearanceValues(egfr=Egfr(70, DAY - dt.timedelta(days=10)))
    assert missing_items(ready_facts(medications=(pradaxa,), values=known)) == []


def test_a_value_over_a_warn_limit_is_a_warning_and_over_a_block_limit_a_missing_item() -> None:
    high = ClearanceValues(hba1c=Hba1c(9.1, DAY - dt.timedelta(days=20)))
    diabetic = (ConditionFact(C.DIABETES),)
    sentence = (
        "HbA1c 9.1% is above the practice's limit of 8%: elective surgery is usually postponed"
    )
    warned = ready_facts(conditions=diabetic, values=high)
    assert missing_items(warned) == [] and warnings(warned) == [sentence]
    block = Limit(LimitKey.HBA1C_MAX, 8.0, "%", LimitAction.BLOCK, "practice")
    blocked = ready_facts(conditions=diabetic, values=high, limits=(block,))
    assert missing_items(blocked) == [sentence] and warnings(blocked) == []


def test_a_value_older_than_the_policy_warns_on_the_procedure_day() -> None:
    old = ClearanceValues(hba1c=Hba1c(6.5, dt.date(2026, 9, 13)))  # DAY - 3 months - 1 day
    facts = ready_facts(conditions=(ConditionFact(C.DIABETES),), values=old)
    assert warnings(facts) == [
        "HbA1c measured 13 Sep 2026 is older than 3 months on the procedure day"
    ]
    just_in_time = ClearanceValues(hba1c=Hba1c(6.5, dt.date(2026, 9, 14)))
    assert warnings(ready_facts(conditions=(ConditionFact(C.DIABETES),), values=just_in_time)) == []


def test_a_one_month_age_limit_reads_one_month() -> None:
    old = ClearanceValues(hba1c=Hba1c(6.5, DAY - dt.timedelta(days=45)))
    one_month = Limit(LimitKey.HBA1C_MAX_AGE, 1, "months", LimitAction.WARN, "practice")
    facts = ready_facts(conditions=(ConditionFact(C.DIABETES),), values=old, limits=(one_month,))
    assert warnings(facts) == [
        "HbA1c measured 30 Oct 2026 is older than 1 month on the procedure day"
    ]


def test_a_medicare_case_needs_study_enrolment_and_its_nct_number() -> None:
    assert missing_items(ready_facts(medicare=True)) == [
        "Study enrolment and NCT number (Medicare)"
    ]
    assert missing_items(ready_facts(medicare=True, study_enrolled=True)) == [
        "Study enrolment and NCT number (Medicare)"
    ]
    enrolled = ready_facts(medicare=True, study_enrolled=True, study_nct="NCT03610737")
    assert missing_items(enrolled) == []
    assert missing_items(ready_facts(medicare=False)) == []


def test_a_past_last_dose_time_is_not_flagged_when_the_patient_reported_stopping_in_time() -> None:
    import datetime as dt

    now = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
    due = dt.datetime(2026, 11, 21, 14, 0, tzinfo=dt.UTC)
    kept = apixaban(cleared=True, last_dose_by=due, last_dose_taken_at=due - dt.timedelta(hours=5))
    assert missing_items(ready_facts(medications=(kept,), now=now)) == [
        "Hold instructions confirmed with the patient: apixaban"
    ]
