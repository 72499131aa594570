"""The day-of checklist: phases, hard stops, un-ticking, values and progress."""

from __future__ import annotations

import pytest

from mild import messages
from mild.cases import CaseStatus
from mild.checklist import (
    STEP_BY_KEY,
    STEPS,
    TIME_OUT_ITEMS,
    Phase,
    Tick,
    check_tick,
    check_untick,
    current_state,
    get_step,
    progress,
    stale_conflict,
    steps_by_phase,
    validate_value,
)
from mild.errors import RuleViolation

S = CaseStatus
ESCORT = "Jane Doe, daughter, 555-0100"
IDENTITY = "Identity confirmed (name and date of birth)"
CONSENT = "Consent signed"
FASTING = "Fasting confirmed"
HOLDS = "Medication holds confirmed"
SITE = "Site marked by the physician who will operate"
TIME_OUT = "Time-out done (every item above confirmed)"
ESCORT_CONFIRMED = (
    "Escort confirmed in person (name, relationship, phone), or the attending physician's exemption"
)
PASSING_SCORE = "Discharge score of 9 or more"


def done(*keys: str, **values: str) -> dict[str, str | None]:
    """Steps ticked so far: bare keys for steps without a value, keywords for those with one."""
    return {key: None for key in keys} | values


def refusal(fn, *args) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args)
    return caught.value


def hard_stop(step_label: str, *missing: str) -> str:
    return messages.HARD_STOP.format(step=step_label, missing="; ".join(missing))


def value_of(step_key: str, value: str | None) -> str | None:
    return validate_value(get_step(step_key), value)


# Phases and structure


def test_steps_are_grouped_by_phase_in_the_order_a_nurse_works() -> None:
    grouped = steps_by_phase()
    assert list(grouped) == [
        Phase.ARRIVAL,
        Phase.SIGN_IN,
        Phase.TIME_OUT,
        Phase.PROCEDURE,
        Phase.RECOVERY,
        Phase.DISCHARGE,
    ]
    # The time-out: the modality, then each item the time-out itself needs (the WHO order: the
    # team introduced first, critical events reviewed last), then the time-out.
    time_out_phase = [s.key for s in grouped[Phase.TIME_OUT]]
    assert time_out_phase == ["imaging_modality", *TIME_OUT_ITEMS, "time_out"]
    assert get_step("time_out").requires == TIME_OUT_ITEMS
    assert TIME_OUT_ITEMS[0] == "team_introduced"
    assert TIME_OUT_ITEMS[-1] == "critical_events_reviewed"
    assert grouped[Phase.SIGN_IN][0].key == "patient_in_room"
    assert grouped[Phase.PROCEDURE][-1].key == "patient_out_of_room"
    assert grouped[Phase.ARRIVAL][0].key == "checked_in"
    assert grouped[Phase.DISCHARGE][-1].key == "discharged"
    # Reading the phases one after another gives back the whole checklist in order.
    assert [s for steps in grouped.values() for s in steps] == list(STEPS)


def test_every_required_step_is_a_real_step_that_comes_earlier() -> None:
    position = {s.key: i for i, s in enumerate(STEPS)}
    for i, step in enumerate(STEPS):
        for required in step.requires:
            assert required in position, f"{step.key} requires unknown step {required!r}"
            assert position[required] < i, f"{step.key} requires later step {required!r}"


def test_an_unknown_step_is_refused() -> None:
    err = refusal(check_tick, "coffee_served", S.CHECKED_IN, {})
    assert err.field == "step"
    assert err.message == "There is no checklist step 'coffee_served'."


# Hard stops


