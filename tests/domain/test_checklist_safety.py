"""Site marking, patient in and out of room, the time-out item by item, the medication holds at
the bedside, and event times corrected within the order of the day (issue 9)."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.cases import CaseStatus
from mild.checklist import (
    STEP_BY_KEY,
    STEPS,
    TIME_OUT_ITEMS,
    TIMED_STEPS,
    DayCheck,
    Entry,
    Tick,
    check_tick,
    current_state,
    event_times,
    step_views,
)
from mild.dayof_holds import day_of_hold_problems, is_held
from mild.errors import RuleViolation
from mild.event_times import check_event_time, time_text
from mild.time_out import antibiotic_value, booked_level_side, level_side_value

S = CaseStatus
NY = "America/New_York"
T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)  # 09:00 EST, Monday 2 March 2026
ARRIVAL_DONE = {
    "identity_confirmed": None,
    "consent_signed": None,
    "fasting_confirmed": None,
    "holds_confirmed": None,
    "site_marked": "Dr. Ames",
}


def refusal(fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kwargs)
    return caught.value


def fmt(moment: dt.datetime) -> str:
    return time_text(NY, moment)


# The steps as data, each with its source


def test_every_step_names_its_source() -> None:
    assert all(step.source for step in STEPS), [s.key for s in STEPS if not s.source]
    assert "UP.01.02.01" in STEP_BY_KEY["site_marked"].source
    assert "UP.01.03.01" in STEP_BY_KEY["time_out"].source
    assert "WHO" in STEP_BY_KEY["pulse_oximeter_on"].source


def test_the_timed_steps_are_those_of_the_day_in_order() -> None:
    assert TIMED_STEPS == (
        "checked_in",
        "patient_in_room",
        "anesthesia_start",
        "procedure_start",
        "procedure_end",
        "anesthesia_end",
        "patient_out_of_room",
        "recovery_in",
        "recovery_out",
        "discharged",
    )


# Site marked (Joint Commission UP.01.02.01)


def test_anesthesia_start_is_refused_until_the_site_is_marked() -> None:
    without_site = {k: v for k, v in ARRIVAL_DONE.items() if k != "site_marked"}
    err = refusal(check_tick, "anesthesia_start", S.CHECKED_IN, without_site)
    assert err.message == messages.HARD_STOP.format(
        step="Anesthesia start", missing="Site marked by the physician who will operate"
    )
    assert check_tick("anesthesia_start", S.CHECKED_IN, ARRIVAL_DONE).key == "anesthesia_start"


# The time-out, item by item (WHO 2009; UP.01.03.01)


def test_the_time_out_is_refused_until_every_item_is_confirmed() -> None:
    some = {"team_introduced": None, "patient_confirmed": None}
    err = refusal(check_tick, "time_out", S.CHECKED_IN, some)
    missing = [STEP_BY_KEY[k].label for k in TIME_OUT_ITEMS if k not in some]
    assert err.message == messages.HARD_STOP.format(
        step=STEP_BY_KEY["time_out"].label, missing="; ".join(missing)
    )
    assert "Antibiotic prophylaxis within 60 minutes (or not used)" in err.message
    every_item = dict.fromkeys(TIME_OUT_ITEMS)
    assert check_tick("time_out", S.CHECKED_IN, every_item).key == "time_out"


def test_procedure_start_is_refused_without_the_time_out() -> None:
    ready = ARRIVAL_DONE | dict.fromkeys(TIME_OUT_ITEMS) | {"anesthesia_start": None}
    err = refusal(check_tick, "procedure_start", S.CHECKED_IN, ready)
    assert err.message == messages.HARD_STOP.format(
        step="Procedure start (incision)", missing="Time-out done (every item above confirmed)"
    )


def test_level_and_side_are_those_of_the_booking_or_typed_when_the_booking_has_none() -> None:
    assert booked_level_side("L3-L4, L4-L5", "bilateral") == "L3-L4, L4-L5 · Bilateral"
    assert booked_level_side(None, " ") is None
    assert level_side_value("L4-L5", "left", "anything") == "As booked: L4-L5 · Left"
    err = refusal(level_side_value, None, None, "  ")
    assert (err.field, err.message) == ("level_side_confirmed", messages.LEVEL_SIDE_NOT_BOOKED)
    assert level_side_value(None, None, " L4-L5 right ") == "L4-L5 right"


def test_antibiotic_prophylaxis_is_given_within_60_minutes_or_not_used() -> None:
    assert antibiotic_value(False, None, now=T0, fmt_time=fmt) == ("Not used", {"used": False})
    value, detail = antibiotic_value(True, T0 - dt.timedelta(minutes=40), now=T0, fmt_time=fmt)
    assert value == "Given at 08:20 EST"
    assert detail == {"used": True, "given_at": "2026-03-02T13:20:00+00:00"}

    err = refusal(antibiotic_value, True, T0 - dt.timedelta(minutes=61), now=T0, fmt_time=fmt)
    assert err.message == messages.ANTIBIOTIC_TOO_EARLY.format(at="07:59 EST")
    err = refusal(antibiotic_value, True, T0 + dt.timedelta(minutes=1), now=T0, fmt_time=fmt)
    assert err.message == messages.ANTIBIOTIC_IN_FUTURE
    assert refusal(antibiotic_value, True, None, now=T0, fmt_time=fmt).message == (
        messages.ANTIBIOTIC_TIME_REQUIRED
    )
    assert refusal(antibiotic_value, None, None, now=T0, fmt_time=fmt).message == (
        messages.ANTIBIOTIC_CHOICE_REQUIRED
    )


# Medication holds at the bedside


class Med:
    """A case's drug as the bedside reads it (the case_medication fields the check uses)."""

    def __init__(self, drug, stop_h=None, skip=False, taken=None, review=False):
        self.drug, self.stop_before_hours, self.skip_on_day = drug, stop_h, skip
        self.last_dose_taken_at, self.needs_review = taken, review


