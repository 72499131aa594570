"""The day-of screen for issue 9 (AppTest): the new steps and the time-out item by item with the
booked levels shown, the held drugs listed with a last dose recorded on the day, an event time
corrected, a failing score shown as failing and scored again, a rideshare driver refused as
escort, and the physician's exemption."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.models import Case, ChecklistEntry
from db.session import read_session
from mild import messages
from mild.cases import CaseStatus
from mild.checklist import TIME_OUT_ITEMS
from mild.clearances import LimitAction, LimitKey
from mild.days import to_local
from mild.discharge import RIDESHARE, DischargeScale
from mild.intake import Condition
from mild.medications import NO_RELEVANCE
from services.checklist import complete_step, record_discharge_score
from services.common import now_utc
from services.event_times import correct_event_time
from tests.builders import (
    add_condition,
    add_held_drug,
    arrange_escort,
    book_levels,
    make_ward,
    record_fast,
    set_clinical_limit,
    to_incision,
)
from tests.pages.conftest import SQLITE_ONLY
from tests.pages.test_checklist import (
    ALDRETE,
    ARRIVAL,
    TZ,
    badges,
    details,
    entries,
    errors_beside,
    flags_line,
    open_case,
    open_details,
    open_history,
    press,
    refusal_below,
    screen,
    status_of,
    step_box,
    texts_in,
    tick_all,
)
from ui.checklist import event_reason_key

pytestmark = SQLITE_ONLY


@pytest.fixture
def ward(db_url):
    """One office, one nurse, one case booked at 09:00 today."""
    return make_ward("AA", TZ)


def lines_in(at, step: str) -> list[str]:
    """Every line of the step's texts (a held drug's facts are one text, a fact a line)."""
    return "\n".join(texts_in(at, step)).splitlines()


def case_column(case_id: int, column: str):
    with read_session() as s:
        return getattr(s.get(Case, case_id), column)


# New steps and the time-out


def test_the_new_steps_are_on_the_screen_in_their_phases(ward):
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id)
    for step in [
        "site_marked",
        "patient_in_room",
        "pulse_oximeter_on",
        *TIME_OUT_ITEMS,
        "patient_out_of_room",
    ]:
        assert step_box(at, step)


def test_the_time_out_shows_the_booked_levels_and_side_and_needs_every_item(ward):
    office, nurse, case_id = ward
    book_levels(case_id, "L3-L4, L4-L5", "bilateral")
    at = open_case(screen(nurse), office, case_id)
    assert texts_in(at, "level_side_confirmed") == ["Booked: L3-L4, L4-L5 · Bilateral"]

    at = press(at, case_id, "time_out")
    (refusal,) = errors_beside(at, "time_out")
    assert refusal.startswith(
        '"Time-out done (every item above confirmed)" cannot be ticked yet. Missing:'
    )

    for step in ["team_introduced", "patient_confirmed", "procedure_confirmed"]:
        at = press(at, case_id, step)
    at = press(at, case_id, "level_side_confirmed")
    at = press(at, case_id, "imaging_displayed")
    at.segmented_control(key=f"dayof_antibiotic_choice_{case_id}").set_value("Given")
    at = at.run()
    given = to_local(TZ, now_utc() - dt.timedelta(minutes=90)).time().replace(second=0)
    at.time_input(key=f"dayof_antibiotic_time_{case_id}").set_value(given)
    at = press(at, case_id, "antibiotic_prophylaxis")
    assert errors_beside(at, "antibiotic_prophylaxis")[0].startswith("Given at ")
    recent = to_local(TZ, now_utc() - dt.timedelta(minutes=5)).time().replace(second=0)
    at.time_input(key=f"dayof_antibiotic_time_{case_id}").set_value(recent)
    at = press(at, case_id, "antibiotic_prophylaxis")
    assert errors_beside(at, "antibiotic_prophylaxis") == []
    at = press(at, case_id, "critical_events_reviewed")
    at = press(at, case_id, "time_out")

    assert not at.error
    stored = {step: value for step, _undone, value in entries(case_id)}
    assert stored["level_side_confirmed"] == "As booked: L3-L4, L4-L5 · Bilateral"
    assert stored["antibiotic_prophylaxis"].startswith("Given at ")
    assert "time_out" in stored


def test_a_booking_without_levels_says_so_and_asks_for_them(ward):
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id)
    assert [w.value for w in step_box(at, "level_side_confirmed").warning] == [
        messages.NO_LEVEL_SIDE_BOOKED
    ]
    at = press(at, case_id, "level_side_confirmed")
    assert errors_beside(at, "level_side_confirmed") == [messages.LEVEL_SIDE_NOT_BOOKED]


# Held drugs at the bedside


def test_the_holds_step_lists_each_held_drug_and_records_a_last_dose_on_the_day(ward):
    office, nurse, case_id = ward
    med = add_held_drug(case_id, "apixaban", name_given="Eliquis 5 mg")
    tick_all(case_id, nurse, ["checked_in"])
    at = open_case(screen(nurse), office, case_id)

    lines = lines_in(at, "holds_confirmed")
    assert "apixaban (given as Eliquis 5 mg)" in lines
    assert "Required: stop 72 h (3 days) before" in lines
    assert any(line.startswith("Latest allowed last dose: ") for line in lines)
    assert messages.LAST_DOSE_NOT_REPORTED in lines
    # Not reported yet: the holds cannot be confirmed.
    at = press(at, case_id, "holds_confirmed")
    assert errors_beside(at, "holds_confirmed") == [
        messages.HARD_STOP.format(
            step="Medication holds confirmed",
            missing=messages.HOLD_LAST_DOSE_NOT_REPORTED.format(drug="apixaban"),
        )
    ]

    # A last dose in the future is refused beside the drug.
    tomorrow = to_local(TZ, now_utc()).date() + dt.timedelta(days=1)
    at.date_input(key=f"dayof_last_dose_day_{case_id}_{med}").set_value(tomorrow)
    at.time_input(key=f"dayof_last_dose_time_{case_id}_{med}").set_value(dt.time(8, 0))
    at = at.button(key=f"dayof_last_dose_{case_id}_{med}").click().run()
    assert messages.LAST_DOSE_IN_FUTURE in [e.value for e in step_box(at, "holds_confirmed").error]

    four_days_ago = to_local(TZ, now_utc()).date() - dt.timedelta(days=4)
    at.date_input(key=f"dayof_last_dose_day_{case_id}_{med}").set_value(four_days_ago)
    at = at.button(key=f"dayof_last_dose_{case_id}_{med}").click().run()

    assert not at.error
    lines = lines_in(at, "holds_confirmed")
    assert any(
        line.startswith(f"Last dose taken {four_days_ago:%a %d %b} 08:00")
        and line.endswith("(reported on the day, Nina)")
        for line in lines
    )
    at = press(at, case_id, "holds_confirmed")
    assert errors_beside(at, "holds_confirmed") == []
    assert "holds_confirmed" in [step for step, _, _ in entries(case_id)]


def test_anesthesia_start_on_the_screen_names_a_last_dose_too_recent(ward):
    office, nurse, case_id = ward
    taken = now_utc() - dt.timedelta(hours=80)
    med = add_held_drug(case_id, "apixaban", last_dose_taken_at=taken)
    tick_all(case_id, nurse, [*ARRIVAL, "holds_confirmed"])
    complete_step(case_id, "site_marked", actor=nurse, value="Dr. Ames")
    at = open_case(screen(nurse), office, case_id)
    # The patient now remembers a dose yesterday evening.
    yesterday = to_local(TZ, now_utc()).date() - dt.timedelta(days=1)
    at.date_input(key=f"dayof_last_dose_day_{case_id}_{med}").set_value(yesterday)
    at.time_input(key=f"dayof_last_dose_time_{case_id}_{med}").set_value(dt.time(20, 0))
    at = at.button(key=f"dayof_last_dose_{case_id}_{med}").click().run()

    at = press(at, case_id, "anesthesia_start")

    (refusal,) = errors_beside(at, "anesthesia_start")
    assert refusal.startswith(
        '"Anesthesia start" cannot be ticked yet. Missing: apixaban: last dose '
    )
    assert "later than the hold allows (stop 72 h (3 days) before" in refusal
    assert "anesthesia_start" not in [step for step, _, _ in entries(case_id)]


# Event times


def test_an_event_time_is_corrected_from_the_steps_history(ward):
    office, nurse, case_id = ward
    local_now = to_local(TZ, now_utc())
    if local_now.hour == 0 and local_now.minute < 45:
        pytest.skip("just after midnight at the office: no earlier time the same day")
    tick_all(case_id, nurse, ["checked_in"])
    # She checked the patient in half an hour ago (corrected through the service), then ticks
    # "patient in room" now and corrects it to ten minutes after the check-in.
    checked_in = (now_utc() - dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
    correct_event_time(case_id, "checked_in", checked_in, "Ticked late", actor=nurse)
    at = open_case(screen(nurse), office, case_id)
    at = open_history(press(at, case_id, "patient_in_room"), case_id, "patient_in_room")
    in_room = to_local(TZ, checked_in + dt.timedelta(minutes=10)).time()
    key = f"dayof_event_time_{case_id}_patient_in_room"

    at.time_input(key=key).set_value(in_room)
    at = at.button(key=f"dayof_correct_{case_id}_patient_in_room").click().run()
    assert errors_beside(at, "patient_in_room") == [messages.EVENT_TIME_REASON_REQUIRED]
    # Below the correction's own reason box, not the un-tick's above it.
    why = event_reason_key(case_id, "patient_in_room")
    assert refusal_below(at, case_id, "patient_in_room", why) == [
        messages.EVENT_TIME_REASON_REQUIRED
    ]

    at.text_input(key=f"dayof_event_reason_{case_id}_patient_in_room").input("Ticked late")
    at = at.button(key=f"dayof_correct_{case_id}_patient_in_room").click().run()

    assert errors_beside(at, "patient_in_room") == []
    stored = to_local(TZ, case_column(case_id, "patient_in_room_at"))
    assert (stored.hour, stored.minute) == (in_room.hour, in_room.minute)
    history = step_box(at, "patient_in_room").dataframe[0].value
    assert list(history["What"])[-1].startswith("Time corrected to ")
    assert list(history["Reason or note"])[-1] == "Ticked late"
    with read_session() as s:
        fixes = s.scalars(
            select(ChecklistEntry.corrects_time).where(ChecklistEntry.case_id == case_id)
        ).all()
    assert fixes == [False, True, False, True]


def test_an_event_time_in_the_future_is_refused_beside_the_step(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, ["checked_in"])
    at = open_history(open_case(screen(nurse), office, case_id), case_id, "checked_in")
    future = (to_local(TZ, now_utc()) + dt.timedelta(minutes=30)).time().replace(second=0)
    if future < to_local(TZ, now_utc()).time():
        pytest.skip("too close to midnight at the office for a later time the same day")
    at.time_input(key=f"dayof_event_time_{case_id}_checked_in").set_value(future)
    at.text_input(key=f"dayof_event_reason_{case_id}_checked_in").input("typo")
    at = at.button(key=f"dayof_correct_{case_id}_checked_in").click().run()
    assert errors_beside(at, "checked_in") == [messages.EVENT_TIME_IN_FUTURE]


# Discharge score, escort, exemption


def to_recovery(case_id: int, nurse) -> None:
    to_incision(case_id, nurse)
    tick_all(case_id, nurse, ["procedure_end", "recovery_in"])


def test_a_failing_score_is_shown_as_failing_and_scored_again_without_an_untick(ward):
    office, nurse, case_id = ward
    to_recovery(case_id, nurse)
    padss_8 = {"vital_signs": 2, "walking": 2, "nausea_vomiting": 2, "pain": 1, "bleeding": 1}
    record_discharge_score(case_id, DischargeScale.PADSS, padss_8, actor=nurse)
    at = open_case(screen(nurse), office, case_id)

    box = step_box(at, "discharge_score")
    assert [w.value for w in box.warning] == [
        messages.DISCHARGE_SCORE_NOT_READY.format(total=8, min=9)
    ]
    assert not [m for m in box.markdown if ":green[" in m.value]  # never shown as done
    assert "**Recovery room** · 1 of 3 done" in [e.label for e in at.expander]
    # Each item shows what its points mean.
    captions = [c.value for c in box.caption]
    assert any(c.startswith("2: moves four extremities") for c in captions)

    for item in ALDRETE:
        at.segmented_control(key=f"dayof_score_{case_id}_{item}").set_value(2)
    at = press(at, case_id, "discharge_score")

    assert not at.error
    assert [v for s, _u, v in entries(case_id) if s == "discharge_score"] == ["8", "10"]
    box = step_box(at, "discharge_score")
    assert not box.warning
    assert [c.value for c in box.caption if c.value.startswith("Modified Aldrete")] == [
        f"{DischargeScale.ALDRETE.label}: {DischargeScale.ALDRETE.version}"
    ]


def test_a_rideshare_driver_alone_is_refused_as_escort_with_the_reason(ward):
    office, nurse, case_id = ward
    to_recovery(case_id, nurse)
    at = open_case(screen(nurse), office, case_id)
    at.text_input(key=f"dayof_escort_name_{case_id}").input("Sam Driver")
    at.selectbox(key=f"dayof_escort_relationship_{case_id}").select(RIDESHARE)
    at.text_input(key=f"dayof_escort_phone_{case_id}").input("555-010-0199")

    at = press(at, case_id, "escort_confirmed")

    assert errors_beside(at, "escort_confirmed") == [messages.ESCORT_HIRED_DRIVER]
    # Typed under "Other", the same is refused.
    at.selectbox(key=f"dayof_escort_relationship_{case_id}").select("Other")
    at = at.run()
    at.text_input(key=f"dayof_escort_relationship_other_{case_id}").input("Uber driver")
    at = press(at, case_id, "escort_confirmed")
    assert errors_beside(at, "escort_confirmed") == [messages.ESCORT_HIRED_DRIVER]
    assert "escort_confirmed" not in [step for step, _, _ in entries(case_id)]


def test_the_physicians_exemption_is_recorded_shown_and_lets_the_patient_go(ward):
    office, nurse, case_id = ward
    arrange_escort(case_id, "Sam Driver", "Taxi", "555-010-0199")
    to_recovery(case_id, nurse)
    record_discharge_score(case_id, DischargeScale.ALDRETE, dict.fromkeys(ALDRETE, 2), actor=nurse)
    at = open_case(screen(nurse), office, case_id)
    assert at.text_input(key=f"dayof_exempt_physician_{case_id}").value == "Dr. Ames"

    at = at.button(key=f"dayof_exempt_{case_id}").click().run()
    assert messages.EXEMPTION_REASON_REQUIRED in errors_beside(at, "escort_confirmed")

    at.text_input(key=f"dayof_exempt_physician_{case_id}").input("Dr. Ames")
    at.text_input(key=f"dayof_exempt_reason_{case_id}").input("Lives upstairs; walks home")
    at = at.button(key=f"dayof_exempt_{case_id}").click().run()

    assert not at.error
    # Beside the step, and with the case's details (in place of the escort arranged).
    escort = [c.value for c in step_box(at, "escort_confirmed").caption]
    assert escort[0] == f"Not applicable: {messages.NOT_APPLICABLE_ESCORT_EXEMPT}"
    assert "Dr\\. Ames" in escort[1] and "Lives upstairs\\; walks home" in escort[1]
    at = open_details(at, case_id)
    (shown,) = [i.value for i in details(at).info if i.value.startswith("Exempted")]
    assert shown == escort[1]
    assert not [t for t in details(at).text if t.value.startswith("Escort arranged")]
    step_box(at, "discharged").checkbox[0].check()
    at = press(at, case_id, "discharged")
    assert not at.error
    assert status_of(case_id) == CaseStatus.DISCHARGED


def test_the_restart_of_each_held_drug_is_shown_from_the_procedure_end(ward):
    office, nurse, case_id = ward
    add_held_drug(case_id, "apixaban", last_dose_taken_at=now_utc() - dt.timedelta(hours=80))
    add_held_drug(
        case_id,
        "empagliflozin",
        stop_before_hours=72,
        restart_after_hours=None,
        last_dose_taken_at=now_utc() - dt.timedelta(hours=80),
    )
    to_recovery(case_id, nurse)
    end = case_column(case_id, "procedure_ended_at")
    at = open_case(screen(nurse), office, case_id)

    (text,) = [
        t for t in texts_in(at, "restart_dates_given") if t.startswith(messages.RESTART_HEADING)
    ]
    restart = to_local(TZ, end + dt.timedelta(hours=24))
    assert f"apixaban: restart {restart:%a %d %b %H:%M %Z}" in text
    assert "empagliflozin: restart as instructed: " in text


def test_the_glp1_decision_made_at_intake_is_shown_at_the_bedside(ward):
    from mild.glp1 import Glp1Decision
    from services.medications import add_medication, record_glp1_decision

    office, nurse, case_id = ward
    ozempic = add_medication(case_id, "Ozempic", actor=nurse)
    record_glp1_decision(
        ozempic, {"gi_symptoms": True}, Glp1Decision.CONTINUE_LIQUID_DIET, actor=nurse
    )

    at = open_case(screen(nurse), office, case_id)

    # Flagged in the bar (aspiration risk); the decision itself with the case's details.
    assert flags_line(at)[0].endswith(badges("GLP-1 agonist: semaglutide, weekly injection"))
    at = open_details(at, case_id)
    (shown,) = [
        i.value for i in details(at).info if i.value.startswith("semaglutide, weekly injection")
    ]
    assert Glp1Decision.CONTINUE_LIQUID_DIET.label in shown and "GI symptoms" in shown


# The fast as reported, glucose warnings (issue 9, second slice)


def test_the_fasting_form_refuses_a_missing_food_kind_beside_it_and_keeps_what_was_typed(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, ["checked_in"])
    at = open_case(screen(nurse), office, case_id)
    assert messages.FASTING_HOW_TO in [c.value for c in step_box(at, "fasting_confirmed").caption]
    at.checkbox(key=f"dayof_fasting_no_clear_liquid_{case_id}").check()
    at.time_input(key=f"dayof_fasting_food_time_{case_id}").set_value(dt.time(0, 0))

    at = press(at, case_id, "fasting_confirmed")

    assert errors_beside(at, "fasting_confirmed") == [messages.FASTING_FOOD_KIND_REQUIRED]
    assert at.time_input(key=f"dayof_fasting_food_time_{case_id}").value == dt.time(0, 0)
    assert "fasting_confirmed" not in [step for step, *_ in entries(case_id)]


def test_a_fast_too_short_is_named_under_anesthesia_start(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, ["checked_in", "identity_confirmed", "consent_signed"])
    tick_all(case_id, nurse, ["holds_confirmed"])
    record_fast(case_id, nurse, food_hours_ago=2, clear_hours_ago=1)
    at = open_case(screen(nurse), office, case_id)
    needs = [c.value for c in step_box(at, "anesthesia_start").caption]
    assert any("Fasting not long enough: Last light meal or milk" in c for c in needs), needs


def test_a_glucose_over_a_warning_limit_is_shown_beside_the_reading(ward):
    office, nurse, case_id = ward
    add_condition(case_id, Condition.DIABETES)
    set_clinical_limit(LimitKey.GLUCOSE_HIGH, value=300, action=LimitAction.WARN)
    complete_step(case_id, "glucose_checked", actor=nurse, value="320")
    at = open_case(screen(nurse), office, case_id)
    assert [w.value for w in step_box(at, "glucose_checked").warning] == [
        messages.GLUCOSE_HIGH.format(value="320", limit="300")
    ]


def test_a_drug_under_review_found_on_the_day_is_placed_beside_the_holds_step(ward):
    """A brand the table does not know, found at check-in: the nurse places it on the day
    (the row it follows and why), and the holds step is no longer blocked by it."""
    office, nurse, case_id = ward
    med = add_held_drug(case_id, "zorblax", stop_before_hours=None, needs_review=True)
    tick_all(case_id, nurse, ["checked_in"])
    at = open_case(screen(nurse), office, case_id)
    key = f"dayof_place_{case_id}_{med}"
    assert messages.HELD_DRUG_UNDER_REVIEW in lines_in(at, "holds_confirmed")

    at = at.button(key=f"{key}_place").click().run()
    assert messages.REVIEW_CLASS_REQUIRED in [
        e.value for e in step_box(at, "holds_confirmed").error
    ]

    at.selectbox(key=f"{key}_choice").set_value(NO_RELEVANCE)
    at.text_input(key=f"{key}_reason").input("Eye drops: checked with the pharmacist")
    at = at.button(key=f"{key}_place").click().run()

    assert not at.error
    assert messages.HELD_DRUG_UNDER_REVIEW not in lines_in(at, "holds_confirmed")
    at = press(at, case_id, "holds_confirmed")
    assert errors_beside(at, "holds_confirmed") == []