def test_anesthesia_start_needs_identity_consent_fasting_holds_and_site_marked() -> None:
    err = refusal(check_tick, "anesthesia_start", S.CHECKED_IN, done("checked_in"))
    assert err.field == "anesthesia_start"
    assert err.message == hard_stop("Anesthesia start", IDENTITY, CONSENT, FASTING, HOLDS, SITE)

    ready = done("identity_confirmed", "consent_signed", "fasting_confirmed", "holds_confirmed") | {
        "site_marked": "Dr. Ames"
    }
    assert check_tick("anesthesia_start", S.CHECKED_IN, ready).key == "anesthesia_start"

    # The refusal names only what is still missing.
    so_far = done("checked_in", "identity_confirmed", "consent_signed", "fasting_confirmed")
    err = refusal(check_tick, "anesthesia_start", S.CHECKED_IN, so_far | {"site_marked": "Dr A"})
    assert err.message == (
        '"Anesthesia start" cannot be ticked yet. Missing: Medication holds confirmed.'
    )


def test_procedure_start_is_blocked_until_anesthesia_start_consent_holds_and_the_time_out() -> None:
    err = refusal(check_tick, "procedure_start", S.CHECKED_IN, done("time_out"))
    assert err.field == "procedure_start"
    # Anesthesia start carries identity, fasting and site marking: it cannot be skipped.
    assert err.message == hard_stop(
        "Procedure start (incision)", STEP_BY_KEY["anesthesia_start"].label, CONSENT, HOLDS
    )

    without_time_out = done("checked_in", "consent_signed", "holds_confirmed", "anesthesia_start")
    err = refusal(check_tick, "procedure_start", S.CHECKED_IN, without_time_out)
    assert err.message == hard_stop("Procedure start (incision)", TIME_OUT)

    ready = without_time_out | done("time_out")
    assert check_tick("procedure_start", S.CHECKED_IN, ready).moves_case_to == S.IN_PROCEDURE


def test_discharge_is_blocked_until_escort_confirmed() -> None:
    err = refusal(check_tick, "discharged", S.RECOVERY, done(discharge_score="10"))
    assert err.field == "discharged"
    assert err.message == hard_stop("Discharged", ESCORT_CONFIRMED)


def test_discharge_needs_a_discharge_score_of_nine_or_more() -> None:
    err = refusal(
        check_tick, "discharged", S.RECOVERY, done(escort_confirmed=ESCORT, discharge_score="8")
    )
    assert (
        err.message == '"Discharged" cannot be ticked yet. Missing: Discharge score of 9 or more.'
    )

    ready = done(escort_confirmed=ESCORT, discharge_score="9")
    assert check_tick("discharged", S.RECOVERY, ready).moves_case_to == S.DISCHARGED


@pytest.mark.parametrize("step", [s for s in STEPS if s.requires], ids=lambda s: s.key)
def test_a_hard_stop_names_the_step_it_refuses_in_quotes_whatever_its_label(step) -> None:
    # "Discharged is blocked" did not read (issue 13): a label is named as the item it is.
    err = refusal(check_tick, step.key, S.CHECKED_IN, {})
    assert err.message.startswith(f'"{step.label}" cannot be ticked yet. Missing: ')


def test_discharge_refusal_names_both_escort_and_score_when_both_are_missing() -> None:
    err = refusal(check_tick, "discharged", S.RECOVERY, done("recovery_in", "recovery_out"))
    assert err.message == hard_stop("Discharged", ESCORT_CONFIRMED, PASSING_SCORE)


def test_a_status_step_cannot_move_the_case_past_the_lifecycle() -> None:
    # Escort and score are on file, but the patient never had the procedure.
    err = refusal(
        check_tick, "discharged", S.CHECKED_IN, done(escort_confirmed=ESCORT, discharge_score="10")
    )
    assert err.field == "discharged"
    assert err.message == "A case cannot go from checked in to discharged."

    not_checked_in = done("consent_signed", "holds_confirmed", "anesthesia_start", "time_out")
    err = refusal(check_tick, "procedure_start", S.SCHEDULED, not_checked_in)
    assert err.message == "A case cannot go from scheduled to in procedure."