def problems(*meds: Med, at: dt.datetime = T0) -> list[str]:
    return day_of_hold_problems(meds, at=at, timezone=NY, scheduled_start=T0)


def test_holds_cannot_be_confirmed_while_a_held_drug_has_no_reported_last_dose() -> None:
    found = problems(Med("apixaban", 72), Med("omeprazole"))
    assert found == [messages.HOLD_LAST_DOSE_NOT_REPORTED.format(drug="apixaban")]
    err = refusal(check_tick, "holds_confirmed", S.CHECKED_IN, {}, problems={DayCheck.HOLDS: found})
    assert err.message == messages.HARD_STOP.format(
        step="Medication holds confirmed",
        missing="apixaban: ask and record the patient's last dose",
    )


def test_holds_cannot_be_confirmed_while_a_drug_is_still_under_review() -> None:
    found = problems(Med("eliquis-ish", review=True))
    assert found == [messages.HOLD_STILL_UNDER_REVIEW.format(drug="eliquis-ish")]


def test_anesthesia_start_is_refused_while_a_last_dose_is_later_than_the_hold_allows() -> None:
    taken = T0 - dt.timedelta(hours=48)  # 09:00 on Saturday; a 72 h stop allows Friday 09:00
    found = problems(Med("apixaban", 72, taken=taken))
    assert found == [
        messages.HOLD_LAST_DOSE_TOO_RECENT.format(
            drug="apixaban",
            taken="Sat 28 Feb 09:00 EST",
            stop="stop 72 h (3 days) before",
            allowed="Fri 27 Feb 09:00 EST",
        )
    ]
    err = refusal(
        check_tick, "anesthesia_start", S.CHECKED_IN, ARRIVAL_DONE, problems={DayCheck.HOLDS: found}
    )
    assert err.message == messages.HARD_STOP.format(step="Anesthesia start", missing=found[0])
    # A dose taken in time passes.
    assert problems(Med("apixaban", 72, taken=T0 - dt.timedelta(hours=73))) == []


def test_a_drug_skipped_on_the_day_must_not_be_taken_that_morning() -> None:
    taken = T0 - dt.timedelta(hours=2)  # 07:00 on the procedure day
    assert problems(Med("metformin", skip=True, taken=taken))
    assert problems(Med("metformin", skip=True, taken=T0 - dt.timedelta(hours=14))) == []


