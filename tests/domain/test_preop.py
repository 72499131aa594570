"""The pre-op call rules (mild.preop): which days the worklist reaches, where a case stands on
its calls and in what order, what a call may record; the practice setting (mild.settings)."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.preop import (
    PREOP_DAYS_DEFAULT,
    Attempt,
    CallOutcome,
    CallReport,
    CallState,
    arrival_time,
    call_problems,
    call_state,
    check_call,
    check_callable,
    check_caller,
    reach_rate,
    worklist_days,
    worklist_order,
)
from mild.settings import SPECS, check_setting, value_of
from mild.staff import Role

MONDAY = dt.date(2026, 11, 23)
FRIDAY = MONDAY + dt.timedelta(days=4)
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 11, 26, 14, 0, tzinfo=dt.UTC)


def minutes(n: int) -> dt.datetime:
    return NOW + dt.timedelta(minutes=n)


# --- the days ---------------------------------------------------------------------------------


def test_the_worklist_reaches_three_working_days_ahead_by_default():
    assert PREOP_DAYS_DEFAULT == 3
    assert worklist_days(MONDAY, 3) == (MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(3))


def test_a_fridays_worklist_reaches_over_the_weekend_to_wednesday():
    first, last = worklist_days(FRIDAY, 3)
    assert first == FRIDAY + dt.timedelta(days=1)  # a Saturday booking is caught on the way
    assert last == MONDAY + dt.timedelta(days=9)  # Wednesday of the next week


@pytest.mark.parametrize("n", [1, 7])
def test_the_worklist_reaches_one_to_seven_working_days(n):
    first, last = worklist_days(MONDAY, n)
    working = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    assert sum(1 for d in working if d.weekday() < 5) == n


def test_the_practice_setting_is_a_whole_number_of_working_days_from_one_to_seven():
    assert check_setting("preop_call_days", 5, " policy ").value == 5
    for bad in (0, 8, 2.5, None, True, "3"):
        with pytest.raises(RuleViolation) as refused:
            check_setting("preop_call_days", bad, "policy")
        assert refused.value.field == "value"
    with pytest.raises(RuleViolation, match="source"):
        check_setting("preop_call_days", 3, "  ")
    with pytest.raises(RuleViolation) as unknown:
        check_setting("no_such", 3, "policy")
    assert unknown.value.message == messages.SETTING_UNKNOWN


def test_a_missing_setting_row_reads_as_its_default():
    assert value_of({}, "preop_call_days") == SPECS["preop_call_days"].default == 3


# --- where a case stands, in what order ----------------------------------------------------


def test_a_case_never_called_is_to_call():
    assert call_state([], NOW) == CallState.TO_CALL


def test_reached_once_is_reached_whatever_came_after():
    attempts = [
        Attempt(CallOutcome.NO_ANSWER, minutes(-90)),
        Attempt(CallOutcome.REACHED, minutes(-60)),
        Attempt(CallOutcome.WRONG_NUMBER, minutes(-30)),
    ]
    assert call_state(attempts, NOW) == CallState.REACHED


@pytest.mark.parametrize(
    "outcome", [CallOutcome.VOICEMAIL, CallOutcome.NO_ANSWER, CallOutcome.WRONG_NUMBER]
)
def test_an_attempt_that_did_not_reach_the_patient_leaves_the_case_to_try_again(outcome):
    assert call_state([Attempt(outcome, minutes(-5))], NOW) == CallState.TRIED


def test_call_back_at_puts_the_case_back_on_top_at_that_time():
    asked = [Attempt(CallOutcome.CALL_BACK, minutes(-60), call_back_at=minutes(30))]
    assert call_state(asked, NOW) == CallState.CALL_BACK_LATER
    assert call_state(asked, minutes(30)) == CallState.CALL_BACK_DUE
    due = worklist_order(CallState.CALL_BACK_DUE, START, minutes(30))
    fresh = worklist_order(CallState.TO_CALL, START - dt.timedelta(days=2), None)
    assert due < fresh


def test_the_worklist_order_is_due_call_backs_then_not_reached_by_start_then_later_then_reached():
    early, late = START - dt.timedelta(days=1), START
    keys = {
        "reached": worklist_order(CallState.REACHED, early, None),
        "later": worklist_order(CallState.CALL_BACK_LATER, early, minutes(60)),
        "tried late": worklist_order(CallState.TRIED, late, None),
        "new early": worklist_order(CallState.TO_CALL, early, None),
        "due second": worklist_order(CallState.CALL_BACK_DUE, late, minutes(-5)),
        "due first": worklist_order(CallState.CALL_BACK_DUE, late, minutes(-50)),
    }
    assert sorted(keys, key=keys.get) == [
        "due first",
        "due second",
        "new early",
        "tried late",
        "later",
        "reached",
    ]


# --- what a call records -------------------------------------------------------------------


def test_a_call_needs_its_outcome():
    assert call_problems(CallReport(None), now=NOW, scheduled_start=START) == [
        ("outcome", messages.PREOP_OUTCOME_REQUIRED)
    ]


def test_a_call_back_needs_a_time_later_than_now_and_before_the_procedure():
    def problem(at):
        report = CallReport(CallOutcome.CALL_BACK, call_back_at=at)
        return call_problems(report, now=NOW, scheduled_start=START)

    assert problem(None) == [("call_back_at", messages.PREOP_CALL_BACK_REQUIRED)]
    assert problem(minutes(-1)) == [("call_back_at", messages.PREOP_CALL_BACK_PAST)]
    assert problem(START) == [("call_back_at", messages.PREOP_CALL_BACK_AFTER_DAY)]
    assert problem(minutes(45)) == []


def test_every_problem_of_a_reached_call_is_listed_at_once():
    report = CallReport(
        CallOutcome.REACHED,
        escort_confirmed=True,
        escort_name="Sam Doe",
        escort_phone="",
        questions="x" * 2001,
        last_doses={7: minutes(60)},
    )
    problems = dict(call_problems(report, now=NOW, scheduled_start=START))
    assert problems == {
        "last_dose_7": messages.LAST_DOSE_IN_FUTURE,
        "escort_phone": messages.ESCORT_NAME_AND_PHONE,
        "questions": messages.TEXT_TOO_LONG.format(limit=2000),
    }
    with pytest.raises(RuleViolation) as first:
        check_call(report, now=NOW, scheduled_start=START)
    assert first.value.field == "last_dose_7"


def test_an_escort_confirmed_needs_a_name_and_phone():
    report = CallReport(CallOutcome.REACHED, escort_confirmed=True)
    assert call_problems(report, now=NOW, scheduled_start=START) == [
        ("escort_name", messages.ESCORT_NAME_AND_PHONE)
    ]


def test_the_scripts_answers_are_kept_only_when_the_patient_was_reached():
    report = CallReport(
        CallOutcome.VOICEMAIL,
        arrival_time_told=True,
        fasting_explained=True,
        questions="ignored",
        last_doses={3: minutes(-600)},
    )
    call = check_call(report, now=NOW, scheduled_start=START)
    assert call.outcome == CallOutcome.VOICEMAIL
    assert (call.arrival_time_told, call.fasting_explained, call.escort_confirmed) == (None,) * 3
    assert call.questions is None and call.last_doses == {}


def test_a_reached_call_keeps_its_answers_in_utc_and_skips_a_dose_the_patient_did_not_know():
    eastern = dt.timezone(dt.timedelta(hours=-5))
    taken = dt.datetime(2026, 11, 22, 8, 0, tzinfo=eastern)
    report = CallReport(
        CallOutcome.REACHED,
        arrival_time_told=True,
        fasting_explained=False,
        escort_confirmed=True,
        escort_name="  Sam Doe ",
        escort_phone="555-0101",
        questions="  Can I take my blood pressure pill?  ",
        last_doses={3: taken, 4: None},
    )
    call = check_call(report, now=NOW, scheduled_start=START)
    assert call.arrival_time_told is True and call.fasting_explained is False
    assert (call.escort_name, call.escort_phone) == ("Sam Doe", "555-0101")
    assert call.questions == "Can I take my blood pressure pill?"
    assert call.last_doses == {3: taken.astimezone(dt.UTC)}


def test_pre_op_calls_are_made_by_nurses_and_coordinators_for_cases_still_to_come():
    for role in (Role.NURSE, Role.COORDINATOR, Role.ADMIN):
        check_caller(role)
    with pytest.raises(RuleViolation):
        check_caller(Role.MANAGER)
    check_callable(CaseStatus.SCHEDULED)
    check_callable(CaseStatus.INTAKE)
    for status in (CaseStatus.CANCELLED, CaseStatus.CHECKED_IN, CaseStatus.REQUESTED):
        with pytest.raises(RuleViolation):
            check_callable(status)


def test_the_reach_rate_is_the_share_reached_and_none_without_cases():
    assert reach_rate(3, 4) == 75.0
    assert reach_rate(0, 0) is None


def test_the_patient_is_told_to_arrive_the_practices_minutes_before_the_start():
    assert arrival_time(START, 60) == START - dt.timedelta(hours=1)
    assert check_setting("arrival_minutes_before", 45, "policy").value == 45
    for bad in (10, 181):
        with pytest.raises(RuleViolation):
            check_setting("arrival_minutes_before", bad, "policy")
    assert value_of({}, "arrival_minutes_before") == 60