def test_a_step_is_ticked_once_and_only_between_booking_and_discharge() -> None:
    err = refusal(check_tick, "consent_signed", S.CHECKED_IN, done("consent_signed"))
    assert err.field == "consent_signed"
    assert err.message == '"Consent signed" is already ticked.'

    err = refusal(check_tick, "consent_signed", S.INTAKE, {})
    assert err.field == "step"
    assert err.message == 'The checklist cannot be changed while the case\'s status is "Intake".'

    err = refusal(check_untick, "instructions_given", S.DISCHARGED, done("instructions_given"), "x")
    assert (
        err.message == 'The checklist cannot be changed while the case\'s status is "Discharged".'
    )


# Un-ticking


def test_unticking_needs_a_reason_and_a_ticked_step() -> None:
    err = refusal(check_untick, "consent_signed", S.CHECKED_IN, done("consent_signed"), "  ")
    assert err.field == "reason"
    assert err.message == messages.UNTICK_REASON_REQUIRED

    err = refusal(check_untick, "iv_placed", S.CHECKED_IN, {}, "ticked by mistake")
    assert err.field == "iv_placed"
    assert err.message == '"IV placed" is not ticked.'


def test_an_unticked_step_can_be_ticked_again() -> None:
    history = [Tick("checked_in"), Tick("consent_signed")]
    check_untick("consent_signed", S.CHECKED_IN, current_state(history), "wrong form signed")
    history.append(Tick("consent_signed", undone=True))
    assert current_state(history) == {"checked_in": None}

    check_tick("consent_signed", S.CHECKED_IN, current_state(history))  # allowed again
    history.append(Tick("consent_signed"))
    assert current_state(history) == {"checked_in": None, "consent_signed": None}

    # Replaying a re-ticked step keeps its latest value.
    history = [
        Tick("discharge_score", value="7"),
        Tick("discharge_score", undone=True),
        Tick("discharge_score", value="9"),
        Tick("escort_confirmed", value=ESCORT),
    ]
    state = current_state(history)
    assert state["discharge_score"] == "9"
    check_tick("discharged", S.RECOVERY, state)


def test_steps_that_moved_the_case_on_cannot_be_unticked() -> None:
    state = done("checked_in", "procedure_start", "procedure_end", "recovery_in")
    for key, label in [
        ("checked_in", "Checked in"),
        ("procedure_start", "Procedure start (incision)"),
        ("recovery_in", "Recovery room in"),
    ]:
        err = refusal(check_untick, key, S.RECOVERY, state, "ticked by mistake")
        assert err.field == key
        assert err.message == messages.STATUS_STEP_CANNOT_BE_UNDONE.format(step=label)
    # An ordinary step in the same state can be un-ticked.
    check_untick("procedure_end", S.RECOVERY, state, "ticked too early")


# Values


def test_a_choice_step_accepts_only_its_listed_options_and_a_plain_tick_stores_nothing() -> None:
    assert value_of("anesthesia_type", " MAC (moderate sedation) ") == "MAC (moderate sedation)"
    with pytest.raises(RuleViolation) as caught:
        value_of("anesthesia_type", "Spinal")
    assert caught.value.field == "anesthesia_type"
    assert caught.value.message == "Choose one of the listed options for Anesthesia type."
    assert value_of("consent_signed", "anything") is None


def test_discharge_score_is_a_whole_number_from_0_to_10() -> None:
    assert value_of("discharge_score", "0") == "0"
    assert value_of("discharge_score", "10") == "10"
    assert value_of("discharge_score", "9.0") == "9"
    for bad in ("11", "-1", "8.5"):
        with pytest.raises(RuleViolation) as caught:
            value_of("discharge_score", bad)
        assert caught.value.field == "discharge_score"
        assert caught.value.message == messages.DISCHARGE_SCORE_RANGE


