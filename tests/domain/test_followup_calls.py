"""Recording follow-ups: the next-day call's answers and red flags, which case may be recorded
on, escalation notes and resolution, and when a case may be closed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.followup import (
    CallAnswers,
    FollowUpKind,
    Incision,
    RedFlag,
    TemperatureUnit,
    check_attempt,
    check_call,
    check_follow_up_open,
    check_may_close,
    check_resolution,
    escalation_note,
    parse_red_flags,
    red_flags,
    stored_red_flags,
    temperature_in_c,
)

PROCEDURE_DAY = dt.date(2026, 3, 10)
TODAY = dt.date(2026, 3, 11)
QUIET = CallAnswers(
    nprs=3,
    swelling=True,
    bruising=False,
    incision=Incision.DRY,
    meds_as_prescribed=True,
)


def call(**changes) -> list[RedFlag]:
    return check_call(
        dataclasses.replace(QUIET, **changes), procedure_day=PROCEDURE_DAY, today=TODAY
    )


def refusal(**changes) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call(**changes)
    return caught.value


def test_a_quiet_call_has_no_red_flags() -> None:
    assert call() == []


def test_fever_pain_of_8_and_reported_flags_come_back_from_the_call_in_order() -> None:
    flags = call(nprs=8, temperature_c=38.0, reported_flags=(RedFlag.BOWEL_BLADDER,))
    assert flags == [RedFlag.FEVER, RedFlag.BOWEL_BLADDER, RedFlag.UNCONTROLLED_PAIN]


def test_an_incision_with_redness_or_drainage_is_the_wound_red_flag_and_a_dry_one_is_not() -> None:
    assert call(incision=Incision.REDNESS) == [RedFlag.WOUND]
    assert call(incision=Incision.DRAINAGE) == [RedFlag.WOUND]
    assert red_flags(incision=Incision.DRY) == []
    # Reported as well as seen: listed once.
    assert call(incision=Incision.DRAINAGE, reported_flags=(RedFlag.WOUND,)) == [RedFlag.WOUND]


def test_a_call_without_a_pain_score_is_refused_beside_the_score() -> None:
    err = refusal(nprs=None)
    assert (err.field, err.message) == ("nprs", messages.NPRS_REQUIRED)


def test_a_pain_score_out_of_0_to_10_is_refused() -> None:
    for bad in (-1, 11):
        err = refusal(nprs=bad)
        assert (err.field, err.message) == ("nprs", messages.NPRS_RANGE)


@pytest.mark.parametrize(
    ("field", "question"),
    [
        ("swelling", "swelling"),
        ("bruising", "bruising"),
        ("meds_as_prescribed", "medication taken as prescribed"),
    ],
)
def test_each_yes_no_question_left_unanswered_is_refused_by_name(field, question) -> None:
    err = refusal(**{field: None})
    assert err.field == field
    assert err.message == f"Answer {question}: yes or no."


def test_a_call_without_the_incision_is_refused() -> None:
    err = refusal(incision=None)
    assert (err.field, err.message) == ("incision", messages.INCISION_REQUIRED)


def test_return_to_work_may_be_from_the_procedure_day_to_today_and_not_outside() -> None:
    assert call(returned_to_work_on=PROCEDURE_DAY) == []
    assert call(returned_to_work_on=TODAY) == []
    err = refusal(returned_to_work_on=TODAY + dt.timedelta(days=1))
    assert (err.field, err.message) == ("returned_to_work_on", messages.RETURN_TO_WORK_IN_FUTURE)
    err = refusal(returned_to_work_on=PROCEDURE_DAY - dt.timedelta(days=1))
    assert err.field == "returned_to_work_on"
    assert err.message == "The return-to-work date cannot be before the procedure (2026-03-10)."


def test_a_temperature_is_converted_from_fahrenheit_and_a_slip_of_unit_is_refused() -> None:
    assert temperature_in_c(100.4, TemperatureUnit.FAHRENHEIT) == 38.0
    assert temperature_in_c(98.6, TemperatureUnit.FAHRENHEIT) == 37.0
    assert temperature_in_c(37.4, TemperatureUnit.CELSIUS) == 37.4
    assert temperature_in_c(None, TemperatureUnit.CELSIUS) is None
    for value, unit in ((100.4, TemperatureUnit.CELSIUS), (37.5, TemperatureUnit.FAHRENHEIT)):
        with pytest.raises(RuleViolation) as caught:
            temperature_in_c(value, unit)
        assert (caught.value.field, caught.value.message) == (
            "temperature_c",
            messages.TEMPERATURE_RANGE,
        )
    err = refusal(temperature_c=45.0)
    assert (err.field, err.message) == ("temperature_c", messages.TEMPERATURE_RANGE)


def test_call_notes_over_2000_characters_are_refused() -> None:
    assert call(notes="x" * 2000) == []
    err = refusal(notes="x" * 2001)
    assert (err.field, err.message) == ("notes", "At most 2000 characters.")


def test_the_escalation_note_names_the_provider_and_the_flags() -> None:
    flags = [RedFlag.FEVER, RedFlag.WOUND]
    assert escalation_note("Dr. Ada Lee", flags) == (
        "Escalated to Dr. Ada Lee: Fever 38 C / 100.4 F or more; Wound redness, warmth or drainage."
    )
    assert escalation_note(None, [RedFlag.FEVER]).startswith("Escalated to the office's provider")


def test_red_flags_are_stored_comma_separated_and_read_back_in_order() -> None:
    flags = [RedFlag.FEVER, RedFlag.CHEST_PAIN_BREATHING]
    assert stored_red_flags(flags) == "fever,chest_pain_breathing"
    assert stored_red_flags([]) is None
    assert parse_red_flags("chest_pain_breathing,fever") == flags
    assert parse_red_flags(None) == []


def test_follow_ups_are_recorded_once_after_discharge_and_never_on_a_closed_case() -> None:
    call_kind = FollowUpKind.NEXT_DAY_CALL
    for status in (CaseStatus.DISCHARGED, CaseStatus.FOLLOW_UP):
        assert check_follow_up_open(status, call_kind, False, as_call=True) == CaseStatus.FOLLOW_UP
    with pytest.raises(RuleViolation) as caught:
        check_follow_up_open(CaseStatus.CLOSED, call_kind, False, as_call=True)
    assert caught.value.message == messages.CASE_LOCKED
    with pytest.raises(RuleViolation) as caught:
        check_follow_up_open(CaseStatus.RECOVERY, call_kind, False, as_call=True)
    assert caught.value.message == "Follow-ups are recorded after discharge; this case is Recovery."
    with pytest.raises(RuleViolation) as caught:
        check_follow_up_open(CaseStatus.FOLLOW_UP, call_kind, True, as_call=True)
    assert (caught.value.field, caught.value.message) == (
        "follow_up",
        messages.FOLLOW_UP_ALREADY_DONE,
    )


def test_a_call_attempt_is_counted_on_any_open_follow_up_of_a_case_not_closed() -> None:
    for status in (CaseStatus.DISCHARGED, CaseStatus.FOLLOW_UP, CaseStatus.SCHEDULED):
        check_attempt(status, completed=False)
    cases = [
        ((CaseStatus.CLOSED, False), messages.CASE_LOCKED),
        ((CaseStatus.FOLLOW_UP, True), messages.FOLLOW_UP_ALREADY_DONE),
    ]
    for (status, completed), message in cases:
        with pytest.raises(RuleViolation) as caught:
            check_attempt(status, completed)
        assert caught.value.message == message


def test_the_call_and_the_visits_each_take_their_own_form() -> None:
    status = CaseStatus.FOLLOW_UP
    check_follow_up_open(status, FollowUpKind.MONTHS_3, False, as_call=False)
    with pytest.raises(RuleViolation) as caught:
        check_follow_up_open(status, FollowUpKind.MONTHS_3, False, as_call=True)
    assert caught.value.message == messages.FOLLOW_UP_IS_A_VISIT
    with pytest.raises(RuleViolation) as caught:
        check_follow_up_open(status, FollowUpKind.NEXT_DAY_CALL, False, as_call=False)
    assert caught.value.message == messages.FOLLOW_UP_IS_A_CALL


def test_resolving_an_escalation_needs_an_open_one_and_a_note() -> None:
    assert check_resolution(True, False, "  Dr. Lee saw her today  ") == "Dr. Lee saw her today"
    with pytest.raises(RuleViolation) as caught:
        check_resolution(True, False, "   ")
    assert (caught.value.field, caught.value.message) == (
        "resolution_note",
        messages.RESOLUTION_NOTE_REQUIRED,
    )
    for escalated, resolved in ((False, False), (True, True)):
        with pytest.raises(RuleViolation) as caught:
            check_resolution(escalated, resolved, "note")
        assert caught.value.message == messages.NO_OPEN_ESCALATION
    with pytest.raises(RuleViolation) as caught:
        check_resolution(True, False, "x" * 2001)
    assert caught.value.field == "resolution_note"


def test_a_case_may_be_closed_after_its_12_month_visit_with_nothing_escalated() -> None:
    check_may_close(CaseStatus.FOLLOW_UP, twelve_month_done=True, open_escalations=0)
    cases = [
        ((CaseStatus.FOLLOW_UP, False, 0), messages.CLOSE_NEEDS_12_MONTH_VISIT),
        ((CaseStatus.FOLLOW_UP, True, 1), messages.CLOSE_HAS_OPEN_ESCALATION),
        ((CaseStatus.CLOSED, True, 0), messages.CASE_LOCKED),
        ((CaseStatus.DISCHARGED, True, 0), "A case cannot go from Discharged to Closed."),
    ]
    for (status, done, open_escalations), message in cases:
        with pytest.raises(RuleViolation) as caught:
            check_may_close(status, done, open_escalations)
        assert caught.value.message == message, status


def test_closing_a_follow_up_as_not_reached_needs_three_attempts_an_open_case_and_a_note():
    from mild.cases import CaseStatus
    from mild.followup import check_close_unreached

    def refusal(*args):
        with pytest.raises(RuleViolation) as caught:
            check_close_unreached(*args)
        return caught.value.field, caught.value.message

    assert refusal(CaseStatus.DISCHARGED, False, 2, "letter") == (
        "follow_up",
        messages.FU_GIVE_UP_TOO_SOON.format(needed=3, attempts=2),
    )
    assert refusal(CaseStatus.FOLLOW_UP, False, 3, " ") == (
        "give_up_note",
        messages.FU_GIVE_UP_NOTE_REQUIRED,
    )
    assert refusal(CaseStatus.FOLLOW_UP, True, 3, "letter")[1] == messages.FOLLOW_UP_ALREADY_DONE
    assert refusal(CaseStatus.CLOSED, False, 5, "letter")[1] == messages.CASE_LOCKED
    assert refusal(CaseStatus.SCHEDULED, False, 3, "letter")[0] == "status"
    assert check_close_unreached(CaseStatus.DISCHARGED, False, 3, " letter sent ") == (
        CaseStatus.FOLLOW_UP,
        "letter sent",
    )
