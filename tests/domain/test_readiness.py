"""Readiness: the items missing before a case may be confirmed for its day, in a stable order."""

from __future__ import annotations

from mild.intake import Condition
from mild.medications import MedClass
from mild.readiness import CaseFacts, ConditionFact, MedicationFact, is_ready, missing_items

C = Condition


def ready_facts(**changes) -> CaseFacts:
    """A case with nothing missing; `changes` take one thing away."""
    base = {
        "asa_recorded": True,
        "provider_set": True,
        "booked": True,
        "escort_name": "Ann Escort",
        "escort_phone": "555-0100",
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
        conditions=(ConditionFact(C.HEART_DISEASE, cleared=True), ConditionFact(C.LATEX_ALLERGY)),
        medications=(apixaban(cleared=True, hold_confirmed_with_patient=True),),
    )
    assert missing_items(facts) == []
    assert is_ready(facts)


def test_an_empty_case_misses_asa_provider_booking_and_escort_in_that_order() -> None:
    assert missing_items(CaseFacts()) == [
        "ASA class",
        "Provider chosen",
        "Booked day and start time",
        "Escort arranged",
    ]


def test_each_flagged_condition_names_its_missing_clearance_and_day_of_tasks_are_not_items():
    facts = ready_facts(
        conditions=(
            ConditionFact(C.DIABETES),
            ConditionFact(C.HEART_DISEASE),
            ConditionFact(C.LATEX_ALLERGY),  # a day-of task only: nothing to clear before
            ConditionFact(C.SLEEP_APNEA, cleared=True),
        )
    )
    # Condition order, not the order the flags were recorded in.
    assert missing_items(facts) == [
        "Cardiology clearance on file (heart disease)",
        "Last HbA1c on file (diabetes)",
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


def test_the_full_order_is_asa_provider_booking_clearances_reviews_prescribers_holds_escort():
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
        "Recent kidney function (eGFR) on file (kidney disease)",
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