def test_the_holds_step_lists_held_drugs_and_drugs_under_review_only() -> None:
    assert is_held(Med("apixaban", 72)) and is_held(Med("metformin", skip=True))
    assert is_held(Med("xyz", review=True))
    assert not is_held(Med("omeprazole"))


# Event times: charted, happened, corrected


def tick(step: str, minute: int, **kw) -> Entry:
    return Entry(step, T0 + dt.timedelta(minutes=minute), "Nina", **kw)


def correction(step: str, minute: int, at_minute: int) -> Entry:
    return Entry(
        step,
        T0 + dt.timedelta(minutes=minute),
        "Nina",
        reason="ticked late",
        event_at=T0 + dt.timedelta(minutes=at_minute),
        corrects_time=True,
    )


def test_a_time_correction_changes_the_event_time_and_nothing_else() -> None:
    entries = [
        tick("checked_in", 0),
        tick("patient_in_room", 30),
        correction("patient_in_room", 31, 20),
    ]
    assert current_state(e.as_tick() for e in entries) == {
        "checked_in": None,
        "patient_in_room": None,
    }
    assert current_state([Tick("x"), Tick("x", corrects_time=True, undone=True)]) == {"x": None}
    assert event_times(entries) == {
        "checked_in": T0,
        "patient_in_room": T0 + dt.timedelta(minutes=20),
    }
    shown = {
        v.step.key: v
        for vs in step_views(entries, S.CHECKED_IN, diabetic=False).values()
        for v in vs
    }
    assert shown["patient_in_room"].event_at == T0 + dt.timedelta(minutes=20)
    assert shown["patient_in_room"].done.at == T0 + dt.timedelta(minutes=30)
    assert shown["patient_in_room"].may_correct_time
    assert not shown["consent_signed"].may_correct_time
    assert len(shown["patient_in_room"].history) == 2


def correct(step: str, minute: int, reason: str | None = "ticked late", **times):
    known = {k: T0 + dt.timedelta(minutes=m) for k, m in times.items()}
    return check_event_time(
        step,
        T0 + dt.timedelta(minutes=minute),
        reason,
        times=known,
        now=T0 + dt.timedelta(minutes=60),
        fmt_time=fmt,
    )


def test_an_event_time_is_corrected_with_a_reason() -> None:
    at, why = correct("patient_in_room", 20, " ticked late ", checked_in=0, patient_in_room=30)
    assert (at, why) == (T0 + dt.timedelta(minutes=20), "ticked late")
    err = refusal(correct, "patient_in_room", 20, "  ", checked_in=0, patient_in_room=30)
    assert (err.field, err.message) == ("reason", messages.EVENT_TIME_REASON_REQUIRED)


def test_an_event_time_cannot_be_in_the_future() -> None:
    err = refusal(correct, "patient_in_room", 61, checked_in=0, patient_in_room=30)
    assert (err.field, err.message) == ("event_at", messages.EVENT_TIME_IN_FUTURE)


def test_an_event_time_cannot_be_before_the_step_it_follows() -> None:
    err = refusal(correct, "anesthesia_start", 5, checked_in=10, anesthesia_start=40)
    # Patient in room is not ticked: the nearest earlier timed step done is the check-in.
    assert err.message == '"Anesthesia start" cannot be before "Checked in" (09:10 EST).'


def test_an_event_time_cannot_be_after_the_step_that_follows_it() -> None:
    err = refusal(correct, "patient_in_room", 35, patient_in_room=20, anesthesia_start=30)
    assert err.message == '"Patient in room" cannot be after "Anesthesia start" (09:30 EST).'


def test_only_a_timed_step_that_is_done_has_a_time_to_correct() -> None:
    err = refusal(correct, "consent_signed", 20)
    assert err.message == messages.EVENT_TIME_NOT_TIMED.format(step="Consent signed")
    err = refusal(correct, "patient_in_room", 20, checked_in=0)
    assert err.message == messages.STEP_NOT_DONE.format(step="Patient in room")


def test_an_event_time_more_than_a_day_back_is_refused() -> None:
    err = refusal(correct, "checked_in", -60 * 24, checked_in=0)
    assert err.message == messages.EVENT_TIME_TOO_OLD
