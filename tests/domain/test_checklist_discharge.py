"""Discharge and after: the hard stops refuse, every other step still open is named and must be
confirmed, and once discharged the checklist is locked, saying who discharged and when."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.cases import CaseStatus
from mild.checklist import (
    STEP_BY_KEY,
    STEPS,
    Entry,
    check_open,
    check_tick,
    check_untick,
    checklist_lock,
    discharge_entry,
    step_views,
)
from mild.discharge import (
    DISCHARGE_HARD_STOPS,
    check_discharge,
    discharge_note,
    discharge_review,
)
from mild.errors import RuleViolation

NY = "America/New_York"
T0 = dt.datetime(2026, 3, 2, 14, 5, tzinfo=dt.UTC)  # 09:05 EST, Monday 2 March 2026
ESCORT = "Ann Lee, daughter, 555-010-0199"
SIGN_OUT = STEP_BY_KEY["sign_out"].label
FLUORO = "Fluoroscopy time and dose"
# Every step of an X-ray case for a patient who is not diabetic, up to and including recovery out,
# except those left for each test to open.
RECORD = {s.key: None for s in STEPS if s.key not in ("glucose_checked", "discharged")} | {
    "anesthesia_type": "General",
    "imaging_modality": "X-ray / fluoroscopy",
    "levels_treated": "L4-L5 bilateral",
    "fluoroscopy_recorded": "1.2 min, 14 mGy",
    "site_marked": "Dr. Ames",
    "level_side_confirmed": "As booked: L4-L5 · bilateral",
    "antibiotic_prophylaxis": "Not used",
    "discharge_score": "10",
    "escort_confirmed": ESCORT,
}


def without(*keys: str, **values: str) -> dict[str, str | None]:
    return {k: v for k, v in RECORD.items() if k not in keys} | values


def refusal(fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kwargs)
    return caught.value


# What is open before discharge


def test_the_hard_stops_for_discharge_are_those_of_domain_md_a_passing_score_and_the_escort():
    assert set(DISCHARGE_HARD_STOPS) == {"escort_confirmed", "discharge_score"}


def test_every_applicable_step_still_open_is_named_in_checklist_order():
    done = without("fluoroscopy_recorded", "sign_out", "anesthesia_end", "instructions_given")

    review = discharge_review(done, diabetic=False)

    assert review.hard_stops == ()
    assert review.open_keys == (
        "fluoroscopy_recorded",
        "sign_out",
        "anesthesia_end",
        "instructions_given",
    )
    assert review.open_labels == (
        f"{FLUORO}; {SIGN_OUT}; Anesthesia end; Written discharge instructions given"
    )


def test_a_complete_record_leaves_nothing_open():
    review = discharge_review(RECORD, diabetic=False)
    assert review.hard_stops == () and review.open_steps == ()
    assert discharge_note(review) == ""


def test_steps_that_do_not_apply_are_never_listed_as_open():
    ultrasound = without("fluoroscopy_recorded", imaging_modality="Ultrasound")
    assert discharge_review(ultrasound, diabetic=False).open_keys == ()
    # For a diabetic patient the glucose check applies, and is open.
    assert discharge_review(ultrasound, diabetic=True).open_keys == ("glucose_checked",)
    # With no modality recorded the case counts as X-ray: both imaging steps are open.
    unrecorded = without("imaging_modality", "fluoroscopy_recorded")
    assert discharge_review(unrecorded, diabetic=False).open_keys == (
        "imaging_modality",
        "fluoroscopy_recorded",
    )


def test_a_missing_hard_stop_is_named_as_such_and_not_again_among_the_open_steps():
    done = without("escort_confirmed", "sign_out", discharge_score="8")

    review = discharge_review(done, diabetic=False)

    assert review.hard_stops == (
        "Escort confirmed in person (name, relationship, phone), or the attending physician's "
        "exemption",
        "Discharge score of 9 or more",
    )
    assert review.open_keys == ("sign_out",)


# Refusing and confirming


def test_a_discharge_with_an_open_step_is_refused_naming_each_one_until_confirmed():
    done = without("sign_out", "fluoroscopy_recorded")

    err = refusal(check_discharge, done, diabetic=False, open_confirmed=())
    assert err.field == "discharged"
    assert err.message == messages.DISCHARGE_OPEN_NOT_CONFIRMED.format(
        steps=f"{FLUORO}; {SIGN_OUT}"
    )
    assert err.message == (
        f"Not discharged. Still open: {FLUORO}; {SIGN_OUT}. Complete them, or confirm the "
        "discharge with them open."
    )

    # Confirming one of the two still refuses, naming the other.
    err = refusal(check_discharge, done, diabetic=False, open_confirmed=["sign_out"])
    assert err.message == messages.DISCHARGE_OPEN_NOT_CONFIRMED.format(steps=FLUORO)

    review = check_discharge(
        done, diabetic=False, open_confirmed=["sign_out", "fluoroscopy_recorded"]
    )
    assert discharge_note(review) == f"Discharged with steps open: {FLUORO}; {SIGN_OUT}"


def test_a_hard_stop_refuses_the_discharge_even_with_every_open_step_confirmed():
    done = without("escort_confirmed", "sign_out")
    err = refusal(check_discharge, done, diabetic=False, open_confirmed=[s.key for s in STEPS])
    assert err.field == "discharged"
    assert err.message == messages.HARD_STOP.format(
        step="Discharged",
        missing="Escort confirmed in person (name, relationship, phone), or the attending "
        "physician's exemption",
    )


def test_a_complete_record_is_discharged_without_any_confirmation():
    assert check_discharge(RECORD, diabetic=False, open_confirmed=()).open_steps == ()


# Locked once discharged


def discharged_by(by: str | None = "Nina") -> Entry:
    return Entry("discharged", T0, by)


def test_the_checklist_is_open_from_booking_until_discharge():
    for status in (
        CaseStatus.SCHEDULED,
        CaseStatus.CHECKED_IN,
        CaseStatus.IN_PROCEDURE,
        CaseStatus.RECOVERY,
    ):
        assert checklist_lock(status, None, NY) is None
        check_open(status, None, NY)


@pytest.mark.parametrize("status", [CaseStatus.DISCHARGED, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED])
def test_after_discharge_the_checklist_is_locked_naming_who_discharged_and_when(status):
    expected = (
        "Discharged at 09:05 EST on Mon 02 Mar 2026 by Nina. The checklist is locked: nothing "
        "can be ticked or un-ticked."
    )
    assert checklist_lock(status, discharged_by(), NY) == expected
    err = refusal(check_open, status, discharged_by(), NY)
    assert (err.field, err.message) == ("step", expected)


def test_the_lock_note_says_when_no_one_is_on_record_and_falls_back_without_a_discharge_tick():
    assert checklist_lock(CaseStatus.DISCHARGED, discharged_by(None), NY) == (
        messages.CHECKLIST_LOCKED.format(
            when="09:05 EST on Mon 02 Mar 2026", who=messages.STAFF_NOT_RECORDED
        )
    )
    assert checklist_lock(CaseStatus.DISCHARGED, None, NY) == (
        'The checklist cannot be changed while the case\'s status is "Discharged".'
    )
    assert checklist_lock(CaseStatus.CANCELLED, None, NY) == (
        'The checklist cannot be changed while the case\'s status is "Cancelled".'
    )


def test_the_discharge_in_force_is_the_last_discharged_tick():
    entries = [
        Entry("sign_out", T0, "Omar"),
        Entry("discharged", T0 + dt.timedelta(minutes=3), "Nina"),
    ]
    assert discharge_entry(entries) == entries[1]
    assert discharge_entry(entries[:1]) is None


def test_a_discharged_case_shows_its_steps_read_only_with_nothing_blocking():
    entries = [Entry("checked_in", T0, "Nina"), Entry("discharged", T0, "Nina")]
    shown = step_views(entries, CaseStatus.DISCHARGED, diabetic=False)
    views = [v for phase in shown.values() for v in phase]
    assert not any(v.may_tick or v.may_untick for v in views)
    # A hard stop means nothing once the case is locked: no "needs first" on a read-only step.
    assert all(v.missing == () for v in views)


# Statuses named inside sentences as the screens show them, in quotes


@pytest.mark.parametrize(
    "status",
    [
        CaseStatus.REQUESTED,
        CaseStatus.INTAKE,
        CaseStatus.DISCHARGED,
        CaseStatus.FOLLOW_UP,
        CaseStatus.CLOSED,
        CaseStatus.CANCELLED,
    ],
)
def test_a_refusal_names_the_status_as_the_screens_show_it_whatever_the_status(status):
    # "while the case is intake" (or "follow-up", "consult requested") did not read (issue 13).
    expected = f'The checklist cannot be changed while the case\'s status is "{status.label}".'
    assert refusal(check_tick, "vitals_recorded", status, {}).message == expected
    assert (
        refusal(check_untick, "vitals_recorded", status, {"vitals_recorded": None}, "x").message
        == expected
    )