def test_glucose_is_a_number_between_10_and_1000_mg_dl() -> None:
    assert value_of("glucose_checked", "10") == "10"
    assert value_of("glucose_checked", " 1000 ") == "1000"
    assert value_of("glucose_checked", "112.5") == "112.5"
    for bad in ("9", "1001"):
        with pytest.raises(RuleViolation) as caught:
            value_of("glucose_checked", bad)
        assert caught.value.message == messages.GLUCOSE_RANGE

    with pytest.raises(RuleViolation) as caught:
        value_of("glucose_checked", "high")
    assert caught.value.field == "glucose_checked"
    assert caught.value.message == '"Point-of-care glucose (mg/dL)" must be a number.'


def test_text_values_are_required_and_at_most_500_characters() -> None:
    assert value_of("levels_treated", "L4-L5 bilateral") == "L4-L5 bilateral"
    assert value_of("fluoroscopy_recorded", "x" * 500) == "x" * 500

    with pytest.raises(RuleViolation) as caught:
        value_of("fluoroscopy_recorded", "x" * 501)
    assert caught.value.message == "At most 500 characters."

    # Levels treated is also kept on the case, in an 80-character column.
    assert value_of("levels_treated", "x" * 80) == "x" * 80
    with pytest.raises(RuleViolation) as caught:
        value_of("levels_treated", "x" * 81)
    assert caught.value.message == "At most 80 characters."

    with pytest.raises(RuleViolation) as caught:
        value_of("levels_treated", "   ")
    assert caught.value.message == "Enter a value for Levels treated."


# Progress


def test_progress_counts_only_the_steps_that_apply_to_the_patient() -> None:
    # 38 steps in all: glucose only for diabetics, fluoroscopy only with X-ray.
    assert progress({}, diabetic=False, xray=False) == (0, 36)
    assert progress({}, diabetic=True, xray=False) == (0, 37)
    assert progress({}, diabetic=True, xray=True) == (0, 38)

    state = done("checked_in", "glucose_checked", "fluoroscopy_recorded")
    assert progress(state, diabetic=False, xray=False) == (1, 36)
    assert progress(state, diabetic=True, xray=True) == (3, 38)
    # The physician's escort exemption: neither escort step applies.
    assert progress({}, diabetic=True, xray=True, escort_exempt=True) == (0, 36)


def test_buttons_never_offer_a_status_that_only_a_checklist_step_may_set():
    from mild.cases import CaseStatus
    from mild.checklist import manual_actions

    assert manual_actions(CaseStatus.SCHEDULED) == []
    assert [a.to_status for a in manual_actions(CaseStatus.REQUESTED)] == [CaseStatus.INTAKE]
    assert manual_actions(CaseStatus.DISCHARGED) == []


# --- A tick from a screen older than the case (mild.checklist.stale_conflict) -----------------


def test_a_change_to_another_step_lets_a_stale_tick_through():
    assert not stale_conflict(get_step("iv_placed"), {"vitals_recorded"}, changed_outside=False)


def test_a_change_outside_the_checklist_refuses_any_stale_tick():
    # The level and side confirmed are the booking's: a rebooking since must be seen first.
    assert stale_conflict(get_step("level_side_confirmed"), set(), changed_outside=True)
    assert stale_conflict(get_step("iv_placed"), set(), changed_outside=True)


def test_the_same_step_changed_since_the_screen_refuses_the_tick():
    assert stale_conflict(get_step("iv_placed"), {"iv_placed"}, changed_outside=False)


def test_a_hard_stop_whose_inputs_changed_since_the_screen_is_refused():
    anesthesia = get_step("anesthesia_start")
    assert stale_conflict(anesthesia, {"consent_signed"}, changed_outside=False)  # required
    assert stale_conflict(anesthesia, {"glucose_checked"}, changed_outside=False)  # its check
    assert stale_conflict(anesthesia, set(), changed_outside=True)  # a drug, a last dose
    assert not stale_conflict(anesthesia, {"iv_placed"}, changed_outside=False)


def test_discharge_reads_every_step_so_any_change_refuses_it():
    assert stale_conflict(get_step("discharged"), {"instructions_given"}, changed_outside=False)
    assert not stale_conflict(get_step("discharged"), set(), changed_outside=False)
